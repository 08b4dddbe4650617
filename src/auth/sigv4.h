/* auth/sigv4.h - AWS Signature Version 4: parse, verify (server) and sign (CLI client) */
#ifndef AR_AUTH_SIGV4_H
#define AR_AUTH_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"

/* Why a signature was refused; each maps to one AWS error code at the API edge. */
enum ar_sigv4_fault {
	AR_SIGV4_OK = 0,
	AR_SIGV4_MISSING,    /* no Authorization header: MissingAuthenticationTokenException */
	AR_SIGV4_INCOMPLETE, /* malformed header or missing X-Amz-Date: IncompleteSignatureException */
	AR_SIGV4_MISMATCH,   /* signature differs: InvalidSignatureException */
	AR_SIGV4_EXPIRED,    /* clock skew beyond the window: InvalidSignatureException "Signature expired" */
	AR_SIGV4_UNKNOWN_KEY /* set by the caller when the key id is unknown: UnrecognizedClientException */
};

/* The parts of "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=..., Signature=..." */
struct ar_sigv4_auth {
	char access_key_id[129];
	char date[9]; /* YYYYMMDD from the credential scope */
	char region[64];
	char service[64];
	char signed_headers[2048]; /* "h1;h2;..." lowercase, sorted */
	char signature[65];	   /* 64 lowercase hex */
};

/* Reads one request header by lowercase name; NULL when absent. */
typedef const char *ar_sigv4_header_fn(void *cls, const char *lname);

/* The request as the server received it. */
struct ar_sigv4_request {
	const char *method;
	const char *path;      /* raw path, as received */
	const char *raw_query; /* raw query without '?', "" when none */
	ar_sigv4_header_fn *header;
	void *header_cls;
	const char *payload_sha256_hex; /* hex SHA-256 of the body as received */
};

/* Parses the Authorization header value; AR_EAUTH with fault INCOMPLETE on malformed input. */
int ar_sigv4_parse(struct ar_sigv4_auth *out, const char *authorization, enum ar_sigv4_fault *fault,
		   struct ar_err *err);

/* Builds the canonical request exactly as botocore does (ref §3.1), appending to out. The payload hash
   is the x-amz-content-sha256 header when present (botocore signs it whenever it sends it), else
   payload_sha256_hex (NULL = empty body). AR_EAUTH when a signed header is absent, AR_EINVAL on a
   malformed query escape, AR_ETOOBIG past the input bounds. */
int ar_sigv4_canonical_request(struct ar_buf *out, const struct ar_sigv4_request *req, const char *signed_headers,
			       struct ar_err *err);

/* Verifies a parsed signature with the key's secret: service must be "codeartifact", the scope date
   must equal X-Amz-Date's, |now - X-Amz-Date| <= skew_s, and every signed header must be present.
   AR_EAUTH with *fault set on failure; compares in constant time. */
int ar_sigv4_verify(const struct ar_sigv4_request *req, const struct ar_sigv4_auth *auth, const char *secret,
		    time_t now, unsigned skew_s, enum ar_sigv4_fault *fault, struct ar_err *err);

/* Client side: a header to sign (name in any case; value as sent). */
struct ar_sigv4_header {
	const char *name;
	const char *value;
};

/* Computes the Authorization header value for a request about to be sent. headers must include
   host and x-amz-date (and x-amz-security-token when used); all of them are signed.
   Result (in out) is the full "AWS4-HMAC-SHA256 Credential=..." string. */
int ar_sigv4_sign(struct ar_buf *out, const char *method, const char *path, const char *raw_query,
		  const struct ar_sigv4_header *headers, size_t n_headers, const char *payload_sha256_hex,
		  const char *access_key_id, const char *secret, const char *region, const char *service,
		  struct ar_err *err);

/* ar_sigv4_sign that also appends the canonical request and the string to sign to the two buffers
   (either may be NULL), for `--debug`; neither contains the secret. */
int ar_sigv4_sign_debug(struct ar_buf *out, struct ar_buf *canonical_out, struct ar_buf *sts_out, const char *method,
			const char *path, const char *raw_query, const struct ar_sigv4_header *headers,
			size_t n_headers, const char *payload_sha256_hex, const char *access_key_id, const char *secret,
			const char *region, const char *service, struct ar_err *err);

#endif
