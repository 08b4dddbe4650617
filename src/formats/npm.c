/* formats/npm.c - npm registry protocol: routes and reads (packuments, tarballs, tags, search) */
#include "formats/npm_int.h"

#include "core/cache.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "formats/dp_memo.h"
#include "formats/npm_pkg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SEARCH_SIZE_MAX	  250
#define NPM_SMALL_TARBALL (64 * 1024) /* served from the render cache */
#define SEARCH_SCAN_MAX	  5000	      /* packages examined per search */

static const char *const READ = "codeartifact:ReadFromRepository";

static void send_error(struct ar_dp *dp, int status, const char *message)
{
	json_t *body = json_pack("{s:s}", "error", message);
	ar_resp_json(dp->req, status, body);
	json_decref(body);
}

int npm_find_package(struct ar_package *out, struct ar_dp *dp, const struct npm_target *t)
{
	struct ar_err err = {0};
	struct ar_pkg_key key = {.format = "npm", .ns = t->ns ? t->ns : "", .name = t->name};
	int rc = ar_pkg_get(out, dp->db, dp->a, dp->repo.id, &key, &err);
	if (rc == AR_ENOTFOUND)
		ar_dp_error(dp, 404, "Not found: %s is not in repository %s", t->full, dp->repo.name);
	else if (rc)
		ar_dp_fail(dp, rc, &err);
	return rc;
}

/* ---- reads ---- */

/* The abbreviated document when the client lists it in Accept, unless ?write=true asks for the one
   with _rev that a write will be based on. */
static bool wants_corgi(struct ar_dp *dp)
{
	struct ar_query query;
	if (dp->req->raw_query[0] && ar_query_parse(&query, dp->a, dp->req->raw_query) == 0) {
		const char *write = ar_query_get(&query, "write");
		if (write && strcmp(write, "true") == 0)
			return false;
	}
	const char *accept = ar_req_header(dp->req, "accept");
	if (!accept || !strcasestr(accept, NPM_CORGI))
		return false;
	const char *q = strcasestr(accept, NPM_CORGI) + strlen(NPM_CORGI);
	const char *end = q + strcspn(q, ",");
	const char *w = strstr(q, "q=");
	return !(w && w < end && strtod(w + 2, NULL) <= 0.0);
}

static int get_packument(struct ar_dp *dp)
{
	struct ar_package pkg;
	if (npm_searches_upstream(dp))
		return npm_upstream_packument(dp, dp->route_data, wants_corgi(dp));
	if (npm_find_package(&pkg, dp, dp->route_data))
		return 404;
	return npm_send_packument(dp, &pkg, wants_corgi(dp));
}

/* The version a version-or-tag argument names through a document's dist-tags. */
static const char *tagged(json_t *tags, const char *arg)
{
	json_t *v = json_object_get(tags, arg);
	return json_is_string(v) ? json_string_value(v) : arg;
}

/* GET /{pkg}/{version-or-tag}: one manifest, as in the full packument. */
static int get_version(struct ar_dp *dp)
{
	const struct npm_target *t = dp->route_data;
	struct ar_package pkg;
	struct npm_doc d;
	struct ar_err err = {0};
	json_t *doc = NULL;
	int status = 0;
	if (npm_searches_upstream(dp) && ((status = npm_upstream_document(&doc, dp, t)) || doc)) {
		if (status)
			return status;
		json_t *m = json_object_get(json_object_get(doc, "versions"),
					    tagged(json_object_get(doc, "dist-tags"), t->arg));
		if (!json_is_object(m))
			return ar_dp_error(dp, 404, "Not found: version %s of %s", t->arg, t->full);
		return npm_send_json(dp, 200, json_incref(m));
	}
	if (npm_find_package(&pkg, dp, t))
		return 404;
	int rc = npm_doc_load(&d, dp->db, dp->a, &pkg, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	const char *version = t->arg;
	for (size_t i = 0; i < d.n_tags; i++)
		if (strcmp(d.tags[i].tag, t->arg) == 0)
			version = d.tags[i].version;
	const struct ar_npm_entry *e = npm_doc_find(&d, version);
	if (!e)
		return ar_dp_error(dp, 404, "Not found: version %s of %s", t->arg, t->full);
	return npm_send_json(dp, 200, npm_render_manifest(&d, e, dp->base_url, false, dp->a));
}

const char *npm_tarball_version(struct ar_arena *a, const struct npm_target *t)
{
	size_t base = strlen(t->name), len = strlen(t->arg);
	if (len <= base + 1 + 4 || strncmp(t->arg, t->name, base) != 0 || t->arg[base] != '-' ||
	    strcmp(t->arg + len - 4, ".tgz") != 0)
		return NULL;
	return ar_strndup(a, t->arg + base + 1, len - base - 1 - 4);
}

struct blob_build {
	struct ar_blobs *blobs;
	const char *sha256;
};

static int build_blob(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	struct blob_build *b = cls;
	int fd;
	uint64_t size;
	int rc = ar_blob_open(b->blobs, b->sha256, &fd, &size, err);
	if (rc)
		return rc;
	char *buf = size <= NPM_SMALL_TARBALL ? ar_xmalloc(size + 1) : NULL;
	size_t got = 0;
	while (buf && got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!buf || got != size) {
		free(buf);
		return ar_fail(err, AR_ERROR, "blob %s: short read", b->sha256);
	}
	*data = buf;
	*len = got;
	*etag = NULL;
	return 0;
}

/* Small tarballs are served from memory: content-addressed, so a cached copy is never stale, and a
   request saves the open/fstat/sendfile/close that a file response costs. */
static int send_small_tarball(struct ar_dp *dp, const struct ar_asset *asset)
{
	struct blob_build b = {.blobs = dp->ctx->blobs, .sha256 = asset->sha256};
	struct ar_cache_val *v;
	struct ar_err err = {0};
	int rc = ar_cache_get(&v, dp->ctx->render_cache, ar_printf(dp->a, "blob/%s", asset->sha256), build_blob, &b,
			      &err);
	if (rc)
		return ar_dp_fail(dp, rc == AR_ENOTFOUND ? AR_ERROR : rc, &err);
	ar_cache_hold(dp->a, v);
	size_t len;
	const char *data = ar_cache_val_data(v, &len);
	ar_resp_data(dp->req, 200, "application/octet-stream", data, len);
	return 200;
}

/* What serving a local tarball needs, remembered per connection while nothing changes. */
struct tarball_memo {
	enum ar_vstatus status;
	int64_t size;
	char sha256[65];
};

static int find_tarball(struct tarball_memo *m, struct ar_dp *dp, const struct npm_target *t, const char *version,
			struct ar_err *err)
{
	const char *key = ar_printf(dp->a, "npm-tgz\n%lld\n%s\n%s\n%s", (long long)dp->repo.id, t->ns ? t->ns : "",
				    t->name, version);
	if (ar_dp_memo_value(m, sizeof *m, dp->generation, key))
		return 0;
	struct ar_asset asset;
	int rc = ar_npm_index_tarball(&m->status, &asset, dp->db, dp->a, dp->repo.id, t->ns, t->name, version, err);
	if (rc)
		return rc;
	m->size = asset.size;
	snprintf(m->sha256, sizeof m->sha256, "%s", asset.sha256);
	ar_dp_memo_value_put(dp->generation, key, m, sizeof *m);
	return 0;
}

static int get_tarball(struct ar_dp *dp)
{
	const struct npm_target *t = dp->route_data;
	const char *version = npm_tarball_version(dp->a, t);
	struct tarball_memo m;
	struct ar_err err = {0};
	if (!version)
		return ar_dp_error(dp, 404, "Not found: %s is not a tarball of %s", t->arg, t->full);
	int rc = find_tarball(&m, dp, t, version, &err);
	if (rc == AR_ENOTFOUND && npm_searches_upstream(dp))
		return npm_upstream_tarball(dp, t, version);
	if (rc == AR_ENOTFOUND)
		return ar_dp_error(dp, 404, "Not found: %s@%s has no tarball in repository %s", t->full, version,
				   dp->repo.name);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	if (!ar_status_downloadable(m.status))
		return ar_dp_error(dp, 404, "Not found: %s@%s is %s and cannot be downloaded", t->full, version,
				   ar_status_name(m.status));
	if (ar_resp_not_modified(dp->req, m.sha256))
		return 304;
	struct ar_asset asset = {.name = AR_NPM_ASSET, .size = m.size, .sha256 = m.sha256};
	if (asset.size <= NPM_SMALL_TARBALL)
		return send_small_tarball(dp, &asset);
	return ar_dp_send_asset(dp, &asset, "application/octet-stream");
}

/* GET /-/package/{pkg}/dist-tags: the tags of the document GET /{pkg} serves. */
static int get_tags(struct ar_dp *dp)
{
	const struct npm_target *t = dp->route_data;
	struct ar_package pkg;
	struct npm_doc d;
	struct ar_err err = {0};
	json_t *doc = NULL;
	int status = 0;
	if (npm_searches_upstream(dp) && ((status = npm_upstream_document(&doc, dp, t)) || doc)) {
		if (status)
			return status;
		json_t *tags = json_object_get(doc, "dist-tags");
		return npm_send_json(dp, 200, json_is_object(tags) ? json_incref(tags) : json_object());
	}
	if (npm_find_package(&pkg, dp, t))
		return 404;
	int rc = npm_doc_load(&d, dp->db, dp->a, &pkg, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	return npm_send_json(dp, 200, npm_render_tags(&d));
}

static int get_whoami(struct ar_dp *dp)
{
	if (dp->caller.is_anonymous)
		return ar_dp_error(dp, 401, "Authentication required");
	return npm_send_json(dp, 200, json_pack("{s:s}", "username", dp->caller.user_name));
}

static int get_ping(struct ar_dp *dp)
{
	return npm_send_json(dp, 200, json_object());
}

/* ---- search ---- */

struct search_query {
	const char **terms; /* lowercase words that must each appear in name, description or keywords */
	size_t n_terms;
	const char *scope;     /* scope:NAME (no '@'), or NULL */
	const char **keywords; /* keywords:a,b - every one must be a keyword */
	size_t n_keywords;
	const char *longest; /* the longest term, for the SQL prefilter */
};

static char *lower(struct ar_arena *a, const char *s, size_t n)
{
	char *out = ar_strndup(a, s, n);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return out;
}

static void parse_search(struct search_query *q, struct ar_arena *a, const char *text)
{
	size_t cap = 0, kcap = 0;
	memset(q, 0, sizeof *q);
	q->longest = "";
	for (const char *p = text; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '+')
			p++;
		size_t n = strcspn(p, " \t+");
		if (n == 0)
			break;
		char *word = lower(a, p, n);
		p += n;
		if (strncmp(word, "scope:", 6) == 0) {
			q->scope = word[6] == '@' ? word + 7 : word + 6;
		} else if (strncmp(word, "keywords:", 9) == 0) {
			for (char *k = word + 9; *k;) {
				size_t m = strcspn(k, ",");
				if (m) {
					q->keywords =
						ar_grow(a, q->keywords, &kcap, q->n_keywords, sizeof *q->keywords);
					q->keywords[q->n_keywords++] = ar_strndup(a, k, m);
				}
				k += m + (k[m] == ',');
			}
		} else if (strchr(word, ':') && strncmp(word, "@", 1) != 0) {
			continue; /* author:, maintainer:, is:, not:, boost-exact: - nothing to filter on here */
		} else {
			q->terms = ar_grow(a, q->terms, &cap, q->n_terms, sizeof *q->terms);
			q->terms[q->n_terms++] = word;
			if (strlen(word) > strlen(q->longest))
				q->longest = word;
		}
	}
}

static bool keyword_has(json_t *keywords, const char *want, bool exact)
{
	size_t i;
	json_t *k;
	json_array_foreach(keywords, i, k)
	{
		if (!json_is_string(k))
			continue;
		const char *s = json_string_value(k);
		if (exact ? strcasecmp(s, want) == 0 : strcasestr(s, want) != NULL)
			return true;
	}
	return false;
}

static bool search_match(const struct search_query *q, const struct ar_npm_search_row *r, json_t *m)
{
	json_t *keywords = json_object_get(m, "keywords");
	if (q->scope && strcasecmp(r->ns, q->scope) != 0)
		return false;
	for (size_t i = 0; i < q->n_keywords; i++)
		if (!keyword_has(keywords, q->keywords[i], true))
			return false;
	for (size_t i = 0; i < q->n_terms; i++) {
		const char *t = q->terms[i];
		if (!strcasestr(r->display_name, t) && !(r->summary && strcasestr(r->summary, t)) &&
		    !keyword_has(keywords, t, false))
			return false;
	}
	return true;
}

static json_t *search_object(const struct ar_npm_search_row *r, json_t *m, bool exact)
{
	char date[25];
	ar_iso8601_ms(date, r->published_ms);
	const char *user = ar_json_str(json_object_get(m, "_npmUser"), "name");
	json_t *keywords = json_object_get(m, "keywords");
	json_t *pkg = json_pack(
		"{s:s,s:s,s:s,s:s,s:O,s:s,s:{},s:{s:s,s:s},s:[{s:s,s:s}]}", "name", r->display_name, "scope",
		r->ns[0] ? r->ns : "unscoped", "version", r->version, "description", r->summary ? r->summary : "",
		"keywords", json_is_array(keywords) ? keywords : json_null(), "date", date, "links", "publisher",
		"username", user ? user : "", "email", "", "maintainers", "username", user ? user : "", "email", "");
	if (!json_is_array(keywords))
		json_object_set_new(pkg, "keywords", json_array());
	double score = exact ? 1.0 : 0.5;
	return json_pack("{s:o,s:{s:f,s:{s:f,s:f,s:f}},s:f}", "package", pkg, "score", "final", score, "detail",
			 "quality", score, "popularity", score, "maintenance", score, "searchScore", score);
}

static int get_search(struct ar_dp *dp)
{
	struct ar_query query;
	struct ar_err err = {0};
	if (ar_query_parse(&query, dp->a, dp->req->raw_query) != 0)
		return ar_dp_error(dp, 400, "malformed query string");
	const char *text = ar_query_get(&query, "text");
	int64_t size = 20, from = 0;
	const char *s = ar_query_get(&query, "size"), *f = ar_query_get(&query, "from");
	if ((s && (!ar_parse_i64(s, &size) || size < 0)) || (f && (!ar_parse_i64(f, &from) || from < 0)))
		return ar_dp_error(dp, 400, "size and from must be non-negative integers");
	if (size > SEARCH_SIZE_MAX)
		size = SEARCH_SIZE_MAX;
	struct search_query q;
	parse_search(&q, dp->a, text ? text : "");

	struct ar_npm_search_row *rows;
	size_t n;
	bool more;
	int rc = ar_npm_index_search(&rows, &n, &more, dp->db, dp->a, dp->repo.id, q.longest, SEARCH_SCAN_MAX, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	json_t *exact = json_array(), *others = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *m = rows[i].attrs ? json_loads(rows[i].attrs, 0, NULL) : NULL;
		if (!json_is_object(m)) {
			json_decref(m);
			m = json_object();
		}
		if (search_match(&q, &rows[i], m)) {
			bool is_exact = q.n_terms == 1 && strcasecmp(rows[i].display_name, q.terms[0]) == 0;
			json_array_append_new(is_exact ? exact : others, search_object(&rows[i], m, is_exact));
		}
		json_decref(m);
	}
	json_array_extend(exact, others);
	json_decref(others);
	size_t total = json_array_size(exact);
	json_t *objects = json_array();
	for (size_t i = (size_t)from; i < total && json_array_size(objects) < (size_t)size; i++)
		json_array_append(objects, json_array_get(exact, i));
	json_decref(exact);
	char now[25];
	ar_iso8601_ms(now, ar_now_ms());
	return npm_send_json(dp, 200,
			     json_pack("{s:o,s:I,s:s}", "objects", objects, "total", (json_int_t)total, "time", now));
}

/* ---- audit (npm_audit.c) ---- */

static const enum npm_audit_kind audit_kinds[] = {NPM_AUDIT_BULK, NPM_AUDIT_QUICK, NPM_AUDIT_FULL};

/* ---- routing ---- */

static bool seg_is(const struct ar_dp *dp, size_t i, const char *s)
{
	return i < dp->n_seg && strcmp(dp->seg[i], s) == 0;
}

/* Reads a package name starting at segment *i ("name", "@scope/name" from %2f, or "@scope" "name")
   into t and advances *i past it. */
static int take_name(struct npm_target *t, struct ar_dp *dp, size_t *i)
{
	struct ar_err ignored;
	if (*i >= dp->n_seg)
		return AR_ENOTFOUND;
	const char *first = dp->seg[*i];
	const char *full = first;
	if (first[0] == '@' && !strchr(first, '/')) {
		if (*i + 1 >= dp->n_seg)
			return AR_ENOTFOUND;
		full = ar_printf(dp->a, "%s/%s", first, dp->seg[*i + 1]);
		(*i)++;
	}
	(*i)++;
	if (ar_npm_split_name(&t->ns, &t->name, dp->a, full, &ignored) != 0)
		return AR_ENOTFOUND;
	t->full = full;
	return 0;
}

static void set_route(struct ar_dp_route *out, int (*handler)(struct ar_dp *), const char *action,
		      const struct npm_target *t, uint64_t max_body, void *data)
{
	*out = (struct ar_dp_route){.handler = handler, .action = action, .data = data, .max_body = max_body};
	if (t && action != READ) {
		out->pkg_format = "npm";
		out->pkg_ns = t->ns;
		out->pkg_name = t->name;
	}
}

static bool method_is(const struct ar_dp *dp, const char *m)
{
	return strcmp(dp->req->method, m) == 0;
}

/* The /-/ endpoints. */
static int route_dash(struct ar_dp *dp, struct ar_dp_route *out)
{
	struct npm_target *t = ar_alloc(dp->a, sizeof *t);
	size_t n = dp->n_seg;
	if (n == 2 && (seg_is(dp, 1, "ping") || seg_is(dp, 1, "whoami"))) {
		if (!method_is(dp, "GET"))
			return AR_EINVAL;
		set_route(out, seg_is(dp, 1, "ping") ? get_ping : get_whoami, READ, NULL, 0, t);
		return 0;
	}
	if (n == 3 && seg_is(dp, 1, "v1") && seg_is(dp, 2, "search")) {
		if (!method_is(dp, "GET"))
			return AR_EINVAL;
		set_route(out, get_search, READ, NULL, 0, t);
		return 0;
	}
	if (n >= 5 && seg_is(dp, 1, "npm") && seg_is(dp, 2, "v1") && seg_is(dp, 3, "security")) {
		const enum npm_audit_kind *kind = NULL;
		if (n == 6 && seg_is(dp, 4, "advisories") && seg_is(dp, 5, "bulk"))
			kind = &audit_kinds[NPM_AUDIT_BULK];
		else if (n == 6 && seg_is(dp, 4, "audits") && seg_is(dp, 5, "quick"))
			kind = &audit_kinds[NPM_AUDIT_QUICK];
		else if (n == 5 && seg_is(dp, 4, "audits"))
			kind = &audit_kinds[NPM_AUDIT_FULL];
		if (!kind)
			return AR_ENOTFOUND;
		if (!method_is(dp, "POST"))
			return AR_EINVAL;
		set_route(out, npm_post_audit, READ, NULL, NPM_AUDIT_BODY_MAX, (void *)kind);
		return 0;
	}
	if (n >= 3 && seg_is(dp, 1, "package")) {
		size_t i = 2;
		if (take_name(t, dp, &i) != 0 || !seg_is(dp, i, "dist-tags"))
			return AR_ENOTFOUND;
		if (i + 1 == n) {
			if (!method_is(dp, "GET"))
				return AR_EINVAL;
			set_route(out, get_tags, READ, t, 0, t);
			return 0;
		}
		if (i + 2 != n)
			return AR_ENOTFOUND;
		t->arg = dp->seg[i + 1];
		if (method_is(dp, "PUT"))
			set_route(out, npm_put_tag, "codeartifact:PutPackageMetadata", t, NPM_TAG_BODY_MAX, t);
		else if (method_is(dp, "DELETE"))
			set_route(out, npm_delete_tag, "codeartifact:PutPackageMetadata", t, 0, t);
		else
			return AR_EINVAL;
		return 0;
	}
	return AR_ENOTFOUND;
}

static int route(struct ar_dp *dp, struct ar_dp_route *out)
{
	if (dp->n_seg == 0)
		return AR_ENOTFOUND;
	if (strcmp(dp->seg[0], "-") == 0)
		return route_dash(dp, out);
	struct npm_target *t = ar_alloc(dp->a, sizeof *t);
	size_t i = 0;
	if (take_name(t, dp, &i) != 0)
		return AR_ENOTFOUND;
	size_t rest = dp->n_seg - i;
	const char *const *r = dp->seg + i;
	uint64_t publish_max = dp->ctx->cfg->max_upload_body < AR_NPM_PUBLISH_BODY_MAX ? dp->ctx->cfg->max_upload_body
										       : AR_NPM_PUBLISH_BODY_MAX;
	if (rest == 0) {
		if (method_is(dp, "GET"))
			set_route(out, get_packument, READ, t, 0, t);
		else if (method_is(dp, "PUT"))
			set_route(out, npm_put_package, "codeartifact:PublishPackageVersion", t, publish_max, t);
		else
			return AR_EINVAL;
		return 0;
	}
	if (rest == 1) {
		if (!method_is(dp, "GET"))
			return AR_EINVAL;
		t->arg = r[0];
		set_route(out, get_version, READ, t, 0, t);
		return 0;
	}
	if (rest == 2 && strcmp(r[0], "-rev") == 0) {
		t->rev = r[1];
		if (method_is(dp, "PUT"))
			set_route(out, npm_unpublish_versions, "codeartifact:DeletePackageVersions", t,
				  NPM_META_BODY_MAX, t);
		else if (method_is(dp, "DELETE"))
			set_route(out, npm_unpublish_package, "codeartifact:DeletePackage", t, 0, t);
		else
			return AR_EINVAL;
		return 0;
	}
	if (rest == 2 && strcmp(r[0], "-") == 0) {
		if (!method_is(dp, "GET"))
			return AR_EINVAL;
		t->arg = r[1];
		set_route(out, get_tarball, READ, t, 0, t);
		return 0;
	}
	if (rest == 4 && strcmp(r[0], "-") == 0 && strcmp(r[2], "-rev") == 0) {
		if (!method_is(dp, "DELETE"))
			return AR_EINVAL;
		t->arg = r[1];
		t->rev = r[3];
		set_route(out, npm_delete_tarball, "codeartifact:DeletePackageVersions", t, 0, t);
		return 0;
	}
	return AR_ENOTFOUND;
}

const struct ar_format ar_format_npm = {
	.version = AR_FORMAT_VERSION,
	.name = "npm",
	.route = route,
	.send_error = send_error,
};
