/* upstream/fetch.c - libcurl GETs and POSTs: credentials kept out of messages, caps, timeouts, temp-file bodies */
#include "upstream/fetch.h"

#include "core/mem.h"
#include "core/timeutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_CONNECT_MS 5000
#define DEFAULT_MAX_BYTES  ((uint64_t)1 << 30)
#define MAX_REDIRS	   5L
#define MAX_IDLE	   16	/* idle handles kept, each with its own live connections */
#define MAX_HEADER_VALUE   1024 /* longer ETag/Last-Modified/Content-Type values are ignored */

/* Sharing the connection cache itself across threads (CURL_LOCK_DATA_CONNECT) is a known source of
   crashes in libcurl; connections are reused through the pool of easy handles instead. */
struct ar_fetcher {
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURL *idle[MAX_IDLE];
	size_t n_idle;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *cls)
{
	struct ar_fetcher *f = cls;
	pthread_mutex_lock(&f->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *cls)
{
	struct ar_fetcher *f = cls;
	pthread_mutex_unlock(&f->share_locks[data]);
}

int ar_fetcher_new(struct ar_fetcher **out, struct ar_err *err)
{
	*out = NULL;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return ar_fail(err, AR_ERROR, "libcurl: %s", curl_easy_strerror(global_rc));
	struct ar_fetcher *f = ar_xcalloc(1, sizeof *f);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&f->share_locks[i], NULL);
	pthread_mutex_init(&f->pool_lock, NULL);
	f->share = curl_share_init();
	if (!f->share || curl_share_setopt(f->share, CURLSHOPT_LOCKFUNC, share_lock) ||
	    curl_share_setopt(f->share, CURLSHOPT_UNLOCKFUNC, share_unlock) ||
	    curl_share_setopt(f->share, CURLSHOPT_USERDATA, f) ||
	    curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) ||
	    curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION)) {
		ar_fetcher_free(f);
		return ar_fail(err, AR_ERROR, "libcurl: cannot set up a share handle");
	}
	*out = f;
	return 0;
}

void ar_fetcher_free(struct ar_fetcher *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_idle; i++)
		curl_easy_cleanup(f->idle[i]);
	if (f->share)
		curl_share_cleanup(f->share);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&f->share_locks[i]);
	pthread_mutex_destroy(&f->pool_lock);
	free(f);
}

static CURL *handle_get(struct ar_fetcher *f)
{
	CURL *h = NULL;
	pthread_mutex_lock(&f->pool_lock);
	if (f->n_idle > 0)
		h = f->idle[--f->n_idle];
	pthread_mutex_unlock(&f->pool_lock);
	return h ? h : curl_easy_init();
}

/* Back to the pool with its options cleared (no pointers into the caller's memory, no secrets);
   live connections stay with the handle. */
static void handle_put(struct ar_fetcher *f, CURL *h)
{
	curl_easy_reset(h);
	pthread_mutex_lock(&f->pool_lock);
	if (f->n_idle < MAX_IDLE) {
		f->idle[f->n_idle++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&f->pool_lock);
	if (h)
		curl_easy_cleanup(h);
}

/* --- URLs and secrets --- */

void ar_url_redact(char *out, size_t cap, const char *url)
{
	if (cap == 0)
		return;
	const char *scheme_end = strstr(url, "://");
	const char *host = scheme_end ? scheme_end + 3 : url;
	const char *at = NULL;
	/* The last '@' before the path ends the userinfo (a password may hold a raw '@'). */
	for (const char *p = host; *p && !strchr("/?#", *p); p++)
		if (*p == '@')
			at = p;
	if (!at)
		snprintf(out, cap, "%s", url);
	else
		snprintf(out, cap, "%.*s***%s", (int)(host - url), url, at);
}

/* Replaces every occurrence of secret in msg by "***" (defence in depth: a library message might
   echo what it was given). Values under 3 bytes cannot be told from ordinary text and are left. */
static void scrub(char *msg, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (n < 3)
		return;
	char *p;
	while ((p = strstr(msg, secret)) != NULL) {
		memcpy(p, "***", 3);
		memmove(p + 3, p + n, strlen(p + n) + 1);
	}
}

/* Splits url into a URL without userinfo and the decoded user and password (heap, or NULL). */
static int split_url(const char *url, char **clean, char **user, char **password, struct ar_err *err)
{
	*clean = *user = *password = NULL;
	CURLU *u = curl_url();
	char *scheme = NULL, *s = NULL;
	int rc = 0;
	if (!u)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		char shown[256];
		ar_url_redact(shown, sizeof shown, url);
		rc = ar_fail(err, AR_EINVAL, "not an http(s) URL: %s", shown);
		goto done;
	}
	if (curl_url_get(u, CURLUPART_USER, &s, CURLU_URLDECODE) == CURLUE_OK) {
		*user = ar_xstrdup(s);
		curl_free(s);
		s = NULL;
	}
	if (curl_url_get(u, CURLUPART_PASSWORD, &s, CURLU_URLDECODE) == CURLUE_OK) {
		*password = ar_xstrdup(s);
		curl_free(s);
		s = NULL;
	}
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK) {
		rc = ar_fail(err, AR_EINVAL, "cannot rebuild URL");
		goto done;
	}
	*clean = ar_xstrdup(s);
	curl_free(s);
done:
	curl_free(scheme);
	curl_url_cleanup(u);
	if (rc) {
		free(*user);
		free(*password);
		*user = *password = NULL;
	}
	return rc;
}

/* --- one transfer --- */

struct xfer {
	CURL *h;
	const char *method; /* "GET" or "POST", for messages */
	const struct ar_fetch_opts *o;
	struct ar_fetch_res *res;
	uint64_t max_bytes;
	int fd; /* file mode */
	struct ar_hasher *hasher;
	bool is_too_big, is_stalled;
	int write_errno; /* file mode: a failed write */
	unsigned min_window_bytes;
	int64_t window_start_ms;
	curl_off_t window_start_bytes;
};

static size_t on_header(char *line, size_t size, size_t n, void *cls)
{
	struct xfer *x = cls;
	size_t len = size * n;
	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or a 100): forget the previous one's headers, and any body
		   of it kept in memory. */
		free(x->res->etag);
		free(x->res->last_modified);
		free(x->res->content_type);
		x->res->etag = x->res->last_modified = x->res->content_type = NULL;
		if (!x->o->tmp_dir) {
			ar_buf_reset(&x->res->body);
			x->res->len = 0;
		}
		return len;
	}
	const char *colon = memchr(line, ':', len);
	if (!colon)
		return len;
	size_t name_len = (size_t)(colon - line);
	const char *v = colon + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vlen = (size_t)(end - v);
	if (vlen == 0 || vlen > MAX_HEADER_VALUE)
		return len;
	char **slot = NULL;
	if (name_len == 4 && strncasecmp(line, "etag", 4) == 0)
		slot = &x->res->etag;
	else if (name_len == 13 && strncasecmp(line, "last-modified", 13) == 0)
		slot = &x->res->last_modified;
	else if (name_len == 12 && strncasecmp(line, "content-type", 12) == 0)
		slot = &x->res->content_type;
	if (slot) {
		free(*slot);
		*slot = ar_xstrndup(v, vlen);
	}
	return len;
}

/* File mode: the temp file is made when the first 2xx byte arrives (a 304 or an error page needs
   none). 0 or an errno. */
static int open_temp(struct xfer *x)
{
	size_t n = strlen(x->o->tmp_dir) + sizeof "/upstream-XXXXXX";
	char *path = ar_xmalloc(n);
	snprintf(path, n, "%s/upstream-XXXXXX", x->o->tmp_dir);
	x->fd = mkostemp(path, O_CLOEXEC);
	if (x->fd < 0) {
		int e = errno;
		free(path);
		return e;
	}
	x->res->tmp_path = path;
	x->hasher = ar_hasher_new();
	return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *cls)
{
	struct xfer *x = cls;
	size_t len = size * n;
	long status = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if ((status < 200 || status > 299) && !(x->o->is_keeping_errors && !x->o->tmp_dir))
		return len; /* error pages are not kept */
	if (len > x->max_bytes - x->res->len) {
		x->is_too_big = true;
		return 0;
	}
	if (x->o->tmp_dir) {
		if (x->fd < 0 && (x->write_errno = open_temp(x)) != 0)
			return 0;
		for (size_t off = 0; off < len;) {
			ssize_t w = write(x->fd, data + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				x->write_errno = errno;
				return 0;
			}
			off += (size_t)w;
		}
		ar_hasher_update(x->hasher, data, len);
	} else if (ar_buf_add(&x->res->body, data, len) != 0) {
		x->is_too_big = true;
		return 0;
	}
	x->res->len += len;
	return len;
}

static int on_progress(void *cls, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = cls;
	int64_t now = ar_mono_ms();
	if (now - x->window_start_ms < (int64_t)x->o->stall_ms)
		return 0;
	if (dlnow - x->window_start_bytes < (curl_off_t)x->min_window_bytes) {
		x->is_stalled = true;
		return 1;
	}
	x->window_start_ms = now;
	x->window_start_bytes = dlnow;
	return 0;
}

static bool header_value_ok(const char *v)
{
	return !v || !strpbrk(v, "\r\n");
}

static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value)
{
	if (!value)
		return list;
	size_t n = strlen(name) + strlen(value) + 3;
	char *line = ar_xmalloc(n);
	snprintf(line, n, "%s: %s", name, value);
	struct curl_slist *next = curl_slist_append(list, line);
	free(line);
	if (!next)
		abort();
	return next;
}

/* Turns a curl failure into a code and a message that names the redacted URL. */
static int transfer_error(struct xfer *x, CURLcode cc, const char *errbuf, const char *shown, struct ar_err *err)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);
	if (x->is_too_big || cc == CURLE_FILESIZE_EXCEEDED)
		return ar_fail(err, AR_ETOOBIG, "%s %s: body larger than %llu bytes", x->method, shown,
			       (unsigned long long)x->max_bytes);
	if (x->write_errno)
		return ar_fail(err, x->write_errno == ENOSPC ? AR_EUNAVAIL : AR_ERROR, "%s %s: temp file in %s: %s",
			       x->method, shown, x->o->tmp_dir, strerror(x->write_errno));
	if (x->is_stalled)
		return ar_fail(err, AR_ETIMEOUT, "%s %s: stalled (under %u bytes in %u ms)", x->method, shown,
			       x->min_window_bytes, x->o->stall_ms);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return ar_fail(err, AR_ETIMEOUT, "%s %s: timed out: %s", x->method, shown, why);
	if (cc == CURLE_UNSUPPORTED_PROTOCOL)
		return ar_fail(err, AR_EUNAVAIL, "%s %s: redirected to a URL that is not http(s)", x->method, shown);
	return ar_fail(err, AR_EUNAVAIL, "%s %s: %s", x->method, shown, why);
}

int ar_fetch(struct ar_fetcher *f, struct ar_fetch_res *res, const struct ar_fetch_opts *o, struct ar_err *err)
{
	memset(res, 0, sizeof *res);
	uint64_t max_bytes = o->max_bytes ? o->max_bytes : DEFAULT_MAX_BYTES;
	ar_buf_init(&res->body, max_bytes < SIZE_MAX ? (size_t)max_bytes : 0);
	struct xfer x = {.o = o, .res = res, .max_bytes = max_bytes, .fd = -1, .method = o->post_body ? "POST" : "GET"};
	char *url = NULL, *user = NULL, *password = NULL;
	char shown[512], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	CURL *h = NULL;
	int rc;

	ar_url_redact(shown, sizeof shown, o->url);
	if ((rc = split_url(o->url, &url, &user, &password, err)) != 0)
		goto done;
	if (!header_value_ok(o->accept) || !header_value_ok(o->if_none_match) ||
	    !header_value_ok(o->if_modified_since) || !header_value_ok(o->content_type)) {
		rc = ar_fail(err, AR_EINVAL, "%s %s: a request header holds a line break", x.method, shown);
		goto done;
	}
	if (!(h = x.h = handle_get(f))) {
		rc = ar_fail(err, AR_ERROR, "libcurl: cannot create a handle");
		goto done;
	}
	headers = add_header(headers, "Accept", o->accept);
	headers = add_header(headers, "If-None-Match", o->if_none_match);
	headers = add_header(headers, "If-Modified-Since", o->if_modified_since);
	if (o->post_body) {
		headers = add_header(headers, "Content-Type", o->content_type);
		headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
		if (!headers)
			abort();
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, o->post_body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->post_len);
		curl_easy_setopt(h, CURLOPT_POSTREDIR, (long)(CURL_REDIR_POST_301 | CURL_REDIR_POST_302));
	}

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_SHARE, f->share);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, MAX_REDIRS);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "arca");
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(o->connect_timeout_ms ? o->connect_timeout_ms : DEFAULT_CONNECT_MS));
	if (o->timeout_ms)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	if (o->stall_ms) {
		uint64_t want = (uint64_t)(o->min_speed ? o->min_speed : 1) * o->stall_ms / 1000;
		x.min_window_bytes = want ? (want > UINT_MAX ? UINT_MAX : (unsigned)want) : 1;
		x.window_start_ms = ar_mono_ms();
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
	}
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(max_bytes > INT64_MAX ? INT64_MAX : max_bytes));
	if (o->is_decoded)
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl can decode */
	if (user || password) {
		/* Sent to this host only: curl drops them when a redirect leaves it. */
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, user ? user : "");
		curl_easy_setopt(h, CURLOPT_PASSWORD, password ? password : "");
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);

	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		rc = transfer_error(&x, cc, errbuf, shown, err);
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	if (o->tmp_dir && res->status >= 200 && res->status <= 299) {
		int e = x.fd < 0 ? open_temp(&x) : 0; /* an empty body is a file too */
		if (e == 0 && close(x.fd) < 0)
			e = errno;
		x.fd = -1;
		if (e) {
			rc = ar_fail(err, e == ENOSPC ? AR_EUNAVAIL : AR_ERROR, "%s %s: temp file in %s: %s", x.method,
				     shown, o->tmp_dir, strerror(e));
			goto done;
		}
		ar_hasher_final(x.hasher, &res->hashes);
		x.hasher = NULL;
	}
	rc = 0;
done:
	if (rc && err) {
		scrub(err->msg, password);
		scrub(err->msg, user);
	}
	if (x.fd >= 0)
		close(x.fd);
	ar_hasher_free(x.hasher);
	if (rc) {
		/* Failed: nothing of the body is handed out. */
		if (res->tmp_path) {
			unlink(res->tmp_path);
			free(res->tmp_path);
			res->tmp_path = NULL;
		}
		ar_buf_release(&res->body);
		res->len = 0;
	}
	curl_slist_free_all(headers);
	if (h)
		handle_put(f, h);
	if (password)
		explicit_bzero(password, strlen(password));
	free(url);
	free(user);
	free(password);
	return rc;
}

void ar_fetch_res_release(struct ar_fetch_res *res)
{
	free(res->etag);
	free(res->last_modified);
	free(res->content_type);
	ar_buf_release(&res->body);
	if (res->tmp_path) {
		unlink(res->tmp_path);
		free(res->tmp_path);
	}
	memset(res, 0, sizeof *res);
}
