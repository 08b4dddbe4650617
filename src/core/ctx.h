/* core/ctx.h - the process-wide services a request can reach, passed down explicitly */
#ifndef AR_CORE_CTX_H
#define AR_CORE_CTX_H

#include "core/config.h"

struct ar_db;
struct ar_blobs;
struct ar_cache;
struct ar_upstream;

/* Keys derived from the master key; each purpose gets its own. */
struct ar_keys {
	unsigned char token[32];   /* HMAC key for authorization tokens */
	unsigned char secrets[32]; /* AES-256-GCM key for access-key secrets at rest */
};

struct ar_ctx {
	const struct ar_config *cfg;
	struct ar_db *db;
	struct ar_blobs *blobs;
	struct ar_cache *render_cache; /* rendered indexes (packuments, simple pages), keyed with a version */
	struct ar_upstream *upstream;  /* pull-through fetches for external connections */
	struct ar_keys keys;
};

#endif
