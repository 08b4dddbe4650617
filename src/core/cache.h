/* core/cache.h - a thread-safe, byte-bounded LRU cache of immutable values with single-flight builds */
#ifndef AR_CORE_CACHE_H
#define AR_CORE_CACHE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

struct ar_cache;
struct ar_cache_val; /* immutable, reference-counted */

/* A cache holding at most max_bytes of values (0 disables caching: every get builds). */
struct ar_cache *ar_cache_new(size_t max_bytes);
void ar_cache_free(struct ar_cache *c);

/* Builds a value for key: fills *data (heap memory, handed to the cache) and *len, and *etag (heap or NULL). */
typedef int ar_cache_build_fn(void *cls, char **data, size_t *len, char **etag, struct ar_err *err);

/* Returns a referenced value for key, building it with build(cls) when absent. Concurrent callers
   for the same missing key wait for the one build in flight (single-flight) instead of repeating it.
   A failed build is not cached; its error goes to the caller that ran it, the waiters retry. */
int ar_cache_get(struct ar_cache_val **out, struct ar_cache *c, const char *key, ar_cache_build_fn *build, void *cls,
		 struct ar_err *err);

/* Drops every entry whose key starts with prefix (e.g. after a change to a package). */
void ar_cache_invalidate_prefix(struct ar_cache *c, const char *prefix);

const char *ar_cache_val_data(const struct ar_cache_val *v, size_t *len);
const char *ar_cache_val_etag(const struct ar_cache_val *v);

void ar_cache_unref(struct ar_cache_val *v);

/* Keeps v referenced until the arena is freed (e.g. while a response sends its bytes). */
void ar_cache_hold(struct ar_arena *a, struct ar_cache_val *v);

/* Counters for tests and metrics. */
struct ar_cache_stats {
	size_t entries, bytes;
	unsigned long hits, misses, builds, evictions;
};
void ar_cache_stats(struct ar_cache *c, struct ar_cache_stats *out);

#endif
