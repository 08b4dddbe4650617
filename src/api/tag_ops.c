/* api/tag_ops.c - TagResource, UntagResource, ListTagsForResource on domain, repository and package group ARNs */
#include "api/api_int.h"

#include "core/json.h"
#include "policy/arn.h"
#include "repo/groups.h"
#include "repo/tags.h"

#include <string.h>

/* The resource must be a domain, repository or package group of this server that exists. *key is
   the ARN its tags are kept under: as given, except that a package group's pattern is re-encoded
   the one way ar_arn_package_group writes it (%2a, not %2A), so any spelling reaches the same tags. */
static int check_resource(struct ar_api_call *c, const char *arn, const char **key)
{
	struct ar_arn parsed;
	if (ar_arn_parse_taggable(arn, &parsed) != 0)
		return ar_api_fail(c, AR_EINVAL, NULL, NULL,
				   "%s is not the ARN of a CodeArtifact domain, repository or package group", arn);
	*key = arn;
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
	if (parsed.kind == AR_ARN_PACKAGE_GROUP) {
		const char *pattern = ar_arn_decode_group(c->a, &parsed);
		if (!pattern)
			return ar_api_fail(c, AR_EINVAL, NULL, NULL, "%s has a malformed package group pattern", arn);
		struct ar_group *all;
		size_t n;
		if ((rc = ar_group_load_domain(&all, &n, c->db, c->a, d.id, &c->err)))
			return rc;
		if (!ar_group_find(all, n, pattern))
			return ar_api_fail(c, AR_ENOTFOUND, "package-group", pattern, "Resource %s not found", arn);
		*key = ar_arn_package_group(c->a, ar_strndup(c->a, parsed.region.ptr, parsed.region.len), owner, domain,
					    pattern);
	}
	return 0;
}

int api_tag_resource(struct ar_api_call *c)
{
	const char *arn = ar_api_str(c, "resourceArn"), *key;
	int rc = check_resource(c, arn, &key);
	if (rc || (rc = ar_tags_set(c->db, key, ar_api_json(c, "tags"), &c->err)))
		return rc;
	c->out = json_object();
	return 0;
}

int api_untag_resource(struct ar_api_call *c)
{
	const char *arn = ar_api_str(c, "resourceArn"), *key;
	int rc = check_resource(c, arn, &key);
	if (rc || (rc = ar_tags_remove(c->db, key, ar_api_json(c, "tagKeys"), &c->err)))
		return rc;
	c->out = json_object();
	return 0;
}

int api_list_tags_for_resource(struct ar_api_call *c)
{
	const char *arn = ar_api_str(c, "resourceArn"), *key;
	json_t *tags;
	int rc = check_resource(c, arn, &key);
	if (rc || (rc = ar_tags_list(&tags, c->db, key, &c->err)))
		return rc;
	c->out = json_pack("{s:o}", "tags", tags);
	return 0;
}
