/* tests/fuzz/fuzz_npm_publish.c - npm publish/metadata PUT bodies, and the same bytes as names and tags */
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
	struct ar_npm_publish p;
	static const char *const urls[] = {"demo", "@s/demo", "@myscope/demo"};
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		if (ar_npm_parse_publish(&p, a, urls[i], (const char *)data, size, &err) != 0)
			continue;
		/* what a success promises the caller */
		if (p.kind == AR_NPM_PUT_PUBLISH &&
		    (!p.version || !p.manifest || !p.tarball || p.tarball_len == 0 || !p.info.name || !p.integrity ||
		     strcmp(p.info.name, urls[i]) != 0 || p.n_versions != 1)) {
			fprintf(stderr, "publish accepted without its parts\n");
			abort();
		}
	}

	char *s = ar_strndup(a, (const char *)data, size);
	const char *ns, *name, *decoded;
	ar_npm_split_name(&ns, &name, a, s, &err);
	ar_npm_name_valid(s, true, NULL);
	ar_npm_name_valid(s, false, NULL);
	ar_npm_tag_valid(s, NULL);
	const char *slash = memchr(data, '/', size);
	if (slash)
		ar_npm_decode_path_name(&decoded, a, (const char *)data, (size_t)(slash - (const char *)data),
					slash + 1, size - (size_t)(slash - (const char *)data) - 1, &err);
	else
		ar_npm_decode_path_name(&decoded, a, (const char *)data, size, NULL, 0, &err);
	ar_arena_free(a);
	return 0;
}
