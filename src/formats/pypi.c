/* formats/pypi.c - PyPI repositories: the simple index (PEP 503/691/700/658), file downloads, uploads */
#include "formats/pypi_int.h"

#include "core/cache.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "formats/pypi_dist.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define READ_ACTION	"codeartifact:ReadFromRepository"
#define PUBLISH_ACTION	"codeartifact:PublishPackageVersion"
#define MAX_PAGE_BYTES	(256u << 20)
#define FILE_CACHE_CTRL "private, max-age=31536000, immutable"

static bool is_method(struct ar_dp *dp, const char *m)
{
	return strcmp(dp->req->method, m) == 0;
}

static void send_error(struct ar_dp *dp, int status, const char *message)
{
	/* PyPI puts the reason in the status line; libmicrohttpd 0.9.75 only sends its standard phrase,
	   so the text goes in the body, where twine and poetry also look (docs/internals/PYPI.md). */
	ar_resp_text(dp->req, status, "%s\n", message);
}

const char *ar_pypi_page_key_prefix(struct ar_arena *a, int64_t package_id)
{
	return ar_printf(a, "pypi/p/%lld/", (long long)package_id);
}

/* --- cached pages --- */

struct page_build {
	struct ar_dp *dp;
	enum ar_pypi_repr repr;
	const struct ar_package *pkg; /* NULL for the project list */
};

/* Serialises the rendered bytes into heap memory for the cache, with an ETag over them. */
int ar_pypi_finish_build(struct ar_buf *b, int rc, char **data, size_t *len, char **etag, struct ar_err *err)
{
	if (rc) {
		ar_buf_release(b);
		return ar_fail(err, rc, "the page is too large to render");
	}
	unsigned char digest[32];
	char hex[65];
	ar_sha256(digest, b->ptr, b->len);
	ar_hex(hex, digest, 16);
	*etag = ar_xstrdup(hex);
	*data = ar_buf_detach(b, len);
	return 0;
}

static int build_page(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	struct page_build *pb = cls;
	struct ar_dp *dp = pb->dp;
	struct ar_pypi_index_file *files;
	size_t n;
	int rc = ar_pypi_index_files(&files, &n, dp->db, dp->a, pb->pkg->id, err);
	if (rc)
		return rc;
	if (n == 0)
		return ar_fail(err, AR_ENOTFOUND, "No distributions of %s are available", pb->pkg->name);
	struct ar_pypi_page page;
	ar_pypi_page_from_files(&page, dp->a, pb->pkg->name, files, n);
	struct ar_buf b;
	ar_buf_init(&b, MAX_PAGE_BYTES);
	return ar_pypi_finish_build(&b, ar_pypi_render_page(&b, &page, pb->repr), data, len, etag, err);
}

static int build_root(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	struct page_build *pb = cls;
	struct ar_dp *dp = pb->dp;
	struct ar_pypi_index_project *projects;
	size_t n;
	int rc = ar_pypi_index_projects(&projects, &n, dp->db, dp->a, dp->repo.id, err);
	if (rc)
		return rc;
	struct ar_buf b;
	ar_buf_init(&b, MAX_PAGE_BYTES);
	return ar_pypi_finish_build(&b, ar_pypi_render_root(&b, projects, n, pb->repr), data, len, etag, err);
}

/* Serves a page from the render cache (building it at most once for concurrent misses), with its
   ETag; answers 304 to a matching If-None-Match. */
int ar_pypi_send_cached(struct ar_dp *dp, const char *key, enum ar_pypi_repr repr, ar_cache_build_fn *build, void *cls)
{
	struct ar_cache_val *val;
	struct ar_err err = {0};
	int rc = ar_cache_get(&val, dp->ctx->render_cache, key, build, cls, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	ar_cache_hold(dp->a, val);
	size_t len;
	const char *data = ar_cache_val_data(val, &len);
	/* One URL, two representations: caches must key on Accept. Index pages change with every
	   publish, so clients revalidate (cheaply, with the ETag) instead of trusting a copy. */
	ar_resp_header(dp->req, "Vary", "Accept");
	ar_resp_header(dp->req, "Cache-Control", "max-age=0, must-revalidate");
	if (ar_resp_not_modified(dp->req, ar_cache_val_etag(val)))
		return 304;
	ar_resp_data(dp->req, 200, ar_pypi_content_type(repr), data, len);
	return 200;
}

static enum ar_pypi_repr negotiate(struct ar_dp *dp)
{
	return ar_pypi_negotiate(ar_req_header(dp->req, "accept"));
}

static int not_acceptable(struct ar_dp *dp)
{
	return ar_dp_error(dp, 406,
			   "Not Acceptable: this index serves application/vnd.pypi.simple.v1+json, "
			   "application/vnd.pypi.simple.v1+html and text/html");
}

static int redirect(struct ar_dp *dp, const char *location)
{
	ar_resp_header(dp->req, "Location", location);
	ar_resp_text(dp->req, 301, "Moved to %s\n", location);
	return 301;
}

static int handle_root(struct ar_dp *dp)
{
	if (!dp->trailing_slash)
		return redirect(dp, ar_printf(dp->a, "%ssimple/", dp->base_url));
	struct page_build pb = {.dp = dp, .repr = negotiate(dp)};
	if (pb.repr == AR_PYPI_NONE)
		return not_acceptable(dp);
	const char *stamp;
	struct ar_err err = {0};
	int rc = ar_pypi_index_stamp(&stamp, dp->db, dp->a, dp->repo.id, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	const char *key = ar_printf(dp->a, "pypi/r/%lld/%s/%s", (long long)dp->repo.id, stamp,
				    pb.repr == AR_PYPI_JSON_V1 ? "json" : "html");
	return ar_pypi_send_cached(dp, key, pb.repr, build_root, &pb);
}

static bool has_upstreams(const struct ar_dp *dp)
{
	return dp->repo.n_upstreams > 0 || dp->repo.n_externals > 0;
}

static int handle_project(struct ar_dp *dp)
{
	const char *name = dp->seg[1];
	if (!ar_pypi_name_valid(name))
		return ar_dp_error(dp, 404, "Not Found: %s is not a valid project name", name);
	const char *norm = ar_pypi_normalize(dp->a, name);
	if (strcmp(norm, name) != 0 || !dp->trailing_slash)
		return redirect(dp, ar_printf(dp->a, "%ssimple/%s/", dp->base_url, norm));
	struct page_build pb = {.dp = dp, .repr = negotiate(dp)};
	if (pb.repr == AR_PYPI_NONE)
		return not_acceptable(dp);
	struct ar_package pkg;
	struct ar_pkg_key k = {.format = "pypi", .ns = "", .name = norm};
	struct ar_err err = {0};
	int rc = ar_pkg_get(&pkg, dp->db, dp->a, dp->repo.id, &k, &err);
	if (rc && rc != AR_ENOTFOUND)
		return ar_dp_fail(dp, rc, &err);
	/* Upstreams are consulted unless the project was published here (upstream=BLOCK, ref 4.5). */
	if (has_upstreams(dp) && (rc == AR_ENOTFOUND || strcmp(pkg.origin_upstream, "ALLOW") == 0))
		return ar_pypi_upstream_page(dp, norm, pb.repr);
	if (rc)
		return ar_dp_error(dp, 404, "Not Found: no project named %s", norm);
	pb.pkg = &pkg;
	/* updated_ms moves with every change to the package, so a publish or a status change makes a
	   new key; the stale entry just ages out of the LRU. */
	const char *key = ar_printf(dp->a, "%s%lld/%s", ar_pypi_page_key_prefix(dp->a, pkg.id),
				    (long long)pkg.updated_ms, pb.repr == AR_PYPI_JSON_V1 ? "json" : "html");
	return ar_pypi_send_cached(dp, key, pb.repr, build_page, &pb);
}

const char *ar_pypi_metadata_hash(struct ar_arena *a, const char *attrs)
{
	json_t *j = attrs ? json_loads(attrs, 0, NULL) : NULL;
	json_t *v = j ? json_object_get(j, "metadata_sha256") : NULL;
	const char *hash = json_is_string(v) ? ar_strdup(a, json_string_value(v)) : NULL;
	json_decref(j);
	return hash && ar_blob_key_valid(hash) ? hash : NULL;
}

/* GET files/{project}/{version}/{filename}, and {filename}.metadata for a wheel's METADATA. */
static int handle_file(struct ar_dp *dp)
{
	const char *project = dp->seg[1], *version = dp->seg[2], *filename = dp->seg[3];
	struct ar_err err = {0};
	struct ar_package pkg = {0};
	struct ar_version v;
	struct ar_asset asset;
	struct ar_pkg_key k = {.format = "pypi", .ns = "", .name = project};
	if (dp->trailing_slash)
		return ar_dp_error(dp, 404, "Not Found");
	int rc = ar_pkg_get(&pkg, dp->db, dp->a, dp->repo.id, &k, &err);
	if (rc == 0)
		rc = ar_version_get(&v, dp->db, dp->a, pkg.id, version, &err);
	if (rc == 0 && !ar_status_downloadable(v.status))
		rc = AR_ENOTFOUND; /* Archived, Disposed and Unfinished versions do not download */
	bool is_metadata = false;
	if (rc == 0) {
		rc = ar_asset_get(&asset, dp->db, dp->a, v.id, filename, &err);
		size_t len = strlen(filename);
		if (rc == AR_ENOTFOUND && len > 9 && strcmp(filename + len - 9, ".metadata") == 0) {
			rc = ar_asset_get(&asset, dp->db, dp->a, v.id, ar_strndup(dp->a, filename, len - 9), &err);
			is_metadata = true;
		}
	}
	if (rc == AR_ENOTFOUND && has_upstreams(dp) &&
	    (!pkg.origin_upstream || strcmp(pkg.origin_upstream, "ALLOW") == 0)) {
		size_t len = strlen(filename);
		bool md = len > 9 && strcmp(filename + len - 9, ".metadata") == 0;
		return ar_pypi_upstream_file(dp, project, version, md ? ar_strndup(dp->a, filename, len - 9) : filename,
					     md);
	}
	if (rc == 0 && is_metadata && !(asset.sha256 = ar_pypi_metadata_hash(dp->a, asset.attrs)))
		rc = AR_ENOTFOUND;
	if (rc == AR_ENOTFOUND)
		return ar_dp_error(dp, 404, "Not Found: %s", filename);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	ar_resp_header(dp->req, "Cache-Control", FILE_CACHE_CTRL);
	if (ar_resp_not_modified(dp->req, asset.sha256))
		return 304;
	const char *ctype = is_metadata		 ? "text/plain; charset=utf-8"
			    : asset.content_type ? asset.content_type
						 : "application/octet-stream";
	return ar_dp_send_asset(dp, &asset, ctype);
}

/* Who may do what, decided from the path before the body is read. */
static int route(struct ar_dp *dp, struct ar_dp_route *out)
{
	const char *const *s = dp->seg;
	size_t n = dp->n_seg;
	memset(out, 0, sizeof *out);
	out->action = READ_ACTION;
	/* The legacy upload API lives at the repository root (what `aws codeartifact login --tool twine`
	   configures) and at legacy/; both with and without the trailing slash: clients never follow
	   a redirect on a POST. */
	if (n == 0 || (n == 1 && strcmp(s[0], "legacy") == 0)) {
		if (!is_method(dp, "POST"))
			return AR_EINVAL;
		out->handler = ar_pypi_upload;
		/* The package is named in the form: the repository is checked here, the package ARN by
		   the handler once the form is read. */
		out->action = PUBLISH_ACTION;
		out->max_body = dp->ctx->cfg->max_upload_body;
		out->body_mode = AR_BODY_SPOOL;
		return 0;
	}
	if (strcmp(s[0], "simple") == 0 && n <= 2) {
		if (!is_method(dp, "GET"))
			return AR_EINVAL;
		out->handler = n == 1 ? handle_root : handle_project;
		return 0;
	}
	if (strcmp(s[0], "files") == 0 && n == 4) {
		if (!is_method(dp, "GET"))
			return AR_EINVAL;
		out->handler = handle_file;
		return 0;
	}
	return AR_ENOTFOUND;
}

const struct ar_format ar_format_pypi = {
	.version = AR_FORMAT_VERSION,
	.name = "pypi",
	.route = route,
	.send_error = send_error,
};
