/* tests/fuzz/fuzz_pypi_metadata.c - core metadata (METADATA / PKG-INFO) and Requires-Dist parsing */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "formats/pypi_dist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_pypi_meta m;
	struct ar_err err = {0};
	int rc = ar_pypi_parse_metadata(&m, a, (const char *)data, size, &err);
	if (rc == 0) {
		if (!m.name || !m.version || m.raw_len != size)
			abort();
		for (size_t i = 0; i < m.requires_dist.n; i++) {
			struct ar_pypi_req r;
			if (ar_pypi_parse_requirement(&r, a, m.requires_dist.v[i], &err) == 0 && !r.name)
				abort();
		}
		/* names and versions from metadata feed these too */
		ar_pypi_name_valid(m.name);
		ar_pypi_normalize(a, m.name);
		char *norm = ar_pypi_version_normalize(a, m.version);
		if (norm && ar_pypi_version_cmp(norm, m.version) != 0)
			abort();
		if (ar_pypi_version_cmp(m.version, m.version) != 0)
			abort();
		struct ar_pypi_file f;
		ar_pypi_parse_filename(&f, a, m.name, &err);
	} else if (err.code != rc) {
		abort();
	}
	ar_arena_free(a);
	return 0;
}
