/* formats/npm_write.c - npm writes: publish, deprecate, unpublish, dist-tags */
#include "formats/npm_int.h"

#include "core/json.h"
#include "core/log.h"
#include "formats/npm_pkg.h"
#include "formats/semver.h"
#include "store/blob.h"

#include <string.h>

static const char *const META = "codeartifact:PutPackageMetadata";

static int send_ok(struct ar_dp *dp, int status)
{
	return npm_send_json(dp, status, json_pack("{s:b}", "ok", 1));
}

/* CouchDB-style optimistic locking: a rev that is given must be the current one. */
static int check_rev(struct ar_dp *dp, const struct ar_package *pkg, const char *rev)
{
	if (!rev || strcmp(rev, npm_rev(dp->a, pkg)) == 0)
		return 0;
	return ar_dp_error(dp, 409, "Document update conflict: %s changed since _rev %s was read", pkg->display_name,
			   rev);
}

static int commit_or_fail(struct ar_dp *dp, int rc, struct ar_err *err)
{
	if (rc == 0 && (rc = ar_dbc_commit(dp->db, err)) == 0)
		return 0;
	ar_dbc_rollback(dp->db);
	return rc;
}

/* ---- publish ---- */

/* Install-relevant fields come from the tarball's own package.json, never from the manifest the client
   wrote beside it, so a packument cannot advertise other dependencies than the package declares. */
static const char *const from_tarball[] = {
	"dependencies",		"devDependencies",    "peerDependencies",    "peerDependenciesMeta",
	"optionalDependencies", "bundleDependencies", "bundledDependencies",
};

static bool has_install_script(json_t *scripts)
{
	return json_is_object(scripts) &&
	       (json_object_get(scripts, "preinstall") || json_object_get(scripts, "install") ||
		json_object_get(scripts, "postinstall"));
}

/* The manifest as stored in the version's attrs: no readme (stored on its own), dist without the
   tarball URL (rendered from the request's base URL), digests from the bytes we hold. */
static char *stored_manifest(struct ar_arena *a, const struct ar_npm_publish *p, const char *user)
{
	json_t *m = json_deep_copy(p->manifest);
	json_t *pj = p->info.package_json;
	for (size_t i = 0; i < sizeof from_tarball / sizeof from_tarball[0]; i++) {
		json_t *v = json_object_get(pj, from_tarball[i]);
		if (v)
			json_object_set(m, from_tarball[i], v);
		else
			json_object_del(m, from_tarball[i]);
	}
	json_object_del(m, "readme");
	json_object_del(m, "_attachments");
	json_object_set_new(m, "_id", json_sprintf("%s@%s", p->name, p->version));
	json_object_set_new(m, "_npmUser", json_pack("{s:s,s:s}", "name", user, "email", ""));
	if (has_install_script(json_object_get(m, "scripts")))
		json_object_set_new(m, "hasInstallScript", json_true());
	json_object_set_new(m, "dist",
			    json_pack("{s:s,s:s,s:I,s:I}", "integrity", p->integrity, "shasum", p->hashes.sha1,
				      "fileCount", (json_int_t)p->info.n_files, "unpackedSize",
				      (json_int_t)p->info.unpacked_size));
	char *s = ar_json_dump(a, m, NULL);
	json_decref(m);
	return s;
}

/* The README as npm has it: the manifest's, the body's, else the one found in the tarball; capped. */
static const char *readme_of(struct ar_arena *a, const struct ar_npm_publish *p)
{
	const char *r = ar_json_str(p->manifest, "readme");
	if (!r || !*r)
		r = p->readme;
	if (!r || !*r)
		r = p->info.readme;
	if (!r || !*r)
		return NULL;
	size_t len = strlen(r);
	if (len <= AR_NPM_README_MAX)
		return r;
	len = AR_NPM_README_MAX;
	while (len > 0 && ((unsigned char)r[len] & 0xC0) == 0x80)
		len--; /* do not cut a UTF-8 sequence */
	return ar_strndup(a, r, len);
}

struct ar_dependency *npm_dependencies(struct ar_arena *a, const struct ar_npm_dep *list, size_t n)
{
	static const char *const types[] = {"regular", "dev", "peer", "optional"};
	struct ar_dependency *deps = ar_alloc_array(a, n + 1, sizeof *deps);
	for (size_t i = 0; i < n; i++) {
		const struct ar_npm_dep *d = &list[i];
		const char *ns = NULL, *name = d->name;
		struct ar_err ignored;
		if (ar_npm_split_name(&ns, &name, a, d->name, &ignored) != 0) {
			ns = NULL;
			name = d->name;
		}
		deps[i] = (struct ar_dependency){
			.ns = ns, .package = name, .type = types[d->type], .requirement = d->spec};
	}
	return deps;
}

static int cannot_publish_over(struct ar_dp *dp, const char *version)
{
	return ar_dp_error(dp, 403, "You cannot publish over the previously published versions: %s.", version);
}

/* The tags the body names, and "latest" when the package has none yet (its first version). */
static int set_publish_tags(struct ar_dp *dp, int64_t package_id, const struct ar_npm_publish *p, struct ar_err *err)
{
	const char *latest;
	int rc = ar_dbc_begin(dp->db, true, err);
	if (rc)
		return rc;
	for (size_t i = 0; rc == 0 && i < p->n_tags; i++)
		rc = ar_disttags_set(dp->db, package_id, p->tags[i].tag, p->version, err);
	if (rc == 0 && (rc = ar_disttags_get(&latest, dp->db, dp->a, package_id, "latest", err)) == AR_ENOTFOUND)
		rc = ar_disttags_set(dp->db, package_id, "latest", p->version, err);
	return commit_or_fail(dp, rc, err);
}

static int publish(struct ar_dp *dp, const struct npm_target *t, const struct ar_npm_publish *p)
{
	struct ar_err err = {0};
	struct ar_package pkg;
	struct ar_version v;
	const char *why;
	struct ar_pkg_key key = {.format = "npm", .ns = t->ns ? t->ns : "", .name = t->name};
	int rc = ar_pkg_get(&pkg, dp->db, dp->a, dp->repo.id, &key, &err);
	if (rc && rc != AR_ENOTFOUND)
		return ar_dp_fail(dp, rc, &err);
	if (!ar_npm_name_valid(t->full, rc == AR_ENOTFOUND, &why))
		return ar_dp_error(dp, 400, "Invalid package name \"%s\": %s", t->full, why);
	/* Cheap refusal before the bytes are stored; ar_publish decides for good under its lock. */
	if (rc == 0 && ar_version_get(&v, dp->db, dp->a, pkg.id, p->version, &err) == 0)
		return cannot_publish_over(dp, p->version);

	char sha256[65];
	if ((rc = ar_blob_put_mem(dp->ctx->blobs, p->tarball, p->tarball_len, sha256, &err)))
		return ar_dp_fail(dp, rc, &err);
	const char *license = p->info.license ? p->info.license : ar_json_str(p->manifest, "license");
	json_t *licenses = license ? json_pack("[{s:s}]", "name", license) : NULL;
	struct ar_asset_in asset = {
		.name = AR_NPM_ASSET,
		.hashes = p->hashes,
		.content_type = "application/octet-stream",
	};
	struct ar_publish_in in = {
		.key = key,
		.display_name = t->full,
		.version = p->version,
		.summary = p->info.description ? p->info.description : ar_json_str(p->manifest, "description"),
		.home_page = p->info.homepage,
		.source_code_repository = p->info.repository,
		.licenses = licenses ? ar_json_dump(dp->a, licenses, NULL) : NULL,
		.readme = readme_of(dp->a, p),
		.attrs = stored_manifest(dp->a, p, dp->caller.user_name),
		.deps = npm_dependencies(dp->a, p->info.deps, p->info.n_deps),
		.n_deps = p->info.n_deps,
		.assets = &asset,
		.n_assets = 1,
	};
	json_decref(licenses);
	rc = ar_publish(&v, dp->db, dp->ctx->blobs, dp->a, &dp->repo, &in, &err);
	if (rc == AR_EEXISTS || rc == AR_ECONFLICT)
		return cannot_publish_over(dp, p->version);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	if ((rc = set_publish_tags(dp, v.package_id, p, &err)))
		return ar_dp_fail(dp, rc, &err);
	npm_cache_forget(dp, v.package_id);
	ar_info("npm: %s published %s@%s to %s/%s", dp->caller.arn, t->full, p->version, dp->domain.name,
		dp->repo.name);
	return send_ok(dp, 200);
}

/* ---- metadata: deprecate / undeprecate ---- */

/* Sets or clears (msg "") a version's deprecation in its manifest; *changed says whether it did. */
static int set_deprecated(struct ar_dp *dp, const struct ar_version *v, const char *msg, bool *changed,
			  struct ar_err *err)
{
	json_t *m = v->attrs ? json_loads(v->attrs, 0, NULL) : NULL;
	if (!json_is_object(m)) {
		json_decref(m);
		m = json_object();
	}
	const char *cur = ar_json_str(m, "deprecated");
	*changed = strcmp(cur ? cur : "", msg) != 0;
	int rc = 0;
	if (*changed) {
		if (*msg)
			json_object_set_new(m, "deprecated", json_string(msg));
		else
			json_object_del(m, "deprecated");
		rc = ar_version_set_attrs(dp->db, dp->a, v, ar_json_dump(dp->a, m, NULL), err);
	}
	json_decref(m);
	return rc;
}

static int update_metadata(struct ar_dp *dp, const struct npm_target *t, const struct ar_npm_publish *p)
{
	struct ar_err err = {0};
	struct ar_package pkg;
	if (npm_find_package(&pkg, dp, t))
		return 404;
	int rc = ar_dp_authorize(dp, META, t->ns, t->name, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	if (check_rev(dp, &pkg, p->rev))
		return 409;
	/* Stars and maintainer lists are not kept (access is IAM's); dist-tags change through their own
	   endpoint. Only deprecation is taken from a whole-document PUT. */
	size_t changed = 0;
	if ((rc = ar_dbc_begin(dp->db, true, &err)))
		return ar_dp_fail(dp, rc, &err);
	for (size_t i = 0; rc == 0 && i < p->n_versions; i++) {
		const struct ar_npm_version_meta *vm = &p->versions[i];
		struct ar_version v;
		bool did = false;
		if (!vm->deprecated)
			continue;
		rc = ar_version_get(&v, dp->db, dp->a, pkg.id, vm->version, &err);
		if (rc == AR_ENOTFOUND) {
			rc = 0; /* not ours to create: a metadata PUT never adds versions */
			continue;
		}
		if (rc == 0 && (rc = set_deprecated(dp, &v, vm->deprecated, &did, &err)) == 0 && did)
			changed++;
	}
	if ((rc = commit_or_fail(dp, rc, &err)))
		return ar_dp_fail(dp, rc, &err);
	if (changed)
		npm_cache_forget(dp, pkg.id);
	return send_ok(dp, 200);
}

static int parse_body(struct ar_npm_publish *p, struct ar_dp *dp, const struct npm_target *t)
{
	struct ar_err err = {0};
	int rc = ar_npm_parse_publish(p, dp->a, t->full, dp->req->body.data, dp->req->body.len, &err);
	if (rc == AR_EINVAL)
		return ar_dp_error(dp, 400, "%s", err.msg);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	return 0;
}

int npm_put_package(struct ar_dp *dp)
{
	const struct npm_target *t = dp->route_data;
	struct ar_npm_publish p;
	if (parse_body(&p, dp, t))
		return 400;
	return p.kind == AR_NPM_PUT_PUBLISH ? publish(dp, t, &p) : update_metadata(dp, t, &p);
}

/* ---- unpublish ---- */

static bool body_has_version(const struct ar_npm_publish *p, const char *version)
{
	for (size_t i = 0; i < p->n_versions; i++)
		if (strcmp(p->versions[i].version, version) == 0)
			return true;
	return false;
}

/* After versions went away: "latest" for what is left (the client's choice when it is listed, else the
   highest listed version), or the package itself when nothing is left. */
static int settle_after_removal(struct ar_dp *dp, const struct ar_package *pkg, const struct ar_npm_publish *p,
				struct ar_err *err)
{
	struct ar_version *vs;
	size_t n;
	const char *latest;
	int rc = ar_pkg_versions(&vs, &n, dp->db, dp->a, pkg->id, err);
	if (rc)
		return rc;
	if (n == 0)
		return ar_pkg_remove(dp->db, pkg->id, err);
	if ((rc = ar_disttags_get(&latest, dp->db, dp->a, pkg->id, "latest", err)) != AR_ENOTFOUND)
		return rc;
	const char **listed = ar_alloc_array(dp->a, n, sizeof *listed);
	size_t n_listed = 0;
	const char *wanted = NULL;
	for (size_t i = 0; i < p->n_tags; i++)
		if (strcmp(p->tags[i].tag, "latest") == 0)
			wanted = p->tags[i].version;
	for (size_t i = 0; i < n; i++) {
		if (!ar_status_listed(vs[i].status))
			continue;
		listed[n_listed++] = vs[i].version;
		if (wanted && strcmp(wanted, vs[i].version) == 0)
			return ar_disttags_set(dp->db, pkg->id, "latest", wanted, err);
	}
	ptrdiff_t best = ar_semver_max_stable(listed, n_listed);
	return best < 0 ? 0 : ar_disttags_set(dp->db, pkg->id, "latest", listed[best], err);
}

/* PUT /{pkg}/-rev/{rev}: the packument minus the versions to unpublish. Only listed versions can be
   unpublished this way: unlisted ones are not in the client's document to begin with. */
int npm_unpublish_versions(struct ar_dp *dp)
{
	const struct npm_target *t = dp->route_data;
	struct ar_err err = {0};
	struct ar_package pkg;
	struct ar_npm_publish p;
	if (npm_find_package(&pkg, dp, t))
		return 404;
	if (check_rev(dp, &pkg, t->rev))
		return 409;
	if (parse_body(&p, dp, t))
		return 400;
	if (p.kind != AR_NPM_PUT_METADATA)
		return ar_dp_error(dp, 400, "an update of %s cannot carry attachments", t->full);
	if (!p.has_versions)
		return ar_dp_error(dp, 400,
				   "npm owner changes are not supported: access to %s is managed with IAM policies",
				   t->full);
	struct ar_version *vs;
	size_t n, removed = 0;
	int rc = ar_dbc_begin(dp->db, true, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	rc = ar_pkg_versions(&vs, &n, dp->db, dp->a, pkg.id, &err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!ar_status_listed(vs[i].status) || body_has_version(&p, vs[i].version))
			continue;
		if ((rc = ar_version_remove(dp->db, &vs[i], &err)) == 0 &&
		    (rc = ar_disttags_remove_version(dp->db, pkg.id, vs[i].version, NULL, &err)) == 0) {
			removed++;
			ar_info("npm: %s unpublished %s@%s from %s/%s", dp->caller.arn, t->full, vs[i].version,
				dp->domain.name, dp->repo.name);
		}
	}
	if (rc == 0 && removed)
		rc = settle_after_removal(dp, &pkg, &p, &err);
	if ((rc = commit_or_fail(dp, rc, &err)))
		return ar_dp_fail(dp, rc, &err);
	npm_cache_forget(dp, pkg.id);
	return send_ok(dp, 200);
}

/* DELETE /{pkg}/-rev/{rev}: the whole package, every version whatever its status. */
int npm_unpublish_package(struct ar_dp *dp)
{
	const struct npm_target *t = dp->route_data;
	struct ar_err err = {0};
	struct ar_package pkg;
	if (npm_find_package(&pkg, dp, t))
		return 404;
	if (check_rev(dp, &pkg, t->rev))
		return 409;
	int rc = ar_dbc_begin(dp->db, true, &err);
	if (rc == 0)
		rc = ar_pkg_remove(dp->db, pkg.id, &err);
	if ((rc = commit_or_fail(dp, rc, &err)))
		return ar_dp_fail(dp, rc, &err);
	npm_cache_forget(dp, pkg.id);
	ar_info("npm: %s unpublished %s from %s/%s", dp->caller.arn, t->full, dp->domain.name, dp->repo.name);
	return send_ok(dp, 200);
}

/* DELETE /{pkg}/-/{file}/-rev/{rev}: npm's last step of a version unpublish. The tarball went with its
   version; a version still listed must be unpublished first. */
int npm_delete_tarball(struct ar_dp *dp)
{
	const struct npm_target *t = dp->route_data;
	struct ar_err err = {0};
	struct ar_package pkg;
	struct ar_version v;
	if (npm_find_package(&pkg, dp, t))
		return 404;
	if (check_rev(dp, &pkg, t->rev))
		return 409;
	const char *version = npm_tarball_version(dp->a, t);
	if (!version)
		return ar_dp_error(dp, 404, "Not found: %s is not a tarball of %s", t->arg, t->full);
	int rc = ar_version_get(&v, dp->db, dp->a, pkg.id, version, &err);
	if (rc == 0 && ar_status_listed(v.status))
		return ar_dp_error(dp, 409, "%s@%s is still published: unpublish the version first", t->full, version);
	if (rc && rc != AR_ENOTFOUND)
		return ar_dp_fail(dp, rc, &err);
	return send_ok(dp, 200);
}

/* ---- dist-tags ---- */

/* The body of a dist-tag PUT is a JSON string ("1.2.3"); a bare version is accepted too. */
static const char *tag_body_version(struct ar_dp *dp)
{
	const char *data = dp->req->body.data;
	size_t len = dp->req->body.len;
	json_t *j = data ? json_loadb(data, len, JSON_DECODE_ANY, NULL) : NULL;
	const char *v = NULL;
	if (json_is_string(j))
		v = ar_strdup(dp->a, json_string_value(j));
	else if (!j && data) {
		while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
			len--;
		v = ar_strndup(dp->a, data, len);
	}
	json_decref(j);
	return v && *v ? v : NULL;
}

int npm_put_tag(struct ar_dp *dp)
{
	const struct npm_target *t = dp->route_data;
	struct ar_err err = {0};
	struct ar_package pkg;
	struct ar_version v;
	const char *why;
	if (!ar_npm_tag_valid(t->arg, &why))
		return ar_dp_error(dp, 400, "Invalid dist-tag \"%s\": %s", t->arg, why);
	const char *version = tag_body_version(dp);
	if (!version)
		return ar_dp_error(dp, 400, "the body must be the version as a JSON string");
	if (npm_find_package(&pkg, dp, t))
		return 404;
	int rc = ar_version_get(&v, dp->db, dp->a, pkg.id, version, &err);
	if (rc == AR_ENOTFOUND || (rc == 0 && !ar_status_listed(v.status)))
		return ar_dp_error(dp, 404, "Not found: %s has no published version %s", t->full, version);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	if ((rc = ar_dbc_begin(dp->db, true, &err)) == 0)
		rc = ar_disttags_set(dp->db, pkg.id, t->arg, version, &err);
	if ((rc = commit_or_fail(dp, rc, &err)))
		return ar_dp_fail(dp, rc, &err);
	npm_cache_forget(dp, pkg.id);
	return send_ok(dp, 200);
}

int npm_delete_tag(struct ar_dp *dp)
{
	const struct npm_target *t = dp->route_data;
	struct ar_err err = {0};
	struct ar_package pkg;
	if (strcmp(t->arg, "latest") == 0)
		return ar_dp_error(dp, 400, "The latest dist-tag cannot be removed; point it at another version");
	if (npm_find_package(&pkg, dp, t))
		return 404;
	int rc = ar_dbc_begin(dp->db, true, &err);
	if (rc == 0)
		rc = ar_disttags_remove(dp->db, pkg.id, t->arg, &err);
	if ((rc = commit_or_fail(dp, rc, &err)))
		return ar_dp_fail(dp, rc, &err);
	npm_cache_forget(dp, pkg.id);
	return send_ok(dp, 200);
}
