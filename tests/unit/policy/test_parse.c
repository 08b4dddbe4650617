/* tests/unit/policy/test_parse.c - policy documents that parse, and malformed ones with their messages */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "policy/policy.h"

#define ID  AR_POLICY_IDENTITY
#define RES AR_POLICY_RESOURCE

/* A statement body that is valid in either kind once the principal part is added. */
#define ALLOW_ALL "\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\""
#define P_ANY	  "\"Principal\":\"*\""

struct bad_case {
	enum ar_policy_kind kind;
	const char *doc;
	const char *fragment; /* must appear in the error message */
};

static const struct bad_case bad_cases[] = {
	/* Document level. */
	{ID, "", "not valid JSON"},
	{ID, "{\"Statement\": [", "not valid JSON"},
	{ID, "{'Statement': []}", "not valid JSON"},
	{ID, "[]", "must be a JSON object"},
	{ID, "\"Statement\"", "not valid JSON"},
	{ID, "{}", "Statement is required"},
	{ID, "{\"Version\":\"2012-10-17\"}", "Statement is required"},
	{ID, "{\"Statement\":[]}", "Statement must be an object or a non-empty array"},
	{ID, "{\"Statement\":\"Allow\"}", "Statement must be an object or a non-empty array"},
	{ID, "{\"Version\":\"2012-10-18\",\"Statement\":{" ALLOW_ALL "}}", "Version must be \"2012-10-17\""},
	{ID, "{\"Version\":20121017,\"Statement\":{" ALLOW_ALL "}}", "Version must be"},
	{ID, "{\"Id\":7,\"Statement\":{" ALLOW_ALL "}}", "Id must be a string"},
	{ID, "{\"Statement\":{" ALLOW_ALL "},\"Statment\":[]}", "unknown top-level key 'Statment'"},
	{ID, "{\"statement\":{" ALLOW_ALL "}}", "unknown top-level key 'statement'"},
	{ID, "{\"Statement\":[{" ALLOW_ALL "},{" ALLOW_ALL "}],\"Statement\":[]}", "not valid JSON"}, /* duplicate */
	{ID, "{\"Statement\":[{" ALLOW_ALL "}, 5]}", "Statement[1] must be an object"},

	/* Effect. */
	{ID, "{\"Statement\":[{" ALLOW_ALL "},{\"Effect\":\"allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
	 "Statement[1]: Effect must be \"Allow\" or \"Deny\""},
	{ID, "{\"Statement\":{\"Effect\":true,\"Action\":\"*\",\"Resource\":\"*\"}}",
	 "Statement[0]: Effect must be \"Allow\" or \"Deny\""},
	{ID, "{\"Statement\":{\"Action\":\"*\",\"Resource\":\"*\"}}", "Statement[0]: Effect is required"},

	/* Sid. */
	{ID, "{\"Statement\":{\"Sid\":1," ALLOW_ALL "}}", "Statement[0]: Sid must be a string"},
	{ID, "{\"Statement\":[{\"Sid\":\"A\"," ALLOW_ALL "},{\"Sid\":\"A\"," ALLOW_ALL "}]}",
	 "Statement[1]: duplicate Sid 'A'"},

	/* Action / NotAction. */
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}}",
	 "Statement[0]: Action and NotAction cannot both be present"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}",
	 "Statement[0]: Action or NotAction is required"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}}",
	 "Statement[0]: Action must be a string or a non-empty array of strings"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":{\"a\":1},\"Resource\":\"*\"}}",
	 "Statement[0]: Action must be a string or a non-empty array of strings"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"codeartifact:GetDomain\",3],\"Resource\":\"*\"}}",
	 "Statement[0]: Action[1] must be a string"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"GetDomain\",\"Resource\":\"*\"}}",
	 "Statement[0]: Action has an invalid value 'GetDomain'"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":\"codeartifact:Get Domain\",\"Resource\":\"*\"}}",
	 "Statement[0]: NotAction has an invalid value"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\":Get\",\"Resource\":\"*\"}}", "invalid value ':Get'"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"a:b:c\",\"Resource\":\"*\"}}", "invalid value 'a:b:c'"},

	/* Resource / NotResource. */
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\"}}",
	 "Statement[0]: Resource or NotResource is required in an identity policy"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"NotResource\":\"*\"}}",
	 "Statement[0]: Resource and NotResource cannot both be present"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"my-domain\"}}",
	 "Statement[0]: Resource has an invalid value 'my-domain' (expected an ARN or \"*\")"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":7}}",
	 "Statement[0]: Resource must be a string or a non-empty array"},
	{ID, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotResource\":[\"*\",null]}}",
	 "Statement[0]: NotResource[1] must be a string"},

	/* Principal / NotPrincipal. */
	{ID, "{\"Statement\":{" ALLOW_ALL "," P_ANY "}}",
	 "Statement[0]: Principal is not allowed in an identity policy"},
	{ID, "{\"Statement\":[{" ALLOW_ALL "},{" ALLOW_ALL ",\"NotPrincipal\":{\"AWS\":\"111122223333\"}}]}",
	 "Statement[1]: NotPrincipal is not allowed in an identity policy"},
	{RES, "{\"Statement\":{" ALLOW_ALL "}}",
	 "Statement[0]: Principal or NotPrincipal is required in a resource policy"},
	{RES, "{\"Statement\":{" ALLOW_ALL "," P_ANY ",\"NotPrincipal\":\"*\"}}",
	 "Statement[0]: Principal and NotPrincipal cannot both be present"},
	{RES, "{\"Statement\":{" ALLOW_ALL ",\"Principal\":\"111122223333\"}}",
	 "Statement[0]: Principal must be \"*\" or an object"},
	{RES, "{\"Statement\":{" ALLOW_ALL ",\"Principal\":[\"*\"]}}",
	 "Statement[0]: Principal must be \"*\" or an object"},
	{RES, "{\"Statement\":{" ALLOW_ALL ",\"Principal\":{\"Service\":\"codebuild.amazonaws.com\"}}}",
	 "Statement[0]: Principal has unsupported principal type 'Service'"},
	{RES, "{\"Statement\":{" ALLOW_ALL ",\"Principal\":{}}}", "Statement[0]: Principal must have an \"AWS\" key"},
	{RES, "{\"Statement\":{" ALLOW_ALL ",\"Principal\":{\"AWS\":\"alice\"}}}",
	 "Statement[0]: Principal.AWS has an invalid principal 'alice'"},
	{RES, "{\"Statement\":{" ALLOW_ALL ",\"Principal\":{\"AWS\":\"11112222333\"}}}",
	 "invalid principal '11112222333'"},
	{RES,
	 "{\"Statement\":{" ALLOW_ALL
	 ",\"Principal\":{\"AWS\":[\"111122223333\",\"arn:aws:iam::111122223333:role/x\"]}}}",
	 "invalid principal 'arn:aws:iam::111122223333:role/x'"},
	{RES, "{\"Statement\":{" ALLOW_ALL ",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:user/*\"}}}",
	 "invalid principal"},
	{RES, "{\"Statement\":{" ALLOW_ALL ",\"NotPrincipal\":{\"AWS\":[]}}}",
	 "Statement[0]: NotPrincipal.AWS must be a string or a non-empty array"},

	/* Unknown and misspelt statement keys. */
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Conditions\":{}}}", "Statement[0]: unknown key 'Conditions'"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"effect\":\"Deny\"}}", "Statement[0]: unknown key 'effect'"},

	/* Condition. */
	{ID,
	 "{\"Statement\":[{" ALLOW_ALL "},{" ALLOW_ALL "},{" ALLOW_ALL
	 ",\"Condition\":{\"StringEqualz\":{\"aws:username\":\"a\"}}}]}",
	 "Statement[2].Condition: unknown operator 'StringEqualz'"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"ForSomeValues:StringEquals\":{\"k\":\"a\"}}}}",
	 "unknown operator 'ForSomeValues:StringEquals'"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"stringequals\":{\"k\":\"a\"}}}}",
	 "unknown operator 'stringequals'"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"IfExists\":{\"k\":\"a\"}}}}",
	 "unknown operator 'IfExists'"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2020-01-01\"}}}}",
	 "unknown operator 'DateGreaterThan'"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":[]}}", "Statement[0]: Condition must be an object"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"StringEquals\":\"a\"}}}",
	 "Statement[0].Condition: operator 'StringEquals' must map to a non-empty object"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"StringEquals\":{}}}}", "must map to a non-empty object"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"StringEquals\":{\"aws:username\":{\"a\":1}}}}}",
	 "Statement[0].Condition.StringEquals: value of key 'aws:username' must be a string, boolean, number"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"StringEquals\":{\"aws:username\":[]}}}}",
	 "value of key 'aws:username' must be"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"StringEquals\":{\"aws:username\":null}}}}",
	 "value of key 'aws:username' must be"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"StringEquals\":{\"k\":[\"a\",[\"b\"]]}}}}",
	 "Statement[0].Condition.StringEquals: value 1 of key 'k' must be a string, boolean or number"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"StringEquals\":{\"\":\"a\"}}}}", "empty condition key"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"yes\"}}}}",
	 "Statement[0].Condition.Bool: value 'yes' of key 'aws:SecureTransport' must be true or false"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"Null\":{\"aws:username\":1}}}}", "must be true or false"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"NumericLessThan\":{\"n\":\"ten\"}}}}",
	 "Statement[0].Condition.NumericLessThan: value 'ten' of key 'n' is not a number"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"NumericEquals\":{\"n\":\"1e3\"}}}}",
	 "'1e3' of key 'n' is not a number"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"NullIfExists\":{\"k\":true}}}}",
	 "operator 'NullIfExists' is not supported"},
	{ID, "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{\"ForAnyValue:Null\":{\"k\":true}}}}",
	 "operator 'ForAnyValue:Null' is not supported"},
};

static void test_bad_documents(void **state)
{
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		struct ar_arena *a = ar_arena_new();
		struct ar_policy *p = NULL;
		struct ar_err err = {0};
		int rc = ar_policy_parse(&p, a, c->doc, strlen(c->doc), c->kind, &err);
		if (rc != AR_EINVAL || err.code != AR_EINVAL)
			fail_msg("case %zu: rc %d for %s", i, rc, c->doc);
		if (!strstr(err.msg, c->fragment))
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg, c->fragment);
		assert_null(p); /* nothing half-built is handed out */
		ar_arena_free(a);
	}
}

static const struct {
	enum ar_policy_kind kind;
	const char *doc;
} good_cases[] = {
	{ID, "{\"Statement\":{" ALLOW_ALL "}}"},
	{ID, "{\"Version\":\"2008-10-17\",\"Id\":\"x\",\"Statement\":[{\"Sid\":\"\"," ALLOW_ALL
	     "},{\"Sid\":\"\"," ALLOW_ALL "}]}"},
	{ID, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A1\",\"Effect\":\"Deny\",\"NotAction\":["
	     "\"codeartifact:Get*\","
	     "\"codeartifact:List?\"],\"NotResource\":[\"arn:aws:codeartifact:*:111122223333:domain/*\"]}]}"},
	{RES, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"codeartifact:*\"," P_ANY "}}"},
	{RES, "{\"Statement\":{" ALLOW_ALL
	      ",\"Principal\":{\"AWS\":[\"*\",\"111122223333\",\"arn:aws:iam::111122223333:root\","
	      "\"arn:aws:iam::444455556666:user/path/bob\"]}}}"},
	{RES, "{\"Statement\":{" ALLOW_ALL ",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111122223333:user/alice\"}}}"},
	{ID,
	 "{\"Statement\":{" ALLOW_ALL ",\"Condition\":{"
	 "\"StringEquals\":{\"aws:username\":[\"a\",\"b\"],\"aws:PrincipalAccount\":\"111122223333\"},"
	 "\"ForAllValues:StringLikeIfExists\":{\"aws:TagKeys\":\"team-*\"},"
	 "\"Bool\":{\"aws:SecureTransport\":true},\"Null\":{\"k\":\"FALSE\"},"
	 "\"NumericLessThanEquals\":{\"n\":[10,\"2.5\",-3]},\"ArnNotLikeIfExists\":{\"aws:SourceArn\":\"arn:*\"}}}}"},
};

static void test_good_documents(void **state)
{
	for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
		struct ar_arena *a = ar_arena_new();
		struct ar_policy *p = NULL;
		struct ar_err err = {0};
		int rc = ar_policy_parse(&p, a, good_cases[i].doc, strlen(good_cases[i].doc), good_cases[i].kind, &err);
		if (rc != 0)
			fail_msg("case %zu rejected: %s", i, err.msg);
		assert_non_null(p);
		ar_arena_free(a);
	}
}

/* Structural caps: 100 statements and 200 values per list are fine, one more is not. */
static char *many(struct ar_buf *b, size_t n_stmts, size_t n_actions)
{
	ar_buf_reset(b);
	ar_buf_adds(b, "{\"Statement\":[");
	for (size_t i = 0; i < n_stmts; i++) {
		ar_buf_adds(b, i ? ",{\"Effect\":\"Allow\",\"Resource\":\"*\",\"Action\":["
				 : "{\"Effect\":\"Allow\",\"Resource\":\"*\",\"Action\":[");
		for (size_t k = 0; k < n_actions; k++)
			ar_buf_printf(b, "%s\"codeartifact:A%zu\"", k ? "," : "", k);
		ar_buf_adds(b, "]}");
	}
	ar_buf_adds(b, "]}");
	return b->ptr;
}

static int parse_many(struct ar_policy **p, struct ar_arena *a, struct ar_buf *b, size_t n_stmts, size_t n_actions,
		      struct ar_err *err)
{
	const char *doc = many(b, n_stmts, n_actions);
	return ar_policy_parse(p, a, doc, b->len, AR_POLICY_IDENTITY, err);
}

static void test_limits(void **state)
{
	struct ar_buf b;
	ar_buf_init(&b, 0);
	struct ar_arena *a = ar_arena_new();
	struct ar_policy *p;
	struct ar_err err = {0};
	assert_int_equal(parse_many(&p, a, &b, 100, 1, &err), 0);
	assert_int_equal(parse_many(&p, a, &b, 101, 1, &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, "at most 100"));
	assert_int_equal(parse_many(&p, a, &b, 1, 200, &err), 0);
	assert_int_equal(parse_many(&p, a, &b, 1, 201, &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, "Statement[0]: Action has more than 200 values"));
	ar_buf_release(&b);
	ar_arena_free(a);
}

/* The length given is what is parsed, not up to a NUL. */
static void test_length_bounded(void **state)
{
	const char *doc = "{\"Statement\":{" ALLOW_ALL "}}garbage";
	struct ar_arena *a = ar_arena_new();
	struct ar_policy *p;
	struct ar_err err = {0};
	assert_int_equal(ar_policy_parse(&p, a, doc, strlen(doc) - 7, ID, &err), 0);
	assert_int_equal(ar_policy_parse(&p, a, doc, strlen(doc), ID, &err), AR_EINVAL);
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_good_documents),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_length_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
