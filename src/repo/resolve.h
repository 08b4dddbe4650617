/* repo/resolve.h - upstream resolution: which repositories a request searches, and retention */
#ifndef AR_REPO_RESOLVE_H
#define AR_REPO_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "repo/domain.h"
#include "repo/package.h"
#include "repo/repository.h"
#include "store/db.h"

/* Repositories searched per request, the requested one included (CodeArtifact's fixed quota). */
#define AR_MAX_UPSTREAM_SEARCH 25

/* The search order for a request on repo: repo itself, then its upstreams depth-first pre-order in
   list order (my_repo -> [A, B], A -> [C, D], D -> [E] gives my_repo, A, C, D, E, B), each repository
   once, at most AR_MAX_UPSTREAM_SEARCH. Dangling upstream names (deleted repositories) are passed
   over. With deep false only repo is listed. *out is arena memory. */
int ar_resolve_order(const struct ar_repository ***out, size_t *n, struct ar_dbc *db, struct ar_arena *a,
		     const struct ar_domain *d, const struct ar_repository *repo, bool deep, struct ar_err *err);

/* The repository in an order that holds an external connection for format (the first one), or NULL. */
const struct ar_repository *ar_resolve_external(const struct ar_repository *const *order, size_t n, const char *format,
						const char **connection);

/* Retention: makes version `from` (of package from_pkg, found in another repository) available in
   repository `into`, as CodeArtifact does for versions fetched through upstreams. Creates the
   package in `into` when missing, with origin controls mirroring from_pkg (publish=BLOCK,
   upstream=ALLOW when is_external: the first version came from a public source). Refuses with
   AR_EDENIED when into's package has upstream=BLOCK. A version `into` already has is left as it
   is (*out gets it). Runs in the caller's write transaction. */
int ar_retain_version(struct ar_version *out, struct ar_dbc *db, struct ar_arena *a, const struct ar_repository *into,
		      const struct ar_package *from_pkg, const struct ar_version *from, bool is_external,
		      struct ar_err *err);

#endif
