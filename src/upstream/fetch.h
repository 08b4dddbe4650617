/* upstream/fetch.h - HTTP GETs (and pass-through POSTs) to upstream registries over libcurl, with reused
   connections */
#ifndef AR_UPSTREAM_FETCH_H
#define AR_UPSTREAM_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"

/* Shared DNS and TLS-session caches plus a pool of idle curl handles (each keeping its live
   connections), for any number of threads. */
struct ar_fetcher;

/* A new fetcher; AR_ERROR when libcurl cannot be set up. Free with ar_fetcher_free (NULL ok). */
int ar_fetcher_new(struct ar_fetcher **out, struct ar_err *err);
void ar_fetcher_free(struct ar_fetcher *f);

struct ar_fetch_opts {
	/* http:// or https://, optionally with user:password@ (percent-encoded), which is sent as
	   Basic auth to that host only and never appears in a message or log line. */
	const char *url;
	const char *accept;	       /* Accept header; NULL sends none */
	const char *if_none_match;     /* an ETag from an earlier answer, for a conditional GET */
	const char *if_modified_since; /* a Last-Modified from an earlier answer */
	bool is_decoded;	       /* ask for gzip and decode it (metadata); files arrive as stored */
	unsigned connect_timeout_ms;   /* 0 = 5000 */
	unsigned timeout_ms;	       /* the whole transfer; 0 = no limit */
	unsigned stall_ms;	       /* drop a transfer that brings fewer than min_speed bytes/s over this
					  long (files); 0 = off */
	unsigned min_speed;	       /* bytes per second for stall_ms; 0 = 1 */
	uint64_t max_bytes;	       /* largest body accepted; 0 = 1 GiB */
	const char *tmp_dir;	       /* set: a 2xx body goes to a new temp file there, hashed while it
					  arrives; NULL: it is kept in memory */
	const void *post_body;	       /* set: POST these bytes instead of a GET (301/302 keep the POST) */
	size_t post_len;
	const char *content_type; /* Content-Type of post_body */
	bool is_keeping_errors;	  /* memory mode: keep the body of any final status, not only 2xx */
};

struct ar_fetch_res {
	long status;		 /* the final HTTP status after redirects */
	char *etag;		 /* heap; NULL when absent */
	char *last_modified;	 /* heap; NULL when absent */
	char *content_type;	 /* heap; NULL when absent */
	uint64_t len;		 /* body bytes kept (2xx only; other bodies are dropped) */
	struct ar_buf body;	 /* memory mode: the 2xx body, NUL-terminated */
	char *tmp_path;		 /* file mode: the temp file holding a 2xx body; release unlinks it unless
				    the caller took it (set it to NULL after renaming) */
	struct ar_hashes hashes; /* file mode: every digest of the body */
};

/* GETs (or POSTs) o->url, following up to 5 redirects (http and https only). 0 when an HTTP answer
   arrived, whatever its status (read res->status); AR_ETIMEOUT when none came in time (connect or
   total timeout, stall), AR_EUNAVAIL when none did otherwise (refused, DNS, TLS, reset), AR_ETOOBIG
   past max_bytes, AR_EINVAL for a URL that is not http(s), AR_ERROR for a local failure. res is
   always initialised: release it with ar_fetch_res_release. */
int ar_fetch(struct ar_fetcher *f, struct ar_fetch_res *res, const struct ar_fetch_opts *o, struct ar_err *err);

/* Frees res and removes its temp file if the caller did not take it. */
void ar_fetch_res_release(struct ar_fetch_res *res);

/* Copies url into out[cap] with any user:password@ replaced by "***@": the only form in which a
   connection URL may be logged or put in an error. Truncates to fit. */
void ar_url_redact(char *out, size_t cap, const char *url);

#endif
