/* core/buf.c - capped growable buffers */
#include "core/buf.h"

#include "core/err.h"
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define DEFAULT_MAX ((size_t)1 << 30)

static char empty_string[1];

bool ar_str_eq_nocase(struct ar_str a, const char *lit)
{
	size_t n = strlen(lit);
	return a.len == n && strncasecmp(a.ptr, lit, n) == 0;
}

bool ar_str_starts_with(struct ar_str a, const char *prefix)
{
	size_t n = strlen(prefix);
	return a.len >= n && memcmp(a.ptr, prefix, n) == 0;
}

void ar_buf_init(struct ar_buf *b, size_t max)
{
	b->ptr = empty_string;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : DEFAULT_MAX;
}

void ar_buf_release(struct ar_buf *b)
{
	if (b->cap)
		free(b->ptr);
	ar_buf_init(b, b->max);
}

char *ar_buf_detach(struct ar_buf *b, size_t *len)
{
	char *p = b->cap ? b->ptr : ar_xstrdup("");
	if (len)
		*len = b->len;
	ar_buf_init(b, b->max);
	return p;
}

static int grow(struct ar_buf *b, size_t extra)
{
	size_t need;
	if (!ar_add_ok(b->len, extra, &need) || need > b->max)
		return AR_ETOOBIG;
	if (need + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need + 1)
		cap = cap > DEFAULT_MAX ? need + 1 : cap * 2;
	if (b->cap) {
		b->ptr = ar_xrealloc(b->ptr, cap);
	} else {
		b->ptr = ar_xmalloc(cap);
		b->ptr[0] = '\0';
	}
	b->cap = cap;
	return 0;
}

int ar_buf_add(struct ar_buf *b, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	int rc = grow(b, len);
	if (rc)
		return rc;
	memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int ar_buf_adds(struct ar_buf *b, const char *s)
{
	return ar_buf_add(b, s, strlen(s));
}

int ar_buf_addch(struct ar_buf *b, char c)
{
	return ar_buf_add(b, &c, 1);
}

int ar_buf_vprintf(struct ar_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return AR_ERROR;
	int rc = grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int ar_buf_printf(struct ar_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ar_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void ar_buf_reset(struct ar_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->ptr[0] = '\0';
}
