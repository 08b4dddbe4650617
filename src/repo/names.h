/* repo/names.h - validation of every name and scalar the model accepts (the patterns of ref A.3) */
#ifndef AR_REPO_NAMES_H
#define AR_REPO_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

/* Each returns 0 or AR_EINVAL with a message naming the field (what) and the rule broken. */
int ar_check_domain_name(const char *what, const char *s, struct ar_err *err);
int ar_check_repository_name(const char *what, const char *s, struct ar_err *err);
int ar_check_account_id(const char *what, const char *s, struct ar_err *err);
int ar_check_external_connection_name(const char *what, const char *s, struct ar_err *err);
int ar_check_description(const char *what, const char *s, struct ar_err *err);
int ar_check_arn(const char *what, const char *s, struct ar_err *err);
int ar_check_tag_key(const char *what, const char *s, struct ar_err *err);
int ar_check_tag_value(const char *what, const char *s, struct ar_err *err);
int ar_check_policy_document(const char *what, const char *s, struct ar_err *err);
int ar_check_policy_revision(const char *what, const char *s, struct ar_err *err);
int ar_check_pagination_token(const char *what, const char *s, struct ar_err *err);
int ar_check_user_name(const char *what, const char *s, struct ar_err *err);

/* Package coordinates (PackageName, PackageNamespace, PackageVersion): 1..255 characters, no '#', '/',
   whitespace or control characters. */
int ar_check_package_coord(const char *what, const char *s, struct ar_err *err);
/* AssetName: 1..255 printable characters (\P{C}+). */
int ar_check_asset_name(const char *what, const char *s, struct ar_err *err);
/* PackageVersionRevision: 1..50 characters, no whitespace. */
int ar_check_revision(const char *what, const char *s, struct ar_err *err);

/* A package name (or namespace) as the format stores and compares it: PEP 503 for pypi (lowercase,
   runs of '-', '_', '.' become '-'), lowercase for nuget and swift, unchanged otherwise. Arena memory. */
char *ar_package_name_normalize(struct ar_arena *a, const char *format, const char *name);

/* The package formats CodeArtifact knows: npm pypi maven nuget generic ruby swift cargo. */
bool ar_format_valid(const char *format);

/* The format an external connection serves (public:npmjs -> npm), or NULL for an unknown name. */
const char *ar_external_connection_format(const char *name);

/* Length-and-enum check helper: s must equal one of the NULL-terminated options. */
int ar_check_enum(const char *what, const char *s, const char *const *options, struct ar_err *err);

#endif
