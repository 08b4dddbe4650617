/* policy/arn.h - building and parsing the ARNs of CodeArtifact resources and IAM principals */
#ifndef AR_POLICY_ARN_H
#define AR_POLICY_ARN_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"

/* ARNs longer than this are rejected by ar_arn_parse (AWS caps ARNs at 2048 characters). */
#define AR_ARN_MAX_LEN 2048

/* What an ARN names, as far as Arca cares. */
enum ar_arn_kind {
	AR_ARN_OTHER = 0,     /* well-formed, but not something Arca names (another service) */
	AR_ARN_DOMAIN,	      /* arn:aws:codeartifact:R:A:domain/D */
	AR_ARN_REPOSITORY,    /* arn:aws:codeartifact:R:A:repository/D/REPO */
	AR_ARN_PACKAGE,	      /* arn:aws:codeartifact:R:A:package/D/REPO/FORMAT/NS/PKG */
	AR_ARN_PACKAGE_GROUP, /* arn:aws:codeartifact:R:A:package-group/D/ENCODED/PATTERN */
	AR_ARN_IAM_ROOT,      /* arn:aws:iam::A:root */
	AR_ARN_IAM_USER,      /* arn:aws:iam::A:user/[PATH/]NAME */
};

/* A parsed ARN. Every field borrows from the string given to ar_arn_parse; unused fields are empty. */
struct ar_arn {
	enum ar_arn_kind kind;
	struct ar_str partition; /* "aws" */
	struct ar_str service;	 /* "codeartifact", "iam" */
	struct ar_str region;	 /* empty for iam */
	struct ar_str account;	 /* 12 digits, or empty for services without accounts */
	struct ar_str resource;	 /* everything after the fifth ':' */
	struct ar_str domain;	 /* DOMAIN, REPOSITORY, PACKAGE, PACKAGE_GROUP */
	struct ar_str repo;	 /* REPOSITORY, PACKAGE */
	struct ar_str format;	 /* PACKAGE */
	struct ar_str ns;	 /* PACKAGE; empty when the package has no namespace */
	struct ar_str package;	 /* PACKAGE */
	struct ar_str pattern;	 /* PACKAGE_GROUP: still percent-encoded, starts with '/' */
	struct ar_str user;	 /* IAM_USER: the part after "user/", path included */
};

/* arn:aws:codeartifact:REGION:OWNER:domain/DOMAIN, owned by the arena. */
char *ar_arn_domain(struct ar_arena *a, const char *region, const char *owner, const char *domain);

/* arn:aws:codeartifact:REGION:OWNER:repository/DOMAIN/REPO, owned by the arena. */
char *ar_arn_repository(struct ar_arena *a, const char *region, const char *owner, const char *domain,
			const char *repo);

/* arn:aws:codeartifact:REGION:OWNER:package/DOMAIN/REPO/FORMAT/NAMESPACE/PACKAGE; a NULL namespace
   leaves its segment empty (".../pypi//requests"). Owned by the arena. */
char *ar_arn_package(struct ar_arena *a, const char *region, const char *owner, const char *domain, const char *repo,
		     const char *format, const char *ns, const char *package);

/* arn:aws:codeartifact:REGION:OWNER:package-group/DOMAIN + PATTERN with '*', '$' and '%' written as
   %2a, %24, %25 (the root group, slash-star, becomes "package-group/DOMAIN/%2a"). Owned by the arena. */
char *ar_arn_package_group(struct ar_arena *a, const char *region, const char *owner, const char *domain,
			   const char *pattern);

/* arn:aws:iam::ACCOUNT:user/NAME, owned by the arena. */
char *ar_arn_user(struct ar_arena *a, const char *account, const char *user);

/* arn:aws:iam::ACCOUNT:root, owned by the arena. */
char *ar_arn_account_root(struct ar_arena *a, const char *account);

/* Splits and validates an ARN: "arn", a partition, a service, a region, an account (empty or 12
   digits) and a non-empty resource. codeartifact ARNs must name a domain, repository, package or
   package group with all their segments; iam ARNs are classified as root or user when they are.
   0, or AR_EINVAL when malformed (out is then zeroed). out borrows from arn. */
int ar_arn_parse(const char *arn, struct ar_arn *out);

/* ar_arn_parse, then accepts only what TagResource can tag: domain, repository or package group
   ARNs. AR_EINVAL for anything else. */
int ar_arn_parse_taggable(const char *arn, struct ar_arn *out);

/* The package group pattern of a PACKAGE_GROUP ARN with its %XX escapes decoded (slash-star for the root
   group), owned by the arena; NULL when arn is not a package group or an escape is bad. */
char *ar_arn_decode_group(struct ar_arena *a, const struct ar_arn *arn);

#endif
