/* tests/unit/core/test_cache.c - LRU bounds, hits, and single-flight builds */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cache.h"

static int build_text(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	const char *text = cls;
	*data = strdup(text);
	*len = strlen(text);
	*etag = strdup("\"e1\"");
	return 0;
}

static int build_fail(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	return ar_fail(err, AR_EUNAVAIL, "upstream down");
}

static void test_hit_miss_and_eviction(void **state)
{
	struct ar_cache *c = ar_cache_new(10);
	struct ar_cache_val *v;
	struct ar_err err;
	assert_int_equal(ar_cache_get(&v, c, "a", build_text, "12345", &err), 0);
	size_t len;
	assert_memory_equal(ar_cache_val_data(v, &len), "12345", 5);
	assert_int_equal(len, 5);
	assert_string_equal(ar_cache_val_etag(v), "\"e1\"");
	ar_cache_unref(v);
	/* A hit does not build: a failing builder is never called. */
	assert_int_equal(ar_cache_get(&v, c, "a", build_fail, NULL, &err), 0);
	ar_cache_unref(v);
	assert_int_equal(ar_cache_get(&v, c, "b", build_text, "abcde", &err), 0);
	ar_cache_unref(v);
	/* 5 + 5 bytes fit; a third value evicts the least recently used ("a" was used before "b"). */
	assert_int_equal(ar_cache_get(&v, c, "c", build_text, "xyz", &err), 0);
	struct ar_cache_val *held = v; /* an evicted value stays valid while referenced */
	struct ar_cache_stats st;
	ar_cache_stats(c, &st);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.bytes, 8);
	assert_int_equal(ar_cache_get(&v, c, "a", build_fail, NULL, &err), AR_EUNAVAIL);
	assert_string_equal(err.msg, "upstream down");
	/* A failed build is not cached. */
	assert_int_equal(ar_cache_get(&v, c, "a", build_text, "12", &err), 0);
	ar_cache_unref(v);
	/* Too big to keep: returned but not stored. */
	assert_int_equal(ar_cache_get(&v, c, "big", build_text, "0123456789abc", &err), 0);
	ar_cache_unref(v);
	ar_cache_invalidate_prefix(c, "c");
	ar_cache_stats(c, &st);
	assert_int_equal(st.entries, 2);
	assert_memory_equal(ar_cache_val_data(held, &len), "xyz", 3);
	ar_cache_unref(held);
	ar_cache_free(c);
}

#define N_THREADS 16
static atomic_int arrived;
static atomic_int builds;
static struct ar_cache *shared;

static int slow_build(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	atomic_fetch_add(&builds, 1);
	/* Hold the build open until every thread has asked, so they all meet it in flight or cached. */
	while (atomic_load(&arrived) < N_THREADS)
		sched_yield();
	*data = strdup("value");
	*len = 5;
	*etag = NULL;
	return 0;
}

static void *getter(void *arg)
{
	struct ar_cache_val *v;
	struct ar_err err;
	atomic_fetch_add(&arrived, 1);
	int rc = ar_cache_get(&v, shared, "k", slow_build, NULL, &err);
	size_t len = 0;
	if (rc == 0) {
		rc = memcmp(ar_cache_val_data(v, &len), "value", 5) != 0;
		ar_cache_unref(v);
	}
	return (void *)(intptr_t)rc;
}

static void test_single_flight(void **state)
{
	shared = ar_cache_new(1 << 20);
	pthread_t t[N_THREADS];
	for (int i = 0; i < N_THREADS; i++)
		pthread_create(&t[i], NULL, getter, NULL);
	for (int i = 0; i < N_THREADS; i++) {
		void *rc;
		pthread_join(t[i], &rc);
		assert_int_equal((intptr_t)rc, 0);
	}
	assert_int_equal(atomic_load(&builds), 1);
	ar_cache_free(shared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_miss_and_eviction),
		cmocka_unit_test(test_single_flight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
