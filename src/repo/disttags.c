/* repo/disttags.c - npm dist-tags over the dist_tags table (migration 2) */
#include "repo/disttags.h"

#include "repo/package.h"

int ar_disttags_list(struct ar_disttag **out, size_t *n, struct ar_dbc *db, struct ar_arena *a, int64_t package_id,
		     struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT tag, version FROM dist_tags WHERE package_id = ? ORDER BY tag", err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, package_id);
	size_t cap = 0, count = 0;
	struct ar_disttag *list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		list = ar_grow(a, list, &cap, count, sizeof *list);
		list[count].tag = ar_strdup(a, ar_stmt_text(st, 0));
		list[count].version = ar_strdup(a, ar_stmt_text(st, 1));
		count++;
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

int ar_disttags_get(const char **version, struct ar_dbc *db, struct ar_arena *a, int64_t package_id, const char *tag,
		    struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT version FROM dist_tags WHERE package_id = ? AND tag = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, package_id);
	ar_stmt_bind_text(st, 2, tag);
	rc = ar_stmt_step(st, err);
	if (rc == 1)
		*version = ar_strdup(a, ar_stmt_text(st, 0));
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ENOTFOUND, "%s is not a dist-tag of this package", tag);
	return rc < 0 ? rc : 0;
}

int ar_disttags_set(struct ar_dbc *db, int64_t package_id, const char *tag, const char *version, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err,
				"INSERT INTO dist_tags (package_id, tag, version) VALUES (?, ?, ?)"
				" ON CONFLICT (package_id, tag) DO UPDATE SET version = excluded.version",
				"iss", package_id, tag, version);
	if (n < 0)
		return (int)n;
	return ar_pkg_touch(db, package_id, err);
}

int ar_disttags_remove(struct ar_dbc *db, int64_t package_id, const char *tag, struct ar_err *err)
{
	int64_t n =
		ar_dbc_exec(db, err, "DELETE FROM dist_tags WHERE package_id = ? AND tag = ?", "is", package_id, tag);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return ar_fail(err, AR_ENOTFOUND, "%s is not a dist-tag of this package", tag);
	return ar_pkg_touch(db, package_id, err);
}

int ar_disttags_remove_version(struct ar_dbc *db, int64_t package_id, const char *version, size_t *removed,
			       struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err, "DELETE FROM dist_tags WHERE package_id = ? AND version = ?", "is", package_id,
				version);
	if (n < 0)
		return (int)n;
	if (removed)
		*removed = (size_t)n;
	return n > 0 ? ar_pkg_touch(db, package_id, err) : 0;
}
