/* tests/unit/http/test_route.c - ar_path_split: decoding and traversal rejection */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/route.h"

struct split_case {
	const char *raw;
	int want; /* segment count, or a negative ar_code */
	const char *segs[6];
};

static const struct split_case cases[] = {
	{"/", 1, {""}},
	{"/npm", 1, {"npm"}},
	{"/npm/repo/", 3, {"npm", "repo", ""}},
	{"/npm/repo/@scope%2fname", 3, {"npm", "repo", "@scope/name"}},
	{"/npm/repo/@scope%2Fname", 3, {"npm", "repo", "@scope/name"}},
	{"/pypi/r/simple/a%2Bb/", 5, {"pypi", "r", "simple", "a+b", ""}},
	{"/a/b%20c/d+e", 3, {"a", "b c", "d+e"}},
	{"/a/.hidden/..x/x..", 4, {"a", ".hidden", "..x", "x.."}},
	{"", AR_EINVAL, {0}},
	{"npm/repo", AR_EINVAL, {0}},
	{"//", AR_EINVAL, {0}},
	{"/a//b", AR_EINVAL, {0}},
	{"/a/./b", AR_EINVAL, {0}},
	{"/a/../b", AR_EINVAL, {0}},
	{"/..", AR_EINVAL, {0}},
	{"/a/..", AR_EINVAL, {0}},
	{"/a/%2e%2e/b", AR_EINVAL, {0}},
	{"/a/%2E", AR_EINVAL, {0}},
	{"/a/..%2Fetc", AR_EINVAL, {0}},
	{"/a/x%2F..%2Fy", AR_EINVAL, {0}},
	{"/a/x%2F.", AR_EINVAL, {0}},
	{"/a/%00", AR_EINVAL, {0}},
	{"/a/%zz", AR_EINVAL, {0}},
	{"/a/%2", AR_EINVAL, {0}},
	{"/1/2/3/4/5/6/7", AR_ETOOBIG, {0}},
};

static void test_split_table(void **state)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct split_case *c = &cases[i];
		struct ar_arena *a = ar_arena_new();
		const char *segs[6] = {0};
		int n = ar_path_split(a, c->raw, segs, 6);
		if (n != c->want)
			fail_msg("%s: got %d, want %d", c->raw, n, c->want);
		for (int j = 0; j < n; j++)
			if (strcmp(segs[j], c->segs[j]) != 0)
				fail_msg("%s: segment %d is \"%s\", want \"%s\"", c->raw, j, segs[j], c->segs[j]);
		ar_arena_free(a);
	}
}

static void test_split_encoded_traversal(void **state)
{
	struct ar_arena *a = ar_arena_new();
	const char *segs[4];
	/* "%2e%2e%2fetc" decodes to "../etc": one segment, but its first part is "..". */
	assert_int_equal(ar_path_split(a, "/a/%2e%2e%2fetc", segs, 4), AR_EINVAL);
	/* Exactly max segments fit. */
	assert_int_equal(ar_path_split(a, "/1/2/3/4", segs, 4), 4);
	assert_string_equal(segs[3], "4");
	assert_int_equal(ar_path_split(a, "/1/2/3/4/", segs, 4), AR_ETOOBIG);
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_table),
		cmocka_unit_test(test_split_encoded_traversal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
