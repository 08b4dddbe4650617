/* formats/npm_pkg.h - npm package names, publish bodies and package tarballs */
#ifndef AR_FORMATS_NPM_PKG_H
#define AR_FORMATS_NPM_PKG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"

#define AR_NPM_NAME_MAX		   214		       /* validate-npm-package-name, scope included */
#define AR_NPM_TARBALL_MAX	   ((size_t)512 << 20) /* decoded publish attachment */
#define AR_NPM_PUBLISH_BODY_MAX	   ((size_t)768 << 20) /* base64 of the largest tarball plus metadata */
#define AR_NPM_PACKAGE_JSON_MAX	   ((size_t)10 << 20)
#define AR_NPM_README_MAX	   ((size_t)1 << 20) /* longer READMEs are truncated */
#define AR_NPM_TARBALL_ENTRIES_MAX 100000
#define AR_NPM_UNPACKED_MAX	   ((uint64_t)4 << 30) /* sum of declared entry sizes */

/* ---- names ---- */

/* Splits "@scope/name" into *ns = "scope" (no '@', as CodeArtifact stores namespaces) and
   *name = "name"; an unscoped "name" gives *ns = NULL. Both are arena copies. Structural checks only
   (one '/', non-empty parts, no "." or "..", no whitespace or controls); AR_EINVAL otherwise. */
int ar_npm_split_name(const char **ns, const char **name, struct ar_arena *a, const char *full, struct ar_err *err);

/* The package name from raw (still percent-encoded) URL path segments: "name", "@scope%2fname",
   "@scope%2Fname", or with seg2 non-NULL the two segments "@scope" and "name" of a literal '/'.
   *out is the unescaped "@scope/name" in arena memory; AR_EINVAL on bad escapes or shapes. */
int ar_npm_decode_path_name(const char **out, struct ar_arena *a, const char *seg, size_t seg_len, const char *seg2,
			    size_t seg2_len, struct ar_err *err);

/* validate-npm-package-name. is_new applies the rules for new packages (its warnings: lowercase only,
   <= 214 characters, no core module names, none of ~'!()* in the part after the scope); without it only
   its errors (names that existing packages may still have). Scopes also may not start with '.', since
   a scope is an npm user or org name. On false, *reason (may be NULL) is a static message. */
bool ar_npm_name_valid(const char *name, bool is_new, const char **reason);

/* A dist-tag name npm accepts: non-empty, at most 256 bytes, no whitespace or controls, no '/', and not
   a valid semver range (so "pkg@tag" is never ambiguous), except "latest". */
bool ar_npm_tag_valid(const char *tag, const char **reason);

/* "{name without scope}-{version}.tgz", the file name of the canonical tarball URL. */
char *ar_npm_tarball_filename(struct ar_arena *a, const char *name, const char *version);

/* SSRI "sha512-<base64>" for dist.integrity from the raw digest, or from 128 hex digits
   (NULL when hex is malformed). Arena-owned. */
char *ar_npm_integrity_sha512(struct ar_arena *a, const unsigned char sha512[64]);
char *ar_npm_integrity_sha512_hex(struct ar_arena *a, const char *hex);

/* ---- tarballs ---- */

enum ar_npm_dep_type {
	AR_NPM_DEP_RUNTIME,  /* dependencies */
	AR_NPM_DEP_DEV,	     /* devDependencies */
	AR_NPM_DEP_PEER,     /* peerDependencies */
	AR_NPM_DEP_OPTIONAL, /* optionalDependencies */
};

struct ar_npm_dep {
	const char *name;
	const char *spec; /* as written: a range, tag, URL, "npm:alias@range", ... */
	enum ar_npm_dep_type type;
};

/* What a package tarball says about itself. Strings are NULL when absent; all is arena-owned. */
struct ar_npm_tarball {
	json_t *package_json; /* the whole document */
	const char *name, *version, *description, *license, *homepage, *repository;
	struct ar_npm_dep *deps;
	size_t n_deps;
	const char *readme; /* valid UTF-8 without NUL, at most AR_NPM_README_MAX bytes */
	size_t readme_len;
	const char *readme_filename; /* as in the archive, e.g. "README.md" */
	bool readme_truncated;
	size_t n_files;		/* regular files, for dist.fileCount */
	uint64_t unpacked_size; /* their total size, for dist.unpackedSize */
};

/* The dependency fields (dependencies, devDependencies, peerDependencies, optionalDependencies) of a
   package.json or registry manifest; entries whose value is not a string are skipped. Arena memory,
   borrowing the strings of manifest. */
void ar_npm_manifest_deps(struct ar_npm_dep **out, size_t *n, struct ar_arena *a, json_t *manifest);

/* Reads a gzip'd (or plain) tar the way npm unpacks one: every entry loses its first path component,
   so package.json is "<top>/package.json", preferring the top directory "package". The README is
   the first root file named README or README.<markdown-ish ext> (case-insensitive), markdown first,
   as npm picks it. AR_EINVAL for a corrupt archive, no or duplicate package.json, or one without
   string name/version; AR_ETOOBIG past the size and entry caps above. */
int ar_npm_read_tarball(struct ar_npm_tarball *out, struct ar_arena *a, const void *data, size_t len,
			struct ar_err *err);

/* ---- PUT /{pkg} bodies ---- */

enum ar_npm_put_kind {
	AR_NPM_PUT_PUBLISH,  /* one new version with its tarball */
	AR_NPM_PUT_METADATA, /* no attachments: deprecate/undeprecate, dist-tags, star, owners, unpublish */
};

struct ar_npm_tag {
	const char *tag;
	const char *version;
};

/* One entry of the body's "versions"; for METADATA bodies only `deprecated` may be applied. */
struct ar_npm_version_meta {
	const char *version;
	const char *deprecated; /* "" undeprecates; NULL when the key is absent */
};

struct ar_npm_publish {
	enum ar_npm_put_kind kind;
	json_t *doc;			  /* the whole body, for fields not lifted here (users, maintainers) */
	const char *name;		  /* full name as in the URL */
	const char *ns, *pkg;		  /* ar_npm_split_name of name */
	const char *description, *readme; /* top-level strings, NULL when absent */
	const char *access;		  /* "public" / "restricted" / NULL */
	const char *rev;		  /* _rev, NULL when absent */
	bool has_tags;			  /* "dist-tags" present: tags is the complete new set */
	struct ar_npm_tag *tags;
	size_t n_tags;
	bool has_versions; /* "versions" present (a star or owner change has none) */
	struct ar_npm_version_meta *versions;
	size_t n_versions;

	/* AR_NPM_PUT_PUBLISH only */
	const char *version;	      /* the versions key; strict SemVer */
	json_t *manifest;	      /* versions[version] */
	const char *attachment;	      /* the _attachments key */
	const unsigned char *tarball; /* decoded attachment */
	size_t tarball_len;
	struct ar_hashes hashes; /* of the tarball */
	const char *integrity;	 /* "sha512-..." computed from the tarball */
	struct ar_npm_tarball info;
};

/* Parses the body of PUT /{url_name} (url_name unescaped) into out (arena-owned). A publish must carry
   one strict-SemVer version and one "{name}-{version}.tgz" attachment whose length, dist.shasum and
   dist.integrity agree with the bytes and whose package.json names the same package and version;
   names, _id and dist-tags must match. A body without attachments is METADATA and is only checked for
   shape: never create versions from it. AR_EINVAL ("integrity mismatch", ...) or AR_ETOOBIG. */
int ar_npm_parse_publish(struct ar_npm_publish *out, struct ar_arena *a, const char *url_name, const char *body,
			 size_t len, struct ar_err *err);

#endif
