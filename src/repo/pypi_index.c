/* repo/pypi_index.c - read-only queries behind the PyPI simple index (one query per page) */
#include "repo/pypi_index.h"

#include <string.h>

int ar_pypi_index_files(struct ar_pypi_index_file **out, size_t *n, struct ar_dbc *db, struct ar_arena *a,
			int64_t package_id, struct ar_err *err)
{
	struct ar_stmt *st;
	/* One join instead of a query per version: a page of 500 versions is one statement. */
	int rc = ar_dbc_prepare(db, &st,
				"SELECT v.version, v.status, v.attrs, x.name, x.size, x.sha256, x.attrs, x.created_ms"
				" FROM package_versions v JOIN assets x ON x.version_id = v.id WHERE v.package_id = ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, package_id);
	size_t cap = 0, count = 0;
	struct ar_pypi_index_file *list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		enum ar_vstatus status;
		if (ar_status_parse(&status, ar_stmt_text(st, 1)) != 0 || !ar_status_downloadable(status))
			continue;
		list = ar_grow(a, list, &cap, count, sizeof *list);
		struct ar_pypi_index_file *f = &list[count++];
		f->version = ar_strdup(a, ar_stmt_text(st, 0));
		f->status = status;
		f->version_attrs = ar_stmt_text_dup(st, 2, a);
		f->filename = ar_strdup(a, ar_stmt_text(st, 3));
		f->size = ar_stmt_int(st, 4);
		f->sha256 = ar_strdup(a, ar_stmt_text(st, 5));
		f->attrs = ar_stmt_text_dup(st, 6, a);
		f->created_ms = ar_stmt_int(st, 7);
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

int ar_pypi_index_projects(struct ar_pypi_index_project **out, size_t *n, struct ar_dbc *db, struct ar_arena *a,
			   int64_t repository_id, struct ar_err *err)
{
	struct ar_stmt *st;
	/* Distinct (package, status) pairs; the visibility rule itself stays in ar_status_downloadable. */
	int rc = ar_dbc_prepare(db, &st,
				"SELECT DISTINCT p.name, p.display_name, v.status FROM packages p"
				" JOIN package_versions v ON v.package_id = p.id"
				" WHERE p.repository_id = ? AND p.format = 'pypi' ORDER BY p.name",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, repository_id);
	size_t cap = 0, count = 0;
	struct ar_pypi_index_project *list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		enum ar_vstatus status;
		const char *name = ar_stmt_text(st, 0);
		if (ar_status_parse(&status, ar_stmt_text(st, 2)) != 0 || !ar_status_downloadable(status))
			continue;
		if (count > 0 && strcmp(list[count - 1].name, name) == 0)
			continue; /* rows come ordered by name: a repeat is the same package */
		list = ar_grow(a, list, &cap, count, sizeof *list);
		list[count].name = ar_strdup(a, name);
		list[count].display_name = ar_strdup(a, ar_stmt_text(st, 1));
		count++;
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

int ar_pypi_index_stamp(const char **out, struct ar_dbc *db, struct ar_arena *a, int64_t repository_id,
			struct ar_err *err)
{
	struct ar_stmt *st;
	/* updated_ms moves on every change to a package (ar_pkg_touch); count and sum catch removals. */
	int rc = ar_dbc_prepare(db, &st,
				"SELECT COUNT(*), COALESCE(MAX(updated_ms), 0), COALESCE(SUM(updated_ms % 1000003), 0)"
				" FROM packages WHERE repository_id = ? AND format = 'pypi'",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, repository_id);
	rc = ar_stmt_step(st, err);
	if (rc == 1)
		*out = ar_printf(a, "%lld.%lld.%lld", (long long)ar_stmt_int(st, 0), (long long)ar_stmt_int(st, 1),
				 (long long)ar_stmt_int(st, 2));
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ERROR, "no row from an aggregate query");
	return rc < 0 ? rc : 0;
}
