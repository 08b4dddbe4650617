/* tests/unit/upstream/test_flight.c - single-flight: one run per key, outcome shared, other keys free */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "upstream/flight.h"

#define N_THREADS 32
#define WAIT_MS	  10000

/* A job that blocks until the test opens its gate, so callers pile up on it. */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool is_open;
	int runs;
	int rc; /* what the job returns */
};

struct out {
	int value;
	char text[16];
};

static int gated_job(void *cls, void *result, struct ar_err *err)
{
	struct gate *g = cls;
	struct out *o = result;
	pthread_mutex_lock(&g->mu);
	g->runs++;
	pthread_cond_broadcast(&g->cv);
	while (!g->is_open)
		pthread_cond_wait(&g->cv, &g->mu);
	int rc = g->rc;
	pthread_mutex_unlock(&g->mu);
	o->value = 42;
	snprintf(o->text, sizeof o->text, "shared");
	return rc ? ar_fail(err, rc, "job failed on purpose") : 0;
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->is_open = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static bool wait_waiting(struct ar_flight *f, size_t n)
{
	int64_t end = ar_mono_ms() + WAIT_MS;
	while (ar_flight_waiting(f) < n && ar_mono_ms() < end) {
		struct timespec ms = {0, 1000 * 1000};
		nanosleep(&ms, NULL);
	}
	return ar_flight_waiting(f) == n;
}

struct caller {
	struct ar_flight *f;
	struct gate *g;
	const char *key;
	int rc;
	bool is_shared;
	struct out out;
	struct ar_err err;
};

static void *call(void *arg)
{
	struct caller *c = arg;
	c->rc = ar_flight_do(c->f, c->key, gated_job, c->g, &c->out, sizeof c->out, &c->is_shared, &c->err);
	return NULL;
}

static void run_many(int job_rc)
{
	struct ar_flight *f = ar_flight_new();
	struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0, job_rc};
	pthread_t t[N_THREADS];
	struct caller c[N_THREADS];
	for (int i = 0; i < N_THREADS; i++) {
		c[i] = (struct caller){.f = f, .g = &g, .key = "k"};
		assert_int_equal(pthread_create(&t[i], NULL, call, &c[i]), 0);
	}
	assert_true(wait_waiting(f, N_THREADS - 1));
	gate_open(&g);
	int n_shared = 0;
	for (int i = 0; i < N_THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(c[i].rc, job_rc);
		n_shared += c[i].is_shared;
		if (job_rc == 0) {
			assert_int_equal(c[i].out.value, 42);
			assert_string_equal(c[i].out.text, "shared");
		} else {
			assert_string_equal(c[i].err.msg, "job failed on purpose");
		}
	}
	assert_int_equal(g.runs, 1);
	assert_int_equal(n_shared, N_THREADS - 1);
	assert_int_equal(ar_flight_waiting(f), 0);
	ar_flight_free(f);
}

static void test_one_run_shared_success(void **state)
{
	run_many(0);
}

static void test_one_run_shared_failure(void **state)
{
	run_many(AR_EUNAVAIL);
}

static void test_other_keys_do_not_wait(void **state)
{
	struct ar_flight *f = ar_flight_new();
	struct gate blocked = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0, 0};
	struct gate free_gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, true, 0, 0};
	struct caller slow = {.f = f, .g = &blocked, .key = "slow"};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, call, &slow), 0);
	pthread_mutex_lock(&blocked.mu);
	while (blocked.runs == 0)
		pthread_cond_wait(&blocked.cv, &blocked.mu);
	pthread_mutex_unlock(&blocked.mu);
	/* "slow" is running and blocked; "fast" runs at once, on this thread. */
	struct caller fast = {.f = f, .g = &free_gate, .key = "fast"};
	call(&fast);
	assert_int_equal(fast.rc, 0);
	assert_false(fast.is_shared);
	assert_int_equal(free_gate.runs, 1);
	/* Once a call ends its key is free: the next caller runs again. */
	call(&fast);
	assert_int_equal(free_gate.runs, 2);
	gate_open(&blocked);
	pthread_join(t, NULL);
	assert_int_equal(slow.rc, 0);
	ar_flight_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_run_shared_success),
		cmocka_unit_test(test_one_run_shared_failure),
		cmocka_unit_test(test_other_keys_do_not_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
