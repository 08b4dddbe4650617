/* api/domain_ops.c - domain operations, domain policies and authorization tokens */
#include "api/api_int.h"

#include "auth/token.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "policy/policy.h"
#include "repo/paging.h"
#include "repo/tags.h"

#include <stdio.h>
#include <string.h>

int api_create_domain(struct ar_api_call *c)
{
	const char *name = ar_api_str(c, "domain");
	json_t *tags = ar_api_json(c, "tags");
	int rc;
	if (tags && (rc = ar_tags_check(tags, &c->err)))
		return rc;
	struct ar_domain d;
	rc = ar_domain_create(&d, c->db, c->a, c->ctx->cfg->region, c->caller.account_id, name,
			      ar_api_str(c, "encryptionKey"), &c->err);
	if (rc == AR_EEXISTS)
		return ar_api_fail(c, rc, "domain", name, "%s", c->err.msg);
	if (rc)
		return rc;
	if (tags && (rc = ar_tags_set(c->db, ar_api_domain_arn(c, d.owner, d.name), tags, &c->err)))
		return rc;
	c->out = json_pack("{s:o}", "domain", ar_api_domain_json(c, &d, false));
	return 0;
}

int api_describe_domain(struct ar_api_call *c)
{
	int rc = ar_domain_asset_size(&c->domain->asset_size_bytes, c->db, c->domain->id, &c->err);
	if (rc)
		return rc;
	c->out = json_pack("{s:o}", "domain", ar_api_domain_json(c, c->domain, false));
	return 0;
}

int api_list_domains(struct ar_api_call *c)
{
	int limit;
	const char *after;
	json_t *max = ar_api_json(c, "maxResults");
	const char *raw_max = max ? ar_printf(c->a, "%lld", (long long)json_integer_value(max)) : NULL;
	int rc = ar_page_limit(&limit, raw_max, 100, &c->err);
	if (rc || (rc = ar_page_key(&after, c->a, "domains", ar_api_str(c, "nextToken"), &c->err)))
		return rc;
	struct ar_domain *list;
	size_t n;
	bool more;
	if ((rc = ar_domain_list(&list, &n, &more, c->db, c->a, c->caller.account_id, after, limit, &c->err)))
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, ar_api_domain_json(c, &list[i], true));
	c->out = json_pack("{s:o}", "domains", arr);
	if (more)
		json_object_set_new(c->out, "nextToken", json_string(ar_page_token(c->a, "domains", list[n - 1].name)));
	return 0;
}

int api_delete_domain(struct ar_api_call *c)
{
	/* The domain's package groups go with it (ON DELETE CASCADE); their tags first. If the delete
	   is refused, the call's transaction rolls the tags back. */
	int rc = ar_api_drop_group_tags(c, c->domain);
	if (rc)
		return rc;
	rc = ar_domain_delete(c->db, c->domain, &c->err);
	if (rc == AR_ECONFLICT)
		return ar_api_fail(c, rc, "domain", c->domain->name, "%s", c->err.msg);
	if (rc || (rc = ar_tags_drop(c->db, ar_api_domain_arn(c, c->domain->owner, c->domain->name), &c->err)))
		return rc;
	json_t *d = ar_api_domain_json(c, c->domain, false);
	json_object_set_new(d, "status", json_string("Deleted"));
	c->out = json_pack("{s:o}", "domain", d);
	return 0;
}

static json_t *policy_json(const char *arn, const char *revision, const char *document)
{
	return json_pack("{s:s, s:s, s:s}", "resourceArn", arn, "revision", revision, "document", document);
}

int api_get_domain_permissions_policy(struct ar_api_call *c)
{
	const char *arn = ar_api_domain_arn(c, c->domain->owner, c->domain->name);
	if (!c->domain->policy)
		return ar_api_fail(c, AR_ENOTFOUND, "domain", c->domain->name, "Domain %s has no resource policy",
				   c->domain->name);
	c->out = json_pack("{s:o}", "policy", policy_json(arn, c->domain->policy_revision, c->domain->policy));
	return 0;
}

/* Parses the document as a resource policy so a malformed one is refused with the reason. */
static int check_resource_policy(struct ar_api_call *c, const char *document)
{
	struct ar_policy *p;
	int rc = ar_policy_parse(&p, c->a, document, strlen(document), AR_POLICY_RESOURCE, &c->err);
	if (rc)
		return ar_api_fail(c, AR_EINVAL, NULL, NULL, "Invalid policy document: %s", c->err.msg);
	return 0;
}

int api_put_domain_permissions_policy(struct ar_api_call *c)
{
	const char *document = ar_api_str(c, "policyDocument");
	const char *revision;
	int rc = check_resource_policy(c, document);
	if (rc)
		return rc;
	rc = ar_domain_set_policy(c->db, c->a, c->domain, document, ar_api_str(c, "policyRevision"), &revision,
				  &c->err);
	if (rc == AR_ECONFLICT)
		return ar_api_fail(c, rc, "domain", c->domain->name, "%s", c->err.msg);
	if (rc)
		return rc;
	c->out = json_pack("{s:o}", "policy",
			   policy_json(ar_api_domain_arn(c, c->domain->owner, c->domain->name), revision, document));
	return 0;
}

int api_delete_domain_permissions_policy(struct ar_api_call *c)
{
	const char *old = c->domain->policy, *old_revision = c->domain->policy_revision, *revision;
	if (!old)
		return ar_api_fail(c, AR_ENOTFOUND, "domain", c->domain->name, "Domain %s has no resource policy",
				   c->domain->name);
	int rc =
		ar_domain_set_policy(c->db, c->a, c->domain, NULL, ar_api_str(c, "policyRevision"), &revision, &c->err);
	if (rc == AR_ECONFLICT)
		return ar_api_fail(c, rc, "domain", c->domain->name, "%s", c->err.msg);
	if (rc)
		return rc;
	c->out = json_pack("{s:o}", "policy",
			   policy_json(ar_api_domain_arn(c, c->domain->owner, c->domain->name), old_revision, old));
	return 0;
}

int api_get_authorization_token(struct ar_api_call *c)
{
	int64_t duration = AR_TOKEN_MAX_S;
	const char *raw = ar_api_str(c, "durationSeconds");
	if (raw && (!ar_parse_i64(raw, &duration) ||
		    (duration != 0 && (duration < AR_TOKEN_MIN_S || duration > AR_TOKEN_MAX_S))))
		return ar_api_fail(c, AR_EINVAL, NULL, NULL,
				   "durationSeconds must be 0 or between %d and %d seconds, got %s", AR_TOKEN_MIN_S,
				   AR_TOKEN_MAX_S, raw);
	/* 0 means "as long as the caller's credentials": long-lived keys, so the 12-hour maximum. */
	if (duration == 0)
		duration = AR_TOKEN_MAX_S;
	/* CodeArtifact also requires sts:GetServiceBearerToken; only identity policies can grant it. */
	int rc = ar_api_authorize(c, "sts:GetServiceBearerToken", "*", c->caller.account_id, NULL, 0);
	if (rc)
		return rc;
	struct ar_token_claims claims = {0};
	memcpy(claims.account_id, c->caller.account_id, sizeof claims.account_id);
	snprintf(claims.principal_arn, sizeof claims.principal_arn, "%s", c->caller.arn);
	snprintf(claims.domain, sizeof claims.domain, "%s", c->domain->name);
	snprintf(claims.domain_owner, sizeof claims.domain_owner, "%s", c->domain->owner);
	claims.issued_s = ar_now_ms() / 1000;
	claims.expires_s = claims.issued_s + duration;
	char *token;
	if ((rc = ar_token_mint(&token, c->a, c->ctx->keys.token, &claims, &c->err)))
		return rc;
	c->out = json_pack("{s:s, s:o}", "authorizationToken", token, "expiration",
			   ar_json_epoch(claims.expires_s * 1000));
	return 0;
}
