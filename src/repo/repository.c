/* repo/repository.c - repositories, upstream lists, external connections */
#include "repo/repository.h"

#include "core/timeutil.h"
#include "repo/names.h"

#include <string.h>

static int find_id(int64_t *id, struct ar_dbc *db, int64_t domain_id, const char *name, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT id FROM repositories WHERE domain_id = ? AND name = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, domain_id);
	ar_stmt_bind_text(st, 2, name);
	rc = ar_stmt_step(st, err);
	if (rc == 1)
		*id = ar_stmt_int(st, 0);
	ar_stmt_done(st);
	return rc < 0 ? rc : (rc == 1 ? 0 : AR_ENOTFOUND);
}

static int load_upstream_names(const char ***out, size_t *n, struct ar_dbc *db, struct ar_arena *a, int64_t repo_id,
			       struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(
		db, &st, "SELECT upstream_name FROM repository_upstreams WHERE repository_id = ? ORDER BY position",
		err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, repo_id);
	size_t cap = 0, count = 0;
	const char **list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		list = ar_grow(a, list, &cap, count, sizeof *list);
		list[count++] = ar_strdup(a, ar_stmt_text(st, 0));
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

static int check_upstreams(struct ar_dbc *db, const struct ar_domain *d, const char *self, const char *const *upstreams,
			   size_t n, struct ar_err *err)
{
	if (n > AR_MAX_UPSTREAMS)
		return ar_fail(err, AR_EQUOTA, "A repository can have at most %d upstream repositories, got %zu",
			       AR_MAX_UPSTREAMS, n);
	for (size_t i = 0; i < n; i++) {
		int rc = ar_check_repository_name("upstreams.repositoryName", upstreams[i], err);
		if (rc)
			return rc;
		if (strcmp(upstreams[i], self) == 0)
			return ar_fail(err, AR_EINVAL, "Repository %s cannot be its own upstream", self);
		for (size_t j = 0; j < i; j++)
			if (strcmp(upstreams[i], upstreams[j]) == 0)
				return ar_fail(err, AR_EINVAL, "Upstream repository %s is listed twice", upstreams[i]);
		int64_t id;
		rc = find_id(&id, db, d->id, upstreams[i], err);
		if (rc == AR_ENOTFOUND)
			return ar_fail(err, AR_ENOTFOUND, "Upstream repository %s not found in domain %s", upstreams[i],
				       d->name);
		if (rc)
			return rc;
	}
	return 0;
}

/* Depth-first walk of the upstream graph from start; AR_EINVAL if it reaches target. */
static int reaches(struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d, const char *start,
		   const char *target, int depth, struct ar_err *err)
{
	if (depth > 64)
		return ar_fail(err, AR_EINVAL, "The upstream graph is too deep");
	int64_t id;
	int rc = find_id(&id, db, d->id, start, err);
	if (rc == AR_ENOTFOUND)
		return 0; /* dangling upstream: nothing beyond it */
	if (rc)
		return rc;
	const char **names;
	size_t n;
	if ((rc = load_upstream_names(&names, &n, db, a, id, err)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], target) == 0)
			return ar_fail(err, AR_EINVAL, "Adding these upstreams would create a cycle through %s", start);
		if ((rc = reaches(db, a, d, names[i], target, depth + 1, err)))
			return rc;
	}
	return 0;
}

static int write_upstreams(struct ar_dbc *db, int64_t repo_id, const char *const *upstreams, size_t n,
			   struct ar_err *err)
{
	int64_t rc = ar_dbc_exec(db, err, "DELETE FROM repository_upstreams WHERE repository_id = ?", "i", repo_id);
	for (size_t i = 0; rc >= 0 && i < n; i++)
		rc = ar_dbc_exec(
			db, err,
			"INSERT INTO repository_upstreams (repository_id, position, upstream_name) VALUES (?, ?, ?)",
			"iis", repo_id, (int64_t)i, upstreams[i]);
	return rc < 0 ? (int)rc : 0;
}

int ar_repo_create(struct ar_repository *out, struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d,
		   const char *name, const char *administrator_account, const char *description,
		   const char *const *upstreams, size_t n_upstreams, struct ar_err *err)
{
	int rc = check_upstreams(db, d, name, upstreams, n_upstreams, err);
	if (rc)
		return rc;
	int64_t id = ar_new_id();
	int64_t n = ar_dbc_exec(
		db, err,
		"INSERT INTO repositories (id, domain_id, name, administrator_account, description, created_ms)"
		" VALUES (?, ?, ?, ?, ?, ?)",
		"iisssi", id, d->id, name, administrator_account, description ? description : "", ar_now_ms());
	if (n == AR_EEXISTS)
		return ar_fail(err, AR_EEXISTS, "Repository %s already exists in domain %s", name, d->name);
	if (n < 0)
		return (int)n;
	/* A new repository cannot be in a cycle: nothing points at it yet. */
	if ((rc = write_upstreams(db, id, upstreams, n_upstreams, err)))
		return rc;
	return ar_repo_get(out, db, a, d, name, err);
}

void ar_repo_copy(struct ar_repository *dst, struct ar_arena *a, const struct ar_repository *src,
		  const struct ar_domain *d)
{
	*dst = *src;
	dst->domain_name = d->name;
	dst->domain_owner = d->owner;
	dst->name = ar_strdup_or_null(a, src->name);
	dst->administrator_account = ar_strdup_or_null(a, src->administrator_account);
	dst->description = ar_strdup_or_null(a, src->description);
	dst->policy = ar_strdup_or_null(a, src->policy);
	dst->policy_revision = ar_strdup_or_null(a, src->policy_revision);
	dst->upstreams = ar_alloc_array(a, src->n_upstreams + 1, sizeof *dst->upstreams);
	for (size_t i = 0; i < src->n_upstreams; i++)
		dst->upstreams[i] = ar_strdup(a, src->upstreams[i]);
	dst->externals = ar_alloc_array(a, src->n_externals + 1, sizeof *dst->externals);
	for (size_t i = 0; i < src->n_externals; i++) {
		dst->externals[i].name = ar_strdup(a, src->externals[i].name);
		dst->externals[i].format = ar_strdup(a, src->externals[i].format);
	}
}

int ar_repo_get(struct ar_repository *out, struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d,
		const char *name, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT id, administrator_account, description, created_ms, policy, policy_revision"
				" FROM repositories WHERE domain_id = ? AND name = ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, d->id);
	ar_stmt_bind_text(st, 2, name);
	rc = ar_stmt_step(st, err);
	if (rc == 1) {
		memset(out, 0, sizeof *out);
		out->id = ar_stmt_int(st, 0);
		out->domain_id = d->id;
		out->domain_name = d->name;
		out->domain_owner = d->owner;
		out->name = ar_strdup(a, name);
		out->administrator_account = ar_strdup(a, ar_stmt_text(st, 1));
		out->description = ar_strdup(a, ar_stmt_text(st, 2));
		out->created_ms = ar_stmt_int(st, 3);
		out->policy = ar_stmt_is_null(st, 4) ? NULL : ar_strdup(a, ar_stmt_text(st, 4));
		out->policy_revision = ar_stmt_is_null(st, 5) ? NULL : ar_strdup(a, ar_stmt_text(st, 5));
	}
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ENOTFOUND, "Repository %s not found in domain %s", name, d->name);
	if (rc < 0)
		return rc;
	if ((rc = load_upstream_names(&out->upstreams, &out->n_upstreams, db, a, out->id, err)))
		return rc;
	if ((rc = ar_dbc_prepare(db, &st,
				 "SELECT name, format FROM repository_externals WHERE repository_id = ? ORDER BY name",
				 err)))
		return rc;
	ar_stmt_bind_int(st, 1, out->id);
	size_t cap = 0;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		out->externals = ar_grow(a, out->externals, &cap, out->n_externals, sizeof *out->externals);
		out->externals[out->n_externals].name = ar_strdup(a, ar_stmt_text(st, 0));
		out->externals[out->n_externals].format = ar_strdup(a, ar_stmt_text(st, 1));
		out->n_externals++;
	}
	ar_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int ar_repo_update(struct ar_repository *r, struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d,
		   const char *description, bool set_upstreams, const char *const *upstreams, size_t n_upstreams,
		   struct ar_err *err)
{
	int rc;
	if (set_upstreams) {
		if (n_upstreams > 0 && r->n_externals > 0)
			return ar_fail(err, AR_EINVAL,
				       "Repository %s has an external connection and cannot also have upstream "
				       "repositories",
				       r->name);
		if ((rc = check_upstreams(db, d, r->name, upstreams, n_upstreams, err)))
			return rc;
		for (size_t i = 0; i < n_upstreams; i++)
			if ((rc = reaches(db, a, d, upstreams[i], r->name, 0, err)))
				return rc;
		if ((rc = write_upstreams(db, r->id, upstreams, n_upstreams, err)))
			return rc;
	}
	if (description) {
		int64_t n = ar_dbc_exec(db, err, "UPDATE repositories SET description = ? WHERE id = ?", "si",
					description, r->id);
		if (n < 0)
			return (int)n;
	}
	return ar_repo_get(r, db, a, d, r->name, err);
}

int ar_repo_delete(struct ar_dbc *db, const struct ar_repository *r, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err, "DELETE FROM repositories WHERE id = ?", "i", r->id);
	return n < 0 ? (int)n : 0;
}

int ar_repo_add_external(struct ar_repository *r, struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d,
			 const char *name, struct ar_err *err)
{
	const char *format = ar_external_connection_format(name);
	if (!format)
		return ar_fail(err, AR_EINVAL, "%s is not a supported external connection", name);
	if (r->n_upstreams > 0)
		return ar_fail(err, AR_EINVAL,
			       "Repository %s has upstream repositories and cannot also have an external connection",
			       r->name);
	if (r->n_externals > 0) {
		if (strcmp(r->externals[0].name, name) == 0)
			return ar_fail(err, AR_ECONFLICT, "Repository %s is already associated with %s", r->name, name);
		return ar_fail(err, AR_EQUOTA, "Repository %s already has an external connection (%s)", r->name,
			       r->externals[0].name);
	}
	int64_t n =
		ar_dbc_exec(db, err, "INSERT INTO repository_externals (repository_id, name, format) VALUES (?, ?, ?)",
			    "iss", r->id, name, format);
	if (n < 0)
		return (int)n;
	return ar_repo_get(r, db, a, d, r->name, err);
}

int ar_repo_remove_external(struct ar_repository *r, struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d,
			    const char *name, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err, "DELETE FROM repository_externals WHERE repository_id = ? AND name = ?", "is",
				r->id, name);
	if (n == 0)
		return ar_fail(err, AR_ENOTFOUND, "Repository %s has no external connection %s", r->name, name);
	if (n < 0)
		return (int)n;
	return ar_repo_get(r, db, a, d, r->name, err);
}

int ar_repo_set_policy(struct ar_dbc *db, struct ar_arena *a, const struct ar_repository *r, const char *document,
		       const char *expected_revision, const char **revision, struct ar_err *err)
{
	if (expected_revision && (!r->policy_revision || strcmp(expected_revision, r->policy_revision) != 0))
		return ar_fail(err, AR_ECONFLICT, "The policy revision %s does not match the current revision of %s",
			       expected_revision, r->name);
	const char *next = document ? ar_policy_revision_new(a) : NULL;
	int64_t n = ar_dbc_exec(db, err, "UPDATE repositories SET policy = ?, policy_revision = ? WHERE id = ?", "ssi",
				document, next, r->id);
	if (n < 0)
		return (int)n;
	*revision = next;
	return 0;
}

const char *ar_repo_page_key(struct ar_arena *a, const struct ar_repository *r)
{
	/* Tab separates the parts: no name may contain one. */
	return ar_printf(a, "%s\t%s\t%s", r->domain_owner, r->domain_name, r->name);
}

int ar_repo_list(struct ar_repository **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
		 const struct ar_repo_filter *f, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT r.id, r.domain_id, d.name, d.owner, r.name, r.administrator_account, "
				"r.description, r.created_ms"
				" FROM repositories r JOIN domains d ON d.id = r.domain_id"
				" WHERE (? = 0 OR r.domain_id = ?) AND (? IS NULL OR r.administrator_account = ?)"
				" AND (? IS NULL OR substr(r.name, 1, length(?)) = ?)"
				" AND (? IS NULL OR (d.owner || char(9) || d.name || char(9) || r.name) > ?)"
				" ORDER BY d.owner, d.name, r.name LIMIT ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, f->domain_id);
	ar_stmt_bind_int(st, 2, f->domain_id);
	ar_stmt_bind_text(st, 3, f->administrator_account);
	ar_stmt_bind_text(st, 4, f->administrator_account);
	ar_stmt_bind_text(st, 5, f->prefix);
	ar_stmt_bind_text(st, 6, f->prefix);
	ar_stmt_bind_text(st, 7, f->prefix);
	ar_stmt_bind_text(st, 8, f->after);
	ar_stmt_bind_text(st, 9, f->after);
	ar_stmt_bind_int(st, 10, f->limit + 1);
	size_t cap = 0, count = 0;
	struct ar_repository *list = NULL;
	*more = false;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		if ((int)count == f->limit) {
			*more = true;
			break;
		}
		list = ar_grow(a, list, &cap, count, sizeof *list);
		struct ar_repository *r = &list[count++];
		memset(r, 0, sizeof *r);
		r->id = ar_stmt_int(st, 0);
		r->domain_id = ar_stmt_int(st, 1);
		r->domain_name = ar_strdup(a, ar_stmt_text(st, 2));
		r->domain_owner = ar_strdup(a, ar_stmt_text(st, 3));
		r->name = ar_strdup(a, ar_stmt_text(st, 4));
		r->administrator_account = ar_strdup(a, ar_stmt_text(st, 5));
		r->description = ar_strdup(a, ar_stmt_text(st, 6));
		r->created_ms = ar_stmt_int(st, 7);
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}
