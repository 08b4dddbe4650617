/* formats/pypi_upstream.c - PyPI through upstream repositories and the public:pypi external connection */
#include "formats/pypi_int.h"

#include "core/crypto.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/timeutil.h"
#include "formats/pypi_dist.h"
#include "formats/pypi_upstream_parse.h"
#include "repo/cooldown.h"
#include "repo/first_seen.h"
#include "repo/groups.h"
#include "repo/resolve.h"
#include "upstream/upstream.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_PAGE_BYTES	(256u << 20)
#define FILE_CACHE_CTRL "private, max-age=31536000, immutable"

/* What a request resolves through: the repositories searched (stopping after the first whose package
   has upstream=BLOCK) with their package, and the external connection when it may be used. */
struct chain {
	const struct ar_repository **repos;
	struct ar_package **pkgs; /* NULL where the repository has no such package */
	size_t n;
	const struct ar_repository *holder; /* holds the connection; NULL when none applies */
	const char *connection;
	int64_t cooldown_s;
};

static int load_chain(struct chain *c, struct ar_dp *dp, const char *norm, struct ar_err *err)
{
	const struct ar_repository **order;
	size_t n;
	memset(c, 0, sizeof *c);
	int rc = ar_resolve_order(&order, &n, dp->db, dp->a, &dp->domain, &dp->repo, true, err);
	if (rc)
		return rc;
	c->repos = order;
	c->pkgs = ar_alloc_array(dp->a, n ? n : 1, sizeof *c->pkgs);
	struct ar_pkg_key k = {.format = "pypi", .ns = "", .name = norm};
	bool blocked = false;
	for (size_t i = 0; i < n && !blocked; i++) {
		struct ar_package *p = ar_alloc(dp->a, sizeof *p);
		rc = ar_pkg_get(p, dp->db, dp->a, order[i]->id, &k, err);
		if (rc && rc != AR_ENOTFOUND)
			return rc;
		c->pkgs[i] = rc == 0 ? p : NULL;
		c->n = i + 1;
		/* upstream=BLOCK (a name published here): nothing behind this repository is consulted, so a
		   public project of the same name can never shadow it (dependency confusion, ref 4.5). */
		blocked = c->pkgs[i] && strcmp(c->pkgs[i]->origin_upstream, "ALLOW") != 0;
	}
	if (blocked)
		return 0;
	const char *conn;
	const struct ar_repository *holder = ar_resolve_external(order, c->n, "pypi", &conn);
	if (!holder)
		return 0;
	struct ar_err gerr = {0};
	rc = ar_group_check_origin(dp->db, dp->a, dp->domain.id, "pypi", "", norm, AR_ORIGIN_EXTERNAL_UPSTREAM,
				   holder->name, &gerr);
	if (rc == AR_EDENIED)
		return 0;
	if (rc) {
		*err = gerr;
		return rc;
	}
	c->holder = holder;
	c->connection = conn;
	return ar_cooldown_seconds(&c->cooldown_s, dp->db, dp->a, dp->ctx->cfg->region, &dp->domain, holder, "pypi", "",
				   norm, err);
}

/* --- the upstream page --- */

/* Younger than the cooldown; since_ms is when its age counts from (age_origins). */
static bool is_cooling(const struct chain *c, int64_t since_ms, int64_t now_ms)
{
	return c->cooldown_s > 0 && now_ms - since_ms < c->cooldown_s * 1000;
}

/* The upstream page of norm through the engine. 0 with files (possibly none); AR_ENOTFOUND when
   upstream has no such project; AR_ETIMEOUT when it did not answer in time, AR_EUNAVAIL/AR_ETOOBIG
   when it failed otherwise, and nothing is cached. */
static int upstream_files(struct ar_pypi_up_file **files, size_t *n, struct ar_upstream_meta *m, struct ar_dp *dp,
			  const struct chain *c, const char *norm, struct ar_err *err)
{
	struct ar_upstream_req r = {.connection = c->connection,
				    .path = ar_printf(dp->a, "simple/%s/", norm),
				    .accept = AR_PYPI_UPSTREAM_ACCEPT};
	*n = 0;
	int rc = ar_upstream_get_meta(dp->ctx->upstream, &dp->db, m, &r, err);
	if (rc)
		return rc;
	if (m->is_stale) {
		char v[128];
		ar_upstream_stale_header(v, sizeof v, m);
		ar_resp_header(dp->req, AR_UPSTREAM_STALE_HEADER, ar_strdup(dp->a, v));
	}
	char *body;
	size_t len;
	const char *base;
	if ((rc = ar_upstream_read_body(dp->ctx->upstream, m, dp->a, &body, &len, err)) ||
	    (rc = ar_upstream_base_url(&base, dp->ctx->cfg, c->connection, err)))
		return rc;
	rc = ar_pypi_upstream_parse_page(files, n, dp->a, base, norm, m->content_type, body, len,
					 AR_PYPI_UPSTREAM_MAX_FILES, err);
	if (rc == AR_EINVAL) /* upstream sent something that is not a project page: it is unwell */
		return ar_fail(err, AR_EUNAVAIL, "the %s page of %s: %s", c->connection, norm, err->msg);
	return rc;
}

/* When each upstream file's age counts from, for the cooldown (arena array parallel to files): its
   upload time, else when Arca first saw it on the connection's page (repo/first_seen.h). Sightings
   are read under a cooldown and recorded whenever upstream has just sent the page (not on a 304 or a
   cache hit), so a cooldown set later finds the files' history; a page whose files all have upload
   times costs nothing. A file that could not be looked up counts as just seen. 0 = not known (no
   cooldown applies). */
static int64_t *age_origins(struct ar_dp *dp, const struct chain *c, const char *norm,
			    const struct ar_pypi_up_file *files, size_t n, const struct ar_upstream_meta *m,
			    int64_t now_ms)
{
	int64_t *since = ar_alloc_array(dp->a, n ? n : 1, sizeof *since);
	struct ar_first_seen *seen = ar_alloc_array(dp->a, n ? n : 1, sizeof *seen);
	size_t n_seen = 0;
	for (size_t i = 0; i < n; i++) {
		since[i] = files[i].upload_ms > 0 ? files[i].upload_ms : 0;
		if (!since[i])
			seen[n_seen++] = (struct ar_first_seen){.version = files[i].version, .file = files[i].filename};
	}
	if (n_seen == 0 || (c->cooldown_s <= 0 && m->source != AR_UPSTREAM_FETCHED))
		return since;
	struct ar_pkg_key k = {.format = "pypi", .ns = "", .name = norm};
	struct ar_err err = {0};
	if (ar_first_seen_note(dp->db, c->connection, &k, seen, &n_seen, now_ms, &err) != 0)
		ar_log(AR_LOG_WARN, "pypi upstream %s: first sightings of %s: %s (counted as seen now)", c->connection,
		       norm, err.msg);
	for (size_t i = 0; i < n; i++) {
		if (since[i])
			continue;
		const struct ar_first_seen *f = ar_first_seen_find(seen, n_seen, files[i].version, files[i].filename);
		since[i] = f ? f->seen_ms : now_ms;
	}
	return since;
}

/* The page could not be had from upstream and nothing is cached: 504 when upstream did not answer in
   time, 502 when it failed otherwise, 500 for our own failure. The message names the connection and
   the redacted URL, never its credentials. */
static int upstream_failed(struct ar_dp *dp, const struct chain *c, int rc, const struct ar_err *err)
{
	if (rc == AR_ERROR)
		return ar_dp_fail(dp, rc, err);
	ar_log(AR_LOG_WARN, "pypi upstream %s: %s", c->connection, err->msg);
	if (rc == AR_ETIMEOUT)
		return ar_dp_error(dp, 504,
				   "Gateway Timeout: external connection %s did not answer in time and nothing is "
				   "cached: %s",
				   c->connection, err->msg);
	return ar_dp_error(dp, 502, "Bad Gateway: external connection %s is unavailable and nothing is cached: %s",
			   c->connection, err->msg);
}

/* --- the merged project page --- */

struct merged_build {
	struct ar_dp *dp;
	enum ar_pypi_repr repr;
	const char *norm;
	const struct chain *c;
	struct ar_pypi_up_file *up;
	int64_t *since; /* up[i]'s age counts from since[i] (age_origins) */
	size_t n_up;
	int64_t now_ms;
};

static bool has_string(const char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static int build_merged(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	struct merged_build *mb = cls;
	struct ar_dp *dp = mb->dp;
	const struct chain *c = mb->c;
	struct ar_pypi_index_file *all = NULL;
	size_t n_all = 0, cap = 0;
	/* Versions already on the page, and those of them an upstream file may complete (retained from the
	   external connection: the wheel is here, the sdist not yet). */
	const char **seen = NULL, **open = NULL;
	size_t n_seen = 0, n_open = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (!c->pkgs[i])
			continue;
		struct ar_pypi_index_file *files;
		struct ar_version *vs;
		size_t n, n_vs;
		int rc = ar_pypi_index_files(&files, &n, dp->db, dp->a, c->pkgs[i]->id, err);
		if (rc == 0)
			rc = ar_pkg_versions(&vs, &n_vs, dp->db, dp->a, c->pkgs[i]->id, err);
		if (rc)
			return rc;
		if (n_all + n > cap) {
			cap = (n_all + n) * 2 + 16;
			struct ar_pypi_index_file *grown = ar_alloc_array(dp->a, cap, sizeof *grown);
			memcpy(grown, all, n_all * sizeof *all);
			all = grown;
			const char **s2 = ar_alloc_array(dp->a, cap, sizeof *s2),
				   **o2 = ar_alloc_array(dp->a, cap, sizeof *o2);
			memcpy(s2, seen, n_seen * sizeof *seen);
			memcpy(o2, open, n_open * sizeof *open);
			seen = s2;
			open = o2;
		}
		size_t seen_before = n_seen;
		for (size_t j = 0; j < n; j++) {
			if (has_string(seen, seen_before, files[j].version))
				continue; /* the first repository holding a version wins */
			all[n_all++] = files[j];
			if (!has_string(seen, n_seen, files[j].version)) {
				seen[n_seen++] = files[j].version;
				for (size_t k = 0; k < n_vs; k++)
					if (strcmp(vs[k].version, files[j].version) == 0 &&
					    strcmp(vs[k].origin_type, "EXTERNAL") == 0)
						open[n_open++] = files[j].version;
			}
		}
	}
	struct ar_pypi_page page;
	ar_pypi_page_from_files(&page, dp->a, mb->norm, all, n_all);
	/* Upstream files of versions no repository holds (or that came from upstream), not yet on the page
	   and past the cooldown. */
	struct ar_pypi_link *links = ar_alloc_array(dp->a, page.n_links + mb->n_up + 1, sizeof *links);
	memcpy(links, page.links, page.n_links * sizeof *links);
	size_t n_links = page.n_links;
	for (size_t i = 0; i < mb->n_up; i++) {
		const struct ar_pypi_up_file *f = &mb->up[i];
		if (is_cooling(c, mb->since[i], mb->now_ms) ||
		    (has_string(seen, n_seen, f->version) && !has_string(open, n_open, f->version)))
			continue;
		bool dup = false;
		for (size_t j = 0; j < n_links && !dup; j++)
			dup = strcmp(links[j].filename, f->filename) == 0;
		if (dup)
			continue;
		links[n_links++] = (struct ar_pypi_link){
			.filename = f->filename,
			.version = f->version,
			.sha256 = f->sha256,
			.requires_python = f->requires_python,
			.metadata_sha256 = f->metadata_sha256,
			.is_yanked = f->is_yanked,
			.size = f->size,
			.upload_ms = f->upload_ms,
		};
	}
	if (n_links == 0)
		return ar_fail(err, AR_ENOTFOUND, "Not Found: no distributions of %s are available", mb->norm);
	ar_pypi_page_set_links(&page, dp->a, links, n_links);
	struct ar_buf b;
	ar_buf_init(&b, MAX_PAGE_BYTES);
	return ar_pypi_finish_build(&b, ar_pypi_render_page(&b, &page, mb->repr), data, len, etag, err);
}

int ar_pypi_upstream_page(struct ar_dp *dp, const char *norm, enum ar_pypi_repr repr)
{
	struct ar_err err = {0};
	struct chain c;
	int rc = load_chain(&c, dp, norm, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	struct merged_build mb = {.dp = dp, .repr = repr, .norm = norm, .c = &c, .now_ms = ar_now_ms()};
	struct ar_upstream_meta m = {0};
	if (c.holder) {
		rc = upstream_files(&mb.up, &mb.n_up, &m, dp, &c, norm, &err);
		if (rc && rc != AR_ENOTFOUND) {
			bool any_local = false;
			for (size_t i = 0; i < c.n; i++)
				any_local = any_local || c.pkgs[i];
			if (!any_local)
				return upstream_failed(dp, &c, rc, &err);
			ar_log(AR_LOG_WARN, "pypi upstream %s: %s (serving local versions only)", c.connection,
			       err.msg);
		}
	}
	mb.since = age_origins(dp, &c, norm, mb.up, mb.n_up, &m, mb.now_ms);
	/* Under a cooldown, the page changes when the next held-back file comes of age. */
	int64_t next_ms = 0;
	for (size_t i = 0; i < mb.n_up; i++) {
		int64_t at = mb.since[i] + c.cooldown_s * 1000;
		if (is_cooling(&c, mb.since[i], mb.now_ms) && (next_ms == 0 || at < next_ms))
			next_ms = at;
	}
	/* The rendering depends on every package on the way (updated_ms moves with each change), the
	   upstream body, and, under a cooldown, its value and that moment. */
	struct ar_buf stamp;
	ar_buf_init(&stamp, 1 << 20);
	for (size_t i = 0; i < c.n; i++)
		if (c.pkgs[i])
			ar_buf_printf(&stamp, "%lld:%lld;", (long long)c.pkgs[i]->id, (long long)c.pkgs[i]->updated_ms);
	ar_buf_printf(&stamp, "%s/%lld/%lld", m.sha256, (long long)c.cooldown_s, (long long)next_ms);
	unsigned char digest[32];
	char hex[33];
	ar_sha256(digest, stamp.ptr ? stamp.ptr : "", stamp.len);
	ar_buf_release(&stamp);
	ar_hex(hex, digest, 16);
	const char *key = ar_printf(dp->a, "pypi/u/%lld/%s/%s/%s", (long long)dp->repo.id, norm, hex,
				    repr == AR_PYPI_JSON_V1 ? "json" : "html");
	return ar_pypi_send_cached(dp, key, repr, build_merged, &mb);
}

/* --- files --- */

/* Makes version v of from_pkg (found in another repository) available in the requested repository,
   with any of its files the retained copy lacks. One write transaction, no fetch inside. */
static int retain(struct ar_dp *dp, const struct ar_package *from_pkg, const struct ar_version *v, bool is_external,
		  struct ar_err *err)
{
	if (from_pkg->repository_id == dp->repo.id)
		return 0;
	int rc = ar_dbc_begin(dp->db, true, err);
	if (rc)
		return rc;
	struct ar_version kept;
	rc = ar_group_check_origin(dp->db, dp->a, dp->domain.id, "pypi", "", from_pkg->name,
				   AR_ORIGIN_INTERNAL_UPSTREAM, dp->repo.name, err);
	if (rc == 0)
		rc = ar_retain_version(&kept, dp->db, dp->a, &dp->repo, from_pkg, v, is_external, err);
	if (rc == 0)
		rc = ar_version_copy_missing_assets(dp->db, dp->a, &kept, v, err);
	if (rc == 0)
		rc = ar_dbc_commit(dp->db, err);
	if (rc)
		ar_dbc_rollback(dp->db);
	return rc;
}

static int send_blob(struct ar_dp *dp, const char *sha256, const char *ctype)
{
	ar_resp_header(dp->req, "Cache-Control", FILE_CACHE_CTRL);
	if (ar_resp_not_modified(dp->req, sha256))
		return 304;
	struct ar_asset asset = {.sha256 = sha256};
	return ar_dp_send_asset(dp, &asset, ctype);
}

static const char *file_ctype(const char *filename)
{
	size_t len = strlen(filename);
	return len > 4 && strcmp(filename + len - 4, ".whl") == 0 ? "application/zip" : "application/octet-stream";
}

/* From an upstream repository of the chain: retain and serve. AR_ENOTFOUND when none has it. */
static int from_internal(struct ar_dp *dp, const struct chain *c, const char *version, const char *filename,
			 bool is_metadata)
{
	struct ar_err err = {0};
	for (size_t i = 1; i < c->n; i++) {
		const struct ar_package *p = c->pkgs[i];
		struct ar_version v;
		struct ar_asset asset;
		if (!p || ar_version_get(&v, dp->db, dp->a, p->id, version, &err) != 0 ||
		    !ar_status_downloadable(v.status) || ar_asset_get(&asset, dp->db, dp->a, v.id, filename, &err) != 0)
			continue;
		const char *sha = asset.sha256;
		if (is_metadata && !(sha = ar_pypi_metadata_hash(dp->a, asset.attrs)))
			continue;
		int rc = retain(dp, p, &v, strcmp(v.origin_type, "EXTERNAL") == 0, &err);
		if (rc)
			return ar_dp_fail(dp, rc, &err);
		return send_blob(dp, sha,
				 is_metadata ? "text/plain; charset=utf-8"
					     : (asset.content_type ? asset.content_type : file_ctype(filename)));
	}
	return AR_ENOTFOUND;
}

static int from_external(struct ar_dp *dp, const struct chain *c, const char *norm, const char *version,
			 const char *filename, bool is_metadata)
{
	struct ar_err err = {0};
	struct ar_pypi_up_file *files;
	size_t n;
	struct ar_upstream_meta m;
	int rc = upstream_files(&files, &n, &m, dp, c, norm, &err);
	if (rc == AR_ENOTFOUND)
		return ar_dp_error(dp, 404, "Not Found: %s", filename);
	if (rc)
		return upstream_failed(dp, c, rc, &err);
	const struct ar_pypi_up_file *f = NULL;
	size_t fi = 0;
	for (size_t i = 0; i < n && !f; i++)
		if (strcmp(files[i].filename, filename) == 0 && strcmp(files[i].version, version) == 0)
			f = &files[fi = i];
	if (!f || (is_metadata && !f->metadata_sha256))
		return ar_dp_error(dp, 404, "Not Found: %s", filename);
	int64_t now = ar_now_ms();
	int64_t since = age_origins(dp, c, norm, files, n, &m, now)[fi];
	if (is_cooling(c, since, now)) {
		char when[25];
		ar_iso8601_ms(when, since + c->cooldown_s * 1000);
		return ar_dp_error(dp, 403,
				   "Forbidden: %s %s less than the minimum release age (%llds) set on repository %s or "
				   "its package group ago; it becomes available at %s",
				   filename,
				   f->upload_ms > 0 ? "was published upstream"
						    : "has no upload time upstream and Arca first saw it",
				   (long long)c->cooldown_s, c->holder->name, when);
	}
	struct ar_upstream_file uf;
	struct ar_upstream_req r = {
		.connection = c->connection,
		.path = is_metadata ? ar_printf(dp->a, "%s.metadata", f->path) : f->path,
		.digest = ar_printf(dp->a, "sha256=%s", is_metadata ? f->metadata_sha256 : f->sha256),
	};
	rc = ar_upstream_fetch_file(dp->ctx->upstream, &dp->db, &uf, &r, &err);
	if (rc == AR_ENOTFOUND)
		return ar_dp_error(dp, 404, "Not Found: %s (upstream %s)", filename, c->connection);
	if (rc == AR_ETIMEOUT) {
		ar_log(AR_LOG_WARN, "pypi upstream %s: %s", c->connection, err.msg);
		return ar_dp_error(dp, 504, "Gateway Timeout: fetching %s from %s timed out: %s", filename,
				   c->connection, err.msg);
	}
	if (rc == AR_EINVAL || rc == AR_EUNAVAIL || rc == AR_ETOOBIG) {
		ar_log(AR_LOG_WARN, "pypi upstream %s: %s", c->connection, err.msg);
		return ar_dp_error(dp, 502, "Bad Gateway: fetching %s from %s failed: %s", filename, c->connection,
				   err.msg);
	}
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	if (is_metadata) /* served, not kept as an asset: the wheel's own record is its hash */
		return send_blob(dp, uf.hashes.sha256, "text/plain; charset=utf-8");
	/* Recorded in the repository holding the connection, then retained in the requested one
	   (CodeArtifact keeps it in both, not in the repositories between). */
	json_t *attrs = json_object();
	if (f->requires_python)
		json_object_set_new(attrs, "requires_python", json_string(f->requires_python));
	char *attrs_s = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(attrs);
	struct ar_asset_in asset = {
		.name = filename,
		.hashes = uf.hashes,
		.content_type = file_ctype(filename),
		.attrs = ar_strdup(dp->a, attrs_s),
	};
	free(attrs_s);
	struct ar_publish_in in = {
		.key = {.format = "pypi", .ns = "", .name = norm},
		.version = version,
		.add_to_existing = true,
		.external = c->connection,
		.assets = &asset,
		.n_assets = 1,
	};
	struct ar_version v;
	rc = ar_publish(&v, dp->db, dp->ctx->blobs, dp->a, c->holder, &in, &err);
	if (rc == 0 && c->holder->id != dp->repo.id) {
		struct ar_package hp;
		rc = ar_pkg_get(&hp, dp->db, dp->a, c->holder->id, &in.key, &err);
		if (rc == 0)
			rc = retain(dp, &hp, &v, true, &err);
	}
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	return send_blob(dp, uf.hashes.sha256, asset.content_type);
}

int ar_pypi_upstream_file(struct ar_dp *dp, const char *project, const char *version, const char *filename,
			  bool is_metadata)
{
	const char *norm = ar_pypi_normalize(dp->a, project);
	struct ar_err err = {0};
	struct chain c;
	int rc = load_chain(&c, dp, norm, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	rc = from_internal(dp, &c, version, filename, is_metadata);
	if (rc != AR_ENOTFOUND)
		return rc;
	if (!c.holder)
		return ar_dp_error(dp, 404, "Not Found: %s", filename);
	return from_external(dp, &c, norm, version, filename, is_metadata);
}
