/* core/config.h - server configuration from file, environment (ARCA_*) and flags, in that order */
#ifndef AR_CORE_CONFIG_H
#define AR_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define AR_MAX_EXTERNALS 32

/* An external connection name (public:npmjs) and the base URL it maps to. */
struct ar_external {
	char *name;
	char *url;
};

struct ar_config {
	char *listen_addr;    /* "127.0.0.1" */
	uint16_t listen_port; /* 8080 */
	char *data_dir;	      /* "./data" */
	char *database;	      /* "" = sqlite at DATA/arca.db; later a postgres:// URL */
	char *region;	      /* region in ARNs and the one written to admin-credentials */
	char *public_url;     /* base URL for endpoints; "" = scheme and Host of the request */
	char *log_level;      /* debug|info|warn|error */
	char *master_key;     /* hex master key; "" = read or create DATA/master.key */
	bool access_log;      /* one line per request */
	bool metrics;	      /* GET /metrics answers */
	char *metrics_token;  /* "" = /metrics needs no credentials; else Bearer this */
	unsigned max_connections;
	unsigned request_timeout_s;  /* idle connection timeout */
	unsigned sigv4_skew_s;	     /* accepted clock skew for SigV4 */
	uint64_t max_api_body;	     /* JSON bodies on /v1 */
	uint64_t max_upload_body;    /* package uploads */
	uint64_t render_cache_bytes; /* memory for rendered indexes */
	/* External connections (src/upstream/). Durations are milliseconds; the file takes seconds or
	   "250ms". */
	uint32_t upstream_metadata_ttl_ms;	   /* metadata served from cache without asking upstream */
	uint32_t upstream_negative_ttl_ms;	   /* a 404 from upstream is remembered this long */
	uint32_t upstream_connect_timeout_ms;	   /* TCP + TLS connect */
	uint32_t upstream_metadata_timeout_ms;	   /* a whole metadata request */
	uint32_t upstream_file_stall_ms;	   /* a file download slower than 1 KiB/s over this long is dropped */
	uint64_t upstream_max_metadata;		   /* bytes of one metadata document */
	uint64_t upstream_max_file;		   /* bytes of one file */
	uint32_t upstream_breaker_failures;	   /* consecutive failures that open a connection's breaker */
	uint32_t upstream_breaker_cooldown_ms;	   /* first open period; doubles on each failed probe */
	uint32_t upstream_breaker_max_cooldown_ms; /* cap on that doubling */
	unsigned gc_interval_s;			   /* seconds between blob garbage collections; 0 = never in serve */
	unsigned gc_grace_s;			   /* blobs put less than this long ago are never collected */
	struct ar_external externals[AR_MAX_EXTERNALS];
	size_t n_externals;
};

/* Fills defaults. */
void ar_config_init(struct ar_config *c);

/* Frees every string and zeroes c; ar_config_init it again to reuse it. */
void ar_config_release(struct ar_config *c);

/* Reads "key = value" lines ('#' comments; "external.NAME = URL"); AR_EINVAL naming file:line on error. */
int ar_config_load_file(struct ar_config *c, const char *path, struct ar_err *err);

/* Applies ARCA_<KEY> environment variables (ARCA_EXTERNAL_PUBLIC_NPMJS for externals). */
int ar_config_load_env(struct ar_config *c, struct ar_err *err);

/* Sets one key by its file name (listen, data, region, ...); AR_EINVAL for unknown keys or bad values. */
int ar_config_set(struct ar_config *c, const char *key, const char *value, struct ar_err *err);

/* The URL configured for an external connection name, or NULL. */
const char *ar_config_external(const struct ar_config *c, const char *name);

#endif
