/* api/group_ops.c - package group operations: the group tree, origin configuration, associations */
#include "api/api_int.h"

#include "core/json.h"
#include "policy/arn.h"
#include "repo/groups.h"
#include "repo/names.h"
#include "repo/paging.h"
#include "repo/tags.h"

#include <string.h>

static const char *group_arn(const struct ar_api_call *c, const char *pattern)
{
	return ar_arn_package_group(c->a, c->ctx->cfg->region, c->domain->owner, c->domain->name, pattern);
}

/* PackageGroupReference */
static json_t *ref_json(const struct ar_api_call *c, const struct ar_group *g)
{
	return json_pack("{s:s, s:s}", "arn", group_arn(c, g->pattern), "pattern", g->pattern);
}

/* PackageGroupDescription, which PackageGroupSummary repeats member for member. */
static int group_json(json_t **out, struct ar_api_call *c, const struct ar_group *g, const struct ar_group *all,
		      size_t n)
{
	struct ar_group_restriction r[AR_ORIGIN_KINDS];
	int rc = ar_group_resolve(r, g, all, n, &c->err);
	if (rc)
		return rc;
	json_t *restrictions = json_object();
	for (int k = 0; k < AR_ORIGIN_KINDS; k++) {
		json_t *o = json_pack("{s:s, s:s, s:I}", "mode", ar_group_mode_name(r[k].mode), "effectiveMode",
				      ar_group_mode_name(r[k].effective), "repositoriesCount",
				      (json_int_t)r[k].repositories_count);
		if (r[k].inherited_from)
			json_object_set_new(o, "inheritedFrom", ref_json(c, r[k].inherited_from));
		json_object_set_new(restrictions, ar_origin_kind_name((enum ar_origin_kind)k), o);
	}
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:{s:o}}", "arn", group_arn(c, g->pattern), "pattern",
			      g->pattern, "domainName", c->domain->name, "domainOwner", c->domain->owner, "createdTime",
			      ar_json_epoch(g->created_ms), "originConfiguration", "restrictions", restrictions);
	ar_json_set_str(j, "contactInfo", g->contact_info);
	ar_json_set_str(j, "description", g->description);
	const struct ar_group *parent = g->parent_id ? ar_group_find_id(all, n, g->parent_id) : NULL;
	if (parent)
		json_object_set_new(j, "parent", ref_json(c, parent));
	*out = j;
	return 0;
}

/* Validates the pattern and finds its group among the domain's (ValidationException, or
   ResourceNotFoundException with resourceType package-group). */
static int lookup(struct ar_api_call *c, const char *pattern, struct ar_group **all, size_t *n, struct ar_group **g)
{
	struct ar_group_pattern pat;
	int rc = ar_group_parse(&pat, c->a, pattern, &c->err);
	if (rc || (rc = ar_group_load_domain(all, n, c->db, c->a, c->domain->id, &c->err)))
		return rc;
	*g = ar_group_find(*all, *n, pattern);
	if (!*g)
		return ar_api_fail(c, AR_ENOTFOUND, "package-group", pattern, "Package group %s not found in domain %s",
				   ar_group_shorten(c->a, pattern), c->domain->name);
	return 0;
}

/* Sets c->out to {"packageGroup": <g as stored now>} (re-read, so parent and counts are current). */
static int answer_group(struct ar_api_call *c, const char *pattern)
{
	struct ar_group *all, *g;
	size_t n;
	json_t *j;
	int rc = lookup(c, pattern, &all, &n, &g);
	if (rc || (rc = group_json(&j, c, g, all, n)))
		return rc;
	c->out = json_pack("{s:o}", "packageGroup", j);
	return 0;
}

static int check_contact_info(struct ar_api_call *c, const char *contact_info)
{
	return contact_info ? ar_check_description("contactInfo", contact_info, &c->err) : 0;
}

int api_create_package_group(struct ar_api_call *c)
{
	const char *pattern = ar_api_str(c, "packageGroup"), *contact_info = ar_api_str(c, "contactInfo");
	json_t *tags = ar_api_json(c, "tags");
	int rc = check_contact_info(c, contact_info);
	if (rc || (tags && !json_is_null(tags) && (rc = ar_tags_check(tags, &c->err))))
		return rc;
	struct ar_group g;
	rc = ar_group_create(&g, c->db, c->a, c->domain->id, pattern, contact_info, ar_api_str(c, "description"),
			     &c->err);
	if (rc == AR_EEXISTS)
		return ar_api_fail(c, rc, "package-group", pattern, "Package group %s already exists in domain %s",
				   ar_group_shorten(c->a, pattern), c->domain->name);
	if (rc || (tags && !json_is_null(tags) && (rc = ar_tags_set(c->db, group_arn(c, pattern), tags, &c->err))))
		return rc;
	return answer_group(c, pattern);
}

int api_describe_package_group(struct ar_api_call *c)
{
	return answer_group(c, ar_api_str(c, "packageGroup"));
}

int api_update_package_group(struct ar_api_call *c)
{
	const char *pattern = ar_api_str(c, "packageGroup"), *contact_info = ar_api_str(c, "contactInfo");
	struct ar_group *all, *g;
	size_t n;
	int rc = check_contact_info(c, contact_info);
	if (rc || (rc = lookup(c, pattern, &all, &n, &g)) ||
	    (rc = ar_group_update(c->db, g, contact_info, ar_api_str(c, "description"), &c->err)))
		return rc;
	return answer_group(c, pattern);
}

/* One entry of addAllowedRepositories / removeAllowedRepositories. */
struct allowed_change {
	const char *repository;
	enum ar_origin_kind kind;
};

static int read_allowed(struct ar_api_call *c, const char *member, struct allowed_change **out, size_t *n)
{
	json_t *list = ar_api_json(c, member);
	*out = NULL;
	*n = 0;
	if (!list || json_is_null(list))
		return 0;
	*n = json_array_size(list);
	*out = ar_alloc_array(c->a, *n + 1, sizeof **out);
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
	{
		const char *repo = ar_json_str(item, "repositoryName"),
			   *type = ar_json_str(item, "originRestrictionType");
		if (!json_is_object(item) || !repo || !type)
			return ar_api_fail(c, AR_EINVAL, NULL, NULL,
					   "%s[%zu] must be {\"repositoryName\": ..., \"originRestrictionType\": ...}",
					   member, i);
		int rc = ar_check_repository_name("repositoryName", repo, &c->err);
		if (rc)
			return rc;
		if (ar_origin_kind_parse(&(*out)[i].kind, type) != 0)
			return ar_api_fail(c, AR_EINVAL, NULL, NULL,
					   "%s[%zu].originRestrictionType must be PUBLISH, EXTERNAL_UPSTREAM or "
					   "INTERNAL_UPSTREAM, not %s",
					   member, i, ar_group_shorten(c->a, type));
		(*out)[i].repository = repo;
	}
	return 0;
}

/* Appends name to the JSON array unless it is there already. */
static void append_unique(json_t *arr, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (strcmp(json_string_value(v), name) == 0)
			return;
	}
	json_array_append_new(arr, json_string(name));
}

/* allowedRepositoryUpdates: {TYPE: {"ADDED": [...], "REMOVED": [...]}} for each type touched. */
static json_t *updates_json(const struct allowed_change *add, size_t n_add, const struct allowed_change *rm,
			    size_t n_rm)
{
	json_t *out = json_object();
	for (int pass = 0; pass < 2; pass++) {
		const struct allowed_change *list = pass ? rm : add;
		for (size_t i = 0, n = pass ? n_rm : n_add; i < n; i++) {
			const char *type = ar_origin_kind_name(list[i].kind);
			json_t *t = json_object_get(out, type);
			if (!t) {
				t = json_pack("{s:[], s:[]}", "ADDED", "REMOVED");
				json_object_set_new(out, type, t);
			}
			append_unique(json_object_get(t, pass ? "REMOVED" : "ADDED"), list[i].repository);
		}
	}
	return out;
}

int api_update_package_group_origin_configuration(struct ar_api_call *c)
{
	const char *pattern = ar_api_str(c, "packageGroup");
	struct ar_group *all, *g;
	size_t n;
	int rc = lookup(c, pattern, &all, &n, &g);
	if (rc)
		return rc;
	/* Everything is checked before anything is written. */
	bool set[AR_ORIGIN_KINDS] = {false};
	enum ar_group_mode modes[AR_ORIGIN_KINDS];
	json_t *restrictions = ar_api_json(c, "restrictions");
	const char *key;
	json_t *value;
	if (restrictions && json_is_object(restrictions)) {
		json_object_foreach(restrictions, key, value)
		{
			enum ar_origin_kind k;
			if (ar_origin_kind_parse(&k, key) != 0)
				return ar_api_fail(c, AR_EINVAL, NULL, NULL,
						   "restrictions: %s is not a restriction type (PUBLISH, "
						   "EXTERNAL_UPSTREAM, INTERNAL_UPSTREAM)",
						   ar_group_shorten(c->a, key));
			if (!json_is_string(value) || ar_group_mode_parse(&modes[k], json_string_value(value)) != 0)
				return ar_api_fail(
					c, AR_EINVAL, NULL, NULL,
					"restrictions.%s must be ALLOW, BLOCK, ALLOW_SPECIFIC_REPOSITORIES or "
					"INHERIT",
					key);
			set[k] = true;
		}
	}
	struct allowed_change *add, *rm;
	size_t n_add, n_rm;
	if ((rc = read_allowed(c, "addAllowedRepositories", &add, &n_add)) ||
	    (rc = read_allowed(c, "removeAllowedRepositories", &rm, &n_rm)))
		return rc;
	for (size_t i = 0; i < n_add; i++) {
		for (size_t j = 0; j < n_rm; j++)
			if (add[i].kind == rm[j].kind && strcmp(add[i].repository, rm[j].repository) == 0)
				return ar_api_fail(c, AR_EINVAL, NULL, NULL,
						   "Repository %s is both added to and removed from the %s list",
						   add[i].repository, ar_origin_kind_name(add[i].kind));
		struct ar_repository r;
		rc = ar_repo_get(&r, c->db, c->a, c->domain, add[i].repository, &c->err);
		if (rc == AR_ENOTFOUND)
			return ar_api_fail(c, rc, "repository", add[i].repository,
					   "Repository %s not found in domain %s", add[i].repository, c->domain->name);
		if (rc)
			return rc;
	}
	for (int k = 0; k < AR_ORIGIN_KINDS; k++)
		if (set[k] && (rc = ar_group_set_mode(c->db, g, (enum ar_origin_kind)k, modes[k], &c->err)))
			return rc;
	for (size_t i = 0; i < n_add; i++)
		if ((rc = ar_group_set_allowed(c->db, g, add[i].kind, add[i].repository, true, &c->err)))
			return rc;
	for (size_t i = 0; i < n_rm; i++)
		if ((rc = ar_group_set_allowed(c->db, g, rm[i].kind, rm[i].repository, false, &c->err)))
			return rc;
	if ((rc = answer_group(c, pattern)))
		return rc;
	json_object_set_new(c->out, "allowedRepositoryUpdates", updates_json(add, n_add, rm, n_rm));
	return 0;
}

/* One page of groups from all (sorted by pattern): those passing keep(), after the token's pattern. */
static int list_groups(struct ar_api_call *c, const char *kind, const struct ar_group *all, size_t n,
		       bool (*keep)(const struct ar_group *g, const void *arg), const void *arg)
{
	int limit;
	const char *after;
	int rc = ar_page_limit(&limit, ar_api_str(c, "maxResults"), 100, &c->err);
	if (rc || (rc = ar_page_key(&after, c->a, kind, ar_api_str(c, "nextToken"), &c->err)))
		return rc;
	json_t *arr = json_array();
	const struct ar_group *last = NULL;
	bool more = false;
	for (size_t i = 0; i < n; i++) {
		if ((after && strcmp(all[i].pattern, after) <= 0) || !keep(&all[i], arg))
			continue;
		if ((int)json_array_size(arr) == limit) {
			more = true;
			break;
		}
		json_t *j;
		if ((rc = group_json(&j, c, &all[i], all, n))) {
			json_decref(arr);
			return rc;
		}
		json_array_append_new(arr, j);
		last = &all[i];
	}
	c->out = json_pack("{s:o}", "packageGroups", arr);
	if (more)
		json_object_set_new(c->out, "nextToken", json_string(ar_page_token(c->a, kind, last->pattern)));
	return 0;
}

static bool has_prefix(const struct ar_group *g, const void *prefix)
{
	return !prefix || strncmp(g->pattern, prefix, strlen(prefix)) == 0;
}

static bool is_child_of(const struct ar_group *g, const void *parent)
{
	return g->parent_id == ((const struct ar_group *)parent)->id;
}

int api_list_package_groups(struct ar_api_call *c)
{
	const char *prefix = ar_api_str(c, "prefix");
	if (prefix && (strlen(prefix) > 4 * AR_GROUP_PATTERN_MAX || !ar_is_printable_utf8(prefix, strlen(prefix))))
		return ar_api_fail(c, AR_EINVAL, NULL, NULL,
				   "prefix must be at most %d characters without control characters",
				   AR_GROUP_PATTERN_MAX);
	struct ar_group *all;
	size_t n;
	int rc = ar_group_load_domain(&all, &n, c->db, c->a, c->domain->id, &c->err);
	return rc ? rc : list_groups(c, "package-groups", all, n, has_prefix, prefix);
}

int api_list_sub_package_groups(struct ar_api_call *c)
{
	struct ar_group *all, *g;
	size_t n;
	int rc = lookup(c, ar_api_str(c, "packageGroup"), &all, &n, &g);
	return rc ? rc : list_groups(c, "sub-package-groups", all, n, is_child_of, g);
}

int api_delete_package_group(struct ar_api_call *c)
{
	const char *pattern = ar_api_str(c, "packageGroup");
	struct ar_group *all, *g;
	size_t n;
	json_t *j;
	int rc = lookup(c, pattern, &all, &n, &g);
	if (rc || (rc = group_json(&j, c, g, all, n)))
		return rc;
	c->out = json_pack("{s:o}", "packageGroup", j);
	if ((rc = ar_group_delete(c->db, g, &c->err)))
		return rc;
	return ar_tags_drop(c->db, group_arn(c, pattern), &c->err);
}

/* A package namespace or name as the API takes it: 1..255 bytes of [^#/\s]. */
static int check_coordinate(struct ar_api_call *c, const char *what, const char *v)
{
	size_t len = strlen(v);
	if (len < 1 || len > 255 || !ar_is_nonspace_utf8(v, len) || strpbrk(v, "#/"))
		return ar_api_fail(c, AR_EINVAL, NULL, NULL,
				   "%s must be 1 to 255 characters without '#', '/', whitespace or control characters",
				   what);
	return 0;
}

int api_get_associated_package_group(struct ar_api_call *c)
{
	const char *format = ar_api_str(c, "format"), *ns = ar_api_str(c, "namespace"),
		   *name = ar_api_str(c, "package");
	int rc = check_coordinate(c, "package", name);
	if (rc || (ns && (rc = check_coordinate(c, "namespace", ns))))
		return rc;
	ar_group_normalize(c->a, format, &ns, &name);
	struct ar_group *all;
	size_t n;
	if ((rc = ar_group_load_domain(&all, &n, c->db, c->a, c->domain->id, &c->err)))
		return rc;
	enum ar_group_assoc assoc;
	const struct ar_group *g = ar_group_best(&assoc, all, n, c->a, format, ns, name);
	if (!g)
		return ar_fail(&c->err, AR_ERROR, "domain %s has no root package group", c->domain->name);
	json_t *j;
	if ((rc = group_json(&j, c, g, all, n)))
		return rc;
	c->out = json_pack("{s:o, s:s}", "packageGroup", j, "associationType",
			   assoc == AR_GROUP_STRONG ? "STRONG" : "WEAK");
	return 0;
}

int api_list_associated_packages(struct ar_api_call *c)
{
	const char *pattern = ar_api_str(c, "packageGroup"), *preview = ar_api_str(c, "preview");
	struct ar_group virt;
	int rc = ar_group_virtual(&virt, c->a, c->domain->id, pattern, &c->err);
	struct ar_group *all;
	size_t n;
	if (rc || (rc = ar_group_load_domain(&all, &n, c->db, c->a, c->domain->id, &c->err)))
		return rc;
	const struct ar_group *target = ar_group_find(all, n, pattern);
	if (!target) {
		if (!preview || strcmp(preview, "true") != 0)
			return ar_api_fail(c, AR_ENOTFOUND, "package-group", pattern,
					   "Package group %s not found in domain %s", ar_group_shorten(c->a, pattern),
					   c->domain->name);
		/* Preview: the packages the group would take if it were created now. */
		size_t cap = n;
		all = ar_grow(c->a, all, &cap, n, sizeof *all);
		all[n++] = virt;
		target = &all[n - 1];
	}
	int limit;
	const char *after;
	if ((rc = ar_page_limit(&limit, ar_api_str(c, "maxResults"), 100, &c->err)) ||
	    (rc = ar_page_key(&after, c->a, "associated-packages", ar_api_str(c, "nextToken"), &c->err)))
		return rc;
	struct ar_group_pkg *pkgs;
	size_t n_pkgs;
	bool more;
	if ((rc = ar_group_packages(&pkgs, &n_pkgs, &more, c->db, c->a, c->domain->id, target, all, n, after, limit,
				    &c->err)))
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < n_pkgs; i++) {
		json_t *p = json_pack("{s:s, s:s, s:s}", "format", pkgs[i].format, "package", pkgs[i].name,
				      "associationType", pkgs[i].assoc == AR_GROUP_STRONG ? "STRONG" : "WEAK");
		if (*pkgs[i].ns)
			json_object_set_new(p, "namespace", json_string(pkgs[i].ns));
		json_array_append_new(arr, p);
	}
	c->out = json_pack("{s:o}", "packages", arr);
	if (more)
		json_object_set_new(c->out, "nextToken",
				    json_string(ar_page_token(c->a, "associated-packages",
							      ar_group_pkg_key(c->a, &pkgs[n_pkgs - 1]))));
	return 0;
}

int api_list_allowed_repositories_for_group(struct ar_api_call *c)
{
	const char *type = ar_api_str(c, "originRestrictionType");
	enum ar_origin_kind kind;
	if (ar_origin_kind_parse(&kind, type) != 0)
		return ar_api_fail(
			c, AR_EINVAL, NULL, NULL,
			"originRestrictionType must be PUBLISH, EXTERNAL_UPSTREAM or INTERNAL_UPSTREAM, not %s",
			ar_group_shorten(c->a, type));
	struct ar_group *all, *g;
	size_t n;
	int limit;
	const char *after;
	int rc = lookup(c, ar_api_str(c, "packageGroup"), &all, &n, &g);
	if (rc || (rc = ar_page_limit(&limit, ar_api_str(c, "maxResults"), 100, &c->err)) ||
	    (rc = ar_page_key(&after, c->a, "allowed-repositories", ar_api_str(c, "nextToken"), &c->err)))
		return rc;
	const char **names;
	size_t n_names;
	bool more;
	if ((rc = ar_group_allowed_list(&names, &n_names, &more, c->db, c->a, g->id, kind, after, limit, &c->err)))
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < n_names; i++)
		json_array_append_new(arr, json_string(names[i]));
	c->out = json_pack("{s:o}", "allowedRepositories", arr);
	if (more)
		json_object_set_new(c->out, "nextToken",
				    json_string(ar_page_token(c->a, "allowed-repositories", names[n_names - 1])));
	return 0;
}

int ar_api_drop_group_tags(struct ar_api_call *c, const struct ar_domain *d)
{
	struct ar_group *all;
	size_t n;
	int rc = ar_group_load_domain(&all, &n, c->db, c->a, d->id, &c->err);
	for (size_t i = 0; !rc && i < n; i++)
		rc = ar_tags_drop(c->db,
				  ar_arn_package_group(c->a, c->ctx->cfg->region, d->owner, d->name, all[i].pattern),
				  &c->err);
	return rc;
}
