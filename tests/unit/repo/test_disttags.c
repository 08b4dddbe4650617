/* tests/unit/repo/test_disttags.c - dist-tags: set/move/get/list/remove, removal by version, change stamps */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "npm_fixture.h"
#include "repo/disttags.h"

static int setup(void **state)
{
	*state = npm_fixture_new();
	return 0;
}

static int teardown(void **state)
{
	npm_fixture_free(*state);
	return 0;
}

static int64_t stamp(struct npm_fixture *f, const char *name)
{
	struct ar_package p;
	struct ar_err err = {0};
	struct ar_pkg_key key = {.format = "npm", .ns = "", .name = name};
	assert_int_equal(ar_pkg_get(&p, f->c, f->a, f->repo.id, &key, &err), 0);
	return p.updated_ms;
}

static void with_tx(struct npm_fixture *f, bool begin)
{
	struct ar_err err = {0};
	if (begin)
		assert_int_equal(ar_dbc_begin(f->c, true, &err), 0);
	else
		assert_int_equal(ar_dbc_commit(f->c, &err), 0);
}

static void test_set_get_list(void **state)
{
	struct npm_fixture *f = *state;
	struct ar_err err = {0};
	int64_t id = npm_fixture_publish(f, NULL, "lib", "1.0.0", "one", NULL, NULL);
	npm_fixture_publish(f, NULL, "lib", "2.0.0", "two", NULL, NULL);
	struct ar_disttag *tags;
	size_t n;
	assert_int_equal(ar_disttags_list(&tags, &n, f->c, f->a, id, &err), 0);
	assert_int_equal(n, 0);

	int64_t before = stamp(f, "lib");
	with_tx(f, true);
	assert_int_equal(ar_disttags_set(f->c, id, "latest", "1.0.0", &err), 0);
	assert_int_equal(ar_disttags_set(f->c, id, "beta", "2.0.0", &err), 0);
	assert_int_equal(ar_disttags_set(f->c, id, "latest", "2.0.0", &err), 0); /* moves, no duplicate */
	with_tx(f, false);
	assert_true(stamp(f, "lib") > before);

	assert_int_equal(ar_disttags_list(&tags, &n, f->c, f->a, id, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(tags[0].tag, "beta");
	assert_string_equal(tags[0].version, "2.0.0");
	assert_string_equal(tags[1].tag, "latest");
	assert_string_equal(tags[1].version, "2.0.0");
	const char *v;
	assert_int_equal(ar_disttags_get(&v, f->c, f->a, id, "latest", &err), 0);
	assert_string_equal(v, "2.0.0");
	assert_int_equal(ar_disttags_get(&v, f->c, f->a, id, "nope", &err), AR_ENOTFOUND);
}

static void test_remove(void **state)
{
	struct npm_fixture *f = *state;
	struct ar_err err = {0};
	int64_t id = npm_fixture_publish(f, NULL, "lib", "1.0.0", "one", NULL, NULL);
	int64_t other = npm_fixture_publish(f, NULL, "other", "1.0.0", "o", NULL, NULL);
	with_tx(f, true);
	assert_int_equal(ar_disttags_set(f->c, id, "latest", "1.0.0", &err), 0);
	assert_int_equal(ar_disttags_set(f->c, id, "stable", "1.0.0", &err), 0);
	assert_int_equal(ar_disttags_set(f->c, id, "next", "9.0.0", &err), 0);
	assert_int_equal(ar_disttags_set(f->c, other, "latest", "1.0.0", &err), 0);
	with_tx(f, false);

	int64_t before = stamp(f, "lib");
	size_t removed = 99;
	with_tx(f, true);
	assert_int_equal(ar_disttags_remove(f->c, id, "next", &err), 0);
	assert_int_equal(ar_disttags_remove(f->c, id, "next", &err), AR_ENOTFOUND);
	assert_int_equal(ar_disttags_remove_version(f->c, id, "1.0.0", &removed, &err), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(ar_disttags_remove_version(f->c, id, "1.0.0", &removed, &err), 0);
	assert_int_equal(removed, 0);
	with_tx(f, false);
	assert_true(stamp(f, "lib") > before);

	struct ar_disttag *tags;
	size_t n;
	assert_int_equal(ar_disttags_list(&tags, &n, f->c, f->a, id, &err), 0);
	assert_int_equal(n, 0);
	/* Another package's tags are its own. */
	assert_int_equal(ar_disttags_list(&tags, &n, f->c, f->a, other, &err), 0);
	assert_int_equal(n, 1);
}

static void test_package_removal_takes_tags(void **state)
{
	struct npm_fixture *f = *state;
	struct ar_err err = {0};
	int64_t id = npm_fixture_publish(f, NULL, "lib", "1.0.0", "one", NULL, NULL);
	with_tx(f, true);
	assert_int_equal(ar_disttags_set(f->c, id, "latest", "1.0.0", &err), 0);
	assert_int_equal(ar_pkg_remove(f->c, id, &err), 0);
	with_tx(f, false);
	struct ar_disttag *tags;
	size_t n;
	assert_int_equal(ar_disttags_list(&tags, &n, f->c, f->a, id, &err), 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_get_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_package_removal_takes_tags, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
