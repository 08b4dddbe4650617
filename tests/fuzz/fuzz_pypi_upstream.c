/* tests/fuzz/fuzz_pypi_upstream.c - upstream simple pages (PEP 691 JSON, PEP 503 HTML) and their file URLs */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "formats/pypi_upstream_parse.h"
#include "store/blob.h"

#define MAX_FILES 64

/* What the engine accepts as a path below a base URL (upstream.c path_ok): printable ASCII without
   spaces or backslashes, no leading '/', no "." or ".." segment. */
static void check_path(const char *p)
{
	if (!p || !*p || p[0] == '/')
		abort();
	size_t path_len = strcspn(p, "?");
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || *c == '\\' || *c == '#')
			abort();
	for (size_t i = 0; i < path_len;) {
		size_t n = strcspn(p + i, "/?");
		if (n > path_len - i)
			n = path_len - i;
		if ((n == 1 && p[i] == '.') || (n == 2 && p[i] == '.' && p[i + 1] == '.'))
			abort();
		i += n + 1;
	}
}

/* The first byte picks the Content-Type (JSON, HTML, none: sniffed); the rest is the body. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	static const char *ctypes[] = {"application/vnd.pypi.simple.v1+json", "text/html", NULL};
	const char *ctype = ctypes[data[0] % 3];
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	struct ar_arena *a = ar_arena_new();
	struct ar_pypi_up_file *files;
	size_t n;
	struct ar_err err = {0};
	int rc = ar_pypi_upstream_parse_page(&files, &n, a, "http://u:p@127.0.0.1:1/base/", "demo", ctype, body, len,
					     MAX_FILES, &err);
	if (rc != 0 && rc != AR_EINVAL && rc != AR_ETOOBIG)
		abort();
	if (rc != 0 && (n != 0 || files || !err.msg[0]))
		abort();
	if (n > MAX_FILES)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct ar_pypi_up_file *f = &files[i];
		if (!f->filename || !f->version || !ar_blob_key_valid(f->sha256) ||
		    (f->metadata_sha256 && !ar_blob_key_valid(f->metadata_sha256)) || f->size < 0 || f->upload_ms < 0 ||
		    (f->requires_python && !*f->requires_python))
			abort();
		check_path(f->path);
	}
	/* The body as one link URL, and as an upload time. */
	char *s = ar_strndup(a, body, len);
	const char *p = ar_pypi_upstream_path(a, "http://127.0.0.1:1/base/", "demo", s);
	if (p)
		check_path(p);
	ar_pypi_upload_time_ms(s);
	ar_arena_free(a);
	return 0;
}
