/* formats/pypi_upstream_parse.h - reading an upstream's simple project page (PEP 503 HTML, PEP 691 JSON) */
#ifndef AR_FORMATS_PYPI_UPSTREAM_PARSE_H
#define AR_FORMATS_PYPI_UPSTREAM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

/* The Accept sent upstream: JSON preferred, HTML understood. */
#define AR_PYPI_UPSTREAM_ACCEPT                                                                                        \
	"application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

/* At most this many files on one upstream page (more: AR_ETOOBIG rather than a silently cut list). */
#define AR_PYPI_UPSTREAM_MAX_FILES (1u << 18)

/* A file an upstream page lists that Arca can serve; strings are arena-owned. */
struct ar_pypi_up_file {
	const char *filename;	     /* parses as a wheel or sdist of the project */
	const char *version;	     /* PEP 440 normal form */
	const char *path;	     /* below the connection's base URL, without a leading '/' */
	const char *sha256;	     /* 64 lowercase hex digits */
	const char *requires_python; /* NULL when absent */
	const char *metadata_sha256; /* PEP 658/714 metadata hash; NULL when not advertised with a sha256 */
	bool is_yanked;
	int64_t size;	   /* 0 when upstream did not say */
	int64_t upload_ms; /* PEP 700 upload-time in epoch ms; 0 when upstream did not say */
};

/* Parses the upstream page of project norm (PEP 503 normalized) found at {base}simple/{norm}/:
   PEP 691 JSON when content_type names json (with no content type, when the body starts with '{'),
   else PEP 503 HTML. Keeps the files that have a sha256, a filename that parses as a distribution
   of norm with a PEP 440 version, and a URL below base; skips the others. *out is arena memory.
   AR_EINVAL when the body is not a project page (JSON without a "files" array, an api-version or
   pypi:repository-version other than 1.x); AR_ETOOBIG past max_files kept files. */
int ar_pypi_upstream_parse_page(struct ar_pypi_up_file **out, size_t *n, struct ar_arena *a, const char *base,
				const char *norm, const char *content_type, const char *body, size_t len,
				size_t max_files, struct ar_err *err);

/* The path below base (an http(s) URL, credentials allowed) of url, a link on the page at
   {base}simple/{norm}/: absolute, scheme-relative, host-relative or relative (. and .. resolved);
   the fragment is dropped, the query kept. NULL when it points outside base, climbs above it, holds
   a %2e dot segment, a byte the engine refuses (controls, space, non-ASCII, backslash) or is over
   4096 bytes. Arena string. */
const char *ar_pypi_upstream_path(struct ar_arena *a, const char *base, const char *norm, const char *url);

/* PEP 700 upload-time ("2024-01-02T03:04:05.123456Z", fraction optional) in epoch ms; 0 when
   absent or unreadable. */
int64_t ar_pypi_upload_time_ms(const char *s);

#endif
