/* repo/lifecycle.c - status transitions, delete/dispose/copy (all or nothing), origin controls */
#include "repo/lifecycle.h"

#include "repo/resolve.h"

#include <string.h>

static const char *const error_names[] = {
	[AR_LC_OK] = "",
	[AR_LC_ALREADY_EXISTS] = "ALREADY_EXISTS",
	[AR_LC_MISMATCHED_REVISION] = "MISMATCHED_REVISION",
	[AR_LC_MISMATCHED_STATUS] = "MISMATCHED_STATUS",
	[AR_LC_NOT_ALLOWED] = "NOT_ALLOWED",
	[AR_LC_NOT_FOUND] = "NOT_FOUND",
	[AR_LC_SKIPPED] = "SKIPPED",
};

const char *ar_lc_error_name(enum ar_lc_error e)
{
	return error_names[e];
}

#define BIT(s)	(1u << (s))
#define TARGETS (BIT(AR_ST_PUBLISHED) | BIT(AR_ST_UNLISTED) | BIT(AR_ST_ARCHIVED))

/* For each current status, the statuses UpdatePackageVersionsStatus may move it to (ref 4.3):
   Published, Unlisted and Archived move freely among themselves, an Unfinished version may be
   finished (or set aside), a Disposed one has lost its assets and can only be deleted. */
static const unsigned set_status_to[] = {
	[AR_ST_PUBLISHED] = TARGETS, [AR_ST_UNFINISHED] = TARGETS, [AR_ST_UNLISTED] = TARGETS,
	[AR_ST_ARCHIVED] = TARGETS,  [AR_ST_DISPOSED] = 0,	   [AR_ST_DELETED] = 0,
};

bool ar_lc_target_valid(enum ar_vstatus target)
{
	return (TARGETS & BIT(target)) != 0;
}

bool ar_lc_allowed(enum ar_lc_op op, enum ar_vstatus from, enum ar_vstatus to)
{
	switch (op) {
	case AR_LC_SET_STATUS: return (set_status_to[from] & BIT(to)) != 0;
	case AR_LC_DELETE: return from != AR_ST_DELETED;
	case AR_LC_DISPOSE: return from != AR_ST_DELETED;
	case AR_LC_COPY: return from != AR_ST_DISPOSED && from != AR_ST_DELETED;
	}
	return false;
}

int ar_lc_add(struct ar_lc_request *rq, struct ar_arena *a, const char *version, const char *expected_revision,
	      struct ar_err *err)
{
	for (size_t i = 0; i < rq->n_items; i++) {
		if (strcmp(rq->items[i].version, version) == 0) {
			if (expected_revision)
				rq->items[i].expected_revision = expected_revision;
			return 0;
		}
	}
	if (rq->n_items == AR_MAX_LC_VERSIONS)
		return ar_fail(err, AR_EINVAL, "A request can name at most %d versions", AR_MAX_LC_VERSIONS);
	struct ar_lc_item *items = ar_alloc_array(a, rq->n_items + 1, sizeof *items);
	if (rq->n_items)
		memcpy(items, rq->items, rq->n_items * sizeof *items);
	items[rq->n_items] = (struct ar_lc_item){.version = version, .expected_revision = expected_revision};
	rq->items = items;
	rq->n_items++;
	return 0;
}

static enum ar_lc_error set_error(struct ar_lc_item *it, enum ar_lc_error e, const char *message)
{
	it->error = e;
	it->message = message;
	return e;
}

/* The checks every operation shares, in the order AWS reports them. */
static enum ar_lc_error judge_common(struct ar_lc_item *it, const struct ar_lc_found *cur, struct ar_arena *a)
{
	if (!cur->exists)
		return set_error(it, AR_LC_NOT_FOUND, ar_printf(a, "Could not find version %s", it->version));
	if (it->expected_revision && strcmp(it->expected_revision, cur->revision) != 0)
		return set_error(it, AR_LC_MISMATCHED_REVISION,
				 ar_printf(a, "current revision: %s, expected revision: %s", cur->revision,
					   it->expected_revision));
	return AR_LC_OK;
}

enum ar_lc_error ar_lc_judge(struct ar_lc_item *it, const struct ar_lc_request *rq, const struct ar_lc_found *cur,
			     struct ar_arena *a)
{
	enum ar_lc_error e = judge_common(it, cur, a);
	if (e)
		return e;
	if (rq->has_expected_status && cur->status != rq->expected_status)
		return set_error(it, AR_LC_MISMATCHED_STATUS,
				 ar_printf(a, "current status: %s, expected status: %s", ar_status_name(cur->status),
					   ar_status_name(rq->expected_status)));
	if (!ar_lc_allowed(rq->op, cur->status, rq->target)) {
		const char *msg = rq->op == AR_LC_SET_STATUS
					  ? ar_printf(a, "Version %s cannot change from %s to %s", it->version,
						      ar_status_name(cur->status), ar_status_name(rq->target))
					  : ar_printf(a, "Version %s is %s", it->version, ar_status_name(cur->status));
		return set_error(it, AR_LC_NOT_ALLOWED, msg);
	}
	return set_error(it, AR_LC_OK, NULL);
}

enum ar_lc_error ar_lc_judge_copy(struct ar_lc_item *it, const struct ar_lc_request *rq, const struct ar_lc_found *src,
				  const struct ar_lc_found *dst, bool dst_blocked, struct ar_arena *a)
{
	it->is_unchanged = false;
	enum ar_lc_error e = judge_common(it, src, a);
	if (e)
		return e;
	if (!ar_lc_allowed(AR_LC_COPY, src->status, src->status))
		return set_error(it, AR_LC_NOT_ALLOWED,
				 ar_printf(a, "Version %s is %s and cannot be copied", it->version,
					   ar_status_name(src->status)));
	if (dst->exists && dst->status == src->status && strcmp(dst->revision, src->revision) == 0) {
		it->is_unchanged = true;
		return set_error(it, AR_LC_OK, NULL);
	}
	/* Origin controls are not documented to apply to copies; a copy adds a version to the
	   destination like a publish does, so publish=BLOCK refuses it. */
	if (dst_blocked)
		return set_error(it, AR_LC_NOT_ALLOWED,
				 ar_printf(a,
					   "Version %s cannot be copied: the package's origin configuration in the "
					   "destination repository blocks publishing (publish=BLOCK)",
					   it->version));
	if (dst->exists && !rq->allow_overwrite)
		return set_error(it, AR_LC_ALREADY_EXISTS, ar_printf(a, "Version %s already exists", it->version));
	return set_error(it, AR_LC_OK, NULL);
}

size_t ar_lc_settle(struct ar_lc_item *items, size_t n, struct ar_arena *a)
{
	size_t failed = 0;
	for (size_t i = 0; i < n; i++)
		failed += items[i].error != AR_LC_OK;
	if (failed == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (items[i].error != AR_LC_OK)
			continue;
		items[i].is_unchanged = false;
		set_error(&items[i], AR_LC_SKIPPED,
			  ar_printf(a, "Version %s was skipped because another version in the request failed",
				    items[i].version));
	}
	return n;
}

static int package_not_found(const struct ar_repository *repo, const struct ar_pkg_key *key, struct ar_err *err)
{
	return ar_fail(err, AR_ENOTFOUND, "Package %s%s%s (%s) not found in repository %s", key->ns,
		       key->ns[0] ? "/" : "", key->name, key->format, repo->name);
}

int ar_lc_apply(struct ar_dbc *db, struct ar_arena *a, const struct ar_repository *repo, struct ar_lc_request *rq,
		struct ar_err *err)
{
	struct ar_package pkg;
	int rc = ar_pkg_get(&pkg, db, a, repo->id, &rq->key, err);
	if (rc == AR_ENOTFOUND)
		return package_not_found(repo, &rq->key, err);
	if (rc)
		return rc;
	struct ar_version *versions = ar_alloc_array(a, rq->n_items + 1, sizeof *versions);
	for (size_t i = 0; i < rq->n_items; i++) {
		struct ar_lc_found cur = {0};
		rc = ar_version_get(&versions[i], db, a, pkg.id, rq->items[i].version, err);
		if (rc && rc != AR_ENOTFOUND)
			return rc;
		if (rc == 0)
			cur = (struct ar_lc_found){true, versions[i].status, versions[i].revision};
		ar_lc_judge(&rq->items[i], rq, &cur, a);
	}
	if (ar_lc_settle(rq->items, rq->n_items, a))
		return 0;
	for (size_t i = 0; i < rq->n_items; i++) {
		struct ar_lc_item *it = &rq->items[i];
		const struct ar_version *v = &versions[i];
		it->revision = v->revision;
		switch (rq->op) {
		case AR_LC_SET_STATUS:
			it->status = rq->target;
			rc = ar_version_set_status(db, v, rq->target, err);
			break;
		case AR_LC_DELETE:
			it->status = AR_ST_DELETED;
			rc = ar_version_remove(db, v, err);
			break;
		case AR_LC_DISPOSE:
			it->status = AR_ST_DISPOSED;
			rc = ar_version_dispose(db, a, v, &it->revision, err);
			break;
		case AR_LC_COPY: rc = ar_fail(err, AR_ERROR, "copy needs ar_lc_copy"); break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* --- copy ----------------------------------------------------------------------------------- */

/* Copies the dist-tags of src_pkg that point at version into dst_pkg, replacing same-named tags. */
static int copy_dist_tags(struct ar_dbc *db, int64_t src_pkg, int64_t dst_pkg, const char *version, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err,
				"INSERT INTO dist_tags (package_id, tag, version) SELECT ?, tag, version FROM dist_tags"
				" WHERE package_id = ? AND version = ?"
				" ON CONFLICT (package_id, tag) DO UPDATE SET version = excluded.version",
				"iis", dst_pkg, src_pkg, version);
	return n < 0 ? (int)n : 0;
}

int ar_lc_copy(struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d, const struct ar_repository *src,
	       const struct ar_repository *dst, struct ar_lc_request *rq, struct ar_err *err)
{
	/* The repositories a copy searches: the source, then (with includeFromUpstream) its upstreams. */
	struct {
		const struct ar_repository **repos;
		size_t n;
	} s;
	int rc = ar_resolve_order(&s.repos, &s.n, db, a, d, src, rq->include_from_upstream, err);
	if (rc)
		return rc;
	/* Where each version was found: the first repository in search order holding it. */
	struct ar_package *pkgs = ar_alloc_array(a, s.n, sizeof *pkgs);
	bool *has_pkg = ar_alloc_array(a, s.n, sizeof *has_pkg);
	const struct ar_package *first_pkg = NULL;
	for (size_t r = 0; r < s.n; r++) {
		rc = ar_pkg_get(&pkgs[r], db, a, s.repos[r]->id, &rq->key, err);
		if (rc && rc != AR_ENOTFOUND)
			return rc;
		has_pkg[r] = rc == 0;
		if (has_pkg[r] && !first_pkg)
			first_pkg = &pkgs[r];
	}
	if (!first_pkg)
		return package_not_found(src, &rq->key, err);

	struct ar_package dst_pkg;
	rc = ar_pkg_get(&dst_pkg, db, a, dst->id, &rq->key, err);
	if (rc && rc != AR_ENOTFOUND)
		return rc;
	bool has_dst_pkg = rc == 0;
	bool dst_blocked = has_dst_pkg && strcmp(dst_pkg.origin_publish, "BLOCK") == 0;

	struct ar_version *from = ar_alloc_array(a, rq->n_items + 1, sizeof *from);
	int64_t *from_pkg = ar_alloc_array(a, rq->n_items + 1, sizeof *from_pkg);
	struct ar_version *old = ar_alloc_array(a, rq->n_items + 1, sizeof *old);
	bool *has_old = ar_alloc_array(a, rq->n_items + 1, sizeof *has_old);
	for (size_t i = 0; i < rq->n_items; i++) {
		struct ar_lc_item *it = &rq->items[i];
		struct ar_lc_found sf = {0}, df = {0};
		for (size_t r = 0; r < s.n && !sf.exists; r++) {
			if (!has_pkg[r])
				continue;
			rc = ar_version_get(&from[i], db, a, pkgs[r].id, it->version, err);
			if (rc && rc != AR_ENOTFOUND)
				return rc;
			if (rc == 0) {
				sf = (struct ar_lc_found){true, from[i].status, from[i].revision};
				from_pkg[i] = pkgs[r].id;
			}
		}
		if (has_dst_pkg) {
			rc = ar_version_get(&old[i], db, a, dst_pkg.id, it->version, err);
			if (rc && rc != AR_ENOTFOUND)
				return rc;
			if (rc == 0)
				df = (struct ar_lc_found){true, old[i].status, old[i].revision};
		}
		has_old[i] = df.exists;
		ar_lc_judge_copy(it, rq, &sf, &df, dst_blocked, a);
	}
	if (ar_lc_settle(rq->items, rq->n_items, a))
		return 0;

	if (!has_dst_pkg && (rc = ar_pkg_create(&dst_pkg, db, a, dst->id, &rq->key, first_pkg->display_name,
						first_pkg->origin_publish, first_pkg->origin_upstream, err)))
		return rc;
	for (size_t i = 0; i < rq->n_items; i++) {
		struct ar_lc_item *it = &rq->items[i];
		if (it->is_unchanged)
			continue;
		struct ar_version copy;
		if ((has_old[i] && (rc = ar_version_remove(db, &old[i], err))) ||
		    (rc = ar_version_copy(&copy, db, a, &from[i], dst_pkg.id, err)) ||
		    (rc = copy_dist_tags(db, from_pkg[i], dst_pkg.id, it->version, err)))
			return rc;
		it->revision = copy.revision;
		it->status = copy.status;
	}
	return 0;
}

/* --- packages ------------------------------------------------------------------------------- */

int ar_lc_delete_package(struct ar_package *out, struct ar_dbc *db, struct ar_arena *a,
			 const struct ar_repository *repo, const struct ar_pkg_key *key, struct ar_err *err)
{
	int rc = ar_pkg_get(out, db, a, repo->id, key, err);
	if (rc == AR_ENOTFOUND)
		return package_not_found(repo, key, err);
	if (rc)
		return rc;
	return ar_pkg_remove(db, out->id, err);
}

static bool is_allow_block(const char *s)
{
	return s && (strcmp(s, "ALLOW") == 0 || strcmp(s, "BLOCK") == 0);
}

int ar_lc_set_origin(struct ar_package *out, struct ar_dbc *db, struct ar_arena *a, const struct ar_repository *repo,
		     const struct ar_pkg_key *key, const char *display_name, const char *publish, const char *upstream,
		     struct ar_err *err)
{
	if (!is_allow_block(publish) || !is_allow_block(upstream))
		return ar_fail(err, AR_EINVAL,
			       "restrictions.publish and restrictions.upstream must each be ALLOW or BLOCK");
	int rc = ar_pkg_get(out, db, a, repo->id, key, err);
	if (rc == AR_ENOTFOUND)
		return ar_pkg_create(out, db, a, repo->id, key, display_name, publish, upstream, err);
	if (rc || (rc = ar_pkg_set_origin(db, out->id, publish, upstream, err)))
		return rc;
	return ar_pkg_get(out, db, a, repo->id, key, err);
}
