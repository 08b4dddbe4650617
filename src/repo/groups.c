/* repo/groups.c - package groups in the database: the tree, origin settings, association, enforcement */
#include "repo/groups.h"
#include "repo/groups_int.h"

#include "core/timeutil.h"
#include "repo/domain.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[AR_ORIGIN_KINDS] = {"PUBLISH", "EXTERNAL_UPSTREAM", "INTERNAL_UPSTREAM"};
static const char *const mode_names[] = {"ALLOW", "BLOCK", "ALLOW_SPECIFIC_REPOSITORIES", "INHERIT"};

const char *ar_origin_kind_name(enum ar_origin_kind k)
{
	return kind_names[k];
}

int ar_origin_kind_parse(enum ar_origin_kind *out, const char *s)
{
	for (int i = 0; i < AR_ORIGIN_KINDS; i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum ar_origin_kind)i;
			return 0;
		}
	}
	return AR_EINVAL;
}

const char *ar_group_mode_name(enum ar_group_mode m)
{
	return mode_names[m];
}

int ar_group_mode_parse(enum ar_group_mode *out, const char *s)
{
	for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*out = (enum ar_group_mode)i;
			return 0;
		}
	}
	return AR_EINVAL;
}

/* --- rows ---------------------------------------------------------------------------------------- */

#define GROUP_COLUMNS                                                                                                  \
	"g.id, g.parent_id, g.pattern, g.shape, g.format, g.ns, g.name, g.weak_ns, g.weak_name, g.contact_info,"       \
	" g.description, g.created_ms, g.mode_publish, g.mode_external, g.mode_internal"
#define COUNT_COLUMNS                                                                                                  \
	", (SELECT COUNT(*) FROM package_group_allowed_repos r WHERE r.group_id = g.id AND r.restriction = "           \
	"'PUBLISH'),"                                                                                                  \
	" (SELECT COUNT(*) FROM package_group_allowed_repos r WHERE r.group_id = g.id"                                 \
	" AND r.restriction = 'EXTERNAL_UPSTREAM'),"                                                                   \
	" (SELECT COUNT(*) FROM package_group_allowed_repos r WHERE r.group_id = g.id"                                 \
	" AND r.restriction = 'INTERNAL_UPSTREAM')"

static const char *text_or_null(struct ar_stmt *st, int col, struct ar_arena *a)
{
	return ar_stmt_is_null(st, col) ? NULL : ar_strdup(a, ar_stmt_text(st, col));
}

static void read_row(struct ar_group *g, struct ar_stmt *st, struct ar_arena *a, int64_t domain_id, bool counts)
{
	memset(g, 0, sizeof *g);
	g->id = ar_stmt_int(st, 0);
	g->domain_id = domain_id;
	g->parent_id = ar_stmt_is_null(st, 1) ? 0 : ar_stmt_int(st, 1);
	g->pattern = ar_strdup(a, ar_stmt_text(st, 2));
	g->pat.shape = (enum ar_group_shape)ar_stmt_int(st, 3);
	g->pat.format = text_or_null(st, 4, a);
	g->pat.ns = text_or_null(st, 5, a);
	g->pat.name = text_or_null(st, 6, a);
	g->weak_ns = text_or_null(st, 7, a);
	g->weak_name = text_or_null(st, 8, a);
	g->contact_info = text_or_null(st, 9, a);
	g->description = text_or_null(st, 10, a);
	g->created_ms = ar_stmt_int(st, 11);
	for (int k = 0; k < AR_ORIGIN_KINDS; k++) {
		/* An unreadable mode fails closed. */
		if (ar_group_mode_parse(&g->modes[k], ar_stmt_text(st, 12 + k)) != 0)
			g->modes[k] = AR_GROUP_BLOCK;
		g->n_allowed[k] = counts ? ar_stmt_int(st, 15 + k) : 0;
	}
}

static int cmp_pattern(const void *x, const void *y)
{
	return strcmp(((const struct ar_group *)x)->pattern, ((const struct ar_group *)y)->pattern);
}

int ar_group_load_domain(struct ar_group **out, size_t *n, struct ar_dbc *db, struct ar_arena *a, int64_t domain_id,
			 struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(
		db, &st, "SELECT " GROUP_COLUMNS COUNT_COLUMNS " FROM package_groups g WHERE g.domain_id = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, domain_id);
	size_t cap = 0, count = 0;
	struct ar_group *list = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		list = ar_grow(a, list, &cap, count, sizeof *list);
		read_row(&list[count++], st, a, domain_id, true);
	}
	ar_stmt_done(st);
	if (rc < 0)
		return rc;
	/* Sorted here, not by SQL, so pages follow byte order whatever the database's collation. */
	if (count > 1)
		qsort(list, count, sizeof *list, cmp_pattern);
	*out = list;
	*n = count;
	return 0;
}

struct ar_group *ar_group_find(struct ar_group *all, size_t n, const char *pattern)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].pattern, pattern) == 0)
			return &all[i];
	return NULL;
}

const struct ar_group *ar_group_find_id(const struct ar_group *all, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (all[i].id == id)
			return &all[i];
	return NULL;
}

static void fill_weak(struct ar_group *g, struct ar_arena *a)
{
	g->weak_ns = g->pat.ns ? ar_group_weak(a, g->pat.ns) : NULL;
	g->weak_name = g->pat.name ? ar_group_weak(a, g->pat.name) : NULL;
}

int ar_group_virtual(struct ar_group *out, struct ar_arena *a, int64_t domain_id, const char *pattern,
		     struct ar_err *err)
{
	memset(out, 0, sizeof *out);
	int rc = ar_group_parse(&out->pat, a, pattern, err);
	if (rc)
		return rc;
	out->domain_id = domain_id;
	out->pattern = ar_strdup(a, pattern);
	fill_weak(out, a);
	for (int k = 0; k < AR_ORIGIN_KINDS; k++)
		out->modes[k] = out->pat.shape == AR_GROUP_ALL ? AR_GROUP_ALLOW : AR_GROUP_INHERIT;
	return 0;
}

/* --- association and inheritance ----------------------------------------------------------------- */

/* The package's coordinates in both forms, computed once per package. */
struct pkg_forms {
	const char *format, *ns, *name, *weak_ns, *weak_name;
};

static void pkg_forms(struct pkg_forms *f, struct ar_arena *a, const char *format, const char *ns, const char *name)
{
	f->format = format;
	f->ns = ns ? ns : "";
	f->name = name;
	f->weak_ns = ar_group_weak(a, f->ns);
	f->weak_name = ar_group_weak(a, name);
}

static const struct ar_group *best_of(enum ar_group_assoc *assoc, const struct ar_group *all, size_t n,
				      const struct pkg_forms *f)
{
	const struct ar_group *best = NULL;
	bool best_strong = false;
	for (size_t i = 0; i < n; i++) {
		const struct ar_group *g = &all[i];
		bool strong = ar_group_match_forms(&g->pat, g->pat.ns, g->pat.name, f->format, f->ns, f->name);
		if (!strong &&
		    !ar_group_match_forms(&g->pat, g->weak_ns, g->weak_name, f->format, f->weak_ns, f->weak_name))
			continue;
		if (best) {
			int c = ar_group_specificity_cmp(&g->pat, &best->pat);
			/* Equally specific candidates are variations of one another: strong, then byte order. */
			if (c < 0 || (c == 0 && best_strong && !strong) ||
			    (c == 0 && best_strong == strong && strcmp(g->pattern, best->pattern) > 0))
				continue;
		}
		best = g;
		best_strong = strong;
	}
	*assoc = best_strong ? AR_GROUP_STRONG : AR_GROUP_WEAK;
	return best;
}

const struct ar_group *ar_group_best(enum ar_group_assoc *assoc, const struct ar_group *all, size_t n,
				     struct ar_arena *a, const char *format, const char *ns, const char *name)
{
	struct pkg_forms f;
	pkg_forms(&f, a, format, ns, name);
	return best_of(assoc, all, n, &f);
}

int ar_group_resolve(struct ar_group_restriction out[AR_ORIGIN_KINDS], const struct ar_group *g,
		     const struct ar_group *all, size_t n, struct ar_err *err)
{
	for (int k = 0; k < AR_ORIGIN_KINDS; k++) {
		const struct ar_group *at = g;
		size_t steps = 0;
		while (at->modes[k] == AR_GROUP_INHERIT) {
			const struct ar_group *up = at->parent_id ? ar_group_find_id(all, n, at->parent_id) : NULL;
			if (!up || ++steps > n)
				return ar_fail(err, AR_ERROR, "package group %s: the parent chain above %s is broken",
					       g->pattern, at->pattern);
			at = up;
		}
		out[k] = (struct ar_group_restriction){
			.mode = g->modes[k],
			.effective = at->modes[k],
			.inherited_from = at == g ? NULL : at,
			.list_owner = at,
			.repositories_count = g->n_allowed[k],
		};
	}
	return 0;
}

/* --- writes -------------------------------------------------------------------------------------- */

int ar_group_create_root(struct ar_dbc *db, int64_t domain_id, int64_t created_ms, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err,
				"INSERT INTO package_groups (id, domain_id, pattern, parent_id, shape, created_ms,"
				" mode_publish, mode_external, mode_internal)"
				" VALUES (?, ?, '/*', NULL, 0, ?, 'ALLOW', 'ALLOW', 'ALLOW')",
				"iii", ar_new_id(), domain_id, created_ms);
	return n < 0 ? (int)n : 0;
}

int ar_group_create(struct ar_group *out, struct ar_dbc *db, struct ar_arena *a, int64_t domain_id, const char *pattern,
		    const char *contact_info, const char *description, struct ar_err *err)
{
	struct ar_group g;
	int rc = ar_group_virtual(&g, a, domain_id, pattern, err);
	struct ar_group *all;
	size_t n;
	if (rc || (rc = ar_group_load_domain(&all, &n, db, a, domain_id, err)))
		return rc;
	if (ar_group_find(all, n, pattern))
		return ar_fail(err, AR_EEXISTS, "Package group %s already exists", ar_group_shorten(a, pattern));
	const struct ar_group *parent = NULL;
	for (size_t i = 0; i < n; i++)
		if (ar_group_contains(&all[i].pat, &g.pat) &&
		    (!parent || ar_group_specificity_cmp(&all[i].pat, &parent->pat) > 0))
			parent = &all[i];
	if (!parent)
		return ar_fail(err, AR_ERROR, "the domain has no root package group");
	g.id = ar_new_id();
	g.parent_id = parent->id;
	g.contact_info = contact_info;
	g.description = description;
	g.created_ms = ar_now_ms();
	int64_t changed = ar_dbc_exec(
		db, err,
		"INSERT INTO package_groups (id, domain_id, pattern, parent_id, shape, format, ns, name, weak_ns,"
		" weak_name, contact_info, description, created_ms, mode_publish, mode_external, mode_internal)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'INHERIT', 'INHERIT', 'INHERIT')",
		"iisiisssssssi", g.id, domain_id, g.pattern, g.parent_id, (int64_t)g.pat.shape, g.pat.format, g.pat.ns,
		g.pat.name, g.weak_ns, g.weak_name, contact_info, description, g.created_ms);
	if (changed == AR_EEXISTS)
		return ar_fail(err, AR_EEXISTS, "Package group %s already exists", ar_group_shorten(a, pattern));
	if (changed < 0)
		return (int)changed;
	/* Groups the new one contains, and contains more tightly than their current parent, move under it. */
	for (size_t i = 0; i < n; i++) {
		const struct ar_group *c = &all[i];
		if (!c->parent_id || !ar_group_contains(&g.pat, &c->pat))
			continue;
		const struct ar_group *cur = ar_group_find_id(all, n, c->parent_id);
		if (cur && ar_group_specificity_cmp(&g.pat, &cur->pat) <= 0)
			continue;
		changed =
			ar_dbc_exec(db, err, "UPDATE package_groups SET parent_id = ? WHERE id = ?", "ii", g.id, c->id);
		if (changed < 0)
			return (int)changed;
	}
	*out = g;
	return 0;
}

int ar_group_update(struct ar_dbc *db, const struct ar_group *g, const char *contact_info, const char *description,
		    struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err,
				"UPDATE package_groups SET contact_info = COALESCE(?, contact_info),"
				" description = COALESCE(?, description) WHERE id = ?",
				"ssi", contact_info, description, g->id);
	return n < 0 ? (int)n : 0;
}

int ar_group_set_mode(struct ar_dbc *db, const struct ar_group *g, enum ar_origin_kind kind, enum ar_group_mode mode,
		      struct ar_err *err)
{
	static const char *const sql[AR_ORIGIN_KINDS] = {
		"UPDATE package_groups SET mode_publish = ? WHERE id = ?",
		"UPDATE package_groups SET mode_external = ? WHERE id = ?",
		"UPDATE package_groups SET mode_internal = ? WHERE id = ?",
	};
	if (mode == AR_GROUP_INHERIT && g->parent_id == 0)
		return ar_fail(err, AR_EINVAL,
			       "The root package group /* has no parent to inherit from: %s must be ALLOW, BLOCK or "
			       "ALLOW_SPECIFIC_REPOSITORIES",
			       kind_names[kind]);
	int64_t n = ar_dbc_exec(db, err, sql[kind], "si", mode_names[mode], g->id);
	return n < 0 ? (int)n : 0;
}

int ar_group_set_allowed(struct ar_dbc *db, const struct ar_group *g, enum ar_origin_kind kind, const char *repository,
			 bool allow, struct ar_err *err)
{
	int64_t n =
		allow ? ar_dbc_exec(db, err,
				    "INSERT INTO package_group_allowed_repos (group_id, restriction, repository_name)"
				    " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
				    "iss", g->id, kind_names[kind], repository)
		      : ar_dbc_exec(db, err,
				    "DELETE FROM package_group_allowed_repos"
				    " WHERE group_id = ? AND restriction = ? AND repository_name = ?",
				    "iss", g->id, kind_names[kind], repository);
	return n < 0 ? (int)n : 0;
}

int ar_group_allowed_list(const char ***out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
			  int64_t group_id, enum ar_origin_kind kind, const char *after, int limit, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT repository_name FROM package_group_allowed_repos"
				" WHERE group_id = ? AND restriction = ? AND (? IS NULL OR repository_name > ?)"
				" ORDER BY repository_name LIMIT ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, group_id);
	ar_stmt_bind_text(st, 2, kind_names[kind]);
	ar_stmt_bind_text(st, 3, after);
	ar_stmt_bind_text(st, 4, after);
	ar_stmt_bind_int(st, 5, (int64_t)limit + 1);
	size_t cap = 0, count = 0;
	const char **names = NULL;
	*more = false;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		if ((int)count == limit) {
			*more = true;
			break;
		}
		names = ar_grow(a, names, &cap, count, sizeof *names);
		names[count++] = ar_strdup(a, ar_stmt_text(st, 0));
	}
	ar_stmt_done(st);
	*out = names;
	*n = count;
	return rc < 0 ? rc : 0;
}

int ar_group_delete(struct ar_dbc *db, const struct ar_group *g, struct ar_err *err)
{
	if (g->parent_id == 0)
		return ar_fail(err, AR_EINVAL, "The root package group /* cannot be deleted");
	int64_t n = ar_dbc_exec(db, err, "UPDATE package_groups SET parent_id = ? WHERE parent_id = ?", "ii",
				g->parent_id, g->id);
	if (n >= 0)
		n = ar_dbc_exec(db, err, "DELETE FROM package_groups WHERE id = ?", "i", g->id);
	return n < 0 ? (int)n : 0;
}

/* --- associated packages ------------------------------------------------------------------------- */

char *ar_group_pkg_key(struct ar_arena *a, const struct ar_group_pkg *p)
{
	/* Namespaces and names never contain '/', so the package path is an unambiguous key. */
	return ar_printf(a, "%s/%s/%s", p->format, p->ns, p->name);
}

static int split_key(const char **format, const char **ns, const char **name, struct ar_arena *a, const char *key,
		     struct ar_err *err)
{
	const char *s1 = strchr(key, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (!s2)
		return ar_fail(err, AR_EINVAL, "nextToken is not valid for this operation");
	*format = ar_strndup(a, key, (size_t)(s1 - key));
	*ns = ar_strndup(a, s1 + 1, (size_t)(s2 - s1 - 1));
	*name = s2 + 1;
	return 0;
}

int ar_group_packages(struct ar_group_pkg **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
		      int64_t domain_id, const struct ar_group *target, const struct ar_group *all, size_t n_all,
		      const char *after, int limit, struct ar_err *err)
{
	const char *af = NULL, *ans = NULL, *aname = NULL;
	int rc;
	if (after && (rc = split_key(&af, &ans, &aname, a, after, err)))
		return rc;
	struct ar_stmt *st;
	/* Distinct over the domain's repositories; only the target's format can be associated with it. */
	rc = ar_dbc_prepare(db, &st,
			    "SELECT DISTINCT p.format, p.namespace, p.name FROM packages p"
			    " JOIN repositories r ON r.id = p.repository_id"
			    " WHERE r.domain_id = ? AND (? IS NULL OR p.format = ?)"
			    " AND (? IS NULL OR p.format > ? OR (p.format = ? AND (p.namespace > ?"
			    " OR (p.namespace = ? AND p.name > ?))))"
			    " ORDER BY p.format, p.namespace, p.name",
			    err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, domain_id);
	ar_stmt_bind_text(st, 2, target->pat.format);
	ar_stmt_bind_text(st, 3, target->pat.format);
	ar_stmt_bind_text(st, 4, af);
	ar_stmt_bind_text(st, 5, af);
	ar_stmt_bind_text(st, 6, af);
	ar_stmt_bind_text(st, 7, ans);
	ar_stmt_bind_text(st, 8, ans);
	ar_stmt_bind_text(st, 9, aname);
	size_t cap = 0, count = 0;
	struct ar_group_pkg *list = NULL;
	*more = false;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		struct pkg_forms f;
		pkg_forms(&f, a, ar_strdup(a, ar_stmt_text(st, 0)), ar_strdup(a, ar_stmt_text(st, 1)),
			  ar_strdup(a, ar_stmt_text(st, 2)));
		enum ar_group_assoc assoc;
		const struct ar_group *g = best_of(&assoc, all, n_all, &f);
		if (!g || strcmp(g->pattern, target->pattern) != 0)
			continue;
		if ((int)count == limit) {
			*more = true;
			break;
		}
		list = ar_grow(a, list, &cap, count, sizeof *list);
		list[count++] = (struct ar_group_pkg){.format = f.format, .ns = f.ns, .name = f.name, .assoc = assoc};
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

/* --- enforcement --------------------------------------------------------------------------------- */

static const char *entry_verb(enum ar_origin_kind kind)
{
	switch (kind) {
	case AR_ORIGIN_PUBLISH: return "published to";
	case AR_ORIGIN_EXTERNAL_UPSTREAM: return "ingested from an external connection into";
	default: return "retained from an upstream repository into";
	}
}

int ar_group_check_origin(struct ar_dbc *db, struct ar_arena *a, int64_t domain_id, const char *format, const char *ns,
			  const char *name, enum ar_origin_kind kind, const char *repository_name, struct ar_err *err)
{
	ar_group_normalize(a, format, &ns, &name);
	struct pkg_forms f;
	pkg_forms(&f, a, format, ns, name);
	/* Query 1: the groups that can match at all - the root, and groups of the format whose weak
	   literals are prefixes of the package's weak namespace and name. Matching is finished in C. */
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT " GROUP_COLUMNS " FROM package_groups g WHERE g.domain_id = ?"
				" AND (g.format IS NULL OR (g.format = ?"
				" AND (g.weak_ns IS NULL OR substr(?, 1, length(g.weak_ns)) = g.weak_ns)"
				" AND (g.weak_name IS NULL OR substr(?, 1, length(g.weak_name)) = g.weak_name)))",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, domain_id);
	ar_stmt_bind_text(st, 2, format);
	ar_stmt_bind_text(st, 3, f.weak_ns);
	ar_stmt_bind_text(st, 4, f.weak_name);
	size_t cap = 0, n = 0;
	struct ar_group *cands = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		cands = ar_grow(a, cands, &cap, n, sizeof *cands);
		read_row(&cands[n++], st, a, domain_id, false);
	}
	ar_stmt_done(st);
	if (rc < 0)
		return rc;
	enum ar_group_assoc assoc;
	const struct ar_group *g = best_of(&assoc, cands, n, &f);
	if (!g)
		return 0; /* no root row: the root's defaults, ALLOW */
	/* Messages quote shortened values so that the 512-byte message never cuts a character. */
	const char *path = ar_group_shorten(a, ar_printf(a, "/%s/%s/%s", format, f.ns, name));
	const char *group = ar_group_shorten(a, g->pattern);
	repository_name = ar_group_shorten(a, repository_name);
	if (assoc == AR_GROUP_WEAK)
		return ar_fail(err, AR_EDENIED,
			       "Package %s cannot be %s repository %s: it is a weak match (a variation of the name) of "
			       "package group %s, and weak matches are blocked from every origin (%s denied)",
			       path, entry_verb(kind), repository_name, group, kind_names[kind]);
	/* A strong match's ancestors all match too, so the candidates hold the whole parent chain. */
	struct ar_group_restriction r[AR_ORIGIN_KINDS];
	if ((rc = ar_group_resolve(r, g, cands, n, err)))
		return rc;
	const struct ar_group_restriction *rk = &r[kind];
	const char *via = rk->inherited_from ? ar_printf(a, " (inherited from %s)",
							 ar_group_shorten(a, rk->inherited_from->pattern))
					     : "";
	if (rk->effective == AR_GROUP_ALLOW)
		return 0;
	if (rk->effective == AR_GROUP_BLOCK)
		return ar_fail(err, AR_EDENIED, "Package %s cannot be %s repository %s: package group %s blocks %s%s",
			       path, entry_verb(kind), repository_name, group, kind_names[kind], via);
	/* Query 2: ALLOW_SPECIFIC_REPOSITORIES - the list of the group that sets the mode. */
	if ((rc = ar_dbc_prepare(db, &st,
				 "SELECT 1 FROM package_group_allowed_repos"
				 " WHERE group_id = ? AND restriction = ? AND repository_name = ?",
				 err)))
		return rc;
	ar_stmt_bind_int(st, 1, rk->list_owner->id);
	ar_stmt_bind_text(st, 2, kind_names[kind]);
	ar_stmt_bind_text(st, 3, repository_name);
	rc = ar_stmt_step(st, err);
	ar_stmt_done(st);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return 0;
	return ar_fail(err, AR_EDENIED,
		       "Package %s cannot be %s repository %s: package group %s allows %s only into specific "
		       "repositories%s, and %s is not on the %s allowed-repository list of %s",
		       path, entry_verb(kind), repository_name, group, kind_names[kind], via, repository_name,
		       kind_names[kind], ar_group_shorten(a, rk->list_owner->pattern));
}
