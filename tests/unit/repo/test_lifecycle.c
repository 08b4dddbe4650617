/* tests/unit/repo/test_lifecycle.c - the status transition table, per-version verdicts and all-or-nothing results */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/arena.h"
#include "repo/lifecycle.h"
#include "repo/package.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition_table),    cmocka_unit_test(test_valid_targets),
		cmocka_unit_test(test_error_names),	    cmocka_unit_test(test_judge),
		cmocka_unit_test(test_judge_copy),	    cmocka_unit_test(test_settle_all_or_nothing),
		cmocka_unit_test(test_add_dedups_and_caps), cmocka_unit_test(test_visibility_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
