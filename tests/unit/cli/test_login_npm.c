/* tests/unit/cli/test_login_npm.c - .npmrc and .yarnrc.yml editing for arca login --tool npm|pnpm|yarn */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli/login_npm.h"

#define EP  "http://127.0.0.1:8080/d-123456789012/npm/r/"
#define TOK "arca1.TOKEN"

static void test_nerf_dart(void **state)
{
	struct ar_arena *a = ar_arena_new();
	assert_string_equal(ar_login_npm_nerf_dart(a, EP), "//127.0.0.1:8080/d-123456789012/npm/r/");
	assert_string_equal(ar_login_npm_nerf_dart(a, "https://h.example/x"), "//h.example/x/");
	ar_arena_free(a);
}

static void test_scope(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_err err = {0};
	const char *s;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"acme", "@acme"}, {"@acme", "@acme"}, {"a-b.c_d~e", "@a-b.c_d~e"},
		{"0day", "@0day"}, {"", NULL},	       {"@", NULL},
		{"Acme", NULL},	   {"a/b", NULL},      {".dot", NULL},
		{"sp ace", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = ar_login_npm_scope(&s, a, cases[i].in, &err);
		if (cases[i].out) {
			assert_int_equal(rc, 0);
			assert_string_equal(s, cases[i].out);
		} else {
			assert_int_equal(rc, AR_EINVAL);
		}
	}
	ar_arena_free(a);
}

static void test_npmrc(void **state)
{
	struct ar_arena *a = ar_arena_new();
	const char *keys[] = {"registry", "//h/r/:_authToken"};
	const char *values[] = {EP, TOK};
	static const struct {
		const char *old, *want;
	} cases[] = {
		{NULL, "registry=" EP "\n//h/r/:_authToken=" TOK "\n"},
		{"", "registry=" EP "\n//h/r/:_authToken=" TOK "\n"},
		/* in place, others kept, comments kept, CRLF normalised, no final newline handled */
		{"fund=false\r\nregistry = http://old/\r\n# registry=x\n; c\nsave=true",
		 "fund=false\nregistry=" EP "\n# registry=x\n; c\nsave=true\n//h/r/:_authToken=" TOK "\n"},
		/* duplicates of our keys collapse into the first */
		{"//h/r/:_authToken=old\nregistry=a\nregistry=b\n//h/r/:_authToken=older\n",
		 "//h/r/:_authToken=" TOK "\nregistry=" EP "\n"},
		/* another registry's token is not ours */
		{"//other/:_authToken=x\n", "//other/:_authToken=x\nregistry=" EP "\n//h/r/:_authToken=" TOK "\n"},
		{"@acme:registry=x\n", "@acme:registry=x\nregistry=" EP "\n//h/r/:_authToken=" TOK "\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(ar_login_npm_merge_npmrc(a, cases[i].old, keys, values, 2), cases[i].want);
	ar_arena_free(a);
}

static void test_yarnrc(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_err err = {0};
	static const struct {
		const char *old, *scope, *endpoint, *want;
	} cases[] = {
		{NULL, NULL, EP,
		 "npmRegistryServer: \"" EP "\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"" TOK "\"\n"
		 "unsafeHttpWhitelist:\n  - \"127.0.0.1\"\n"},
		{NULL, NULL, "https://r.example/npm/r/",
		 "npmRegistryServer: \"https://r.example/npm/r/\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"" TOK "\"\n"},
		/* existing values replaced in place, nested junk under a replaced key dropped, comments kept */
		{"# top\nnpmAuthToken: old # c\nenableTelemetry: false\nnpmRegistryServer:\n  weird: 1\n", NULL,
		 "https://r/",
		 "# top\nnpmAuthToken: \"" TOK "\"\nenableTelemetry: false\nnpmRegistryServer: \"https://r/\"\n"
		 "npmAlwaysAuth: true\n"},
		/* a scope goes under npmScopes, other scopes kept, ours replaced */
		{"npmScopes:\n    other:\n        npmRegistryServer: x\n    acme:\n        npmAuthToken: old\n"
		 "        npmAlwaysAuth: false\nlast: 1\n",
		 "acme", "https://r/",
		 "npmScopes:\n    other:\n        npmRegistryServer: x\n    acme:\n"
		 "        npmRegistryServer: \"https://r/\"\n        npmAlwaysAuth: true\n"
		 "        npmAuthToken: \"" TOK "\"\nlast: 1\n"},
		/* in place when it is not last; duplicates of it go */
		{"npmScopes:\n  acme:\n    npmAuthToken: old\n  other:\n    x: 1\n  acme:\n    y: 2\n", "acme",
		 "https://r/",
		 "npmScopes:\n  acme:\n    npmRegistryServer: \"https://r/\"\n    npmAlwaysAuth: true\n"
		 "    npmAuthToken: \"" TOK "\"\n  other:\n    x: 1\n"},
		{"npmScopes: {}\n", "acme", "https://r/",
		 "npmScopes:\n  acme:\n    npmRegistryServer: \"https://r/\"\n    npmAlwaysAuth: true\n"
		 "    npmAuthToken: \"" TOK "\"\n"},
		{"\"npmScopes\":\n  \"acme\":\n    npmAuthToken: old\n\n", "acme", "https://r/",
		 "npmScopes:\n  acme:\n    npmRegistryServer: \"https://r/\"\n    npmAlwaysAuth: true\n"
		 "    npmAuthToken: \"" TOK "\"\n\n"},
		/* unsafeHttpWhitelist: kept when the host is there, extended when not, in either style */
		{"unsafeHttpWhitelist:\n  - localhost\n  - \"127.0.0.1\"\n", "s", EP,
		 "unsafeHttpWhitelist:\n  - localhost\n  - \"127.0.0.1\"\nnpmScopes:\n  s:\n    npmRegistryServer: "
		 "\"" EP "\"\n    npmAlwaysAuth: true\n    npmAuthToken: \"" TOK "\"\n"},
		{"unsafeHttpWhitelist:\n  - localhost\nx: 1\n", "s", "http://[::1]:9/r/",
		 "unsafeHttpWhitelist:\n  - localhost\n  - \"::1\"\nx: 1\nnpmScopes:\n  s:\n"
		 "    npmRegistryServer: \"http://[::1]:9/r/\"\n    npmAlwaysAuth: true\n    npmAuthToken: \"" TOK
		 "\"\n"},
		{"unsafeHttpWhitelist: [localhost, '*.corp']\n", NULL, "http://h:1/r/",
		 "unsafeHttpWhitelist: [localhost, '*.corp', \"h\"]\nnpmRegistryServer: \"http://h:1/r/\"\n"
		 "npmAlwaysAuth: true\nnpmAuthToken: \"" TOK "\"\n"},
		{"unsafeHttpWhitelist: []\n", NULL, "http://h/r/",
		 "unsafeHttpWhitelist: [\"h\"]\nnpmRegistryServer: \"http://h/r/\"\nnpmAlwaysAuth: true\nnpmAuthToken: "
		 "\"" TOK "\"\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = NULL;
		int rc = ar_login_npm_merge_yarnrc(&out, a, cases[i].old, cases[i].scope, cases[i].endpoint, TOK, &err);
		if (rc)
			fail_msg("case %zu: %s", i, err.msg);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu:\n--- got\n%s--- want\n%s", i, out, cases[i].want);
	}
	/* Shapes a line editor cannot change safely are refused, not mangled. */
	char *out;
	assert_int_equal(ar_login_npm_merge_yarnrc(&out, a, "npmScopes: {a: {b: c}}\n", "acme", EP, TOK, &err),
			 AR_EINVAL);
	assert_int_equal(ar_login_npm_merge_yarnrc(&out, a, "unsafeHttpWhitelist: yes\n", NULL, EP, TOK, &err),
			 AR_EINVAL);
	/* Quotes and backslashes in values are escaped. */
	assert_int_equal(ar_login_npm_merge_yarnrc(&out, a, NULL, NULL, "https://r/", "a\"b\\c", &err), 0);
	assert_non_null(strstr(out, "npmAuthToken: \"a\\\"b\\\\c\"\n"));
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nerf_dart),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_npmrc),
		cmocka_unit_test(test_yarnrc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
