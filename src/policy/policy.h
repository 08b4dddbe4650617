/* policy/policy.h - IAM policy documents: parse, validate, evaluate, and the allow/deny decision */
#ifndef AR_POLICY_POLICY_H
#define AR_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

struct ar_policy;

enum ar_policy_kind {
	AR_POLICY_IDENTITY, /* attached to a user: no Principal allowed */
	AR_POLICY_RESOURCE, /* attached to a domain or repository: Principal or NotPrincipal required */
};

/* Parses and validates a policy document (Version, Statement, Sid, Effect, Principal/NotPrincipal,
   Action/NotAction, Resource/NotResource, Condition). AR_EINVAL with a message naming what is
   wrong and where (e.g. "Statement[1]: Effect must be \"Allow\" or \"Deny\""). Structure is capped
   (100 statements, 200 values per list); the caller caps the size. The result lives in the arena. */
int ar_policy_parse(struct ar_policy **out, struct ar_arena *a, const char *doc, size_t len, enum ar_policy_kind kind,
		    struct ar_err *err);

/* One condition context key and value, e.g. aws:PrincipalAccount = 111122223333; a key given
   several times is one multi-valued key (for ForAnyValue:/ForAllValues:). */
struct ar_cond_value {
	const char *key; /* case-insensitive, e.g. "aws:username" */
	const char *value;
};

/* The request being authorised. */
struct ar_authz_request {
	const char *principal_arn;     /* arn:aws:iam::ACCOUNT:user/NAME; NULL when anonymous */
	const char *principal_account; /* 12 digits; NULL when anonymous */
	const char *action;	       /* "codeartifact:CreateDomain" */
	const char *resource_arn;      /* ARN of the target, or "*" */
	const char *resource_account;  /* account that owns the resource (the domain owner); NULL = the
					  account in resource_arn, or the caller's when it is "*" */
	const struct ar_cond_value *context;
	size_t n_context;
};

enum ar_effect { AR_EFFECT_NONE = 0, AR_EFFECT_ALLOW, AR_EFFECT_DENY };

/* What one policy says about the request: DENY if any matching Deny statement, else ALLOW if any
   matching Allow, else NONE. Resource policies also match the principal. */
enum ar_effect ar_policy_eval(const struct ar_policy *p, const struct ar_authz_request *req);

/* The final decision: an explicit Deny in any policy wins; same-account access needs an Allow in an
   identity or a resource policy; cross-account access (and anonymous) needs the resource policy to
   allow, and cross-account also an identity Allow. NULL entries in the arrays are skipped. */
bool ar_authorize(const struct ar_authz_request *req, const struct ar_policy *const *identity, size_t n_identity,
		  const struct ar_policy *const *resource, size_t n_resource);

/* IAM-style wildcard match: '*' any run, '?' one byte; case-sensitive unless nocase. */
bool ar_wildcard_match(const char *pattern, const char *s, bool nocase);

#endif
