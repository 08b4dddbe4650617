/* core/text.c - percent-encoding, query strings, and small string checks */
#include "core/text.h"

#include "core/err.h"
#include "core/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUERY_PARAMS 256

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *ar_pct_decode(struct ar_arena *a, const char *s, size_t len, size_t *out_len)
{
	char *out = ar_alloc(a, len + 1), *p = out;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			if (s[i] == '\0')
				return NULL;
			*p++ = s[i];
			continue;
		}
		int hi = i + 1 < len ? hexdigit(s[i + 1]) : -1;
		int lo = i + 2 < len ? hexdigit(s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return NULL;
		*p++ = (char)(hi << 4 | lo);
		i += 2;
	}
	*p = '\0';
	if (out_len)
		*out_len = (size_t)(p - out);
	return out;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.' || c == '~';
}

char *ar_pct_encode(struct ar_arena *a, const char *s, size_t len, bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t cap;
	if (!ar_mul_ok(len, 3, &cap) || !ar_add_ok(cap, 1, &cap))
		return NULL;
	char *out = ar_alloc(a, cap), *p = out;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = digits[c >> 4];
			*p++ = digits[c & 15];
		}
	}
	*p = '\0';
	return out;
}

int ar_query_parse(struct ar_query *q, struct ar_arena *a, const char *raw)
{
	q->params = NULL;
	q->n_params = 0;
	if (!raw || !*raw)
		return 0;
	size_t n = 1;
	for (const char *c = raw; *c; c++)
		n += *c == '&';
	if (n > MAX_QUERY_PARAMS)
		return AR_ETOOBIG;
	q->params = ar_alloc_array(a, n, sizeof *q->params);
	const char *p = raw;
	while (*p) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 0) {
			const char *eq = memchr(p, '=', len);
			size_t nlen = eq ? (size_t)(eq - p) : len;
			char *name = ar_pct_decode(a, p, nlen, NULL);
			char *value = eq ? ar_pct_decode(a, eq + 1, len - nlen - 1, NULL) : ar_strdup(a, "");
			if (!name || !value)
				return AR_EINVAL;
			q->params[q->n_params].name = name;
			q->params[q->n_params].value = value;
			q->n_params++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return 0;
}

const char *ar_query_get(const struct ar_query *q, const char *name)
{
	for (size_t i = 0; i < q->n_params; i++)
		if (strcmp(q->params[i].name, name) == 0)
			return q->params[i].value;
	return NULL;
}

size_t ar_query_count(const struct ar_query *q, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < q->n_params; i++)
		n += strcmp(q->params[i].name, name) == 0;
	return n;
}

bool ar_parse_i64(const char *s, int64_t *out)
{
	if (!s || !*s)
		return false;
	for (const char *c = *s == '-' ? s + 1 : s; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	if (*s == '-' && !s[1])
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* Decodes one UTF-8 sequence at s; returns its length (0 when invalid) and the code point. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t n;
	uint32_t v, min;
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2, v = s[0] & 0x1F, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3, v = s[0] & 0x0F, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4, v = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static bool is_space(uint32_t cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
	       cp == 0x3000;
}

static bool utf8_all(const char *s, size_t len, bool allow_space)
{
	const unsigned char *p = (const unsigned char *)s;
	while (len) {
		uint32_t cp;
		size_t n = utf8_next(p, len, &cp);
		if (!n || is_control(cp) || (!allow_space && is_space(cp)))
			return false;
		p += n;
		len -= n;
	}
	return true;
}

bool ar_is_printable_utf8(const char *s, size_t len)
{
	return utf8_all(s, len, true);
}

bool ar_is_nonspace_utf8(const char *s, size_t len)
{
	return utf8_all(s, len, false);
}

bool ar_is_dot_segment(const char *seg, size_t len)
{
	size_t dots = 0;
	for (size_t i = 0; i < len; dots++) {
		if (seg[i] == '.')
			i++;
		else if (len - i >= 3 && seg[i] == '%' && seg[i + 1] == '2' && (seg[i + 2] == 'e' || seg[i + 2] == 'E'))
			i += 3;
		else
			return false;
	}
	return dots == 1 || dots == 2;
}
