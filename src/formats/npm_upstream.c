/* formats/npm_upstream.c - npm through upstream repositories and the public:npmjs external connection */
#include "formats/npm_int.h"

#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "formats/npm_pkg.h"
#include "formats/semver.h"
#include "repo/cooldown.h"
#include "repo/first_seen.h"
#include "repo/groups.h"
#include "repo/resolve.h"
#include "upstream/upstream.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The rules (search order, origin controls, retention, cooldown) are in docs/internals/UPSTREAM.md. */

bool npm_searches_upstream(const struct ar_dp *dp)
{
	return dp->repo.n_upstreams > 0 || dp->repo.n_externals > 0;
}

/* What one request learned about the search order for a package. */
struct search {
	const struct ar_repository **order;
	size_t n; /* repositories consulted: the order up to the first whose package has upstream=BLOCK */
	struct ar_package *pkgs;	    /* pkgs[i].id == 0: order[i] does not have the package */
	bool internal_ok;		    /* INTERNAL_UPSTREAM allows the package into dp->repo */
	const struct ar_repository *holder; /* holds the npm external connection and may use it, or NULL */
	size_t holder_i;
	const char *connection;
	int64_t cooldown_s;
};

/* What the search order says about package t; with_cooldown also reads its minimum release age. */
static int search_package(struct search *s, struct ar_dp *dp, const struct ar_repository **order, size_t n,
			  const struct npm_target *t, bool with_cooldown, struct ar_err *err)
{
	int rc;
	memset(s, 0, sizeof *s);
	s->order = order;
	s->n = n;
	s->pkgs = ar_alloc_array(dp->a, s->n + 1, sizeof *s->pkgs);
	struct ar_pkg_key key = {.format = "npm", .ns = t->ns ? t->ns : "", .name = t->name};
	for (size_t i = 0; i < s->n; i++) {
		rc = ar_pkg_get(&s->pkgs[i], dp->db, dp->a, s->order[i]->id, &key, err);
		if (rc == AR_ENOTFOUND)
			s->pkgs[i].id = 0;
		else if (rc)
			return rc;
		/* upstream=BLOCK (a name published there): nothing behind this repository is consulted, so
		   a public package of the same name never joins it (dependency confusion, ref 4.5). */
		else if (strcmp(s->pkgs[i].origin_upstream, "ALLOW") != 0)
			s->n = i + 1;
	}
	struct ar_err why = {0};
	s->internal_ok = ar_group_check_origin(dp->db, dp->a, dp->domain.id, "npm", t->ns, t->name,
					       AR_ORIGIN_INTERNAL_UPSTREAM, dp->repo.name, &why) == 0;
	const struct ar_repository *holder = ar_resolve_external(s->order, s->n, "npm", &s->connection);
	if (!holder)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->order[i] == holder)
			s->holder_i = i;
	if (s->holder_i > 0 && !s->internal_ok)
		return 0;
	if (s->pkgs[s->holder_i].id && strcmp(s->pkgs[s->holder_i].origin_upstream, "ALLOW") != 0)
		return 0;
	if (ar_group_check_origin(dp->db, dp->a, dp->domain.id, "npm", t->ns, t->name, AR_ORIGIN_EXTERNAL_UPSTREAM,
				  holder->name, &why) != 0) {
		ar_debug("npm: %s not taken from %s: %s", t->full, s->connection, why.msg);
		return 0;
	}
	s->holder = holder;
	if (!with_cooldown)
		return 0;
	return ar_cooldown_seconds(&s->cooldown_s, dp->db, dp->a, dp->ctx->cfg->region, &dp->domain, holder, "npm",
				   t->ns ? t->ns : "", t->name, err);
}

static int load_search(struct search *s, struct ar_dp *dp, const struct npm_target *t, struct ar_err *err)
{
	const struct ar_repository **order;
	size_t n;
	int rc = ar_resolve_order(&order, &n, dp->db, dp->a, &dp->domain, &dp->repo, true, err);
	if (rc)
		return rc;
	return search_package(s, dp, order, n, t, true, err);
}

/* dp->repo's own package has upstream=BLOCK (published there): nothing beyond it is consulted. */
static bool is_local_only(const struct search *s)
{
	return s->pkgs[0].id && strcmp(s->pkgs[0].origin_upstream, "ALLOW") != 0;
}

int npm_reaches_external(bool *out, struct ar_dp *dp, const struct ar_repository **order, size_t n, const char *full,
			 struct ar_err *err)
{
	struct npm_target t = {.full = full};
	struct ar_err ignored;
	*out = false;
	if (ar_npm_split_name(&t.ns, &t.name, dp->a, full, &ignored) != 0)
		return 0; /* not an npm name: nothing to look up anywhere */
	struct search s;
	int rc = search_package(&s, dp, order, n, &t, false, err);
	*out = rc == 0 && s.holder && !is_local_only(&s);
	return rc;
}

/* The npm name as a path below the registry URL: '/' of a scoped name encoded. */
static const char *upstream_path(struct ar_arena *a, const struct npm_target *t)
{
	return t->ns ? ar_printf(a, "@%s%%2f%s", t->ns, t->name) : t->name;
}

/* "2024-01-02T03:04:05.678Z" -> epoch ms; -1 when it is not such a time. */
static int64_t parse_iso(const char *s)
{
	struct tm tm = {0};
	int ms = 0;
	if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			 &tm.tm_sec) != 6)
		return -1;
	const char *dot = strchr(s, '.');
	if (dot)
		ms = (int)(strtol(dot + 1, NULL, 10) % 1000);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}

/* The upstream's answer for t: 0 (meta->status 200), AR_ENOTFOUND when upstream has no such package,
   AR_EUNAVAIL etc. when it cannot be had. Sets the stale header when answering from a stale copy. */
static int upstream_meta(struct ar_upstream_meta *meta, struct ar_dp *dp, const struct search *s,
			 const struct npm_target *t, struct ar_err *err)
{
	struct ar_upstream_req req = {
		.connection = s->connection, .path = upstream_path(dp->a, t), .accept = "application/json"};
	int rc = ar_upstream_get_meta(dp->ctx->upstream, &dp->db, meta, &req, err);
	if (rc == 0 && meta->is_stale) {
		char value[256];
		ar_upstream_stale_header(value, sizeof value, meta);
		ar_resp_header(dp->req, AR_UPSTREAM_STALE_HEADER, value);
	}
	return rc;
}

/* The body of a 200 answer as a JSON object (arena-owned); AR_EUNAVAIL when it is not one. */
static int parse_packument(json_t **doc, struct ar_dp *dp, const struct search *s, const struct npm_target *t,
			   const struct ar_upstream_meta *meta, struct ar_err *err)
{
	char *data;
	size_t len;
	int rc = ar_upstream_read_body(dp->ctx->upstream, meta, dp->a, &data, &len, err);
	if (rc)
		return rc == AR_ERROR ? AR_EUNAVAIL : rc;
	if (ar_json_parse_object(doc, dp->a, data, len, err) != 0)
		return ar_fail(err, AR_EUNAVAIL, "the packument of %s from %s is not a JSON object", t->full,
			       s->connection);
	return 0;
}

/* The upstream packument: 0 with *doc (arena-owned) or NULL when upstream has no such package;
   AR_EUNAVAIL etc. when it cannot be had. *source says whether upstream has just sent it. */
static int fetch_packument(json_t **doc, enum ar_upstream_source *source, struct ar_dp *dp, const struct search *s,
			   const struct npm_target *t, struct ar_err *err)
{
	struct ar_upstream_meta meta;
	*doc = NULL;
	int rc = upstream_meta(&meta, dp, s, t, err);
	*source = rc == 0 ? meta.source : AR_UPSTREAM_CACHE;
	if (rc == AR_ENOTFOUND)
		return 0;
	return rc ? rc : parse_packument(doc, dp, s, t, &meta, err);
}

/* When Arca first saw the upstream versions that have no publish time in the packument's `time`. */
struct untimed {
	struct ar_first_seen *items; /* sorted (ar_first_seen_find) */
	size_t n;
};

/* Looks up (under a cooldown) and records (whenever upstream has just sent the packument: not on a
   304 or a cache hit) the first sightings of up's versions without a publish time, so a cooldown set
   later finds their history. A packument whose versions all have times costs nothing. */
static void note_untimed(struct untimed *u, struct ar_dp *dp, const struct search *s, const struct npm_target *t,
			 json_t *up, enum ar_upstream_source source)
{
	json_t *versions = json_object_get(up, "versions"), *times = json_object_get(up, "time"), *m;
	const char *v;
	memset(u, 0, sizeof *u);
	if (!json_is_object(versions) || (s->cooldown_s <= 0 && source != AR_UPSTREAM_FETCHED))
		return;
	u->items = ar_alloc_array(dp->a, json_object_size(versions) + 1, sizeof *u->items);
	json_object_foreach(versions, v, m)
	{
		if (json_is_object(m) && parse_iso(ar_json_str(times, v)) < 0)
			u->items[u->n++] = (struct ar_first_seen){.version = v, .file = ""};
	}
	struct ar_pkg_key k = {.format = "npm", .ns = t->ns ? t->ns : "", .name = t->name};
	struct ar_err err = {0};
	if (u->n && ar_first_seen_note(dp->db, s->connection, &k, u->items, &u->n, ar_now_ms(), &err) != 0)
		ar_warn("npm: first sightings of %s from %s: %s (counted as seen now)", t->full, s->connection,
			err.msg);
}

/* Whether an upstream version is old enough (or no cooldown applies); *available_ms when not. Its age
   counts from its publish time, or without one from when Arca first saw it (note_untimed). */
static bool old_enough(const struct search *s, json_t *up, const struct untimed *u, const char *version,
		       int64_t *available_ms)
{
	if (s->cooldown_s <= 0)
		return true;
	int64_t now = ar_now_ms(), since = parse_iso(ar_json_str(json_object_get(up, "time"), version));
	if (since < 0) {
		const struct ar_first_seen *f = ar_first_seen_find(u->items, u->n, version, "");
		since = f ? f->seen_ms : now;
	}
	*available_ms = since + s->cooldown_s * 1000;
	return *available_ms <= now;
}

static int send_unavailable(struct ar_dp *dp, const struct npm_target *t, int rc, const struct ar_err *err)
{
	ar_warn("npm: %s from upstream of %s/%s: %s", t->full, dp->domain.name, dp->repo.name, err->msg);
	if (rc == AR_ERROR)
		return ar_dp_fail(dp, rc, err);
	return ar_dp_error(dp, rc == AR_ETIMEOUT ? 504 : 502,
			   "upstream unavailable: %s cannot be fetched and nothing is cached: %s", t->full, err->msg);
}

/* ---- merged documents ---- */

/* What a merged document is made of, learned before the render cache is asked. */
struct merge {
	struct ar_dp *dp;
	const struct npm_target *t;
	struct search s;
	bool abbreviated;
	bool is_local_only; /* dp->repo's own package has upstream=BLOCK: it alone answers */
	bool any_local;	    /* a repository of the order contributes its package */
	bool has_up;	    /* the upstream packument (meta) is part of the document */
	struct ar_upstream_meta meta;
	int up_rc; /* upstream could not be had (AR_EUNAVAIL, ...): local versions only */
	struct ar_err up_err;
	bool is_up_unreadable; /* set by the build: the cached upstream body is not a usable packument */
};

/* Whether order[i]'s package is part of the merge. */
static bool contributes(const struct search *s, size_t i)
{
	return s->pkgs[i].id && (i == 0 || s->internal_ok);
}

static void free_all(json_t *a, json_t *b, json_t *c)
{
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

/* Renders the merged packument (ar_cache_build_fn): the listed versions of every contributing
   repository in search order (the first holding a version wins), then the upstream's versions past
   the cooldown; upstream dist-tags win. AR_ENOTFOUND when no version is left. */
static int build_merged(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	struct merge *mg = cls;
	struct ar_dp *dp = mg->dp;
	const struct npm_target *t = mg->t;
	const struct search *s = &mg->s;
	bool abbreviated = mg->abbreviated;
	json_t *up = NULL;
	int rc;
	if (mg->has_up && parse_packument(&up, dp, s, t, &mg->meta, &mg->up_err) != 0) {
		mg->is_up_unreadable = true;
		return ar_fail(err, AR_EUNAVAIL, "%s", mg->up_err.msg);
	}
	struct untimed untimed;
	note_untimed(&untimed, dp, s, t, up, mg->meta.source);
	json_t *doc = ar_json_own(dp->a, json_object()), *versions = json_object(), *tags = json_object();
	json_t *times = json_object();
	const char *readme = NULL;
	int64_t modified = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct npm_doc d;
		if (!contributes(s, i))
			continue;
		if ((rc = npm_doc_load(&d, dp->db, dp->a, &s->pkgs[i], err))) {
			free_all(versions, tags, times);
			return rc;
		}
		if (s->pkgs[i].updated_ms > modified)
			modified = s->pkgs[i].updated_ms;
		for (size_t j = 0; j < d.n_v; j++) {
			const struct ar_npm_entry *e = &d.v[j];
			if (!ar_status_listed(e->status) || json_object_get(versions, e->version))
				continue;
			json_object_set_new(versions, e->version,
					    npm_render_manifest(&d, e, dp->base_url, abbreviated, dp->a));
			char iso[25];
			ar_iso8601_ms(iso, e->published_ms);
			json_object_set_new(times, e->version, json_string(iso));
		}
		for (size_t j = 0; j < d.n_tags; j++)
			if (!json_object_get(tags, d.tags[j].tag))
				json_object_set_new(tags, d.tags[j].tag, json_string(d.tags[j].version));
		if (!readme)
			readme = d.readme;
	}
	json_t *up_versions = up ? json_object_get(up, "versions") : NULL;
	const char *v;
	json_t *m;
	json_object_foreach(up_versions, v, m)
	{
		int64_t available;
		if (!json_is_object(m) || json_object_get(versions, v) || !old_enough(s, up, &untimed, v, &available))
			continue;
		json_t *copy = json_deep_copy(m);
		json_t *dist = json_object_get(copy, "dist");
		if (json_is_object(dist))
			json_object_set_new(dist, "tarball",
					    json_sprintf("%s%s/-/%s", dp->base_url, t->full,
							 ar_npm_tarball_filename(dp->a, t->full, v)));
		json_object_set_new(versions, v, abbreviated ? npm_abbreviate(copy) : copy);
		const char *when = ar_json_str(json_object_get(up, "time"), v);
		if (when)
			json_object_set_new(times, v, json_string(when));
	}
	const char *tag;
	json_t *tv;
	json_object_foreach(json_object_get(up, "dist-tags"), tag, tv)
	{
		if (json_is_string(tv) && json_object_get(versions, json_string_value(tv)))
			json_object_set(tags, tag, tv); /* upstream's tag wins on conflict */
	}
	/* A tag naming a version left out (cooldown, unlisted) goes; latest falls back to the newest. */
	void *iter_tmp;
	json_object_foreach_safe(tags, iter_tmp, tag, tv)
	{
		if (!json_object_get(versions, json_string_value(tv)))
			json_object_del(tags, tag);
	}
	if (!json_object_get(tags, "latest") && json_object_size(versions) > 0) {
		const char **list = ar_alloc_array(dp->a, json_object_size(versions), sizeof *list);
		size_t n = 0;
		json_object_foreach(versions, v, m) list[n++] = v;
		ptrdiff_t best = ar_semver_max_stable(list, n);
		json_object_set_new(tags, "latest", json_string(list[best >= 0 ? best : (ptrdiff_t)n - 1]));
	}
	if (json_object_size(versions) == 0) {
		free_all(versions, tags, times);
		return ar_fail(err, AR_ENOTFOUND, "Not found: %s is not in repository %s or its upstreams", t->full,
			       dp->repo.name);
	}

	if (!abbreviated) {
		json_object_set_new(doc, "_id", json_string(t->full));
		if (s->pkgs[0].id)
			json_object_set_new(doc, "_rev", json_string(npm_rev(dp->a, &s->pkgs[0])));
	}
	json_object_set_new(doc, "name", json_string(t->full));
	json_object_set_new(doc, "dist-tags", tags);
	json_object_set_new(doc, "versions", versions);
	const char *up_modified = ar_json_str(json_object_get(up, "time"), "modified");
	char iso[25];
	ar_iso8601_ms(iso, modified ? modified : ar_now_ms());
	if (abbreviated) {
		json_object_set_new(doc, "modified", json_string(up_modified ? up_modified : iso));
		json_decref(times);
	} else {
		json_object_set_new(times, "modified", json_string(up_modified ? up_modified : iso));
		json_object_set_new(doc, "time", times);
		npm_hoist(doc, json_object_get(versions, json_string_value(json_object_get(tags, "latest"))));
		const char *up_readme = ar_json_str(up, "readme");
		json_object_set_new(doc, "readme", json_string(readme ? readme : up_readme ? up_readme : ""));
	}
	char *text = json_dumps(doc, JSON_COMPACT);
	if (!text)
		return ar_fail(err, AR_ERROR, "cannot serialise the packument of %s", t->full);
	*data = text;
	*len = strlen(text);
	*etag = npm_etag_of(text, *len, abbreviated ? "-a" : "");
	ar_debug("npm: rendered merged %s packument of %s for %s/%s (%zu bytes)", abbreviated ? "abbreviated" : "full",
		 t->full, dp->domain.name, dp->repo.name, *len);
	return 0;
}

/* The render-cache key of a merged document. It names everything the document is made of: the search
   order, each contributing package's change stamp (moved by every publish, status or tag change, and
   retention), the group decisions, the upstream body (its digest: a revalidation that brings a new
   document changes it, a 304 does not), and under a cooldown the time in steps of a sixtieth of the
   cooldown (1 s to 1 min), since versions come of age as time passes: a version shows up at most that
   late. Any change gives a new key; superseded entries age out of the LRU. */
static const char *merge_key(const struct merge *mg)
{
	struct ar_dp *dp = mg->dp;
	const struct search *s = &mg->s;
	struct ar_buf stamp;
	ar_buf_init(&stamp, 1 << 16);
	ar_buf_printf(&stamp, "%d", s->internal_ok);
	for (size_t i = 0; i < s->n; i++) {
		bool in = contributes(s, i);
		ar_buf_printf(&stamp, ";%lld:%lld:%lld", (long long)s->order[i]->id,
			      in ? (long long)s->pkgs[i].id : 0LL, in ? (long long)s->pkgs[i].updated_ms : 0LL);
	}
	ar_buf_printf(&stamp, ";%s;%s", s->holder ? s->connection : "-",
		      mg->has_up  ? mg->meta.sha256
		      : mg->up_rc ? "down"
				  : "none");
	if (s->holder && s->cooldown_s > 0) {
		int64_t step_ms = s->cooldown_s * 1000 / 60;
		step_ms = step_ms < 1000 ? 1000 : step_ms > 60000 ? 60000 : step_ms;
		ar_buf_printf(&stamp, ";%lld@%lld", (long long)s->cooldown_s, (long long)(ar_now_ms() / step_ms));
	}
	unsigned char digest[32];
	char hex[33];
	ar_sha256(digest, stamp.ptr ? stamp.ptr : "", stamp.len);
	ar_buf_release(&stamp);
	ar_hex(hex, digest, 16);
	return ar_printf(dp->a, "npm/u/%lld/%s/%s/%c/%s", (long long)dp->repo.id, mg->t->full, hex,
			 mg->abbreviated ? 'a' : 'f', dp->base_url);
}

/* Resolves the merged document of t for dp->repo: 0 with *v, or the status of the answer it sent
   itself (404, 502, ...). With mg->is_local_only, 0 and *v NULL: dp->repo's own package answers. */
static int merged(struct ar_cache_val **v, bool *did_build, struct merge *mg, struct ar_dp *dp,
		  const struct npm_target *t, bool abbreviated, bool gz)
{
	struct ar_err err = {0};
	*v = NULL;
	memset(mg, 0, sizeof *mg);
	mg->dp = dp;
	mg->t = t;
	mg->abbreviated = abbreviated;
	int rc = load_search(&mg->s, dp, t, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	/* Published here (dependency-confusion protection) or upstream=BLOCK: only what R holds. */
	if (is_local_only(&mg->s)) {
		mg->is_local_only = true;
		return 0;
	}
	for (size_t i = 0; i < mg->s.n; i++)
		mg->any_local = mg->any_local || contributes(&mg->s, i);
	if (mg->s.holder) {
		rc = upstream_meta(&mg->meta, dp, &mg->s, t, &mg->up_err);
		mg->has_up = rc == 0;
		mg->up_rc = rc == AR_ENOTFOUND ? 0 : rc;
	}
	for (int attempt = 0;; attempt++) {
		if (mg->up_rc && !mg->any_local)
			return send_unavailable(dp, t, mg->up_rc, &mg->up_err);
		rc = npm_cache_doc(v, did_build, dp, merge_key(mg), gz, build_merged, mg, &err);
		if (rc == 0 || !mg->is_up_unreadable || attempt > 0)
			break;
		/* The upstream body cannot be used: as if upstream were down (a key of its own). */
		mg->has_up = false;
		mg->is_up_unreadable = false;
		mg->up_rc = AR_EUNAVAIL;
	}
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	if (mg->up_rc)
		ar_resp_header(dp->req, "X-Arca-Upstream", "unavailable");
	return 0;
}

int npm_upstream_packument(struct ar_dp *dp, const struct npm_target *t, bool abbreviated)
{
	bool gz = npm_accepts_gzip(dp), did_build = false;
	struct merge mg;
	struct ar_cache_val *v;
	int status = merged(&v, &did_build, &mg, dp, t, abbreviated, gz);
	if (status)
		return status;
	if (!v)
		return npm_send_packument(dp, &mg.s.pkgs[0], abbreviated);
	return npm_send_doc(dp, v, abbreviated, gz, did_build);
}

int npm_upstream_document(json_t **doc, struct ar_dp *dp, const struct npm_target *t)
{
	bool did_build;
	struct merge mg;
	struct ar_cache_val *v;
	struct ar_err err = {0};
	*doc = NULL;
	int status = merged(&v, &did_build, &mg, dp, t, false, false);
	if (status || !v)
		return status;
	size_t len;
	const char *data = ar_cache_val_data(v, &len);
	if (ar_json_parse_object(doc, dp->a, data, len, &err) != 0)
		return ar_dp_fail(dp, AR_ERROR, &err);
	return 0;
}

/* ---- tarballs ---- */

static int send_retained(struct ar_dp *dp, const struct npm_target *t, const char *version)
{
	enum ar_vstatus status;
	struct ar_asset asset;
	struct ar_err err = {0};
	int rc = ar_npm_index_tarball(&status, &asset, dp->db, dp->a, dp->repo.id, t->ns, t->name, version, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	if (!ar_status_downloadable(status))
		return ar_dp_error(dp, 404, "Not found: %s@%s is %s and cannot be downloaded", t->full, version,
				   ar_status_name(status));
	return ar_dp_send_asset(dp, &asset, "application/octet-stream");
}

/* Retains version (held by from_pkg in another repository) into dp->repo in one write transaction. */
static int retain(struct ar_dp *dp, const struct ar_package *from_pkg, const char *version, struct ar_err *err)
{
	struct ar_version from, out = {0};
	int rc = ar_dbc_begin(dp->db, true, err);
	if (rc)
		return rc;
	if ((rc = ar_version_get(&from, dp->db, dp->a, from_pkg->id, version, err)) == 0)
		rc = ar_retain_version(&out, dp->db, dp->a, &dp->repo, from_pkg, &from,
				       strcmp(from.origin_type, "EXTERNAL") == 0, err);
	if (rc == 0)
		rc = ar_pkg_touch(dp->db, out.package_id, err);
	if (rc) {
		ar_dbc_rollback(dp->db);
		return rc;
	}
	if ((rc = ar_dbc_commit(dp->db, err)))
		return rc;
	npm_cache_forget(dp, out.package_id);
	return 0;
}

/* The stored manifest of an upstream version: no readme, no tarball URL (rendered per request). */
static const char *stored_manifest(struct ar_arena *a, json_t *m)
{
	json_t *c = json_deep_copy(m);
	json_object_del(c, "readme");
	json_t *dist = json_object_get(c, "dist");
	if (json_is_object(dist))
		json_object_del(dist, "tarball");
	char *s = ar_json_dump(a, c, NULL);
	json_decref(c);
	return s;
}

/* A fetched version that cannot be recorded: upstream=BLOCK or a package group says no (404, as if
   upstream did not have it), or the holder has the version in a state that is not re-published
   (Archived, Disposed) or with other bytes. */
static int not_ingested(struct ar_dp *dp, const struct npm_target *t, const char *version, int rc,
			const struct ar_err *err)
{
	if (rc == AR_EDENIED || rc == AR_ECONFLICT)
		return ar_dp_error(dp, 404, "Not found: %s@%s cannot be taken from upstream: %s", t->full, version,
				   err->msg);
	if (rc == AR_EEXISTS)
		return ar_dp_error(dp, 409, "%s", err->msg);
	return ar_dp_fail(dp, rc, err);
}

static int from_external(struct ar_dp *dp, const struct search *s, const struct npm_target *t, const char *version)
{
	struct ar_err err = {0};
	json_t *up;
	enum ar_upstream_source source;
	int rc = fetch_packument(&up, &source, dp, s, t, &err);
	if (rc)
		return send_unavailable(dp, t, rc, &err);
	json_t *m = up ? json_object_get(json_object_get(up, "versions"), version) : NULL;
	if (!json_is_object(m))
		return ar_dp_error(dp, 404, "Not found: %s@%s is not in repository %s or its upstreams", t->full,
				   version, dp->repo.name);
	int64_t available = 0;
	struct untimed untimed;
	note_untimed(&untimed, dp, s, t, up, source);
	if (!old_enough(s, up, &untimed, version, &available)) {
		char when[25];
		ar_iso8601_ms(when, available);
		return ar_dp_error(
			dp, 403,
			"%s@%s is younger than the minimum release age (%s) of repository %s%s: "
			"available from %s",
			t->full, version, AR_COOLDOWN_TAG, s->holder->name,
			parse_iso(ar_json_str(json_object_get(up, "time"), version)) < 0
				? " (it has no publish time upstream; its age counts from when Arca first saw it)"
				: "",
			when);
	}
	json_t *dist = json_object_get(m, "dist");
	const char *digest = ar_json_str(dist, "integrity");
	if (!digest)
		digest = ar_json_str(dist, "shasum");
	struct ar_upstream_file file;
	struct ar_upstream_req req = {
		.connection = s->connection,
		.path = ar_printf(dp->a, "%s/-/%s", t->full, t->arg),
		.digest = digest,
	};
	if ((rc = ar_upstream_fetch_file(dp->ctx->upstream, &dp->db, &file, &req, &err))) {
		if (rc == AR_ENOTFOUND)
			return ar_dp_error(dp, 404, "Not found: %s upstream has no %s", s->connection, t->arg);
		if (rc == AR_EINVAL)
			return ar_dp_error(dp, 502, "upstream %s sent %s with the wrong digest: %s", s->connection,
					   t->arg, err.msg);
		return send_unavailable(dp, t, rc, &err);
	}

	const char *license = ar_json_str(m, "license");
	struct ar_npm_dep *deps;
	size_t n_deps;
	ar_npm_manifest_deps(&deps, &n_deps, dp->a, m);
	struct ar_asset_in asset = {
		.name = AR_NPM_ASSET, .hashes = file.hashes, .content_type = "application/octet-stream"};
	/* Recorded in the repository holding the connection (origin EXTERNAL), then retained in the
	   requested one; the repositories between keep nothing (ref 4.2). The same version arriving twice
	   (two requests racing) is one version: the second finds its asset with the same bytes. */
	struct ar_publish_in in = {
		.key = {.format = "npm", .ns = t->ns ? t->ns : "", .name = t->name},
		.display_name = t->full,
		.version = version,
		.add_to_existing = true,
		.external = s->connection,
		.summary = ar_json_str(m, "description"),
		.home_page = ar_json_str(m, "homepage"),
		.licenses = license ? ar_printf(dp->a, "[{\"name\":%s}]",
						ar_json_dump(dp->a, json_object_get(m, "license"), NULL))
				    : NULL,
		.attrs = stored_manifest(dp->a, m),
		.deps = npm_dependencies(dp->a, deps, n_deps),
		.n_deps = n_deps,
		.assets = &asset,
		.n_assets = 1,
	};
	struct ar_version held;
	struct ar_package held_pkg;
	rc = ar_publish(&held, dp->db, dp->ctx->blobs, dp->a, s->holder, &in, &err);
	if (rc == 0)
		rc = ar_pkg_get(&held_pkg, dp->db, dp->a, s->holder->id, &in.key, &err);
	if (rc)
		return not_ingested(dp, t, version, rc, &err);
	npm_cache_forget(dp, held_pkg.id);
	ar_info("npm: %s@%s fetched from %s into %s/%s", t->full, version, s->connection, dp->domain.name,
		s->holder->name);
	if (s->holder != s->order[0] && (rc = retain(dp, &held_pkg, version, &err)))
		return not_ingested(dp, t, version, rc, &err);
	return send_retained(dp, t, version);
}

int npm_upstream_tarball(struct ar_dp *dp, const struct npm_target *t, const char *version)
{
	struct search s;
	struct ar_err err = {0};
	int rc = load_search(&s, dp, t, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	if (is_local_only(&s))
		return ar_dp_error(dp, 404, "Not found: %s@%s has no tarball in repository %s", t->full, version,
				   dp->repo.name);
	for (size_t i = 1; s.internal_ok && i < s.n; i++) {
		enum ar_vstatus status;
		struct ar_asset asset;
		if (!s.pkgs[i].id)
			continue;
		rc = ar_npm_index_tarball(&status, &asset, dp->db, dp->a, s.order[i]->id, t->ns, t->name, version,
					  &err);
		if (rc == AR_ENOTFOUND || (rc == 0 && !ar_status_downloadable(status)))
			continue;
		if (rc)
			return ar_dp_fail(dp, rc, &err);
		if ((rc = retain(dp, &s.pkgs[i], version, &err)))
			return rc == AR_EDENIED ? ar_dp_error(dp, 404, "Not found: %s", err.msg)
						: ar_dp_fail(dp, rc, &err);
		return send_retained(dp, t, version);
	}
	if (!s.holder)
		return ar_dp_error(dp, 404, "Not found: %s@%s has no tarball in repository %s or its upstreams",
				   t->full, version, dp->repo.name);
	return from_external(dp, &s, t, version);
}
