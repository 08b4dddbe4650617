/* upstream/flight.c - single-flight calls keyed by string, one condition variable per call */
#include "upstream/flight.h"

#include "core/mem.h"

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_BUCKETS 256

/* One running call. It leaves the table when it ends, so a later caller starts afresh; it is freed
   when its last participant has copied the outcome. */
struct call {
	struct call *next;
	char *key;
	pthread_cond_t done_cv; /* per call: waiters of other keys are never woken */
	bool is_done;
	unsigned refs; /* the runner and its waiters */
	int rc;
	struct ar_err err;
	void *result;
	size_t result_len;
};

struct ar_flight {
	pthread_mutex_t lock;
	struct call *buckets[N_BUCKETS];
	size_t n_waiting;
};

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h % N_BUCKETS);
}

struct ar_flight *ar_flight_new(void)
{
	struct ar_flight *g = ar_xcalloc(1, sizeof *g);
	pthread_mutex_init(&g->lock, NULL);
	return g;
}

void ar_flight_free(struct ar_flight *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < N_BUCKETS; i++)
		assert(!g->buckets[i]);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static struct call **find(struct ar_flight *g, const char *key)
{
	struct call **p = &g->buckets[hash(key)];
	while (*p && strcmp((*p)->key, key) != 0)
		p = &(*p)->next;
	return p;
}

/* Copies the outcome to one participant and drops its reference; called with the lock held. */
static int take(struct call *c, void *result, struct ar_err *err)
{
	int rc = c->rc;
	memcpy(result, c->result, c->result_len);
	if (err)
		*err = c->err;
	if (--c->refs == 0) {
		pthread_cond_destroy(&c->done_cv);
		free(c->result);
		free(c->key);
		free(c);
	}
	return rc;
}

int ar_flight_do(struct ar_flight *g, const char *key, ar_flight_fn *fn, void *cls, void *result, size_t result_len,
		 bool *is_shared, struct ar_err *err)
{
	pthread_mutex_lock(&g->lock);
	struct call **slot = find(g, key), *c = *slot;
	if (c) {
		assert(c->result_len == result_len);
		c->refs++;
		g->n_waiting++;
		while (!c->is_done)
			pthread_cond_wait(&c->done_cv, &g->lock);
		g->n_waiting--;
		if (is_shared)
			*is_shared = true;
		int rc = take(c, result, err);
		pthread_mutex_unlock(&g->lock);
		return rc;
	}
	c = ar_xcalloc(1, sizeof *c);
	c->key = ar_xstrdup(key);
	pthread_cond_init(&c->done_cv, NULL);
	c->refs = 1;
	c->result = ar_xcalloc(1, result_len ? result_len : 1);
	c->result_len = result_len;
	*slot = c;
	pthread_mutex_unlock(&g->lock);

	int rc = fn(cls, c->result, &c->err);

	pthread_mutex_lock(&g->lock);
	c->rc = rc;
	c->is_done = true;
	*find(g, key) = c->next; /* the slot may have moved while other keys came and went */
	pthread_cond_broadcast(&c->done_cv);
	if (is_shared)
		*is_shared = false;
	rc = take(c, result, err);
	pthread_mutex_unlock(&g->lock);
	return rc;
}

size_t ar_flight_waiting(struct ar_flight *g)
{
	pthread_mutex_lock(&g->lock);
	size_t n = g->n_waiting;
	pthread_mutex_unlock(&g->lock);
	return n;
}
