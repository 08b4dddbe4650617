/* repo/domain.h - domains: the top of the model, owned by one account */
#ifndef AR_REPO_DOMAIN_H
#define AR_REPO_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

struct ar_domain {
	int64_t id;
	const char *owner;
	const char *name;
	const char *encryption_key;
	int64_t created_ms;
	const char *policy;	     /* NULL when none */
	const char *policy_revision; /* NULL when none */
	int64_t repository_count;
	int64_t asset_size_bytes;
};

/* Creates a domain; encryption_key NULL synthesises a KMS-style ARN. AR_EEXISTS when taken. */
int ar_domain_create(struct ar_domain *out, struct ar_dbc *db, struct ar_arena *a, const char *region,
		     const char *owner, const char *name, const char *encryption_key, struct ar_err *err);

/* Bytes stored for the domain: each distinct asset (by SHA-256) once, however many versions and
   repositories hold it, as the blob store keeps it once. */
int ar_domain_asset_size(int64_t *out, struct ar_dbc *db, int64_t domain_id, struct ar_err *err);

/* A deep copy of src in a's memory. */
void ar_domain_copy(struct ar_domain *dst, struct ar_arena *a, const struct ar_domain *src);

/* AR_ENOTFOUND when absent. */
int ar_domain_get(struct ar_domain *out, struct ar_dbc *db, struct ar_arena *a, const char *owner, const char *name,
		  struct ar_err *err);

/* Domains of owner ordered by name, after after_name (NULL = from the start), at most limit.
 *more is set when further rows exist. */
int ar_domain_list(struct ar_domain **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
		   const char *owner, const char *after_name, int limit, struct ar_err *err);

/* Deletes an empty domain; AR_ECONFLICT while it has repositories. */
int ar_domain_delete(struct ar_dbc *db, const struct ar_domain *d, struct ar_err *err);

/* Sets (document non-NULL) or deletes (NULL) the resource policy. expected_revision, when given,
   must equal the current one (AR_ECONFLICT otherwise). The new revision goes to *revision. */
int ar_domain_set_policy(struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d, const char *document,
			 const char *expected_revision, const char **revision, struct ar_err *err);

/* A fresh random policy revision (arena memory). */
char *ar_policy_revision_new(struct ar_arena *a);

/* A fresh random id for a new row. */
int64_t ar_new_id(void);

#endif
