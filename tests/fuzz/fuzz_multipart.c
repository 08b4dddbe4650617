/* tests/fuzz/fuzz_multipart.c - multipart/form-data bodies with a fixed boundary */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/multipart.h"

static char spool[64];

static void remove_spool(void)
{
	rmdir(spool); /* empty: every temp file goes with its arena */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!spool[0]) {
		snprintf(spool, sizeof spool, "/tmp/arca-fuzz-mp-XXXXXX");
		if (!mkdtemp(spool))
			abort();
		atexit(remove_spool);
	}
	/* the first byte picks a read window so boundaries fall at many positions across reads */
	size_t buf_size = size ? (size_t)data[0] * 3 + 1 : 0;
	struct ar_multipart_opts opts = {.spool_dir = spool, .buf_size = buf_size, .max_field = 4096};
	struct ar_arena *a = ar_arena_new();
	struct ar_multipart *m = NULL;
	struct ar_err err = {0};
	int rc = ar_multipart_parse_mem(&m, a, "multipart/form-data; boundary=fuzzB0undary", size ? data + 1 : data,
					size ? size - 1 : 0, &opts, &err);
	if (rc == 0) {
		size_t n;
		for (size_t i = 0; i < m->n_parts; i++) {
			struct ar_multipart_part *p = &m->parts[i];
			if (!p->name[0] || (p->filename && !ar_multipart_filename_ok(p->filename, strlen(p->filename))))
				abort();
			if (p->filename && access(p->path, F_OK) != 0)
				abort();
			if (!p->filename && p->value[p->value_len] != '\0')
				abort();
			ar_multipart_fields(m, p->name, &n);
			if (n == 0 && !p->filename)
				abort();
		}
		ar_multipart_field(m, "name");
		ar_multipart_file(m, "content");
	} else if (err.code != rc || !err.msg[0]) {
		abort();
	}
	ar_arena_free(a);
	return 0;
}
