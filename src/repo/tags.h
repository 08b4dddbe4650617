/* repo/tags.h - tags on domains, repositories and package groups, keyed by resource ARN */
#ifndef AR_REPO_TAGS_H
#define AR_REPO_TAGS_H

#include <jansson.h>

#include "core/err.h"
#include "store/db.h"

#define AR_MAX_TAGS 200

/* Validates a JSON array of {"key","value"} (<= 200, key 1..128, value 0..256) without writing. */
int ar_tags_check(const json_t *tags, struct ar_err *err);

/* Adds or overwrites the tags (validated first) on arn; a resource ends with at most 200 tags. */
int ar_tags_set(struct ar_dbc *db, const char *arn, const json_t *tags, struct ar_err *err);

/* Removes tags by key (a JSON array of strings); unknown keys are ignored. */
int ar_tags_remove(struct ar_dbc *db, const char *arn, const json_t *keys, struct ar_err *err);

/* A new JSON array of {"key","value"} ordered by key. */
int ar_tags_list(json_t **out, struct ar_dbc *db, const char *arn, struct ar_err *err);

/* Drops every tag of a deleted resource. */
int ar_tags_drop(struct ar_dbc *db, const char *arn, struct ar_err *err);

#endif
