/* core/text.h - percent-encoding, query strings, and small string checks */
#ifndef AR_CORE_TEXT_H
#define AR_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

/* Percent-decodes len bytes into arena memory (NUL-terminated); '+' stays '+'.
   NULL when a %XX escape is malformed or decodes to NUL. *out_len may be NULL. */
char *ar_pct_decode(struct ar_arena *a, const char *s, size_t len, size_t *out_len);

/* Percent-encodes with the RFC 3986 unreserved set (A-Z a-z 0-9 - _ . ~) kept, uppercase hex.
   keep_slash also keeps '/' (for paths). */
char *ar_pct_encode(struct ar_arena *a, const char *s, size_t len, bool keep_slash);

/* One decoded query parameter. */
struct ar_param {
	const char *name;
	const char *value;
};

/* A parsed query string: decoded name/value pairs in the order received. */
struct ar_query {
	struct ar_param *params;
	size_t n_params;
};

/* Parses a raw query (no leading '?'); AR_EINVAL on a malformed escape, AR_ETOOBIG past 256 params. */
int ar_query_parse(struct ar_query *q, struct ar_arena *a, const char *raw);

/* The first value for name, or NULL. */
const char *ar_query_get(const struct ar_query *q, const char *name);

/* How many times name appears (a repeated scalar parameter is an error for the API). */
size_t ar_query_count(const struct ar_query *q, const char *name);

/* Parses a whole decimal int64 (optional leading '-'); false on junk, empty, or overflow. */
bool ar_parse_i64(const char *s, int64_t *out);

/* True when every byte is printable ASCII or UTF-8 (no C0/C1 controls, no DEL), and valid UTF-8. */
bool ar_is_printable_utf8(const char *s, size_t len);

/* True for a URL path segment that is "." or ".." once %2e is decoded: a URL normaliser would
   climb out of a base URL's path with it. */
bool ar_is_dot_segment(const char *seg, size_t len);

/* True when the string is valid UTF-8 and contains no whitespace or control characters. */
bool ar_is_nonspace_utf8(const char *s, size_t len);

#endif
