/* tests/unit/repo/test_resolve.c - upstream search order and retention */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "repo/resolve.h"

#include "db_fixture.h"

static int setup(void **state)
{
	*state = db_fixture_new(&(struct db_fixture_opts){.tag = "resolve", .pool_size = 1, .is_in_tx = true});
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	db_fixture_free(*state);
	return 0;
}

static void test_documented_order(void **state)
{
	struct db_fixture *f = *state;
	db_fixture_repo(f, "EE", NULL, 0);
	db_fixture_repo(f, "CC", NULL, 0);
	const char *d_ups[] = {"EE"};
	db_fixture_repo(f, "DD", d_ups, 1);
	db_fixture_repo(f, "BB", NULL, 0);
	const char *a_ups[] = {"CC", "DD"};
	db_fixture_repo(f, "AA", a_ups, 2);
	const char *my_ups[] = {"AA", "BB"};
	struct ar_repository *my = db_fixture_repo(f, "my_repo", my_ups, 2);
	const struct ar_repository **order;
	size_t n;
	struct ar_err err;
	assert_int_equal(ar_resolve_order(&order, &n, f->c, f->a, &f->d, my, true, &err), 0);
	const char *want[] = {"my_repo", "AA", "CC", "DD", "EE", "BB"};
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(order[i]->name, want[i]);
	assert_int_equal(ar_resolve_order(&order, &n, f->c, f->a, &f->d, my, false, &err), 0);
	assert_int_equal(n, 1);
}

static void test_shared_dangling_and_cap(void **state)
{
	struct db_fixture *f = *state;
	struct ar_err err;
	/* A diamond: "base" is reachable twice but listed once; a dangling name is passed over. */
	db_fixture_repo(f, "base", NULL, 0);
	const char *ups[] = {"base"};
	db_fixture_repo(f, "left", ups, 1);
	db_fixture_repo(f, "right", ups, 1);
	db_fixture_repo(f, "gone", NULL, 0);
	const char *top_ups[] = {"left", "gone", "right"};
	struct ar_repository *top = db_fixture_repo(f, "top", top_ups, 3);
	struct ar_repository gone;
	assert_int_equal(ar_repo_get(&gone, f->c, f->a, &f->d, "gone", &err), 0);
	assert_int_equal(ar_repo_delete(f->c, &gone, &err), 0);
	assert_int_equal(ar_repo_get(top, f->c, f->a, &f->d, "top", &err), 0);
	const struct ar_repository **order;
	size_t n;
	assert_int_equal(ar_resolve_order(&order, &n, f->c, f->a, &f->d, top, true, &err), 0);
	const char *want[] = {"top", "left", "base", "right"};
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(order[i]->name, want[i]);

	/* A chain of 30 repositories is searched only 25 deep. */
	char names[30][8];
	const char *prev[1];
	for (int i = 0; i < 30; i++) {
		snprintf(names[i], sizeof names[i], "c%02d", i);
		prev[0] = i ? names[i - 1] : NULL;
		db_fixture_repo(f, names[i], prev, i ? 1 : 0);
	}
	struct ar_repository last;
	assert_int_equal(ar_repo_get(&last, f->c, f->a, &f->d, "c29", &err), 0);
	assert_int_equal(ar_resolve_order(&order, &n, f->c, f->a, &f->d, &last, true, &err), 0);
	assert_int_equal(n, AR_MAX_UPSTREAM_SEARCH);
	assert_string_equal(order[24]->name, "c05");
}

static void test_external_and_retention(void **state)
{
	struct db_fixture *f = *state;
	struct ar_err err;
	struct ar_repository *store = db_fixture_repo(f, "store", NULL, 0);
	assert_int_equal(ar_repo_add_external(store, f->c, f->a, &f->d, "public:npmjs", &err), 0);
	const char *ups[] = {"store"};
	struct ar_repository *app = db_fixture_repo(f, "app", ups, 1);
	const struct ar_repository **order;
	size_t n;
	const char *conn;
	assert_int_equal(ar_resolve_order(&order, &n, f->c, f->a, &f->d, app, true, &err), 0);
	assert_ptr_equal(ar_resolve_external(order, n, "npm", &conn), order[1]);
	assert_string_equal(conn, "public:npmjs");
	assert_null(ar_resolve_external(order, n, "pypi", &conn));

	/* A version that entered "store" from outside, retained into "app". */
	struct ar_package src;
	struct ar_pkg_key key = {"npm", "", "left-pad"};
	assert_int_equal(ar_pkg_create(&src, f->c, f->a, store->id, &key, "left-pad", "BLOCK", "ALLOW", &err), 0);
	int64_t n_rows =
		ar_dbc_exec(f->c, &err,
			    "INSERT INTO package_versions (id, package_id, version, revision, status, origin_type,"
			    " entry_external, published_ms, updated_ms) VALUES (1, ?, '1.0.0', 'r1', 'Published',"
			    " 'EXTERNAL', 'public:npmjs', ?, ?)",
			    "iii", src.id, ar_now_ms(), ar_now_ms());
	assert_int_equal(n_rows, 1);
	struct ar_version from, kept;
	assert_int_equal(ar_version_get(&from, f->c, f->a, src.id, "1.0.0", &err), 0);
	assert_int_equal(ar_retain_version(&kept, f->c, f->a, app, &src, &from, true, &err), 0);
	assert_string_equal(kept.origin_type, "EXTERNAL");
	assert_string_equal(kept.revision, "r1");
	struct ar_package dst;
	assert_int_equal(ar_pkg_get(&dst, f->c, f->a, app->id, &key, &err), 0);
	assert_string_equal(dst.origin_publish, "BLOCK");
	assert_string_equal(dst.origin_upstream, "ALLOW");
	/* Retaining again leaves the version as it is. */
	assert_int_equal(ar_retain_version(&kept, f->c, f->a, app, &src, &from, true, &err), 0);
	/* A package closed to upstreams refuses. */
	assert_int_equal(ar_pkg_set_origin(f->c, dst.id, "ALLOW", "BLOCK", &err), 0);
	struct ar_repository *other = db_fixture_repo(f, "other", ups, 1);
	assert_int_equal(ar_pkg_create(&dst, f->c, f->a, other->id, &key, "left-pad", "ALLOW", "BLOCK", &err), 0);
	assert_int_equal(ar_retain_version(&kept, f->c, f->a, other, &src, &from, false, &err), AR_EDENIED);
	assert_non_null(strstr(err.msg, "upstream=BLOCK"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_documented_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_dangling_and_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_external_and_retention, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
