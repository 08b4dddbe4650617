/* tests/fuzz/fuzz_semver.c - versions through parse/compare/format, ranges through parse and matching */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "formats/semver.h"

/* Properties, not just crashes: a parsed version equals itself, survives format + reparse, and two
   versions order antisymmetrically. */
static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "semver property violated: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ar_arena *a = ar_arena_new();
	const char *s = (const char *)data;
	/* line 1: a version, line 2: another version, the rest: a range */
	const char *nl1 = memchr(s, '\n', size);
	size_t l1 = nl1 ? (size_t)(nl1 - s) : size;
	const char *s2 = nl1 ? nl1 + 1 : s + size;
	size_t rest = size - (size_t)(s2 - s);
	const char *nl2 = memchr(s2, '\n', rest);
	size_t l2 = nl2 ? (size_t)(nl2 - s2) : rest;
	const char *r = nl2 ? nl2 + 1 : s2 + rest;
	size_t rl = size - (size_t)(r - s);

	struct ar_semver v1, v2;
	struct ar_err err;
	bool ok1 = ar_semver_parse(&v1, s, l1, true, &err) == 0;
	bool ok2 = ar_semver_parse(&v2, s2, l2, false, &err) == 0;
	if (ok1) {
		check(ar_semver_cmp(&v1, &v1) == 0, "reflexive");
		char *f = ar_semver_format(a, &v1);
		struct ar_semver back;
		check(ar_semver_parse(&back, f, strlen(f), false, NULL) == 0, "format reparses");
		check(ar_semver_cmp(&back, &v1) == 0, "format keeps precedence");
	}
	if (ok1 && ok2)
		check(ar_semver_cmp(&v1, &v2) == -ar_semver_cmp(&v2, &v1), "antisymmetric");

	struct ar_semver_range *range;
	if (ar_semver_range_parse(&range, a, r, rl, &err) == 0) {
		if (ok1)
			ar_semver_range_test(range, &v1);
		if (ok2)
			ar_semver_range_test(range, &v2);
		const char *vs[3] = {ar_strndup(a, s, l1), ar_strndup(a, s2, l2), "1.0.0"};
		ar_semver_max_satisfying(range, vs, 3);
		ar_semver_max_stable(vs, 3);
	}
	/* the whole input as one range too, since most inputs have no newline */
	if (ar_semver_range_parse(&range, a, s, size, &err) == 0 && ok1)
		ar_semver_range_test(range, &v1);
	ar_arena_free(a);
	return 0;
}
