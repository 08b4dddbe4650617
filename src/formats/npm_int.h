/* formats/npm_int.h - what npm.c (routes, reads), npm_render.c (documents) and npm_write.c share */
#ifndef AR_FORMATS_NPM_INT_H
#define AR_FORMATS_NPM_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cache.h"
#include "formats/format.h"
#include "repo/disttags.h"
#include "repo/npm_index.h"

#define NPM_CORGI "application/vnd.npm.install-v1+json"

/* Caps on request bodies other than a publish. */
#define NPM_META_BODY_MAX  ((uint64_t)64 << 20) /* a whole packument sent back (deprecate, unpublish) */
#define NPM_TAG_BODY_MAX   ((uint64_t)4 << 10)
#define NPM_AUDIT_BODY_MAX ((uint64_t)16 << 20)

/* What the route found in the path; the handler's dp->route_data. */
struct npm_target {
	const char *full; /* "@scope/name" or "name"; NULL for the /-/ endpoints without a package */
	const char *ns;	  /* "scope" or NULL */
	const char *name; /* without the scope */
	const char *arg;  /* version or tag, tarball file name, dist-tag, or NULL */
	const char *rev;  /* the _rev of a /-rev/ path, or NULL */
};

/* Everything a package's documents are rendered from, read in one transaction. */
struct npm_doc {
	struct ar_package pkg;
	const char *full; /* display name: "@scope/name" or "name" */
	struct ar_npm_entry *v;
	size_t n_v;
	struct ar_disttag *tags; /* only tags naming listed versions, "latest" always present when any is listed */
	size_t n_tags;
	const char *latest; /* NULL when no version is listed */
	const char *readme; /* of latest, or NULL */
};

/* ---- npm_render.c ---- */

/* Reads pkg's versions, tags and latest readme. AR_ERROR class codes from the store. */
int npm_doc_load(struct npm_doc *d, struct ar_dbc *db, struct ar_arena *a, const struct ar_package *pkg,
		 struct ar_err *err);

/* The listed entry for version, or NULL. */
const struct ar_npm_entry *npm_doc_find(const struct npm_doc *d, const char *version);

/* A version's manifest as served: the stored one with dist (absolute tarball URL under base_url,
   integrity, shasum) filled in; abbreviated keeps only what installers read. New reference. */
json_t *npm_render_manifest(const struct npm_doc *d, const struct ar_npm_entry *e, const char *base_url,
			    bool abbreviated, struct ar_arena *a);

/* Keeps only what installers read of a full manifest m (steals m). New reference. */
json_t *npm_abbreviate(json_t *m);

/* Copies the fields npm hoists from the latest version's manifest (NULL: none) to the top of doc. */
void npm_hoist(json_t *doc, json_t *latest);

/* The dist-tags object of a document. New reference. */
json_t *npm_render_tags(const struct npm_doc *d);

/* The packument's _rev, derived from the package's change stamp. Arena memory. */
const char *npm_rev(struct ar_arena *a, const struct ar_package *pkg);

/* Serves the full or abbreviated packument of pkg from the render cache (built once per change),
   with ETag / 304, gzip when accepted, Vary. Returns the status sent. */
int npm_send_packument(struct ar_dp *dp, const struct ar_package *pkg, bool abbreviated);

/* The packument of pkg from the render cache (gzip'd when gz), rendered when missing. *v is held
   until the request ends; *did_build says whether this request rendered it. Store error codes. */
int npm_packument(struct ar_cache_val **v, bool *did_build, struct ar_dp *dp, const struct ar_package *pkg,
		  bool abbreviated, bool gz, struct ar_err *err);

/* A document in the render cache under plain_key, and its gzip variant under plain_key + "/gz" when
   gz: built by build(cls) (which gives the ETag) when missing, compressed from the plain variant.
   *v is held until the request ends. Returns build's error when the build fails (nothing cached). */
int npm_cache_doc(struct ar_cache_val **v, bool *did_build, struct ar_dp *dp, const char *plain_key, bool gz,
		  ar_cache_build_fn *build, void *cls, struct ar_err *err);

/* Sends a cached document: Vary, Cache-Control: no-cache, X-Arca-Cache (miss when did_build),
   ETag / 304, Content-Encoding when gz. Returns the status sent. */
int npm_send_doc(struct ar_dp *dp, struct ar_cache_val *v, bool abbreviated, bool gz, bool did_build);

/* Whether the request's Accept-Encoding takes gzip. */
bool npm_accepts_gzip(const struct ar_dp *dp);

/* The ETag of a rendered body: the first 128 bits of its SHA-256 in hex, then suffix. Heap memory. */
char *npm_etag_of(const char *data, size_t len, const char *suffix);

/* Drops the cached documents of a package after a change made by this process. */
void npm_cache_forget(struct ar_dp *dp, int64_t package_id);

/* Sends a JSON body with the given status (and no caching). */
int npm_send_json(struct ar_dp *dp, int status, json_t *body);

/* ---- npm_upstream.c: upstream repositories and the external connection ---- */

/* Whether reads in dp->repo search beyond it (upstream repositories or an external connection). */
bool npm_searches_upstream(const struct ar_dp *dp);

/* GET /{pkg} merged over the search order and the external connection. Returns the status sent. */
int npm_upstream_packument(struct ar_dp *dp, const struct npm_target *t, bool abbreviated);

/* The full merged document of t (as GET /{pkg} serves it) for the version and dist-tags endpoints:
   0 with *doc (arena-owned), or 0 with *doc NULL when dp->repo's own package alone answers (it has
   upstream=BLOCK), or the status of an answer already sent (404, 502, ...). */
int npm_upstream_document(json_t **doc, struct ar_dp *dp, const struct npm_target *t);

/* Whether a request for package `full` (a full npm name) in dp->repo would consult the npm external
   connection the search order `order` reaches: one is reachable, dp->repo's own package does not
   have upstream=BLOCK, and origin controls and package groups on the way let the package in (the
   packument's rule). Store error codes; *out false for a name that is not an npm name. */
int npm_reaches_external(bool *out, struct ar_dp *dp, const struct ar_repository **order, size_t n, const char *full,
			 struct ar_err *err);

/* A tarball dp->repo does not hold: found through the search order, retained, served. */
int npm_upstream_tarball(struct ar_dp *dp, const struct npm_target *t, const char *version);

/* ---- npm_write.c ---- */

int npm_put_package(struct ar_dp *dp);	      /* PUT /{pkg}: publish or metadata (deprecate) */
int npm_unpublish_versions(struct ar_dp *dp); /* PUT /{pkg}/-rev/{rev} */
int npm_unpublish_package(struct ar_dp *dp);  /* DELETE /{pkg}/-rev/{rev} */
int npm_delete_tarball(struct ar_dp *dp);     /* DELETE /{pkg}/-/{file}/-rev/{rev} */
int npm_put_tag(struct ar_dp *dp);	      /* PUT /-/package/{pkg}/dist-tags/{tag} */
int npm_delete_tag(struct ar_dp *dp);	      /* DELETE /-/package/{pkg}/dist-tags/{tag} */

struct ar_npm_dep;
/* npm dependencies as the model's rows (scoped names split into namespace and name). Arena memory. */
struct ar_dependency *npm_dependencies(struct ar_arena *a, const struct ar_npm_dep *list, size_t n);

/* ---- npm_audit.c ---- */

enum npm_audit_kind {
	NPM_AUDIT_BULK,	 /* POST /-/npm/v1/security/advisories/bulk (npm 7+) */
	NPM_AUDIT_QUICK, /* POST /-/npm/v1/security/audits/quick (npm <= 6, pnpm, yarn berry) */
	NPM_AUDIT_FULL,	 /* POST /-/npm/v1/security/audits (yarn 1) */
};

/* The audit endpoints; dp->route_data points at their enum npm_audit_kind. */
int npm_post_audit(struct ar_dp *dp);

/* ---- npm.c ---- */

/* Looks the target package up; sends 404 itself and returns non-zero when it is not there. */
int npm_find_package(struct ar_package *out, struct ar_dp *dp, const struct npm_target *t);

/* The version in t->arg when it is "{name without scope}-{version}.tgz", else NULL. Arena memory. */
const char *npm_tarball_version(struct ar_arena *a, const struct npm_target *t);

#endif
