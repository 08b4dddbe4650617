/* repo/access.c - the authorisation decision: identity policies + resource policies, one rule */
#include "repo/access.h"

#include "policy/policy.h"

#include <string.h>

/* Documents were validated when stored; one that no longer parses grants nothing. */
static const struct ar_policy *parse_or_null(struct ar_arena *a, const char *doc, enum ar_policy_kind kind)
{
	struct ar_policy *p = NULL;
	struct ar_err ignored;
	if (!doc || ar_policy_parse(&p, a, doc, strlen(doc), kind, &ignored) != 0)
		return NULL;
	return p;
}

int ar_access_check(struct ar_dbc *db, struct ar_arena *a, const struct ar_principal *caller, const char *action,
		    const char *resource_arn, const char *resource_account, const char *const *resource_policies,
		    size_t n_resource_policies, struct ar_err *err)
{
	const char **docs = NULL;
	size_t n_docs = 0;
	int rc;
	if (!caller->is_anonymous &&
	    (rc = ar_identity_user_policies(db, a, caller->account_id, caller->user_name, &docs, &n_docs, err)))
		return rc;
	const struct ar_policy **identity = ar_alloc_array(a, n_docs + 1, sizeof *identity);
	for (size_t i = 0; i < n_docs; i++)
		identity[i] = parse_or_null(a, docs[i], AR_POLICY_IDENTITY);
	const struct ar_policy **resource = ar_alloc_array(a, n_resource_policies + 1, sizeof *resource);
	for (size_t i = 0; i < n_resource_policies; i++)
		resource[i] = parse_or_null(a, resource_policies[i], AR_POLICY_RESOURCE);
	struct ar_cond_value context[] = {
		{"aws:PrincipalAccount", caller->account_id},
		{"aws:username", caller->user_name},
		{"aws:PrincipalArn", caller->arn},
		{"aws:userid", caller->user_name},
		{"aws:SecureTransport", "false"},
	};
	struct ar_authz_request r = {
		.principal_arn = caller->is_anonymous ? NULL : caller->arn,
		.principal_account = caller->is_anonymous ? NULL : caller->account_id,
		.action = action,
		.resource_arn = resource_arn,
		.resource_account = resource_account,
		.context = caller->is_anonymous ? NULL : context,
		.n_context = caller->is_anonymous ? 0 : sizeof context / sizeof context[0],
	};
	if (ar_authorize(&r, identity, n_docs, resource, n_resource_policies))
		return 0;
	if (caller->is_anonymous)
		return ar_fail(err, AR_EDENIED, "Anonymous access is not allowed to perform: %s on resource: %s",
			       action, resource_arn);
	return ar_fail(err, AR_EDENIED, "User: %s is not authorized to perform: %s on resource: %s", caller->arn,
		       action, resource_arn);
}
