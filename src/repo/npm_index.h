/* repo/npm_index.h - the read queries npm's indexes need: packuments, tarballs, search */
#ifndef AR_REPO_NPM_INDEX_H
#define AR_REPO_NPM_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "repo/package.h"
#include "store/db.h"

/* The one asset of an npm version, as CodeArtifact names it. */
#define AR_NPM_ASSET "package.tgz"

/* One version as a packument needs it: no readme, with its tarball's digests. */
struct ar_npm_entry {
	const char *version;
	enum ar_vstatus status;
	int64_t published_ms;
	const char *revision; /* changes with the version's assets or metadata */
	int64_t updated_ms;
	const char *attrs; /* the stored manifest (JSON object), or NULL */
	bool has_tarball;  /* the package.tgz asset exists; the fields below are set */
	int64_t size;
	const char *sha1, *sha512; /* hex */
};

/* Every version of a package in publish order with its tarball, in one query (arena memory). */
int ar_npm_index_versions(struct ar_npm_entry **out, size_t *n, struct ar_dbc *db, struct ar_arena *a,
			  int64_t package_id, struct ar_err *err);

/* The readme stored with one version; *out is NULL when it has none. AR_ENOTFOUND without the version. */
int ar_npm_index_readme(const char **out, struct ar_dbc *db, struct ar_arena *a, int64_t package_id,
			const char *version, struct ar_err *err);

/* A tarball looked up by package coordinates and version in one query: the version's status and its
   package.tgz asset (name, size, sha1, sha256, sha512 set). AR_ENOTFOUND when any part is missing. */
int ar_npm_index_tarball(enum ar_vstatus *status, struct ar_asset *asset, struct ar_dbc *db, struct ar_arena *a,
			 int64_t repository_id, const char *ns, const char *name, const char *version,
			 struct ar_err *err);

/* A package with the version its "latest" dist-tag names, when that version is listed. */
struct ar_npm_search_row {
	int64_t package_id;
	const char *display_name; /* "@scope/name" or "name" */
	const char *ns;		  /* scope without '@', "" when unscoped */
	const char *version;
	const char *summary; /* description, NULL when none */
	const char *attrs;   /* the latest version's manifest, or NULL */
	int64_t published_ms;
};

/* npm packages of a repository whose name, description or manifest contains like_text
   (case-insensitive for ASCII; "" matches all), ordered by name, at most max_rows. *more is set when
   rows were left out. */
int ar_npm_index_search(struct ar_npm_search_row **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
			int64_t repository_id, const char *like_text, size_t max_rows, struct ar_err *err);

#endif
