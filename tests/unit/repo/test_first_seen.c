/* tests/unit/repo/test_first_seen.c - first sightings of upstream versions and files without a publish time */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "repo/first_seen.h"

#include "db_fixture.h"

#define CONN "public:npmjs"

static int setup(void **state)
{
	*state = db_fixture_new(&(struct db_fixture_opts){.tag = "firstseen", .pool_size = 1});
	return *state ? 0 : -1;
}

static int setup_tx(void **state)
{
	*state = db_fixture_new(&(struct db_fixture_opts){.tag = "firstseen", .pool_size = 1, .is_in_tx = true});
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	db_fixture_free(*state);
	return 0;
}

static const struct ar_pkg_key LODASH = {.format = "npm", .ns = "", .name = "lodash"};

/* Notes versions (NULL-ended) of k at now_ms; returns the item list (sorted, in the fixture's arena). */
static struct ar_first_seen *note(struct db_fixture *f, const char *conn, const struct ar_pkg_key *k,
				  const char *const *versions, const char *const *files, size_t *n, int64_t now_ms)
{
	struct ar_err err;
	for (*n = 0; versions[*n]; (*n)++)
		;
	struct ar_first_seen *items = ar_alloc_array(f->a, *n + 1, sizeof *items);
	for (size_t i = 0; i < *n; i++)
		items[i] = (struct ar_first_seen){.version = versions[i], .file = files ? files[i] : NULL};
	assert_int_equal(ar_first_seen_note(f->c, conn, k, items, n, now_ms, &err), 0);
	return items;
}

static int64_t seen(const struct ar_first_seen *items, size_t n, const char *version, const char *file)
{
	const struct ar_first_seen *it = ar_first_seen_find(items, n, version, file);
	assert_non_null(it);
	return it->seen_ms;
}

static void test_first_sighting_is_kept(void **state)
{
	struct db_fixture *f = *state;
	size_t n;
	uint64_t gen = ar_db_generation(f->db);
	struct ar_first_seen *it = note(f, CONN, &LODASH, (const char *[]){"2.0.0", "1.0.0", NULL}, NULL, &n, 1000);
	assert_int_equal(n, 2);
	assert_string_equal(it[0].version, "1.0.0"); /* sorted */
	assert_int_equal(seen(it, n, "1.0.0", ""), 1000);
	assert_int_equal(seen(it, n, "2.0.0", ""), 1000);
	assert_true(ar_db_generation(f->db) != gen);

	/* A later document adds 3.0.0: the others keep their first sighting. */
	it = note(f, CONN, &LODASH, (const char *[]){"1.0.0", "2.0.0", "3.0.0", NULL}, NULL, &n, 5000);
	assert_int_equal(seen(it, n, "1.0.0", ""), 1000);
	assert_int_equal(seen(it, n, "2.0.0", ""), 1000);
	assert_int_equal(seen(it, n, "3.0.0", ""), 5000);
	assert_null(ar_first_seen_find(it, n, "4.0.0", ""));

	/* Nothing new: a read, no write. */
	gen = ar_db_generation(f->db);
	it = note(f, CONN, &LODASH, (const char *[]){"3.0.0", "1.0.0", NULL}, NULL, &n, 9000);
	assert_int_equal(seen(it, n, "1.0.0", ""), 1000);
	assert_int_equal(seen(it, n, "3.0.0", ""), 5000);
	assert_int_equal(ar_db_generation(f->db), gen);

	/* An empty list touches nothing. */
	size_t zero = 0;
	struct ar_err err;
	assert_int_equal(ar_first_seen_note(f->c, CONN, &LODASH, NULL, &zero, 9000, &err), 0);
	assert_null(ar_first_seen_find(NULL, 0, "1.0.0", ""));
}

static void test_keys_are_separate(void **state)
{
	struct db_fixture *f = *state;
	size_t n;
	note(f, CONN, &LODASH, (const char *[]){"1.0.0", NULL}, NULL, &n, 1000);
	/* Another connection, namespace, name or format has its own clock. */
	struct ar_first_seen *it = note(f, "other:npm", &LODASH, (const char *[]){"1.0.0", NULL}, NULL, &n, 2000);
	assert_int_equal(seen(it, n, "1.0.0", ""), 2000);
	it = note(f, CONN, &(struct ar_pkg_key){.format = "npm", .ns = "types", .name = "lodash"},
		  (const char *[]){"1.0.0", NULL}, NULL, &n, 3000);
	assert_int_equal(seen(it, n, "1.0.0", ""), 3000);
	it = note(f, CONN, &(struct ar_pkg_key){.format = "npm", .ns = NULL, .name = "lodash-es"},
		  (const char *[]){"1.0.0", NULL}, NULL, &n, 4000);
	assert_int_equal(seen(it, n, "1.0.0", ""), 4000);
	it = note(f, CONN, &LODASH, (const char *[]){"1.0.0", NULL}, NULL, &n, 5000);
	assert_int_equal(seen(it, n, "1.0.0", ""), 1000);

	/* PyPI judges files: a file added to a known version later has its own, later clock. */
	const struct ar_pkg_key req = {.format = "pypi", .ns = "", .name = "requests"};
	note(f, "public:pypi", &req, (const char *[]){"1.0", NULL}, (const char *[]){"requests-1.0.tar.gz"}, &n, 100);
	it = note(f, "public:pypi", &req, (const char *[]){"1.0", "1.0", NULL},
		  (const char *[]){"requests-1.0-py3-none-any.whl", "requests-1.0.tar.gz"}, &n, 200);
	assert_int_equal(seen(it, n, "1.0", "requests-1.0.tar.gz"), 100);
	assert_int_equal(seen(it, n, "1.0", "requests-1.0-py3-none-any.whl"), 200);
	assert_null(ar_first_seen_find(it, n, "1.0", ""));
}

static void test_duplicates_are_one_item(void **state)
{
	struct db_fixture *f = *state;
	size_t n;
	struct ar_first_seen *it =
		note(f, CONN, &LODASH, (const char *[]){"1.0.0", "2.0.0", "1.0.0", "1.0.0", NULL}, NULL, &n, 1000);
	assert_int_equal(n, 2);
	assert_string_equal(it[0].version, "1.0.0");
	assert_string_equal(it[1].version, "2.0.0");
	it = note(f, CONN, &LODASH, (const char *[]){"1.0.0", "1.0.0", NULL}, NULL, &n, 2000);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].seen_ms, 1000);
}

/* When the sightings cannot be written, every new item counts as just seen (held back). */
static void test_failure_counts_as_seen_now(void **state)
{
	struct db_fixture *f = *state; /* a transaction is open on f->c: the note's own cannot begin */
	struct ar_first_seen items[] = {{.version = "1.0.0"}, {.version = "2.0.0"}};
	size_t n = 2;
	struct ar_err err;
	assert_int_equal(ar_first_seen_note(f->c, CONN, &LODASH, items, &n, 7000, &err), AR_ERROR);
	assert_int_equal(items[0].seen_ms, 7000);
	assert_int_equal(items[1].seen_ms, 7000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_sighting_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_are_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_are_one_item, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_counts_as_seen_now, setup_tx, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
