/* repo/disttags.h - npm dist-tags: named pointers from a package to one of its versions */
#ifndef AR_REPO_DISTTAGS_H
#define AR_REPO_DISTTAGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

struct ar_disttag {
	const char *tag;
	const char *version;
};

/* Every tag of a package ordered by tag name (arena memory; *n may be 0). */
int ar_disttags_list(struct ar_disttag **out, size_t *n, struct ar_dbc *db, struct ar_arena *a, int64_t package_id,
		     struct ar_err *err);

/* The version a tag points at (arena memory); AR_ENOTFOUND when the package has no such tag. */
int ar_disttags_get(const char **version, struct ar_dbc *db, struct ar_arena *a, int64_t package_id, const char *tag,
		    struct ar_err *err);

/* --- writes, inside the caller's write transaction; each marks the package changed --- */

/* Points tag at version (creating or moving it). The caller has checked that the version exists. */
int ar_disttags_set(struct ar_dbc *db, int64_t package_id, const char *tag, const char *version, struct ar_err *err);

/* Removes a tag; AR_ENOTFOUND when the package has no such tag. */
int ar_disttags_remove(struct ar_dbc *db, int64_t package_id, const char *tag, struct ar_err *err);

/* Removes every tag pointing at version (its version is going away); *removed (may be NULL) gets the count. */
int ar_disttags_remove_version(struct ar_dbc *db, int64_t package_id, const char *version, size_t *removed,
			       struct ar_err *err);

#endif
