/* core/cache.c - byte-bounded LRU cache with single-flight builds */
#include "core/cache.h"

#include "core/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct ar_cache_val {
	atomic_int refs;
	char *data;
	size_t len;
	char *etag;
};

struct entry {
	char *key;
	struct ar_cache_val *val;  /* NULL while its build is in flight */
	struct entry *prev, *next; /* LRU list, most recent first; only entries with a value */
	struct entry *hnext;	   /* hash chain */
	bool is_building;
};

struct ar_cache {
	pthread_mutex_t lock;
	pthread_cond_t built;
	size_t max_bytes, bytes, n_entries;
	struct entry **buckets;
	size_t n_buckets;
	struct entry *head, *tail;
	unsigned long hits, misses, builds, evictions;
};

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct ar_cache *ar_cache_new(size_t max_bytes)
{
	struct ar_cache *c = ar_xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->built, NULL);
	c->max_bytes = max_bytes;
	c->n_buckets = 4096;
	c->buckets = ar_xcalloc(c->n_buckets, sizeof *c->buckets);
	return c;
}

static void val_free(struct ar_cache_val *v)
{
	free(v->data);
	free(v->etag);
	free(v);
}

void ar_cache_unref(struct ar_cache_val *v)
{
	if (v && atomic_fetch_sub(&v->refs, 1) == 1)
		val_free(v);
}

static void unref_cb(void *v)
{
	ar_cache_unref(v);
}

void ar_cache_hold(struct ar_arena *a, struct ar_cache_val *v)
{
	ar_arena_defer(a, unref_cb, v);
}

const char *ar_cache_val_data(const struct ar_cache_val *v, size_t *len)
{
	*len = v->len;
	return v->data;
}

const char *ar_cache_val_etag(const struct ar_cache_val *v)
{
	return v->etag;
}

static struct entry **slot(struct ar_cache *c, const char *key)
{
	struct entry **p = &c->buckets[hash(key) % c->n_buckets];
	while (*p && strcmp((*p)->key, key) != 0)
		p = &(*p)->hnext;
	return p;
}

static void lru_unlink(struct ar_cache *c, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else if (c->head == e)
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else if (c->tail == e)
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push_front(struct ar_cache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

/* Removes e from the table and list; the value lives on while references remain. */
static void drop(struct ar_cache *c, struct entry *e)
{
	struct entry **p = slot(c, e->key);
	*p = e->hnext;
	if (e->val) {
		lru_unlink(c, e);
		c->bytes -= e->val->len;
		ar_cache_unref(e->val);
	}
	c->n_entries--;
	free(e->key);
	free(e);
}

static void evict(struct ar_cache *c)
{
	while (c->bytes > c->max_bytes && c->tail) {
		drop(c, c->tail);
		c->evictions++;
	}
}

int ar_cache_get(struct ar_cache_val **out, struct ar_cache *c, const char *key, ar_cache_build_fn *build, void *cls,
		 struct ar_err *err)
{
	pthread_mutex_lock(&c->lock);
	for (;;) {
		struct entry *e = *slot(c, key);
		if (e && e->val) {
			c->hits++;
			lru_unlink(c, e);
			lru_push_front(c, e);
			atomic_fetch_add(&e->val->refs, 1);
			*out = e->val;
			pthread_mutex_unlock(&c->lock);
			return 0;
		}
		if (!e)
			break;
		pthread_cond_wait(&c->built, &c->lock); /* another caller is building this key */
	}
	c->misses++;
	c->builds++;
	struct entry *e = ar_xcalloc(1, sizeof *e);
	e->key = ar_xstrdup(key);
	e->is_building = true;
	*slot(c, key) = e;
	c->n_entries++;
	pthread_mutex_unlock(&c->lock);

	char *data = NULL, *etag = NULL;
	size_t len = 0;
	int rc = build(cls, &data, &len, &etag, err);

	pthread_mutex_lock(&c->lock);
	if (rc) {
		free(data);
		free(etag);
		drop(c, e);
		pthread_cond_broadcast(&c->built);
		pthread_mutex_unlock(&c->lock);
		return rc;
	}
	struct ar_cache_val *v = ar_xcalloc(1, sizeof *v);
	v->data = data;
	v->len = len;
	v->etag = etag;
	atomic_init(&v->refs, 2); /* one for the caller, one for the cache */
	e->is_building = false;
	if (len > c->max_bytes) {
		/* Too big to keep: the caller still gets it. */
		atomic_fetch_sub(&v->refs, 1);
		drop(c, e);
	} else {
		e->val = v;
		c->bytes += len;
		lru_push_front(c, e);
		evict(c);
	}
	pthread_cond_broadcast(&c->built);
	pthread_mutex_unlock(&c->lock);
	*out = v;
	return 0;
}

void ar_cache_invalidate_prefix(struct ar_cache *c, const char *prefix)
{
	size_t n = strlen(prefix);
	pthread_mutex_lock(&c->lock);
	struct entry *e = c->head;
	while (e) {
		struct entry *next = e->next;
		if (strncmp(e->key, prefix, n) == 0)
			drop(c, e);
		e = next;
	}
	pthread_mutex_unlock(&c->lock);
}

void ar_cache_stats(struct ar_cache *c, struct ar_cache_stats *out)
{
	pthread_mutex_lock(&c->lock);
	out->entries = c->n_entries;
	out->bytes = c->bytes;
	out->hits = c->hits;
	out->misses = c->misses;
	out->builds = c->builds;
	out->evictions = c->evictions;
	pthread_mutex_unlock(&c->lock);
}

void ar_cache_free(struct ar_cache *c)
{
	if (!c)
		return;
	while (c->head)
		drop(c, c->head);
	free(c->buckets);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->built);
	free(c);
}
