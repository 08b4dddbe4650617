/* formats/pypi_int.h - what the PyPI format's files share: negotiation, page rendering, upload */
#ifndef AR_FORMATS_PYPI_INT_H
#define AR_FORMATS_PYPI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cache.h"
#include "core/err.h"
#include "formats/format.h"
#include "repo/pypi_index.h"

/* The simple API representations (PEP 503 HTML, PEP 691 JSON). */
enum ar_pypi_repr {
	AR_PYPI_NONE,	 /* nothing in Accept is supported: 406 */
	AR_PYPI_HTML,	 /* text/html */
	AR_PYPI_HTML_V1, /* application/vnd.pypi.simple.v1+html */
	AR_PYPI_JSON_V1, /* application/vnd.pypi.simple.v1+json */
};

/* Picks the representation for an Accept header value (NULL or empty: HTML): the highest q wins,
   the earlier entry on a tie; "latest" aliases v1; the any-type and text wildcards mean HTML, the
   application wildcard JSON. */
enum ar_pypi_repr ar_pypi_negotiate(const char *accept);

/* The Content-Type sent for a representation. */
const char *ar_pypi_content_type(enum ar_pypi_repr r);

/* One file link on a project page. */
struct ar_pypi_link {
	const char *filename;
	const char *version;
	const char *sha256;
	const char *requires_python; /* NULL when absent */
	const char *metadata_sha256; /* PEP 658/714 core metadata hash, NULL when not served */
	bool is_yanked;
	int64_t size;
	int64_t upload_ms;
};

/* A project page: links ordered by version then filename, versions ascending (PEP 440). */
struct ar_pypi_page {
	const char *name; /* normalized project name */
	const char **versions;
	size_t n_versions;
	struct ar_pypi_link *links;
	size_t n_links;
};

/* Builds the page model from index rows (sorting them, reading requires-python and the metadata
   hash out of the attrs). */
void ar_pypi_page_from_files(struct ar_pypi_page *out, struct ar_arena *a, const char *name,
			     struct ar_pypi_index_file *files, size_t n);

/* Replaces the page's links (sorting them and listing their versions). */
void ar_pypi_page_set_links(struct ar_pypi_page *page, struct ar_arena *a, struct ar_pypi_link *links, size_t n);

/* Renders a project page into b. File URLs are relative to the page ({base}simple/{name}/), i.e.
   ../../files/{name}/{version}/{filename}#sha256=..., so the bytes do not depend on the host.
   AR_ETOOBIG when b's cap is hit. */
int ar_pypi_render_page(struct ar_buf *b, const struct ar_pypi_page *page, enum ar_pypi_repr r);

/* Renders the project list ({base}simple/) into b; links are relative ({name}/). */
int ar_pypi_render_root(struct ar_buf *b, const struct ar_pypi_index_project *projects, size_t n, enum ar_pypi_repr r);

/* The upload handler (legacy API: multipart POST with :action=file_upload). */
int ar_pypi_upload(struct ar_dp *dp);

/* Serves a page from the render cache, building it with build(cls) on a miss; ETag and 304. */
int ar_pypi_send_cached(struct ar_dp *dp, const char *key, enum ar_pypi_repr repr, ar_cache_build_fn *build, void *cls);

/* Ends a page build: on rc 0 hands b's bytes (and an ETag over them) to the cache, else releases b
   and fails with AR_ETOOBIG's message. */
int ar_pypi_finish_build(struct ar_buf *b, int rc, char **data, size_t *len, char **etag, struct ar_err *err);

/* The PEP 658 metadata hash recorded in an asset's attrs, or NULL. */
const char *ar_pypi_metadata_hash(struct ar_arena *a, const char *attrs);

/* The project page of a repository that has upstream repositories or an external connection: local
   files merged with those of the upstreams and of public:pypi (docs/internals/PYPI.md). */
int ar_pypi_upstream_page(struct ar_dp *dp, const char *norm, enum ar_pypi_repr repr);

/* A file (or, is_metadata, its PEP 658 .metadata) the repository does not hold: found through its
   upstream repositories or fetched from its external connection, retained, and served. */
int ar_pypi_upstream_file(struct ar_dp *dp, const char *project, const char *version, const char *filename,
			  bool is_metadata);

/* The cache key prefix of a package's rendered pages (dropped after a publish). */
const char *ar_pypi_page_key_prefix(struct ar_arena *a, int64_t package_id);

#endif
