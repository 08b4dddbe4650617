/* formats/dp_memo.h - what the data plane's precheck learnt, remembered per thread so a request
   on a kept-alive connection skips the token MAC and the database: a verified token's claims until
   it expires; domain and repository rows and authorisation decisions while the database's write
   generation (ar_db_generation) is unchanged, and never longer than AR_DP_MEMO_TTL_MS. */
#ifndef AR_FORMATS_DP_MEMO_H
#define AR_FORMATS_DP_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/token.h"
#include "core/arena.h"
#include "core/err.h"
#include "repo/repository.h"

/* A bound for changes the generation cannot see (someone editing the database file by hand). */
#define AR_DP_MEMO_TTL_MS 5000

/* The claims of a token this thread verified before, if it has not expired by now_s. Tokens are
   compared in constant time. */
bool ar_dp_memo_claims(struct ar_token_claims *out, const char *token, int64_t now_s);
void ar_dp_memo_claims_put(const char *token, const struct ar_token_claims *claims);

/* The rows of {owner}/{domain}/{repo} as of generation, copied into a. */
bool ar_dp_memo_rows(struct ar_domain *d, struct ar_repository *r, struct ar_arena *a, uint64_t generation,
		     const char *owner, const char *domain, const char *repo);
void ar_dp_memo_rows_put(uint64_t generation, const struct ar_domain *d, const struct ar_repository *r);

/* The decision for principal ("" when anonymous) doing action on resource as of generation: rc
   gets 0 (allowed) or AR_EDENIED, and err the denial's message. */
bool ar_dp_memo_decision(int *rc, struct ar_err *err, uint64_t generation, const char *principal, const char *action,
			 const char *resource);
void ar_dp_memo_decision_put(uint64_t generation, const char *principal, const char *action, const char *resource,
			     int rc, const struct ar_err *err);

/* A small value a handler derived from the database (at most AR_DP_MEMO_VALUE_MAX bytes), under
   key, as of generation (pass ar_dp.generation). len must match what was put. */
#define AR_DP_MEMO_VALUE_MAX 128
bool ar_dp_memo_value(void *out, size_t len, uint64_t generation, const char *key);
void ar_dp_memo_value_put(uint64_t generation, const char *key, const void *value, size_t len);

/* Forgets everything this thread remembers (tests). */
void ar_dp_memo_clear(void);

#endif
