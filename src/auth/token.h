/* auth/token.h - authorization tokens: self-contained, HMAC-signed, verifiable by any node */
#ifndef AR_AUTH_TOKEN_H
#define AR_AUTH_TOKEN_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

/* What a token says; every field is checked against the request where it is used. */
struct ar_token_claims {
	char account_id[13];	 /* the caller's 12-digit account */
	char principal_arn[257]; /* arn:aws:iam::ACCOUNT:user/NAME */
	char domain[51];	 /* the one domain the token is for */
	char domain_owner[13];
	int64_t issued_s; /* epoch seconds */
	int64_t expires_s;
};

/* Token lifetimes: 0 means the 12 h default; otherwise 900..43200 seconds. */
#define AR_TOKEN_MIN_S 900
#define AR_TOKEN_MAX_S 43200

/* Signs the claims with key; *out is arena memory of [A-Za-z0-9._-] only. AR_EINVAL on bad claims. */
int ar_token_mint(char **out, struct ar_arena *a, const unsigned char key[32], const struct ar_token_claims *claims,
		  struct ar_err *err);

/* Checks signature (constant time) and expiry against now_s; AR_EAUTH when tampered, malformed or
   expired (the message says which). Fills *claims on success. */
int ar_token_verify(struct ar_token_claims *claims, const unsigned char key[32], const char *token, int64_t now_s,
		    struct ar_err *err);

#endif
