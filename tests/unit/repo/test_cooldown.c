/* tests/unit/repo/test_cooldown.c - minimum release age from tags on repositories and package groups */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "repo/cooldown.h"
#include "repo/groups.h"
#include "repo/tags.h"
#include "policy/arn.h"

#include "db_fixture.h"

static int setup(void **state)
{
	*state = db_fixture_new(&(struct db_fixture_opts){.tag = "cooldown", .pool_size = 1, .is_in_tx = true});
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	db_fixture_free(*state);
	return 0;
}

static void test_parse(void **state)
{
	static const struct {
		const char *in;
		int64_t want; /* -1 = invalid */
	} cases[] = {
		{"0", 0},  {"90", 90},	{"90s", 90}, {"15m", 900}, {"72h", 259200}, {"3d", 259200}, {"", -1},
		{"d", -1}, {"-1d", -1}, {"3w", -1},  {"1.5h", -1}, {"99999d", -1},  {" 3d", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t got = -1;
		struct ar_err err;
		int rc = ar_cooldown_parse(&got, cases[i].in, &err);
		if (cases[i].want < 0)
			assert_int_equal(rc, AR_EINVAL);
		else {
			assert_int_equal(rc, 0);
			assert_int_equal(got, cases[i].want);
		}
	}
}

static void tag(struct db_fixture *f, const char *arn, const char *value)
{
	struct ar_err err;
	json_t *tags = json_pack("[{s:s, s:s}]", "key", AR_COOLDOWN_TAG, "value", value);
	assert_int_equal(ar_tags_set(f->c, arn, tags, &err), 0);
	json_decref(tags);
}

static void test_repository_then_group(void **state)
{
	struct db_fixture *f = *state;
	struct ar_err err;
	struct ar_repository store = *db_fixture_repo(f, "store", NULL, 0);
	int64_t s = -1;
	assert_int_equal(ar_cooldown_seconds(&s, f->c, f->a, "us-east-1", &f->d, &store, "npm", "", "lodash", &err), 0);
	assert_int_equal(s, 0);
	tag(f, ar_arn_repository(f->a, "us-east-1", f->d.owner, f->d.name, "store"), "2d");
	assert_int_equal(ar_cooldown_seconds(&s, f->c, f->a, "us-east-1", &f->d, &store, "npm", "", "lodash", &err), 0);
	assert_int_equal(s, 2 * 86400);
	/* A group's tag wins for its packages; a child group inherits its nearest tagged ancestor's. */
	struct ar_group g, child;
	assert_int_equal(ar_group_create(&g, f->c, f->a, f->d.id, "/npm/*", NULL, NULL, &err), 0);
	assert_int_equal(ar_group_create(&child, f->c, f->a, f->d.id, "/npm//lodash$", NULL, NULL, &err), 0);
	tag(f, ar_arn_package_group(f->a, "us-east-1", f->d.owner, f->d.name, "/npm/*"), "6h");
	assert_int_equal(ar_cooldown_seconds(&s, f->c, f->a, "us-east-1", &f->d, &store, "npm", "", "lodash", &err), 0);
	assert_int_equal(s, 6 * 3600);
	assert_int_equal(ar_cooldown_seconds(&s, f->c, f->a, "us-east-1", &f->d, &store, "pypi", "", "requests", &err),
			 0);
	assert_int_equal(s, 2 * 86400);
	/* TagResource refuses a malformed value. */
	json_t *bad = json_pack("[{s:s, s:s}]", "key", AR_COOLDOWN_TAG, "value", "soon");
	assert_int_equal(ar_tags_check(bad, &err), AR_EINVAL);
	json_decref(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test_setup_teardown(test_repository_then_group, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
