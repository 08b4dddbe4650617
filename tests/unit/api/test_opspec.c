/* tests/unit/api/test_opspec.c - the operations table parses completely and consistently */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "api/opspec.h"

static const struct ar_op_member *find(struct ar_op_member *m, size_t n, const char *member)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].member, member) == 0)
			return &m[i];
	return NULL;
}

static void test_every_member_parses(void **state)
{
	struct ar_arena *a = ar_arena_new();
	size_t n_ops;
	const struct ar_op_info *ops = ar_ops(&n_ops);
	assert_int_equal(n_ops, 48);
	for (size_t i = 0; i < n_ops; i++) {
		size_t tokens = 0;
		for (const char *p = ops[i].members; *p; p++)
			tokens += *p != ' ' && (p == ops[i].members || p[-1] == ' ');
		struct ar_op_member *m;
		size_t n = ar_op_members(a, &ops[i], &m);
		assert_int_equal(n, tokens);
		for (size_t j = 0; j < n; j++) {
			assert_non_null(strchr("qbhr", m[j].loc));
			assert_non_null(strchr("sitlmod", m[j].type));
			assert_true(strlen(m[j].wire) > 0 && strlen(m[j].member) > 0);
		}
		assert_ptr_equal(ar_op_find(ops[i].name), &ops[i]);
		assert_ptr_equal(ar_op_find(ops[i].kebab), &ops[i]);
	}
	ar_arena_free(a);
}

static void test_renamed_and_last_members(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_op_member *m;
	size_t n = ar_op_members(a, ar_op_find("GetAuthorizationToken"), &m);
	const struct ar_op_member *d = find(m, n, "durationSeconds");
	assert_non_null(d);
	assert_string_equal(d->wire, "duration");
	assert_int_equal(d->type, 'i');
	assert_false(d->required);
	assert_true(find(m, n, "domain")->required);

	n = ar_op_members(a, ar_op_find("publish-package-version"), &m);
	assert_string_equal(find(m, n, "assetSHA256")->wire, "x-amz-content-sha256");
	assert_int_equal(find(m, n, "assetSHA256")->loc, 'h');
	assert_int_equal(find(m, n, "assetContent")->loc, 'r');
	assert_string_equal(find(m, n, "packageVersion")->wire, "version");

	n = ar_op_members(a, ar_op_find("PutDomainPermissionsPolicy"), &m);
	assert_int_equal(find(m, n, "domain")->loc, 'b');
	assert_null(ar_op_find("NoSuchOperation"));
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_member_parses),
		cmocka_unit_test(test_renamed_and_last_members),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
