/* tests/unit/formats/test_dp_memo.c - the precheck memo: exact token match, expiry, generations, per thread */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "formats/dp_memo.h"

static int clear(void **state)
{
	(void)state;
	ar_dp_memo_clear();
	return 0;
}

static struct ar_token_claims claims_for(const char *user, int64_t expires_s)
{
	struct ar_token_claims c;
	memset(&c, 0, sizeof c);
	snprintf(c.account_id, sizeof c.account_id, "111122223333");
	snprintf(c.principal_arn, sizeof c.principal_arn, "arn:aws:iam::111122223333:user/%s", user);
	snprintf(c.domain, sizeof c.domain, "d");
	snprintf(c.domain_owner, sizeof c.domain_owner, "111122223333");
	c.expires_s = expires_s;
	return c;
}

static void test_claims_exact_token_until_expiry(void **state)
{
	(void)state;
	struct ar_token_claims c = claims_for("alice", 1000), got;
	ar_dp_memo_claims_put("arca1.payload.mac1", &c);
	assert_true(ar_dp_memo_claims(&got, "arca1.payload.mac1", 999));
	assert_string_equal(got.principal_arn, c.principal_arn);
	/* Same length, one character off; a prefix; a longer token: none of them is vouched for. */
	assert_false(ar_dp_memo_claims(&got, "arca1.payload.mac2", 999));
	assert_false(ar_dp_memo_claims(&got, "arca1.payload.mac", 999));
	assert_false(ar_dp_memo_claims(&got, "arca1.payload.mac10", 999));
	/* Expired: not returned, whatever was verified before. */
	assert_false(ar_dp_memo_claims(&got, "arca1.payload.mac1", 1000));
}

static void test_claims_bounded(void **state)
{
	(void)state;
	char tok[32];
	struct ar_token_claims c = claims_for("bob", 1000), got;
	for (int i = 0; i < 100; i++) {
		snprintf(tok, sizeof tok, "arca1.t.%03d", i);
		ar_dp_memo_claims_put(tok, &c);
	}
	assert_true(ar_dp_memo_claims(&got, "arca1.t.099", 1));	 /* the newest stays */
	assert_false(ar_dp_memo_claims(&got, "arca1.t.000", 1)); /* the oldest went */
}

static void test_rows_follow_generation(void **state)
{
	(void)state;
	const char *ups[] = {"up1", "up2"};
	struct ar_external_conn ext = {"public:npmjs", "npm"};
	struct ar_domain d = {.id = 7, .owner = "111122223333", .name = "dom", .policy = "{\"p\":1}"};
	struct ar_repository r = {.id = 9,
				  .name = "repo",
				  .description = "x",
				  .upstreams = (const char **)ups,
				  .n_upstreams = 2,
				  .externals = &ext,
				  .n_externals = 1};
	ar_dp_memo_rows_put(5, &d, &r);

	struct ar_arena *a = ar_arena_new();
	struct ar_domain gd;
	struct ar_repository gr;
	assert_true(ar_dp_memo_rows(&gd, &gr, a, 5, "111122223333", "dom", "repo"));
	assert_int_equal(gd.id, 7);
	assert_string_equal(gd.policy, "{\"p\":1}");
	assert_null(gd.policy_revision);
	assert_int_equal(gr.id, 9);
	assert_int_equal(gr.n_upstreams, 2);
	assert_string_equal(gr.upstreams[1], "up2");
	assert_string_equal(gr.externals[0].name, "public:npmjs");
	assert_string_equal(gr.domain_name, "dom");
	assert_ptr_not_equal(gr.upstreams[0], ups[0]); /* a copy in the caller's arena */

	assert_false(ar_dp_memo_rows(&gd, &gr, a, 6, "111122223333", "dom", "repo")); /* a write happened */
	assert_false(ar_dp_memo_rows(&gd, &gr, a, 5, "111122223333", "dom", "rep"));
	assert_false(ar_dp_memo_rows(&gd, &gr, a, 5, "111122223333", "do", "mrepo"));
	assert_false(ar_dp_memo_rows(&gd, &gr, a, 5, "111122223334", "dom", "repo"));
	ar_arena_free(a);
}

static void test_decisions(void **state)
{
	(void)state;
	struct ar_err err = {0};
	int rc = -99;
	const char *res = "arn:aws:codeartifact:us-east-1:111122223333:package/dom/repo/npm//left-pad";
	ar_dp_memo_decision_put(3, "arn:u", "codeartifact:ReadFromRepository", res, 0, NULL);
	assert_true(ar_dp_memo_decision(&rc, &err, 3, "arn:u", "codeartifact:ReadFromRepository", res));
	assert_int_equal(rc, 0);
	assert_false(ar_dp_memo_decision(&rc, &err, 4, "arn:u", "codeartifact:ReadFromRepository", res));
	assert_false(ar_dp_memo_decision(&rc, &err, 3, "", "codeartifact:ReadFromRepository", res));
	assert_false(ar_dp_memo_decision(&rc, &err, 3, "arn:u", "codeartifact:PublishPackageVersion", res));

	struct ar_err denied = {0};
	ar_fail(&denied, AR_EDENIED, "User: arn:v is not authorized");
	ar_dp_memo_decision_put(3, "arn:v", "codeartifact:ReadFromRepository", res, AR_EDENIED, &denied);
	assert_true(ar_dp_memo_decision(&rc, &err, 3, "arn:v", "codeartifact:ReadFromRepository", res));
	assert_int_equal(rc, AR_EDENIED);
	assert_string_equal(err.msg, "User: arn:v is not authorized");
}

static void test_values(void **state)
{
	(void)state;
	struct {
		int a;
		char b[8];
	} v = {42, "sha"}, got;
	ar_dp_memo_value_put(8, "npm-tgz\n1\n\nx\n1.0.0", &v, sizeof v);
	assert_true(ar_dp_memo_value(&got, sizeof got, 8, "npm-tgz\n1\n\nx\n1.0.0"));
	assert_int_equal(got.a, 42);
	assert_string_equal(got.b, "sha");
	assert_false(ar_dp_memo_value(&got, sizeof got, 9, "npm-tgz\n1\n\nx\n1.0.0"));
	assert_false(ar_dp_memo_value(&got, sizeof got, 8, "npm-tgz\n1\n\nx\n1.0.1"));
	assert_false(ar_dp_memo_value(&got, sizeof got - 1, 8, "npm-tgz\n1\n\nx\n1.0.0"));
	char big[AR_DP_MEMO_VALUE_MAX + 1] = {0};
	ar_dp_memo_value_put(8, "big", big, sizeof big); /* refused: too big */
	assert_false(ar_dp_memo_value(big, sizeof big, 8, "big"));
}

static void *other_thread(void *arg)
{
	struct ar_token_claims got;
	*(bool *)arg = ar_dp_memo_claims(&got, "arca1.shared.mac", 1);
	return NULL;
}

static void test_per_thread(void **state)
{
	(void)state;
	struct ar_token_claims c = claims_for("carol", 1000);
	ar_dp_memo_claims_put("arca1.shared.mac", &c);
	bool seen = true;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, other_thread, &seen), 0);
	pthread_join(t, NULL);
	assert_false(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_claims_exact_token_until_expiry, clear),
		cmocka_unit_test_setup(test_claims_bounded, clear),
		cmocka_unit_test_setup(test_rows_follow_generation, clear),
		cmocka_unit_test_setup(test_decisions, clear),
		cmocka_unit_test_setup(test_values, clear),
		cmocka_unit_test_setup(test_per_thread, clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
