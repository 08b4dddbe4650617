/* repo/pypi_index.h - read-only queries behind the PyPI simple index (one query per page) */
#ifndef AR_REPO_PYPI_INDEX_H
#define AR_REPO_PYPI_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "repo/package.h"
#include "store/db.h"

/* One file of a package version, with what the simple index shows about it. */
struct ar_pypi_index_file {
	const char *version;
	enum ar_vstatus status;
	const char *version_attrs; /* JSON object or NULL */
	const char *filename;
	int64_t size;
	const char *sha256;
	const char *attrs; /* the asset's JSON attrs or NULL */
	int64_t created_ms;
};

/* Every file of package_id whose version is downloadable (ar_status_downloadable: Published and
   Unlisted), in no particular order; arena memory. *n is 0 when there is none. */
int ar_pypi_index_files(struct ar_pypi_index_file **out, size_t *n, struct ar_dbc *db, struct ar_arena *a,
			int64_t package_id, struct ar_err *err);

/* A project of the repository-wide list. */
struct ar_pypi_index_project {
	const char *name;	  /* normalized */
	const char *display_name; /* as first published */
};

/* The pypi packages of a repository that have at least one downloadable version, by name. */
int ar_pypi_index_projects(struct ar_pypi_index_project **out, size_t *n, struct ar_dbc *db, struct ar_arena *a,
			   int64_t repository_id, struct ar_err *err);

/* A short string that changes whenever the repository's pypi package list or any of its packages
   changes (count and update times), for the cache key of the project list. Arena memory. */
int ar_pypi_index_stamp(const char **out, struct ar_dbc *db, struct ar_arena *a, int64_t repository_id,
			struct ar_err *err);

#endif
