/* formats/npm_render.c - packuments and version manifests, rendered once per change and cached */
#include "formats/npm_int.h"

#include "core/cache.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/timeutil.h"
#include "formats/npm_pkg.h"
#include "formats/semver.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* ---- loading ---- */

static const struct ar_npm_entry *find_listed(const struct ar_npm_entry *v, size_t n, const char *version)
{
	for (size_t i = 0; i < n; i++)
		if (ar_status_listed(v[i].status) && strcmp(v[i].version, version) == 0)
			return &v[i];
	return NULL;
}

const struct ar_npm_entry *npm_doc_find(const struct npm_doc *d, const char *version)
{
	return find_listed(d->v, d->n_v, version);
}

/* Tags that name listed versions; "latest" falls back to the highest listed version when its own
   version is not listed (Unlisted, Archived, removed), so installers always find one. */
static void settle_tags(struct npm_doc *d, struct ar_disttag *all, size_t n_all, struct ar_arena *a)
{
	d->tags = ar_alloc_array(a, n_all + 1, sizeof *d->tags);
	d->n_tags = 0;
	d->latest = NULL;
	for (size_t i = 0; i < n_all; i++) {
		if (!npm_doc_find(d, all[i].version))
			continue;
		d->tags[d->n_tags++] = all[i];
		if (strcmp(all[i].tag, "latest") == 0)
			d->latest = all[i].version;
	}
	if (d->latest)
		return;
	const char **listed = ar_alloc_array(a, d->n_v + 1, sizeof *listed);
	size_t n = 0;
	for (size_t i = 0; i < d->n_v; i++)
		if (ar_status_listed(d->v[i].status))
			listed[n++] = d->v[i].version;
	ptrdiff_t best = ar_semver_max_stable(listed, n);
	if (best < 0 && n > 0)
		best = (ptrdiff_t)n - 1; /* no valid SemVer at all: the newest publish */
	if (best < 0)
		return;
	d->latest = listed[best];
	d->tags[d->n_tags++] = (struct ar_disttag){"latest", d->latest};
}

int npm_doc_load(struct npm_doc *d, struct ar_dbc *db, struct ar_arena *a, const struct ar_package *pkg,
		 struct ar_err *err)
{
	struct ar_disttag *tags;
	size_t n_tags;
	memset(d, 0, sizeof *d);
	d->pkg = *pkg;
	d->full = pkg->display_name;
	int rc = ar_dbc_begin(db, false, err);
	if (rc)
		return rc;
	if ((rc = ar_npm_index_versions(&d->v, &d->n_v, db, a, pkg->id, err)) ||
	    (rc = ar_disttags_list(&tags, &n_tags, db, a, pkg->id, err)))
		goto done;
	settle_tags(d, tags, n_tags, a);
	if (d->latest && (rc = ar_npm_index_readme(&d->readme, db, a, pkg->id, d->latest, err)))
		goto done;
done:
	if (rc)
		ar_dbc_rollback(db);
	else
		rc = ar_dbc_commit(db, err);
	return rc;
}

/* ---- documents ---- */

const char *npm_rev(struct ar_arena *a, const struct ar_package *pkg)
{
	return ar_printf(a, "1-%016llx", (unsigned long long)pkg->updated_ms);
}

static json_t *iso(int64_t ms)
{
	char buf[25];
	ar_iso8601_ms(buf, ms);
	return json_string(buf);
}

static json_t *parse_attrs(const char *attrs)
{
	json_t *m = attrs ? json_loads(attrs, 0, NULL) : NULL;
	if (m && !json_is_object(m)) {
		json_decref(m);
		m = NULL;
	}
	return m ? m : json_object();
}

/* What the abbreviated ("corgi") document keeps of each version (npm's package-metadata.md). */
static const char *const corgi_keys[] = {
	"name",
	"version",
	"deprecated",
	"dependencies",
	"optionalDependencies",
	"devDependencies",
	"bundleDependencies",
	"bundledDependencies",
	"peerDependencies",
	"peerDependenciesMeta",
	"bin",
	"directories",
	"engines",
	"os",
	"cpu",
	"libc",
	"dist",
	"_hasShrinkwrap",
	"hasInstallScript",
	"funding",
	"acceptDependencies",
};

json_t *npm_render_manifest(const struct npm_doc *d, const struct ar_npm_entry *e, const char *base_url,
			    bool abbreviated, struct ar_arena *a)
{
	json_t *m = parse_attrs(e->attrs);
	json_object_set_new(m, "name", json_string(d->full));
	json_object_set_new(m, "version", json_string(e->version));
	if (!abbreviated)
		json_object_set_new(m, "_id", json_sprintf("%s@%s", d->full, e->version));
	json_t *deprecated = json_object_get(m, "deprecated");
	if (deprecated && (!json_is_string(deprecated) || json_string_length(deprecated) == 0))
		json_object_del(m, "deprecated");
	json_t *dist = json_object_get(m, "dist");
	if (!json_is_object(dist)) {
		dist = json_object();
		json_object_set_new(m, "dist", dist);
	}
	if (e->has_tarball) {
		const char *integrity = ar_npm_integrity_sha512_hex(a, e->sha512);
		json_object_set_new(dist, "integrity", integrity ? json_string(integrity) : json_null());
		json_object_set_new(dist, "shasum", json_string(e->sha1));
		json_object_set_new(
			dist, "tarball",
			json_sprintf("%s%s/-/%s", base_url, d->full, ar_npm_tarball_filename(a, d->full, e->version)));
	}
	return abbreviated ? npm_abbreviate(m) : m;
}

json_t *npm_abbreviate(json_t *m)
{
	json_t *c = json_object();
	for (size_t i = 0; i < sizeof corgi_keys / sizeof corgi_keys[0]; i++) {
		json_t *v = json_object_get(m, corgi_keys[i]);
		if (v)
			json_object_set(c, corgi_keys[i], v);
	}
	json_decref(m);
	return c;
}

json_t *npm_render_tags(const struct npm_doc *d)
{
	json_t *tags = json_object();
	for (size_t i = 0; i < d->n_tags; i++)
		json_object_set_new(tags, d->tags[i].tag, json_string(d->tags[i].version));
	return tags;
}

/* Fields npm hoists from the latest version to the top of a full packument. */
static const char *const hoisted[] = {"description", "author", "license",  "homepage",
				      "repository",  "bugs",   "keywords", "readmeFilename"};

void npm_hoist(json_t *doc, json_t *latest)
{
	for (size_t i = 0; latest && i < sizeof hoisted / sizeof hoisted[0]; i++) {
		json_t *v = json_object_get(latest, hoisted[i]);
		if (v)
			json_object_set(doc, hoisted[i], v);
	}
}

/* ---- packuments, assembled from per-version fragments ---- */

/* One version's manifest as JSON text, "{publisher}\n{json}" (the publisher's name may be empty),
   rendered once per (version, revision, change stamp, base URL, kind) and kept in the render cache
   under a key no package write drops: when a package changes, its unchanged versions are reused, so a
   new publish to a 2,000-version package renders one manifest and copies the others. */
struct frag {
	const struct npm_doc *d;
	const struct ar_npm_entry *e;
	const char *base_url;
	bool abbreviated;
	struct ar_arena *a;
};

static int build_frag(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	struct frag *f = cls;
	json_t *m = npm_render_manifest(f->d, f->e, f->base_url, f->abbreviated, f->a);
	const char *user = f->abbreviated ? NULL : ar_json_str(json_object_get(m, "_npmUser"), "name");
	user = user && !strchr(user, '\n') ? ar_strdup(f->a, user) : NULL; /* m goes before it is copied */
	size_t ulen = user ? strlen(user) : 0;
	char *text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (!text)
		return ar_fail(err, AR_ERROR, "cannot serialise %s@%s", f->d->full, f->e->version);
	size_t tlen = strlen(text);
	char *buf = ar_xmalloc(ulen + 1 + tlen + 1);
	memcpy(buf, user ? user : "", ulen);
	buf[ulen] = '\n';
	memcpy(buf + ulen + 1, text, tlen + 1);
	free(text);
	*data = buf;
	*len = ulen + 1 + tlen;
	*etag = NULL;
	return 0;
}

/* Appends a JSON value's compact text; objects lose their braces when inner is set. */
static int add_json(struct ar_buf *b, json_t *j, bool inner)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (!s)
		return AR_ERROR;
	size_t n = strlen(s);
	int rc = inner ? ar_buf_add(b, s + 1, n - 2) : ar_buf_add(b, s, n);
	free(s);
	return rc;
}

static bool listed_user(json_t *users, const char *name, size_t len)
{
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u)
	{
		const char *have = ar_json_str(u, "name");
		if (strlen(have) == len && memcmp(have, name, len) == 0)
			return true;
	}
	return false;
}

static int render_packument(struct ar_buf *out, const struct npm_doc *d, struct ar_dp *dp, bool abbreviated,
			    struct ar_err *err)
{
	struct ar_arena *a = dp->a;
	json_t *head = json_object(), *time = abbreviated ? NULL : json_object(), *users = json_array();
	const char *latest_text = NULL;
	int rc = 0;
	if (!abbreviated) {
		json_object_set_new(head, "_id", json_string(d->full));
		json_object_set_new(head, "_rev", json_string(npm_rev(a, &d->pkg)));
	}
	json_object_set_new(head, "name", json_string(d->full));
	if (abbreviated)
		json_object_set_new(head, "modified", iso(d->pkg.updated_ms));
	json_object_set_new(head, "dist-tags", npm_render_tags(d));
	ar_buf_addch(out, '{');
	add_json(out, head, true);
	ar_buf_adds(out, ",\"versions\":{");
	if (time) {
		json_object_set_new(time, "created", iso(d->pkg.created_ms));
		json_object_set_new(time, "modified", iso(d->pkg.updated_ms));
	}
	bool first = true;
	for (size_t i = 0; rc == 0 && i < d->n_v; i++) {
		const struct ar_npm_entry *e = &d->v[i];
		if (!ar_status_listed(e->status))
			continue;
		struct frag f = {.d = d, .e = e, .base_url = dp->base_url, .abbreviated = abbreviated, .a = a};
		const char *key =
			ar_printf(a, "npmv/%lld/%s/%s/%lld/%c/%s", (long long)d->pkg.id, e->version, e->revision,
				  (long long)e->updated_ms, abbreviated ? 'a' : 'f', dp->base_url);
		struct ar_cache_val *v;
		if ((rc = ar_cache_get(&v, dp->ctx->render_cache, key, build_frag, &f, err)))
			break;
		size_t len;
		const char *text = ar_cache_val_data(v, &len), *nl = memchr(text, '\n', len);
		if (!first)
			ar_buf_addch(out, ',');
		first = false;
		add_json(out, json_string(e->version), false);
		ar_buf_addch(out, ':');
		rc = ar_buf_add(out, nl + 1, len - (size_t)(nl + 1 - text));
		if (time) {
			json_object_set_new(time, e->version, iso(e->published_ms));
			if (nl > text && !listed_user(users, text, (size_t)(nl - text)))
				json_array_append_new(
					users, json_pack("{s:s%,s:s}", "name", text, (size_t)(nl - text), "email", ""));
			if (d->latest && strcmp(d->latest, e->version) == 0)
				latest_text = ar_strndup(a, nl + 1, len - (size_t)(nl + 1 - text));
		}
		ar_cache_unref(v);
	}
	ar_buf_addch(out, '}');
	if (rc == 0 && time) {
		/* The full document's tail: time, maintainers, and what npm hoists from the latest version. */
		json_t *tail = json_object();
		json_t *latest = latest_text ? json_loads(latest_text, 0, NULL) : NULL;
		json_object_set_new(tail, "time", time);
		json_object_set_new(tail, "maintainers", users);
		json_object_set_new(tail, "users", json_object());
		npm_hoist(tail, latest);
		json_decref(latest);
		json_object_set_new(tail, "readme", json_string(d->readme ? d->readme : ""));
		ar_buf_addch(out, ',');
		rc = add_json(out, tail, true);
		time = users = NULL;
	}
	json_decref(time);
	json_decref(users);
	if (rc == 0)
		rc = ar_buf_addch(out, '}');
	if (rc)
		return ar_fail(err, rc == AR_ETOOBIG ? AR_ETOOBIG : AR_ERROR, "cannot render the packument of %s",
			       d->full);
	return 0;
}

/* ---- caching ---- */

char *npm_etag_of(const char *data, size_t len, const char *suffix)
{
	unsigned char digest[32];
	char hex[33];
	ar_sha256(digest, data, len);
	ar_hex(hex, digest, 16);
	size_t n = strlen(hex) + strlen(suffix) + 1;
	char *tag = ar_xmalloc(n);
	snprintf(tag, n, "%s%s", hex, suffix);
	return tag;
}

/* One cached document: how its plain variant is built, and whether this request built anything. */
struct cached {
	struct ar_dp *dp;
	ar_cache_build_fn *build;
	void *cls;
	const char *plain_key; /* the uncompressed variant, for the gzip build */
	bool did_build;	       /* this request rendered (X-Arca-Cache: miss) */
};

static int build_plain(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	struct cached *c = cls;
	int rc = c->build(c->cls, data, len, etag, err);
	if (rc == 0)
		c->did_build = true;
	return rc;
}

static int gzip_bytes(char **out, size_t *out_len, const char *in, size_t len)
{
	z_stream z = {0};
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return AR_ERROR;
	uLong bound = deflateBound(&z, (uLong)len);
	char *buf = ar_xmalloc(bound);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)bound;
	int zr = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(buf);
		return AR_ERROR;
	}
	*out = buf;
	return 0;
}

static int build_gzip(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	struct cached *c = cls;
	struct ar_cache_val *plain;
	int rc = ar_cache_get(&plain, c->dp->ctx->render_cache, c->plain_key, build_plain, c, err);
	if (rc)
		return rc;
	size_t plain_len;
	const char *bytes = ar_cache_val_data(plain, &plain_len);
	if (plain_len > UINT32_MAX || gzip_bytes(data, len, bytes, plain_len) != 0) {
		ar_cache_unref(plain);
		return ar_fail(err, AR_ERROR, "cannot compress a packument");
	}
	const char *tag = ar_cache_val_etag(plain);
	size_t n = strlen(tag) + 4;
	*etag = ar_xmalloc(n);
	snprintf(*etag, n, "%s-gz", tag);
	ar_cache_unref(plain);
	c->did_build = true;
	return 0;
}

/* True when Accept-Encoding lists gzip (or x-gzip) without q=0. */
bool npm_accepts_gzip(const struct ar_dp *dp)
{
	const char *ae = ar_req_header(dp->req, "accept-encoding");
	for (const char *p = ae; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *tok = p;
		size_t n = strcspn(p, ";, ");
		p += n;
		bool is_gzip =
			(n == 4 && strncasecmp(tok, "gzip", 4) == 0) || (n == 6 && strncasecmp(tok, "x-gzip", 6) == 0);
		const char *end = p + strcspn(p, ",");
		const char *q = strstr(p, "q=");
		bool zero = false;
		if (q && q < end) {
			double w = strtod(q + 2, NULL);
			zero = w <= 0.0;
		}
		if (is_gzip && !zero)
			return true;
		p = end;
	}
	return false;
}

int npm_cache_doc(struct ar_cache_val **v, bool *did_build, struct ar_dp *dp, const char *plain_key, bool gz,
		  ar_cache_build_fn *build, void *cls, struct ar_err *err)
{
	struct cached c = {.dp = dp, .build = build, .cls = cls, .plain_key = plain_key};
	const char *key = gz ? ar_printf(dp->a, "%s/gz", plain_key) : plain_key;
	int rc = ar_cache_get(v, dp->ctx->render_cache, key, gz ? build_gzip : build_plain, &c, err);
	*did_build = c.did_build;
	if (rc == 0)
		ar_cache_hold(dp->a, *v);
	return rc;
}

int npm_send_doc(struct ar_dp *dp, struct ar_cache_val *v, bool abbreviated, bool gz, bool did_build)
{
	struct ar_req *req = dp->req;
	ar_resp_header(req, "Vary", "Accept, Accept-Encoding");
	ar_resp_header(req, "Cache-Control", "no-cache");
	ar_resp_header(req, "X-Arca-Cache", did_build ? "miss" : "hit");
	if (ar_resp_not_modified(req, ar_cache_val_etag(v)))
		return 304;
	if (gz)
		ar_resp_header(req, "Content-Encoding", "gzip");
	size_t len;
	const char *data = ar_cache_val_data(v, &len);
	ar_resp_data(req, 200, abbreviated ? NPM_CORGI : "application/json", data, len);
	return 200;
}

/* A local package's document. */
struct local_build {
	struct ar_dp *dp;
	const struct ar_package *pkg;
	bool abbreviated;
};

static int build_local(void *cls, char **data, size_t *len, char **etag, struct ar_err *err)
{
	struct local_build *b = cls;
	struct ar_dp *dp = b->dp;
	struct npm_doc d;
	int64_t start = ar_mono_ms();
	int rc = npm_doc_load(&d, dp->db, dp->a, b->pkg, err);
	if (rc)
		return rc;
	struct ar_buf out;
	ar_buf_init(&out, 0);
	if ((rc = render_packument(&out, &d, dp, b->abbreviated, err))) {
		ar_buf_release(&out);
		return rc;
	}
	*data = ar_buf_detach(&out, len);
	*etag = npm_etag_of(*data, *len, b->abbreviated ? "-a" : "");
	ar_debug("npm: rendered %s packument of %s (%zu versions, %zu bytes) in %lld ms",
		 b->abbreviated ? "abbreviated" : "full", d.full, d.n_v, *len, (long long)(ar_mono_ms() - start));
	return 0;
}

static const char *key_prefix(struct ar_arena *a, int64_t package_id)
{
	return ar_printf(a, "npm/%lld/", (long long)package_id);
}

void npm_cache_forget(struct ar_dp *dp, int64_t package_id)
{
	ar_cache_invalidate_prefix(dp->ctx->render_cache, key_prefix(dp->a, package_id));
}

int npm_packument(struct ar_cache_val **v, bool *did_build, struct ar_dp *dp, const struct ar_package *pkg,
		  bool abbreviated, bool gz, struct ar_err *err)
{
	/* The base URL is part of the key: tarball URLs are absolute, built from the request's Host. */
	const char *plain_key = ar_printf(dp->a, "%s%lld/%c/%s", key_prefix(dp->a, pkg->id), (long long)pkg->updated_ms,
					  abbreviated ? 'a' : 'f', dp->base_url);
	struct local_build b = {.dp = dp, .pkg = pkg, .abbreviated = abbreviated};
	return npm_cache_doc(v, did_build, dp, plain_key, gz, build_local, &b, err);
}

int npm_send_packument(struct ar_dp *dp, const struct ar_package *pkg, bool abbreviated)
{
	bool gz = npm_accepts_gzip(dp), did_build;
	struct ar_cache_val *v;
	struct ar_err err = {0};
	int rc = npm_packument(&v, &did_build, dp, pkg, abbreviated, gz, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	return npm_send_doc(dp, v, abbreviated, gz, did_build);
}

int npm_send_json(struct ar_dp *dp, int status, json_t *body)
{
	ar_resp_header(dp->req, "Cache-Control", "no-cache");
	ar_resp_json(dp->req, status, body);
	json_decref(body);
	return status;
}
