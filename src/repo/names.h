/* repo/names.h - validation of every name and scalar the model accepts (the patterns of ref A.3) */
#ifndef AR_REPO_NAMES_H
#define AR_REPO_NAMES_H

#include <stdbool.h>
#include <stddef.h>

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

/* The package formats CodeArtifact knows: npm pypi maven nuget generic ruby swift cargo. */
bool ar_format_valid(const char *format);

/* The format an external connection serves (public:npmjs -> npm), or NULL for an unknown name. */
const char *ar_external_connection_format(const char *name);

/* Length-and-enum check helper: s must equal one of the NULL-terminated options. */
int ar_check_enum(const char *what, const char *s, const char *const *options, struct ar_err *err);

#endif
