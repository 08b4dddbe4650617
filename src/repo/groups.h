/* repo/groups.h - package groups: patterns, the group tree, association and origin enforcement */
#ifndef AR_REPO_GROUPS_H
#define AR_REPO_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

/* The rules implemented here are written down in docs/internals/PACKAGE_GROUPS.md. */

#define AR_GROUP_ROOT	     "/*"
#define AR_GROUP_PATTERN_MAX 520 /* characters (code points) */

/* How a package version enters a repository; the three origin restriction types. */
enum ar_origin_kind {
	AR_ORIGIN_PUBLISH,	     /* published directly */
	AR_ORIGIN_EXTERNAL_UPSTREAM, /* ingested through an external connection (checked at the repo holding it) */
	AR_ORIGIN_INTERNAL_UPSTREAM, /* retained from an upstream repository (checked at the downstream repo) */
};
#define AR_ORIGIN_KINDS 3

enum ar_group_mode {
	AR_GROUP_ALLOW,
	AR_GROUP_BLOCK,
	AR_GROUP_ALLOW_SPECIFIC, /* ALLOW_SPECIFIC_REPOSITORIES: only the type's allowed-repository list */
	AR_GROUP_INHERIT,	 /* the first ancestor's mode that is not INHERIT (never on the root) */
};

/* "PUBLISH", ... / "ALLOW", ...; parse returns AR_EINVAL for an unknown name. */
const char *ar_origin_kind_name(enum ar_origin_kind k);
int ar_origin_kind_parse(enum ar_origin_kind *out, const char *s);
const char *ar_group_mode_name(enum ar_group_mode m);
int ar_group_mode_parse(enum ar_group_mode *out, const char *s);

/* The six allowed pattern shapes, least specific first (the order is part of specificity). */
enum ar_group_shape {
	AR_GROUP_ALL,	      /* slash-star: everything */
	AR_GROUP_FORMAT,      /* /FORMAT/ + star */
	AR_GROUP_NS_PREFIX,   /* /FORMAT/NS~ */
	AR_GROUP_NS,	      /* /FORMAT/NS/ + star (NS may be empty: packages without a namespace) */
	AR_GROUP_NAME_PREFIX, /* /FORMAT/NS/NAME~ */
	AR_GROUP_NAME,	      /* /FORMAT/NS/NAME$ */
};

/* A parsed pattern. Strings are arena copies (or borrowed, for rows read from the database). */
struct ar_group_pattern {
	enum ar_group_shape shape;
	const char *format; /* NULL for ALL */
	const char *ns;	    /* namespace or namespace prefix; "" = no namespace; NULL for ALL and FORMAT */
	const char *name;   /* name or name prefix; NULL above NAME_PREFIX */
};

/* Parses and validates a pattern: 2..520 characters without whitespace or controls, one of the six
   shapes, a known format, the namespace rules of the format and normalized names (pypi, nuget,
   swift). AR_EINVAL with a message that says which rule the pattern breaks. */
int ar_group_parse(struct ar_group_pattern *out, struct ar_arena *a, const char *pattern, struct ar_err *err);

/* s itself, or its first 97 bytes or fewer (cut on a character boundary) and "...", for messages. */
const char *ar_group_shorten(struct ar_arena *a, const char *s);

/* Whether the pattern matches the package (ns "" = none). weak compares case-folded values with
   runs of '-', '.', '_' collapsed, which is how a variation of a name is recognised. */
bool ar_group_matches(const struct ar_group_pattern *p, struct ar_arena *a, const char *format, const char *ns,
		      const char *name, bool weak);

/* Whether outer's match set contains inner's (strong matching), decided on the shapes: of two
   patterns with the same match set in different shapes (/pypi/ + star and /pypi// + star) only the
   less specific contains the other. A group's parent is the most specific group containing it. */
bool ar_group_contains(const struct ar_group_pattern *outer, const struct ar_group_pattern *inner);

/* Orders patterns by specificity: <0 when a is less specific than b, 0 when equally specific. */
int ar_group_specificity_cmp(const struct ar_group_pattern *a, const struct ar_group_pattern *b);

/* The weak form of a value: ASCII case-folded, each run of '-', '.', '_' replaced by one '.'. */
char *ar_group_weak(struct ar_arena *a, const char *s);

/* Normalizes package coordinates the way CodeArtifact stores them: pypi names per PEP 503, nuget
   names lowercased, swift namespaces and names lowercased; other formats are left alone. *ns may be
   NULL (becomes ""). Results may be arena copies. */
void ar_group_normalize(struct ar_arena *a, const char *format, const char **ns, const char **name);

/* One package group as stored. */
struct ar_group {
	int64_t id; /* 0 for a group that does not exist (ListAssociatedPackages preview) */
	int64_t domain_id;
	int64_t parent_id; /* 0 for the root */
	const char *pattern;
	struct ar_group_pattern pat;
	const char *weak_ns, *weak_name; /* ar_group_weak of pat.ns / pat.name, NULL where those are */
	const char *contact_info;	 /* NULL when never set */
	const char *description;	 /* NULL when never set */
	int64_t created_ms;
	enum ar_group_mode modes[AR_ORIGIN_KINDS];
	int64_t n_allowed[AR_ORIGIN_KINDS]; /* size of each allowed-repository list */
};

/* The origin restriction of one type as it applies to a group. */
struct ar_group_restriction {
	enum ar_group_mode mode;	       /* as set on the group */
	enum ar_group_mode effective;	       /* never INHERIT */
	const struct ar_group *inherited_from; /* the ancestor that sets it; NULL unless mode is INHERIT */
	const struct ar_group *list_owner;     /* whose allowed-repository list applies: g or inherited_from */
	int64_t repositories_count;	       /* g's own list */
};

enum ar_group_assoc {
	AR_GROUP_STRONG = 1,
	AR_GROUP_WEAK, /* the package is a variation of the group's pattern: blocked from every origin */
};

/* --- in-memory views over a domain's groups (all from ar_group_load_domain) --- */

/* A group that is not stored (id 0, modes INHERIT) for pattern, e.g. to preview its packages.
   AR_EINVAL for a bad pattern, as ar_group_parse. */
int ar_group_virtual(struct ar_group *out, struct ar_arena *a, int64_t domain_id, const char *pattern,
		     struct ar_err *err);

/* The group with that pattern / id in all, or NULL. */
struct ar_group *ar_group_find(struct ar_group *all, size_t n, const char *pattern);
const struct ar_group *ar_group_find_id(const struct ar_group *all, size_t n, int64_t id);

/* The group a package is associated with: the most specific group matching it strongly or weakly
   (on equal specificity a strong match wins). *assoc says which. NULL only when no group matches
   (a domain always has the root, which matches everything). Normalize the package first. */
const struct ar_group *ar_group_best(enum ar_group_assoc *assoc, const struct ar_group *all, size_t n,
				     struct ar_arena *a, const char *format, const char *ns, const char *name);

/* Resolves the three restrictions of g, following INHERIT up the parent chain in all.
   AR_ERROR if the chain is broken (a parent missing from all, or a cycle). */
int ar_group_resolve(struct ar_group_restriction out[AR_ORIGIN_KINDS], const struct ar_group *g,
		     const struct ar_group *all, size_t n, struct ar_err *err);

/* --- the database (call inside the caller's transaction; writes need a write transaction) --- */

/* Inserts the root group of a new domain: all three modes ALLOW. */
int ar_group_create_root(struct ar_dbc *db, int64_t domain_id, int64_t created_ms, struct ar_err *err);

/* Every group of the domain, sorted by pattern (byte order), with allowed-list sizes. Arena memory. */
int ar_group_load_domain(struct ar_group **out, size_t *n, struct ar_dbc *db, struct ar_arena *a, int64_t domain_id,
			 struct ar_err *err);

/* Creates a group (modes INHERIT), makes the most specific containing group its parent and adopts the
   existing groups it now is the most specific container of. AR_EINVAL for a bad pattern, AR_EEXISTS
   when the domain has it. *out is the stored group. */
int ar_group_create(struct ar_group *out, struct ar_dbc *db, struct ar_arena *a, int64_t domain_id, const char *pattern,
		    const char *contact_info, const char *description, struct ar_err *err);

/* Sets contact info and/or description (NULL leaves a field unchanged). */
int ar_group_update(struct ar_dbc *db, const struct ar_group *g, const char *contact_info, const char *description,
		    struct ar_err *err);

/* Sets one restriction mode; AR_EINVAL for INHERIT on the root. */
int ar_group_set_mode(struct ar_dbc *db, const struct ar_group *g, enum ar_origin_kind kind, enum ar_group_mode mode,
		      struct ar_err *err);

/* Adds a repository name to (allow) or removes it from (!allow) the group's list for kind; both are
   idempotent. The name is not checked here. */
int ar_group_set_allowed(struct ar_dbc *db, const struct ar_group *g, enum ar_origin_kind kind, const char *repository,
			 bool allow, struct ar_err *err);

/* One page of the group's allowed list for kind, by name after `after` (NULL = from the start). */
int ar_group_allowed_list(const char ***out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
			  int64_t group_id, enum ar_origin_kind kind, const char *after, int limit, struct ar_err *err);

/* Deletes a group; its children move to its parent. Packages are not touched. AR_EINVAL for the root. */
int ar_group_delete(struct ar_dbc *db, const struct ar_group *g, struct ar_err *err);

/* A package of the domain (distinct over its repositories) and how it is associated. */
struct ar_group_pkg {
	const char *format, *ns, *name; /* ns "" when none */
	enum ar_group_assoc assoc;
};

/* One page of the packages of the domain associated with target, which must be one of all (it may be
   a group that does not exist yet: id 0). Ordered by format, namespace, name; after is the page key
   of the last package of the previous page (ar_group_pkg_key) or NULL. */
int ar_group_packages(struct ar_group_pkg **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
		      int64_t domain_id, const struct ar_group *target, const struct ar_group *all, size_t n_all,
		      const char *after, int limit, struct ar_err *err);

/* The page key of a listed package. */
char *ar_group_pkg_key(struct ar_arena *a, const struct ar_group_pkg *p);

/* THE ENFORCEMENT POINT. May a version of package (format, ns, name) enter repository_name by kind?
   0 when the package's group allows it; AR_EDENIED (message naming the package, the group, the
   restriction and the repository) when the group's effective mode is BLOCK, when it is
   ALLOW_SPECIFIC_REPOSITORIES and the repository is not on the list, or when the package is only a
   weak match of its group. ns NULL or "" = none; names are normalized here. Two indexed queries at
   most; runs in the caller's transaction (read is enough). */
int ar_group_check_origin(struct ar_dbc *db, struct ar_arena *a, int64_t domain_id, const char *format, const char *ns,
			  const char *name, enum ar_origin_kind kind, const char *repository_name, struct ar_err *err);

#endif
