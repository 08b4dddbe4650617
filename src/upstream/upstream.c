/* upstream/upstream.c - the pull-through cache engine: metadata TTL/revalidation/stale, files, breakers */
#include "upstream/upstream.h"

#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "upstream/digest.h"
#include "upstream/fetch.h"
#include "upstream/flight.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONNS	  64
#define MAX_NAME	  63
#define MAX_PATH	  4096
#define MAX_ACCEPT	  256
#define DEFAULT_MIN_SPEED 1024
#define MAX_GARBLED	  16

/* One external connection's breaker and counters; created on first use, kept until the engine goes. */
struct conn {
	char name[MAX_NAME + 1];
	struct ar_breaker breaker;
	atomic_bool has_warned_no_url;
	atomic_ulong requests, hits, coalesced, upstream_requests, revalidations, not_found, failures, stale_serves,
		rejected, digest_mismatches;
	atomic_uint_fast64_t bytes_fetched;
};

#define BUMP(c, field)	 atomic_fetch_add_explicit(&(c)->field, 1, memory_order_relaxed)
#define ADD(c, field, n) atomic_fetch_add_explicit(&(c)->field, (n), memory_order_relaxed)
#define READ(c, field)	 atomic_load_explicit(&(c)->field, memory_order_relaxed)

struct ar_upstream {
	const struct ar_config *cfg;
	struct ar_db *db;
	struct ar_blobs *blobs;
	struct ar_upstream_opts opts;
	struct ar_fetcher *fetcher;
	struct ar_flight *flights;
	pthread_mutex_t lock; /* guards conns and garbled */
	struct conn *conns[MAX_CONNS];
	size_t n_conns;
	/* Cached bodies whose bytes did not match their hash when read (ar_blob_put_cache after a power
	   loss, on some filesystems): unusable until fetched again. A ring: the oldest is forgotten. */
	char garbled[MAX_GARBLED][AR_SHA256_HEX_LEN + 1];
	size_t n_garbled;
};

/* How a request that went out bears on the connection's breaker. */
enum verdict {
	UP_OK,	 /* upstream answered sanely (even 404, 403 or too big): it is alive */
	UP_FAIL, /* no answer, timeout, 5xx, 429: counts towards opening */
	LOCAL,	 /* our own failure (disk, database): says nothing about upstream */
};

/* --- configuration and lifecycle --- */

void ar_upstream_opts_from_config(struct ar_upstream_opts *o, const struct ar_config *cfg)
{
	*o = (struct ar_upstream_opts){
		.metadata_ttl_ms = cfg->upstream_metadata_ttl_ms,
		.negative_ttl_ms = cfg->upstream_negative_ttl_ms,
		.connect_timeout_ms = cfg->upstream_connect_timeout_ms,
		.metadata_timeout_ms = cfg->upstream_metadata_timeout_ms,
		.file_stall_ms = cfg->upstream_file_stall_ms,
		.file_min_speed = DEFAULT_MIN_SPEED,
		.max_metadata = cfg->upstream_max_metadata,
		.max_file = cfg->upstream_max_file,
		.breaker_failures = cfg->upstream_breaker_failures,
		.breaker_cooldown_ms = cfg->upstream_breaker_cooldown_ms,
		.breaker_max_cooldown_ms = cfg->upstream_breaker_max_cooldown_ms,
	};
}

int ar_upstream_new(struct ar_upstream **out, const struct ar_config *cfg, struct ar_db *db, struct ar_blobs *blobs,
		    const struct ar_upstream_opts *opts, struct ar_err *err)
{
	*out = NULL;
	struct ar_upstream *u = ar_xcalloc(1, sizeof *u);
	int rc = ar_fetcher_new(&u->fetcher, err);
	if (rc) {
		free(u);
		return rc;
	}
	u->cfg = cfg;
	u->db = db;
	u->blobs = blobs;
	if (opts)
		u->opts = *opts;
	else
		ar_upstream_opts_from_config(&u->opts, cfg);
	if (!u->opts.file_min_speed)
		u->opts.file_min_speed = DEFAULT_MIN_SPEED;
	u->flights = ar_flight_new();
	pthread_mutex_init(&u->lock, NULL);
	*out = u;
	return 0;
}

void ar_upstream_free(struct ar_upstream *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n_conns; i++) {
		ar_breaker_release(&u->conns[i]->breaker);
		free(u->conns[i]);
	}
	ar_flight_free(u->flights);
	ar_fetcher_free(u->fetcher);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

/* "public:maven-central" -> "ARCA_EXTERNAL_PUBLIC_MAVEN_CENTRAL", the inverse of core/config.c. */
static void env_name(char *out, size_t cap, const char *connection)
{
	size_t n = (size_t)snprintf(out, cap, "ARCA_EXTERNAL_");
	for (const char *p = connection; *p && n + 1 < cap; p++)
		out[n++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
	out[n < cap ? n : cap - 1] = '\0';
}

int ar_upstream_base_url(const char **url, const struct ar_config *cfg, const char *connection, struct ar_err *err)
{
	*url = ar_config_external(cfg, connection);
	if (*url && **url)
		return 0;
	*url = NULL;
	char env[128];
	env_name(env, sizeof env, connection);
	return ar_fail(err, AR_EUNAVAIL,
		       "external connection %s has no URL: set external.%s in the config file, --external %s=URL, "
		       "or %s",
		       connection, connection, connection, env);
}

/* --- connections --- */

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_NAME)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || strchr(":._-", *s)))
			return false;
	return true;
}

/* Printable ASCII without spaces, '#' or backslashes, and no dot segments: what may follow a base URL on the
   request line and stay below it. */
static bool path_ok(const char *s)
{
	if (strlen(s) > MAX_PATH)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '#' || *p == '\\')
			return false;
	size_t path_len = strcspn(s, "?");
	for (size_t i = 0; i < path_len;) {
		size_t n = strcspn(s + i, "/?");
		if (n > path_len - i)
			n = path_len - i;
		if (ar_is_dot_segment(s + i, n))
			return false;
		i += n + 1;
	}
	return true;
}

static bool header_ok(const char *s)
{
	if (strlen(s) > MAX_ACCEPT)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

static int check_req(const struct ar_upstream_req *r, struct ar_err *err)
{
	if (!r->connection || !name_ok(r->connection))
		return ar_fail(err, AR_EINVAL, "invalid external connection name");
	if (!r->path || !path_ok(r->path))
		return ar_fail(err, AR_EINVAL, "invalid upstream path for %s", r->connection);
	if (r->accept && !header_ok(r->accept))
		return ar_fail(err, AR_EINVAL, "invalid Accept value for %s", r->connection);
	return 0;
}

static int conn_get(struct ar_upstream *u, const char *name, struct conn **out, struct ar_err *err)
{
	int rc = 0;
	pthread_mutex_lock(&u->lock);
	for (size_t i = 0; i < u->n_conns; i++) {
		if (strcmp(u->conns[i]->name, name) == 0) {
			*out = u->conns[i];
			goto done;
		}
	}
	if (u->n_conns == MAX_CONNS) {
		rc = ar_fail(err, AR_EINVAL, "too many external connections (max %d)", MAX_CONNS);
		goto done;
	}
	struct conn *c = ar_xcalloc(1, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	ar_breaker_init(&c->breaker, u->opts.breaker_failures, u->opts.breaker_cooldown_ms,
			u->opts.breaker_max_cooldown_ms);
	u->conns[u->n_conns++] = c;
	*out = c;
done:
	pthread_mutex_unlock(&u->lock);
	return rc;
}

/* Reports a request's outcome to the breaker and logs the transitions operators care about. */
static void breaker_report(struct conn *c, bool is_probe, enum verdict v)
{
	if (v == LOCAL && !is_probe)
		return;
	enum ar_breaker_state before = ar_breaker_state(&c->breaker, NULL);
	/* A local failure during the probe must still free the probe slot; it reopens, conservatively. */
	ar_breaker_leave(&c->breaker, ar_mono_ms(), is_probe, v == UP_OK);
	enum ar_breaker_state after = ar_breaker_state(&c->breaker, NULL);
	if (after == AR_BREAKER_OPEN && before != AR_BREAKER_OPEN)
		ar_warn("upstream %s: circuit open after repeated failures; answering from cache only", c->name);
	else if (after == AR_BREAKER_CLOSED && before != AR_BREAKER_CLOSED)
		ar_info("upstream %s: circuit closed, upstream answers again", c->name);
}

/* Asks the breaker for a request; fails fast (AR_EUNAVAIL) when it is open. */
static int breaker_enter(struct conn *c, bool *is_probe, struct ar_err *err)
{
	int64_t retry_ms = 0;
	if (ar_breaker_enter(&c->breaker, ar_mono_ms(), is_probe, &retry_ms))
		return 0;
	BUMP(c, rejected);
	return ar_fail(err, AR_EUNAVAIL, "upstream %s is failing: circuit open, next attempt in %lld ms", c->name,
		       (long long)retry_ms);
}

/* The URL or AR_EUNAVAIL naming the missing setting (logged once per connection). Heap string. */
static int make_url(struct ar_upstream *u, struct conn *c, const char *path, char **url, struct ar_err *err)
{
	const char *base;
	int rc = ar_upstream_base_url(&base, u->cfg, c->name, err);
	if (rc) {
		if (!atomic_exchange(&c->has_warned_no_url, true))
			ar_warn("upstream: %s", err->msg);
		return rc;
	}
	while (*path == '/')
		path++;
	size_t blen = strlen(base);
	bool has_slash = blen > 0 && base[blen - 1] == '/';
	size_t n = blen + strlen(path) + 2;
	*url = ar_xmalloc(n);
	snprintf(*url, n, "%s%s%s", base, has_slash ? "" : "/", path);
	return 0;
}

static enum verdict verdict_of(int fetch_rc, long status)
{
	if (fetch_rc == AR_EUNAVAIL || fetch_rc == AR_ETIMEOUT || (fetch_rc == 0 && (status >= 500 || status == 429)))
		return UP_FAIL;
	if (fetch_rc == 0 || fetch_rc == AR_ETOOBIG)
		return UP_OK;
	return LOCAL;
}

/* Copies src into dst[cap] when it fits whole; otherwise leaves "" (a cut ETag is no validator). */
static void copy_whole(char *dst, size_t cap, const char *src)
{
	dst[0] = '\0';
	if (src && strlen(src) < cap)
		memcpy(dst, src, strlen(src) + 1);
}

static const char *or_null(const char *s)
{
	return s && *s ? s : NULL;
}

/* True when the blob exists; *size gets its length. */
static bool blob_size(struct ar_upstream *u, const char *sha256, uint64_t *size)
{
	int fd;
	struct ar_err ignored;
	if (ar_blob_open(u->blobs, sha256, &fd, size, &ignored) != 0)
		return false;
	close(fd);
	return true;
}

static bool blob_present(struct ar_upstream *u, const char *sha256)
{
	uint64_t size;
	return blob_size(u, sha256, &size);
}

/* A metadata body is there whole: a cache blob (ar_blob_put_cache) may be missing or short after a
   power loss, or found garbled when read; then the row is a miss and the body is fetched again. */
static bool body_present(struct ar_upstream *u, const char *sha256, uint64_t want)
{
	uint64_t size;
	if (!blob_size(u, sha256, &size) || size != want)
		return false;
	bool is_garbled = false;
	pthread_mutex_lock(&u->lock);
	for (size_t i = 0; i < u->n_garbled && i < MAX_GARBLED && !is_garbled; i++)
		is_garbled = strcmp(u->garbled[i], sha256) == 0;
	pthread_mutex_unlock(&u->lock);
	return !is_garbled;
}

/* Marks (or, once stored again, unmarks) a body as garbled. */
static void set_garbled(struct ar_upstream *u, const char *sha256, bool is_garbled)
{
	pthread_mutex_lock(&u->lock);
	size_t n = u->n_garbled < MAX_GARBLED ? u->n_garbled : MAX_GARBLED, i = 0;
	while (i < n && strcmp(u->garbled[i], sha256) != 0)
		i++;
	if (i < n && !is_garbled)
		u->garbled[i][0] = '\0';
	else if (i == n && is_garbled)
		snprintf(u->garbled[u->n_garbled++ % MAX_GARBLED], sizeof u->garbled[0], "%s", sha256);
	pthread_mutex_unlock(&u->lock);
}

/* Joins the parts of a flight key with newlines (which none of them may contain). Heap string. */
static char *flight_key(const char *kind, const char *a, const char *b, const char *c)
{
	size_t n = strlen(kind) + strlen(a) + strlen(b) + strlen(c) + 4;
	char *key = ar_xmalloc(n);
	snprintf(key, n, "%s\n%s\n%s\n%s", kind, a, b, c);
	return key;
}

/* A connection for one short database step: the caller's when it lent one, else one from the pool,
   given back by step_end. Never held across an upstream request or a single-flight wait. */
static struct ar_dbc *step_begin(struct ar_upstream *u, struct ar_dbc *lent)
{
	return lent ? lent : ar_db_get(u->db);
}

static void step_end(struct ar_upstream *u, struct ar_dbc *lent, struct ar_dbc *c)
{
	if (c != lent)
		ar_db_put(u->db, c);
}

/* Ends the cache write begun by the caller (ar_dbc_begin_cache) after its statement returned n. The
   engine's rows cost no sync of their own: losing one to a power loss only costs a request upstream,
   and the next durable commit (a fetched file's ingest follows at once) makes them durable anyway. */
static int cache_write_end(struct ar_dbc *db, int64_t n, struct ar_err *err)
{
	if (n < 0) {
		ar_dbc_rollback(db);
		return (int)n;
	}
	return ar_dbc_commit(db, err);
}

/* Before a wait on upstream or on another caller: the caller's connection goes back to the pool, so
   slow upstreams cannot exhaust it. Returns whether one was held. */
static bool lend_back(struct ar_upstream *u, struct ar_dbc **held)
{
	if (!held || !*held)
		return false;
	ar_db_put(u->db, *held);
	*held = NULL;
	return true;
}

/* --- metadata --- */

struct meta_job {
	struct ar_upstream *u;
	struct ar_dbc *lent; /* the caller's connection for the first lookup; NULL inside the flight */
	struct conn *c;
	const char *path; /* without leading '/' */
	const char *accept;
	const char *variant; /* the cache-key part for accept: "" when none */
};

static int load_meta(struct meta_job *j, struct ar_upstream_meta *m, bool *found, struct ar_err *err)
{
	struct ar_stmt *s;
	struct ar_dbc *db = step_begin(j->u, j->lent);
	*found = false;
	int rc = ar_dbc_prepare(db, &s,
				"SELECT status, etag, last_modified, content_type, body_sha256, body_size, fetched_ms "
				"FROM upstream_metadata WHERE connection = ? AND path = ? AND variant = ?",
				err);
	if (rc) {
		step_end(j->u, j->lent, db);
		return rc;
	}
	ar_stmt_bind_text(s, 1, j->c->name);
	ar_stmt_bind_text(s, 2, j->path);
	ar_stmt_bind_text(s, 3, j->variant);
	rc = ar_stmt_step(s, err);
	if (rc == 1) {
		memset(m, 0, sizeof *m);
		m->status = (int)ar_stmt_int(s, 0);
		copy_whole(m->etag, sizeof m->etag, ar_stmt_text(s, 1));
		copy_whole(m->last_modified, sizeof m->last_modified, ar_stmt_text(s, 2));
		copy_whole(m->content_type, sizeof m->content_type, ar_stmt_text(s, 3));
		copy_whole(m->sha256, sizeof m->sha256, ar_stmt_text(s, 4));
		m->size = (uint64_t)ar_stmt_int(s, 5);
		m->fetched_ms = ar_stmt_int(s, 6);
		m->source = AR_UPSTREAM_CACHE;
		*found = true;
		rc = 0;
	}
	ar_stmt_done(s);
	step_end(j->u, j->lent, db);
	return rc < 0 ? rc : 0;
}

static int save_meta(struct meta_job *j, const struct ar_upstream_meta *m, struct ar_err *err)
{
	struct ar_dbc *db = step_begin(j->u, j->lent);
	int rc = ar_dbc_begin_cache(db, err);
	if (rc) {
		step_end(j->u, j->lent, db);
		return rc;
	}
	int64_t n = ar_dbc_exec(
		db, err,
		"INSERT INTO upstream_metadata (connection, path, variant, status, etag, last_modified, content_type, "
		"body_sha256, body_size, fetched_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT (connection, path, variant) DO UPDATE SET status = excluded.status, etag = excluded.etag, "
		"last_modified = excluded.last_modified, content_type = excluded.content_type, "
		"body_sha256 = excluded.body_sha256, body_size = excluded.body_size, fetched_ms = excluded.fetched_ms",
		"sssissssii", j->c->name, j->path, j->variant, (int64_t)m->status, or_null(m->etag),
		or_null(m->last_modified), or_null(m->content_type), or_null(m->sha256), (int64_t)m->size,
		m->fetched_ms);
	rc = cache_write_end(db, n, err);
	step_end(j->u, j->lent, db);
	return rc;
}

/* Usable: a negative answer, or a body whose blob is still there, whole. */
static bool meta_usable(struct ar_upstream *u, const struct ar_upstream_meta *m)
{
	return m->status == 404 || (m->status == 200 && body_present(u, m->sha256, m->size));
}

static bool meta_fresh(const struct ar_upstream *u, const struct ar_upstream_meta *m, int64_t now)
{
	int64_t ttl = m->status == 200 ? u->opts.metadata_ttl_ms : u->opts.negative_ttl_ms;
	/* A clock that went backwards makes nothing fresh: better one revalidation too many. */
	return now >= m->fetched_ms && now - m->fetched_ms < ttl;
}

/* The return code for an answer in m: 0 for a body, AR_ENOTFOUND (with a message) for a 404. */
static int meta_answer(const struct ar_upstream_meta *m, const struct conn *c, const char *path, struct ar_err *err)
{
	if (m->status == 200)
		return 0;
	return ar_fail(err, AR_ENOTFOUND, "%s not found upstream in %s%s", path, c->name,
		       m->is_stale ? " (remembered answer; upstream unavailable now)" : "");
}

/* Stores a 200 body (the temp file moves into the blob store) and its row; fills m. */
static int meta_store_200(struct meta_job *j, struct ar_fetch_res *res, struct ar_upstream_meta *m, struct ar_err *err)
{
	/* No sync: it can be fetched again, and body_present finds out when a power loss took it. */
	int rc = ar_blob_put_cache(j->u->blobs, res->tmp_path, res->hashes.sha256, err);
	if (rc)
		return rc;
	set_garbled(j->u, res->hashes.sha256, false); /* a garbled cache blob was just replaced */
	free(res->tmp_path);
	res->tmp_path = NULL; /* consumed by the blob store */
	memset(m, 0, sizeof *m);
	m->status = 200;
	memcpy(m->sha256, res->hashes.sha256, sizeof m->sha256);
	m->size = res->hashes.size;
	copy_whole(m->content_type, sizeof m->content_type, res->content_type);
	copy_whole(m->etag, sizeof m->etag, res->etag);
	copy_whole(m->last_modified, sizeof m->last_modified, res->last_modified);
	m->fetched_ms = ar_now_ms();
	m->source = AR_UPSTREAM_FETCHED;
	return save_meta(j, m, err);
}

/* The work of one metadata miss, run once per key however many callers want it. */
static int meta_run(void *cls, void *result, struct ar_err *err)
{
	struct meta_job *j = cls;
	struct ar_upstream *u = j->u;
	struct conn *c = j->c;
	struct ar_upstream_meta *out = result, row;
	struct ar_fetch_res res = {0};
	struct ar_err why = {0};
	char *url = NULL;
	bool has_row, is_usable = false, is_probe = false;
	int rc = load_meta(j, &row, &has_row, err);
	if (rc)
		return rc;
	is_usable = has_row && meta_usable(u, &row);
	/* Another flight for this key may have finished between the caller's look and this one. */
	if (is_usable && meta_fresh(u, &row, ar_now_ms())) {
		*out = row;
		return meta_answer(out, c, j->path, err);
	}
	if ((rc = make_url(u, c, j->path, &url, &why)) != 0 || (rc = breaker_enter(c, &is_probe, &why)) != 0)
		goto failed;

	bool is_revalidating = is_usable && row.status == 200;
	struct ar_fetch_opts fo = {
		.url = url,
		.accept = j->accept,
		.if_none_match = is_revalidating ? or_null(row.etag) : NULL,
		.if_modified_since = is_revalidating ? or_null(row.last_modified) : NULL,
		.is_decoded = true,
		.connect_timeout_ms = u->opts.connect_timeout_ms,
		.timeout_ms = u->opts.metadata_timeout_ms,
		.max_bytes = u->opts.max_metadata,
		.tmp_dir = ar_blobs_tmp_dir(u->blobs),
	};
	BUMP(c, upstream_requests);
	rc = ar_fetch(u->fetcher, &res, &fo, &why);
	ADD(c, bytes_fetched, res.len);
	enum verdict v = verdict_of(rc, res.status);
	if (rc == 0 && res.status == 200) {
		rc = meta_store_200(j, &res, out, &why);
		v = rc ? LOCAL : v;
	} else if (rc == 0 && res.status == 304 && is_revalidating) {
		BUMP(c, revalidations);
		*out = row;
		out->fetched_ms = ar_now_ms();
		out->source = AR_UPSTREAM_REVALIDATED;
		/* A 304 may carry fresher validators. */
		if (res.etag && strlen(res.etag) < sizeof out->etag)
			copy_whole(out->etag, sizeof out->etag, res.etag);
		if (res.last_modified && strlen(res.last_modified) < sizeof out->last_modified)
			copy_whole(out->last_modified, sizeof out->last_modified, res.last_modified);
		rc = save_meta(j, out, &why);
		v = rc ? LOCAL : v;
	} else if (rc == 0 && (res.status == 404 || res.status == 410)) {
		BUMP(c, not_found);
		memset(out, 0, sizeof *out);
		out->status = 404;
		out->fetched_ms = ar_now_ms();
		out->source = AR_UPSTREAM_FETCHED;
		rc = save_meta(j, out, &why);
		v = rc ? LOCAL : v;
	} else if (rc == 0) {
		char shown[300];
		ar_url_redact(shown, sizeof shown, url);
		rc = ar_fail(&why, AR_EUNAVAIL, "GET %s: upstream answered HTTP %ld", shown, res.status);
	}
	if (rc) {
		BUMP(c, failures);
		ar_warn("upstream %s: %s%s", c->name, why.msg, is_usable ? "; serving the cached copy" : "");
	}
	breaker_report(c, is_probe, v);
	if (rc == 0) {
		rc = meta_answer(out, c, j->path, err);
		goto done;
	}
failed:
	if (is_usable) {
		/* Stale beats nothing: the last answer upstream gave, flagged. */
		*out = row;
		out->is_stale = true;
		copy_whole(out->stale_reason, sizeof out->stale_reason, why.msg);
		if (!out->stale_reason[0])
			snprintf(out->stale_reason, sizeof out->stale_reason, "upstream unavailable");
		rc = meta_answer(out, c, j->path, err);
	} else {
		*err = why;
	}
done:
	ar_fetch_res_release(&res);
	free(url);
	return rc;
}

int ar_upstream_get_meta(struct ar_upstream *u, struct ar_dbc **db, struct ar_upstream_meta *out,
			 const struct ar_upstream_req *r, struct ar_err *err)
{
	memset(out, 0, sizeof *out);
	struct conn *c;
	int rc;
	if ((rc = check_req(r, err)) != 0 || (rc = conn_get(u, r->connection, &c, err)) != 0)
		return rc;
	BUMP(c, requests);
	struct meta_job j = {.u = u, .lent = db ? *db : NULL, .c = c, .accept = r->accept};
	j.variant = r->accept ? r->accept : "";
	j.path = r->path;
	while (*j.path == '/')
		j.path++;

	bool found;
	if ((rc = load_meta(&j, out, &found, err)) != 0)
		return rc;
	if (found && meta_fresh(u, out, ar_now_ms()) && meta_usable(u, out)) {
		BUMP(c, hits);
		return meta_answer(out, c, j.path, err);
	}
	memset(out, 0, sizeof *out);
	bool had = lend_back(u, db);
	j.lent = NULL;
	char *key = flight_key("meta", c->name, j.variant, j.path);
	bool is_shared = false;
	rc = ar_flight_do(u->flights, key, meta_run, &j, out, sizeof *out, &is_shared, err);
	free(key);
	if (had)
		*db = ar_db_get(u->db);
	if (is_shared)
		BUMP(c, coalesced);
	if (out->is_stale)
		BUMP(c, stale_serves);
	else if (out->source == AR_UPSTREAM_CACHE && (rc == 0 || rc == AR_ENOTFOUND))
		BUMP(c, hits);
	return rc;
}

int ar_upstream_read_body(struct ar_upstream *u, const struct ar_upstream_meta *m, struct ar_arena *a, char **data,
			  size_t *len, struct ar_err *err)
{
	int fd = -1, rc;
	uint64_t size;
	*data = NULL;
	*len = 0;
	if (m->status != 200)
		return ar_fail(err, AR_ENOTFOUND, "no body: upstream answered %d", m->status);
	if ((rc = ar_blob_open(u->blobs, m->sha256, &fd, &size, err)) != 0)
		return rc == AR_ENOTFOUND ? ar_fail(err, AR_ERROR, "cached upstream body %s is gone", m->sha256) : rc;
	if (size > u->opts.max_metadata || size >= SIZE_MAX) {
		rc = ar_fail(err, AR_ETOOBIG, "cached upstream body is %llu bytes, over %llu", (unsigned long long)size,
			     (unsigned long long)u->opts.max_metadata);
		goto done;
	}
	char *buf = ar_alloc(a, (size_t)size + 1);
	for (size_t off = 0; off < size;) {
		ssize_t n = pread(fd, buf + off, (size_t)size - off, (off_t)off);
		if (n <= 0) {
			rc = ar_fail(err, AR_ERROR, "reading cached upstream body %s failed", m->sha256);
			goto done;
		}
		off += (size_t)n;
	}
	buf[size] = '\0';
	unsigned char digest[AR_SHA256_LEN];
	char hex[AR_SHA256_HEX_LEN + 1];
	ar_sha256(digest, buf, (size_t)size);
	ar_hex(hex, digest, sizeof digest);
	/* The size matched (body_present), but the bytes of a cache blob may not after a power loss. */
	if (strcmp(hex, m->sha256) != 0) {
		set_garbled(u, m->sha256, true);
		rc = ar_fail(err, AR_ERROR,
			     "cached upstream body %s is damaged; it is fetched again on the next request", m->sha256);
		goto done;
	}
	*data = buf;
	*len = (size_t)size;
done:
	close(fd);
	return rc;
}

void ar_upstream_stale_header(char *out, size_t cap, const struct ar_upstream_meta *m)
{
	char when[25];
	ar_iso8601_ms(when, m->fetched_ms);
	snprintf(out, cap, "upstream unavailable; served from cache fetched at %s", when);
}

/* --- files --- */

struct file_job {
	struct ar_upstream *u;
	struct ar_dbc *lent; /* as in meta_job */
	struct conn *c;
	const char *path;
	const char *digest;
};

static int load_file(struct file_job *j, struct ar_upstream_file *f, bool *found, struct ar_err *err)
{
	struct ar_stmt *s;
	struct ar_dbc *db = step_begin(j->u, j->lent);
	*found = false;
	int rc = ar_dbc_prepare(db, &s,
				"SELECT sha256, sha512, sha1, md5, size, content_type FROM upstream_files "
				"WHERE connection = ? AND path = ?",
				err);
	if (rc) {
		step_end(j->u, j->lent, db);
		return rc;
	}
	ar_stmt_bind_text(s, 1, j->c->name);
	ar_stmt_bind_text(s, 2, j->path);
	rc = ar_stmt_step(s, err);
	if (rc == 1) {
		memset(f, 0, sizeof *f);
		copy_whole(f->hashes.sha256, sizeof f->hashes.sha256, ar_stmt_text(s, 0));
		copy_whole(f->hashes.sha512, sizeof f->hashes.sha512, ar_stmt_text(s, 1));
		copy_whole(f->hashes.sha1, sizeof f->hashes.sha1, ar_stmt_text(s, 2));
		copy_whole(f->hashes.md5, sizeof f->hashes.md5, ar_stmt_text(s, 3));
		f->hashes.size = (uint64_t)ar_stmt_int(s, 4);
		copy_whole(f->content_type, sizeof f->content_type, ar_stmt_text(s, 5));
		f->source = AR_UPSTREAM_CACHE;
		*found = true;
		rc = 0;
	}
	ar_stmt_done(s);
	step_end(j->u, j->lent, db);
	return rc < 0 ? rc : 0;
}

static int save_file(struct file_job *j, const struct ar_upstream_file *f, struct ar_err *err)
{
	struct ar_dbc *db = step_begin(j->u, j->lent);
	int rc = ar_dbc_begin_cache(db, err);
	if (rc) {
		step_end(j->u, j->lent, db);
		return rc;
	}
	int64_t n = ar_dbc_exec(db, err,
				"INSERT INTO upstream_files (connection, path, sha256, sha512, sha1, md5, size, "
				"content_type, fetched_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
				"ON CONFLICT (connection, path) DO UPDATE SET sha256 = excluded.sha256, "
				"sha512 = excluded.sha512, sha1 = excluded.sha1, md5 = excluded.md5, "
				"size = excluded.size, content_type = excluded.content_type, "
				"fetched_ms = excluded.fetched_ms",
				"ssssssisi", j->c->name, j->path, f->hashes.sha256, f->hashes.sha512, f->hashes.sha1,
				f->hashes.md5, (int64_t)f->hashes.size, or_null(f->content_type), ar_now_ms());
	rc = cache_write_end(db, n, err);
	step_end(j->u, j->lent, db);
	return rc;
}

/* A kept file answers when its blob is still there and it matches what the caller expects. */
static bool file_usable(struct file_job *j, const struct ar_upstream_file *f)
{
	struct ar_err ignored;
	return blob_present(j->u, f->hashes.sha256) &&
	       (!j->digest || ar_digest_verify(j->digest, &f->hashes, &ignored) == 0);
}

static int file_run(void *cls, void *result, struct ar_err *err)
{
	struct file_job *j = cls;
	struct ar_upstream *u = j->u;
	struct conn *c = j->c;
	struct ar_upstream_file *out = result;
	struct ar_fetch_res res = {0};
	char *url = NULL;
	bool found, is_probe = false;
	int rc = load_file(j, out, &found, err);
	if (rc)
		return rc;
	if (found && file_usable(j, out))
		return 0;
	memset(out, 0, sizeof *out);
	if ((rc = make_url(u, c, j->path, &url, err)) != 0 || (rc = breaker_enter(c, &is_probe, err)) != 0)
		goto done;

	struct ar_fetch_opts fo = {
		.url = url,
		.connect_timeout_ms = u->opts.connect_timeout_ms,
		.stall_ms = u->opts.file_stall_ms,
		.min_speed = u->opts.file_min_speed,
		.max_bytes = u->opts.max_file,
		.tmp_dir = ar_blobs_tmp_dir(u->blobs),
	};
	BUMP(c, upstream_requests);
	rc = ar_fetch(u->fetcher, &res, &fo, err);
	ADD(c, bytes_fetched, res.len);
	enum verdict v = verdict_of(rc, res.status);
	char shown[300];
	ar_url_redact(shown, sizeof shown, url);
	if (rc == 0 && res.status == 200) {
		if (j->digest && (rc = ar_digest_verify(j->digest, &res.hashes, err)) != 0) {
			BUMP(c, digest_mismatches);
			ar_warn("upstream %s: GET %s: %s; nothing stored", c->name, shown, err->msg);
		} else if ((rc = ar_blob_put_file(u->blobs, res.tmp_path, res.hashes.sha256, err)) == 0) {
			free(res.tmp_path);
			res.tmp_path = NULL; /* consumed by the blob store */
			out->hashes = res.hashes;
			copy_whole(out->content_type, sizeof out->content_type, res.content_type);
			out->source = AR_UPSTREAM_FETCHED;
			rc = save_file(j, out, err);
		}
		v = rc && rc != AR_EINVAL ? LOCAL : v;
	} else if (rc == 0 && (res.status == 404 || res.status == 410)) {
		BUMP(c, not_found);
		rc = ar_fail(err, AR_ENOTFOUND, "%s not found upstream in %s", j->path, c->name);
	} else if (rc == 0) {
		rc = ar_fail(err, AR_EUNAVAIL, "GET %s: upstream answered HTTP %ld", shown, res.status);
	}
	if (rc && rc != AR_ENOTFOUND && rc != AR_EINVAL) {
		BUMP(c, failures);
		ar_warn("upstream %s: %s", c->name, err->msg);
	}
	breaker_report(c, is_probe, v);
done:
	ar_fetch_res_release(&res);
	free(url);
	return rc;
}

int ar_upstream_fetch_file(struct ar_upstream *u, struct ar_dbc **db, struct ar_upstream_file *out,
			   const struct ar_upstream_req *r, struct ar_err *err)
{
	memset(out, 0, sizeof *out);
	struct conn *c;
	int rc;
	if ((rc = check_req(r, err)) != 0)
		return rc;
	if (r->digest && (rc = ar_digest_verify(r->digest, NULL, err)) != 0)
		return rc;
	if ((rc = conn_get(u, r->connection, &c, err)) != 0)
		return rc;
	BUMP(c, requests);
	struct file_job j = {.u = u, .lent = db ? *db : NULL, .c = c, .path = r->path, .digest = r->digest};
	while (*j.path == '/')
		j.path++;

	bool found;
	if ((rc = load_file(&j, out, &found, err)) != 0)
		return rc;
	if (found && file_usable(&j, out)) {
		BUMP(c, hits);
		return 0;
	}
	memset(out, 0, sizeof *out);
	bool had = lend_back(u, db);
	j.lent = NULL;
	/* The digest is part of the key: callers expecting different bytes must not share a verdict. */
	char *key = flight_key("file", c->name, r->digest ? r->digest : "", j.path);
	bool is_shared = false;
	rc = ar_flight_do(u->flights, key, file_run, &j, out, sizeof *out, &is_shared, err);
	free(key);
	if (had)
		*db = ar_db_get(u->db);
	if (is_shared)
		BUMP(c, coalesced);
	if (rc == 0 && out->source == AR_UPSTREAM_CACHE)
		BUMP(c, hits);
	return rc;
}

/* --- pass-through --- */

int ar_upstream_post(struct ar_upstream *u, struct ar_upstream_answer *out, const struct ar_upstream_post *r,
		     struct ar_arena *a, struct ar_err *err)
{
	memset(out, 0, sizeof *out);
	out->body = "";
	out->gateway_status = 502;
	struct ar_upstream_req check = {.connection = r->connection, .path = r->path, .accept = r->accept};
	struct conn *c;
	int rc;
	if ((rc = check_req(&check, err)) != 0 || (rc = conn_get(u, r->connection, &c, err)) != 0)
		return rc;
	if (r->content_type && !header_ok(r->content_type))
		return ar_fail(err, AR_EINVAL, "invalid Content-Type value for %s", r->connection);
	BUMP(c, requests);
	const char *path = r->path;
	while (*path == '/')
		path++;
	char *url = NULL;
	bool is_probe = false;
	if ((rc = make_url(u, c, path, &url, err)) != 0 || (rc = breaker_enter(c, &is_probe, err)) != 0) {
		out->gateway_status = 503;
		free(url);
		return rc;
	}
	struct ar_fetch_res res;
	struct ar_fetch_opts fo = {
		.url = url,
		.accept = r->accept,
		.is_decoded = true,
		.connect_timeout_ms = u->opts.connect_timeout_ms,
		.timeout_ms = u->opts.metadata_timeout_ms,
		.max_bytes = u->opts.max_metadata,
		/* an empty body still POSTs */
		.post_body = r->body ? r->body : "",
		.post_len = r->body ? r->len : 0,
		.content_type = r->content_type,
		.is_keeping_errors = true,
	};
	BUMP(c, upstream_requests);
	rc = ar_fetch(u->fetcher, &res, &fo, err);
	ADD(c, bytes_fetched, res.len);
	enum verdict v = verdict_of(rc, res.status);
	out->status = rc == 0 ? res.status : 0;
	if (rc == AR_ETIMEOUT)
		out->gateway_status = 504;
	if (rc == 0) {
		copy_whole(out->content_type, sizeof out->content_type, res.content_type);
		out->body = ar_memdup(a, res.body.ptr, res.body.len + 1);
		out->len = res.body.len;
		if (v == UP_FAIL) {
			char shown[300];
			ar_url_redact(shown, sizeof shown, url);
			rc = ar_fail(err, AR_EUNAVAIL, "POST %s: upstream answered HTTP %ld", shown, res.status);
		}
	}
	if (rc) {
		BUMP(c, failures);
		ar_warn("upstream %s: %s", c->name, err->msg);
	}
	breaker_report(c, is_probe, v);
	ar_fetch_res_release(&res);
	free(url);
	return rc;
}

/* --- metrics --- */

static void stats_of(struct conn *c, struct ar_upstream_stats *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->connection, sizeof s->connection, "%s", c->name);
	s->requests = READ(c, requests);
	s->hits = READ(c, hits);
	s->coalesced = READ(c, coalesced);
	s->upstream_requests = READ(c, upstream_requests);
	s->revalidations = READ(c, revalidations);
	s->not_found = READ(c, not_found);
	s->failures = READ(c, failures);
	s->stale_serves = READ(c, stale_serves);
	s->rejected = READ(c, rejected);
	s->digest_mismatches = READ(c, digest_mismatches);
	s->bytes_fetched = READ(c, bytes_fetched);
	s->breaker = ar_breaker_state(&c->breaker, &s->breaker_trips);
}

size_t ar_upstream_stats(struct ar_upstream *u, struct ar_upstream_stats *out, size_t cap)
{
	pthread_mutex_lock(&u->lock);
	size_t n = u->n_conns;
	for (size_t i = 0; i < n && i < cap; i++)
		stats_of(u->conns[i], &out[i]);
	pthread_mutex_unlock(&u->lock);
	return n;
}

int ar_upstream_stats_of(struct ar_upstream *u, const char *connection, struct ar_upstream_stats *out)
{
	int rc = AR_ENOTFOUND;
	pthread_mutex_lock(&u->lock);
	for (size_t i = 0; i < u->n_conns; i++) {
		if (strcmp(u->conns[i]->name, connection) == 0) {
			stats_of(u->conns[i], out);
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&u->lock);
	return rc;
}

size_t ar_upstream_waiting(struct ar_upstream *u)
{
	return ar_flight_waiting(u->flights);
}
