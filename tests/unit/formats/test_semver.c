/* tests/unit/formats/test_semver.c - SemVer parsing, precedence, and node-semver range semantics */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "formats/semver.h"

static void test_parse_valid(void **state)
{
	static const struct {
		const char *in;
		uint64_t major, minor, patch;
		const char *pre, *build;
	} cases[] = {
		{"0.0.0", 0, 0, 0, "", ""},
		{"1.2.3", 1, 2, 3, "", ""},
		{"10.20.30", 10, 20, 30, "", ""},
		{"1.0.0-alpha", 1, 0, 0, "alpha", ""},
		{"1.0.0-alpha.1", 1, 0, 0, "alpha.1", ""},
		{"1.0.0-0.3.7", 1, 0, 0, "0.3.7", ""},
		{"1.0.0-x.7.z.92", 1, 0, 0, "x.7.z.92", ""},
		{"1.0.0-x-y-z.--", 1, 0, 0, "x-y-z.--", ""},
		{"1.0.0-01a", 1, 0, 0, "01a", ""}, /* alphanumeric, so the leading zero is fine */
		{"1.0.0+20130313144700", 1, 0, 0, "", "20130313144700"},
		{"1.0.0-beta+exp.sha.5114f85", 1, 0, 0, "beta", "exp.sha.5114f85"},
		{"1.0.0+21AF26D3----117B344092BD", 1, 0, 0, "", "21AF26D3----117B344092BD"},
		{"1.0.0+001", 1, 0, 0, "", "001"}, /* build identifiers may have leading zeros */
		{"9007199254740991.0.0", 9007199254740991ULL, 0, 0, "", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_semver v;
		struct ar_err err = {0};
		int rc = ar_semver_parse(&v, cases[i].in, strlen(cases[i].in), false, &err);
		if (rc)
			fail_msg("%s: %s", cases[i].in, err.msg);
		assert_true(v.major == cases[i].major && v.minor == cases[i].minor && v.patch == cases[i].patch);
		assert_int_equal(v.pre.len, strlen(cases[i].pre));
		assert_memory_equal(v.pre.ptr ? v.pre.ptr : "", cases[i].pre, v.pre.len);
		assert_int_equal(v.build.len, strlen(cases[i].build));
		assert_memory_equal(v.build.ptr ? v.build.ptr : "", cases[i].build, v.build.len);
	}
}

static void test_parse_invalid(void **state)
{
	static const char *const cases[] = {
		"",
		"1",
		"1.2",
		"1.2.3.4",
		"01.2.3",
		"1.02.3",
		"1.2.03",
		"1.2.3-01",
		"1.2.3-alpha.01",
		"1.2.3-",
		"1.2.3+",
		"1.2.3-a..b",
		"1.2.3-a.",
		"1.2.3+a..b",
		"1.2.3-a_b",
		"1.2.3-é",
		" 1.2.3",
		"v1.2.3",
		"=1.2.3",
		"1.2.3 ",
		"-1.2.3",
		"1.-2.3",
		"a.b.c",
		"1.2.x",
		"9007199254740992.0.0",
		"1.99999999999999999999.0",
		"1.2.3-beta+build+more",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_semver v;
		struct ar_err err = {0};
		if (ar_semver_parse(&v, cases[i], strlen(cases[i]), false, &err) != AR_EINVAL)
			fail_msg("accepted %s", cases[i]);
		assert_int_equal(err.code, AR_EINVAL);
		assert_true(err.msg[0] != '\0');
	}
	/* bounded length: 256 bytes is the limit */
	char long_ok[AR_SEMVER_MAX_LEN + 2];
	memcpy(long_ok, "1.0.0-", 6);
	memset(long_ok + 6, 'a', AR_SEMVER_MAX_LEN - 6);
	struct ar_semver v;
	assert_int_equal(ar_semver_parse(&v, long_ok, AR_SEMVER_MAX_LEN, false, NULL), 0);
	long_ok[AR_SEMVER_MAX_LEN] = 'a';
	assert_int_equal(ar_semver_parse(&v, long_ok, AR_SEMVER_MAX_LEN + 1, false, NULL), AR_EINVAL);
	/* the length is honoured: no reading past it */
	assert_int_equal(ar_semver_parse(&v, "1.2.3garbage", 5, false, NULL), 0);
	assert_true(v.major == 1 && v.minor == 2 && v.patch == 3);
}

static void test_parse_loose_and_clean(void **state)
{
	struct ar_arena *a = ar_arena_new();
	static const struct {
		const char *in, *clean;
	} cases[] = {
		{"v1.2.3", "1.2.3"},
		{"=1.2.3", "1.2.3"},
		{"  =v1.2.3  ", "1.2.3"},
		{"\tv1.2.3-beta.1+build.5\n", "1.2.3-beta.1"},
		{"==vv2.0.0", "2.0.0"},
		{"1.2.3+build", "1.2.3"},
		{"V1.2.3", NULL}, /* npm strips only lowercase v */
		{"v 1.2.3", NULL},
		{"v01.2.3", NULL},
		{"", NULL},
		{"   ", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *c = ar_semver_clean(a, cases[i].in);
		if (cases[i].clean) {
			if (!c)
				fail_msg("clean(%s) failed", cases[i].in);
			assert_string_equal(c, cases[i].clean);
		} else if (c) {
			fail_msg("clean(%s) = %s", cases[i].in, c);
		}
	}
	assert_null(ar_semver_clean(a, NULL));
	ar_arena_free(a);
}

/* SemVer 2.0.0 section 11's example, plus the numeric-before-alphanumeric and length rules. */
static void test_precedence(void **state)
{
	static const char *const chain[] = {
		"0.0.0-0",
		"0.0.0",
		"0.9.99",
		"1.0.0-0",
		"1.0.0-0.0",
		"1.0.0-1",
		"1.0.0-2",
		"1.0.0-10",
		"1.0.0-99999999999999999999", /* beyond 2^64; compared as digits */
		"1.0.0-A",
		"1.0.0-Z",
		"1.0.0-alpha",
		"1.0.0-alpha.1",
		"1.0.0-alpha.beta",
		"1.0.0-beta",
		"1.0.0-beta.2",
		"1.0.0-beta.11",
		"1.0.0-rc.1",
		"1.0.0",
		"1.0.1",
		"1.1.0",
		"1.10.0",
		"2.0.0",
		"10.0.0",
	};
	size_t n = sizeof chain / sizeof chain[0];
	struct ar_semver v[sizeof chain / sizeof chain[0]];
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ar_semver_parse(&v[i], chain[i], strlen(chain[i]), false, NULL), 0);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = ar_semver_cmp(&v[i], &v[j]);
			int want = i < j ? -1 : i > j;
			if (c != want)
				fail_msg("cmp(%s, %s) = %d, want %d", chain[i], chain[j], c, want);
		}

	int c = 5;
	assert_true(ar_semver_cmp_str(&c, "1.0.0+a", "1.0.0+b"));
	assert_int_equal(c, 0); /* build metadata does not count */
	assert_true(ar_semver_cmp_str(&c, "v1.0.0-rc.1+x", "1.0.0"));
	assert_int_equal(c, -1);
	assert_false(ar_semver_cmp_str(&c, "1.0", "1.0.0"));
}

static void test_format(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_semver v;
	assert_int_equal(ar_semver_parse(&v, "1.2.3-rc.1+b7", 13, false, NULL), 0);
	assert_string_equal(ar_semver_format(a, &v), "1.2.3-rc.1");
	assert_int_equal(ar_semver_parse(&v, "9007199254740991.0.7", 20, false, NULL), 0);
	assert_string_equal(ar_semver_format(a, &v), "9007199254740991.0.7");
	ar_arena_free(a);
}

static void test_max_stable(void **state)
{
	const char *mixed[] = {"1.0.0", "2.0.0-beta.1", "junk", "1.5.0", "1.5.0-rc.1", NULL};
	assert_int_equal(ar_semver_max_stable(mixed, 6), 3);
	const char *pre_only[] = {"1.0.0-a", "1.0.0-b", "0.9.0-z"};
	assert_int_equal(ar_semver_max_stable(pre_only, 3), 1);
	const char *ties[] = {"1.0.0+a", "v1.0.0", "1.0.0+b"};
	assert_int_equal(ar_semver_max_stable(ties, 3), 0); /* first of equals */
	const char *bad[] = {"x", "1.0"};
	assert_int_equal(ar_semver_max_stable(bad, 2), -1);
	assert_int_equal(ar_semver_max_stable(NULL, 0), -1);
	const char *numeric[] = {"1.9.0", "1.10.0", "1.2.0"};
	assert_int_equal(ar_semver_max_stable(numeric, 3), 1); /* not string order */
}

/* Every row was checked against node-semver 7.7 (npm 11's) with Range(range).test(version). */
static const struct {
	const char *range, *version;
	bool want;
} range_cases[] = {
	/* any */
	{"", "1.2.3", true},
	{"*", "0.0.0", true},
	{"*", "1.2.3-beta", false}, /* prereleases need an explicit opt-in */
	{"latest", "5.0.0", true},
	{"x", "3.1.4", true},
	{">=0.0.0", "1.0.0", true},
	/* exact */
	{"1.2.3", "1.2.3", true},
	{"1.2.3", "1.2.3+build.1", true},
	{"1.2.3", "1.2.4", false},
	{"=1.2.3", "1.2.3", true},
	{"v1.2.3", "1.2.3", true},
	{"1.2.3-beta", "1.2.3-beta", true},
	{"1.2.3-beta", "1.2.3", false},
	/* caret */
	{"^1.2.3", "1.2.3", true},
	{"^1.2.3", "1.9.9", true},
	{"^1.2.3", "2.0.0", false},
	{"^1.2.3", "1.2.2", false},
	{"^1.2.3", "2.0.0-0", false},
	{"^1.2.3", "1.5.0-beta", false},
	{"^0.2.3", "0.2.9", true},
	{"^0.2.3", "0.3.0", false},
	{"^0.0.3", "0.0.3", true},
	{"^0.0.3", "0.0.4", false},
	{"^1.2.3-beta.2", "1.2.3-beta.11", true},
	{"^1.2.3-beta.2", "1.2.3-beta.1", false},
	{"^1.2.3-beta.2", "1.2.4-alpha", false},
	{"^1.2.3-beta.2", "1.3.0", true},
	{"^0.0.3-beta", "0.0.3", true},
	{"^0.0.3-beta", "0.0.4", false},
	{"^1.2.x", "1.9.0", true},
	{"^0.0.x", "0.0.9", true},
	{"^0.0.x", "0.1.0", false},
	{"^0.x", "0.9.0", true},
	{"^0.x", "1.0.0", false},
	{"^1.x", "1.0.0", true},
	{"^ 1.2.3", "1.3.0", true},
	{"^*", "7.0.0", true},
	/* tilde */
	{"~1.2.3", "1.2.9", true},
	{"~1.2.3", "1.3.0", false},
	{"~1.2", "1.2.0", true},
	{"~1.2", "1.3.0", false},
	{"~1", "1.9.0", true},
	{"~1", "2.0.0", false},
	{"~0.2.3", "0.2.4", true},
	{"~>1.2.3", "1.2.5", true},
	{"~ 1.2.3", "1.2.5", true},
	{"~1.2.3-beta.2", "1.2.3-beta.4", true},
	{"~1.2.3-beta.2", "1.2.4-beta.4", false},
	/* primitives */
	{">1.2.3", "1.2.4", true},
	{">1.2.3", "1.2.3", false},
	{">=1.2.3", "1.2.3", true},
	{"<1.2.3", "1.2.2", true},
	{"<1.2.3", "1.2.3-beta", false}, /* below, but a prerelease of another tuple */
	{"<=1.2.3", "1.2.3", true},
	{"> 1.2.3", "2.0.0", true},
	{">=v1.2.3", "1.2.3", true},
	{">1", "1.9.9", false},
	{">1", "2.0.0", true},
	{">1.2", "1.3.0", true},
	{">1.2", "1.2.9", false},
	{"<=1", "1.9.9", true},
	{"<=1", "2.0.0", false},
	{"<=1.2", "1.2.9", true},
	{"<1", "0.9.9", true},
	{"<1", "1.0.0", false},
	{">=1.2", "1.2.0", true},
	{">*", "1.0.0", false},
	{"<*", "0.0.0", false},
	{">=1.0.0-rc.1", "1.0.0-rc.2", true},
	{">=1.0.0-rc.1", "1.0.1-rc.1", false},
	/* x-ranges */
	{"1", "1.2.3", true},
	{"1.x", "1.0.0", true},
	{"1.x", "2.0.0", false},
	{"1.2", "1.2.7", true},
	{"1.2.x", "1.3.0", false},
	{"1.2.*", "1.2.0", true},
	{"1.2.x", "1.2.3-beta", false},
	/* hyphen */
	{"1.2.3 - 2.3.4", "1.2.3", true},
	{"1.2.3 - 2.3.4", "2.3.4", true},
	{"1.2.3 - 2.3.4", "2.3.5", false},
	{"1.2.3 - 2.3.4", "2.3.4-rc.1", false},
	{"1.2 - 2.3.4", "1.2.0", true},
	{"1.2.3 - 2.3", "2.3.9", true},
	{"1.2.3 - 2.3", "2.4.0", false},
	{"1.2.3 - 2", "2.9.0", true},
	{"1.2.3 - 2", "3.0.0", false},
	{"* - 2", "0.0.1", true},
	{"1.2.3-beta - 2.3.4-rc.1", "1.2.3-beta", true},
	{"1.2.3-beta - 2.3.4-rc.1", "2.3.4-rc.1", true},
	{"1.2.3-beta - 2.3.4-rc.1", "2.3.4-rc.2", false},
	/* intersections and unions */
	{">=1.2.3 <2.0.0", "1.9.0", true},
	{">=1.2.3 <2.0.0", "2.0.0", false},
	{">= 1.2.3 < 2", "1.5.0", true},
	{">=1.2.3-alpha <1.2.4", "1.2.3-beta", true},
	{"1.x 2.x", "1.5.0", false},
	{">1.0.0 <1.0.0", "1.0.0", false},
	{"1.2.3 || 2.x", "2.5.0", true},
	{"1.2.3 || 2.x", "1.2.4", false},
	{"1.x || >=2.5.0 || 5.0.0 - 7.2.3", "2.4.0", false},
	{"1.x || >=2.5.0 || 5.0.0 - 7.2.3", "2.5.0", true},
	{"<1.0.0 || >=2.0.0", "1.5.0", false},
	{"<1.0.0 || >=2.0.0", "3.0.0", true},
	{"1 || ", "9.9.9", true}, /* an empty set is "any" */
	/* build metadata in ranges is ignored */
	{"1.2.3+build", "1.2.3", true},
	{">=1.2.3+b <2", "1.2.3", true},
	/* whitespace */
	{"  1.2.3  ", "1.2.3", true},
	{"\t^1.2.3\n", "1.4.0", true},
};

static void test_range_table(void **state)
{
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof range_cases / sizeof range_cases[0]; i++) {
		struct ar_semver_range *r;
		struct ar_err err = {0};
		if (ar_semver_range_parse(&r, a, range_cases[i].range, strlen(range_cases[i].range), &err))
			fail_msg("range '%s': %s", range_cases[i].range, err.msg);
		struct ar_semver v;
		assert_int_equal(
			ar_semver_parse(&v, range_cases[i].version, strlen(range_cases[i].version), false, NULL), 0);
		if (ar_semver_range_test(r, &v) != range_cases[i].want)
			fail_msg("'%s' vs %s: want %d", range_cases[i].range, range_cases[i].version,
				 range_cases[i].want);
	}
	ar_arena_free(a);
}

static void test_range_invalid(void **state)
{
	static const char *const cases[] = {
		"^",
		"~",
		">=",
		"-",
		"1 - ",
		"a.b.c",
		"01.2.3",
		"1.02",
		"1.2.3.4",
		"x.1",
		"1.x.3",
		"1.2.3 | 2",
		">=1.2.3 - 2",
		"1.2.3-beta.01",
		"9007199254740992.0.0",
		"1.2.3 -",
		"latest || 1",
		"||x y|z",
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_semver_range *r;
		struct ar_err err = {0};
		if (ar_semver_range_parse(&r, a, cases[i], strlen(cases[i]), &err) != AR_EINVAL)
			fail_msg("accepted range '%s'", cases[i]);
		assert_int_equal(err.code, AR_EINVAL);
	}
	/* bounded length, and no embedded NUL */
	static char big[AR_SEMVER_RANGE_MAX_LEN + 1];
	memset(big, ' ', sizeof big);
	struct ar_semver_range *r;
	assert_int_equal(ar_semver_range_parse(&r, a, big, AR_SEMVER_RANGE_MAX_LEN, NULL), 0);
	assert_int_equal(ar_semver_range_parse(&r, a, big, sizeof big, NULL), AR_EINVAL);
	assert_int_equal(ar_semver_range_parse(&r, a, "1.2.3\0 || *", 11, NULL), AR_EINVAL);
	ar_arena_free(a);
}

static void test_satisfies_and_max_satisfying(void **state)
{
	struct ar_arena *a = ar_arena_new();
	bool ok = false;
	assert_int_equal(ar_semver_satisfies(&ok, a, "v1.4.0", "^1.2.3", NULL), 0);
	assert_true(ok);
	assert_int_equal(ar_semver_satisfies(&ok, a, "not-a-version", "*", NULL), 0);
	assert_false(ok);
	struct ar_err err = {0};
	assert_int_equal(ar_semver_satisfies(&ok, a, "1.0.0", ">=>1", &err), AR_EINVAL);
	assert_int_equal(err.code, AR_EINVAL);

	const char *versions[] = {"1.0.0", "1.2.0", "1.10.0", "2.0.0-rc.1", "2.0.0", "junk", "1.11.0-beta"};
	struct ar_semver_range *r;
	assert_int_equal(ar_semver_range_parse(&r, a, "^1.0.0", 6, NULL), 0);
	assert_int_equal(ar_semver_max_satisfying(r, versions, 7), 2);
	assert_int_equal(ar_semver_range_parse(&r, a, ">=2.0.0-rc.0", 12, NULL), 0);
	assert_int_equal(ar_semver_max_satisfying(r, versions, 7), 4);
	assert_int_equal(ar_semver_range_parse(&r, a, "^3", 2, NULL), 0);
	assert_int_equal(ar_semver_max_satisfying(r, versions, 7), -1);
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_parse_loose_and_clean),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_max_stable),
		cmocka_unit_test(test_range_table),
		cmocka_unit_test(test_range_invalid),
		cmocka_unit_test(test_satisfies_and_max_satisfying),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
