/* formats/pypi_dist.h - PyPI distributions: names, filenames, versions, core metadata, archives */
#ifndef AR_FORMATS_PYPI_DIST_H
#define AR_FORMATS_PYPI_DIST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

#define AR_PYPI_MAX_NAME	 255
#define AR_PYPI_MAX_METADATA	 (16 * 1024 * 1024) /* METADATA / PKG-INFO bytes */
#define AR_PYPI_MAX_ENTRIES	 100000		    /* archive entries looked at */
#define AR_PYPI_MAX_LIST	 10000		    /* items of one repeated metadata field */
#define AR_PYPI_MAX_SDIST_EXPAND (4ULL << 30)	    /* uncompressed bytes of a tar sdist */

/* What a distribution file is, from its extension. */
enum ar_pypi_kind {
	AR_PYPI_WHEEL = 1,     /* .whl (zip) */
	AR_PYPI_SDIST_TAR_GZ,  /* .tar.gz */
	AR_PYPI_SDIST_ZIP,     /* .zip */
	AR_PYPI_SDIST_TAR_BZ2, /* .tar.bz2 (legacy) */
};

/* A parsed distribution filename; strings are arena copies, spelled as in the filename. */
struct ar_pypi_file {
	enum ar_pypi_kind kind;
	const char *name;    /* wheels write '-' as '_' here; compare with ar_pypi_normalize */
	const char *version; /* compare with ar_pypi_version_cmp */
	/* wheels only, else NULL; build_tag is NULL when absent */
	const char *build_tag, *python_tag, *abi_tag, *platform_tag;
};

/* The items of a repeated metadata field, in file order. */
struct ar_pypi_list {
	const char **v;
	size_t n;
};

/* Parsed core metadata (METADATA / PKG-INFO). Absent scalar fields are NULL. */
struct ar_pypi_meta {
	const char *raw; /* the exact bytes parsed (the PEP 658 .metadata file), NUL-terminated */
	size_t raw_len;
	const char *metadata_version, *name, *version, *summary, *description, *description_content_type, *home_page,
		*download_url, *author, *author_email, *maintainer, *maintainer_email, *license, *license_expression,
		*requires_python, *keywords;
	struct ar_pypi_list requires_dist, project_urls, classifiers, provides_extra, license_files, platforms, dynamic,
		provides_dist, obsoletes_dist, requires_external;
};

/* One Requires-Dist value split up; absent parts are NULL. */
struct ar_pypi_req {
	const char *name;      /* as written */
	const char *extras;    /* "a,b" without brackets or spaces */
	const char *specifier; /* ">=2.5,<4" without parentheses or spaces */
	const char *url;       /* the target of "name @ url" */
	const char *marker;    /* text after ';', trimmed */
};

/* "bdist_wheel" or "sdist": the upload form's filetype for kind. */
const char *ar_pypi_filetype(enum ar_pypi_kind kind);

/* PEP 503 normal form (lowercase, runs of -_. become '-') in arena memory. */
char *ar_pypi_normalize(struct ar_arena *a, const char *name);

/* True for a PEP 508 project name of at most 255 bytes: ASCII letters and digits, with . _ -
   allowed inside. */
bool ar_pypi_name_valid(const char *name);

/* Parses a wheel ({name}-{version}(-{build})?-{py}-{abi}-{platform}.whl) or sdist
   ({name}-{version}.tar.gz|.zip|.tar.bz2) filename. AR_EINVAL for anything else, including path
   separators, "..", a leading '.', or characters outside [A-Za-z0-9._+!-]. */
int ar_pypi_parse_filename(struct ar_pypi_file *out, struct ar_arena *a, const char *filename, struct ar_err *err);

/* Parses core metadata (RFC 822 style headers, then the description as body). Strings are arena
   copies; out->raw points at data. AR_EINVAL for invalid UTF-8, NUL bytes, malformed lines, a
   repeated Metadata-Version/Name/Version, or a missing Name or Version; AR_ETOOBIG past 16 MiB or
   10000 items in one list. */
int ar_pypi_parse_metadata(struct ar_pypi_meta *out, struct ar_arena *a, const char *data, size_t len,
			   struct ar_err *err);

/* Reads the core metadata out of the distribution at path (file from its filename): a wheel's
   single top-level {name}-{version}.dist-info/METADATA, an sdist's {name}-{version}/PKG-INFO
   ("./" tolerated). Zips are read through their central directory and a .tar.gz to its gzip
   trailer (CRC checked), as Python does; a zip's members other than the metadata are not.
   Names match after normalisation, versions by ar_pypi_version_cmp. out->raw
   holds the exact bytes (arena). The parsed Name is returned as is; comparing it with the upload
   is the caller's job. AR_EINVAL for corrupt archives ("corrupt archive: ...") and missing,
   repeated or mismatched metadata; AR_ETOOBIG for metadata over 16 MiB or an sdist expanding past
   4 GiB; AR_ERROR when path cannot be opened. */
int ar_pypi_read_metadata(struct ar_pypi_meta *out, struct ar_arena *a, const char *path,
			  const struct ar_pypi_file *file, struct ar_err *err);

/* Splits a Requires-Dist value, e.g. `requests[socks] (>=2.0) ; extra == "socks"` or
   `idna>=2.5,<4`, into arena strings. AR_EINVAL when it is not a PEP 508 requirement. */
int ar_pypi_parse_requirement(struct ar_pypi_req *out, struct ar_arena *a, const char *s, struct ar_err *err);

/* True when v is a PEP 440 version (any spelling the spec normalises). */
bool ar_pypi_version_valid(const char *v);

/* The PEP 440 normal form of v ("1.0-RC.1" -> "1.0rc1") in arena memory, or NULL if invalid. */
char *ar_pypi_version_normalize(struct ar_arena *a, const char *v);

/* <0, 0, >0 as a sorts before, with, or after b under PEP 440 (epoch, release, pre, post, dev,
   local). Invalid versions sort before valid ones and among themselves bytewise. */
int ar_pypi_version_cmp(const char *a, const char *b);

#endif
