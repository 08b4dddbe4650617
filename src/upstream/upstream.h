/* upstream/upstream.h - external connections: the pull-through cache engine the formats call */
#ifndef AR_UPSTREAM_UPSTREAM_H
#define AR_UPSTREAM_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/err.h"
#include "store/blob.h"
#include "store/db.h"
#include "upstream/breaker.h"

/* How it behaves (fresh / stale / revalidating, single-flight, breaker): docs/internals/UPSTREAM.md.
   One engine per process, shared by every thread. Formats name a connection ("public:npmjs") and a
   path below its configured base URL; the engine never parses what it fetches. */
struct ar_upstream;

/* The header a format adds when it answers from a stale copy (value: ar_upstream_stale_header). */
#define AR_UPSTREAM_STALE_HEADER "X-Arca-Stale"

struct ar_upstream_opts {
	int64_t metadata_ttl_ms;	 /* metadata younger than this is answered without asking upstream */
	int64_t negative_ttl_ms;	 /* a 404 is remembered this long */
	unsigned connect_timeout_ms;	 /* TCP + TLS connect */
	unsigned metadata_timeout_ms;	 /* a whole metadata request */
	unsigned file_stall_ms;		 /* a file download bringing under file_min_speed bytes/s for this long
					    is dropped (no total limit for files) */
	unsigned file_min_speed;	 /* bytes per second */
	uint64_t max_metadata;		 /* bytes of one metadata document */
	uint64_t max_file;		 /* bytes of one file */
	unsigned breaker_failures;	 /* consecutive upstream failures that open a connection's breaker */
	int64_t breaker_cooldown_ms;	 /* first open period; doubles on each failed probe... */
	int64_t breaker_max_cooldown_ms; /* ...up to this */
};

/* Fills o from the upstream_* configuration keys (defaults in core/config.c, documented in README). */
void ar_upstream_opts_from_config(struct ar_upstream_opts *o, const struct ar_config *cfg);

/* A new engine. cfg (for connection URLs), db (the pool its tables live in) and blobs are borrowed
   and must outlive it. opts NULL = from cfg. AR_ERROR when libcurl cannot be set up. Free with
   ar_upstream_free (NULL ok) once no call is running. */
int ar_upstream_new(struct ar_upstream **out, const struct ar_config *cfg, struct ar_db *db, struct ar_blobs *blobs,
		    const struct ar_upstream_opts *opts, struct ar_err *err);
void ar_upstream_free(struct ar_upstream *u);

/* The base URL configured for an external connection (borrowed from cfg). AR_EUNAVAIL when none is
   configured, with a message naming the three ways to set it. Never log the URL unredacted: it may
   carry credentials (fetch.h ar_url_redact). */
int ar_upstream_base_url(const char **url, const struct ar_config *cfg, const char *connection, struct ar_err *err);

/* What to fetch. */
struct ar_upstream_req {
	const char *connection; /* "public:npmjs"; [a-z0-9:._-], at most 63 characters */
	const char *path;	/* below the base URL, percent-encoded as it must be sent ("lodash",
				   "@types%2fnode", "simple/requests/"); a leading '/' is ignored */
	const char *accept;	/* metadata: Accept header, part of the cache key; NULL sends none */
	const char *digest;	/* files: the digest the metadata promised (upstream/digest.h forms:
				   "sha512-<base64>", "sha256=<hex>", bare hex); NULL checks nothing */
};

enum ar_upstream_source {
	AR_UPSTREAM_CACHE,	 /* from the cache; upstream was not asked (or failed: see is_stale) */
	AR_UPSTREAM_FETCHED,	 /* upstream just sent it (200, or 404 for a negative answer) */
	AR_UPSTREAM_REVALIDATED, /* upstream just confirmed the cached copy (304) */
};

/* A metadata answer: plain data, the caller's own copy. */
struct ar_upstream_meta {
	int status;		/* 200, or 404 (upstream said there is no such thing) */
	char sha256[65];	/* 200: the body's blob key; "" for 404 */
	uint64_t size;		/* body bytes */
	char content_type[128]; /* as upstream sent it; "" when unknown */
	char etag[256];		/* upstream's validators; "" when none */
	char last_modified[64];
	int64_t fetched_ms; /* wall-clock ms when upstream last sent or confirmed this answer */
	enum ar_upstream_source source;
	bool is_stale;		/* past its TTL, served because upstream failed (add the stale header) */
	char stale_reason[256]; /* why, for logs (redacted); "" when not stale */
};

/* The db argument of the two calls below: NULL, or the address of the connection the caller holds
   from the same pool, with no transaction open. A cache hit uses it. A miss gives it back to the pool
   before waiting on upstream or on another caller and takes one again before returning, so *db may
   change: slow upstreams never pin database connections. The engine's own writes are short cache
   transactions (ar_dbc_begin_cache: no sync of their own; a power loss may lose the last, which costs a
   request upstream). */

/* Package metadata (npm packument, PyPI simple page, ...) through the cache: within the TTL from the
   cache, after it revalidated with If-None-Match / If-Modified-Since, on upstream failure the stale
   copy. Concurrent callers for one (connection, path, accept) share one upstream request.
   0: out->status 200, body in blob out->sha256 (ar_upstream_read_body, or ar_blob_open to send it).
   AR_ENOTFOUND: upstream says 404 (out filled, status 404). AR_ETIMEOUT: upstream did not answer
   within the metadata timeout and nothing is cached. AR_EUNAVAIL: upstream failed otherwise, its
   breaker is open or it has no URL, and nothing is cached. AR_ETOOBIG: larger than max_metadata
   and nothing cached. AR_EINVAL: bad req. AR_ERROR: local (database, disk). */
int ar_upstream_get_meta(struct ar_upstream *u, struct ar_dbc **db, struct ar_upstream_meta *out,
			 const struct ar_upstream_req *r, struct ar_err *err);

/* Reads a 200 answer's body into arena memory (NUL-terminated) for parsing. AR_ERROR when its blob
   is gone, AR_ETOOBIG past max_metadata. */
int ar_upstream_read_body(struct ar_upstream *u, const struct ar_upstream_meta *m, struct ar_arena *a, char **data,
			  size_t *len, struct ar_err *err);

/* The AR_UPSTREAM_STALE_HEADER value for a stale answer, e.g. "upstream unavailable; served from
   cache fetched at 2024-01-02T03:04:05.000Z", into out[cap]. */
void ar_upstream_stale_header(char *out, size_t cap, const struct ar_upstream_meta *m);

/* A file answer. */
struct ar_upstream_file {
	struct ar_hashes hashes;	/* md5, sha1, sha256 (the blob key), sha512, size */
	char content_type[128];		/* as upstream sent it; "" when unknown */
	enum ar_upstream_source source; /* CACHE: kept from an earlier fetch; FETCHED: just downloaded */
};

/* An immutable file (tarball, wheel, jar, crate): fetched once, verified against r->digest, stored in
   the blob store and kept; later calls for the same (connection, path) answer from the store without
   asking upstream. Concurrent callers share one download; db as above. 0: the bytes are in
   blob out->hashes.sha256. AR_EINVAL: digest mismatch (nothing stored) or bad req/digest.
   AR_ENOTFOUND: upstream 404/410 (not cached). AR_ETIMEOUT: the connect timed out or the transfer
   stalled. AR_EUNAVAIL: upstream failed otherwise, its breaker is open or it has no URL. AR_ETOOBIG: larger than
   max_file. AR_ERROR: local. */
int ar_upstream_fetch_file(struct ar_upstream *u, struct ar_dbc **db, struct ar_upstream_file *out,
			   const struct ar_upstream_req *r, struct ar_err *err);

/* A request passed through to upstream as it is (npm audit): never cached or coalesced, each call is
   one request. */
struct ar_upstream_post {
	const char *connection;	  /* as in ar_upstream_req */
	const char *path;	  /* as in ar_upstream_req */
	const char *content_type; /* of body */
	const char *accept;	  /* NULL sends none */
	const void *body;
	size_t len;
};

/* Upstream's answer to a pass-through request. */
struct ar_upstream_answer {
	long status;		/* what upstream answered; 0 when no answer arrived */
	char content_type[128]; /* as upstream sent it; "" when unknown */
	char *body;		/* arena memory, NUL-terminated ("" when none), whatever the status */
	size_t len;
	int gateway_status; /* when the call fails: what a gateway answers - 504 (upstream timed out),
			       503 (no URL configured, breaker open), else 502 */
};

/* POSTs r->body to r->path below the connection's base URL (decoding a gzip'd answer), with the
   metadata timeout and size cap. 0 when upstream answered with a status below 500 other than 429:
   the status, type and body are in *out for the caller to relay. AR_EUNAVAIL when it did not answer,
   timed out, answered 5xx or 429, its breaker is open or it has no URL; AR_ETOOBIG past
   max_metadata; AR_EINVAL for a bad request. Failures count towards the connection's breaker like
   metadata fetches; messages name the URL redacted. */
int ar_upstream_post(struct ar_upstream *u, struct ar_upstream_answer *out, const struct ar_upstream_post *r,
		     struct ar_arena *a, struct ar_err *err);

/* Per-connection counters since start, for /metrics. */
struct ar_upstream_stats {
	char connection[64];
	unsigned long requests;		 /* get_meta, fetch_file and post calls */
	unsigned long hits;		 /* answered from the cache without asking upstream */
	unsigned long coalesced;	 /* calls that shared another call's upstream request */
	unsigned long upstream_requests; /* HTTP requests sent upstream */
	unsigned long revalidations;	 /* of those, 304s: the cached copy was still good */
	unsigned long not_found;	 /* of those, 404/410s */
	unsigned long failures;		 /* of those, failed: transport error, timeout, 5xx, 429, unusable */
	unsigned long stale_serves;	 /* answers served stale because upstream failed */
	unsigned long rejected;		 /* requests not sent because the breaker was open */
	unsigned long digest_mismatches; /* files refused because their digest did not match */
	uint64_t bytes_fetched;		 /* body bytes received from upstream */
	enum ar_breaker_state breaker;
	unsigned long breaker_trips; /* times the breaker opened */
};

/* Copies the counters of up to cap connections (those used since start) into out; returns how many
   connections there are (may exceed cap). */
size_t ar_upstream_stats(struct ar_upstream *u, struct ar_upstream_stats *out, size_t cap);

/* The counters of one connection; AR_ENOTFOUND when it has not been used. */
int ar_upstream_stats_of(struct ar_upstream *u, const char *connection, struct ar_upstream_stats *out);

/* Calls now waiting for another call's upstream request (all connections; tests and metrics). */
size_t ar_upstream_waiting(struct ar_upstream *u);

#endif
