/* tests/unit/policy/test_arn.c - ARN builders, ar_arn_parse accept/reject, package group encoding */
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
#include "policy/arn.h"

#define R "us-west-2"
#define A "111122223333"

static void assert_str(struct ar_str s, const char *want)
{
	char got[256];
	assert_true(s.len < sizeof got);
	memcpy(got, s.ptr, s.len);
	got[s.len] = '\0';
	assert_string_equal(got, want);
}

static void test_builders(void **state)
{
	struct ar_arena *a = ar_arena_new();
	assert_string_equal(ar_arn_domain(a, R, A, "my-domain"),
			    "arn:aws:codeartifact:us-west-2:111122223333:domain/my-domain");
	assert_string_equal(ar_arn_repository(a, R, A, "my-domain", "my_repo"),
			    "arn:aws:codeartifact:us-west-2:111122223333:repository/my-domain/my_repo");
	assert_string_equal(ar_arn_package(a, R, A, "d", "r", "pypi", NULL, "requests"),
			    "arn:aws:codeartifact:us-west-2:111122223333:package/d/r/pypi//requests");
	assert_string_equal(ar_arn_package(a, R, A, "d", "r", "npm", "types", "node"),
			    "arn:aws:codeartifact:us-west-2:111122223333:package/d/r/npm/types/node");
	assert_string_equal(ar_arn_package(a, R, A, "d", "r", "maven", "org.apache", "commons"),
			    "arn:aws:codeartifact:us-west-2:111122223333:package/d/r/maven/org.apache/commons");
	assert_string_equal(ar_arn_user(a, A, "alice"), "arn:aws:iam::111122223333:user/alice");
	assert_string_equal(ar_arn_account_root(a, A), "arn:aws:iam::111122223333:root");
	ar_arena_free(a);
}

static void test_package_group_encoding(void **state)
{
	struct ar_arena *a = ar_arena_new();
	/* The example from the AWS documentation: the root group. */
	assert_string_equal(ar_arn_package_group(a, R, A, "my_domain", "/*"),
			    "arn:aws:codeartifact:us-west-2:111122223333:package-group/my_domain/%2a");
	/* '$' (exact match) and '%' are escaped in lowercase hex; '/', '~', '@' and '.' are left alone. */
	assert_string_equal(ar_arn_package_group(a, R, A, "d", "/npm/@scope/pkg$"),
			    "arn:aws:codeartifact:us-west-2:111122223333:package-group/d/npm/@scope/pkg%24");
	assert_string_equal(ar_arn_package_group(a, R, A, "d", "/pypi//a%b~c*"),
			    "arn:aws:codeartifact:us-west-2:111122223333:package-group/d/pypi//a%25b~c%2a");
	ar_arena_free(a);
}

static void test_parse_codeartifact(void **state)
{
	struct ar_arn arn;
	assert_int_equal(ar_arn_parse("arn:aws:codeartifact:us-west-2:111122223333:domain/my-domain", &arn), 0);
	assert_int_equal(arn.kind, AR_ARN_DOMAIN);
	assert_str(arn.partition, "aws");
	assert_str(arn.service, "codeartifact");
	assert_str(arn.region, "us-west-2");
	assert_str(arn.account, "111122223333");
	assert_str(arn.resource, "domain/my-domain");
	assert_str(arn.domain, "my-domain");
	assert_int_equal(arn.repo.len, 0);

	assert_int_equal(ar_arn_parse("arn:aws:codeartifact:eu-west-1:111122223333:repository/d/my.repo", &arn), 0);
	assert_int_equal(arn.kind, AR_ARN_REPOSITORY);
	assert_str(arn.domain, "d");
	assert_str(arn.repo, "my.repo");

	assert_int_equal(ar_arn_parse("arn:aws:codeartifact:us-west-2:111122223333:package/d/r/pypi//requests", &arn),
			 0);
	assert_int_equal(arn.kind, AR_ARN_PACKAGE);
	assert_str(arn.format, "pypi");
	assert_int_equal(arn.ns.len, 0);
	assert_str(arn.package, "requests");

	assert_int_equal(ar_arn_parse("arn:aws:codeartifact:us-west-2:111122223333:package/d/r/npm/types/node", &arn),
			 0);
	assert_str(arn.ns, "types");
	assert_str(arn.package, "node");

	assert_int_equal(
		ar_arn_parse("arn:aws:codeartifact:us-west-2:111122223333:package-group/my_domain/npm/%40s/a%24", &arn),
		0);
	assert_int_equal(arn.kind, AR_ARN_PACKAGE_GROUP);
	assert_str(arn.domain, "my_domain");
	assert_str(arn.pattern, "/npm/%40s/a%24");
	struct ar_arena *a = ar_arena_new();
	assert_string_equal(ar_arn_decode_group(a, &arn), "/npm/@s/a$");
	assert_int_equal(ar_arn_parse("arn:aws:codeartifact:us-west-2:111122223333:package-group/d/%2a", &arn), 0);
	assert_string_equal(ar_arn_decode_group(a, &arn), "/*");
	assert_int_equal(ar_arn_parse("arn:aws:codeartifact:us-west-2:111122223333:domain/d", &arn), 0);
	assert_null(ar_arn_decode_group(a, &arn));
	ar_arena_free(a);
}

static void test_parse_iam_and_others(void **state)
{
	struct ar_arn arn;
	assert_int_equal(ar_arn_parse("arn:aws:iam::111122223333:root", &arn), 0);
	assert_int_equal(arn.kind, AR_ARN_IAM_ROOT);
	assert_int_equal(arn.region.len, 0);
	assert_str(arn.account, "111122223333");

	assert_int_equal(ar_arn_parse("arn:aws:iam::111122223333:user/ops/alice", &arn), 0);
	assert_int_equal(arn.kind, AR_ARN_IAM_USER);
	assert_str(arn.user, "ops/alice");

	assert_int_equal(ar_arn_parse("arn:aws:iam::111122223333:role/admin", &arn), 0);
	assert_int_equal(arn.kind, AR_ARN_OTHER);

	/* Another service, no region or account, colons inside the resource. */
	assert_int_equal(ar_arn_parse("arn:aws:s3:::bucket/key:with:colons", &arn), 0);
	assert_int_equal(arn.kind, AR_ARN_OTHER);
	assert_str(arn.resource, "bucket/key:with:colons");
	assert_int_equal(arn.account.len, 0);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"*",
		"arn",
		"arn:aws:codeartifact:us-west-2:111122223333",
		"arn:aws:codeartifact:us-west-2:111122223333:",		/* empty resource */
		"ARN:aws:codeartifact:us-west-2:111122223333:domain/d", /* prefix is case-sensitive */
		"urn:aws:codeartifact:us-west-2:111122223333:domain/d",
		"arn::codeartifact:us-west-2:111122223333:domain/d",	     /* empty partition */
		"arn:aws::us-west-2:111122223333:domain/d",		     /* empty service */
		"arn:AWS:codeartifact:us-west-2:111122223333:domain/d",	     /* uppercase partition */
		"arn:aws:codeartifact:us-west-2:11112222333:domain/d",	     /* 11-digit account */
		"arn:aws:codeartifact:us-west-2:1111222233334:domain/d",     /* 13-digit account */
		"arn:aws:codeartifact:us-west-2:11112222333a:domain/d",	     /* non-digit account */
		"arn:aws:codeartifact::111122223333:domain/d",		     /* codeartifact needs a region */
		"arn:aws:codeartifact:us-west-2::domain/d",		     /* ...and an account */
		"arn:aws:codeartifact:us-west-2:111122223333:domain/",	     /* empty domain */
		"arn:aws:codeartifact:us-west-2:111122223333:domain/a/b",    /* extra segment */
		"arn:aws:codeartifact:us-west-2:111122223333:repository/d",  /* missing repo */
		"arn:aws:codeartifact:us-west-2:111122223333:repository/d/", /* empty repo */
		"arn:aws:codeartifact:us-west-2:111122223333:repository//r", /* empty domain */
		"arn:aws:codeartifact:us-west-2:111122223333:repository/d/r/x",
		"arn:aws:codeartifact:us-west-2:111122223333:package/d/r/pypi/requests", /* 4 segments */
		"arn:aws:codeartifact:us-west-2:111122223333:package/d/r/pypi//",	 /* empty package */
		"arn:aws:codeartifact:us-west-2:111122223333:package/d/r//ns/p",	 /* empty format */
		"arn:aws:codeartifact:us-west-2:111122223333:package-group/d",		 /* no pattern */
		"arn:aws:codeartifact:us-west-2:111122223333:package-group/d/",		 /* empty pattern */
		"arn:aws:codeartifact:us-west-2:111122223333:package-group//%2a",	 /* empty domain */
		"arn:aws:codeartifact:us-west-2:111122223333:package-group/d/%2",	 /* short escape */
		"arn:aws:codeartifact:us-west-2:111122223333:package-group/d/%zz",	 /* bad escape */
		"arn:aws:codeartifact:us-west-2:111122223333:widget/d",			 /* unknown type */
		"arn:aws:codeartifact:us-west-2:111122223333:domain/my domain",		 /* whitespace */
		"arn:aws:iam:us-east-1:111122223333:root",				 /* iam has no region */
		"arn:aws:iam:::root",							 /* ...but an account */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ar_arn arn;
		memset(&arn, 0x55, sizeof arn);
		if (ar_arn_parse(bad[i], &arn) != AR_EINVAL)
			fail_msg("accepted: '%s'", bad[i]);
		assert_int_equal(arn.kind, AR_ARN_OTHER); /* zeroed on failure */
		assert_null(arn.service.ptr);
	}
	/* Too long, though otherwise fine. */
	char longarn[AR_ARN_MAX_LEN + 64];
	int n = snprintf(longarn, sizeof longarn, "arn:aws:codeartifact:us-west-2:111122223333:domain/");
	memset(longarn + n, 'd', sizeof longarn - (size_t)n - 1);
	longarn[sizeof longarn - 1] = '\0';
	struct ar_arn arn;
	assert_int_equal(ar_arn_parse(longarn, &arn), AR_EINVAL);
}

static void test_parse_taggable(void **state)
{
	struct ar_arn arn;
	assert_int_equal(ar_arn_parse_taggable("arn:aws:codeartifact:us-west-2:111122223333:domain/d", &arn), 0);
	assert_int_equal(arn.kind, AR_ARN_DOMAIN);
	assert_int_equal(ar_arn_parse_taggable("arn:aws:codeartifact:us-west-2:111122223333:repository/d/r", &arn), 0);
	assert_str(arn.repo, "r");
	assert_int_equal(ar_arn_parse_taggable("arn:aws:codeartifact:us-west-2:111122223333:package-group/d/%2a", &arn),
			 0);
	assert_str(arn.domain, "d");
	/* Packages, principals, other services and garbage are not taggable. */
	assert_int_equal(
		ar_arn_parse_taggable("arn:aws:codeartifact:us-west-2:111122223333:package/d/r/pypi//requests", &arn),
		AR_EINVAL);
	assert_int_equal(arn.kind, AR_ARN_OTHER);
	assert_int_equal(ar_arn_parse_taggable("arn:aws:iam::111122223333:user/alice", &arn), AR_EINVAL);
	assert_int_equal(ar_arn_parse_taggable("arn:aws:s3:::bucket", &arn), AR_EINVAL);
	assert_int_equal(ar_arn_parse_taggable("not an arn", &arn), AR_EINVAL);
}

/* What the builders produce, the parser takes apart again. */
static void test_roundtrip(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_arn arn;
	assert_int_equal(ar_arn_parse(ar_arn_package_group(a, R, A, "dom", "/maven/org.x/*"), &arn), 0);
	assert_int_equal(arn.kind, AR_ARN_PACKAGE_GROUP);
	assert_string_equal(ar_arn_decode_group(a, &arn), "/maven/org.x/*");
	assert_int_equal(ar_arn_parse(ar_arn_user(a, A, "bob"), &arn), 0);
	assert_int_equal(arn.kind, AR_ARN_IAM_USER);
	assert_str(arn.user, "bob");
	assert_int_equal(ar_arn_parse(ar_arn_package(a, R, A, "d", "r", "npm", NULL, "left-pad"), &arn), 0);
	assert_str(arn.package, "left-pad");
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builders),	   cmocka_unit_test(test_package_group_encoding),
		cmocka_unit_test(test_parse_codeartifact), cmocka_unit_test(test_parse_iam_and_others),
		cmocka_unit_test(test_parse_rejects),	   cmocka_unit_test(test_parse_taggable),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
