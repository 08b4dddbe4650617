/* repo/package.c - packages, versions, assets and dependencies, and the one publish path */
#include "repo/package.h"

#include "core/timeutil.h"
#include "repo/domain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"Published", "Unfinished", "Unlisted", "Archived", "Disposed", "Deleted"};

const char *ar_status_name(enum ar_vstatus s)
{
	return status_names[s];
}

int ar_status_parse(enum ar_vstatus *out, const char *name)
{
	for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++) {
		if (strcmp(status_names[i], name) == 0) {
			*out = (enum ar_vstatus)i;
			return 0;
		}
	}
	return AR_EINVAL;
}

bool ar_status_listed(enum ar_vstatus s)
{
	return s == AR_ST_PUBLISHED;
}

bool ar_status_downloadable(enum ar_vstatus s)
{
	return s == AR_ST_PUBLISHED || s == AR_ST_UNLISTED;
}

static const char *dup_or_null(struct ar_arena *a, struct ar_stmt *st, int col)
{
	return ar_stmt_is_null(st, col) ? NULL : ar_strdup(a, ar_stmt_text(st, col));
}

int ar_pkg_get(struct ar_package *out, struct ar_dbc *db, struct ar_arena *a, int64_t repository_id,
	       const struct ar_pkg_key *key, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT id, display_name, origin_publish, origin_upstream, created_ms, updated_ms"
				" FROM packages WHERE repository_id = ? AND format = ? AND namespace = ? AND name = ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, repository_id);
	ar_stmt_bind_text(st, 2, key->format);
	ar_stmt_bind_text(st, 3, key->ns ? key->ns : "");
	ar_stmt_bind_text(st, 4, key->name);
	rc = ar_stmt_step(st, err);
	if (rc == 1) {
		out->id = ar_stmt_int(st, 0);
		out->repository_id = repository_id;
		out->format = ar_strdup(a, key->format);
		out->ns = ar_strdup(a, key->ns ? key->ns : "");
		out->name = ar_strdup(a, key->name);
		out->display_name = ar_strdup(a, ar_stmt_text(st, 1));
		out->origin_publish = ar_strdup(a, ar_stmt_text(st, 2));
		out->origin_upstream = ar_strdup(a, ar_stmt_text(st, 3));
		out->created_ms = ar_stmt_int(st, 4);
		out->updated_ms = ar_stmt_int(st, 5);
	}
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ENOTFOUND, "Package %s not found", key->name);
	return rc < 0 ? rc : 0;
}

#define VERSION_COLUMNS                                                                                                \
	"id, package_id, version, revision, status, origin_type, entry_repository, entry_external, published_ms,"      \
	" updated_ms, summary, home_page, source_code_repository, licenses, readme, attrs"

static void read_version(struct ar_version *v, struct ar_stmt *st, struct ar_arena *a)
{
	v->id = ar_stmt_int(st, 0);
	v->package_id = ar_stmt_int(st, 1);
	v->version = ar_strdup(a, ar_stmt_text(st, 2));
	v->revision = ar_strdup(a, ar_stmt_text(st, 3));
	if (ar_status_parse(&v->status, ar_stmt_text(st, 4)) != 0)
		v->status = AR_ST_UNFINISHED;
	v->origin_type = ar_strdup(a, ar_stmt_text(st, 5));
	v->entry_repository = dup_or_null(a, st, 6);
	v->entry_external = dup_or_null(a, st, 7);
	v->published_ms = ar_stmt_int(st, 8);
	v->updated_ms = ar_stmt_int(st, 9);
	v->summary = dup_or_null(a, st, 10);
	v->home_page = dup_or_null(a, st, 11);
	v->source_code_repository = dup_or_null(a, st, 12);
	v->licenses = dup_or_null(a, st, 13);
	v->readme = dup_or_null(a, st, 14);
	v->attrs = dup_or_null(a, st, 15);
}

int ar_pkg_versions(struct ar_version **out, size_t *n, struct ar_dbc *db, struct ar_arena *a, int64_t package_id,
		    struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT " VERSION_COLUMNS
				" FROM package_versions WHERE package_id = ? ORDER BY published_ms, version",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, package_id);
	size_t cap = 0, count = 0;
	struct ar_version *list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		list = ar_grow(a, list, &cap, count, sizeof *list);
		read_version(&list[count++], st, a);
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

int ar_version_get(struct ar_version *out, struct ar_dbc *db, struct ar_arena *a, int64_t package_id,
		   const char *version, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(
		db, &st, "SELECT " VERSION_COLUMNS " FROM package_versions WHERE package_id = ? AND version = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, package_id);
	ar_stmt_bind_text(st, 2, version);
	rc = ar_stmt_step(st, err);
	if (rc == 1)
		read_version(out, st, a);
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ENOTFOUND, "Version %s not found", version);
	return rc < 0 ? rc : 0;
}

#define ASSET_COLUMNS "id, name, size, md5, sha1, sha256, sha512, content_type, attrs, created_ms"

static void read_asset(struct ar_asset *x, struct ar_stmt *st, struct ar_arena *a)
{
	x->id = ar_stmt_int(st, 0);
	x->name = ar_strdup(a, ar_stmt_text(st, 1));
	x->size = ar_stmt_int(st, 2);
	x->md5 = ar_strdup(a, ar_stmt_text(st, 3));
	x->sha1 = ar_strdup(a, ar_stmt_text(st, 4));
	x->sha256 = ar_strdup(a, ar_stmt_text(st, 5));
	x->sha512 = ar_strdup(a, ar_stmt_text(st, 6));
	x->content_type = dup_or_null(a, st, 7);
	x->attrs = dup_or_null(a, st, 8);
	x->created_ms = ar_stmt_int(st, 9);
}

int ar_version_assets(struct ar_asset **out, size_t *n, struct ar_dbc *db, struct ar_arena *a, int64_t version_id,
		      struct ar_err *err)
{
	struct ar_stmt *st;
	int rc =
		ar_dbc_prepare(db, &st, "SELECT " ASSET_COLUMNS " FROM assets WHERE version_id = ? ORDER BY name", err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, version_id);
	size_t cap = 0, count = 0;
	struct ar_asset *list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		list = ar_grow(a, list, &cap, count, sizeof *list);
		read_asset(&list[count++], st, a);
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

int ar_asset_get(struct ar_asset *out, struct ar_dbc *db, struct ar_arena *a, int64_t version_id, const char *name,
		 struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT " ASSET_COLUMNS " FROM assets WHERE version_id = ? AND name = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, version_id);
	ar_stmt_bind_text(st, 2, name);
	rc = ar_stmt_step(st, err);
	if (rc == 1)
		read_asset(out, st, a);
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ENOTFOUND, "Asset %s not found", name);
	return rc < 0 ? rc : 0;
}

int ar_version_dependencies(struct ar_dependency **out, size_t *n, struct ar_dbc *db, struct ar_arena *a,
			    int64_t version_id, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT namespace, package, dependency_type, version_requirement FROM dependencies"
				" WHERE version_id = ? ORDER BY position",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, version_id);
	size_t cap = 0, count = 0;
	struct ar_dependency *list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		list = ar_grow(a, list, &cap, count, sizeof *list);
		list[count].ns = dup_or_null(a, st, 0);
		list[count].package = ar_strdup(a, ar_stmt_text(st, 1));
		list[count].type = dup_or_null(a, st, 2);
		list[count].requirement = dup_or_null(a, st, 3);
		count++;
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

int ar_pkg_touch(struct ar_dbc *db, int64_t package_id, struct ar_err *err)
{
	/* Strictly increasing even within one millisecond, so an ETag built on it always changes. */
	int64_t n = ar_dbc_exec(db, err, "UPDATE packages SET updated_ms = MAX(updated_ms + 1, ?) WHERE id = ?", "ii",
				ar_now_ms(), package_id);
	return n < 0 ? (int)n : 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* A revision is the base64 SHA-256 of the version's asset list (name and content): it changes
   exactly when the assets do, like CodeArtifact's 44-character revisions. */
static int compute_revision(const char **out, struct ar_dbc *db, struct ar_arena *a, const char *version,
			    int64_t version_id, struct ar_err *err)
{
	struct ar_asset *assets;
	size_t n;
	int rc = ar_version_assets(&assets, &n, db, a, version_id, err);
	if (rc)
		return rc;
	const char **lines = ar_alloc_array(a, n + 1, sizeof *lines);
	size_t total = strlen(version) + 2;
	for (size_t i = 0; i < n; i++) {
		lines[i] = ar_printf(a, "%s\t%s\n", assets[i].name, assets[i].sha256);
		total += strlen(lines[i]);
	}
	qsort(lines, n, sizeof *lines, cmp_str);
	char *text = ar_alloc(a, total + 1), *p = text;
	p += snprintf(p, total + 1, "%s\n", version);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(lines[i]);
		memcpy(p, lines[i], len);
		p += len;
	}
	unsigned char digest[32];
	ar_sha256(digest, text, (size_t)(p - text));
	*out = ar_b64_encode(a, digest, sizeof digest);
	return 0;
}

static int insert_asset(struct ar_dbc *db, int64_t version_id, const struct ar_asset_in *x, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(
		db, &st,
		"INSERT INTO assets (id, version_id, name, size, md5, sha1, sha256, sha512, content_type,"
		" attrs, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, ar_new_id());
	ar_stmt_bind_int(st, 2, version_id);
	ar_stmt_bind_text(st, 3, x->name);
	ar_stmt_bind_int(st, 4, (int64_t)x->hashes.size);
	ar_stmt_bind_text(st, 5, x->hashes.md5);
	ar_stmt_bind_text(st, 6, x->hashes.sha1);
	ar_stmt_bind_text(st, 7, x->hashes.sha256);
	ar_stmt_bind_text(st, 8, x->hashes.sha512);
	ar_stmt_bind_text(st, 9, x->content_type);
	ar_stmt_bind_text(st, 10, x->attrs);
	ar_stmt_bind_int(st, 11, ar_now_ms());
	rc = ar_stmt_step(st, err);
	ar_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int insert_version(struct ar_version *v, struct ar_dbc *db, struct ar_arena *a, int64_t package_id,
			  const struct ar_repository *repo, const struct ar_publish_in *in, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(
		db, &st,
		"INSERT INTO package_versions (id, package_id, version, revision, status, origin_type,"
		" entry_repository, published_ms, updated_ms, summary, home_page, source_code_repository,"
		" licenses, readme, attrs) VALUES (?, ?, ?, '', ?, 'INTERNAL', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		err);
	if (rc)
		return rc;
	int64_t id = ar_new_id(), now = ar_now_ms();
	ar_stmt_bind_int(st, 1, id);
	ar_stmt_bind_int(st, 2, package_id);
	ar_stmt_bind_text(st, 3, in->version);
	ar_stmt_bind_text(st, 4, ar_status_name(in->unfinished ? AR_ST_UNFINISHED : AR_ST_PUBLISHED));
	ar_stmt_bind_text(st, 5, repo->name);
	ar_stmt_bind_int(st, 6, now);
	ar_stmt_bind_int(st, 7, now);
	ar_stmt_bind_text(st, 8, in->summary);
	ar_stmt_bind_text(st, 9, in->home_page);
	ar_stmt_bind_text(st, 10, in->source_code_repository);
	ar_stmt_bind_text(st, 11, in->licenses);
	ar_stmt_bind_text(st, 12, in->readme);
	ar_stmt_bind_text(st, 13, in->attrs);
	rc = ar_stmt_step(st, err);
	ar_stmt_done(st);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < in->n_deps; i++) {
		const struct ar_dependency *d = &in->deps[i];
		int64_t n = ar_dbc_exec(
			db, err,
			"INSERT INTO dependencies (version_id, position, namespace, package, dependency_type,"
			" version_requirement) VALUES (?, ?, ?, ?, ?, ?)",
			"iissss", id, (int64_t)i, d->ns, d->package, d->type, d->requirement);
		if (n < 0)
			return (int)n;
	}
	return ar_version_get(v, db, a, package_id, in->version, err);
}

static int get_or_create_package(struct ar_package *pkg, struct ar_dbc *db, struct ar_arena *a,
				 const struct ar_repository *repo, const struct ar_publish_in *in, struct ar_err *err)
{
	int rc = ar_pkg_get(pkg, db, a, repo->id, &in->key, err);
	if (rc != AR_ENOTFOUND)
		return rc;
	/* A package whose first version is published directly: publish ALLOW, upstream BLOCK (ref 4.5). */
	int64_t now = ar_now_ms();
	int64_t n = ar_dbc_exec(db, err,
				"INSERT INTO packages (id, repository_id, format, namespace, name, display_name,"
				" origin_publish, origin_upstream, created_ms, updated_ms)"
				" VALUES (?, ?, ?, ?, ?, ?, 'ALLOW', 'BLOCK', ?, ?)",
				"iissssii", ar_new_id(), repo->id, in->key.format, in->key.ns ? in->key.ns : "",
				in->key.name, in->display_name ? in->display_name : in->key.name, now, now);
	if (n < 0)
		return (int)n;
	return ar_pkg_get(pkg, db, a, repo->id, &in->key, err);
}

static const char *display(const struct ar_publish_in *in)
{
	return in->display_name ? in->display_name : in->key.name;
}

/* Adds the new assets of in to version v (the version exists); refuses changed bytes under a known name. */
static int extend_version(struct ar_version *v, struct ar_dbc *db, struct ar_arena *a, const struct ar_publish_in *in,
			  bool *changed, struct ar_err *err)
{
	struct ar_asset *have;
	size_t n_have;
	int rc = ar_version_assets(&have, &n_have, db, a, v->id, err);
	if (rc)
		return rc;
	size_t added = 0;
	for (size_t i = 0; i < in->n_assets; i++) {
		const struct ar_asset_in *x = &in->assets[i];
		const struct ar_asset *old = NULL;
		for (size_t j = 0; j < n_have && !old; j++)
			if (strcmp(have[j].name, x->name) == 0)
				old = &have[j];
		if (old) {
			if (strcmp(old->sha256, x->hashes.sha256) != 0)
				return ar_fail(err, AR_EEXISTS,
					       "%s %s already has a file named %s with different content", display(in),
					       in->version, x->name);
			continue;
		}
		if (n_have + added + 1 > AR_MAX_ASSETS_PER_VERSION)
			return ar_fail(err, AR_EQUOTA, "A package version can have at most %d assets",
				       AR_MAX_ASSETS_PER_VERSION);
		if ((rc = insert_asset(db, v->id, x, err)))
			return rc;
		added++;
	}
	*changed = added > 0;
	return 0;
}

int ar_publish(struct ar_version *out, struct ar_dbc *db, struct ar_blobs *blobs, struct ar_arena *a,
	       const struct ar_repository *repo, const struct ar_publish_in *in, struct ar_err *err)
{
	int rc;
	if (in->n_assets > AR_MAX_ASSETS_PER_VERSION)
		return ar_fail(err, AR_EQUOTA, "A package version can have at most %d assets",
			       AR_MAX_ASSETS_PER_VERSION);
	/* Bytes first: a crash after this leaves at most unreferenced blobs, never a version without bytes. */
	for (size_t i = 0; i < in->n_assets; i++)
		if (in->assets[i].tmp_path &&
		    (rc = ar_blob_put_file(blobs, in->assets[i].tmp_path, in->assets[i].hashes.sha256, err)))
			return rc;
	if ((rc = ar_dbc_begin(db, true, err)))
		return rc;
	struct ar_package pkg;
	struct ar_version v;
	bool changed = true;
	if ((rc = get_or_create_package(&pkg, db, a, repo, in, err)))
		goto fail;
	if (strcmp(pkg.origin_publish, "ALLOW") != 0) {
		rc = ar_fail(err, AR_EDENIED,
			     "Publishing %s to repository %s is blocked by the package's origin configuration "
			     "(publish=BLOCK)",
			     display(in), repo->name);
		goto fail;
	}
	rc = ar_version_get(&v, db, a, pkg.id, in->version, err);
	if (rc == AR_ENOTFOUND) {
		rc = insert_version(&v, db, a, pkg.id, repo, in, err);
		if (rc == 0)
			rc = extend_version(&v, db, a, in, &changed, err);
	} else if (rc == 0) {
		if (v.status == AR_ST_ARCHIVED || v.status == AR_ST_DISPOSED || v.status == AR_ST_DELETED) {
			rc = ar_fail(err, AR_ECONFLICT, "%s %s is %s and cannot be published again", display(in),
				     in->version, ar_status_name(v.status));
		} else if (!in->add_to_existing) {
			rc = ar_fail(err, AR_EEXISTS, "%s %s already exists in repository %s", display(in), in->version,
				     repo->name);
		} else {
			rc = extend_version(&v, db, a, in, &changed, err);
			/* A version published as Unfinished becomes Published with its last asset. */
			if (rc == 0 && v.status == AR_ST_UNFINISHED && !in->unfinished) {
				changed = true;
				int64_t n = ar_dbc_exec(db, err,
							"UPDATE package_versions SET status = 'Published' WHERE id = ?",
							"i", v.id);
				rc = n < 0 ? (int)n : 0;
			}
		}
	}
	if (rc)
		goto fail;
	if (changed) {
		const char *revision;
		int64_t n;
		if ((rc = compute_revision(&revision, db, a, in->version, v.id, err)))
			goto fail;
		n = ar_dbc_exec(db, err, "UPDATE package_versions SET revision = ?, updated_ms = ? WHERE id = ?", "sii",
				revision, ar_now_ms(), v.id);
		if (n < 0 || (rc = ar_pkg_touch(db, pkg.id, err))) {
			rc = n < 0 ? (int)n : rc;
			goto fail;
		}
	}
	if ((rc = ar_version_get(out, db, a, pkg.id, in->version, err)) || (rc = ar_dbc_commit(db, err)))
		goto fail;
	return 0;
fail:
	ar_dbc_rollback(db);
	return rc;
}

int ar_version_remove(struct ar_dbc *db, const struct ar_version *v, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err, "DELETE FROM package_versions WHERE id = ?", "i", v->id);
	if (n < 0)
		return (int)n;
	return ar_pkg_touch(db, v->package_id, err);
}

int ar_pkg_remove(struct ar_dbc *db, int64_t package_id, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err, "DELETE FROM packages WHERE id = ?", "i", package_id);
	return n < 0 ? (int)n : 0;
}

int ar_version_set_status(struct ar_dbc *db, const struct ar_version *v, enum ar_vstatus status, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err, "UPDATE package_versions SET status = ?, updated_ms = ? WHERE id = ?", "sii",
				ar_status_name(status), ar_now_ms(), v->id);
	if (n < 0)
		return (int)n;
	return ar_pkg_touch(db, v->package_id, err);
}

int ar_version_set_attrs(struct ar_dbc *db, struct ar_arena *a, const struct ar_version *v, const char *attrs,
			 struct ar_err *err)
{
	/* The revision covers assets and metadata: hash the asset-based revision with the new attributes. */
	const char *base;
	int rc = compute_revision(&base, db, a, v->version, v->id, err);
	if (rc)
		return rc;
	const char *text = ar_printf(a, "%s\n%s", base, attrs ? attrs : "");
	unsigned char digest[32];
	ar_sha256(digest, text, strlen(text));
	int64_t n =
		ar_dbc_exec(db, err, "UPDATE package_versions SET attrs = ?, revision = ?, updated_ms = ? WHERE id = ?",
			    "ssii", attrs, ar_b64_encode(a, digest, sizeof digest), ar_now_ms(), v->id);
	if (n < 0)
		return (int)n;
	return ar_pkg_touch(db, v->package_id, err);
}
