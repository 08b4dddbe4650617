/* repo/cooldown.h - minimum release age for versions arriving from external connections */
#ifndef AR_REPO_COOLDOWN_H
#define AR_REPO_COOLDOWN_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "repo/domain.h"
#include "repo/repository.h"
#include "store/db.h"

/* The tag that sets a cooldown, on a repository or a package group (with the aws CLI:
   `aws codeartifact tag-resource --resource-arn ARN --tags key=arca:min-release-age,value=3d`).
   Values: seconds, or a number with s, m, h or d. */
#define AR_COOLDOWN_TAG "arca:min-release-age"

/* Parses a tag value into seconds; AR_EINVAL for anything else. */
int ar_cooldown_parse(int64_t *seconds, const char *value, struct ar_err *err);

/* The minimum release age (seconds, 0 = none) for a package's versions that come from an external
   connection held by `holder`: the tag on the package's associated package group (or its nearest
   ancestor that has one) wins over the tag on the holding repository. A malformed tag counts as
   none (it was validated when set: see ar_cooldown_parse). */
int ar_cooldown_seconds(int64_t *out, struct ar_dbc *db, struct ar_arena *a, const char *region,
			const struct ar_domain *d, const struct ar_repository *holder, const char *format,
			const char *ns, const char *name, struct ar_err *err);

#endif
