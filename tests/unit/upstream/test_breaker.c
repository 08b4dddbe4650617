/* tests/unit/upstream/test_breaker.c - the circuit breaker's state machine, on a clock the test drives */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "upstream/breaker.h"

static void fail_once(struct ar_breaker *b, int64_t now)
{
	bool is_probe;
	assert_true(ar_breaker_enter(b, now, &is_probe, NULL));
	ar_breaker_leave(b, now, is_probe, false);
}

static void test_opens_after_threshold_and_fails_fast(void **state)
{
	struct ar_breaker b;
	ar_breaker_init(&b, 3, 1000, 8000);
	unsigned long trips;
	bool is_probe;
	int64_t retry = -1;
	fail_once(&b, 0);
	fail_once(&b, 1);
	/* A success in between resets the run of failures. */
	assert_true(ar_breaker_enter(&b, 2, &is_probe, NULL));
	assert_false(is_probe);
	ar_breaker_leave(&b, 2, false, true);
	fail_once(&b, 3);
	fail_once(&b, 4);
	assert_int_equal(ar_breaker_state(&b, &trips), AR_BREAKER_CLOSED);
	fail_once(&b, 5);
	assert_int_equal(ar_breaker_state(&b, &trips), AR_BREAKER_OPEN);
	assert_int_equal(trips, 1);
	assert_false(ar_breaker_enter(&b, 6, &is_probe, &retry));
	assert_int_equal(retry, 999);
	assert_false(ar_breaker_enter(&b, 1004, &is_probe, &retry));
	assert_int_equal(retry, 1);
	ar_breaker_release(&b);
}

static void test_half_open_single_probe_and_backoff(void **state)
{
	struct ar_breaker b;
	ar_breaker_init(&b, 1, 100, 350);
	bool is_probe, other;
	int64_t retry;
	unsigned long trips;
	fail_once(&b, 0); /* open until 100 */
	assert_true(ar_breaker_enter(&b, 100, &is_probe, &retry));
	assert_true(is_probe);
	assert_int_equal(ar_breaker_state(&b, NULL), AR_BREAKER_HALF_OPEN);
	/* Only one probe at a time. */
	assert_false(ar_breaker_enter(&b, 101, &other, &retry));
	/* A straggler's failure from before the opening changes nothing. */
	ar_breaker_leave(&b, 101, false, false);
	assert_int_equal(ar_breaker_state(&b, NULL), AR_BREAKER_HALF_OPEN);
	/* The probe fails: open again for twice as long (200), then 350 (the cap), 350. */
	ar_breaker_leave(&b, 110, true, false);
	assert_false(ar_breaker_enter(&b, 309, &other, &retry));
	assert_int_equal(retry, 1);
	assert_true(ar_breaker_enter(&b, 310, &is_probe, &retry) && is_probe);
	ar_breaker_leave(&b, 310, true, false);
	assert_false(ar_breaker_enter(&b, 659, &other, &retry));
	assert_true(ar_breaker_enter(&b, 660, &is_probe, &retry) && is_probe);
	ar_breaker_leave(&b, 660, true, false);
	assert_false(ar_breaker_enter(&b, 1009, &other, &retry));
	assert_int_equal(ar_breaker_state(&b, &trips), AR_BREAKER_OPEN);
	assert_int_equal(trips, 4);
	/* A successful probe closes it and resets the back-off. */
	assert_true(ar_breaker_enter(&b, 1010, &is_probe, &retry) && is_probe);
	ar_breaker_leave(&b, 1011, true, true);
	assert_int_equal(ar_breaker_state(&b, NULL), AR_BREAKER_CLOSED);
	assert_true(ar_breaker_enter(&b, 1012, &is_probe, &retry));
	assert_false(is_probe);
	ar_breaker_leave(&b, 1012, false, false); /* threshold 1: open, for the base 100 again */
	assert_false(ar_breaker_enter(&b, 1111, &other, &retry));
	assert_int_equal(retry, 1);
	assert_true(ar_breaker_enter(&b, 1112, &is_probe, &retry) && is_probe);
	ar_breaker_release(&b);
}

static void test_names_and_bounds(void **state)
{
	assert_string_equal(ar_breaker_state_name(AR_BREAKER_CLOSED), "closed");
	assert_string_equal(ar_breaker_state_name(AR_BREAKER_OPEN), "open");
	assert_string_equal(ar_breaker_state_name(AR_BREAKER_HALF_OPEN), "half-open");
	/* Threshold 0 acts as 1; a cap below the base is raised to it; huge back-offs do not overflow. */
	struct ar_breaker b;
	ar_breaker_init(&b, 0, 1000, 10);
	bool is_probe;
	int64_t retry, now = 0;
	fail_once(&b, now);
	for (int i = 0; i < 100; i++) {
		assert_false(ar_breaker_enter(&b, now, &is_probe, &retry));
		assert_int_equal(retry, 1000);
		now += 1000;
		assert_true(ar_breaker_enter(&b, now, &is_probe, &retry) && is_probe);
		ar_breaker_leave(&b, now, true, false);
	}
	ar_breaker_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opens_after_threshold_and_fails_fast),
		cmocka_unit_test(test_half_open_single_probe_and_backoff),
		cmocka_unit_test(test_names_and_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
