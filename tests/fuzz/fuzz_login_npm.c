/* tests/fuzz/fuzz_login_npm.c - arca login's .npmrc and .yarnrc.yml line editors over arbitrary existing files */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/login_npm.h"
#include "core/arena.h"
#include "core/err.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "login_npm property violated: %s\n", what);
		abort();
	}
}

/* Properties: whatever the file held, an edit that succeeds is idempotent (editing its own output
   changes nothing) and the result carries the token. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_err err = {0};
	char *old = ar_strndup(a, (const char *)data, size); /* a NUL inside ends the file, as a reader would */
	static const char ep[] = "http://127.0.0.1:1/d-123456789012/npm/r/", tok[] = "arca1.TOKEN";

	const char *keys[] = {"registry", "//127.0.0.1:1/d-123456789012/npm/r/:_authToken"};
	const char *values[] = {ep, tok};
	char *once = ar_login_npm_merge_npmrc(a, old, keys, values, 2);
	check(strcmp(ar_login_npm_merge_npmrc(a, once, keys, values, 2), once) == 0, "npmrc idempotent");
	check(strstr(once, tok) != NULL, "npmrc has the token");

	const char *scopes[] = {NULL, "acme"};
	for (size_t i = 0; i < 2; i++) {
		char *y1, *y2;
		if (ar_login_npm_merge_yarnrc(&y1, a, old, scopes[i], ep, tok, &err) != 0)
			continue;
		check(strstr(y1, tok) != NULL, "yarnrc has the token");
		check(ar_login_npm_merge_yarnrc(&y2, a, y1, scopes[i], ep, tok, &err) == 0, "yarnrc re-edit works");
		check(strcmp(y1, y2) == 0, "yarnrc idempotent");
	}
	ar_arena_free(a);
	return 0;
}
