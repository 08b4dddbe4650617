/* api/repo_ops.c - repository operations, repository policies, endpoints, external connections */
#include "api/api_int.h"

#include "core/json.h"
#include "policy/policy.h"
#include "repo/names.h"
#include "repo/paging.h"
#include "repo/tags.h"

#include <string.h>

/* Reads upstreams [{"repositoryName": ...}] from the body into a name array. */
static int read_upstreams(struct ar_api_call *c, const json_t *list, const char ***names, size_t *n)
{
	*n = json_array_size(list);
	*names = ar_alloc_array(c->a, *n + 1, sizeof **names);
	size_t i;
	json_t *u;
	json_array_foreach(list, i, u)
	{
		const char *name = ar_json_str(u, "repositoryName");
		if (!json_is_object(u) || !name)
			return ar_api_fail(c, AR_EINVAL, NULL, NULL, "upstreams[%zu] must be {\"repositoryName\": ...}",
					   i);
		(*names)[i] = name;
	}
	return 0;
}

/* CreateRepository/UpdateRepository also need AssociateWithDownstreamRepository on each upstream. */
static int authorize_upstreams(struct ar_api_call *c, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ar_repository up;
		struct ar_err ignored;
		const char *policies[2] = {c->domain->policy, NULL};
		if (ar_repo_get(&up, c->db, c->a, c->domain, names[i], &ignored) == 0)
			policies[1] = up.policy;
		int rc = ar_api_authorize(c, "codeartifact:AssociateWithDownstreamRepository",
					  ar_api_repo_arn(c, c->domain->owner, c->domain->name, names[i]),
					  c->domain->owner, policies, 2);
		if (rc)
			return rc;
	}
	return 0;
}

static int repo_failure(struct ar_api_call *c, int rc, const char *name)
{
	if (rc == AR_EEXISTS || rc == AR_ECONFLICT || rc == AR_ENOTFOUND || rc == AR_EQUOTA)
		return ar_api_fail(c, rc, "repository", name, "%s", c->err.msg);
	return rc;
}

int api_create_repository(struct ar_api_call *c)
{
	const char *name = ar_api_str(c, "repository");
	json_t *tags = ar_api_json(c, "tags"), *ups = ar_api_json(c, "upstreams");
	const char **names = NULL;
	size_t n = 0;
	int rc;
	if ((tags && (rc = ar_tags_check(tags, &c->err))) || (ups && (rc = read_upstreams(c, ups, &names, &n))) ||
	    (rc = authorize_upstreams(c, names, n)))
		return rc;
	struct ar_repository r;
	rc = ar_repo_create(&r, c->db, c->a, c->domain, name, c->caller.account_id, ar_api_str(c, "description"), names,
			    n, &c->err);
	if (rc)
		return repo_failure(c, rc, name);
	if (tags && (rc = ar_tags_set(c->db, ar_api_repo_arn(c, r.domain_owner, r.domain_name, r.name), tags, &c->err)))
		return rc;
	c->out = json_pack("{s:o}", "repository", ar_api_repo_json(c, &r, false));
	return 0;
}

int api_describe_repository(struct ar_api_call *c)
{
	c->out = json_pack("{s:o}", "repository", ar_api_repo_json(c, c->repo, false));
	return 0;
}

int api_update_repository(struct ar_api_call *c)
{
	json_t *ups = ar_api_json(c, "upstreams");
	const char **names = NULL;
	size_t n = 0;
	int rc;
	if (ups && !json_is_null(ups) &&
	    ((rc = read_upstreams(c, ups, &names, &n)) || (rc = authorize_upstreams(c, names, n))))
		return rc;
	rc = ar_repo_update(c->repo, c->db, c->a, c->domain, ar_api_str(c, "description"), ups && !json_is_null(ups),
			    names, n, &c->err);
	if (rc)
		return repo_failure(c, rc, c->repo->name);
	c->out = json_pack("{s:o}", "repository", ar_api_repo_json(c, c->repo, false));
	return 0;
}

int api_delete_repository(struct ar_api_call *c)
{
	int rc = ar_repo_delete(c->db, c->repo, &c->err);
	if (rc ||
	    (rc = ar_tags_drop(c->db, ar_api_repo_arn(c, c->repo->domain_owner, c->repo->domain_name, c->repo->name),
			       &c->err)))
		return rc;
	c->out = json_pack("{s:o}", "repository", ar_api_repo_json(c, c->repo, false));
	return 0;
}

static int list_repositories(struct ar_api_call *c, struct ar_repo_filter *f)
{
	int rc = ar_page_limit(&f->limit, ar_api_str(c, "maxResults"), 100, &c->err);
	if (rc || (rc = ar_page_key(&f->after, c->a, "repositories", ar_api_str(c, "nextToken"), &c->err)))
		return rc;
	f->prefix = ar_api_str(c, "repositoryPrefix");
	struct ar_repository *list;
	size_t n;
	bool more;
	if ((rc = ar_repo_list(&list, &n, &more, c->db, c->a, f, &c->err)))
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, ar_api_repo_json(c, &list[i], true));
	c->out = json_pack("{s:o}", "repositories", arr);
	if (more)
		json_object_set_new(
			c->out, "nextToken",
			json_string(ar_page_token(c->a, "repositories", ar_repo_page_key(c->a, &list[n - 1]))));
	return 0;
}

int api_list_repositories(struct ar_api_call *c)
{
	struct ar_repo_filter f = {.administrator_account = c->caller.account_id};
	return list_repositories(c, &f);
}

int api_list_repositories_in_domain(struct ar_api_call *c)
{
	struct ar_repo_filter f = {.domain_id = c->domain->id,
				   .administrator_account = ar_api_str(c, "administratorAccount")};
	return list_repositories(c, &f);
}

int api_associate_external_connection(struct ar_api_call *c)
{
	int rc = ar_repo_add_external(c->repo, c->db, c->a, c->domain, ar_api_str(c, "externalConnection"), &c->err);
	if (rc)
		return repo_failure(c, rc, c->repo->name);
	c->out = json_pack("{s:o}", "repository", ar_api_repo_json(c, c->repo, false));
	return 0;
}

int api_disassociate_external_connection(struct ar_api_call *c)
{
	int rc = ar_repo_remove_external(c->repo, c->db, c->a, c->domain, ar_api_str(c, "externalConnection"), &c->err);
	if (rc)
		return repo_failure(c, rc, c->repo->name);
	c->out = json_pack("{s:o}", "repository", ar_api_repo_json(c, c->repo, false));
	return 0;
}

static json_t *policy_json(const char *arn, const char *revision, const char *document)
{
	return json_pack("{s:s, s:s, s:s}", "resourceArn", arn, "revision", revision, "document", document);
}

static const char *repo_arn(struct ar_api_call *c)
{
	return ar_api_repo_arn(c, c->repo->domain_owner, c->repo->domain_name, c->repo->name);
}

int api_get_repository_permissions_policy(struct ar_api_call *c)
{
	if (!c->repo->policy)
		return ar_api_fail(c, AR_ENOTFOUND, "repository", c->repo->name, "Repository %s has no resource policy",
				   c->repo->name);
	c->out = json_pack("{s:o}", "policy", policy_json(repo_arn(c), c->repo->policy_revision, c->repo->policy));
	return 0;
}

int api_put_repository_permissions_policy(struct ar_api_call *c)
{
	const char *document = ar_api_str(c, "policyDocument"), *revision;
	struct ar_policy *p;
	int rc = ar_policy_parse(&p, c->a, document, strlen(document), AR_POLICY_RESOURCE, &c->err);
	if (rc)
		return ar_api_fail(c, AR_EINVAL, NULL, NULL, "Invalid policy document: %s", c->err.msg);
	rc = ar_repo_set_policy(c->db, c->a, c->repo, document, ar_api_str(c, "policyRevision"), &revision, &c->err);
	if (rc)
		return repo_failure(c, rc, c->repo->name);
	c->out = json_pack("{s:o}", "policy", policy_json(repo_arn(c), revision, document));
	return 0;
}

int api_delete_repository_permissions_policy(struct ar_api_call *c)
{
	const char *old = c->repo->policy, *old_revision = c->repo->policy_revision, *revision;
	if (!old)
		return ar_api_fail(c, AR_ENOTFOUND, "repository", c->repo->name, "Repository %s has no resource policy",
				   c->repo->name);
	int rc = ar_repo_set_policy(c->db, c->a, c->repo, NULL, ar_api_str(c, "policyRevision"), &revision, &c->err);
	if (rc)
		return repo_failure(c, rc, c->repo->name);
	c->out = json_pack("{s:o}", "policy", policy_json(repo_arn(c), old_revision, old));
	return 0;
}

int api_get_repository_endpoint(struct ar_api_call *c)
{
	const char *url =
		ar_printf(c->a, "%s/%s-%s/%s/%s/", ar_req_base_url(c->req, c->ctx->cfg->public_url),
			  c->repo->domain_name, c->repo->domain_owner, ar_api_str(c, "format"), c->repo->name);
	c->out = json_pack("{s:s}", "repositoryEndpoint", url);
	return 0;
}
