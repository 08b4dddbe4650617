/* repo/paging.c - opaque pagination tokens */
#include "repo/paging.h"

#include "core/crypto.h"
#include "core/text.h"

#include <stdint.h>
#include <string.h>

char *ar_page_token(struct ar_arena *a, const char *kind, const char *last_key)
{
	char *plain = ar_printf(a, "%s\n%s", kind, last_key);
	return ar_b64url_encode(a, plain, strlen(plain));
}

int ar_page_key(const char **key, struct ar_arena *a, const char *kind, const char *token, struct ar_err *err)
{
	*key = NULL;
	if (!token)
		return 0;
	size_t len = 0;
	unsigned char *raw = ar_b64url_decode(a, token, strlen(token), &len);
	size_t klen = strlen(kind);
	if (!raw || len <= klen || memcmp(raw, kind, klen) != 0 || raw[klen] != '\n' || memchr(raw, '\0', len) != NULL)
		return ar_fail(err, AR_EINVAL, "nextToken is not valid for this operation");
	*key = ar_strndup(a, (const char *)raw + klen + 1, len - klen - 1);
	return 0;
}

int ar_page_limit(int *limit, const char *raw, int default_limit, struct ar_err *err)
{
	int64_t v = default_limit;
	if (raw && (!ar_parse_i64(raw, &v) || v < 1 || v > 1000))
		return ar_fail(err, AR_EINVAL, "maxResults must be an integer between 1 and 1000");
	*limit = (int)v;
	return 0;
}
