/* repo/lifecycle.h - what happens to versions after publish: status changes, delete, dispose and copy
   (all or nothing, with per-version error codes), and package origin controls */
#ifndef AR_REPO_LIFECYCLE_H
#define AR_REPO_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "repo/domain.h"
#include "repo/package.h"
#include "repo/repository.h"
#include "store/db.h"

#define AR_MAX_LC_VERSIONS 100 /* versions named by one request (PackageVersionList) */

/* PackageVersionErrorCode, plus success. */
enum ar_lc_error {
	AR_LC_OK,
	AR_LC_ALREADY_EXISTS,
	AR_LC_MISMATCHED_REVISION,
	AR_LC_MISMATCHED_STATUS,
	AR_LC_NOT_ALLOWED,
	AR_LC_NOT_FOUND,
	AR_LC_SKIPPED,
};

/* "ALREADY_EXISTS", ...; "" for AR_LC_OK. */
const char *ar_lc_error_name(enum ar_lc_error e);

enum ar_lc_op {
	AR_LC_SET_STATUS, /* UpdatePackageVersionsStatus */
	AR_LC_DELETE,	  /* DeletePackageVersions */
	AR_LC_DISPOSE,	  /* DisposePackageVersions */
	AR_LC_COPY,	  /* CopyPackageVersions */
};

/* The statuses UpdatePackageVersionsStatus may set: Published, Unlisted, Archived. */
bool ar_lc_target_valid(enum ar_vstatus target);

/* The transition table: may op act on a version in status from (to is the target of SET_STATUS and
   ignored otherwise)? Disposed versions only get deleted; nothing returns to Unfinished. */
bool ar_lc_allowed(enum ar_lc_op op, enum ar_vstatus from, enum ar_vstatus to);

/* One version named by a request, and what became of it. */
struct ar_lc_item {
	const char *version;
	const char *expected_revision; /* from versionRevisions; NULL = not checked */
	enum ar_lc_error error;	       /* AR_LC_OK on success */
	const char *message;	       /* with an error */
	bool is_unchanged;	       /* copy: already in the destination as is; reported in neither map */
	const char *revision;	       /* on success: the revision afterwards */
	enum ar_vstatus status;	       /* on success: the status afterwards (AR_ST_DELETED once deleted) */
};

struct ar_lc_request {
	enum ar_lc_op op;
	struct ar_pkg_key key; /* name and namespace normalized */
	struct ar_lc_item *items;
	size_t n_items;
	bool has_expected_status;
	enum ar_vstatus expected_status;
	enum ar_vstatus target;	    /* SET_STATUS */
	bool allow_overwrite;	    /* COPY */
	bool include_from_upstream; /* COPY */
};

/* A version as the request finds it (in the repository, or for a copy in the source or destination). */
struct ar_lc_found {
	bool exists;
	enum ar_vstatus status;
	const char *revision;
};

/* Adds a version to rq (once: a repeat only sets its expected revision when given). AR_EINVAL past
   AR_MAX_LC_VERSIONS. */
int ar_lc_add(struct ar_lc_request *rq, struct ar_arena *a, const char *version, const char *expected_revision,
	      struct ar_err *err);

/* Judges one item of a SET_STATUS, DELETE or DISPOSE request against the version's current state, in
   the order NOT_FOUND, MISMATCHED_REVISION, MISMATCHED_STATUS, NOT_ALLOWED; fills error and message. */
enum ar_lc_error ar_lc_judge(struct ar_lc_item *it, const struct ar_lc_request *rq, const struct ar_lc_found *cur,
			     struct ar_arena *a);

/* Judges one item of a COPY: src where the version was found, dst the destination's version,
   dst_blocked when the destination package has publish=BLOCK. An identical version in the
   destination (same revision and status) is a silent success (is_unchanged). */
enum ar_lc_error ar_lc_judge_copy(struct ar_lc_item *it, const struct ar_lc_request *rq, const struct ar_lc_found *src,
				  const struct ar_lc_found *dst, bool dst_blocked, struct ar_arena *a);

/* All or nothing: when any item failed, every other item becomes SKIPPED. Returns how many items
   are reported as failed (0 = the request may be carried out). */
size_t ar_lc_settle(struct ar_lc_item *items, size_t n, struct ar_arena *a);

/* Carries out a SET_STATUS, DELETE or DISPOSE request in repo inside the caller's write transaction.
   AR_ENOTFOUND when the package does not exist. Per-version outcomes go into rq->items; nothing is
   written unless every item succeeds. */
int ar_lc_apply(struct ar_dbc *db, struct ar_arena *a, const struct ar_repository *repo, struct ar_lc_request *rq,
		struct ar_err *err);

/* Carries out a COPY from src to dst (same domain d) inside the caller's write transaction. With
   include_from_upstream the source's upstream graph is searched too (depth-first in list order, at
   most 25 repositories). AR_ENOTFOUND when no searched repository has the package. A new destination
   package gets the origin controls of the package it is copied from. npm dist-tags pointing at copied
   versions are copied, replacing the destination's tag of the same name. */
int ar_lc_copy(struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d, const struct ar_repository *src,
	       const struct ar_repository *dst, struct ar_lc_request *rq, struct ar_err *err);

/* DeletePackage: removes the package with every version; *out is the package as it was. AR_ENOTFOUND. */
int ar_lc_delete_package(struct ar_package *out, struct ar_dbc *db, struct ar_arena *a,
			 const struct ar_repository *repo, const struct ar_pkg_key *key, struct ar_err *err);

/* PutPackageOriginConfiguration: sets publish and upstream (ALLOW | BLOCK, else AR_EINVAL), creating
   the package with no versions when it does not exist; *out is the package afterwards. */
int ar_lc_set_origin(struct ar_package *out, struct ar_dbc *db, struct ar_arena *a, const struct ar_repository *repo,
		     const struct ar_pkg_key *key, const char *display_name, const char *publish, const char *upstream,
		     struct ar_err *err);

#endif
