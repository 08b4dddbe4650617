/* http/http.h - the HTTP server on libmicrohttpd: requests, routes, bodies, responses */
#ifndef AR_HTTP_HTTP_H
#define AR_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"

struct ar_http;
struct ar_http_conn;

/* Where a request body goes while it arrives. */
enum ar_body_mode {
	AR_BODY_MEMORY, /* kept in arena memory (JSON, small forms); gzip content-encoding is decoded */
	AR_BODY_SPOOL,	/* streamed to a temp file in the spool dir while every digest is computed; stored as
			   received, whatever its Content-Encoding */
};

struct ar_body {
	uint64_t len;
	char *data;		  /* MEMORY: the bytes, NUL-terminated; NULL for SPOOL */
	int fd;			  /* SPOOL: read-only fd at offset 0; -1 otherwise; closed with the request */
	char *path;		  /* SPOOL: temp file, unlinked with the request unless ar_body_detach()ed */
	struct ar_hashes hashes;  /* SPOOL: md5/sha1/sha256/sha512 and size */
	unsigned char sha256[32]; /* both modes: SHA-256 of the body as received (SigV4 payload hash) */
	bool is_chunked;	  /* arrived with Transfer-Encoding: chunked */
	bool is_gunzipped;	  /* MEMORY: arrived with Content-Encoding: gzip; data/len hold the decoded
				     bytes (capped at max_body), sha256 still covers the bytes received */
};

struct ar_req {
	struct ar_arena *arena; /* freed when the response has been sent */
	void *app;		/* the application context given to ar_http_start */
	const char *method;	/* "GET", "PUT", ...; a HEAD request reads "GET" with is_head set */
	bool is_head;
	const char *path;	/* raw path as received, still percent-encoded, no query */
	const char *raw_query;	/* raw query string without '?', "" when none */
	const char *request_id; /* unique per request; sent back as X-Request-Id */
	const char *remote_addr;
	struct ar_body body;
	void *route_data;	   /* ar_route.data of the matched route */
	void *auth;		   /* set by the layer that authenticated the caller */
	struct ar_http_conn *conn; /* private to http/ */
};

/* What the application tells the server about a request once its headers are in. */
struct ar_route {
	/* Runs once the body is complete; must queue a response (ar_resp_*). Return value is logged only. */
	int (*handler)(struct ar_req *req);
	/* Optional, runs before any body byte is read. Queue a response here (e.g. 401) to answer
	   without reading the body; otherwise "100 Continue" goes out and the body is read. */
	int (*precheck)(struct ar_req *req);
	uint64_t max_body; /* bytes; a larger body gets 413 (0 = no body allowed beyond 0 bytes) */
	enum ar_body_mode body_mode;
	void *data; /* copied to req->route_data */
};

/* Fills *route for req (headers, method, path are readable). Return 0 to serve it, or queue a
   response (e.g. 404/405) and return non-zero to end the request there. */
typedef int ar_resolve_fn(struct ar_req *req, struct ar_route *route);

struct ar_http_opts {
	const char *addr;	  /* an IPv4 or IPv6 literal; NULL = "127.0.0.1" */
	uint16_t port;		  /* 0 = pick a free port (see ar_http_port) */
	const char *spool_dir;	  /* temp files for AR_BODY_SPOOL bodies; same filesystem as the blob store;
				     NULL = $TMPDIR or /tmp */
	unsigned max_connections; /* each is one thread; further connections are refused; 0 = 1000 */
	unsigned timeout_s;	  /* idle connection timeout; 0 = none */
	bool access_log;
	ar_resolve_fn *resolve;
	void *app;
};

/* Starts listening; the server answers from its own threads (one per connection) until ar_http_stop.
   AR_EINVAL for a bad address or missing resolve, AR_EUNAVAIL when the socket cannot be bound. */
int ar_http_start(struct ar_http **out, const struct ar_http_opts *opts, struct ar_err *err);

/* The port actually bound (useful with port 0). */
uint16_t ar_http_port(const struct ar_http *h);

/* Stops accepting (new connects are refused), lets in-flight requests finish (at most 30 s; their
   responses carry Connection: close), closes idle keep-alive connections, frees the server. NULL is ok. */
void ar_http_stop(struct ar_http *h);

/* Counters since start, for /metrics. Latency is from the request line to the last byte handed
   to the kernel, in the buckets of ar_http_latency_bounds_s (cumulative, Prometheus-style). */
#define AR_HTTP_LATENCY_BUCKETS 12
extern const double ar_http_latency_bounds_s[AR_HTTP_LATENCY_BUCKETS];
struct ar_http_stats {
	unsigned long requests[6]; /* by status class: [2] = 2xx ... [5] = 5xx; [0] = ended without an answer */
	unsigned long aborted;	   /* of those, ended early by the client or a timeout */
	unsigned long latency[AR_HTTP_LATENCY_BUCKETS]; /* requests done within bound i (cumulative) */
	unsigned long latency_count;			/* all requests timed (the +Inf bucket) */
	double latency_sum_s;
	unsigned long long bytes_sent; /* response bodies (HEAD and 304 count 0) */
	unsigned inflight;
};
void ar_http_stats(struct ar_http *h, struct ar_http_stats *out);

/* A request header by case-insensitive name, or NULL. */
const char *ar_req_header(const struct ar_req *req, const char *name);

/* The URL prefix clients reach this server at, without a trailing '/': configured when given
   (public_url non-empty), else the scheme (X-Forwarded-Proto) and Host of this request. Arena memory. */
const char *ar_req_base_url(struct ar_req *req, const char *public_url);

/* Hands the spooled temp file to the caller (who renames it); the request no longer unlinks it.
   The path is arena memory; NULL when the body was not spooled. */
char *ar_body_detach(struct ar_req *req);

/* --- responses: exactly one ar_resp_* body call per request; headers may be added before it. A
   second body call is a bug: it is logged and ignored (its fd closed, its free_cls run). --- */

/* Adds a response header (copied). An empty value is dropped: libmicrohttpd refuses those. */
void ar_resp_header(struct ar_req *req, const char *name, const char *value);

/* Bytes that live at least until the request ends (arena memory or static). */
void ar_resp_data(struct ar_req *req, int status, const char *content_type, const void *data, size_t len);

/* A printf-formatted text/plain body. */
void ar_resp_text(struct ar_req *req, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A JSON body (application/json), serialised now. */
void ar_resp_json(struct ar_req *req, int status, const json_t *body);

/* len bytes of fd from offset, sent with sendfile where possible; takes ownership of fd. */
void ar_resp_file(struct ar_req *req, int status, const char *content_type, int fd, uint64_t offset, uint64_t len);

/* Produces the body by calls to read(cls, pos, buf, max) returning bytes (0 = end, -1 = error);
   size may be UINT64_MAX when unknown (chunked). free_cls runs when the request ends, sent or not. */
typedef long ar_resp_read_fn(void *cls, uint64_t pos, char *buf, size_t max);
void ar_resp_stream(struct ar_req *req, int status, const char *content_type, uint64_t size, ar_resp_read_fn *read,
		    void *cls, void (*free_cls)(void *));

/* With the given strong ETag (bare, or already in quotes): sets the ETag header and, when
   If-None-Match lists it (weak comparison, W/ and "*" understood), queues 304 and returns true
   (the caller then sends nothing else). */
bool ar_resp_not_modified(struct ar_req *req, const char *etag);

/* True once a body call has queued a response. */
bool ar_resp_queued(const struct ar_req *req);

#endif
