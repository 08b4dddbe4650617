/* tests/unit/repo/test_npm_index.c - npm read queries: versions with their tarball, readme, tarball lookup, search */
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

static void tag_latest(struct npm_fixture *f, int64_t id, const char *version)
{
	struct ar_err err = {0};
	assert_int_equal(ar_dbc_begin(f->c, true, &err), 0);
	assert_int_equal(ar_disttags_set(f->c, id, "latest", version, &err), 0);
	assert_int_equal(ar_dbc_commit(f->c, &err), 0);
}

static void test_versions_and_readme(void **state)
{
	struct npm_fixture *f = *state;
	struct ar_err err = {0};
	int64_t id = npm_fixture_publish(f, "scope", "lib", "1.0.0", "first bytes", "d1", "{\"a\":1}");
	npm_fixture_publish(f, "scope", "lib", "1.1.0", "second bytes", "d2", NULL);
	struct ar_npm_entry *v;
	size_t n;
	assert_int_equal(ar_npm_index_versions(&v, &n, f->c, f->a, id, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].version, "1.0.0");
	assert_string_equal(v[1].version, "1.1.0");
	assert_int_equal(v[0].status, AR_ST_PUBLISHED);
	assert_string_equal(v[0].attrs, "{\"a\":1}");
	assert_null(v[1].attrs);
	assert_true(v[0].has_tarball);
	assert_int_equal(v[0].size, 11);
	struct ar_hasher *h = ar_hasher_new();
	struct ar_hashes hs;
	ar_hasher_update(h, "first bytes", 11);
	ar_hasher_final(h, &hs);
	assert_string_equal(v[0].sha1, hs.sha1);
	assert_string_equal(v[0].sha512, hs.sha512);

	const char *readme;
	assert_int_equal(ar_npm_index_readme(&readme, f->c, f->a, id, "1.1.0", &err), 0);
	assert_string_equal(readme, "readme of 1.1.0");
	assert_int_equal(ar_npm_index_readme(&readme, f->c, f->a, id, "9.9.9", &err), AR_ENOTFOUND);
}

static void test_tarball_lookup(void **state)
{
	struct npm_fixture *f = *state;
	struct ar_err err = {0};
	npm_fixture_publish(f, "scope", "lib", "1.0.0", "scoped bytes", NULL, NULL);
	npm_fixture_publish(f, NULL, "lib", "1.0.0", "plain bytes", NULL, NULL);
	enum ar_vstatus st;
	struct ar_asset asset;
	assert_int_equal(ar_npm_index_tarball(&st, &asset, f->c, f->a, f->repo.id, "scope", "lib", "1.0.0", &err), 0);
	assert_int_equal(st, AR_ST_PUBLISHED);
	assert_int_equal(asset.size, 12);
	assert_string_equal(asset.name, AR_NPM_ASSET);
	struct ar_asset plain;
	assert_int_equal(ar_npm_index_tarball(&st, &plain, f->c, f->a, f->repo.id, NULL, "lib", "1.0.0", &err), 0);
	assert_int_equal(plain.size, 11);
	assert_string_not_equal(plain.sha256, asset.sha256);
	assert_int_equal(ar_npm_index_tarball(&st, &plain, f->c, f->a, f->repo.id, NULL, "lib", "2.0.0", &err),
			 AR_ENOTFOUND);
	assert_int_equal(ar_npm_index_tarball(&st, &plain, f->c, f->a, f->repo.id, "other", "lib", "1.0.0", &err),
			 AR_ENOTFOUND);
	assert_int_equal(ar_npm_index_tarball(&st, &plain, f->c, f->a, f->repo.id + 1, NULL, "lib", "1.0.0", &err),
			 AR_ENOTFOUND);
}

static void test_search(void **state)
{
	struct npm_fixture *f = *state;
	struct ar_err err = {0};
	tag_latest(f, npm_fixture_publish(f, NULL, "alpha", "1.0.0", "a", "Parses TEXT", "{\"keywords\":[\"yaml\"]}"),
		   "1.0.0");
	tag_latest(f, npm_fixture_publish(f, "team", "beta", "2.0.0", "b", "100% pure", NULL), "2.0.0");
	tag_latest(f, npm_fixture_publish(f, NULL, "under_score", "1.0.0", "c", NULL, NULL), "1.0.0");
	npm_fixture_publish(f, NULL, "untagged", "1.0.0", "d", "text", NULL); /* no latest: not offered */

	struct ar_npm_search_row *rows;
	size_t n;
	bool more;
	assert_int_equal(ar_npm_index_search(&rows, &n, &more, f->c, f->a, f->repo.id, "", 10, &err), 0);
	assert_int_equal(n, 3);
	assert_false(more);
	assert_string_equal(rows[0].display_name, "@team/beta");
	assert_string_equal(rows[0].ns, "team");
	assert_string_equal(rows[1].display_name, "alpha");
	assert_string_equal(rows[1].ns, "");
	assert_string_equal(rows[1].summary, "Parses TEXT");

	/* Case-insensitive, in the name, the description or the manifest. */
	assert_int_equal(ar_npm_index_search(&rows, &n, &more, f->c, f->a, f->repo.id, "text", 10, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].display_name, "alpha");
	assert_int_equal(ar_npm_index_search(&rows, &n, &more, f->c, f->a, f->repo.id, "YAML", 10, &err), 0);
	assert_int_equal(n, 1);
	/* LIKE wildcards in the text are literal. */
	assert_int_equal(ar_npm_index_search(&rows, &n, &more, f->c, f->a, f->repo.id, "100%", 10, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].display_name, "@team/beta");
	assert_int_equal(ar_npm_index_search(&rows, &n, &more, f->c, f->a, f->repo.id, "r_s", 10, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].display_name, "under_score");
	assert_int_equal(ar_npm_index_search(&rows, &n, &more, f->c, f->a, f->repo.id, "%", 10, &err), 0);
	assert_int_equal(n, 1);
	/* Bounded. */
	assert_int_equal(ar_npm_index_search(&rows, &n, &more, f->c, f->a, f->repo.id, "", 2, &err), 0);
	assert_int_equal(n, 2);
	assert_true(more);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_versions_and_readme, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tarball_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
