/* http/http_int.h - state shared by the server (server.c) and the response builders (response.c) */
#ifndef AR_HTTP_HTTP_INT_H
#define AR_HTTP_HTTP_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "core/buf.h"
#include "http/http.h"

struct ar_http {
	struct MHD_Daemon *daemon;
	struct ar_http_opts opts; /* addr and spool_dir point at our own copies */
	uint16_t port;
	atomic_bool is_running;	 /* MHD started; its messages are then mostly about single clients */
	atomic_bool is_stopping; /* responses then carry Connection: close */
	pthread_mutex_t lock;
	pthread_cond_t idle; /* signalled when n_inflight drops to 0 */
	unsigned n_inflight; /* requests between URI parse and completion; guarded by lock */
	/* Counters for ar_http_stats, updated with atomics (no lock on the request path). */
	unsigned long by_class[6];
	unsigned long n_aborted;
	unsigned long latency[AR_HTTP_LATENCY_BUCKETS + 1]; /* per bucket, not cumulative; the last: slower than all */
	uint64_t latency_sum_us;
	unsigned long long bytes_sent;
};

/* A response header added before the body call, applied when the MHD response is built. */
struct ar_resp_hdr {
	struct ar_resp_hdr *next;
	const char *name, *value;
};

enum ar_conn_phase {
	AR_PHASE_NEW,	  /* request line parsed, access handler not called yet */
	AR_PHASE_DISCARD, /* answered from the headers; any body is read and dropped, the answer goes
			     out on MHD's final call */
	AR_PHASE_BODY,	  /* reading the body */
	AR_PHASE_DONE,	  /* response handed to MHD */
};

/* Per-request state, allocated in the request arena (struct ar_req.conn). */
struct ar_http_conn {
	struct ar_http *http;
	struct MHD_Connection *mhd;
	struct ar_req req;
	struct ar_route route;
	enum ar_conn_phase phase;
	int64_t start_us;	/* ar_mono_us at the request line */
	const char *log_method; /* as the client sent it (HEAD stays HEAD) */

	/* response */
	bool has_resp;		   /* a body call happened */
	struct MHD_Response *resp; /* built, not yet queued */
	int status;
	uint64_t resp_len; /* body bytes: the size, or for streams the bytes produced so far */
	struct ar_resp_hdr *headers, **headers_tail;

	/* request body */
	bool has_body;	   /* Content-Length > 0 or chunked */
	bool has_expect;   /* Expect: 100-continue: the client waits before sending the body */
	uint64_t declared; /* Content-Length, 0 when chunked */
	bool is_too_big;   /* passed route.max_body; the rest is drained, then 413 */
	bool has_failed;   /* spool write failed; the rest is drained, then 500 */
	uint64_t received, drained;
	struct ar_buf mem;
	struct ar_hasher *hasher;
	int spool_fd; /* write side of the temp file while the body arrives */
	bool is_detached;
};

/* Adds X-Request-Id (and Connection: close while stopping) and queues the built response, or a 500 if
   none was built. Returns MHD_NO when MHD refused it (the connection is then closed). */
enum MHD_Result ar_http_conn_send(struct ar_http_conn *c);

#endif
