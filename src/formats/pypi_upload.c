/* formats/pypi_upload.c - the legacy upload API (twine, poetry, uv publish): check the file, publish it */
#include "formats/pypi_int.h"

#include "core/cache.h"
#include "core/json.h"
#include "core/log.h"
#include "formats/pypi_dist.h"
#include "http/multipart.h"

#include <ctype.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PUBLISH_ACTION "codeartifact:PublishPackageVersion"

/* Plain form fields: descriptions (READMEs) can be large, but all of them stay in memory. */
#define MAX_FIELD	 (8u << 20)
#define MAX_FIELDS_TOTAL (24u << 20)

/* What the checks found out about one upload. */
struct upload {
	struct ar_multipart *form;
	struct ar_multipart_part *content;
	struct ar_pypi_file file;
	struct ar_pypi_meta meta;
	const char *name;    /* normalized */
	const char *version; /* PEP 440 normal form */
};

static const char *field(const struct upload *u, const char *name)
{
	const char *v = ar_multipart_field(u->form, name);
	return v && *v ? v : NULL;
}

static bool hex_equal(const char *sent, const char *have)
{
	return strlen(sent) == strlen(have) && strcasecmp(sent, have) == 0;
}

/* The form, the file and its metadata must all agree. 0, or an error status already sent. */
static int check_upload(struct upload *u, struct ar_dp *dp)
{
	struct ar_err err = {0};
	const char *action = field(u, ":action");
	if (!action)
		return ar_dp_error(dp, 400, "Bad Request: the form has no :action field");
	if (strcmp(action, "submit") == 0)
		return ar_dp_error(dp, 410, "Project pre-registration is not needed; upload the files instead");
	if (strcmp(action, "file_upload") != 0)
		return ar_dp_error(dp, 400, "Bad Request: unsupported :action %s", action);
	const char *proto = field(u, "protocol_version");
	if (proto && strcmp(proto, "1") != 0)
		return ar_dp_error(dp, 400, "Bad Request: unsupported protocol_version %s", proto);
	const char *name = field(u, "name"), *version = field(u, "version");
	if (!name || !ar_pypi_name_valid(name))
		return ar_dp_error(dp, 400, "Bad Request: missing or invalid project name");
	if (!version || !ar_pypi_version_valid(version))
		return ar_dp_error(dp, 400, "Bad Request: missing or invalid version (PEP 440)");
	u->name = ar_pypi_normalize(dp->a, name);
	u->version = ar_pypi_version_normalize(dp->a, version);
	u->content = ar_multipart_file(u->form, "content");
	if (!u->content)
		return ar_dp_error(dp, 400, "Bad Request: the form has no file in its content field");
	const char *fname = u->content->filename;
	if (ar_pypi_parse_filename(&u->file, dp->a, fname, &err) != 0)
		return ar_dp_error(dp, 400, "Bad Request: invalid distribution file name %s: %s", fname, err.msg);
	if (strcmp(ar_pypi_normalize(dp->a, u->file.name), u->name) != 0 ||
	    ar_pypi_version_cmp(u->file.version, version) != 0)
		return ar_dp_error(dp, 400, "Bad Request: the file name %s does not match %s %s", fname, name, version);
	const char *filetype = field(u, "filetype");
	if (filetype && strcmp(filetype, ar_pypi_filetype(u->file.kind)) != 0)
		return ar_dp_error(dp, 400, "Bad Request: %s is not of filetype %s", fname, filetype);
	const char *sha256 = field(u, "sha256_digest"), *md5 = field(u, "md5_digest");
	if (sha256 && !hex_equal(sha256, u->content->hashes.sha256))
		return ar_dp_error(dp, 400, "Bad Request: sha256_digest does not match the uploaded file %s", fname);
	if (md5 && !hex_equal(md5, u->content->hashes.md5))
		return ar_dp_error(dp, 400, "Bad Request: md5_digest does not match the uploaded file %s", fname);
	int rc = ar_pypi_read_metadata(&u->meta, dp->a, u->content->path, &u->file, &err);
	if (rc == AR_EINVAL || rc == AR_ETOOBIG)
		return ar_dp_error(dp, 400, "Bad Request: invalid distribution %s: %s", fname, err.msg);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	if (strcmp(ar_pypi_normalize(dp->a, u->meta.name), u->name) != 0 ||
	    ar_pypi_version_cmp(u->meta.version, version) != 0)
		return ar_dp_error(dp, 400, "Bad Request: the metadata of %s names %s %s, not %s %s", fname,
				   u->meta.name, u->meta.version, name, version);
	return 0;
}

/* Project-URL "Label, URL": PEP 753 label normalisation (lowercase, no punctuation or spaces). */
static bool is_source_label(const char *item, size_t len)
{
	char norm[32];
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)item[i];
		if (isalnum(c)) {
			if (n + 1 >= sizeof norm)
				return false;
			norm[n++] = (char)tolower(c);
		}
	}
	norm[n] = '\0';
	return strcmp(norm, "source") == 0 || strcmp(norm, "sourcecode") == 0 || strcmp(norm, "repository") == 0;
}

static const char *source_url(struct ar_arena *a, const struct ar_pypi_list *urls, json_t *collect)
{
	const char *found = NULL;
	for (size_t i = 0; i < urls->n; i++) {
		const char *comma = strchr(urls->v[i], ',');
		if (!comma)
			continue;
		const char *url = comma + 1;
		while (*url == ' ')
			url++;
		char *label = ar_strndup(a, urls->v[i], (size_t)(comma - urls->v[i]));
		json_object_set_new(collect, label, json_string(url));
		if (!found && is_source_label(label, strlen(label)))
			found = url;
	}
	return found;
}

static json_t *string_list(const struct ar_pypi_list *l)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(arr, json_string(l->v[i]));
	return arr;
}

static void set_opt(json_t *obj, const char *key, const char *value)
{
	if (value && *value)
		json_object_set_new(obj, key, json_string(value));
}

/* Requires-Dist -> dependencies of type "Requires-Dist"; the requirement keeps extras and markers. */
static int dependencies(struct ar_dependency **out, size_t *n, struct ar_dp *dp, const struct ar_pypi_meta *m)
{
	struct ar_dependency *deps = ar_alloc_array(dp->a, m->requires_dist.n ? m->requires_dist.n : 1, sizeof *deps);
	for (size_t i = 0; i < m->requires_dist.n; i++) {
		struct ar_pypi_req r;
		struct ar_err err = {0};
		if (ar_pypi_parse_requirement(&r, dp->a, m->requires_dist.v[i], &err) != 0)
			return ar_dp_error(dp, 400, "Bad Request: invalid Requires-Dist '%s': %s",
					   m->requires_dist.v[i], err.msg);
		const char *req = r.url ? ar_printf(dp->a, "@ %s", r.url) : r.specifier ? r.specifier : "";
		if (r.extras)
			req = ar_printf(dp->a, "[%s]%s", r.extras, req);
		if (r.marker)
			req = ar_printf(dp->a, "%s%s; %s", req, *req ? " " : "", r.marker);
		deps[i] = (struct ar_dependency){
			.ns = NULL,
			.package = ar_pypi_normalize(dp->a, r.name),
			.type = "Requires-Dist",
			.requirement = *req ? req : NULL,
		};
	}
	*out = deps;
	*n = m->requires_dist.n;
	return 0;
}

static const char *dump(struct ar_arena *a, json_t *j)
{
	const char *s = json_object_size(j) ? ar_json_dump(a, j, NULL) : NULL;
	json_decref(j);
	return s;
}

static void unlink_tmp(void *path)
{
	unlink(path); /* ENOENT once the blob store has taken the file */
}

/* A file of that name already in the version: 200 when it has these bytes (an idempotent re-upload),
   409 when not, 0 when there is none. Checked before anything is stored, so the common duplicate
   leaves no blob behind; ar_publish decides again inside its transaction. */
static int existing_file(struct ar_dp *dp, const struct upload *u)
{
	struct ar_err err = {0};
	struct ar_package pkg;
	struct ar_version v;
	struct ar_asset x;
	struct ar_pkg_key k = {.format = "pypi", .ns = "", .name = u->name};
	const char *fname = u->content->filename;
	if (ar_pkg_get(&pkg, dp->db, dp->a, dp->repo.id, &k, &err) != 0 ||
	    ar_version_get(&v, dp->db, dp->a, pkg.id, u->version, &err) != 0 ||
	    ar_asset_get(&x, dp->db, dp->a, v.id, fname, &err) != 0)
		return 0;
	if (strcmp(x.sha256, u->content->hashes.sha256) != 0)
		return ar_dp_error(dp, 409,
				   "File already exists: %s %s already has a file named %s with different content",
				   u->meta.name, u->version, fname);
	if (v.status == AR_ST_ARCHIVED || v.status == AR_ST_DISPOSED || v.status == AR_ST_DELETED)
		return 0; /* ar_publish refuses it with the reason */
	ar_resp_text(dp->req, 200, "OK: %s %s %s (already there)\n", u->meta.name, u->version, fname);
	return 200;
}

static int publish(struct ar_dp *dp, struct upload *u)
{
	struct ar_err err = {0};
	const struct ar_pypi_meta *m = &u->meta;
	bool is_wheel = u->file.kind == AR_PYPI_WHEEL;
	char md_sha256[65] = "";
	struct ar_dependency *deps = NULL;
	size_t n_deps = 0;
	int rc = dependencies(&deps, &n_deps, dp, m);
	if (rc)
		return rc;
	/* PEP 658: the METADATA bytes become a blob of their own, so the .metadata file and its
	   advertised hash come from the store like any file. Put before the version exists: a failure
	   later leaves at most an unreferenced blob, never a version pointing at nothing. */
	if (is_wheel && (rc = ar_blob_put_mem(dp->ctx->blobs, m->raw, m->raw_len, md_sha256, &err)))
		return ar_dp_fail(dp, rc, &err);

	json_t *aattrs = json_object(), *vattrs = json_object(), *urls = json_object();
	set_opt(aattrs, "filetype", ar_pypi_filetype(u->file.kind));
	set_opt(aattrs, "python_version", is_wheel ? field(u, "pyversion") : "source");
	set_opt(aattrs, "requires_python", m->requires_python);
	set_opt(aattrs, "metadata_sha256", md_sha256);
	set_opt(vattrs, "requires_python", m->requires_python ? m->requires_python : field(u, "requires_python"));
	set_opt(vattrs, "metadata_version", m->metadata_version);
	set_opt(vattrs, "author", m->author);
	set_opt(vattrs, "author_email", m->author_email);
	set_opt(vattrs, "maintainer", m->maintainer);
	set_opt(vattrs, "maintainer_email", m->maintainer_email);
	set_opt(vattrs, "keywords", m->keywords);
	set_opt(vattrs, "description_content_type", m->description_content_type);
	if (m->classifiers.n)
		json_object_set_new(vattrs, "classifiers", string_list(&m->classifiers));
	if (m->provides_extra.n)
		json_object_set_new(vattrs, "provides_extra", string_list(&m->provides_extra));
	const char *source = source_url(dp->a, &m->project_urls, urls);
	if (json_object_size(urls))
		json_object_set(vattrs, "project_urls", urls);
	json_decref(urls);

	const char *license = m->license_expression ? m->license_expression : m->license;
	const char *licenses = NULL;
	if (license && *license) {
		json_t *l = json_pack("[{s:s}]", "name", license);
		licenses = ar_json_dump(dp->a, l, NULL);
		json_decref(l);
	}
	const char *tmp = ar_multipart_detach(u->content);
	/* Moved into the blob store by ar_publish; if anything fails first it must not linger. */
	ar_arena_defer(dp->a, unlink_tmp, (void *)tmp);
	struct ar_asset_in asset = {
		.name = u->content->filename,
		.tmp_path = tmp,
		.hashes = u->content->hashes,
		.content_type = is_wheel ? "application/zip" : "application/octet-stream",
		.attrs = dump(dp->a, aattrs),
	};
	const char *description = m->description ? m->description : field(u, "description");
	struct ar_publish_in in = {
		.key = {.format = "pypi", .ns = "", .name = u->name},
		.display_name = m->name,
		.version = u->version,
		.add_to_existing = true, /* a wheel joins the sdist of the same version, and vice versa */
		.summary = m->summary,
		.home_page = m->home_page,
		.source_code_repository = source,
		.licenses = licenses,
		.readme = description && *description ? description : NULL,
		.attrs = dump(dp->a, vattrs),
		.deps = deps,
		.n_deps = n_deps,
		.assets = &asset,
		.n_assets = 1,
	};
	struct ar_version out;
	rc = ar_publish(&out, dp->db, dp->ctx->blobs, dp->a, &dp->repo, &in, &err);
	if (rc == AR_EEXISTS)
		/* twine --skip-existing and poetry --skip-existing recognise 409 */
		return ar_dp_error(dp, 409, "File already exists: %s (%s)", asset.name, err.msg);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	ar_cache_invalidate_prefix(dp->ctx->render_cache, ar_pypi_page_key_prefix(dp->a, out.package_id));
	ar_resp_text(dp->req, 200, "OK: %s %s %s\n", m->name, u->version, asset.name);
	return 200;
}

int ar_pypi_upload(struct ar_dp *dp)
{
	struct ar_req *req = dp->req;
	struct ar_err err = {0};
	struct upload u = {0};
	struct ar_multipart_opts opts = {
		.spool_dir = ar_blobs_tmp_dir(dp->ctx->blobs), /* same filesystem: the file is renamed into place */
		.max_field = MAX_FIELD,
		.max_fields_total = MAX_FIELDS_TOTAL,
	};
	const char *ctype = ar_req_header(req, "content-type");
	if (req->body.fd < 0 || !ctype)
		return ar_dp_error(dp, 400, "Bad Request: expected a multipart/form-data upload");
	int rc = ar_multipart_parse_fd(&u.form, dp->a, ctype, req->body.fd, req->body.len, &opts, &err);
	if (rc == AR_EINVAL || rc == AR_ETOOBIG)
		return ar_dp_error(dp, rc == AR_ETOOBIG ? 413 : 400, "Bad Request: %s", err.msg);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	if ((rc = check_upload(&u, dp)) != 0)
		return rc;
	if (ar_dp_authorize(dp, PUBLISH_ACTION, "", u.name, &err) != 0)
		return ar_dp_error(dp, 403, "%s", err.msg);
	if ((rc = existing_file(dp, &u)) != 0)
		return rc;
	return publish(dp, &u);
}
