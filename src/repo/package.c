/* repo/package.c - packages, versions, assets and dependencies, and the one publish path */
#include "repo/package.h"

#include "core/text.h"
#include "core/timeutil.h"
#include "repo/domain.h"
#include "repo/groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The visibility rule (ref 4.3), one row per status in enum order. */
static const struct {
	bool listed, downloadable, api_readable;
} visibility[] = {
	[AR_ST_PUBLISHED] = {true, true, true},	  [AR_ST_UNFINISHED] = {false, false, true},
	[AR_ST_UNLISTED] = {false, true, true},	  [AR_ST_ARCHIVED] = {false, false, false},
	[AR_ST_DISPOSED] = {false, false, false}, [AR_ST_DELETED] = {false, false, false},
};

bool ar_status_listed(enum ar_vstatus s)
{
	return visibility[s].listed;
}

bool ar_status_downloadable(enum ar_vstatus s)
{
	return visibility[s].downloadable;
}

bool ar_status_api_readable(enum ar_vstatus s)
{
	return visibility[s].api_readable;
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
	v->entry_repository = ar_stmt_text_dup(st, 6, a);
	v->entry_external = ar_stmt_text_dup(st, 7, a);
	v->published_ms = ar_stmt_int(st, 8);
	v->updated_ms = ar_stmt_int(st, 9);
	v->summary = ar_stmt_text_dup(st, 10, a);
	v->home_page = ar_stmt_text_dup(st, 11, a);
	v->source_code_repository = ar_stmt_text_dup(st, 12, a);
	v->licenses = ar_stmt_text_dup(st, 13, a);
	v->readme = ar_stmt_text_dup(st, 14, a);
	v->attrs = ar_stmt_text_dup(st, 15, a);
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
	x->content_type = ar_stmt_text_dup(st, 7, a);
	x->attrs = ar_stmt_text_dup(st, 8, a);
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
		list[count].ns = ar_stmt_text_dup(st, 0, a);
		list[count].package = ar_strdup(a, ar_stmt_text(st, 1));
		list[count].type = ar_stmt_text_dup(st, 2, a);
		list[count].requirement = ar_stmt_text_dup(st, 3, a);
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

/* The revision covers assets and metadata: the asset-based revision, hashed again with the
   format-specific attributes when there are any. */
static int version_revision(const char **out, struct ar_dbc *db, struct ar_arena *a, const char *version,
			    int64_t version_id, const char *attrs, struct ar_err *err)
{
	const char *base = NULL;
	int rc = compute_revision(&base, db, a, version, version_id, err);
	if (rc || !attrs) {
		*out = base;
		return rc;
	}
	const char *text = ar_printf(a, "%s\n%s", base, attrs);
	unsigned char digest[32];
	ar_sha256(digest, text, strlen(text));
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

/* Now, or just after the package's latest publish: publish times within a package are distinct and in
   publish order, so "newest first" is well defined even for publishes within one millisecond. */
static int next_published_ms(int64_t *out, struct ar_dbc *db, int64_t package_id, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT MAX(published_ms) FROM package_versions WHERE package_id = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, package_id);
	rc = ar_stmt_step(st, err);
	*out = ar_now_ms();
	if (rc == 1 && !ar_stmt_is_null(st, 0) && ar_stmt_int(st, 0) >= *out)
		*out = ar_stmt_int(st, 0) + 1;
	ar_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int insert_version(struct ar_version *v, struct ar_dbc *db, struct ar_arena *a, int64_t package_id,
			  const struct ar_repository *repo, const struct ar_publish_in *in, struct ar_err *err)
{
	int64_t id = ar_new_id(), now;
	struct ar_stmt *st;
	int rc = next_published_ms(&now, db, package_id, err);
	if (rc)
		return rc;
	rc = ar_dbc_prepare(db, &st,
			    "INSERT INTO package_versions (id, package_id, version, revision, status, origin_type,"
			    " entry_repository, entry_external, published_ms, updated_ms, summary, home_page,"
			    " source_code_repository, licenses, readme, attrs)"
			    " VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, id);
	ar_stmt_bind_int(st, 2, package_id);
	ar_stmt_bind_text(st, 3, in->version);
	ar_stmt_bind_text(st, 4, ar_status_name(in->unfinished ? AR_ST_UNFINISHED : AR_ST_PUBLISHED));
	ar_stmt_bind_text(st, 5, in->external ? "EXTERNAL" : "INTERNAL");
	ar_stmt_bind_text(st, 6, in->external ? NULL : repo->name);
	ar_stmt_bind_text(st, 7, in->external);
	ar_stmt_bind_int(st, 8, now);
	ar_stmt_bind_int(st, 9, now);
	ar_stmt_bind_text(st, 10, in->summary);
	ar_stmt_bind_text(st, 11, in->home_page);
	ar_stmt_bind_text(st, 12, in->source_code_repository);
	ar_stmt_bind_text(st, 13, in->licenses);
	ar_stmt_bind_text(st, 14, in->readme);
	ar_stmt_bind_text(st, 15, in->attrs);
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

int ar_pkg_create(struct ar_package *out, struct ar_dbc *db, struct ar_arena *a, int64_t repository_id,
		  const struct ar_pkg_key *key, const char *display_name, const char *origin_publish,
		  const char *origin_upstream, struct ar_err *err)
{
	int64_t now = ar_now_ms();
	int64_t n =
		ar_dbc_exec(db, err,
			    "INSERT INTO packages (id, repository_id, format, namespace, name, display_name,"
			    " origin_publish, origin_upstream, created_ms, updated_ms)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    "iissssssii", ar_new_id(), repository_id, key->format, key->ns ? key->ns : "", key->name,
			    display_name ? display_name : key->name, origin_publish, origin_upstream, now, now);
	if (n == AR_EEXISTS)
		return ar_fail(err, AR_EEXISTS, "Package %s already exists", key->name);
	if (n < 0)
		return (int)n;
	return ar_pkg_get(out, db, a, repository_id, key, err);
}

int ar_pkg_set_origin(struct ar_dbc *db, int64_t package_id, const char *publish, const char *upstream,
		      struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err, "UPDATE packages SET origin_publish = ?, origin_upstream = ? WHERE id = ?",
				"ssi", publish, upstream, package_id);
	if (n < 0)
		return (int)n;
	return ar_pkg_touch(db, package_id, err);
}

static int get_or_create_package(struct ar_package *pkg, struct ar_dbc *db, struct ar_arena *a,
				 const struct ar_repository *repo, const struct ar_publish_in *in, struct ar_err *err)
{
	int rc = ar_pkg_get(pkg, db, a, repo->id, &in->key, err);
	if (rc != AR_ENOTFOUND)
		return rc;
	/* A package whose first version is published directly: publish ALLOW, upstream BLOCK; one whose
	   first version came from a public registry the reverse (ref 4.5). */
	return ar_pkg_create(pkg, db, a, repo->id, &in->key, in->display_name, in->external ? "BLOCK" : "ALLOW",
			     in->external ? "ALLOW" : "BLOCK", err);
}

static const char *display(const struct ar_publish_in *in)
{
	return in->display_name ? in->display_name : in->key.name;
}

/* Inside the write transaction: the blob is still there. Garbage collection removes blobs only
   under the same lock after seeing no asset row, so a row inserted after this check keeps its
   bytes (docs/internals/GC.md). */
static int blob_present(struct ar_blobs *blobs, const char *sha256, struct ar_err *err)
{
	int fd;
	uint64_t size;
	int rc = ar_blob_open(blobs, sha256, &fd, &size, err);
	if (rc == AR_ENOTFOUND)
		return ar_fail(err, AR_EUNAVAIL,
			       "The content of this upload was removed by a concurrent cleanup; please retry");
	if (rc)
		return rc;
	close(fd);
	return 0;
}

/* Adds the new assets of in to version v (the version exists); refuses changed bytes under a known name. */
static int extend_version(struct ar_version *v, struct ar_dbc *db, struct ar_blobs *blobs, struct ar_arena *a,
			  const struct ar_publish_in *in, bool is_sealed, bool *changed, struct ar_err *err)
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
		if (is_sealed)
			return ar_fail(err, AR_ECONFLICT,
				       "%s %s is %s and accepts no more assets; publish every asset but the last "
				       "with unfinished=true",
				       display(in), in->version, ar_status_name(v->status));
		if (n_have + added + 1 > AR_MAX_ASSETS_PER_VERSION)
			return ar_fail(err, AR_EQUOTA, "A package version can have at most %d assets",
				       AR_MAX_ASSETS_PER_VERSION);
		if ((rc = blob_present(blobs, x->hashes.sha256, err)) || (rc = insert_asset(db, v->id, x, err)))
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
	if (in->external && strcmp(pkg.origin_upstream, "ALLOW") != 0) {
		rc = ar_fail(err, AR_EDENIED,
			     "%s in repository %s does not accept versions from upstream (upstream=BLOCK)", display(in),
			     repo->name);
		goto fail;
	}
	if (!in->external && strcmp(pkg.origin_publish, "ALLOW") != 0) {
		rc = ar_fail(err, AR_EDENIED,
			     "Publishing %s to repository %s is blocked by the package's origin configuration "
			     "(publish=BLOCK)",
			     display(in), repo->name);
		goto fail;
	}
	/* The package group's PUBLISH restriction applies too: a version enters only if both allow it. */
	if ((rc = ar_group_check_origin(db, a, repo->domain_id, in->key.format, in->key.ns, in->key.name,
					in->external ? AR_ORIGIN_EXTERNAL_UPSTREAM : AR_ORIGIN_PUBLISH, repo->name,
					err)))
		goto fail;
	rc = ar_version_get(&v, db, a, pkg.id, in->version, err);
	if (rc == AR_ENOTFOUND) {
		rc = insert_version(&v, db, a, pkg.id, repo, in, err);
		if (rc == 0)
			rc = extend_version(&v, db, blobs, a, in, false, &changed, err);
	} else if (rc == 0) {
		if (v.status == AR_ST_ARCHIVED || v.status == AR_ST_DISPOSED || v.status == AR_ST_DELETED) {
			rc = ar_fail(err, AR_ECONFLICT, "%s %s is %s and cannot be published again", display(in),
				     in->version, ar_status_name(v.status));
		} else if (!in->add_to_existing) {
			rc = ar_fail(err, AR_EEXISTS, "%s %s already exists in repository %s", display(in), in->version,
				     repo->name);
		} else {
			rc = extend_version(&v, db, blobs, a, in,
					    in->published_is_final && v.status != AR_ST_UNFINISHED, &changed, err);
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
		if ((rc = version_revision(&revision, db, a, in->version, v.id, v.attrs, err)))
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
	const char *revision;
	int rc = version_revision(&revision, db, a, v->version, v->id, attrs, err);
	if (rc)
		return rc;
	int64_t n =
		ar_dbc_exec(db, err, "UPDATE package_versions SET attrs = ?, revision = ?, updated_ms = ? WHERE id = ?",
			    "ssii", attrs, revision, ar_now_ms(), v->id);
	if (n < 0)
		return (int)n;
	return ar_pkg_touch(db, v->package_id, err);
}

int ar_pkg_list(struct ar_package **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
		int64_t repository_id, const struct ar_pkg_filter *f, struct ar_err *err)
{
	*out = NULL;
	*n = 0;
	*more = false;
	const char *after[3] = {NULL, NULL, NULL};
	if (f->after) {
		/* "format\nnamespace\nname": none of them may contain whitespace. */
		char *key = ar_strdup(a, f->after), *nl1 = strchr(key, '\n'), *nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
		if (!nl2)
			return ar_fail(err, AR_EINVAL, "nextToken is not valid for this operation");
		*nl1 = *nl2 = '\0';
		after[0] = key;
		after[1] = nl1 + 1;
		after[2] = nl2 + 1;
	}
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(
		db, &st,
		"SELECT id, format, namespace, name, display_name, origin_publish, origin_upstream, created_ms,"
		" updated_ms FROM packages WHERE repository_id = ?"
		" AND (? IS NULL OR format = ?)"
		" AND (? IS NULL OR substr(namespace, 1, length(?)) = ?)"
		" AND (? IS NULL OR substr(name, 1, length(?)) = ?)"
		" AND (? IS NULL OR origin_publish = ?)"
		" AND (? IS NULL OR origin_upstream = ?)"
		" AND (? IS NULL OR (format, namespace, name) > (?, ?, ?))"
		" ORDER BY format, namespace, name LIMIT ?",
		err);
	if (rc)
		return rc;
	int i = 1;
	ar_stmt_bind_int(st, i++, repository_id);
	for (int k = 0; k < 2; k++)
		ar_stmt_bind_text(st, i++, f->format);
	for (int k = 0; k < 3; k++)
		ar_stmt_bind_text(st, i++, f->ns_prefix);
	for (int k = 0; k < 3; k++)
		ar_stmt_bind_text(st, i++, f->name_prefix);
	for (int k = 0; k < 2; k++)
		ar_stmt_bind_text(st, i++, f->publish);
	for (int k = 0; k < 2; k++)
		ar_stmt_bind_text(st, i++, f->upstream);
	ar_stmt_bind_text(st, i++, after[0]);
	for (int k = 0; k < 3; k++)
		ar_stmt_bind_text(st, i++, after[k]);
	ar_stmt_bind_int(st, i++, (int64_t)f->limit + 1);
	size_t cap = 0, count = 0;
	struct ar_package *list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		if (count == (size_t)f->limit) {
			*more = true;
			break;
		}
		list = ar_grow(a, list, &cap, count, sizeof *list);
		struct ar_package *p = &list[count++];
		p->id = ar_stmt_int(st, 0);
		p->repository_id = repository_id;
		p->format = ar_strdup(a, ar_stmt_text(st, 1));
		p->ns = ar_strdup(a, ar_stmt_text(st, 2));
		p->name = ar_strdup(a, ar_stmt_text(st, 3));
		p->display_name = ar_strdup(a, ar_stmt_text(st, 4));
		p->origin_publish = ar_strdup(a, ar_stmt_text(st, 5));
		p->origin_upstream = ar_strdup(a, ar_stmt_text(st, 6));
		p->created_ms = ar_stmt_int(st, 7);
		p->updated_ms = ar_stmt_int(st, 8);
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

const char *ar_pkg_page_key(struct ar_arena *a, const struct ar_package *p)
{
	return ar_printf(a, "%s\n%s\n%s", p->format, p->ns, p->name);
}

int ar_version_list(struct ar_version **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
		    int64_t package_id, const struct ar_version_filter *f, struct ar_err *err)
{
	*out = NULL;
	*n = 0;
	*more = false;
	const char *after_version = f->after;
	int64_t after_ms = 0;
	if (f->after && f->by_published_time) {
		/* "published_ms\nversion" */
		const char *nl = strchr(f->after, '\n');
		if (!nl || !ar_parse_i64(ar_strndup(a, f->after, (size_t)(nl - f->after)), &after_ms))
			return ar_fail(err, AR_EINVAL, "nextToken is not valid for this operation");
		after_version = nl + 1;
	}
	struct ar_stmt *st;
	int rc = f->by_published_time
			 ? ar_dbc_prepare(db, &st,
					  "SELECT " VERSION_COLUMNS " FROM package_versions WHERE package_id = ?"
					  " AND (? IS NULL OR status = ?) AND (? IS NULL OR origin_type = ?)"
					  " AND (? IS NULL OR published_ms < ? OR (published_ms = ? AND version < ?))"
					  " ORDER BY published_ms DESC, version DESC LIMIT ?",
					  err)
			 : ar_dbc_prepare(db, &st,
					  "SELECT " VERSION_COLUMNS " FROM package_versions WHERE package_id = ?"
					  " AND (? IS NULL OR status = ?) AND (? IS NULL OR origin_type = ?)"
					  " AND (? IS NULL OR version > ?) ORDER BY version LIMIT ?",
					  err);
	if (rc)
		return rc;
	int i = 1;
	ar_stmt_bind_int(st, i++, package_id);
	ar_stmt_bind_text(st, i++, f->status);
	ar_stmt_bind_text(st, i++, f->status);
	ar_stmt_bind_text(st, i++, f->origin_type);
	ar_stmt_bind_text(st, i++, f->origin_type);
	ar_stmt_bind_text(st, i++, after_version);
	if (f->by_published_time) {
		ar_stmt_bind_int(st, i++, after_ms);
		ar_stmt_bind_int(st, i++, after_ms);
	}
	ar_stmt_bind_text(st, i++, after_version);
	ar_stmt_bind_int(st, i++, (int64_t)f->limit + 1);
	size_t cap = 0, count = 0;
	struct ar_version *list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		if (count == (size_t)f->limit) {
			*more = true;
			break;
		}
		list = ar_grow(a, list, &cap, count, sizeof *list);
		read_version(&list[count++], st, a);
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

const char *ar_version_page_key(struct ar_arena *a, const struct ar_version *v, bool by_published_time)
{
	if (by_published_time)
		return ar_printf(a, "%lld\n%s", (long long)v->published_ms, v->version);
	return v->version;
}

int ar_version_dispose(struct ar_dbc *db, struct ar_arena *a, const struct ar_version *v, const char **revision,
		       struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err, "DELETE FROM assets WHERE version_id = ?", "i", v->id);
	if (n < 0)
		return (int)n;
	int rc = version_revision(revision, db, a, v->version, v->id, v->attrs, err);
	if (rc)
		return rc;
	n = ar_dbc_exec(db, err, "UPDATE package_versions SET status = ?, revision = ?, updated_ms = ? WHERE id = ?",
			"ssii", ar_status_name(AR_ST_DISPOSED), *revision, ar_now_ms(), v->id);
	if (n < 0)
		return (int)n;
	return ar_pkg_touch(db, v->package_id, err);
}

int ar_version_copy(struct ar_version *out, struct ar_dbc *db, struct ar_arena *a, const struct ar_version *src,
		    int64_t dest_package_id, struct ar_err *err)
{
	int64_t id = ar_new_id();
	/* The origin (domain entry point) and published time describe how the version first entered
	   the domain; a copy keeps them, and its revision, since assets and metadata are the same. */
	int64_t n = ar_dbc_exec(
		db, err,
		"INSERT INTO package_versions (id, package_id, version, revision, status, origin_type,"
		" entry_repository, entry_external, published_ms, updated_ms, summary, home_page,"
		" source_code_repository, licenses, readme, attrs)"
		" SELECT ?, ?, version, revision, status, origin_type, entry_repository, entry_external, published_ms,"
		" ?, summary, home_page, source_code_repository, licenses, readme, attrs FROM package_versions"
		" WHERE id = ?",
		"iiii", id, dest_package_id, ar_now_ms(), src->id);
	if (n == 0)
		return ar_fail(err, AR_ENOTFOUND, "Version %s not found", src->version);
	if (n < 0)
		return (int)n;
	struct ar_asset *assets;
	size_t n_assets;
	int rc = ar_version_assets(&assets, &n_assets, db, a, src->id, err);
	for (size_t i = 0; rc == 0 && i < n_assets; i++) {
		n = ar_dbc_exec(
			db, err,
			"INSERT INTO assets (id, version_id, name, size, md5, sha1, sha256, sha512, content_type,"
			" attrs, created_ms) SELECT ?, ?, name, size, md5, sha1, sha256, sha512, content_type,"
			" attrs, created_ms FROM assets WHERE id = ?",
			"iii", ar_new_id(), id, assets[i].id);
		rc = n < 0 ? (int)n : 0;
	}
	if (rc)
		return rc;
	n = ar_dbc_exec(db, err,
			"INSERT INTO dependencies (version_id, position, namespace, package, dependency_type,"
			" version_requirement) SELECT ?, position, namespace, package, dependency_type,"
			" version_requirement FROM dependencies WHERE version_id = ?",
			"ii", id, src->id);
	if (n < 0)
		return (int)n;
	if ((rc = ar_pkg_touch(db, dest_package_id, err)))
		return rc;
	return ar_version_get(out, db, a, dest_package_id, src->version, err);
}

int ar_version_copy_missing_assets(struct ar_dbc *db, struct ar_arena *a, const struct ar_version *dest,
				   const struct ar_version *src, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(
		db, err,
		"INSERT INTO assets (id, version_id, name, size, md5, sha1, sha256, sha512, content_type, attrs,"
		" created_ms) SELECT ?, ?, name, size, md5, sha1, sha256, sha512, content_type, attrs, created_ms"
		" FROM assets WHERE version_id = ? AND name NOT IN (SELECT name FROM assets WHERE version_id = ?)"
		" LIMIT 1",
		"iiii", ar_new_id(), dest->id, src->id, dest->id);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return 0;
	/* One row per statement (each needs its own id): repeat until nothing is missing. */
	int rc = ar_version_copy_missing_assets(db, a, dest, src, err);
	return rc ? rc : ar_pkg_touch(db, dest->package_id, err);
}

/* One text column of the first row of a prepared query with one integer parameter, or NULL. */
static int first_text(const char **out, struct ar_stmt *st, struct ar_arena *a, int64_t param, struct ar_err *err)
{
	ar_stmt_bind_int(st, 1, param);
	int rc = ar_stmt_step(st, err);
	*out = rc == 1 ? ar_strdup(a, ar_stmt_text(st, 0)) : NULL;
	ar_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int ar_pkg_default_version(const char **out, struct ar_dbc *db, struct ar_arena *a, const struct ar_package *p,
			   struct ar_err *err)
{
	struct ar_stmt *st;
	int rc;
	*out = NULL;
	if (strcmp(p->format, "npm") == 0) {
		rc = ar_dbc_prepare(db, &st,
				    "SELECT v.version FROM dist_tags t JOIN package_versions v"
				    " ON v.package_id = t.package_id AND v.version = t.version"
				    " WHERE t.package_id = ? AND t.tag = 'latest'",
				    err);
		if (rc || (rc = first_text(out, st, a, p->id, err)) || *out)
			return rc;
	}
	rc = ar_dbc_prepare(db, &st,
			    "SELECT version FROM package_versions WHERE package_id = ? AND status = 'Published'"
			    " ORDER BY published_ms DESC, version DESC LIMIT 1",
			    err);
	return rc ? rc : first_text(out, st, a, p->id, err);
}
