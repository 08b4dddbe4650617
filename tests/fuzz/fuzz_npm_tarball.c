/* tests/fuzz/fuzz_npm_tarball.c - arbitrary bytes as an npm package tarball */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "formats/npm_pkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_err err;
	struct ar_npm_tarball t;
	if (ar_npm_read_tarball(&t, a, data, size, &err) == 0) {
		if (!t.name || !t.version || !t.package_json || (t.readme && strlen(t.readme) != t.readme_len)) {
			fprintf(stderr, "tarball accepted without its parts\n");
			abort();
		}
	}
	ar_arena_free(a);
	return 0;
}
