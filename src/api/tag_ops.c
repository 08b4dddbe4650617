/* api/tag_ops.c - TagResource, UntagResource, ListTagsForResource on domain and repository ARNs */
#include "api/api_int.h"

#include "core/json.h"
#include "policy/arn.h"
#include "repo/tags.h"

#include <string.h>

/* The resource must be a domain or repository of this server that exists. */
static int check_resource(struct ar_api_call *c, const char *arn)
{
	struct ar_arn parsed;
	if (ar_arn_parse_taggable(arn, &parsed) != 0 ||
	    (parsed.kind != AR_ARN_DOMAIN && parsed.kind != AR_ARN_REPOSITORY))
		return ar_api_fail(c, AR_EINVAL, NULL, NULL, "%s is not the ARN of a CodeArtifact domain or repository",
				   arn);
	const char *owner = ar_strndup(c->a, parsed.account.ptr, parsed.account.len);
	const char *domain = ar_strndup(c->a, parsed.domain.ptr, parsed.domain.len);
	struct ar_domain d;
	int rc = ar_domain_get(&d, c->db, c->a, owner, domain, &c->err);
	if (rc)
		return rc == AR_ENOTFOUND ? ar_api_fail(c, rc, "domain", domain, "Resource %s not found", arn) : rc;
	if (parsed.kind == AR_ARN_REPOSITORY) {
		const char *repo = ar_strndup(c->a, parsed.repo.ptr, parsed.repo.len);
		struct ar_repository r;
		if ((rc = ar_repo_get(&r, c->db, c->a, &d, repo, &c->err)))
			return rc == AR_ENOTFOUND ? ar_api_fail(c, rc, "repository", repo, "Resource %s not found", arn)
						  : rc;
	}
	return 0;
}

int api_tag_resource(struct ar_api_call *c)
{
	const char *arn = ar_api_str(c, "resourceArn");
	int rc = check_resource(c, arn);
	if (rc || (rc = ar_tags_set(c->db, arn, ar_api_json(c, "tags"), &c->err)))
		return rc;
	c->out = json_object();
	return 0;
}

int api_untag_resource(struct ar_api_call *c)
{
	const char *arn = ar_api_str(c, "resourceArn");
	int rc = check_resource(c, arn);
	if (rc || (rc = ar_tags_remove(c->db, arn, ar_api_json(c, "tagKeys"), &c->err)))
		return rc;
	c->out = json_object();
	return 0;
}

int api_list_tags_for_resource(struct ar_api_call *c)
{
	const char *arn = ar_api_str(c, "resourceArn");
	json_t *tags;
	int rc = check_resource(c, arn);
	if (rc || (rc = ar_tags_list(&tags, c->db, arn, &c->err)))
		return rc;
	c->out = json_pack("{s:o}", "tags", tags);
	return 0;
}
