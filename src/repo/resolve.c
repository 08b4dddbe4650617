/* repo/resolve.c - upstream resolution: search order and retention */
#include "repo/resolve.h"

#include <string.h>

static int add(const struct ar_repository **list, size_t *n, struct ar_dbc *db, struct ar_arena *a,
	       const struct ar_domain *d, const struct ar_repository *r, bool deep, struct ar_err *err)
{
	if (*n == AR_MAX_UPSTREAM_SEARCH)
		return 0;
	list[(*n)++] = r;
	for (size_t i = 0; deep && i < r->n_upstreams; i++) {
		bool seen = false;
		for (size_t j = 0; j < *n && !seen; j++)
			seen = strcmp(list[j]->name, r->upstreams[i]) == 0;
		if (seen)
			continue;
		struct ar_repository *up = ar_alloc(a, sizeof *up);
		int rc = ar_repo_get(up, db, a, d, r->upstreams[i], err);
		if (rc == AR_ENOTFOUND)
			continue;
		if (rc || (rc = add(list, n, db, a, d, up, true, err)))
			return rc;
	}
	return 0;
}

int ar_resolve_order(const struct ar_repository ***out, size_t *n, struct ar_dbc *db, struct ar_arena *a,
		     const struct ar_domain *d, const struct ar_repository *repo, bool deep, struct ar_err *err)
{
	const struct ar_repository **list = ar_alloc_array(a, AR_MAX_UPSTREAM_SEARCH, sizeof *list);
	*n = 0;
	int rc = add(list, n, db, a, d, repo, deep, err);
	*out = list;
	return rc;
}

const struct ar_repository *ar_resolve_external(const struct ar_repository *const *order, size_t n, const char *format,
						const char **connection)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < order[i]->n_externals; j++) {
			if (strcmp(order[i]->externals[j].format, format) == 0) {
				*connection = order[i]->externals[j].name;
				return order[i];
			}
		}
	}
	*connection = NULL;
	return NULL;
}

int ar_retain_version(struct ar_version *out, struct ar_dbc *db, struct ar_arena *a, const struct ar_repository *into,
		      const struct ar_package *from_pkg, const struct ar_version *from, bool is_external,
		      struct ar_err *err)
{
	struct ar_pkg_key key = {from_pkg->format, from_pkg->ns, from_pkg->name};
	struct ar_package pkg;
	int rc = ar_pkg_get(&pkg, db, a, into->id, &key, err);
	if (rc == AR_ENOTFOUND) {
		rc = ar_pkg_create(&pkg, db, a, into->id, &key, from_pkg->display_name,
				   is_external ? "BLOCK" : from_pkg->origin_publish,
				   is_external ? "ALLOW" : from_pkg->origin_upstream, err);
	} else if (rc == 0 && strcmp(pkg.origin_upstream, "ALLOW") != 0) {
		return ar_fail(err, AR_EDENIED,
			       "Package %s in repository %s does not accept versions from upstream (upstream=BLOCK)",
			       from_pkg->display_name, into->name);
	}
	if (rc)
		return rc;
	rc = ar_version_get(out, db, a, pkg.id, from->version, err);
	if (rc != AR_ENOTFOUND)
		return rc;
	return ar_version_copy(out, db, a, from, pkg.id, err);
}
