/* tests/unit/repo/test_lifecycle.c - transition table, per-version verdicts, all-or-nothing results, copy search */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "repo/lifecycle.h"
#include "repo/package.h"
#include "store/blob.h"
#include "store/db.h"

#include "db_fixture.h"

#define PUB AR_ST_PUBLISHED
#define UNF AR_ST_UNFINISHED
#define UNL AR_ST_UNLISTED
#define ARC AR_ST_ARCHIVED
#define DIS AR_ST_DISPOSED
#define DEL AR_ST_DELETED

/* Every (op, from, to) the API can ask for, with the answer ref 4.3 gives. */
static const struct {
	enum ar_lc_op op;
	enum ar_vstatus from, to;
	bool allowed;
} transitions[] = {
	{AR_LC_SET_STATUS, PUB, PUB, true},
	{AR_LC_SET_STATUS, PUB, UNL, true},
	{AR_LC_SET_STATUS, PUB, ARC, true},
	{AR_LC_SET_STATUS, UNL, PUB, true},
	{AR_LC_SET_STATUS, UNL, UNL, true},
	{AR_LC_SET_STATUS, UNL, ARC, true},
	{AR_LC_SET_STATUS, ARC, PUB, true},
	{AR_LC_SET_STATUS, ARC, UNL, true},
	{AR_LC_SET_STATUS, ARC, ARC, true},
	{AR_LC_SET_STATUS, UNF, PUB, true},
	{AR_LC_SET_STATUS, UNF, UNL, true},
	{AR_LC_SET_STATUS, UNF, ARC, true},
	/* Disposed lost its assets: only delete */
	{AR_LC_SET_STATUS, DIS, PUB, false},
	{AR_LC_SET_STATUS, DIS, UNL, false},
	{AR_LC_SET_STATUS, DIS, ARC, false},
	/* never back to Unfinished, never to Disposed or Deleted by a status update */
	{AR_LC_SET_STATUS, PUB, UNF, false},
	{AR_LC_SET_STATUS, ARC, UNF, false},
	{AR_LC_SET_STATUS, PUB, DIS, false},
	{AR_LC_SET_STATUS, PUB, DEL, false},
	{AR_LC_SET_STATUS, UNL, DIS, false},
	{AR_LC_DISPOSE, PUB, DIS, true},
	{AR_LC_DISPOSE, UNF, DIS, true},
	{AR_LC_DISPOSE, UNL, DIS, true},
	{AR_LC_DISPOSE, ARC, DIS, true},
	{AR_LC_DISPOSE, DIS, DIS, true},
	{AR_LC_DELETE, PUB, DEL, true},
	{AR_LC_DELETE, UNF, DEL, true},
	{AR_LC_DELETE, UNL, DEL, true},
	{AR_LC_DELETE, ARC, DEL, true},
	{AR_LC_DELETE, DIS, DEL, true},
	{AR_LC_COPY, PUB, PUB, true},
	{AR_LC_COPY, UNL, UNL, true},
	{AR_LC_COPY, ARC, ARC, true},
	{AR_LC_COPY, UNF, UNF, true},
	{AR_LC_COPY, DIS, DIS, false},
};

static void test_transition_table(void **state)
{
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
		bool got = ar_lc_allowed(transitions[i].op, transitions[i].from, transitions[i].to);
		if (got != transitions[i].allowed)
			fail_msg("row %zu: op %d %s -> %s: got %d", i, transitions[i].op,
				 ar_status_name(transitions[i].from), ar_status_name(transitions[i].to), got);
	}
}

static void test_valid_targets(void **state)
{
	assert_true(ar_lc_target_valid(PUB));
	assert_true(ar_lc_target_valid(UNL));
	assert_true(ar_lc_target_valid(ARC));
	assert_false(ar_lc_target_valid(UNF));
	assert_false(ar_lc_target_valid(DIS));
	assert_false(ar_lc_target_valid(DEL));
}

static void test_error_names(void **state)
{
	assert_string_equal(ar_lc_error_name(AR_LC_ALREADY_EXISTS), "ALREADY_EXISTS");
	assert_string_equal(ar_lc_error_name(AR_LC_MISMATCHED_REVISION), "MISMATCHED_REVISION");
	assert_string_equal(ar_lc_error_name(AR_LC_MISMATCHED_STATUS), "MISMATCHED_STATUS");
	assert_string_equal(ar_lc_error_name(AR_LC_NOT_ALLOWED), "NOT_ALLOWED");
	assert_string_equal(ar_lc_error_name(AR_LC_NOT_FOUND), "NOT_FOUND");
	assert_string_equal(ar_lc_error_name(AR_LC_SKIPPED), "SKIPPED");
}

/* Verdicts, in the order AWS checks: existence, revision, expected status, transition. */
static const struct {
	const char *name;
	enum ar_lc_op op;
	bool exists;
	enum ar_vstatus cur;
	const char *cur_rev, *want_rev;
	bool has_expected;
	enum ar_vstatus expected, target;
	enum ar_lc_error want;
	const char *message; /* substring */
} verdicts[] = {
	{"missing", AR_LC_SET_STATUS, false, PUB, NULL, "r1", true, UNL, ARC, AR_LC_NOT_FOUND,
	 "Could not find version 1.0"},
	{"revision first", AR_LC_SET_STATUS, true, DIS, "r2", "r1", true, UNL, ARC, AR_LC_MISMATCHED_REVISION,
	 "current revision: r2, expected revision: r1"},
	{"status second", AR_LC_SET_STATUS, true, DIS, "r1", "r1", true, UNL, ARC, AR_LC_MISMATCHED_STATUS,
	 "current status: Disposed, expected status: Unlisted"},
	{"transition last", AR_LC_SET_STATUS, true, DIS, "r1", "r1", true, DIS, ARC, AR_LC_NOT_ALLOWED,
	 "cannot change from Disposed to Archived"},
	{"ok", AR_LC_SET_STATUS, true, PUB, "r1", NULL, false, PUB, UNL, AR_LC_OK, NULL},
	{"ok with checks", AR_LC_SET_STATUS, true, ARC, "r1", "r1", true, ARC, PUB, AR_LC_OK, NULL},
	{"dispose", AR_LC_DISPOSE, true, ARC, "r1", NULL, true, ARC, PUB, AR_LC_OK, NULL},
	{"dispose expected", AR_LC_DISPOSE, true, PUB, "r1", NULL, true, ARC, PUB, AR_LC_MISMATCHED_STATUS,
	 "current status: Published, expected status: Archived"},
	{"delete disposed", AR_LC_DELETE, true, DIS, "r1", "r1", false, PUB, PUB, AR_LC_OK, NULL},
	{"delete missing", AR_LC_DELETE, false, PUB, NULL, NULL, false, PUB, PUB, AR_LC_NOT_FOUND, NULL},
};

static void test_judge(void **state)
{
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++) {
		struct ar_lc_request rq = {.op = verdicts[i].op,
					   .has_expected_status = verdicts[i].has_expected,
					   .expected_status = verdicts[i].expected,
					   .target = verdicts[i].target};
		struct ar_lc_item it = {.version = "1.0", .expected_revision = verdicts[i].want_rev};
		struct ar_lc_found cur = {verdicts[i].exists, verdicts[i].cur, verdicts[i].cur_rev};
		enum ar_lc_error got = ar_lc_judge(&it, &rq, &cur, a);
		if (got != verdicts[i].want || it.error != got)
			fail_msg("%s: got %s, want %s", verdicts[i].name, ar_lc_error_name(got),
				 ar_lc_error_name(verdicts[i].want));
		if (verdicts[i].message && (!it.message || !strstr(it.message, verdicts[i].message)))
			fail_msg("%s: message '%s' lacks '%s'", verdicts[i].name, it.message ? it.message : "",
				 verdicts[i].message);
	}
	ar_arena_free(a);
}

static void test_judge_copy(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_lc_request rq = {.op = AR_LC_COPY};
	struct ar_lc_found none = {0}, src = {true, PUB, "r1"}, same = {true, PUB, "r1"}, other = {true, PUB, "r9"};
	struct ar_lc_found archived_same_rev = {true, ARC, "r1"}, disposed = {true, DIS, "r1"};
	struct ar_lc_item it = {.version = "1.0"};

	assert_int_equal(ar_lc_judge_copy(&it, &rq, &none, &none, false, a), AR_LC_NOT_FOUND);
	assert_int_equal(ar_lc_judge_copy(&it, &rq, &src, &none, false, a), AR_LC_OK);
	assert_false(it.is_unchanged);
	/* identical in the destination: success left out of both maps, even when overwriting is off */
	assert_int_equal(ar_lc_judge_copy(&it, &rq, &src, &same, false, a), AR_LC_OK);
	assert_true(it.is_unchanged);
	/* the same revision with another status is not identical */
	assert_int_equal(ar_lc_judge_copy(&it, &rq, &src, &archived_same_rev, false, a), AR_LC_ALREADY_EXISTS);
	assert_false(it.is_unchanged);
	assert_int_equal(ar_lc_judge_copy(&it, &rq, &src, &other, false, a), AR_LC_ALREADY_EXISTS);
	assert_non_null(strstr(it.message, "Version 1.0 already exists"));
	rq.allow_overwrite = true;
	assert_int_equal(ar_lc_judge_copy(&it, &rq, &src, &other, false, a), AR_LC_OK);
	assert_false(it.is_unchanged);
	/* publish=BLOCK in the destination refuses a new version, not an identical one */
	assert_int_equal(ar_lc_judge_copy(&it, &rq, &src, &none, true, a), AR_LC_NOT_ALLOWED);
	assert_int_equal(ar_lc_judge_copy(&it, &rq, &src, &same, true, a), AR_LC_OK);
	assert_int_equal(ar_lc_judge_copy(&it, &rq, &disposed, &none, false, a), AR_LC_NOT_ALLOWED);
	it.expected_revision = "r2";
	assert_int_equal(ar_lc_judge_copy(&it, &rq, &src, &none, false, a), AR_LC_MISMATCHED_REVISION);
	ar_arena_free(a);
}

static void test_settle_all_or_nothing(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_lc_item ok[3] = {{.version = "1"}, {.version = "2"}, {.version = "3", .is_unchanged = true}};
	assert_int_equal(ar_lc_settle(ok, 3, a), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ok[i].error, AR_LC_OK);
	assert_true(ok[2].is_unchanged);

	struct ar_lc_item mixed[4] = {
		{.version = "1"},
		{.version = "2", .error = AR_LC_NOT_FOUND, .message = "Could not find version 2"},
		{.version = "3", .is_unchanged = true},
		{.version = "4", .error = AR_LC_MISMATCHED_STATUS, .message = "m"},
	};
	assert_int_equal(ar_lc_settle(mixed, 4, a), 4);
	assert_int_equal(mixed[0].error, AR_LC_SKIPPED);
	assert_non_null(strstr(mixed[0].message, "Version 1 was skipped"));
	assert_int_equal(mixed[1].error, AR_LC_NOT_FOUND);
	assert_string_equal(mixed[1].message, "Could not find version 2");
	/* an unchanged copy is skipped like the rest: it is reported, not silently absent */
	assert_int_equal(mixed[2].error, AR_LC_SKIPPED);
	assert_false(mixed[2].is_unchanged);
	assert_int_equal(mixed[3].error, AR_LC_MISMATCHED_STATUS);
	assert_int_equal(ar_lc_settle(NULL, 0, a), 0);
	ar_arena_free(a);
}

static void test_add_dedups_and_caps(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_lc_request rq = {0};
	struct ar_err err = {0};
	assert_int_equal(ar_lc_add(&rq, a, "1.0", NULL, &err), 0);
	assert_int_equal(ar_lc_add(&rq, a, "2.0", NULL, &err), 0);
	assert_int_equal(ar_lc_add(&rq, a, "1.0", "rev", &err), 0);
	assert_int_equal(rq.n_items, 2);
	assert_string_equal(rq.items[0].expected_revision, "rev");
	assert_null(rq.items[1].expected_revision);
	for (int i = 2; i < AR_MAX_LC_VERSIONS; i++)
		assert_int_equal(ar_lc_add(&rq, a, ar_printf(a, "v%d", i), NULL, &err), 0);
	assert_int_equal(ar_lc_add(&rq, a, "one-too-many", NULL, &err), AR_EINVAL);
	assert_int_equal(rq.n_items, AR_MAX_LC_VERSIONS);
	ar_arena_free(a);
}

static void test_visibility_rule(void **state)
{
	/* listed, downloadable by package managers, readable through the API */
	static const struct {
		enum ar_vstatus s;
		bool listed, downloadable, api;
	} rows[] = {
		{PUB, true, true, true},    {UNL, false, true, true},	{UNF, false, false, true},
		{ARC, false, false, false}, {DIS, false, false, false}, {DEL, false, false, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(ar_status_listed(rows[i].s), rows[i].listed);
		assert_int_equal(ar_status_downloadable(rows[i].s), rows[i].downloadable);
		assert_int_equal(ar_status_api_readable(rows[i].s), rows[i].api);
	}
}

/* --- against a database: copy's upstream search and dist-tags ---------------------------------- */

static int setup(void **state)
{
	*state = db_fixture_new(&(struct db_fixture_opts){.tag = "lc", .pool_size = 1, .has_blobs = true});
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	db_fixture_free(*state);
	return 0;
}

static struct ar_repository *repo(struct db_fixture *f, const char *name, const char *upstream)
{
	struct ar_err err = {0};
	const char *ups[1] = {upstream};
	assert_int_equal(ar_dbc_begin(f->c, true, &err), 0);
	struct ar_repository *r = db_fixture_repo(f, name, ups, upstream ? 1 : 0);
	assert_int_equal(ar_dbc_commit(f->c, &err), 0);
	return r;
}

static void publish(struct db_fixture *f, const struct ar_repository *r, const char *format, const char *version)
{
	struct ar_err err = {0};
	struct ar_asset_in asset = {.name = ar_printf(f->a, "%s.tgz", version)};
	char key[65];
	assert_int_equal(ar_blob_put_mem(f->blobs, version, strlen(version), key, &err), 0);
	memcpy(asset.hashes.sha256, key, sizeof key);
	struct ar_publish_in in = {.key = {format, "", "pkg"}, .version = version, .assets = &asset, .n_assets = 1};
	struct ar_version v;
	if (ar_publish(&v, f->c, f->blobs, f->a, r, &in, &err))
		fail_msg("publish %s: %s", version, err.msg);
}

static int copy(struct db_fixture *f, const struct ar_repository *src, const struct ar_repository *dst,
		const char *format, const char *version, bool upstream, struct ar_lc_request *rq)
{
	struct ar_err err = {0};
	*rq = (struct ar_lc_request){.op = AR_LC_COPY, .key = {format, "", "pkg"}, .include_from_upstream = upstream};
	assert_int_equal(ar_lc_add(rq, f->a, version, NULL, &err), 0);
	assert_int_equal(ar_dbc_begin(f->c, true, &err), 0);
	int rc = ar_lc_copy(f->c, f->a, &f->d, src, dst, rq, &err);
	if (rc == 0)
		assert_int_equal(ar_dbc_commit(f->c, &err), 0);
	else
		ar_dbc_rollback(f->c);
	return rc;
}

/* The source counts as the first of at most 25 repositories searched, depth-first. */
static void test_copy_searches_25_repositories(void **state)
{
	struct db_fixture *f = *state;
	struct ar_repository *chain[30];
	struct ar_lc_request rq;
	for (int i = 29; i >= 0; i--)
		chain[i] = repo(f, ar_printf(f->a, "r%02d", i), i < 29 ? chain[i + 1]->name : NULL);
	struct ar_repository *dst = repo(f, "dst", NULL);
	publish(f, chain[0], "generic", "0.1"); /* the package exists in the source */
	publish(f, chain[24], "generic", "24.0");
	publish(f, chain[25], "generic", "25.0");
	assert_int_equal(copy(f, chain[0], dst, "generic", "24.0", false, &rq), 0);
	assert_int_equal(rq.items[0].error, AR_LC_NOT_FOUND);
	assert_int_equal(copy(f, chain[0], dst, "generic", "24.0", true, &rq), 0);
	assert_int_equal(rq.items[0].error, AR_LC_OK);
	assert_int_equal(copy(f, chain[0], dst, "generic", "25.0", true, &rq), 0);
	assert_int_equal(rq.items[0].error, AR_LC_NOT_FOUND);
	/* A package only beyond the limit is not found at all. */
	publish(f, chain[27], "npm", "1.0");
	assert_int_equal(copy(f, chain[0], dst, "npm", "1.0", true, &rq), AR_ENOTFOUND);
	publish(f, chain[3], "npm", "1.0");
	assert_int_equal(copy(f, chain[0], dst, "npm", "1.0", true, &rq), 0);
	assert_int_equal(rq.items[0].error, AR_LC_OK);
}

static const char *dist_tag(struct db_fixture *f, const struct ar_repository *r, const char *tag)
{
	struct ar_err err = {0};
	struct ar_package p;
	struct ar_pkg_key key = {"npm", "", "pkg"};
	struct ar_stmt *st;
	assert_int_equal(ar_pkg_get(&p, f->c, f->a, r->id, &key, &err), 0);
	assert_int_equal(
		ar_dbc_prepare(f->c, &st, "SELECT version FROM dist_tags WHERE package_id = ? AND tag = ?", &err), 0);
	ar_stmt_bind_int(st, 1, p.id);
	ar_stmt_bind_text(st, 2, tag);
	const char *v = ar_stmt_step(st, &err) == 1 ? ar_strdup(f->a, ar_stmt_text(st, 0)) : NULL;
	ar_stmt_done(st);
	return v;
}

static void set_tag(struct db_fixture *f, const struct ar_repository *r, const char *tag, const char *version)
{
	struct ar_err err = {0};
	struct ar_package p;
	struct ar_pkg_key key = {"npm", "", "pkg"};
	assert_int_equal(ar_pkg_get(&p, f->c, f->a, r->id, &key, &err), 0);
	assert_true(ar_dbc_exec(f->c, &err,
				"INSERT INTO dist_tags (package_id, tag, version) VALUES (?, ?, ?)"
				" ON CONFLICT (package_id, tag) DO UPDATE SET version = excluded.version",
				"iss", p.id, tag, version) >= 0);
}

/* npm dist-tags pointing at a copied version follow it and replace the destination's tag (ref 4.2);
   the default display version follows "latest". */
static void test_copy_moves_dist_tags(void **state)
{
	struct db_fixture *f = *state;
	struct ar_lc_request rq;
	struct ar_err err = {0};
	struct ar_repository *src = repo(f, "src", NULL), *dst = repo(f, "dst", NULL);
	publish(f, src, "npm", "1.0.0");
	publish(f, src, "npm", "2.0.0");
	publish(f, dst, "npm", "0.9.0");
	set_tag(f, src, "latest", "1.0.0");
	set_tag(f, src, "next", "2.0.0");
	set_tag(f, dst, "latest", "0.9.0");
	set_tag(f, dst, "beta", "0.9.0");
	assert_int_equal(copy(f, src, dst, "npm", "1.0.0", false, &rq), 0);
	assert_int_equal(rq.items[0].error, AR_LC_OK);
	assert_string_equal(dist_tag(f, dst, "latest"), "1.0.0");
	assert_string_equal(dist_tag(f, dst, "beta"), "0.9.0");
	assert_null(dist_tag(f, dst, "next"));

	struct ar_package p;
	struct ar_pkg_key key = {"npm", "", "pkg"};
	const char *shown;
	assert_int_equal(ar_pkg_get(&p, f->c, f->a, dst->id, &key, &err), 0);
	assert_int_equal(ar_pkg_default_version(&shown, f->c, f->a, &p, &err), 0);
	assert_string_equal(shown, "1.0.0"); /* the tag, though 0.9.0 was published later */
	/* A tag naming no version: the newest Published, by publish time, which a copy keeps. */
	set_tag(f, dst, "latest", "7.7.7");
	assert_int_equal(ar_pkg_default_version(&shown, f->c, f->a, &p, &err), 0);
	assert_string_equal(shown, "0.9.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition_table),
		cmocka_unit_test(test_valid_targets),
		cmocka_unit_test(test_error_names),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_judge_copy),
		cmocka_unit_test(test_settle_all_or_nothing),
		cmocka_unit_test(test_add_dedups_and_caps),
		cmocka_unit_test(test_visibility_rule),
		cmocka_unit_test_setup_teardown(test_copy_searches_25_repositories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_moves_dist_tags, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
