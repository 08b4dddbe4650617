/* upstream/digest.c - SRI, PyPI-fragment and bare-hex digests against computed hashes */
#include "upstream/digest.h"

#include "core/arena.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_ITEM 256 /* sha512 in base64 is 88 characters, in hex 128 */

struct alg {
	const char *name;
	size_t raw_len;
	size_t hex_offset; /* where the lowercase hex of this digest sits in struct ar_hashes */
};

static const struct alg algs[] = {
	{"sha512", 64, offsetof(struct ar_hashes, sha512)},
	{"sha256", 32, offsetof(struct ar_hashes, sha256)},
	{"sha1", 20, offsetof(struct ar_hashes, sha1)},
	{"md5", 16, offsetof(struct ar_hashes, md5)},
};
#define N_ALGS (sizeof algs / sizeof algs[0])

static const struct alg *alg_named(const char *name, size_t len)
{
	for (size_t i = 0; i < N_ALGS; i++)
		if (strlen(algs[i].name) == len && strncasecmp(algs[i].name, name, len) == 0)
			return &algs[i];
	return NULL;
}

static bool all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return len > 0;
}

/* One item of item_len bytes: 1 when skipped (unknown algorithm), 0 when it matches or h is NULL,
   AR_EINVAL otherwise. */
static int verify_item(const char *item, size_t item_len, const struct ar_hashes *h, struct ar_arena *a,
		       struct ar_err *err)
{
	const struct alg *alg = NULL;
	char want[2 * 64 + 1];
	const char *sep = memchr(item, '-', item_len), *eq = memchr(item, '=', item_len);
	if (sep && (!eq || sep < eq)) {
		/* SRI: algorithm "-" base64 ["?" options] */
		if (!(alg = alg_named(item, (size_t)(sep - item))))
			return 1;
		const char *b64 = sep + 1;
		const char *q = memchr(b64, '?', item_len - (size_t)(b64 - item));
		size_t b64_len = (q ? (size_t)(q - b64) : item_len - (size_t)(b64 - item));
		size_t raw_len = 0;
		unsigned char *raw = ar_b64_decode(a, b64, b64_len, &raw_len);
		if (!raw || raw_len != alg->raw_len)
			return ar_fail(err, AR_EINVAL, "malformed %s integrity value", alg->name);
		ar_hex(want, raw, raw_len);
	} else if (eq) {
		/* PyPI fragment: algorithm "=" hex */
		if (!(alg = alg_named(item, (size_t)(eq - item))))
			return 1;
		size_t hex_len = item_len - (size_t)(eq + 1 - item);
		if (hex_len != 2 * alg->raw_len || !all_hex(eq + 1, hex_len))
			return ar_fail(err, AR_EINVAL, "malformed %s digest", alg->name);
		for (size_t i = 0; i < hex_len; i++)
			want[i] = (char)tolower((unsigned char)eq[1 + i]);
		want[hex_len] = '\0';
	} else {
		for (size_t i = 0; i < N_ALGS && !alg; i++)
			if (item_len == 2 * algs[i].raw_len)
				alg = &algs[i];
		if (!alg || !all_hex(item, item_len))
			return ar_fail(err, AR_EINVAL, "unrecognised digest '%.*s'",
				       (int)(item_len > 80 ? 80 : item_len), item);
		for (size_t i = 0; i < item_len; i++)
			want[i] = (char)tolower((unsigned char)item[i]);
		want[item_len] = '\0';
	}
	if (!h)
		return 0;
	const char *have = (const char *)h + alg->hex_offset;
	if (strcmp(want, have) != 0)
		return ar_fail(err, AR_EINVAL, "digest mismatch: %s expected %s, got %s", alg->name, want, have);
	return 0;
}

int ar_digest_verify(const char *digest, const struct ar_hashes *h, struct ar_err *err)
{
	struct ar_arena *a = ar_arena_new();
	int rc = 0, n_checked = 0;
	const char *p = digest ? digest : "";
	while (rc == 0) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		size_t len = 0;
		while (p[len] && !isspace((unsigned char)p[len]))
			len++;
		if (len > MAX_ITEM) {
			rc = ar_fail(err, AR_EINVAL, "digest item longer than %d characters", MAX_ITEM);
			break;
		}
		int r = verify_item(p, len, h, a, err);
		if (r < 0)
			rc = r;
		else if (r == 0)
			n_checked++;
		p += len;
	}
	if (rc == 0 && n_checked == 0)
		rc = ar_fail(err, AR_EINVAL, "no supported digest in '%.80s' (want sha512, sha256, sha1 or md5)",
			     digest ? digest : "");
	ar_arena_free(a);
	return rc;
}
