/* api/tag_ops.c - TagResource, UntagResource, ListTagsForResource on domain and repository ARNs */
#include "api/api_int.h"

#include "core/json.h"
#include "policy/arn.h"
#include "repo/tags.h"

#include <stdio.h>
#include <string.h>

/* The resource must be a domain or repository of this server that exists. */
static int check_resource(struct ar_api_call *c, const char *arn)
{
	struct ar_arn parsed;
	if (ar_arn_parse(arn, &parsed) != 0 || strcmp(parsed.service, "codeartifact") != 0)
		return ar_api_fail(c, AR_EINVAL, NULL, NULL, "%s is not a CodeArtifact resource ARN", arn);
	const char *res = parsed.resource;
	char domain[64] = "", repo[128] = "";
	int rc;
	struct ar_domain d;
	if (strncmp(res, "domain/", 7) == 0 && !strchr(res + 7, '/')) {
		snprintf(domain, sizeof domain, "%s", res + 7);
	} else if (strncmp(res, "repository/", 11) == 0) {
		const char *slash = strchr(res + 11, '/');
		if (!slash || strchr(slash + 1, '/') || (size_t)(slash - res - 11) >= sizeof domain)
			return ar_api_fail(c, AR_EINVAL, NULL, NULL, "%s is not a repository ARN", arn);
		memcpy(domain, res + 11, (size_t)(slash - res - 11));
		snprintf(repo, sizeof repo, "%s", slash + 1);
	} else {
		return ar_api_fail(c, AR_EINVAL, NULL, NULL, "Tags are supported on domains and repositories, not %s", arn);
	}
	if ((rc = ar_domain_get(&d, c->db, c->a, parsed.account, domain, &c->err)))
		return rc == AR_ENOTFOUND ? ar_api_fail(c, rc, "domain", domain, "Resource %s not found", arn) : rc;
	if (repo[0]) {
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
