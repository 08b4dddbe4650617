/* tests/unit/auth/test_token.c - authorization token mint/verify, tampering and expiry */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/token.h"
#include "core/crypto.h"

#define NOW 1700000000

static const unsigned char key[32] = "0123456789abcdef0123456789abcde";
static const unsigned char other_key[32] = "0123456789abcdef0123456789abcdX";

static struct ar_token_claims sample(const char *domain)
{
	struct ar_token_claims c;
	memset(&c, 0, sizeof c);
	snprintf(c.account_id, sizeof c.account_id, "%s", "111122223333");
	snprintf(c.principal_arn, sizeof c.principal_arn, "%s", "arn:aws:iam::111122223333:user/alice");
	snprintf(c.domain, sizeof c.domain, "%s", domain);
	snprintf(c.domain_owner, sizeof c.domain_owner, "%s", "000000000042");
	c.issued_s = NOW;
	c.expires_s = NOW + 43200;
	return c;
}

static char *mint(struct ar_arena *a, const struct ar_token_claims *c)
{
	char *tok = NULL;
	struct ar_err err = {0};
	if (ar_token_mint(&tok, a, key, c, &err) != 0)
		fail_msg("mint failed: %s", err.msg);
	return tok;
}

static int verify(const char *tok, int64_t now, struct ar_err *err)
{
	struct ar_token_claims c;
	return ar_token_verify(&c, key, tok, now, err);
}

static void test_round_trip(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_token_claims in = sample("my-domain"), out;
	char *tok = mint(a, &in);
	assert_true(strncmp(tok, "arca1.", 6) == 0);
	/* Short enough for .npmrc lines and URL userinfo. */
	assert_true(strlen(tok) < 200);
	struct ar_err err = {0};
	assert_int_equal(ar_token_verify(&out, key, tok, NOW + 1, &err), 0);
	assert_string_equal(out.account_id, "111122223333");
	assert_string_equal(out.principal_arn, "arn:aws:iam::111122223333:user/alice");
	assert_string_equal(out.domain, "my-domain");
	assert_string_equal(out.domain_owner, "000000000042"); /* leading zeros survive */
	assert_int_equal(out.issued_s, NOW);
	assert_int_equal(out.expires_s, NOW + 43200);

	/* Longest legal fields still fit under the verify bound. */
	struct ar_token_claims big = sample("a12345678901234567890123456789012345678901234567-z");
	assert_int_equal(strlen(big.domain), 50);
	big.principal_arn[0] = '\0';
	memcpy(big.principal_arn, "arn:", 4);
	memset(big.principal_arn + 4, 'x', 252);
	big.principal_arn[256] = '\0';
	tok = mint(a, &big);
	assert_true(strlen(tok) <= 2048);
	assert_int_equal(ar_token_verify(&out, key, tok, NOW, &err), 0);
	assert_string_equal(out.principal_arn, big.principal_arn);
	assert_string_equal(out.domain, big.domain);
	ar_arena_free(a);
}

static void test_expiry_boundary(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_token_claims c = sample("my-domain");
	c.expires_s = NOW + 900;
	char *tok = mint(a, &c);
	struct ar_err err = {0};
	assert_int_equal(verify(tok, NOW + 899, &err), 0);
	assert_int_equal(verify(tok, NOW + 900, &err), AR_EAUTH);
	assert_string_equal(err.msg, "token expired");
	assert_int_equal(verify(tok, INT64_MAX, &err), AR_EAUTH);
	ar_arena_free(a);
}

/* Flips one character of the token at pos to another base64url character. */
static char *flip(struct ar_arena *a, const char *tok, size_t pos)
{
	char *t = ar_strdup(a, tok);
	t[pos] = t[pos] == 'A' ? 'B' : 'A';
	return t;
}

static void test_tampering(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_token_claims c = sample("my-domain");
	char *tok = mint(a, &c);
	size_t len = strlen(tok);
	size_t dot = (size_t)(strrchr(tok, '.') - tok);
	struct ar_err err = {0};

	/* Every single-character change in the payload or the MAC is caught. */
	for (size_t i = 6; i < len; i++) {
		if (i == dot)
			continue;
		if (verify(flip(a, tok, i), NOW, &err) != AR_EAUTH)
			fail_msg("tampered token accepted at %zu", i);
		assert_string_equal(err.msg, "invalid token signature");
	}

	/* A payload for another domain spliced onto this MAC. */
	struct ar_token_claims evil = sample("other-domain");
	char *tok2 = mint(a, &evil);
	char *spliced = ar_printf(a, "%.*s%s", (int)(strrchr(tok2, '.') - tok2), tok2, strrchr(tok, '.'));
	assert_int_equal(verify(spliced, NOW, &err), AR_EAUTH);

	/* Another server's key. */
	struct ar_token_claims out;
	assert_int_equal(ar_token_verify(&out, other_key, tok, NOW, &err), AR_EAUTH);
	assert_string_equal(out.domain, ""); /* nothing leaks out of a refused token */

	/* A MAC with padding, or trailing junk, is not the minted text. */
	assert_int_equal(verify(ar_printf(a, "%s=", tok), NOW, &err), AR_EAUTH);
	assert_int_equal(verify(ar_printf(a, "%s.x", tok), NOW, &err), AR_EAUTH);
	ar_arena_free(a);
}

static void test_truncated_and_garbage(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_token_claims c = sample("my-domain");
	char *tok = mint(a, &c);
	struct ar_err err = {0};
	for (size_t n = 0; n < strlen(tok); n++)
		assert_int_equal(verify(ar_strndup(a, tok, n), NOW, &err), AR_EAUTH);

	static const char *garbage[] = {
		"",
		"arca1.",
		"arca1..",
		"arca2.AAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"arca1.AA AA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"arca1.AAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+AA",
		"Bearer xyz",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
	};
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
		assert_int_equal(verify(garbage[i], NOW, &err), AR_EAUTH);
	assert_int_equal(verify(NULL, NOW, &err), AR_EAUTH);

	/* Over the length bound: refused as malformed without computing a MAC. */
	char *huge = ar_alloc(a, 3000);
	memcpy(huge, "arca1.", 6);
	memset(huge + 6, 'A', 2993);
	assert_int_equal(verify(huge, NOW, &err), AR_EAUTH);
	assert_non_null(strstr(err.msg, "2048"));

	/* A correctly MACed but structurally wrong payload (e.g. from a future version) is refused. */
	unsigned char junk[3] = {9, 9, 9};
	char *body = ar_printf(a, "arca1.%s", ar_b64url_encode(a, junk, sizeof junk));
	unsigned char mac[32];
	ar_hmac_sha256(mac, key, 32, body, strlen(body));
	char *forged = ar_printf(a, "%s.%s", body, ar_b64url_encode(a, mac, 32));
	assert_int_equal(verify(forged, NOW, &err), AR_EAUTH);
	assert_string_equal(err.msg, "malformed token claims");
	ar_arena_free(a);
}

static void test_alphabet_is_url_safe(void **state)
{
	struct ar_arena *a = ar_arena_new();
	/* Many random keys and times exercise every base64url character position. */
	for (int i = 0; i < 200; i++) {
		struct ar_token_claims c = sample(i % 2 ? "my-domain" : "d0");
		c.issued_s = NOW + i * 7919;
		c.expires_s = c.issued_s + 900 + i;
		unsigned char k[32];
		ar_random(k, sizeof k);
		char *tok = NULL;
		assert_int_equal(ar_token_mint(&tok, a, k, &c, NULL), 0);
		for (const char *p = tok; *p; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			      *p == '.' || *p == '_' || *p == '-'))
				fail_msg("token has unsafe character '%c': %s", *p, tok);
		struct ar_token_claims out;
		assert_int_equal(ar_token_verify(&out, k, tok, c.issued_s, NULL), 0);
		assert_int_equal(out.expires_s, c.expires_s);
	}
	ar_arena_free(a);
}

static void test_domain_is_carried(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_token_claims ca = sample("domain-a"), cb = sample("domain-b"), out;
	char *ta = mint(a, &ca), *tb = mint(a, &cb);
	assert_string_not_equal(ta, tb);
	assert_int_equal(ar_token_verify(&out, key, ta, NOW, NULL), 0);
	assert_string_equal(out.domain, "domain-a");
	assert_int_equal(ar_token_verify(&out, key, tb, NOW, NULL), 0);
	assert_string_equal(out.domain, "domain-b");
	ar_arena_free(a);
}

static void test_mint_validation(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct {
		const char *field, *value;
	} bad[] = {
		{"account", "11112222333"},
		{"account", "11112222333x"},
		{"owner", ""},
		{"domain", "a"},
		{"domain", "Upper"},
		{"domain", "-lead"},
		{"domain", "trail-"},
		{"domain", "1digit"},
		{"domain", "under_score"},
		{"arn", "user/alice"},
		{"arn", "arn:aws:iam::1:user/a b"},
		{"arn", ""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ar_token_claims c = sample("my-domain");
		char *dst = strcmp(bad[i].field, "account") == 0  ? c.account_id
			    : strcmp(bad[i].field, "owner") == 0  ? c.domain_owner
			    : strcmp(bad[i].field, "domain") == 0 ? c.domain
								  : c.principal_arn;
		size_t cap = strcmp(bad[i].field, "arn") == 0	   ? sizeof c.principal_arn
			     : strcmp(bad[i].field, "domain") == 0 ? sizeof c.domain
								   : sizeof c.account_id;
		snprintf(dst, cap, "%s", bad[i].value);
		char *tok = (char *)"unchanged";
		struct ar_err err = {0};
		if (ar_token_mint(&tok, a, key, &c, &err) != AR_EINVAL)
			fail_msg("minted with bad %s '%s'", bad[i].field, bad[i].value);
		assert_null(tok);
	}
	/* Thirteen digits fill the account array without a NUL. */
	struct ar_token_claims c13 = sample("my-domain");
	memset(c13.account_id, '1', sizeof c13.account_id);
	char *t13;
	assert_int_equal(ar_token_mint(&t13, a, key, &c13, NULL), AR_EINVAL);
	/* Domain name of exactly 51 characters fills the array without a NUL. */
	struct ar_token_claims c = sample("my-domain");
	memset(c.domain, 'a', sizeof c.domain);
	char *tok;
	assert_int_equal(ar_token_mint(&tok, a, key, &c, NULL), AR_EINVAL);
	/* Over-long ARN: 257 characters, no NUL. */
	c = sample("my-domain");
	memset(c.principal_arn, 'a', sizeof c.principal_arn);
	memcpy(c.principal_arn, "arn:", 4);
	assert_int_equal(ar_token_mint(&tok, a, key, &c, NULL), AR_EINVAL);
	/* Lifetimes: empty, negative, and over 12 hours. */
	c = sample("my-domain");
	c.expires_s = c.issued_s;
	assert_int_equal(ar_token_mint(&tok, a, key, &c, NULL), AR_EINVAL);
	c.expires_s = c.issued_s - 1;
	assert_int_equal(ar_token_mint(&tok, a, key, &c, NULL), AR_EINVAL);
	c.expires_s = c.issued_s + AR_TOKEN_MAX_S + 1;
	assert_int_equal(ar_token_mint(&tok, a, key, &c, NULL), AR_EINVAL);
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_expiry_boundary),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_truncated_and_garbage),
		cmocka_unit_test(test_alphabet_is_url_safe),
		cmocka_unit_test(test_domain_is_carried),
		cmocka_unit_test(test_mint_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
