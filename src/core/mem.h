/* core/mem.h - allocation that aborts on out-of-memory, and checked size arithmetic */
#ifndef AR_CORE_MEM_H
#define AR_CORE_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* malloc/calloc/realloc/strdup that abort the process on OOM; never return NULL. */
void *ar_xmalloc(size_t n);
void *ar_xcalloc(size_t n, size_t size);
void *ar_xrealloc(void *p, size_t n);
char *ar_xstrdup(const char *s);
char *ar_xstrndup(const char *s, size_t n);

/* *out = a + b (or a * b); false on overflow. */
static inline bool ar_add_ok(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}
static inline bool ar_mul_ok(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

#endif
