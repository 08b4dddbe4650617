/* http/server.c - the libmicrohttpd daemon: request lifecycle, body accumulation, access log, graceful stop */
#include "http/http_int.h"

#include "core/crypto.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/timeutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* Connection threads run handlers that may block on the database or an upstream; deep recursion
   has no place there, and thousands of connections must fit in memory. */
#define THREAD_STACK (512 * 1024)
/* Per-connection pool for headers and the read buffer: large enough for long SigV4/Cookie headers
   and big read chunks, small enough to multiply by max_connections. */
#define CONN_MEMORY		(64 * 1024)
#define DEFAULT_MAX_CONNECTIONS 1000
/* MHD cannot answer while a body is still arriving, so an over-cap chunked body is read and dropped
   before the 413; past this much, the connection is closed instead. */
#define DRAIN_MAX ((uint64_t)8 << 20)
/* ar_http_stop waits this long for in-flight requests before closing them. */
#define STOP_WAIT_MS 30000

/* The format comes from libmicrohttpd itself. */
/* SHA-256 of no bytes: most requests have no body, and hashing nothing still costs a digest setup. */
static const unsigned char EMPTY_SHA256[32] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
	0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

static void mhd_logger(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n <= 0)
		return;
	size_t len = strnlen(msg, sizeof msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		msg[--len] = '\0';
	/* Once serving, most of MHD's messages are about one client (it hung up, sent junk) and the
	   access log already marks the request; running out of threads or sockets is the operator's. */
	const struct ar_http *h = cls;
	if (!atomic_load(&h->is_running) || strcasestr(msg, "thread") || strcasestr(msg, "accept"))
		ar_warn("mhd: %s", msg);
	else
		ar_debug("mhd: %s", msg);
}

/* --- request lifecycle --- */

static void remote_addr(struct ar_http_conn *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c->mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char text[INET6_ADDRSTRLEN] = "-";
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text,
				  sizeof text);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text,
				  sizeof text);
	}
	c->req.remote_addr = ar_strdup(c->req.arena, text);
}
static uint64_t request_id_seed;

static void seed_request_ids(void)
{
	ar_random(&request_id_seed, sizeof request_id_seed);
}

/* Unique in this process and unpredictable enough for logs: a random start, then a counter put
   through a bijective mixer (splitmix64's finaliser), so no two requests share an id and the
   system random generator is not asked on every request. */
static const char *new_request_id(struct ar_arena *a)
{
	static uint64_t next;
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, seed_request_ids);
	uint64_t x = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) + request_id_seed;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return ar_printf(a, "%016llx", (unsigned long long)x);
}

/* MHD calls this with the request target exactly as sent, before it percent-decodes the path and
   splits off the query; its return value becomes the request's context, paired with on_completed. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mhd)
{
	struct ar_http *h = cls;
	struct ar_arena *a = ar_arena_new();
	struct ar_http_conn *c = ar_alloc(a, sizeof *c);
	c->http = h;
	c->mhd = mhd;
	c->start_us = ar_mono_us();
	c->headers_tail = &c->headers;
	c->spool_fd = -1;
	c->log_method = "-";

	struct ar_req *req = &c->req;
	req->arena = a;
	req->app = h->opts.app;
	req->conn = c;
	req->method = "";
	req->body.fd = -1;
	const char *q = strchr(uri, '?');
	req->path = q ? ar_strndup(a, uri, (size_t)(q - uri)) : ar_strdup(a, uri);
	req->raw_query = q ? ar_strdup(a, q + 1) : "";
	req->request_id = new_request_id(a);
	remote_addr(c);

	pthread_mutex_lock(&h->lock);
	h->n_inflight++;
	pthread_mutex_unlock(&h->lock);
	return c;
}

const double ar_http_latency_bounds_s[AR_HTTP_LATENCY_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
								  0.05,	  0.1,	 0.25,	 0.5,	1,    5};

static void count_request(struct ar_http *h, const struct ar_http_conn *c, enum MHD_RequestTerminationCode toe)
{
	bool no_body = c->req.is_head || c->status == 304;
	int cls = c->status >= 100 && c->status < 600 ? c->status / 100 : 0;
	int64_t us = ar_mono_us() - c->start_us;
	size_t b = 0;
	while (b < AR_HTTP_LATENCY_BUCKETS && (double)us / 1e6 > ar_http_latency_bounds_s[b])
		b++;
	__atomic_fetch_add(&h->by_class[cls], 1, __ATOMIC_RELAXED);
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		__atomic_fetch_add(&h->n_aborted, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&h->latency[b], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&h->latency_sum_us, (uint64_t)(us > 0 ? us : 0), __ATOMIC_RELAXED);
	__atomic_fetch_add(&h->bytes_sent, no_body ? 0 : (unsigned long long)c->resp_len, __ATOMIC_RELAXED);
}

void ar_http_stats(struct ar_http *h, struct ar_http_stats *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < 6; i++)
		out->requests[i] = __atomic_load_n(&h->by_class[i], __ATOMIC_RELAXED);
	out->aborted = __atomic_load_n(&h->n_aborted, __ATOMIC_RELAXED);
	unsigned long sum = 0;
	for (size_t i = 0; i < AR_HTTP_LATENCY_BUCKETS; i++) {
		sum += __atomic_load_n(&h->latency[i], __ATOMIC_RELAXED);
		out->latency[i] = sum;
	}
	out->latency_count = sum + __atomic_load_n(&h->latency[AR_HTTP_LATENCY_BUCKETS], __ATOMIC_RELAXED);
	out->latency_sum_s = (double)__atomic_load_n(&h->latency_sum_us, __ATOMIC_RELAXED) / 1e6;
	out->bytes_sent = __atomic_load_n(&h->bytes_sent, __ATOMIC_RELAXED);
	pthread_mutex_lock(&h->lock);
	out->inflight = h->n_inflight;
	pthread_mutex_unlock(&h->lock);
}

/* The access log must stay one line per request whatever the client put in the path. */
static const char *log_safe(struct ar_arena *a, const char *s)
{
	char *out = ar_strdup(a, s);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p == 0x7f)
			*p = '?';
	return out;
}

static void on_completed(void *cls, struct MHD_Connection *mhd, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct ar_http *h = cls;
	struct ar_http_conn *c = *con_cls;
	if (!c)
		return;
	*con_cls = NULL;
	if (h->opts.access_log) {
		bool no_body = c->req.is_head || c->status == 304;
		/* The query is left out: it may carry tokens or presigned signatures. */
		ar_info("access %s %s %s %d %llu %lldms %s%s", c->req.remote_addr, c->log_method,
			log_safe(c->req.arena, c->req.path), c->status, (unsigned long long)(no_body ? 0 : c->resp_len),
			(long long)((ar_mono_us() - c->start_us) / 1000), c->req.request_id,
			toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	}
	count_request(h, c, toe);
	if (c->resp)
		MHD_destroy_response(c->resp); /* built but never queued: the client went away first */
	ar_arena_free(c->req.arena);	       /* closes fds, unlinks temp files */

	pthread_mutex_lock(&h->lock);
	if (--h->n_inflight == 0)
		pthread_cond_broadcast(&h->idle);
	pthread_mutex_unlock(&h->lock);
}

/* --- request bodies --- */

static void body_cleanup(void *arg)
{
	struct ar_http_conn *c = arg;
	ar_buf_release(&c->mem);
	ar_hasher_free(c->hasher);
	if (c->spool_fd >= 0)
		close(c->spool_fd);
	if (c->req.body.fd >= 0)
		close(c->req.body.fd);
	if (c->req.body.path && !c->is_detached)
		unlink(c->req.body.path);
}

static int body_start(struct ar_http_conn *c)
{
	struct ar_req *req = &c->req;
	/* Registered only now so that cleanups the resolver registered run after the temp file is gone. */
	ar_buf_init(&c->mem, c->route.max_body > SIZE_MAX - 1 ? SIZE_MAX - 1 : (size_t)c->route.max_body);
	ar_arena_defer(req->arena, body_cleanup, c);
	if (c->route.body_mode != AR_BODY_SPOOL)
		return 0;
	const char *dir = c->http->opts.spool_dir;
	char *path = ar_printf(req->arena, "%s/arca-body-XXXXXX", dir);
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		ar_error("http: cannot create a spool file in %s: %s", dir, strerror(errno));
		return AR_ERROR;
	}
	c->spool_fd = fd;
	req->body.path = path;
	c->hasher = ar_hasher_new();
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Takes one piece of the body; false asks MHD to drop the connection. */
static bool body_data(struct ar_http_conn *c, const char *data, size_t len)
{
	if (!c->is_too_big && len > c->route.max_body - c->received) {
		c->is_too_big = true;
		ar_buf_release(&c->mem);
	}
	if (c->is_too_big) {
		c->drained += len;
		return c->drained <= DRAIN_MAX;
	}
	c->received += len;
	if (c->has_failed)
		return true;
	if (c->route.body_mode == AR_BODY_MEMORY) {
		if (ar_buf_add(&c->mem, data, len) != 0) /* cannot happen: the cap was checked above */
			c->has_failed = true;
		return true;
	}
	ar_hasher_update(c->hasher, data, len);
	if (write_all(c->spool_fd, data, len) != 0) {
		ar_error("http: writing spool file %s: %s", c->req.body.path, strerror(errno));
		c->has_failed = true;
	}
	return true;
}

static bool is_gzip(const char *content_encoding)
{
	return strcasecmp(content_encoding, "gzip") == 0 || strcasecmp(content_encoding, "x-gzip") == 0;
}

/* Decodes a gzip body (npm audit sends them) into the arena, refusing to inflate past cap. */
static int gunzip(struct ar_body *b, struct ar_arena *a, const char *in, size_t in_len, uint64_t cap)
{
	z_stream z = {.next_in = (Bytef *)in, .avail_in = (uInt)in_len};
	if (in_len > UINT_MAX || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return AR_EINVAL;
	struct ar_buf out;
	ar_buf_init(&out, cap > SIZE_MAX - 1 ? SIZE_MAX - 1 : (size_t)cap);
	int rc = 0, zr;
	do {
		unsigned char chunk[16384];
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			rc = AR_EINVAL; /* corrupt, or truncated (Z_BUF_ERROR once the input runs out) */
			break;
		}
		if (ar_buf_add(&out, chunk, sizeof chunk - z.avail_out) != 0) {
			rc = AR_ETOOBIG;
			break;
		}
	} while (zr != Z_STREAM_END);
	if (rc == 0 && z.avail_in != 0)
		rc = AR_EINVAL; /* bytes after the gzip trailer */
	inflateEnd(&z);
	if (rc == 0) {
		b->data = ar_memdup(a, out.ptr, out.len + 1);
		b->len = out.len;
		b->is_gunzipped = true;
	}
	ar_buf_release(&out);
	return rc;
}

/* Makes the complete body visible in req->body. */
static int body_finish(struct ar_http_conn *c)
{
	struct ar_body *b = &c->req.body;
	b->len = c->received;
	if (c->route.body_mode == AR_BODY_MEMORY) {
		b->data = c->mem.ptr; /* "" when nothing arrived */
		if (c->mem.len > 0)
			ar_sha256(b->sha256, b->data, c->mem.len);
		else
			memcpy(b->sha256, EMPTY_SHA256, sizeof b->sha256);
		const char *ce = ar_req_header(&c->req, MHD_HTTP_HEADER_CONTENT_ENCODING);
		if (ce && is_gzip(ce) && c->mem.len > 0)
			return gunzip(b, c->req.arena, c->mem.ptr, c->mem.len, c->route.max_body);
		return 0;
	}
	ar_hasher_final(c->hasher, &b->hashes);
	c->hasher = NULL;
	ar_unhex(b->sha256, b->hashes.sha256, sizeof b->sha256);
	/* A fresh read-only descriptor: the handler cannot write through it and starts at offset 0. */
	b->fd = open(b->path, O_RDONLY | O_CLOEXEC);
	close(c->spool_fd);
	c->spool_fd = -1;
	if (b->fd < 0) {
		ar_error("http: reopening spool file %s: %s", b->path, strerror(errno));
		return AR_ERROR;
	}
	return 0;
}

char *ar_body_detach(struct ar_req *req)
{
	if (!req->body.path)
		return NULL;
	req->conn->is_detached = true;
	return req->body.path;
}

/* --- the access handler --- */

/* Answers from the headers alone. Queueing on MHD's first call means no "100 Continue" and no body
   read, but MHD then closes the connection: right for a client waiting on Expect, or one announcing
   more than we would drain. Everyone else has sent (or is sending) the body already; closing on top
   of unread bytes makes the kernel reset the connection, which can destroy the answer before the
   client reads it. So their body is read and dropped and the answer goes out on the final call,
   which also keeps the connection alive (every 401/404 on a GET). */
static enum MHD_Result answer_early(struct ar_http_conn *c)
{
	if (c->has_body && (c->has_expect || c->declared > DRAIN_MAX))
		return ar_http_conn_send(c);
	c->phase = AR_PHASE_DISCARD;
	return MHD_YES;
}

static enum MHD_Result on_headers(struct ar_http_conn *c, const char *method, const char *version)
{
	struct ar_req *req = &c->req;
	c->log_method = ar_strdup(req->arena, method);
	req->is_head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	req->method = req->is_head ? MHD_HTTP_METHOD_GET : c->log_method;

	const char *te = ar_req_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	const char *cl = ar_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *expect = ar_req_header(req, MHD_HTTP_HEADER_EXPECT);
	int64_t declared = 0;
	req->body.is_chunked = te && strcasestr(te, "chunked") != NULL;
	if (!req->body.is_chunked && cl && (!ar_parse_i64(cl, &declared) || declared < 0))
		declared = 0; /* MHD has already rejected a malformed Content-Length with 400 */
	c->declared = (uint64_t)declared;
	c->has_body = req->body.is_chunked || declared > 0;
	/* The test MHD applies before it sends "100 Continue": HTTP/1.1 and exactly this token. */
	c->has_expect = expect && strcasecmp(expect, "100-continue") == 0 && version &&
			strcmp(version, MHD_HTTP_VERSION_1_1) == 0;

	int rc = c->http->opts.resolve(req, &c->route);
	req->route_data = c->route.data;
	if (rc != 0 || c->has_resp) {
		if (!c->has_resp)
			ar_resp_text(req, 500, "internal error: request not routed\n");
		return answer_early(c);
	}
	if (!c->route.handler) {
		ar_resp_text(req, 500, "internal error: route without handler\n");
		return answer_early(c);
	}
	if (c->declared > c->route.max_body) {
		ar_resp_text(req, 413, "request body too large (limit %llu bytes)\n",
			     (unsigned long long)c->route.max_body);
		return answer_early(c);
	}
	const char *ce = ar_req_header(req, MHD_HTTP_HEADER_CONTENT_ENCODING);
	if (c->has_body && c->route.body_mode == AR_BODY_MEMORY && ce && !is_gzip(ce) &&
	    strcasecmp(ce, "identity") != 0) {
		ar_resp_text(req, 415, "unsupported Content-Encoding %s\n", ce);
		return answer_early(c);
	}
	if (c->route.precheck) {
		c->route.precheck(req);
		if (c->has_resp)
			return answer_early(c);
	}
	if (body_start(c) != 0) {
		ar_resp_text(req, 500, "internal error: cannot store the request body\n");
		return answer_early(c);
	}
	c->phase = AR_PHASE_BODY;
	return MHD_YES;
}

static enum MHD_Result on_body_complete(struct ar_http_conn *c)
{
	struct ar_req *req = &c->req;
	int rc = 0;
	if (c->is_too_big) {
		/* The client sent more than the cap without announcing it; do not trust it with more. */
		ar_resp_header(req, MHD_HTTP_HEADER_CONNECTION, "close");
		ar_resp_text(req, 413, "request body too large (limit %llu bytes)\n",
			     (unsigned long long)c->route.max_body);
	} else if (c->has_failed || (rc = body_finish(c)) == AR_ERROR) {
		ar_resp_text(req, 500, "internal error: cannot store the request body\n");
	} else if (rc == AR_ETOOBIG) {
		ar_resp_text(req, 413, "decoded request body too large (limit %llu bytes)\n",
			     (unsigned long long)c->route.max_body);
	} else if (rc == AR_EINVAL) {
		ar_resp_text(req, 400, "malformed gzip request body\n");
	} else {
		rc = c->route.handler(req);
		if (rc != 0)
			ar_debug("http: handler for %s %s returned %d (request %s)", req->method, req->path, rc,
				 req->request_id);
		if (!c->has_resp) {
			ar_error("http: handler for %s %s queued no response (request %s)", req->method, req->path,
				 req->request_id);
			ar_resp_text(req, 500, "internal error: no response\n");
		}
	}
	return ar_http_conn_send(c);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *mhd, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct ar_http_conn *c = *con_cls;
	if (!c)
		return MHD_NO; /* on_uri always runs first; no context means MHD changed under us */
	switch (c->phase) {
	case AR_PHASE_NEW: return on_headers(c, method, version);
	case AR_PHASE_BODY:
		if (*upload_data_size > 0) {
			bool ok = body_data(c, upload_data, *upload_data_size);
			*upload_data_size = 0;
			return ok ? MHD_YES : MHD_NO;
		}
		return on_body_complete(c);
	case AR_PHASE_DISCARD:
		if (*upload_data_size > 0) {
			c->drained += *upload_data_size;
			*upload_data_size = 0;
			return c->drained <= DRAIN_MAX ? MHD_YES : MHD_NO;
		}
		return ar_http_conn_send(c);
	case AR_PHASE_DONE: break;
	}
	return MHD_NO;
}

/* --- the daemon --- */

int ar_http_start(struct ar_http **out, const struct ar_http_opts *opts, struct ar_err *err)
{
	*out = NULL;
	if (!opts->resolve)
		return ar_fail(err, AR_EINVAL, "http: no resolve function");
	const char *addr = opts->addr ? opts->addr : "127.0.0.1";
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(opts->port)};
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(opts->port)};
	const struct sockaddr *sa;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sa = (const struct sockaddr *)&sin;
	} else if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1) {
		sa = (const struct sockaddr *)&sin6;
		flags |= MHD_USE_IPv6;
	} else {
		return ar_fail(err, AR_EINVAL, "http: listen address %s is not an IP address", addr);
	}

	struct ar_http *h = ar_xcalloc(1, sizeof *h);
	h->opts = *opts;
	h->opts.addr = ar_xstrdup(addr);
	const char *tmp = getenv("TMPDIR");
	h->opts.spool_dir = ar_xstrdup(opts->spool_dir ? opts->spool_dir : tmp && *tmp ? tmp : "/tmp");
	atomic_init(&h->is_stopping, false);
	atomic_init(&h->is_running, false);
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->idle, &ca);
	pthread_condattr_destroy(&ca);

	unsigned max_conn = opts->max_connections ? opts->max_connections : DEFAULT_MAX_CONNECTIONS;
	/* The logger goes first so MHD reports problems with the later options through it. MHD's default
	   SO_REUSEADDR is kept; MHD_OPTION_LISTENING_ADDRESS_REUSE would add SO_REUSEPORT and let a second
	   server silently share the port. */
	h->daemon = MHD_start_daemon(flags, opts->port, NULL, NULL, on_access, h, MHD_OPTION_EXTERNAL_LOGGER,
				     mhd_logger, h, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_CONNECTION_LIMIT,
				     max_conn, MHD_OPTION_CONNECTION_TIMEOUT, opts->timeout_s,
				     MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY, MHD_OPTION_END);
	if (!h->daemon) {
		int e = errno;
		ar_http_stop(h);
		return ar_fail(err, AR_EUNAVAIL, "http: cannot listen on %s port %u: %s", addr, (unsigned)opts->port,
			       e ? strerror(e) : "libmicrohttpd refused the options");
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di ? di->port : opts->port;
	atomic_store(&h->is_running, true);
	*out = h;
	return 0;
}

uint16_t ar_http_port(const struct ar_http *h)
{
	return h->port;
}

void ar_http_stop(struct ar_http *h)
{
	if (!h)
		return;
	if (h->daemon) {
		atomic_store(&h->is_stopping, true);
		MHD_socket listen_fd = MHD_quiesce_daemon(h->daemon);
		/* Quiesced, MHD no longer accepts, but the kernel would still complete handshakes into the
		   backlog and leave those clients hanging. shutdown() makes new connects fail at once while
		   the descriptor stays valid for MHD's threads; it is closed after MHD_stop_daemon. */
		if (listen_fd != MHD_INVALID_SOCKET)
			shutdown(listen_fd, SHUT_RDWR);
		struct timespec deadline;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += STOP_WAIT_MS / 1000;
		pthread_mutex_lock(&h->lock);
		while (h->n_inflight > 0) {
			if (pthread_cond_timedwait(&h->idle, &h->lock, &deadline) == ETIMEDOUT) {
				ar_warn("http: stopping with %u request(s) still in flight", h->n_inflight);
				break;
			}
		}
		pthread_mutex_unlock(&h->lock);
		/* Closes idle keep-alive connections and joins every connection thread. */
		MHD_stop_daemon(h->daemon);
		if (listen_fd != MHD_INVALID_SOCKET)
			close(listen_fd);
	}
	pthread_cond_destroy(&h->idle);
	pthread_mutex_destroy(&h->lock);
	free((char *)h->opts.addr);
	free((char *)h->opts.spool_dir);
	free(h);
}
