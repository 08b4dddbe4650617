/* repo/cooldown.c - minimum release age for versions arriving from external connections */
#include "repo/cooldown.h"

#include "core/text.h"
#include "policy/arn.h"
#include "repo/groups.h"

#include <string.h>

int ar_cooldown_parse(int64_t *seconds, const char *value, struct ar_err *err)
{
	size_t n = strlen(value);
	int64_t unit = 1, v;
	char digits[32];
	if (n == 0 || n >= sizeof digits)
		return ar_fail(err, AR_EINVAL, "%s must be a duration such as 72h or 3d", AR_COOLDOWN_TAG);
	memcpy(digits, value, n + 1);
	switch (digits[n - 1]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: unit = 0; break;
	}
	if (unit)
		digits[n - 1] = '\0';
	else
		unit = 1;
	/* At most ten years: a larger value is a typo, not a policy. */
	if (!ar_parse_i64(digits, &v) || v < 0 || v > 3650 * 86400 / unit)
		return ar_fail(err, AR_EINVAL, "%s must be a duration such as 72h or 3d, got '%s'", AR_COOLDOWN_TAG,
			       value);
	*seconds = v * unit;
	return 0;
}

/* The cooldown tag of arn in seconds, or -1 when it has none (or a malformed one). */
static int tag_seconds(int64_t *out, struct ar_dbc *db, const char *arn, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT tag_value FROM tags WHERE resource_arn = ? AND tag_key = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, arn);
	ar_stmt_bind_text(st, 2, AR_COOLDOWN_TAG);
	rc = ar_stmt_step(st, err);
	struct ar_err ignored;
	*out = -1;
	if (rc == 1 && ar_cooldown_parse(out, ar_stmt_text(st, 0), &ignored) != 0)
		*out = -1;
	ar_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int ar_cooldown_seconds(int64_t *out, struct ar_dbc *db, struct ar_arena *a, const char *region,
			const struct ar_domain *d, const struct ar_repository *holder, const char *format,
			const char *ns, const char *name, struct ar_err *err)
{
	struct ar_group *groups;
	size_t n;
	int64_t v = -1;
	int rc = ar_group_load_domain(&groups, &n, db, a, d->id, err);
	if (rc)
		return rc;
	enum ar_group_assoc assoc;
	const struct ar_group *g = ar_group_best(&assoc, groups, n, a, format, ns ? ns : "", name);
	for (; g && v < 0; g = g->parent_id ? ar_group_find_id(groups, n, g->parent_id) : NULL) {
		const char *arn = ar_arn_package_group(a, region, d->owner, d->name, g->pattern);
		if ((rc = tag_seconds(&v, db, arn, err)))
			return rc;
	}
	if (v < 0 && (rc = tag_seconds(&v, db, ar_arn_repository(a, region, d->owner, d->name, holder->name), err)))
		return rc;
	*out = v < 0 ? 0 : v;
	return 0;
}
