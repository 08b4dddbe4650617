/* upstream/breaker.h - a circuit breaker: stop calling an upstream that keeps failing, probe it later */
#ifndef AR_UPSTREAM_BREAKER_H
#define AR_UPSTREAM_BREAKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* CLOSED: requests go out; `threshold` failures in a row open it. OPEN: requests fail fast until the
   cool-down ends. HALF_OPEN: one probe goes out; success closes, failure reopens for twice as long
   (up to max_cooldown_ms). Times are caller-supplied monotonic milliseconds. */
enum ar_breaker_state { AR_BREAKER_CLOSED, AR_BREAKER_OPEN, AR_BREAKER_HALF_OPEN };

struct ar_breaker {
	pthread_mutex_t lock;
	enum ar_breaker_state state;
	unsigned threshold;
	int64_t cooldown_ms, max_cooldown_ms;
	unsigned failures;     /* in a row, while closed */
	unsigned n_reopens;    /* opens since it was last closed: the doubling exponent */
	int64_t open_until_ms; /* OPEN: when the probe may go */
	bool is_probing;       /* HALF_OPEN: the probe is out */
	unsigned long n_trips; /* times it opened, for metrics */
};

/* Initialises a closed breaker; threshold 0 counts as 1, max_cooldown_ms below cooldown_ms as it. */
void ar_breaker_init(struct ar_breaker *b, unsigned threshold, int64_t cooldown_ms, int64_t max_cooldown_ms);
void ar_breaker_release(struct ar_breaker *b);

/* Asks to send one request at now_ms. true: go, and report with ar_breaker_leave (*is_probe tells
   the half-open probe). false: open; *retry_ms (may be NULL) is how long until the next probe. */
bool ar_breaker_enter(struct ar_breaker *b, int64_t now_ms, bool *is_probe, int64_t *retry_ms);

/* Reports how a request let through by ar_breaker_enter went. is_ok means the upstream answered
   sanely (any success closes the breaker); failures count only while closed or for the probe. */
void ar_breaker_leave(struct ar_breaker *b, int64_t now_ms, bool is_probe, bool is_ok);

/* The current state (an OPEN breaker whose cool-down is over still reads OPEN until the next
   ar_breaker_enter) and how many times it has opened. */
enum ar_breaker_state ar_breaker_state(struct ar_breaker *b, unsigned long *n_trips);

/* "closed", "open", "half-open". */
const char *ar_breaker_state_name(enum ar_breaker_state s);

#endif
