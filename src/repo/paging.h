/* repo/paging.h - opaque pagination tokens (max-results / next-token) over a sort key */
#ifndef AR_REPO_PAGING_H
#define AR_REPO_PAGING_H

#include "core/arena.h"
#include "core/err.h"

/* Encodes the last key of a page as an opaque token bound to a listing kind ("domains", ...). */
char *ar_page_token(struct ar_arena *a, const char *kind, const char *last_key);

/* Decodes a token produced for kind; NULL token gives NULL key. AR_EINVAL when it is not ours. */
int ar_page_key(const char **key, struct ar_arena *a, const char *kind, const char *token, struct ar_err *err);

/* Checks an optional max-results value (NULL = default) against 1..1000; stores the limit. */
int ar_page_limit(int *limit, const char *raw, int default_limit, struct ar_err *err);

#endif
