/* tests/fuzz/fuzz_policy.c - policy documents of both kinds through parse and evaluation, ARNs through the splitter */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "policy/arn.h"
#include "policy/policy.h"

static const struct ar_cond_value context[] = {
	{"aws:username", "alice"},
	{"aws:SecureTransport", "true"},
	{"aws:TagKeys", "team"},
	{"aws:TagKeys", "env"},
	{"n", "10"},
	{"aws:SourceArn", "arn:aws:codeartifact:us-east-1:111111111111:repository/d/r"},
};

static const struct ar_authz_request requests[] = {
	{"arn:aws:iam::111111111111:user/alice", "111111111111", "codeartifact:GetDomainPermissionsPolicy",
	 "arn:aws:codeartifact:us-east-1:111111111111:domain/d", "111111111111", context,
	 sizeof context / sizeof context[0]},
	{"arn:aws:iam::222222222222:user/bob", "222222222222", "codeartifact:ReadFromRepository",
	 "arn:aws:codeartifact:us-east-1:111111111111:repository/d/r", "111111111111", context, 2},
	{NULL, NULL, "codeartifact:ReadFromRepository", "arn:aws:codeartifact:us-east-1:111111111111:repository/d/r",
	 "111111111111", NULL, 0},
	{"arn:aws:iam::111111111111:root", NULL, "codeartifact:ListDomains", "*", NULL, NULL, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_err err;
	struct ar_policy *id = NULL, *res = NULL;
	ar_policy_parse(&id, a, (const char *)data, size, AR_POLICY_IDENTITY, &err);
	ar_policy_parse(&res, a, (const char *)data, size, AR_POLICY_RESOURCE, &err);
	const struct ar_policy *ids[] = {id}, *ress[] = {res};
	for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
		ar_policy_eval(id, &requests[i]);
		ar_policy_eval(res, &requests[i]);
		ar_authorize(&requests[i], ids, 1, ress, 1);
	}

	/* The same bytes as an ARN, and as the resource of a request against what parsed. */
	char *s = ar_strndup(a, (const char *)data, size);
	struct ar_arn arn;
	if (ar_arn_parse(s, &arn) == 0)
		ar_arn_decode_group(a, &arn);
	ar_arn_parse_taggable(s, &arn);
	struct ar_authz_request req = requests[0];
	req.resource_arn = s;
	req.principal_arn = s;
	ar_authorize(&req, ids, 1, ress, 1);
	ar_arena_free(a);
	return 0;
}
