/* upstream/breaker.c - circuit breaker state machine */
#include "upstream/breaker.h"

#define MAX_SHIFT 20 /* 2^20 times the cool-down is past any sensible cap */

void ar_breaker_init(struct ar_breaker *b, unsigned threshold, int64_t cooldown_ms, int64_t max_cooldown_ms)
{
	*b = (struct ar_breaker){.state = AR_BREAKER_CLOSED};
	pthread_mutex_init(&b->lock, NULL);
	b->threshold = threshold ? threshold : 1;
	b->cooldown_ms = cooldown_ms > 0 ? cooldown_ms : 0;
	b->max_cooldown_ms = max_cooldown_ms > b->cooldown_ms ? max_cooldown_ms : b->cooldown_ms;
}

void ar_breaker_release(struct ar_breaker *b)
{
	pthread_mutex_destroy(&b->lock);
}

static void trip(struct ar_breaker *b, int64_t now_ms)
{
	unsigned shift = b->n_reopens < MAX_SHIFT ? b->n_reopens : MAX_SHIFT;
	int64_t d = b->cooldown_ms;
	for (unsigned i = 0; i < shift && d < b->max_cooldown_ms; i++)
		d *= 2;
	if (d > b->max_cooldown_ms)
		d = b->max_cooldown_ms;
	b->state = AR_BREAKER_OPEN;
	b->open_until_ms = now_ms + d;
	b->is_probing = false;
	b->n_reopens++;
	b->n_trips++;
}

bool ar_breaker_enter(struct ar_breaker *b, int64_t now_ms, bool *is_probe, int64_t *retry_ms)
{
	bool go = true;
	*is_probe = false;
	pthread_mutex_lock(&b->lock);
	if (b->state == AR_BREAKER_OPEN && now_ms >= b->open_until_ms) {
		b->state = AR_BREAKER_HALF_OPEN;
		b->is_probing = true;
		*is_probe = true;
	} else if (b->state == AR_BREAKER_OPEN) {
		go = false;
		if (retry_ms)
			*retry_ms = b->open_until_ms - now_ms;
	} else if (b->state == AR_BREAKER_HALF_OPEN) {
		go = false; /* the probe is out */
		if (retry_ms)
			*retry_ms = 0;
	}
	pthread_mutex_unlock(&b->lock);
	return go;
}

void ar_breaker_leave(struct ar_breaker *b, int64_t now_ms, bool is_probe, bool is_ok)
{
	pthread_mutex_lock(&b->lock);
	if (is_ok) {
		b->state = AR_BREAKER_CLOSED;
		b->failures = 0;
		b->n_reopens = 0;
		b->is_probing = false;
	} else if (b->state == AR_BREAKER_CLOSED) {
		if (++b->failures >= b->threshold) {
			b->failures = 0;
			trip(b, now_ms);
		}
	} else if (b->state == AR_BREAKER_HALF_OPEN && is_probe) {
		trip(b, now_ms);
	}
	/* Otherwise a straggler sent before the breaker opened: it changes nothing. */
	pthread_mutex_unlock(&b->lock);
}

enum ar_breaker_state ar_breaker_state(struct ar_breaker *b, unsigned long *n_trips)
{
	pthread_mutex_lock(&b->lock);
	enum ar_breaker_state s = b->state;
	if (n_trips)
		*n_trips = b->n_trips;
	pthread_mutex_unlock(&b->lock);
	return s;
}

const char *ar_breaker_state_name(enum ar_breaker_state s)
{
	switch (s) {
	case AR_BREAKER_CLOSED: return "closed";
	case AR_BREAKER_OPEN: return "open";
	case AR_BREAKER_HALF_OPEN: return "half-open";
	}
	return "?";
}
