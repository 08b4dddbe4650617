/* tests/unit/upstream/fake_upstream.h - an in-test upstream registry on http/ that counts, fails, hangs */
#ifndef TEST_FAKE_UPSTREAM_H
#define TEST_FAKE_UPSTREAM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "http/http.h"

#define FAKE_WAIT_MS  10000 /* bound on every wait; a healthy run needs milliseconds */
#define FAKE_MAX_DOCS 16

/* One path the fake serves. */
struct fake_doc {
	char path[256];	 /* exact request path, e.g. "/pkg" */
	int status;	 /* 200, 302, 404, 500, ... */
	char body[4096]; /* 200 */
	size_t len;
	char etag[64];		/* "" = none; If-None-Match equal to it gets 304 */
	char last_modified[64]; /* "" = none */
	char content_type[64];
	char location[256]; /* 302 */
	bool is_hanging;    /* held before answering until fake_release */
	bool is_trickling;  /* sends headers and 8 body bytes, then holds the rest until fake_release */
	int hits;	    /* requests that reached this path */
};

struct fake {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ar_http *http;
	uint16_t port;
	struct fake_doc docs[FAKE_MAX_DOCS];
	size_t n_docs;
	int requests;	  /* every request */
	int hanging;	  /* requests now held */
	int not_modified; /* 304s sent */
	bool is_released; /* held requests may go (until fake_hold) */
	bool is_failing;  /* everything answers 500 */
	char last_auth[256], last_inm[128], last_ims[128], last_accept[128], last_path[256];
	char last_method[16], last_ctype[128], last_body[4096]; /* the body of the last request, if any */
};

static inline void fake_copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* Adds or replaces the document at path; returns it (edit under f->mu once the fake runs). */
static inline struct fake_doc *fake_put(struct fake *f, const char *path, int status, const char *body,
					const char *etag)
{
	pthread_mutex_lock(&f->mu);
	struct fake_doc *d = NULL;
	for (size_t i = 0; i < f->n_docs && !d; i++)
		if (strcmp(f->docs[i].path, path) == 0)
			d = &f->docs[i];
	if (!d && f->n_docs < FAKE_MAX_DOCS)
		d = &f->docs[f->n_docs++];
	if (d) {
		int hits = strcmp(d->path, path) == 0 ? d->hits : 0;
		memset(d, 0, sizeof *d);
		d->hits = hits;
		fake_copy(d->path, sizeof d->path, path);
		d->status = status;
		fake_copy(d->body, sizeof d->body, body);
		d->len = strlen(d->body);
		fake_copy(d->etag, sizeof d->etag, etag);
		fake_copy(d->content_type, sizeof d->content_type, "application/json");
	}
	pthread_mutex_unlock(&f->mu);
	return d;
}

static inline int fake_hits(struct fake *f, const char *path)
{
	int n = 0;
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < f->n_docs; i++)
		if (strcmp(f->docs[i].path, path) == 0)
			n = f->docs[i].hits;
	pthread_mutex_unlock(&f->mu);
	return n;
}

static inline int fake_requests(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	int n = f->requests;
	pthread_mutex_unlock(&f->mu);
	return n;
}

static inline void fake_set_failing(struct fake *f, bool failing)
{
	pthread_mutex_lock(&f->mu);
	f->is_failing = failing;
	pthread_mutex_unlock(&f->mu);
}

/* Lets every held request go, now and later. */
static inline void fake_release(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	f->is_released = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static inline struct timespec fake_deadline(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += FAKE_WAIT_MS / 1000;
	return t;
}

/* Waits until at least n requests are held; returns the number held then (bounded wait). */
static inline int fake_wait_hanging(struct fake *f, int n)
{
	struct timespec deadline = fake_deadline();
	pthread_mutex_lock(&f->mu);
	while (f->hanging < n && pthread_cond_timedwait(&f->cv, &f->mu, &deadline) == 0)
		;
	int v = f->hanging;
	pthread_mutex_unlock(&f->mu);
	return v;
}

static inline void fake_hold_locked(struct fake *f)
{
	struct timespec deadline = fake_deadline();
	f->hanging++;
	pthread_cond_broadcast(&f->cv);
	/* Bounded too, so a broken test cannot wedge the server's stop. */
	while (!f->is_released && pthread_cond_timedwait(&f->cv, &f->mu, &deadline) == 0)
		;
	f->hanging--;
	pthread_cond_broadcast(&f->cv);
}

struct fake_trickle {
	struct fake *f;
	char body[4096];
	size_t len;
};

static inline long fake_trickle_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct fake_trickle *t = cls;
	if (pos >= t->len)
		return 0;
	if (pos >= 8) {
		pthread_mutex_lock(&t->f->mu);
		fake_hold_locked(t->f);
		pthread_mutex_unlock(&t->f->mu);
	}
	size_t n = t->len - (size_t)pos;
	if (pos < 8 && n > 8 - pos)
		n = 8 - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, t->body + pos, n);
	return (long)n;
}

static inline int fake_handler(struct ar_req *req)
{
	struct fake *f = req->app;
	pthread_mutex_lock(&f->mu);
	f->requests++;
	fake_copy(f->last_path, sizeof f->last_path, req->path);
	fake_copy(f->last_auth, sizeof f->last_auth, ar_req_header(req, "Authorization"));
	fake_copy(f->last_inm, sizeof f->last_inm, ar_req_header(req, "If-None-Match"));
	fake_copy(f->last_ims, sizeof f->last_ims, ar_req_header(req, "If-Modified-Since"));
	fake_copy(f->last_accept, sizeof f->last_accept, ar_req_header(req, "Accept"));
	fake_copy(f->last_method, sizeof f->last_method, req->method);
	fake_copy(f->last_ctype, sizeof f->last_ctype, ar_req_header(req, "Content-Type"));
	fake_copy(f->last_body, sizeof f->last_body, req->body.data);
	struct fake_doc *d = NULL;
	for (size_t i = 0; i < f->n_docs && !d; i++)
		if (strcmp(f->docs[i].path, req->path) == 0)
			d = &f->docs[i];
	if (d)
		d->hits++;
	if (d && d->is_hanging)
		fake_hold_locked(f);
	if (f->is_failing) {
		pthread_mutex_unlock(&f->mu);
		ar_resp_text(req, 500, "failing on purpose\n");
		return 0;
	}
	if (!d) {
		pthread_mutex_unlock(&f->mu);
		ar_resp_text(req, 404, "not here\n");
		return 0;
	}
	struct fake_doc copy = *d;
	const char *inm = ar_req_header(req, "If-None-Match");
	bool is_304 = copy.status == 200 && copy.etag[0] && inm && strcmp(inm, copy.etag) == 0;
	if (is_304)
		f->not_modified++;
	pthread_mutex_unlock(&f->mu);

	if (copy.etag[0])
		ar_resp_header(req, "ETag", copy.etag);
	if (copy.last_modified[0])
		ar_resp_header(req, "Last-Modified", copy.last_modified);
	if (is_304) {
		ar_resp_data(req, 304, NULL, "", 0);
	} else if (copy.status == 302) {
		ar_resp_header(req, "Location", copy.location);
		ar_resp_data(req, 302, "text/plain", "moved\n", 6);
	} else if (copy.is_trickling) {
		struct fake_trickle *t = ar_alloc(req->arena, sizeof *t);
		t->f = f;
		memcpy(t->body, copy.body, copy.len);
		t->len = copy.len;
		ar_resp_stream(req, copy.status, copy.content_type, copy.len, fake_trickle_read, t, NULL);
	} else {
		ar_resp_data(req, copy.status, copy.content_type, ar_memdup(req->arena, copy.body, copy.len + 1),
			     copy.len);
	}
	return 0;
}

static inline int fake_resolve(struct ar_req *req, struct ar_route *route)
{
	route->handler = fake_handler;
	route->max_body = 1 << 20; /* POSTs (pass-through) */
	return 0;
}

/* Starts a fake on 127.0.0.1 and a free port; false (with a message) when it cannot. */
static inline bool fake_start(struct fake *f)
{
	memset(f, 0, sizeof *f);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	struct ar_http_opts opts = {
		.addr = "127.0.0.1",
		.max_connections = 256,
		.timeout_s = 30,
		.access_log = false,
		.resolve = fake_resolve,
		.app = f,
	};
	struct ar_err err = {0};
	if (ar_http_start(&f->http, &opts, &err) != 0) {
		fprintf(stderr, "fake upstream: %s\n", err.msg);
		return false;
	}
	f->port = ar_http_port(f->http);
	return true;
}

/* Stops accepting and answering; held requests are released first. Idempotent. */
static inline void fake_stop(struct fake *f)
{
	if (!f->http)
		return;
	fake_release(f);
	ar_http_stop(f->http);
	f->http = NULL;
}

static inline void fake_free(struct fake *f)
{
	fake_stop(f);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
}

/* "http://127.0.0.1:PORT" + suffix into out. */
static inline void fake_url(const struct fake *f, char *out, size_t cap, const char *userinfo, const char *suffix)
{
	snprintf(out, cap, "http://%s%s127.0.0.1:%u%s", userinfo ? userinfo : "", userinfo ? "@" : "",
		 (unsigned)f->port, suffix ? suffix : "");
}

/* Polls cond(cls) every millisecond until true or FAKE_WAIT_MS pass; returns its last value. For
   state that has no condition variable to wait on (the engine's waiters, a breaker's cool-down). */
static inline bool poll_until(bool (*cond)(void *cls), void *cls)
{
	int64_t end = ar_mono_ms() + FAKE_WAIT_MS;
	bool ok;
	while (!(ok = cond(cls)) && ar_mono_ms() < end) {
		struct timespec ms = {0, 1000 * 1000};
		nanosleep(&ms, NULL);
	}
	return ok;
}

#endif
