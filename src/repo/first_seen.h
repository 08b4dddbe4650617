/* repo/first_seen.h - when Arca first saw a version or file in an external connection's metadata */
#ifndef AR_REPO_FIRST_SEEN_H
#define AR_REPO_FIRST_SEEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "repo/package.h"
#include "store/db.h"

/* The cooldown's clock for upstream versions (npm) or files (PyPI) that carry no publish time: their
   age counts from the first time Arca saw them in the connection's metadata (docs/internals/UPSTREAM.md,
   "First seen"). Rows are keyed by connection, not repository: they describe the upstream. */
struct ar_first_seen {
	const char *version;
	const char *file; /* "" where the format judges whole versions (npm) */
	int64_t seen_ms;  /* out */
};

/* For each of items[0..*n) (package k of connection), when it was first seen; those never seen before
   are recorded as seen at now_ms, all in one write transaction and only when there are any, so a
   document whose items are all known costs one read. Sorts items (for ar_first_seen_find) and drops
   duplicates (*n becomes the count kept). db must have no transaction open. On failure (AR_EUNAVAIL
   when the database stayed locked, AR_ERROR) every item not read has seen_ms = now_ms: held back as
   if just seen. */
int ar_first_seen_note(struct ar_dbc *db, const char *connection, const struct ar_pkg_key *k,
		       struct ar_first_seen *items, size_t *n, int64_t now_ms, struct ar_err *err);

/* The item (version, file) of items sorted by ar_first_seen_note, or NULL. */
const struct ar_first_seen *ar_first_seen_find(const struct ar_first_seen *items, size_t n, const char *version,
					       const char *file);

#endif
