/* auth/keys.h - the server master key and the purpose keys derived from it */
#ifndef AR_AUTH_KEYS_H
#define AR_AUTH_KEYS_H

#include "core/config.h"
#include "core/ctx.h"
#include "core/err.h"

/* Loads the master key from cfg->master_key (64 hex digits) or DATA_DIR/master.key, creating the
   file (mode 0600, random) on first start, and derives the purpose keys. Every node of a cluster
   must share the master key (set master_key in the config). */
int ar_keys_load(struct ar_keys *out, const struct ar_config *cfg, struct ar_err *err);

/* Derives the purpose keys from raw master bytes (exposed for tests). */
void ar_keys_derive(struct ar_keys *out, const unsigned char master[32]);

#endif
