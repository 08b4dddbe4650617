/* repo/package.h - packages, versions, assets and dependencies: the model every format writes through */
#ifndef AR_REPO_PACKAGE_H
#define AR_REPO_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "repo/repository.h"
#include "store/blob.h"
#include "store/db.h"

#define AR_MAX_ASSETS_PER_VERSION 350

/* A package's coordinates within a repository. ns is "" (never NULL) when the format has none. */
struct ar_pkg_key {
	const char *format;
	const char *ns;
	const char *name; /* normalized */
};

enum ar_vstatus {
	AR_ST_PUBLISHED,
	AR_ST_UNFINISHED,
	AR_ST_UNLISTED,
	AR_ST_ARCHIVED,
	AR_ST_DISPOSED,
	AR_ST_DELETED,
};

/* "Published", ... */
const char *ar_status_name(enum ar_vstatus s);
/* AR_EINVAL for an unknown name. */
int ar_status_parse(enum ar_vstatus *out, const char *name);

/* The one visibility rule every data plane and the API use (ref 4.3), kept as one table:
   listed in package-manager indexes: Published only;
   downloadable by package managers: Published and Unlisted (a pinned install of an unlisted
   version still works); Unfinished, Archived, Disposed: neither. */
bool ar_status_listed(enum ar_vstatus s);
bool ar_status_downloadable(enum ar_vstatus s);
/* Assets readable through the control plane (GetPackageVersionAsset): what package managers may
   download, plus Unfinished versions, whose publisher assembles them through the API. */
bool ar_status_api_readable(enum ar_vstatus s);

struct ar_package {
	int64_t id;
	int64_t repository_id;
	const char *format, *ns, *name, *display_name;
	const char *origin_publish;  /* ALLOW | BLOCK */
	const char *origin_upstream; /* ALLOW | BLOCK */
	int64_t created_ms, updated_ms;
};

struct ar_asset {
	int64_t id;
	const char *name;
	int64_t size;
	const char *md5, *sha1, *sha256, *sha512;
	const char *content_type;
	const char *attrs; /* JSON object or NULL */
	int64_t created_ms;
};

struct ar_dependency {
	const char *ns; /* NULL when none */
	const char *package;
	const char *type;
	const char *requirement;
};

struct ar_version {
	int64_t id, package_id;
	const char *version, *revision;
	enum ar_vstatus status;
	const char *origin_type; /* INTERNAL | EXTERNAL | UNKNOWN */
	const char *entry_repository, *entry_external;
	int64_t published_ms, updated_ms;
	const char *summary, *home_page, *source_code_repository;
	const char *licenses; /* JSON array of {name, url} or NULL */
	const char *readme;
	const char *attrs; /* JSON object or NULL */
};

/* Reads. AR_ENOTFOUND when absent; results in arena memory. */
int ar_pkg_get(struct ar_package *out, struct ar_dbc *db, struct ar_arena *a, int64_t repository_id,
	       const struct ar_pkg_key *key, struct ar_err *err);
/* Every version of a package in publish order (oldest first), whatever its status. */
int ar_pkg_versions(struct ar_version **out, size_t *n, struct ar_dbc *db, struct ar_arena *a, int64_t package_id,
		    struct ar_err *err);
int ar_version_get(struct ar_version *out, struct ar_dbc *db, struct ar_arena *a, int64_t package_id,
		   const char *version, struct ar_err *err);
/* Assets of a version ordered by name. */
int ar_version_assets(struct ar_asset **out, size_t *n, struct ar_dbc *db, struct ar_arena *a, int64_t version_id,
		      struct ar_err *err);
int ar_asset_get(struct ar_asset *out, struct ar_dbc *db, struct ar_arena *a, int64_t version_id, const char *name,
		 struct ar_err *err);
int ar_version_dependencies(struct ar_dependency **out, size_t *n, struct ar_dbc *db, struct ar_arena *a,
			    int64_t version_id, struct ar_err *err);

/* One file of a publish: a finished temp file (same filesystem as the blob store) and its digests. */
struct ar_asset_in {
	const char *name;
	const char *tmp_path; /* moved into the blob store; NULL when the blob with hashes.sha256 already exists */
	struct ar_hashes hashes;
	const char *content_type;
	const char *attrs; /* JSON object or NULL */
};

struct ar_publish_in {
	struct ar_pkg_key key;
	const char *display_name; /* NULL = key.name */
	const char *version;
	bool unfinished;	 /* generic/maven: more assets will follow */
	bool add_to_existing;	 /* pypi/maven/generic: an existing version may gain new asset names */
	bool published_is_final; /* generic: only an Unfinished version gains new asset names */
	/* An external connection name ("public:pypi") for a version fetched through it: origin EXTERNAL
	   with that entry point, a new package gets publish=BLOCK, upstream=ALLOW, and the package group's
	   EXTERNAL_UPSTREAM restriction applies instead of publish=BLOCK and PUBLISH (ref 4.2, 4.5). */
	const char *external;
	const char *summary, *home_page, *source_code_repository, *licenses, *readme, *attrs;
	const struct ar_dependency *deps;
	size_t n_deps;
	const struct ar_asset_in *assets;
	size_t n_assets;
};

/* The write path of every format. Moves the asset files into the blob store (durable first), then in
   one transaction creates or extends the package and version. Rules:
   - package origin publish=BLOCK: AR_EDENIED with a message naming the package and repository;
   - a version that exists and !add_to_existing: AR_EEXISTS;
   - an asset name that exists with other bytes: AR_EEXISTS; with the same bytes: nothing changes;
   - a version in status Archived, Disposed or Deleted is not re-published: AR_ECONFLICT;
   - published_is_final and a new asset name for a version that is no longer Unfinished: AR_ECONFLICT;
   - more than 350 assets: AR_EQUOTA;
   - a blob that vanished between its put and the transaction (a concurrent garbage collection,
     docs/internals/GC.md): AR_EUNAVAIL, nothing written; the caller may retry with the bytes.
   The version's revision changes whenever its assets change. *out receives the version as stored.
   The caller must not hold a transaction on db. */
int ar_publish(struct ar_version *out, struct ar_dbc *db, struct ar_blobs *blobs, struct ar_arena *a,
	       const struct ar_repository *repo, const struct ar_publish_in *in, struct ar_err *err);

/* Listing packages of a repository, ordered by format, namespace, name. NULL fields do not filter. */
struct ar_pkg_filter {
	const char *format;
	const char *ns_prefix;	 /* ListPackages' namespace filter is a prefix */
	const char *name_prefix; /* normalized like the names */
	const char *publish;	 /* ALLOW | BLOCK */
	const char *upstream;	 /* ALLOW | BLOCK */
	const char *after;	 /* page key from the previous page */
	int limit;
};
int ar_pkg_list(struct ar_package **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
		int64_t repository_id, const struct ar_pkg_filter *f, struct ar_err *err);
/* The page key of a listed package. */
const char *ar_pkg_page_key(struct ar_arena *a, const struct ar_package *p);

/* Listing versions of a package: by version string, or newest first (by_published_time). */
struct ar_version_filter {
	const char *status;	 /* a status name, NULL = any */
	const char *origin_type; /* INTERNAL | EXTERNAL | UNKNOWN, NULL = any */
	bool by_published_time;
	const char *after; /* page key from the previous page (of the same ordering) */
	int limit;
};
int ar_version_list(struct ar_version **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
		    int64_t package_id, const struct ar_version_filter *f, struct ar_err *err);
/* The page key of a listed version for the given ordering. */
const char *ar_version_page_key(struct ar_arena *a, const struct ar_version *v, bool by_published_time);

/* The version a listing shows first (defaultDisplayVersion): for npm the version the "latest"
   dist-tag names, otherwise (or without that tag) the most recently published Published version.
   *out is NULL when there is none. */
int ar_pkg_default_version(const char **out, struct ar_dbc *db, struct ar_arena *a, const struct ar_package *p,
			   struct ar_err *err);

/* --- low-level writes, inside the caller's write transaction (ar_dbc_begin(db, true)) --- */

/* Creates a package with no versions and the given origin controls; AR_EEXISTS when it exists. */
int ar_pkg_create(struct ar_package *out, struct ar_dbc *db, struct ar_arena *a, int64_t repository_id,
		  const struct ar_pkg_key *key, const char *display_name, const char *origin_publish,
		  const char *origin_upstream, struct ar_err *err);

/* Sets a package's origin controls (ALLOW | BLOCK each). */
int ar_pkg_set_origin(struct ar_dbc *db, int64_t package_id, const char *publish, const char *upstream,
		      struct ar_err *err);

/* Disposes a version: removes its asset rows (the bytes go at the next garbage collection), sets
   status Disposed and a new revision (*revision, arena memory). Dependencies and metadata stay. */
int ar_version_dispose(struct ar_dbc *db, struct ar_arena *a, const struct ar_version *v, const char **revision,
		       struct ar_err *err);

/* Copies version src (with assets, dependencies, status, origin, published time and revision) into
   package dest_package_id, which must not have that version; *out receives the copy. */
int ar_version_copy(struct ar_version *out, struct ar_dbc *db, struct ar_arena *a, const struct ar_version *src,
		    int64_t dest_package_id, struct ar_err *err);

/* Gives version dest the assets of src it does not have yet (by name), as retention does when a
   retained version gains another file upstream (a wheel after the sdist). Touches dest's package. */
int ar_version_copy_missing_assets(struct ar_dbc *db, struct ar_arena *a, const struct ar_version *dest,
				   const struct ar_version *src, struct ar_err *err);

/* Removes a version with its assets and dependencies (blobs stay until garbage collection). */
int ar_version_remove(struct ar_dbc *db, const struct ar_version *v, struct ar_err *err);

/* Removes a package with every version (and its dist-tags). */
int ar_pkg_remove(struct ar_dbc *db, int64_t package_id, struct ar_err *err);

/* Sets a version's status (no transition rules here: callers apply them). */
int ar_version_set_status(struct ar_dbc *db, const struct ar_version *v, enum ar_vstatus status, struct ar_err *err);

/* Replaces a version's format-specific attributes (e.g. an npm manifest after deprecate) and gives
   it a new revision, since its metadata changed. */
int ar_version_set_attrs(struct ar_dbc *db, struct ar_arena *a, const struct ar_version *v, const char *attrs,
			 struct ar_err *err);

/* Marks a package changed (for ETags of rendered indexes) inside the caller's transaction. */
int ar_pkg_touch(struct ar_dbc *db, int64_t package_id, struct ar_err *err);

#endif
