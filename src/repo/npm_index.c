/* repo/npm_index.c - the read queries npm's indexes need, each one statement */
#include "repo/npm_index.h"

#include <string.h>

static enum ar_vstatus status_of(const char *name)
{
	enum ar_vstatus s;
	return name && ar_status_parse(&s, name) == 0 ? s : AR_ST_UNFINISHED;
}

int ar_npm_index_versions(struct ar_npm_entry **out, size_t *n, struct ar_dbc *db, struct ar_arena *a,
			  int64_t package_id, struct ar_err *err)
{
	struct ar_stmt *st;
	/* The readme column is left out on purpose: a 2,000-version package would read each one. */
	int rc = ar_dbc_prepare(
		db, &st,
		"SELECT v.version, v.status, v.published_ms, v.attrs, x.size, x.sha1, x.sha512, v.updated_ms,"
		" v.revision"
		" FROM package_versions v"
		" LEFT JOIN assets x ON x.version_id = v.id AND x.name = '" AR_NPM_ASSET "'"
		" WHERE v.package_id = ? ORDER BY v.published_ms, v.version",
		err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, package_id);
	size_t cap = 0, count = 0;
	struct ar_npm_entry *list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		list = ar_grow(a, list, &cap, count, sizeof *list);
		struct ar_npm_entry *e = &list[count++];
		e->version = ar_strdup(a, ar_stmt_text(st, 0));
		e->status = status_of(ar_stmt_text(st, 1));
		e->published_ms = ar_stmt_int(st, 2);
		e->attrs = ar_stmt_text_dup(st, 3, a);
		e->updated_ms = ar_stmt_int(st, 7);
		e->revision = ar_strdup(a, ar_stmt_text(st, 8));
		e->has_tarball = !ar_stmt_is_null(st, 5);
		if (e->has_tarball) {
			e->size = ar_stmt_int(st, 4);
			e->sha1 = ar_strdup(a, ar_stmt_text(st, 5));
			e->sha512 = ar_strdup(a, ar_stmt_text(st, 6));
		} else {
			e->size = 0;
			e->sha1 = e->sha512 = NULL;
		}
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

int ar_npm_index_readme(const char **out, struct ar_dbc *db, struct ar_arena *a, int64_t package_id,
			const char *version, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT readme FROM package_versions WHERE package_id = ? AND version = ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, package_id);
	ar_stmt_bind_text(st, 2, version);
	rc = ar_stmt_step(st, err);
	if (rc == 1)
		*out = ar_stmt_text_dup(st, 0, a);
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ENOTFOUND, "Version %s not found", version);
	return rc < 0 ? rc : 0;
}

int ar_npm_index_tarball(enum ar_vstatus *status, struct ar_asset *asset, struct ar_dbc *db, struct ar_arena *a,
			 int64_t repository_id, const char *ns, const char *name, const char *version,
			 struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT v.status, x.id, x.size, x.md5, x.sha1, x.sha256, x.sha512, x.created_ms"
				" FROM packages p"
				" JOIN package_versions v ON v.package_id = p.id AND v.version = ?"
				" JOIN assets x ON x.version_id = v.id AND x.name = '" AR_NPM_ASSET "'"
				" WHERE p.repository_id = ? AND p.format = 'npm' AND p.namespace = ? AND p.name = ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, version);
	ar_stmt_bind_int(st, 2, repository_id);
	ar_stmt_bind_text(st, 3, ns ? ns : "");
	ar_stmt_bind_text(st, 4, name);
	rc = ar_stmt_step(st, err);
	if (rc == 1) {
		*status = status_of(ar_stmt_text(st, 0));
		memset(asset, 0, sizeof *asset);
		asset->id = ar_stmt_int(st, 1);
		asset->name = AR_NPM_ASSET;
		asset->size = ar_stmt_int(st, 2);
		asset->md5 = ar_strdup(a, ar_stmt_text(st, 3));
		asset->sha1 = ar_strdup(a, ar_stmt_text(st, 4));
		asset->sha256 = ar_strdup(a, ar_stmt_text(st, 5));
		asset->sha512 = ar_strdup(a, ar_stmt_text(st, 6));
		asset->created_ms = ar_stmt_int(st, 7);
	}
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ENOTFOUND, "Tarball not found");
	return rc < 0 ? rc : 0;
}

/* LIKE pattern for a substring match with the wildcards in text escaped. */
static const char *like_pattern(struct ar_arena *a, const char *text)
{
	size_t len = strlen(text);
	char *p = ar_alloc(a, 2 * len + 3), *q = p;
	*q++ = '%';
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '%' || c == '_' || c == '\\')
			*q++ = '\\';
		*q++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	*q++ = '%';
	*q = '\0';
	return p;
}

int ar_npm_index_search(struct ar_npm_search_row **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
			int64_t repository_id, const char *like_text, size_t max_rows, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(
		db, &st,
		"SELECT p.id, p.display_name, p.namespace, v.version, v.summary, v.attrs, v.published_ms"
		" FROM packages p"
		" JOIN dist_tags t ON t.package_id = p.id AND t.tag = 'latest'"
		" JOIN package_versions v ON v.package_id = p.id AND v.version = t.version AND v.status = 'Published'"
		" WHERE p.repository_id = ? AND p.format = 'npm'"
		" AND (lower(p.display_name) LIKE ? ESCAPE '\\' OR lower(COALESCE(v.summary, '')) LIKE ? ESCAPE '\\'"
		" OR lower(COALESCE(v.attrs, '')) LIKE ? ESCAPE '\\')"
		" ORDER BY p.display_name LIMIT ?",
		err);
	if (rc)
		return rc;
	const char *pattern = like_pattern(a, like_text ? like_text : "");
	ar_stmt_bind_int(st, 1, repository_id);
	ar_stmt_bind_text(st, 2, pattern);
	ar_stmt_bind_text(st, 3, pattern);
	ar_stmt_bind_text(st, 4, pattern);
	ar_stmt_bind_int(st, 5, (int64_t)max_rows + 1);
	size_t cap = 0, count = 0;
	struct ar_npm_search_row *list = NULL;
	*more = false;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		if (count == max_rows) {
			*more = true;
			break;
		}
		list = ar_grow(a, list, &cap, count, sizeof *list);
		struct ar_npm_search_row *r = &list[count++];
		r->package_id = ar_stmt_int(st, 0);
		r->display_name = ar_strdup(a, ar_stmt_text(st, 1));
		r->ns = ar_strdup(a, ar_stmt_text(st, 2));
		r->version = ar_strdup(a, ar_stmt_text(st, 3));
		r->summary = ar_stmt_text_dup(st, 4, a);
		r->attrs = ar_stmt_text_dup(st, 5, a);
		r->published_ms = ar_stmt_int(st, 6);
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}
