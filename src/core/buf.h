/* core/buf.h - borrowed strings (ar_str) and owned, capped, growable buffers (ar_buf) */
#ifndef AR_CORE_BUF_H
#define AR_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* A borrowed byte range; not NUL-terminated unless the owner says so. */
struct ar_str {
	const char *ptr;
	size_t len;
};

#define AR_STR_LIT(s) ((struct ar_str){(s), sizeof(s) - 1})

static inline struct ar_str ar_str_of(const char *s)
{
	return (struct ar_str){s, s ? strlen(s) : 0};
}

static inline bool ar_str_eq(struct ar_str a, const char *lit)
{
	size_t n = strlen(lit);
	return a.len == n && memcmp(a.ptr, lit, n) == 0;
}

bool ar_str_eq_nocase(struct ar_str a, const char *lit);
bool ar_str_starts_with(struct ar_str a, const char *prefix);

/* An owned, NUL-terminated buffer that refuses to grow past max bytes (0 = 1 GiB). */
struct ar_buf {
	char *ptr; /* always NUL-terminated once initialised; "" when empty */
	size_t len;
	size_t cap;
	size_t max;
};

/* Initialises an empty buffer with a size cap; needs no release until something is added. */
void ar_buf_init(struct ar_buf *b, size_t max);

/* Frees the storage and resets to empty. */
void ar_buf_release(struct ar_buf *b);

/* Hands the heap string to the caller (free it) and resets b. */
char *ar_buf_detach(struct ar_buf *b, size_t *len);

/* Appends; AR_ETOOBIG (b unchanged) when the cap would be exceeded. */
int ar_buf_add(struct ar_buf *b, const void *data, size_t len);
int ar_buf_adds(struct ar_buf *b, const char *s);
int ar_buf_addch(struct ar_buf *b, char c);
int ar_buf_printf(struct ar_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ar_buf_vprintf(struct ar_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Empties without freeing. */
void ar_buf_reset(struct ar_buf *b);

#endif
