/* policy/policy_eval.c - evaluating parsed policies against a request, and the cross-policy decision */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

static bool byte_eq(char a, char b, bool nocase)
{
	return a == b || (nocase && tolower((unsigned char)a) == tolower((unsigned char)b));
}

/* Greedy matching that backtracks only to the last '*': O(len(p) * len(s)) at worst, never
   exponential, so hostile patterns cannot stall a request. '?' is one byte. */
static bool wild_n(const char *p, size_t plen, const char *s, size_t slen, bool nocase)
{
	size_t pi = 0, si = 0, star = SIZE_MAX, mark = 0;
	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < plen && (p[pi] == '?' || byte_eq(p[pi], s[si], nocase))) {
			pi++;
			si++;
		} else if (star != SIZE_MAX) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

bool ar_wildcard_match(const char *pattern, const char *s, bool nocase)
{
	return wild_n(pattern, strlen(pattern), s, strlen(s), nocase);
}

/* ARN matching as IAM does it for Resource and ArnLike: the first five ':'-separated components
   (arn, partition, service, region, account) are matched one by one, so a '*' cannot spill across
   a ':' there; the resource part may contain ':' itself. A pattern with fewer components lets its
   last one match the whole remainder, so "arn:*" or "*" still mean "any ARN". */
static bool arn_match(const char *pat, const char *val)
{
	for (int i = 0; i < 5; i++) {
		const char *pc = strchr(pat, ':');
		if (!pc)
			break;
		const char *vc = strchr(val, ':');
		if (!vc || !wild_n(pat, (size_t)(pc - pat), val, (size_t)(vc - val), false))
			return false;
		pat = pc + 1;
		val = vc + 1;
	}
	return ar_wildcard_match(pat, val, false);
}

bool ar_policy_parse_number(const char *s, double *out)
{
	const char *p = s;
	if (*p == '-')
		p++;
	size_t int_digits = strspn(p, "0123456789");
	p += int_digits;
	size_t frac_digits = 0;
	if (*p == '.') {
		frac_digits = strspn(p + 1, "0123456789");
		p += 1 + frac_digits;
	}
	if (*p != '\0' || int_digits == 0 || int_digits + frac_digits > 64)
		return false;
	*out = strtod(s, NULL);
	return true;
}

static bool value_matches(const struct pol_cond *c, size_t i, const char *v)
{
	const char *p = c->values.v[i];
	double x;
	switch (c->op) {
	case POL_OP_STRING_EQ: return strcmp(p, v) == 0;
	case POL_OP_STRING_EQ_NOCASE: return strcasecmp(p, v) == 0;
	case POL_OP_STRING_LIKE: return ar_wildcard_match(p, v, false);
	case POL_OP_ARN_LIKE: return arn_match(p, v);
	case POL_OP_BOOL: return strcasecmp(p, v) == 0;
	case POL_OP_NULL: return false; /* decided on presence alone, in cond_holds */
	default: break;
	}
	if (!ar_policy_parse_number(v, &x))
		return false;
	switch (c->op) {
	case POL_OP_NUM_EQ: return x == c->nums[i];
	case POL_OP_NUM_LT: return x < c->nums[i];
	case POL_OP_NUM_LE: return x <= c->nums[i];
	case POL_OP_NUM_GT: return x > c->nums[i];
	case POL_OP_NUM_GE: return x >= c->nums[i];
	default: return false;
	}
}

/* Whether one context value satisfies the operator: values of one key are ORed, and a negated
   operator holds when the context value matches none of them. */
static bool value_satisfies(const struct pol_cond *c, const char *v)
{
	bool any = false;
	for (size_t i = 0; i < c->values.n && !any; i++)
		any = value_matches(c, i, v);
	return any != c->is_negated;
}

static bool key_is(const struct ar_cond_value *cv, const char *key)
{
	return cv->key && cv->value && strcasecmp(cv->key, key) == 0;
}

/* A context key repeated in the request is one multi-valued key (what ForAnyValue/ForAllValues
   quantify over); a plain operator holds when any value satisfies it, a negated one when all do. */
static bool cond_holds(const struct pol_cond *c, const struct ar_authz_request *req)
{
	bool any = false, all = true, present = false;
	for (size_t i = 0; i < req->n_context; i++) {
		if (!key_is(&req->context[i], c->key))
			continue;
		present = true;
		if (c->op == POL_OP_NULL)
			break;
		bool sat = value_satisfies(c, req->context[i].value);
		any |= sat;
		all &= sat;
	}
	if (c->op == POL_OP_NULL) {
		for (size_t i = 0; i < c->values.n; i++)
			if ((strcmp(c->values.v[i], "true") == 0) != present)
				return true;
		return false;
	}
	if (!present) {
		if (c->if_exists)
			return true;
		/* ForAllValues over an empty set is vacuously true, ForAnyValue false; a plain negated
		   operator ("is not equal to") holds for a key that is not there at all. */
		return c->set == POL_SET_ALL || (c->set == POL_SET_NONE && c->is_negated);
	}
	switch (c->set) {
	case POL_SET_ANY: return any;
	case POL_SET_ALL: return all;
	default: return c->is_negated ? all : any;
	}
}

static bool is_anonymous(const struct ar_authz_request *req)
{
	return !req->principal_arn && !req->principal_account;
}

/* The account field of an ARN into out[13]; false when it has none or it is not 12 digits. */
static bool arn_account(const char *arn, char out[13])
{
	const char *p = arn;
	for (int i = 0; i < 4; i++) {
		p = strchr(p, ':');
		if (!p)
			return false;
		p++;
	}
	if (strspn(p, "0123456789") != 12 || p[12] != ':')
		return false;
	memcpy(out, p, 12);
	out[12] = '\0';
	return true;
}

/* The caller's account: given, or read from its ARN. NULL when anonymous or unknown. */
static const char *principal_account(const struct ar_authz_request *req, char buf[13])
{
	if (req->principal_account)
		return req->principal_account;
	if (req->principal_arn && arn_account(req->principal_arn, buf))
		return buf;
	return NULL;
}

static bool principal_listed(const struct pol_stmt *st, const struct ar_authz_request *req)
{
	if (st->principal_any)
		return true;
	if (is_anonymous(req))
		return false;
	char buf[13];
	const char *acct = principal_account(req, buf);
	for (size_t i = 0; i < st->n_principals; i++) {
		const struct pol_principal *p = &st->principals[i];
		if (p->is_account ? acct && strcmp(acct, p->value) == 0
				  : req->principal_arn && strcmp(req->principal_arn, p->value) == 0)
			return true;
	}
	return false;
}

static bool principal_matches(const struct pol_stmt *st, const struct ar_authz_request *req)
{
	if (!st->has_principal)
		return true;
	if (!st->is_not_principal)
		return principal_listed(st, req);
	/* NotPrincipal with Allow would grant to everyone not listed, the anonymous public included;
	   anonymous access is only ever granted by an explicit "*", so it matches Deny statements only. */
	if (is_anonymous(req) && !st->is_deny)
		return false;
	return !principal_listed(st, req);
}

static bool action_matches(const struct pol_stmt *st, const char *action)
{
	bool hit = false;
	for (size_t i = 0; i < st->actions.n && !hit; i++)
		hit = ar_wildcard_match(st->actions.v[i], action, true);
	return hit != st->is_not_action;
}

static bool resource_matches(const struct pol_stmt *st, const char *resource)
{
	if (!st->has_resource)
		return true; /* a resource policy statement without Resource covers the resource it is on */
	bool hit = false;
	for (size_t i = 0; i < st->resources.n && !hit; i++) {
		const char *pat = st->resources.v[i];
		/* An account-wide request ("*", e.g. ListDomains) is named only by Resource "*". */
		hit = strcmp(resource, "*") == 0 ? strcmp(pat, "*") == 0 : arn_match(pat, resource);
	}
	return hit != st->is_not_resource;
}

static bool stmt_matches(const struct pol_stmt *st, const struct ar_authz_request *req)
{
	if (!principal_matches(st, req) || !action_matches(st, req->action) || !resource_matches(st, req->resource_arn))
		return false;
	for (size_t i = 0; i < st->n_conds; i++)
		if (!cond_holds(&st->conds[i], req))
			return false;
	return true;
}

enum ar_effect ar_policy_eval(const struct ar_policy *p, const struct ar_authz_request *req)
{
	enum ar_effect eff = AR_EFFECT_NONE;
	if (!p || !req->action || !req->resource_arn)
		return AR_EFFECT_NONE;
	for (size_t i = 0; i < p->n_stmts; i++) {
		if (!stmt_matches(&p->stmts[i], req))
			continue;
		if (p->stmts[i].is_deny)
			return AR_EFFECT_DENY;
		eff = AR_EFFECT_ALLOW;
	}
	return eff;
}

/* Evaluates every policy in a list; false as soon as one denies. */
static bool eval_all(const struct ar_authz_request *req, const struct ar_policy *const *ps, size_t n, bool *allowed)
{
	for (size_t i = 0; i < n; i++) {
		enum ar_effect e = ar_policy_eval(ps[i], req);
		if (e == AR_EFFECT_DENY)
			return false;
		if (e == AR_EFFECT_ALLOW)
			*allowed = true;
	}
	return true;
}

bool ar_authorize(const struct ar_authz_request *req, const struct ar_policy *const *identity, size_t n_identity,
		  const struct ar_policy *const *resource, size_t n_resource)
{
	bool id_allow = false, res_allow = false;
	if (!eval_all(req, identity, n_identity, &id_allow) || !eval_all(req, resource, n_resource, &res_allow))
		return false;
	/* Nobody attaches identity policies to the anonymous caller; whatever one would say, only a
	   resource policy naming "*" may let the public in. */
	if (is_anonymous(req))
		return res_allow;
	char pbuf[13], rbuf[13];
	const char *pacct = principal_account(req, pbuf);
	const char *racct = req->resource_account;
	if (!racct && req->resource_arn)
		racct = strcmp(req->resource_arn, "*") == 0    ? pacct
			: arn_account(req->resource_arn, rbuf) ? rbuf
							       : NULL;
	/* An owner we cannot tell is treated as foreign: needing both sides can only refuse more. */
	bool same_account = pacct && racct && strcmp(pacct, racct) == 0;
	return same_account ? id_allow || res_allow : id_allow && res_allow;
}
