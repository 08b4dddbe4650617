/* auth/token.c - authorization tokens: "arca1." + b64url(claims) + "." + b64url(HMAC) */
#include "auth/token.h"

#include "core/crypto.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Binary claims keep tokens short (they end up in .npmrc, pip URLs and .netrc):
     version(1) account(5, BE) owner(5, BE) issued(varint) lifetime(varint)
     domain_len(1) domain  arn_len(varint) arn
   Twelve-digit accounts fit in 40 bits; the version byte lets the layout change later. */
#define PREFIX		"arca1."
#define PREFIX_LEN	6
#define VERSION		1
#define MAX_TOKEN_LEN	2048
#define MAC_B64_LEN	43 /* 32 bytes, unpadded base64url */
#define MAX_PAYLOAD	(1 + 5 + 5 + 10 + 10 + 1 + 50 + 2 + 256)
#define MAX_ACCOUNT_NUM 999999999999ULL

static bool valid_account(const char *s)
{
	if (strnlen(s, 13) != 12)
		return false;
	for (int i = 0; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* [a-z][a-z0-9-]{0,48}[a-z0-9], the CodeArtifact domain name pattern. */
static bool valid_domain(const char *s, size_t len)
{
	if (len < 2 || len > 50 || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && !(c == '-' && i + 1 < len))
			return false;
	}
	return true;
}

/* An IAM ARN: "arn:" then visible ASCII, at most 256 bytes. */
static bool valid_arn(const char *s, size_t len)
{
	if (len < 5 || len > 256 || memcmp(s, "arn:", 4) != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return false;
	return true;
}

static size_t put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;
	do {
		unsigned char b = v & 0x7f;
		v >>= 7;
		p[n++] = (unsigned char)(b | (v ? 0x80 : 0));
	} while (v);
	return n;
}

/* Minimal-form LEB128 of at most 10 bytes; false on truncation, overlong or overflowing input. */
static bool get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p == end)
			return false;
		unsigned char b = *(*p)++;
		if (shift == 63 && b > 1)
			return false;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (b == 0 && shift > 0)
				return false;
			*out = v;
			return true;
		}
	}
	return false;
}

static void put_account(unsigned char *p, const char *digits)
{
	uint64_t v = strtoull(digits, NULL, 10);
	for (int i = 4; i >= 0; i--) {
		p[i] = v & 0xff;
		v >>= 8;
	}
}

static bool get_account(char out[13], const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 5; i++)
		v = v << 8 | p[i];
	if (v > MAX_ACCOUNT_NUM)
		return false;
	snprintf(out, 13, "%012llu", (unsigned long long)v);
	return true;
}

/* base64url(HMAC-SHA256(key, signed_part)) into out[MAC_B64_LEN + 1]. */
static void mac_b64(char out[MAC_B64_LEN + 1], const unsigned char key[32], const char *signed_part, size_t len)
{
	unsigned char mac[32];
	ar_hmac_sha256(mac, key, 32, signed_part, len);
	struct ar_arena *a = ar_arena_new();
	memcpy(out, ar_b64url_encode(a, mac, sizeof mac), MAC_B64_LEN + 1);
	ar_arena_free(a);
}

int ar_token_mint(char **out, struct ar_arena *a, const unsigned char key[32], const struct ar_token_claims *claims,
		  struct ar_err *err)
{
	*out = NULL;
	size_t dlen = strnlen(claims->domain, sizeof claims->domain);
	size_t alen = strnlen(claims->principal_arn, sizeof claims->principal_arn);
	if (!valid_account(claims->account_id) || !valid_account(claims->domain_owner))
		return ar_fail(err, AR_EINVAL, "token accounts must be 12 digits");
	if (!valid_domain(claims->domain, dlen))
		return ar_fail(err, AR_EINVAL, "token domain '%.*s' is not a valid domain name", (int)dlen,
			       claims->domain);
	if (!valid_arn(claims->principal_arn, alen))
		return ar_fail(err, AR_EINVAL, "token principal must be an ARN of at most 256 characters");
	if (claims->issued_s < 0 || claims->expires_s <= claims->issued_s ||
	    claims->expires_s - claims->issued_s > AR_TOKEN_MAX_S)
		return ar_fail(err, AR_EINVAL, "token lifetime must be 1..%d seconds", AR_TOKEN_MAX_S);

	unsigned char payload[MAX_PAYLOAD];
	size_t n = 0;
	payload[n++] = VERSION;
	put_account(payload + n, claims->account_id);
	n += 5;
	put_account(payload + n, claims->domain_owner);
	n += 5;
	n += put_varint(payload + n, (uint64_t)claims->issued_s);
	n += put_varint(payload + n, (uint64_t)(claims->expires_s - claims->issued_s));
	payload[n++] = (unsigned char)dlen;
	memcpy(payload + n, claims->domain, dlen);
	n += dlen;
	n += put_varint(payload + n, alen);
	memcpy(payload + n, claims->principal_arn, alen);
	n += alen;

	char *body = ar_printf(a, PREFIX "%s", ar_b64url_encode(a, payload, n));
	char mac[MAC_B64_LEN + 1];
	mac_b64(mac, key, body, strlen(body));
	*out = ar_printf(a, "%s.%s", body, mac);
	return 0;
}

static bool is_b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Decodes the (already authenticated) payload; false on any deviation from the mint layout. */
static bool decode_claims(struct ar_token_claims *c, const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	uint64_t issued, lifetime, alen;
	memset(c, 0, sizeof *c);
	if (len < 11 || p[0] != VERSION || !get_account(c->account_id, p + 1) || !get_account(c->domain_owner, p + 6))
		return false;
	p += 11;
	if (!get_varint(&p, end, &issued) || !get_varint(&p, end, &lifetime) || issued > INT64_MAX || lifetime == 0 ||
	    lifetime > AR_TOKEN_MAX_S || p == end)
		return false;
	size_t dlen = *p++;
	if (dlen > (size_t)(end - p) || !valid_domain((const char *)p, dlen))
		return false;
	memcpy(c->domain, p, dlen);
	p += dlen;
	if (!get_varint(&p, end, &alen) || alen != (size_t)(end - p) || !valid_arn((const char *)p, alen))
		return false;
	memcpy(c->principal_arn, p, alen);
	c->issued_s = (int64_t)issued;
	/* issued <= INT64_MAX and lifetime <= 43200: only the sum can overflow. */
	if (c->issued_s > INT64_MAX - (int64_t)lifetime)
		return false;
	c->expires_s = c->issued_s + (int64_t)lifetime;
	return true;
}

int ar_token_verify(struct ar_token_claims *claims, const unsigned char key[32], const char *token, int64_t now_s,
		    struct ar_err *err)
{
	memset(claims, 0, sizeof *claims);
	if (!token)
		return ar_fail(err, AR_EAUTH, "malformed token");
	size_t len = strnlen(token, MAX_TOKEN_LEN + 1);
	if (len > MAX_TOKEN_LEN)
		return ar_fail(err, AR_EAUTH, "malformed token: longer than %d characters", MAX_TOKEN_LEN);
	if (len < PREFIX_LEN || memcmp(token, PREFIX, PREFIX_LEN) != 0)
		return ar_fail(err, AR_EAUTH, "malformed token: not an arca1 token");
	const char *payload = token + PREFIX_LEN;
	const char *dot = memchr(payload, '.', len - PREFIX_LEN);
	if (!dot || dot == payload)
		return ar_fail(err, AR_EAUTH, "malformed token: missing signature");
	size_t plen = (size_t)(dot - payload);
	const char *mac = dot + 1;
	size_t mlen = len - PREFIX_LEN - plen - 1;
	for (size_t i = 0; i < plen; i++)
		if (!is_b64url_char(payload[i]))
			return ar_fail(err, AR_EAUTH, "malformed token: bad character");
	if (mlen != MAC_B64_LEN)
		return ar_fail(err, AR_EAUTH, "malformed token: bad signature length");
	for (size_t i = 0; i < mlen; i++)
		if (!is_b64url_char(mac[i]))
			return ar_fail(err, AR_EAUTH, "malformed token: bad character");

	/* Nothing inside the payload is looked at until the MAC over its exact text checks out. */
	char expected[MAC_B64_LEN + 1];
	mac_b64(expected, key, token, PREFIX_LEN + plen);
	if (!ar_ct_equal(expected, mac, MAC_B64_LEN))
		return ar_fail(err, AR_EAUTH, "invalid token signature");

	struct ar_arena *a = ar_arena_new();
	size_t raw_len = 0;
	unsigned char *raw = ar_b64url_decode(a, payload, plen, &raw_len);
	struct ar_token_claims c;
	bool ok = raw && raw_len <= MAX_PAYLOAD && decode_claims(&c, raw, raw_len);
	ar_arena_free(a);
	if (!ok)
		return ar_fail(err, AR_EAUTH, "malformed token claims");
	if (c.expires_s <= now_s)
		return ar_fail(err, AR_EAUTH, "token expired");
	*claims = c;
	return 0;
}
