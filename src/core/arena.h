/* core/arena.h - per-request bump allocator with deferred cleanups */
#ifndef AR_CORE_ARENA_H
#define AR_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct ar_arena;

typedef void ar_cleanup_fn(void *arg);

/* A new empty arena; free it with ar_arena_free. Aborts on OOM. */
struct ar_arena *ar_arena_new(void);

/* Runs the deferred cleanups (last registered first), then frees every allocation. NULL is ok. */
void ar_arena_free(struct ar_arena *a);

/* n zeroed bytes, aligned for any type, owned by the arena. */
void *ar_alloc(struct ar_arena *a, size_t n);

/* n elements of size bytes each; aborts on overflow. */
void *ar_alloc_array(struct ar_arena *a, size_t n, size_t size);

/* Returns arr (or a bigger arena copy of it) with room for at least n + 1 elements of size bytes;
 *cap tracks the capacity (start at 0 with arr NULL). For appending to arena-owned arrays. */
void *ar_grow(struct ar_arena *a, void *arr, size_t *cap, size_t n, size_t size);

/* NUL-terminated copies owned by the arena. */
char *ar_strdup(struct ar_arena *a, const char *s);
char *ar_strndup(struct ar_arena *a, const char *s, size_t n);
void *ar_memdup(struct ar_arena *a, const void *p, size_t n);
/* ar_strdup, or NULL for NULL (optional fields). */
char *ar_strdup_or_null(struct ar_arena *a, const char *s);

/* A printf-formatted string owned by the arena. */
char *ar_printf(struct ar_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *ar_vprintf(struct ar_arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Calls fn(arg) when the arena is freed: closes fds, unlinks temp files, rolls back. */
void ar_arena_defer(struct ar_arena *a, ar_cleanup_fn *fn, void *arg);

/* Bytes handed out so far, for limits and metrics. */
size_t ar_arena_used(const struct ar_arena *a);

#endif
