/* api/version_ops.c - package versions: list, describe, assets, readme, dependencies, generic publish */
#include "api/api_int.h"

#include "core/json.h"
#include "repo/package.h"
#include "repo/paging.h"
#include "store/blob.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static json_t *version_origin_json(const struct ar_version *v)
{
	json_t *entry = json_object();
	if (v->entry_external)
		json_object_set_new(entry, "externalConnectionName", json_string(v->entry_external));
	else if (v->entry_repository)
		json_object_set_new(entry, "repositoryName", json_string(v->entry_repository));
	return json_pack("{s:o, s:s}", "domainEntryPoint", entry, "originType", v->origin_type);
}

static json_t *version_summary_json(const struct ar_version *v)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "version", v->version, "revision", v->revision, "status",
			 ar_status_name(v->status), "origin", version_origin_json(v));
}

/* format, namespace, package, version, versionRevision: the preamble of several outputs. */
static json_t *version_head_json(const struct ar_package *p, const struct ar_version *v)
{
	json_t *j = json_pack("{s:s}", "format", p->format);
	if (p->ns[0])
		json_object_set_new(j, "namespace", json_string(p->ns));
	json_object_set_new(j, "package", json_string(p->name));
	if (v) {
		json_object_set_new(j, "version", json_string(v->version));
		json_object_set_new(j, "versionRevision", json_string(v->revision));
	}
	return j;
}

/* Loads the package and version the call names. */
static int load(struct ar_api_call *c, struct ar_package *p, struct ar_version *v)
{
	struct ar_pkg_key key;
	int rc;
	if ((rc = ar_api_pkg_key(c, &key)) || (rc = ar_api_pkg_load(c, &key, p)))
		return rc;
	return v ? ar_api_version_load(c, p, ar_api_str(c, "packageVersion"), v) : 0;
}

int api_list_package_versions(struct ar_api_call *c)
{
	struct ar_package p;
	const char *sort = ar_api_str(c, "sortBy");
	struct ar_version_filter f = {
		.status = ar_api_str(c, "status"),
		.origin_type = ar_api_str(c, "originType"),
		.by_published_time = sort != NULL,
	};
	/* Tokens of the two orderings are not interchangeable. */
	const char *kind = f.by_published_time ? "versions-by-time" : "versions";
	int rc;
	if ((rc = ar_page_limit(&f.limit, ar_api_str(c, "maxResults"), 100, &c->err)) ||
	    (rc = ar_page_key(&f.after, c->a, kind, ar_api_str(c, "nextToken"), &c->err)) || (rc = load(c, &p, NULL)))
		return rc;
	struct ar_version *list;
	size_t n;
	bool more;
	const char *display;
	if ((rc = ar_version_list(&list, &n, &more, c->db, c->a, p.id, &f, &c->err)) ||
	    (rc = ar_pkg_default_version(&display, c->db, c->a, &p, &c->err)))
		return rc;
	c->out = version_head_json(&p, NULL);
	if (display)
		json_object_set_new(c->out, "defaultDisplayVersion", json_string(display));
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, version_summary_json(&list[i]));
	json_object_set_new(c->out, "versions", arr);
	if (more)
		json_object_set_new(c->out, "nextToken",
				    json_string(ar_page_token(
					    c->a, kind, ar_version_page_key(c->a, &list[n - 1], f.by_published_time))));
	return 0;
}

int api_describe_package_version(struct ar_api_call *c)
{
	struct ar_package p;
	struct ar_version v;
	int rc = load(c, &p, &v);
	if (rc)
		return rc;
	json_t *j = json_pack("{s:s}", "format", p.format);
	if (p.ns[0])
		json_object_set_new(j, "namespace", json_string(p.ns));
	json_object_set_new(j, "packageName", json_string(p.name));
	/* npm shows scoped packages as @scope/name; other formats as first spelled. */
	json_object_set_new(j, "displayName",
			    json_string(strcmp(p.format, "npm") == 0 && p.ns[0]
						? ar_printf(c->a, "@%s/%s", p.ns, p.name)
						: p.display_name));
	json_object_set_new(j, "version", json_string(v.version));
	ar_json_set_str(j, "summary", v.summary);
	ar_json_set_str(j, "homePage", v.home_page);
	ar_json_set_str(j, "sourceCodeRepository", v.source_code_repository);
	json_object_set_new(j, "publishedTime", ar_json_epoch(v.published_ms));
	json_t *licenses = v.licenses ? json_loads(v.licenses, 0, NULL) : NULL;
	if (json_is_array(licenses))
		json_object_set_new(j, "licenses", licenses);
	else
		json_decref(licenses);
	json_object_set_new(j, "revision", json_string(v.revision));
	json_object_set_new(j, "status", json_string(ar_status_name(v.status)));
	json_object_set_new(j, "origin", version_origin_json(&v));
	c->out = json_pack("{s:o}", "packageVersion", j);
	return 0;
}

int api_list_package_version_assets(struct ar_api_call *c)
{
	struct ar_package p;
	struct ar_version v;
	int limit;
	const char *after;
	int rc;
	if ((rc = ar_page_limit(&limit, ar_api_str(c, "maxResults"), 100, &c->err)) ||
	    (rc = ar_page_key(&after, c->a, "assets", ar_api_str(c, "nextToken"), &c->err)) || (rc = load(c, &p, &v)))
		return rc;
	/* At most 350 assets per version: page over the sorted list in memory. */
	struct ar_asset *assets;
	size_t n, start = 0, count = 0;
	if ((rc = ar_version_assets(&assets, &n, c->db, c->a, v.id, &c->err)))
		return rc;
	while (after && start < n && strcmp(assets[start].name, after) <= 0)
		start++;
	c->out = version_head_json(&p, &v);
	json_t *arr = json_array();
	for (size_t i = start; i < n && count < (size_t)limit; i++, count++)
		json_array_append_new(arr, ar_api_asset_json(assets[i].name, assets[i].size, assets[i].md5,
							     assets[i].sha1, assets[i].sha256, assets[i].sha512));
	json_object_set_new(c->out, "assets", arr);
	if (start + count < n)
		json_object_set_new(c->out, "nextToken",
				    json_string(ar_page_token(c->a, "assets", assets[start + count - 1].name)));
	return 0;
}

int api_get_package_version_asset(struct ar_api_call *c)
{
	struct ar_package p;
	struct ar_version v;
	struct ar_asset asset;
	const char *name = ar_api_str(c, "asset"), *revision = ar_api_str(c, "packageVersionRevision");
	int rc = load(c, &p, &v);
	if (rc)
		return rc;
	if (revision && strcmp(revision, v.revision) != 0)
		return ar_api_fail(c, AR_ENOTFOUND, "package-version", v.version,
				   "Revision %s of version %s not found; the current revision is %s", revision,
				   v.version, v.revision);
	if (!ar_status_api_readable(v.status))
		return ar_api_fail(c, AR_ECONFLICT, "package-version", v.version,
				   "Version %s is %s; its assets cannot be downloaded", v.version,
				   ar_status_name(v.status));
	rc = ar_asset_get(&asset, c->db, c->a, v.id, name, &c->err);
	if (rc == AR_ENOTFOUND)
		return ar_api_fail(c, rc, "asset", name, "Asset %s not found in version %s of package %s", name,
				   v.version, p.name);
	if (rc)
		return rc;
	int fd;
	uint64_t size;
	if ((rc = ar_blob_open(c->ctx->blobs, asset.sha256, &fd, &size, &c->err)))
		return rc == AR_ENOTFOUND ? AR_ERROR : rc; /* a row without its bytes is our fault */
	ar_resp_header(c->req, "X-AssetName", asset.name);
	ar_resp_header(c->req, "X-PackageVersion", v.version);
	ar_resp_header(c->req, "X-PackageVersionRevision", v.revision);
	ar_resp_file(c->req, 200, asset.content_type ? asset.content_type : "application/octet-stream", fd, 0, size);
	return 0;
}

int api_get_package_version_readme(struct ar_api_call *c)
{
	struct ar_package p;
	struct ar_version v;
	int rc = load(c, &p, &v);
	if (rc)
		return rc;
	c->out = version_head_json(&p, &v);
	ar_json_set_str(c->out, "readme", v.readme);
	return 0;
}

int api_list_package_version_dependencies(struct ar_api_call *c)
{
	struct ar_package p;
	struct ar_version v;
	const char *after;
	int rc;
	/* The whole list comes in one page; a token is still checked to be one of ours. */
	if ((rc = ar_page_key(&after, c->a, "dependencies", ar_api_str(c, "nextToken"), &c->err)) ||
	    (rc = load(c, &p, &v)))
		return rc;
	struct ar_dependency *deps;
	size_t n;
	if ((rc = ar_version_dependencies(&deps, &n, c->db, c->a, v.id, &c->err)))
		return rc;
	c->out = version_head_json(&p, &v);
	json_t *arr = json_array();
	for (size_t i = 0; i < n && !after; i++) {
		json_t *d = json_object();
		ar_json_set_str(d, "namespace", deps[i].ns);
		ar_json_set_str(d, "package", deps[i].package);
		ar_json_set_str(d, "dependencyType", deps[i].type);
		ar_json_set_str(d, "versionRequirement", deps[i].requirement);
		json_array_append_new(arr, d);
	}
	json_object_set_new(c->out, "dependencies", arr);
	return 0;
}

/* --- PublishPackageVersion (generic) ------------------------------------------------------ */

static int publish_failure(struct ar_api_call *c, int rc, const struct ar_pkg_key *key, const char *version,
			   const char *asset)
{
	switch (rc) {
	case AR_EEXISTS: return ar_api_fail(c, rc, "asset", asset, "%s", c->err.msg);
	case AR_ECONFLICT: return ar_api_fail(c, rc, "package-version", version, "%s", c->err.msg);
	case AR_EQUOTA: return ar_api_fail(c, rc, "package-version", version, "%s", c->err.msg);
	case AR_EDENIED: return ar_api_fail(c, rc, "package", key->name, "%s", c->err.msg);
	default: return rc;
	}
}

/* After a failed publish the spooled file is ours again unless the blob store took it; unlink it
   only if the name still holds the file we received (the name may have been reused since). */
static void remove_spool(struct ar_req *req, const char *path)
{
	struct stat by_fd, by_name;
	if (path && req->body.fd >= 0 && fstat(req->body.fd, &by_fd) == 0 && stat(path, &by_name) == 0 &&
	    by_fd.st_dev == by_name.st_dev && by_fd.st_ino == by_name.st_ino)
		unlink(path);
}

int api_publish_package_version(struct ar_api_call *c)
{
	struct ar_pkg_key key;
	const char *format = ar_api_str(c, "format"), *version = ar_api_str(c, "packageVersion");
	const char *asset = ar_api_str(c, "assetName"), *claimed = ar_api_str(c, "assetSHA256");
	const char *unfinished = ar_api_str(c, "unfinished");
	struct ar_body *body = &c->req->body;
	int rc;
	if (strcmp(format, "generic") != 0)
		return ar_api_fail(c, AR_EINVAL, NULL, NULL,
				   "PublishPackageVersion publishes generic packages only: format '%s' is not "
				   "supported. The only supported value is generic",
				   format);
	if ((rc = ar_api_pkg_key(c, &key)))
		return rc;
	if (!body->path)
		return ar_api_fail(c, AR_EINVAL, NULL, NULL, "The request has no asset content");
	if (strcasecmp(claimed, body->hashes.sha256) != 0)
		return ar_api_fail(c, AR_EINVAL, NULL, NULL,
				   "The asset's SHA-256 (%s) does not match x-amz-content-sha256 (%s)",
				   body->hashes.sha256, claimed);
	struct ar_asset_in in_asset = {.name = asset, .hashes = body->hashes};
	struct ar_publish_in in = {
		.key = key,
		.display_name = ar_api_str(c, "package"),
		.version = version,
		.unfinished = unfinished && strcmp(unfinished, "true") == 0,
		.add_to_existing = true,
		.published_is_final = true,
		.assets = &in_asset,
		.n_assets = 1,
	};
	/* ar_publish moves the bytes into the blob store before it takes the write lock, so the
	   call's transaction (authorisation only, nothing written) ends here and a read transaction
	   is reopened afterwards for the dispatcher to close. */
	if ((rc = ar_dbc_commit(c->db, &c->err)))
		return rc;
	in_asset.tmp_path = ar_body_detach(c->req);
	struct ar_version v;
	rc = ar_publish(&v, c->db, c->ctx->blobs, c->a, c->repo, &in, &c->err);
	if (rc)
		remove_spool(c->req, in_asset.tmp_path);
	struct ar_err reopen;
	int rc2 = ar_dbc_begin(c->db, false, &reopen);
	if (rc)
		return publish_failure(c, rc, &key, version, asset);
	if (rc2) {
		c->err = reopen;
		return rc2;
	}
	struct ar_package p = {.format = key.format, .ns = key.ns, .name = key.name};
	c->out = version_head_json(&p, &v);
	json_object_set_new(c->out, "status", json_string(ar_status_name(v.status)));
	json_object_set_new(c->out, "asset",
			    ar_api_asset_json(asset, (int64_t)body->hashes.size, body->hashes.md5, body->hashes.sha1,
					      body->hashes.sha256, body->hashes.sha512));
	return 0;
}
