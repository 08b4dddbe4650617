/* tests/unit/upstream/test_upstream.c - the pull-through cache engine against an in-test upstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "store/blob.h"
#include "store/db.h"
#include "upstream/upstream.h"

#include "fake_upstream.h"

#define NPM	  "public:npmjs"
#define N_CALLERS 50

struct fixture {
	struct fake fake;
	char dir[64], tmp[128];
	struct ar_config cfg;
	struct ar_db *db;
	struct ar_blobs *blobs;
	struct ar_upstream *u; /* with test_opts() */
};

/* Long TTLs and a breaker that never opens: each test shortens what it exercises. */
static struct ar_upstream_opts test_opts(void)
{
	return (struct ar_upstream_opts){
		.metadata_ttl_ms = 3600 * 1000,
		.negative_ttl_ms = 3600 * 1000,
		.connect_timeout_ms = 2000,
		.metadata_timeout_ms = FAKE_WAIT_MS,
		.file_stall_ms = FAKE_WAIT_MS,
		.file_min_speed = 1,
		.max_metadata = 1 << 20,
		.max_file = 1 << 20,
		.breaker_failures = 1000,
		.breaker_cooldown_ms = 60 * 1000,
		.breaker_max_cooldown_ms = 60 * 1000,
	};
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct ar_err err = {0};
	char path[256], url[128];
	snprintf(fx->dir, sizeof fx->dir, "/tmp/arca-upstream-XXXXXX");
	if (!mkdtemp(fx->dir) || !fake_start(&fx->fake))
		return -1;
	snprintf(path, sizeof path, "%s/arca.db", fx->dir);
	snprintf(fx->tmp, sizeof fx->tmp, "%s/tmp", fx->dir);
	char blobs[128];
	snprintf(blobs, sizeof blobs, "%s/blobs", fx->dir);
	ar_config_init(&fx->cfg);
	fake_url(&fx->fake, url, sizeof url, NULL, "/registry/");
	struct ar_upstream_opts o = test_opts();
	if (ar_db_open(&fx->db, path, N_CALLERS + 4, &err) || ar_blobs_open_fs(&fx->blobs, blobs, fx->tmp, &err) ||
	    ar_config_set(&fx->cfg, "external." NPM, url, &err) ||
	    ar_upstream_new(&fx->u, &fx->cfg, fx->db, fx->blobs, &o, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	*state = fx;
	return 0;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	fake_free(&fx->fake);
	ar_upstream_free(fx->u);
	ar_blobs_close(fx->blobs);
	ar_db_close(fx->db);
	ar_config_release(&fx->cfg);
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static struct ar_upstream *engine(struct fixture *fx, const struct ar_upstream_opts *o)
{
	struct ar_upstream *u;
	struct ar_err err = {0};
	assert_int_equal(ar_upstream_new(&u, &fx->cfg, fx->db, fx->blobs, o, &err), 0);
	return u;
}

static int get_meta(struct fixture *fx, struct ar_upstream *u, const char *path, struct ar_upstream_meta *m,
		    struct ar_err *err)
{
	struct ar_dbc *c = ar_db_get(fx->db);
	struct ar_upstream_req r = {.connection = NPM, .path = path};
	int rc = ar_upstream_get_meta(u, &c, m, &r, err);
	ar_db_put(fx->db, c);
	return rc;
}

/* The body of a 200 answer, as a string in arena a. */
static const char *body_of(struct fixture *fx, struct ar_upstream *u, const struct ar_upstream_meta *m,
			   struct ar_arena *a)
{
	char *data;
	size_t len;
	struct ar_err err = {0};
	assert_int_equal(ar_upstream_read_body(u, m, a, &data, &len, &err), 0);
	assert_int_equal(len, strlen(data));
	return data;
}

static struct ar_upstream_stats stats(struct ar_upstream *u)
{
	struct ar_upstream_stats s;
	assert_int_equal(ar_upstream_stats_of(u, NPM, &s), 0);
	return s;
}

static size_t n_files(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* --- metadata: TTL, revalidation, new versions --- */

static void test_hit_within_ttl_makes_no_request(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	fake_put(&fx->fake, "/registry/lodash", 200, "{\"v\":[\"1.0.0\"]}", "\"e1\"");
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	assert_int_equal(get_meta(fx, fx->u, "lodash", &m, &err), 0);
	assert_int_equal(m.status, 200);
	assert_int_equal(m.source, AR_UPSTREAM_FETCHED);
	assert_false(m.is_stale);
	assert_string_equal(m.etag, "\"e1\"");
	assert_string_equal(m.content_type, "application/json");
	assert_string_equal(body_of(fx, fx->u, &m, a), "{\"v\":[\"1.0.0\"]}");
	for (int i = 0; i < 5; i++) {
		assert_int_equal(get_meta(fx, fx->u, "/lodash", &m, &err), 0); /* a leading '/' is the same path */
		assert_int_equal(m.source, AR_UPSTREAM_CACHE);
		assert_string_equal(body_of(fx, fx->u, &m, a), "{\"v\":[\"1.0.0\"]}");
	}
	assert_int_equal(fake_hits(&fx->fake, "/registry/lodash"), 1);
	struct ar_upstream_stats s = stats(fx->u);
	assert_int_equal(s.requests, 6);
	assert_int_equal(s.hits, 5);
	assert_int_equal(s.upstream_requests, 1);
	assert_int_equal(s.bytes_fetched, 15);
	assert_int_equal(s.breaker, AR_BREAKER_CLOSED);
	ar_arena_free(a);
}

static void test_revalidation_304_makes_one_request(void **state)
{
	struct fixture *fx = *state;
	struct ar_upstream_opts o = test_opts();
	o.metadata_ttl_ms = 0; /* always revalidate */
	struct ar_upstream *u = engine(fx, &o);
	struct fake_doc *d = fake_put(&fx->fake, "/registry/pkg", 200, "{\"a\":1}", "\"v1\"");
	fake_copy(d->last_modified, sizeof d->last_modified, "Tue, 02 Jan 2024 03:04:05 GMT");
	struct ar_upstream_meta first, m;
	struct ar_err err = {0};
	assert_int_equal(get_meta(fx, u, "pkg", &first, &err), 0);
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg"), 1);
	assert_string_equal(fx->fake.last_inm, ""); /* nothing to revalidate yet */

	assert_int_equal(get_meta(fx, u, "pkg", &m, &err), 0);
	assert_int_equal(m.source, AR_UPSTREAM_REVALIDATED);
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg"), 2); /* exactly one more request */
	assert_int_equal(fx->fake.not_modified, 1);
	assert_string_equal(fx->fake.last_inm, "\"v1\"");
	assert_string_equal(fx->fake.last_ims, "Tue, 02 Jan 2024 03:04:05 GMT");
	assert_string_equal(m.sha256, first.sha256);
	assert_true(m.fetched_ms >= first.fetched_ms);
	struct ar_upstream_stats s = stats(u);
	assert_int_equal(s.revalidations, 1);
	assert_int_equal(s.upstream_requests, 2);
	ar_upstream_free(u);
}

static void test_version_added_upstream_is_seen_after_ttl(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	fake_put(&fx->fake, "/registry/pkg", 200, "{\"versions\":[\"1.0.0\"]}", "\"v1\"");
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	assert_int_equal(get_meta(fx, fx->u, "pkg", &m, &err), 0);
	fake_put(&fx->fake, "/registry/pkg", 200, "{\"versions\":[\"1.0.0\",\"1.1.0\"]}", "\"v2\"");
	/* Within the (one hour) TTL the cached document answers. */
	assert_int_equal(get_meta(fx, fx->u, "pkg", &m, &err), 0);
	assert_string_equal(body_of(fx, fx->u, &m, a), "{\"versions\":[\"1.0.0\"]}");
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg"), 1);

	/* An engine with a 20 ms TTL over the same cache sees the new version once that has passed. */
	struct ar_upstream_opts o = test_opts();
	o.metadata_ttl_ms = 20;
	struct ar_upstream *u = engine(fx, &o);
	int64_t end = ar_mono_ms() + FAKE_WAIT_MS;
	const char *body = "";
	while (ar_mono_ms() < end) {
		assert_int_equal(get_meta(fx, u, "pkg", &m, &err), 0);
		body = body_of(fx, u, &m, a);
		if (strstr(body, "1.1.0"))
			break;
		struct timespec ms = {0, 2 * 1000 * 1000};
		nanosleep(&ms, NULL);
	}
	assert_string_equal(body, "{\"versions\":[\"1.0.0\",\"1.1.0\"]}");
	assert_int_equal(m.source, AR_UPSTREAM_FETCHED);
	assert_string_equal(m.etag, "\"v2\"");
	assert_string_equal(fx->fake.last_inm, "\"v1\""); /* it revalidated, and got a new body */
	ar_upstream_free(u);
	ar_arena_free(a);
}

static void test_accept_is_part_of_the_key(void **state)
{
	struct fixture *fx = *state;
	fake_put(&fx->fake, "/registry/pkg", 200, "{}", NULL);
	struct ar_dbc *c = ar_db_get(fx->db);
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	struct ar_upstream_req full = {.connection = NPM, .path = "pkg", .accept = "application/json"};
	struct ar_upstream_req abbrev = {
		.connection = NPM, .path = "pkg", .accept = "application/vnd.npm.install-v1+json"};
	assert_int_equal(ar_upstream_get_meta(fx->u, &c, &m, &full, &err), 0);
	assert_string_equal(fx->fake.last_accept, "application/json");
	assert_int_equal(ar_upstream_get_meta(fx->u, &c, &m, &abbrev, &err), 0);
	assert_string_equal(fx->fake.last_accept, "application/vnd.npm.install-v1+json");
	assert_int_equal(ar_upstream_get_meta(fx->u, &c, &m, &full, &err), 0);
	assert_int_equal(ar_upstream_get_meta(fx->u, &c, &m, &abbrev, &err), 0);
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg"), 2);
	ar_db_put(fx->db, c);
}

/* --- single-flight and isolation --- */

struct caller {
	struct fixture *fx;
	struct ar_upstream *u;
	const char *path;
	int rc;
	struct ar_upstream_meta m;
	struct ar_err err;
};

static void *caller_run(void *arg)
{
	struct caller *c = arg;
	c->rc = get_meta(c->fx, c->u, c->path, &c->m, &c->err);
	return NULL;
}

static bool all_but_one_waiting(void *cls)
{
	return ar_upstream_waiting(cls) == N_CALLERS - 1;
}

static void test_50_concurrent_misses_make_one_request(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	struct fake_doc *d = fake_put(&fx->fake, "/registry/hot", 200, "{\"hot\":true}", "\"h\"");
	d->is_hanging = true; /* held until every caller is queued behind the first */
	pthread_t t[N_CALLERS];
	struct caller c[N_CALLERS];
	for (int i = 0; i < N_CALLERS; i++) {
		c[i] = (struct caller){.fx = fx, .u = fx->u, .path = "hot"};
		assert_int_equal(pthread_create(&t[i], NULL, caller_run, &c[i]), 0);
	}
	assert_int_equal(fake_wait_hanging(&fx->fake, 1), 1);
	assert_true(poll_until(all_but_one_waiting, fx->u));
	assert_int_equal(fake_requests(&fx->fake), 1);
	fake_release(&fx->fake);
	for (int i = 0; i < N_CALLERS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(c[i].rc, 0);
		assert_string_equal(body_of(fx, fx->u, &c[i].m, a), "{\"hot\":true}");
		assert_string_equal(c[i].m.sha256, c[0].m.sha256);
	}
	assert_int_equal(fake_hits(&fx->fake, "/registry/hot"), 1);
	struct ar_upstream_stats s = stats(fx->u);
	assert_int_equal(s.upstream_requests, 1);
	assert_int_equal(s.coalesced, N_CALLERS - 1);
	ar_arena_free(a);
}

static void test_50_concurrent_callers_share_a_failure(void **state)
{
	struct fixture *fx = *state;
	struct fake_doc *d = fake_put(&fx->fake, "/registry/bad", 200, "x", NULL);
	d->is_hanging = true;
	fake_set_failing(&fx->fake, true);
	pthread_t t[N_CALLERS];
	struct caller c[N_CALLERS];
	for (int i = 0; i < N_CALLERS; i++) {
		c[i] = (struct caller){.fx = fx, .u = fx->u, .path = "bad"};
		assert_int_equal(pthread_create(&t[i], NULL, caller_run, &c[i]), 0);
	}
	assert_int_equal(fake_wait_hanging(&fx->fake, 1), 1);
	assert_true(poll_until(all_but_one_waiting, fx->u));
	fake_release(&fx->fake);
	for (int i = 0; i < N_CALLERS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(c[i].rc, AR_EUNAVAIL);
		assert_non_null(strstr(c[i].err.msg, "HTTP 500"));
	}
	assert_int_equal(fake_hits(&fx->fake, "/registry/bad"), 1);
}

static void test_hanging_key_does_not_block_others(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	struct fake_doc *d = fake_put(&fx->fake, "/registry/slow", 200, "{\"slow\":1}", NULL);
	d->is_hanging = true;
	fake_put(&fx->fake, "/registry/other", 200, "{\"other\":1}", NULL);
	pthread_t t;
	struct caller slow = {.fx = fx, .u = fx->u, .path = "slow"};
	assert_int_equal(pthread_create(&t, NULL, caller_run, &slow), 0);
	assert_int_equal(fake_wait_hanging(&fx->fake, 1), 1);

	struct ar_upstream_meta m;
	struct ar_err err = {0};
	assert_int_equal(get_meta(fx, fx->u, "other", &m, &err), 0);
	assert_string_equal(body_of(fx, fx->u, &m, a), "{\"other\":1}");
	/* ...answered while the slow one is still held upstream. */
	pthread_mutex_lock(&fx->fake.mu);
	assert_int_equal(fx->fake.hanging, 1);
	pthread_mutex_unlock(&fx->fake.mu);

	fake_release(&fx->fake);
	pthread_join(t, NULL);
	assert_int_equal(slow.rc, 0);
	assert_string_equal(body_of(fx, fx->u, &slow.m, a), "{\"slow\":1}");
	ar_arena_free(a);
}

/* A slow upstream must not pin database connections: with a pool of one, the caller waiting on
   upstream gives its connection back, so another thread gets it meanwhile. */
struct pool_user {
	struct ar_db *db;
	struct ar_upstream *u;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool is_done;
	int rc;
};

static void *hold_and_fetch(void *arg)
{
	struct pool_user *p = arg;
	struct ar_dbc *c = ar_db_get(p->db);
	struct ar_upstream_req r = {.connection = NPM, .path = "slow"};
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	p->rc = ar_upstream_get_meta(p->u, &c, &m, &r, &err);
	assert_non_null(c); /* held again on return */
	ar_db_put(p->db, c);
	return NULL;
}

static void *grab_connection(void *arg)
{
	struct pool_user *p = arg;
	ar_db_put(p->db, ar_db_get(p->db));
	pthread_mutex_lock(&p->mu);
	p->is_done = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void test_slow_upstream_does_not_pin_db_connections(void **state)
{
	struct fixture *fx = *state;
	char path[128];
	struct ar_err err = {0};
	struct pool_user p = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	snprintf(path, sizeof path, "%s/arca.db", fx->dir);
	assert_int_equal(ar_db_open(&p.db, path, 1, &err), 0);
	struct ar_upstream_opts o = test_opts();
	assert_int_equal(ar_upstream_new(&p.u, &fx->cfg, p.db, fx->blobs, &o, &err), 0);
	struct fake_doc *d = fake_put(&fx->fake, "/registry/slow", 200, "{}", NULL);
	d->is_hanging = true;
	pthread_t holder, grabber;
	assert_int_equal(pthread_create(&holder, NULL, hold_and_fetch, &p), 0);
	assert_int_equal(fake_wait_hanging(&fx->fake, 1), 1);
	assert_int_equal(pthread_create(&grabber, NULL, grab_connection, &p), 0);
	struct timespec deadline = fake_deadline();
	pthread_mutex_lock(&p.mu);
	while (!p.is_done && pthread_cond_timedwait(&p.cv, &p.mu, &deadline) == 0)
		;
	bool got_it = p.is_done;
	pthread_mutex_unlock(&p.mu);
	assert_true(got_it); /* (on failure the threads stay blocked; the process ends with the test) */
	fake_release(&fx->fake);
	pthread_join(holder, NULL);
	pthread_join(grabber, NULL);
	assert_int_equal(p.rc, 0);
	ar_upstream_free(p.u);
	ar_db_close(p.db);
}

/* --- failures: stale copies, breaker, negative answers, timeouts --- */

static void test_stale_copy_when_upstream_stopped(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	struct ar_upstream_opts o = test_opts();
	o.metadata_ttl_ms = 0;
	struct ar_upstream *u = engine(fx, &o);
	fake_put(&fx->fake, "/registry/pkg", 200, "{\"cached\":1}", "\"c\"");
	struct ar_upstream_meta m, fresh;
	struct ar_err err = {0};
	assert_int_equal(get_meta(fx, u, "pkg", &fresh, &err), 0);

	/* Upstream answering 500: the last good copy, flagged. */
	fake_set_failing(&fx->fake, true);
	assert_int_equal(get_meta(fx, u, "pkg", &m, &err), 0);
	assert_true(m.is_stale);
	assert_non_null(strstr(m.stale_reason, "HTTP 500"));
	assert_string_equal(body_of(fx, u, &m, a), "{\"cached\":1}");

	/* Upstream gone altogether. */
	fake_stop(&fx->fake);
	assert_int_equal(get_meta(fx, u, "pkg", &m, &err), 0);
	assert_true(m.is_stale);
	assert_int_equal(m.source, AR_UPSTREAM_CACHE);
	assert_int_equal(m.fetched_ms, fresh.fetched_ms);
	assert_string_equal(body_of(fx, u, &m, a), "{\"cached\":1}");
	char header[128], when[25];
	ar_upstream_stale_header(header, sizeof header, &m);
	ar_iso8601_ms(when, fresh.fetched_ms);
	assert_string_equal(header, ar_printf(a, "upstream unavailable; served from cache fetched at %s", when));

	/* Nothing cached: unavailable. */
	assert_int_equal(get_meta(fx, u, "never-seen", &m, &err), AR_EUNAVAIL);
	assert_false(m.is_stale);
	struct ar_upstream_stats s = stats(u);
	assert_int_equal(s.stale_serves, 2);
	assert_int_equal(s.failures, 3);
	ar_upstream_free(u);
	ar_arena_free(a);
}

struct probe {
	struct fixture *fx;
	struct ar_upstream *u;
	int rc;
};

static bool probe_succeeds(void *cls)
{
	struct probe *p = cls;
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	p->rc = get_meta(p->fx, p->u, "pkg", &m, &err);
	return p->rc == 0;
}

static void test_breaker_opens_and_closes(void **state)
{
	struct fixture *fx = *state;
	struct ar_upstream_opts o = test_opts();
	o.metadata_ttl_ms = 0;
	o.breaker_failures = 3;
	o.breaker_cooldown_ms = 500; /* long enough for the fast-fail checks, short enough to wait out */
	o.breaker_max_cooldown_ms = 1000;
	struct ar_upstream *u = engine(fx, &o);
	fake_put(&fx->fake, "/registry/pkg", 200, "{}", NULL);
	fake_set_failing(&fx->fake, true);
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	for (int i = 0; i < 3; i++)
		assert_int_equal(get_meta(fx, u, "pkg", &m, &err), AR_EUNAVAIL);
	assert_int_equal(fake_requests(&fx->fake), 3);
	struct ar_upstream_stats s = stats(u);
	assert_int_equal(s.breaker, AR_BREAKER_OPEN);
	assert_int_equal(s.breaker_trips, 1);

	/* Open: calls fail fast and nothing reaches upstream. */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(get_meta(fx, u, "pkg", &m, &err), AR_EUNAVAIL);
		assert_non_null(strstr(err.msg, "circuit open"));
	}
	assert_int_equal(fake_requests(&fx->fake), 3);
	assert_int_equal(stats(u).rejected, 5);

	/* Upstream recovers; after the cool-down one probe goes out, succeeds and closes it. */
	fake_set_failing(&fx->fake, false);
	struct probe p = {.fx = fx, .u = u};
	assert_true(poll_until(probe_succeeds, &p));
	assert_int_equal(fake_requests(&fx->fake), 4);
	s = stats(u);
	assert_int_equal(s.breaker, AR_BREAKER_CLOSED);
	assert_int_equal(s.breaker_trips, 1);
	assert_int_equal(get_meta(fx, u, "pkg", &m, &err), 0);
	assert_int_equal(fake_requests(&fx->fake), 5);
	ar_upstream_free(u);
}

static void test_open_breaker_serves_stale_at_once(void **state)
{
	struct fixture *fx = *state;
	struct ar_upstream_opts o = test_opts();
	o.metadata_ttl_ms = 0;
	o.breaker_failures = 1;
	o.breaker_cooldown_ms = 60 * 1000;
	struct ar_upstream *u = engine(fx, &o);
	fake_put(&fx->fake, "/registry/pkg", 200, "{}", NULL);
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	assert_int_equal(get_meta(fx, u, "pkg", &m, &err), 0);
	fake_set_failing(&fx->fake, true);
	assert_int_equal(get_meta(fx, u, "pkg", &m, &err), 0); /* the failure that opens it */
	assert_true(m.is_stale);
	assert_int_equal(fake_requests(&fx->fake), 2);
	assert_int_equal(get_meta(fx, u, "pkg", &m, &err), 0);
	assert_true(m.is_stale);
	assert_non_null(strstr(m.stale_reason, "circuit open"));
	assert_int_equal(fake_requests(&fx->fake), 2);
	ar_upstream_free(u);
}

static void test_404_is_cached_briefly(void **state)
{
	struct fixture *fx = *state;
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	assert_int_equal(get_meta(fx, fx->u, "ghost", &m, &err), AR_ENOTFOUND);
	assert_int_equal(m.status, 404);
	assert_int_equal(m.source, AR_UPSTREAM_FETCHED);
	assert_non_null(strstr(err.msg, "not found upstream"));
	assert_int_equal(fake_requests(&fx->fake), 1);
	/* Published upstream meanwhile, but the negative answer holds for its TTL (an hour here). */
	fake_put(&fx->fake, "/registry/ghost", 200, "{\"now\":1}", NULL);
	assert_int_equal(get_meta(fx, fx->u, "ghost", &m, &err), AR_ENOTFOUND);
	assert_int_equal(m.source, AR_UPSTREAM_CACHE);
	assert_int_equal(fake_requests(&fx->fake), 1);
	assert_int_equal(stats(fx->u).not_found, 1);

	/* With a negative TTL of 0 the same cache asks again and finds it. */
	struct ar_upstream_opts o = test_opts();
	o.negative_ttl_ms = 0;
	struct ar_upstream *u = engine(fx, &o);
	assert_int_equal(get_meta(fx, u, "ghost", &m, &err), 0);
	assert_int_equal(m.status, 200);
	assert_int_equal(fake_requests(&fx->fake), 2);
	/* ...and a 404 for a known document replaces it. */
	struct ar_upstream_opts o2 = test_opts();
	o2.metadata_ttl_ms = 0;
	struct ar_upstream *u2 = engine(fx, &o2);
	fake_put(&fx->fake, "/registry/ghost", 404, "", NULL);
	assert_int_equal(get_meta(fx, u2, "ghost", &m, &err), AR_ENOTFOUND);
	assert_int_equal(get_meta(fx, fx->u, "ghost", &m, &err), AR_ENOTFOUND); /* cached 404 */
	assert_int_equal(fake_requests(&fx->fake), 3);
	ar_upstream_free(u);
	ar_upstream_free(u2);
}

static void test_timeouts_and_stalls_are_timeouts(void **state)
{
	struct fixture *fx = *state;
	struct ar_upstream_opts o = test_opts();
	o.metadata_timeout_ms = 150;
	o.file_stall_ms = 150;
	o.file_min_speed = 1000;
	struct ar_upstream *u = engine(fx, &o);
	struct fake_doc *d = fake_put(&fx->fake, "/registry/hang", 200, "{}", NULL);
	d->is_hanging = true;
	d = fake_put(&fx->fake, "/registry/big.tgz", 200, "0123456789abcdefghijklmnopqrstuvwxyz", NULL);
	d->is_trickling = true;
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	int64_t t0 = ar_mono_ms();
	assert_int_equal(get_meta(fx, u, "hang", &m, &err), AR_ETIMEOUT);
	assert_non_null(strstr(err.msg, "timed out"));

	struct ar_dbc *c = ar_db_get(fx->db);
	struct ar_upstream_file f;
	struct ar_upstream_req r = {.connection = NPM, .path = "big.tgz"};
	assert_int_equal(ar_upstream_fetch_file(u, &c, &f, &r, &err), AR_ETIMEOUT);
	assert_non_null(strstr(err.msg, "stalled"));
	ar_db_put(fx->db, c);
	assert_true(ar_mono_ms() - t0 < FAKE_WAIT_MS);
	assert_int_equal(n_files(fx->tmp), 0);
	assert_int_equal(stats(u).failures, 2);
	fake_release(&fx->fake);
	ar_upstream_free(u);
}

/* A timeout with a copy in the cache is a stale answer, not an error; without one, AR_ETIMEOUT. */
static void test_timeout_serves_stale_copy(void **state)
{
	struct fixture *fx = *state;
	struct ar_upstream_opts o = test_opts();
	o.metadata_ttl_ms = 0;
	o.metadata_timeout_ms = 150;
	struct ar_upstream *u = engine(fx, &o);
	struct fake_doc *d = fake_put(&fx->fake, "/registry/slow", 200, "{\"v\":1}", NULL);
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	assert_int_equal(get_meta(fx, u, "slow", &m, &err), 0);
	assert_false(m.is_stale);

	struct fake_doc *d2 = fake_put(&fx->fake, "/registry/slow-new", 200, "{}", NULL);
	pthread_mutex_lock(&fx->fake.mu);
	d->is_hanging = d2->is_hanging = true;
	pthread_mutex_unlock(&fx->fake.mu);
	assert_int_equal(get_meta(fx, u, "slow", &m, &err), 0);
	assert_true(m.is_stale);
	assert_non_null(strstr(m.stale_reason, "timed out"));
	assert_int_equal(get_meta(fx, u, "slow-new", &m, &err), AR_ETIMEOUT);
	assert_false(m.is_stale);
	assert_int_equal(stats(u).stale_serves, 1);
	fake_release(&fx->fake);
	ar_upstream_free(u);
}

/* --- files --- */

static int fetch_file(struct fixture *fx, const char *path, const char *digest, struct ar_upstream_file *f,
		      struct ar_err *err)
{
	struct ar_dbc *c = ar_db_get(fx->db);
	struct ar_upstream_req r = {.connection = NPM, .path = path, .digest = digest};
	int rc = ar_upstream_fetch_file(fx->u, &c, f, &r, err);
	ar_db_put(fx->db, c);
	return rc;
}

static void test_file_fetched_once_and_verified(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	const char *bytes = "pretend this is a tarball";
	fake_put(&fx->fake, "/registry/pkg/-/pkg-1.0.0.tgz", 200, bytes, NULL);
	struct ar_hasher *h = ar_hasher_new();
	ar_hasher_update(h, bytes, strlen(bytes));
	struct ar_hashes want;
	ar_hasher_final(h, &want);
	unsigned char raw[64];
	assert_true(ar_unhex(raw, want.sha512, 64));
	const char *sri = ar_printf(a, "sha512-%s", ar_b64_encode(a, raw, 64));
	struct ar_upstream_file f;
	struct ar_err err = {0};
	int fd;
	uint64_t size;

	/* Wrong digest: refused, nothing stored, no temp file left. */
	const char *wrong = "sha256=0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(fetch_file(fx, "pkg/-/pkg-1.0.0.tgz", wrong, &f, &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, "digest mismatch"));
	assert_int_equal(ar_blob_open(fx->blobs, want.sha256, &fd, &size, &err), AR_ENOTFOUND);
	assert_int_equal(n_files(fx->tmp), 0);
	assert_int_equal(stats(fx->u).digest_mismatches, 1);

	/* Right digest: stored, with every hash. */
	assert_int_equal(fetch_file(fx, "pkg/-/pkg-1.0.0.tgz", sri, &f, &err), 0);
	assert_int_equal(f.source, AR_UPSTREAM_FETCHED);
	assert_string_equal(f.hashes.sha256, want.sha256);
	assert_string_equal(f.hashes.sha512, want.sha512);
	assert_string_equal(f.hashes.md5, want.md5);
	assert_int_equal(f.hashes.size, strlen(bytes));
	assert_int_equal(ar_blob_open(fx->blobs, want.sha256, &fd, &size, &err), 0);
	close(fd);
	assert_int_equal(size, strlen(bytes));
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg/-/pkg-1.0.0.tgz"), 2);

	/* Kept: later calls (with the PyPI-style digest, or none) do not ask upstream again. */
	char pypi[80];
	snprintf(pypi, sizeof pypi, "sha256=%s", want.sha256);
	assert_int_equal(fetch_file(fx, "pkg/-/pkg-1.0.0.tgz", pypi, &f, &err), 0);
	assert_int_equal(f.source, AR_UPSTREAM_CACHE);
	assert_int_equal(fetch_file(fx, "pkg/-/pkg-1.0.0.tgz", NULL, &f, &err), 0);
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg/-/pkg-1.0.0.tgz"), 2);
	fake_stop(&fx->fake);
	assert_int_equal(fetch_file(fx, "pkg/-/pkg-1.0.0.tgz", sri, &f, &err), 0);

	/* A malformed digest is refused before anything is sent. */
	assert_int_equal(fetch_file(fx, "pkg/-/pkg-2.0.0.tgz", "sha512-???", &f, &err), AR_EINVAL);
	ar_arena_free(a);
}

static int64_t count_rows(struct fixture *fx, const char *sql)
{
	struct ar_dbc *c = ar_db_get(fx->db);
	struct ar_stmt *s;
	struct ar_err err = {0};
	assert_int_equal(ar_dbc_prepare(c, &s, sql, &err), 0);
	assert_int_equal(ar_stmt_step(s, &err), 1);
	int64_t n = ar_stmt_int(s, 0);
	ar_stmt_done(s);
	ar_db_put(fx->db, c);
	return n;
}

/* The engine's rows are committed without a sync of their own (ar_dbc_begin_cache), so a power loss
   may take the last of them: that costs one request upstream, nothing else. The caller's connection
   comes back durable. */
static void test_lost_cache_rows_cost_a_refetch(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	fake_put(&fx->fake, "/registry/pkg", 200, "{\"doc\":1}", "\"d\"");
	fake_put(&fx->fake, "/registry/pkg/-/pkg-1.0.0.tgz", 200, "tarball bytes", NULL);
	struct ar_upstream_meta m;
	struct ar_upstream_file f, again;
	struct ar_err err = {0};
	struct ar_dbc *c = ar_db_get(fx->db);
	struct ar_upstream_req r = {.connection = NPM, .path = "pkg"};
	assert_int_equal(ar_upstream_get_meta(fx->u, &c, &m, &r, &err), 0);
	struct ar_stmt *s;
	assert_int_equal(ar_dbc_prepare(c, &s, "PRAGMA synchronous", &err), 0);
	assert_int_equal(ar_stmt_step(s, &err), 1);
	assert_int_equal(ar_stmt_int(s, 0), 2); /* FULL again */
	ar_stmt_done(s);
	ar_db_put(fx->db, c);
	assert_int_equal(fetch_file(fx, "pkg/-/pkg-1.0.0.tgz", NULL, &f, &err), 0);
	assert_int_equal(count_rows(fx, "SELECT COUNT(*) FROM upstream_metadata"), 1);
	assert_int_equal(count_rows(fx, "SELECT COUNT(*) FROM upstream_files"), 1);

	/* As after a power loss that took both rows (the blobs stay). */
	c = ar_db_get(fx->db);
	assert_true(ar_dbc_exec(c, &err, "DELETE FROM upstream_metadata", "") == 1);
	assert_true(ar_dbc_exec(c, &err, "DELETE FROM upstream_files", "") == 1);
	ar_db_put(fx->db, c);
	assert_int_equal(get_meta(fx, fx->u, "pkg", &m, &err), 0);
	assert_int_equal(m.source, AR_UPSTREAM_FETCHED);
	assert_string_equal(body_of(fx, fx->u, &m, a), "{\"doc\":1}");
	assert_int_equal(fetch_file(fx, "pkg/-/pkg-1.0.0.tgz", NULL, &again, &err), 0);
	assert_int_equal(again.source, AR_UPSTREAM_FETCHED);
	assert_string_equal(again.hashes.sha256, f.hashes.sha256);
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg"), 2);
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg/-/pkg-1.0.0.tgz"), 2);
	assert_int_equal(count_rows(fx, "SELECT COUNT(*) FROM upstream_files"), 1);
	ar_arena_free(a);
}

/* Metadata bodies are put without a sync (ar_blob_put_cache): after a power loss the blob may be
   missing, short or garbled. Each is a miss: fetched again in full (no validators, a 304 would keep
   the damage), never served; with upstream down there is nothing to serve. */
static void test_damaged_cached_body_is_fetched_again(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	const char *doc = "{\"versions\":[\"1.0.0\"]}";
	fake_put(&fx->fake, "/registry/pkg", 200, doc, "\"e\"");
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	char path[512];
	assert_int_equal(get_meta(fx, fx->u, "pkg", &m, &err), 0);
	snprintf(path, sizeof path, "%s/blobs/%.2s/%.2s/%s", fx->dir, m.sha256, m.sha256 + 2, m.sha256);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0400); /* a cache blob */

	/* Short: fetched again within the TTL, unconditionally, and served whole. */
	assert_int_equal(truncate(path, 5), 0);
	assert_int_equal(get_meta(fx, fx->u, "pkg", &m, &err), 0);
	assert_int_equal(m.source, AR_UPSTREAM_FETCHED);
	assert_string_equal(fx->fake.last_inm, "");
	assert_string_equal(body_of(fx, fx->u, &m, a), doc);
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg"), 2);

	/* Missing: the same. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(get_meta(fx, fx->u, "pkg", &m, &err), 0);
	assert_int_equal(m.source, AR_UPSTREAM_FETCHED);
	assert_string_equal(body_of(fx, fx->u, &m, a), doc);
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg"), 3);

	/* Garbled at full size: the size passes, reading finds it; the next call fetches again. */
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "\0\0\0\0", 4, 3), 4);
	close(fd);
	assert_int_equal(get_meta(fx, fx->u, "pkg", &m, &err), 0);
	assert_int_equal(m.source, AR_UPSTREAM_CACHE);
	char *data;
	size_t len;
	assert_int_equal(ar_upstream_read_body(fx->u, &m, a, &data, &len, &err), AR_ERROR);
	assert_non_null(strstr(err.msg, "damaged"));
	assert_int_equal(get_meta(fx, fx->u, "pkg", &m, &err), 0);
	assert_int_equal(m.source, AR_UPSTREAM_FETCHED);
	assert_string_equal(body_of(fx, fx->u, &m, a), doc);
	assert_int_equal(get_meta(fx, fx->u, "pkg", &m, &err), 0);
	assert_int_equal(m.source, AR_UPSTREAM_CACHE); /* whole again: a hit */
	assert_int_equal(fake_hits(&fx->fake, "/registry/pkg"), 4);

	/* Short while upstream is down: no stale copy to serve. */
	assert_int_equal(truncate(path, 5), 0);
	fake_stop(&fx->fake);
	assert_int_equal(get_meta(fx, fx->u, "pkg", &m, &err), AR_EUNAVAIL);
	assert_false(m.is_stale);
	ar_arena_free(a);
}

static void test_file_not_found_and_breaker_fast_fail(void **state)
{
	struct fixture *fx = *state;
	struct ar_upstream_file f;
	struct ar_err err = {0};
	assert_int_equal(fetch_file(fx, "nope.tgz", NULL, &f, &err), AR_ENOTFOUND);
	assert_int_equal(fetch_file(fx, "nope.tgz", NULL, &f, &err), AR_ENOTFOUND); /* files' 404s are not kept */
	assert_int_equal(fake_requests(&fx->fake), 2);
	fake_set_failing(&fx->fake, true);
	assert_int_equal(fetch_file(fx, "x.tgz", NULL, &f, &err), AR_EUNAVAIL);
	assert_non_null(strstr(err.msg, "HTTP 500"));
}

/* --- pass-through POSTs (npm audit) --- */

#define BULK "-/npm/v1/security/advisories/bulk"

static int post(struct ar_upstream *u, const char *connection, const char *body, struct ar_upstream_answer *out,
		struct ar_arena *a, struct ar_err *err)
{
	struct ar_upstream_post r = {.connection = connection,
				     .path = BULK,
				     .content_type = "application/json",
				     .accept = "application/json",
				     .body = body,
				     .len = strlen(body)};
	return ar_upstream_post(u, out, &r, a, err);
}

static void test_post_relays_every_answer(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	struct ar_upstream_answer ans;
	struct ar_err err = {0};
	const char *advice = "{\"lodash\":[{\"id\":1,\"severity\":\"high\"}]}";
	fake_put(&fx->fake, "/registry/" BULK, 200, advice, NULL);
	assert_int_equal(post(fx->u, NPM, "{\"lodash\":[\"4.17.20\"]}", &ans, a, &err), 0);
	assert_int_equal(ans.status, 200);
	assert_string_equal(ans.body, advice);
	assert_int_equal(ans.len, strlen(advice));
	assert_string_equal(ans.content_type, "application/json");
	assert_string_equal(fx->fake.last_method, "POST");
	assert_string_equal(fx->fake.last_ctype, "application/json");
	assert_string_equal(fx->fake.last_body, "{\"lodash\":[\"4.17.20\"]}");
	/* Never cached: the same request again is asked again. */
	assert_int_equal(post(fx->u, NPM, "{\"lodash\":[\"4.17.20\"]}", &ans, a, &err), 0);
	assert_int_equal(fake_hits(&fx->fake, "/registry/" BULK), 2);
	/* A 4xx is upstream's answer to relay, with its body; upstream is alive. */
	fake_put(&fx->fake, "/registry/" BULK, 400, "{\"error\":\"bad body\"}", NULL);
	assert_int_equal(post(fx->u, NPM, "[]", &ans, a, &err), 0);
	assert_int_equal(ans.status, 400);
	assert_string_equal(ans.body, "{\"error\":\"bad body\"}");
	/* An empty body is still a POST. */
	assert_int_equal(post(fx->u, NPM, "", &ans, a, &err), 0);
	assert_string_equal(fx->fake.last_method, "POST");
	struct ar_upstream_stats st = stats(fx->u);
	assert_int_equal(st.upstream_requests, 4);
	assert_int_equal(st.failures, 0);
	assert_int_equal(st.hits, 0);
	ar_arena_free(a);
}

static void test_post_failures_say_which_gateway_status(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	struct ar_upstream_opts o = test_opts();
	o.metadata_timeout_ms = 150;
	o.breaker_failures = 3;
	struct ar_upstream *u = engine(fx, &o);
	struct ar_upstream_answer ans;
	struct ar_err err = {0};

	fake_set_failing(&fx->fake, true); /* 500 */
	assert_int_equal(post(u, NPM, "{}", &ans, a, &err), AR_EUNAVAIL);
	assert_int_equal(ans.gateway_status, 502);
	assert_int_equal(ans.status, 500);
	assert_non_null(strstr(err.msg, "answered HTTP 500"));
	fake_set_failing(&fx->fake, false);

	struct fake_doc *d = fake_put(&fx->fake, "/registry/" BULK, 200, "{}", NULL);
	d->is_hanging = true;
	int64_t t0 = ar_mono_ms();
	assert_int_equal(post(u, NPM, "{}", &ans, a, &err), AR_ETIMEOUT);
	assert_int_equal(ans.gateway_status, 504);
	assert_non_null(strstr(err.msg, "timed out"));
	assert_true(ar_mono_ms() - t0 < FAKE_WAIT_MS);
	fake_release(&fx->fake);

	fake_stop(&fx->fake); /* refused: the third failure in a row opens the breaker */
	assert_int_equal(post(u, NPM, "{}", &ans, a, &err), AR_EUNAVAIL);
	assert_int_equal(ans.gateway_status, 502);
	assert_int_equal(ans.status, 0);
	assert_int_equal(post(u, NPM, "{}", &ans, a, &err), AR_EUNAVAIL);
	assert_int_equal(ans.gateway_status, 503);
	assert_non_null(strstr(err.msg, "circuit open"));
	struct ar_upstream_stats st;
	assert_int_equal(ar_upstream_stats_of(u, NPM, &st), 0);
	assert_int_equal(st.upstream_requests, 3);
	assert_int_equal(st.failures, 3);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.breaker, AR_BREAKER_OPEN);

	assert_int_equal(post(u, "public:maven-central", "{}", &ans, a, &err), AR_EUNAVAIL);
	assert_int_equal(ans.gateway_status, 503);
	assert_non_null(strstr(err.msg, "has no URL"));
	assert_int_equal(post(u, NPM "\n", "{}", &ans, a, &err), AR_EINVAL);
	ar_upstream_free(u);
	ar_arena_free(a);
}

/* --- configuration and credentials --- */

static void test_missing_url_names_the_setting(void **state)
{
	struct fixture *fx = *state;
	struct ar_dbc *c = ar_db_get(fx->db);
	struct ar_upstream_meta m;
	struct ar_err err = {0};
	struct ar_upstream_req r = {.connection = "public:maven-central", .path = "org/x/maven-metadata.xml"};
	assert_int_equal(ar_upstream_get_meta(fx->u, &c, &m, &r, &err), AR_EUNAVAIL);
	assert_string_equal(err.msg, "external connection public:maven-central has no URL: set "
				     "external.public:maven-central in the config file, --external "
				     "public:maven-central=URL, or ARCA_EXTERNAL_PUBLIC_MAVEN_CENTRAL");
	const char *url;
	assert_int_equal(ar_upstream_base_url(&url, &fx->cfg, NPM, &err), 0);
	assert_non_null(strstr(url, "/registry/"));
	/* Bad requests are refused before anything else. */
	struct ar_upstream_req bad[] = {
		{.connection = "Public:NPM", .path = "x"},
		{.connection = NPM, .path = "a b"},
		{.connection = NPM, .path = "a\r\nHost: evil"},
		{.connection = NPM, .path = "../admin"},
		{.connection = NPM, .path = "a/%2E%2e/b"},
		{.connection = NPM, .path = "a/./b"},
		{.connection = NPM, .path = "a/.%2e"},
		{.connection = NPM, .path = "a\\b"},
		{.connection = NPM, .path = "x", .accept = "a\nb"},
		{.connection = NULL, .path = "x"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ar_upstream_get_meta(fx->u, &c, &m, &bad[i], &err) != AR_EINVAL)
			fail_msg("bad request %zu was accepted", i);
	/* Dots inside names are fine, and so is a query. */
	fake_put(&fx->fake, "/registry/a/..b/.c.d/x", 200, "{}", NULL);
	struct ar_upstream_req dots = {.connection = NPM, .path = "a/..b/.c.d/x?q=1"};
	assert_int_equal(ar_upstream_get_meta(fx->u, &c, &m, &dots, &err), 0);
	ar_db_put(fx->db, c);
	assert_int_equal(fake_requests(&fx->fake), 1);
}

static void test_credentials_reach_upstream_and_no_log(void **state)
{
	struct fixture *fx = *state;
	struct ar_arena *a = ar_arena_new();
	char url[160], log_path[128];
	fake_url(&fx->fake, url, sizeof url, "ci-bot:Sup3r%2FSecret", "/registry");
	struct ar_err err = {0};
	assert_int_equal(ar_config_set(&fx->cfg, "external." NPM, url, &err), 0);
	fake_put(&fx->fake, "/registry/pkg", 200, "{}", NULL);

	/* Everything the engine logs, at every level, goes to a file for the duration. */
	snprintf(log_path, sizeof log_path, "%s/log", fx->dir);
	int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600), saved = dup(STDERR_FILENO);
	assert_true(log_fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(log_fd, STDERR_FILENO);
	ar_log_set_level(AR_LOG_DEBUG);

	struct ar_upstream_opts o = test_opts();
	o.metadata_ttl_ms = 0;
	o.breaker_failures = 2;
	struct ar_upstream *u = engine(fx, &o);
	struct ar_upstream_meta m;
	char msgs[5][512];
	assert_int_equal(get_meta(fx, u, "pkg", &m, &err), 0);
	const char *want = ar_printf(a, "Basic %s", ar_b64_encode(a, "ci-bot:Sup3r/Secret", 19));
	assert_string_equal(fx->fake.last_auth, want);
	fake_set_failing(&fx->fake, true);
	assert_int_equal(get_meta(fx, u, "pkg", &m, &err), 0); /* stale, reason logged */
	snprintf(msgs[0], sizeof msgs[0], "%s", m.stale_reason);
	assert_int_equal(get_meta(fx, u, "other", &m, &err), AR_EUNAVAIL); /* opens the breaker */
	snprintf(msgs[1], sizeof msgs[1], "%s", err.msg);
	fake_stop(&fx->fake);
	struct ar_dbc *c = ar_db_get(fx->db);
	struct ar_upstream_file f;
	struct ar_upstream_req r = {.connection = NPM, .path = "f.tgz"};
	ar_upstream_fetch_file(u, &c, &f, &r, &err);
	snprintf(msgs[2], sizeof msgs[2], "%s", err.msg);
	ar_db_put(fx->db, c);
	struct ar_upstream_opts o2 = test_opts();
	struct ar_upstream *u2 = engine(fx, &o2);
	assert_int_equal(get_meta(fx, u2, "refused", &m, &err), AR_EUNAVAIL); /* connection refused */
	snprintf(msgs[3], sizeof msgs[3], "%s", err.msg);
	struct ar_upstream_answer ans;
	assert_int_equal(post(u2, NPM, "{}", &ans, a, &err), AR_EUNAVAIL);
	snprintf(msgs[4], sizeof msgs[4], "%s", err.msg);
	ar_upstream_free(u2);
	ar_upstream_free(u);

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(log_fd);
	ar_log_set_level(AR_LOG_INFO);

	assert_non_null(strstr(msgs[0], "http://***@127.0.0.1:"));
	assert_non_null(strstr(msgs[3], "http://***@127.0.0.1:"));
	assert_non_null(strstr(msgs[4], "POST http://***@127.0.0.1:"));
	char log[16384] = "";
	FILE *lf = fopen(log_path, "r");
	assert_non_null(lf);
	size_t n = fread(log, 1, sizeof log - 1, lf);
	log[n] = '\0';
	fclose(lf);
	assert_non_null(strstr(log, "***@127.0.0.1")); /* the failures were logged, redacted */
	const char *secrets[] = {"Sup3r", "Secret", "ci-bot", "%2F"};
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		assert_null(strstr(log, secrets[i]));
		for (int j = 0; j < 5; j++)
			assert_null(strstr(msgs[j], secrets[i]));
	}
	ar_arena_free(a);
}

static void test_config_keys(void **state)
{
	struct ar_config cfg;
	struct ar_err err = {0};
	ar_config_init(&cfg);
	struct ar_upstream_opts o;
	ar_upstream_opts_from_config(&o, &cfg);
	assert_int_equal(o.metadata_ttl_ms, 300000);
	assert_int_equal(o.negative_ttl_ms, 60000);
	assert_int_equal(o.connect_timeout_ms, 5000);
	assert_int_equal(o.metadata_timeout_ms, 60000);
	assert_int_equal(o.breaker_failures, 5);
	assert_int_equal(o.breaker_cooldown_ms, 30000);
	static const struct {
		const char *key, *value;
		int rc;
	} cases[] = {
		{"upstream_metadata_ttl", "120", 0},
		{"upstream_negative_ttl", "250ms", 0},
		{"upstream_connect_timeout", "2s", 0},
		{"upstream_metadata_timeout", "0", 0},
		{"upstream_file_stall_timeout", "45", 0},
		{"upstream_max_metadata", "1048576", 0},
		{"upstream_max_file", "1073741824", 0},
		{"upstream_breaker_failures", "7", 0},
		{"upstream_breaker_cooldown", "100ms", 0},
		{"upstream_breaker_max_cooldown", "60", 0},
		{"upstream_metadata_ttl", "-1", AR_EINVAL},
		{"upstream_metadata_ttl", "5m", AR_EINVAL},
		{"upstream_metadata_ttl", "ms", AR_EINVAL},
		{"upstream_metadata_ttl", "2592001", AR_EINVAL}, /* over 30 days */
		{"upstream_breaker_failures", "0", AR_EINVAL},
		{"upstream_max_file", "0", AR_EINVAL},
		{"upstream_nonsense", "1", AR_EINVAL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (ar_config_set(&cfg, cases[i].key, cases[i].value, &err) != cases[i].rc)
			fail_msg("%s = %s: want %d (%s)", cases[i].key, cases[i].value, cases[i].rc, err.msg);
	assert_int_equal(ar_config_set(&cfg, "upstream_metadata_ttl", "1s", &err), 0);
	ar_upstream_opts_from_config(&o, &cfg);
	assert_int_equal(o.metadata_ttl_ms, 1000);
	assert_int_equal(o.negative_ttl_ms, 250);
	assert_int_equal(o.connect_timeout_ms, 2000);
	assert_int_equal(o.metadata_timeout_ms, 0);
	assert_int_equal(o.file_stall_ms, 45000);
	assert_int_equal(o.max_metadata, 1048576);
	assert_int_equal(o.max_file, 1073741824);
	assert_int_equal(o.breaker_failures, 7);
	assert_int_equal(o.breaker_cooldown_ms, 100);
	assert_int_equal(o.breaker_max_cooldown_ms, 60000);
	assert_int_equal(ar_config_set(&cfg, "upstream_breaker_failures", "x", &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, "upstream_breaker_failures must be 1..1000"));
	ar_config_release(&cfg);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_hit_within_ttl_makes_no_request),
		T(test_revalidation_304_makes_one_request),
		T(test_version_added_upstream_is_seen_after_ttl),
		T(test_accept_is_part_of_the_key),
		T(test_50_concurrent_misses_make_one_request),
		T(test_50_concurrent_callers_share_a_failure),
		T(test_hanging_key_does_not_block_others),
		T(test_slow_upstream_does_not_pin_db_connections),
		T(test_stale_copy_when_upstream_stopped),
		T(test_breaker_opens_and_closes),
		T(test_open_breaker_serves_stale_at_once),
		T(test_404_is_cached_briefly),
		T(test_timeouts_and_stalls_are_timeouts),
		T(test_timeout_serves_stale_copy),
		T(test_file_fetched_once_and_verified),
		/* what a power loss may undo */
		T(test_lost_cache_rows_cost_a_refetch),
		T(test_damaged_cached_body_is_fetched_again),
		T(test_file_not_found_and_breaker_fast_fail),
		T(test_post_relays_every_answer),
		T(test_post_failures_say_which_gateway_status),
		T(test_missing_url_names_the_setting),
		T(test_credentials_reach_upstream_and_no_log),
		cmocka_unit_test(test_config_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
