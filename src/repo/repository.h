/* repo/repository.h - repositories: upstream lists, external connections, resource policies */
#ifndef AR_REPO_REPOSITORY_H
#define AR_REPO_REPOSITORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "repo/domain.h"
#include "store/db.h"

#define AR_MAX_UPSTREAMS 10

struct ar_external_conn {
	const char *name;   /* public:npmjs */
	const char *format; /* npm */
};

struct ar_repository {
	int64_t id;
	int64_t domain_id;
	const char *domain_name;
	const char *domain_owner;
	const char *name;
	const char *administrator_account;
	const char *description;
	int64_t created_ms;
	const char *policy;
	const char *policy_revision;
	const char **upstreams; /* names in priority order */
	size_t n_upstreams;
	struct ar_external_conn *externals;
	size_t n_externals;
};

/* Creates a repository in d. Upstreams must exist in the same domain, be distinct, number at most
   10, and not name the repository itself. AR_EEXISTS when the name is taken. */
int ar_repo_create(struct ar_repository *out, struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d,
		   const char *name, const char *administrator_account, const char *description,
		   const char *const *upstreams, size_t n_upstreams, struct ar_err *err);

/* Loads a repository with its upstreams and external connections; AR_ENOTFOUND when absent. */
int ar_repo_get(struct ar_repository *out, struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d,
		const char *name, struct ar_err *err);

/* A deep copy of src in a's memory, its domain fields pointing into d. */
void ar_repo_copy(struct ar_repository *dst, struct ar_arena *a, const struct ar_repository *src,
		  const struct ar_domain *d);

/* Updates the description (when non-NULL) and replaces the upstream list (when set_upstreams).
   Rejects cycles in the domain's upstream graph and upstreams on a repository with an external
   connection. Reloads *r. */
int ar_repo_update(struct ar_repository *r, struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d,
		   const char *description, bool set_upstreams, const char *const *upstreams, size_t n_upstreams,
		   struct ar_err *err);

/* Deletes a repository (its packages go with it). Downstreams keep a dangling upstream name. */
int ar_repo_delete(struct ar_dbc *db, const struct ar_repository *r, struct ar_err *err);

/* Associates an external connection: known name, at most one per repository, none with upstreams
   (AR_ECONFLICT / AR_EQUOTA / AR_EINVAL). Reloads *r. */
int ar_repo_add_external(struct ar_repository *r, struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d,
			 const char *name, struct ar_err *err);

/* AR_ENOTFOUND when r has no such connection. Reloads *r. */
int ar_repo_remove_external(struct ar_repository *r, struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d,
			    const char *name, struct ar_err *err);

/* Sets or deletes the resource policy, like ar_domain_set_policy. */
int ar_repo_set_policy(struct ar_dbc *db, struct ar_arena *a, const struct ar_repository *r, const char *document,
		       const char *expected_revision, const char **revision, struct ar_err *err);

/* Filters for listing; NULL fields do not filter. */
struct ar_repo_filter {
	int64_t domain_id; /* 0 = any domain */
	const char *administrator_account;
	const char *prefix;
	const char *after; /* page key from the previous page */
	int limit;
};

/* Lists summaries (no upstreams loaded) ordered by domain owner, domain name, repository name. */
int ar_repo_list(struct ar_repository **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
		 const struct ar_repo_filter *f, struct ar_err *err);

/* The page key of a listed repository (stable across domains). */
const char *ar_repo_page_key(struct ar_arena *a, const struct ar_repository *r);

#endif
