/* repo/tags.c - tags keyed by resource ARN */
#include "repo/tags.h"

#include "repo/cooldown.h"
#include "repo/names.h"

#include <string.h>

int ar_tags_check(const json_t *tags, struct ar_err *err)
{
	if (!json_is_array(tags))
		return ar_fail(err, AR_EINVAL, "tags must be a list of {key, value}");
	if (json_array_size(tags) > AR_MAX_TAGS)
		return ar_fail(err, AR_EINVAL, "at most %d tags are allowed per request", AR_MAX_TAGS);
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t)
	{
		json_t *k = json_object_get(t, "key"), *v = json_object_get(t, "value");
		if (!json_is_object(t) || !json_is_string(k) || !json_is_string(v))
			return ar_fail(err, AR_EINVAL, "tags[%zu] must have string key and value", i);
		int rc = ar_check_tag_key("tag key", json_string_value(k), err);
		if (rc || (rc = ar_check_tag_value("tag value", json_string_value(v), err)))
			return rc;
		int64_t seconds;
		if (strcmp(json_string_value(k), AR_COOLDOWN_TAG) == 0 &&
		    (rc = ar_cooldown_parse(&seconds, json_string_value(v), err)))
			return rc;
	}
	return 0;
}

static int count_tags(int64_t *n, struct ar_dbc *db, const char *arn, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT COUNT(*) FROM tags WHERE resource_arn = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, arn);
	rc = ar_stmt_step(st, err);
	*n = rc == 1 ? ar_stmt_int(st, 0) : 0;
	ar_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int ar_tags_set(struct ar_dbc *db, const char *arn, const json_t *tags, struct ar_err *err)
{
	int rc = ar_tags_check(tags, err);
	if (rc)
		return rc;
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t)
	{
		int64_t n =
			ar_dbc_exec(db, err,
				    "INSERT INTO tags (resource_arn, tag_key, tag_value) VALUES (?, ?, ?)"
				    " ON CONFLICT (resource_arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
				    "sss", arn, json_string_value(json_object_get(t, "key")),
				    json_string_value(json_object_get(t, "value")));
		if (n < 0)
			return (int)n;
	}
	int64_t total;
	if ((rc = count_tags(&total, db, arn, err)))
		return rc;
	if (total > AR_MAX_TAGS)
		return ar_fail(err, AR_EQUOTA, "a resource can have at most %d tags", AR_MAX_TAGS);
	return 0;
}

int ar_tags_remove(struct ar_dbc *db, const char *arn, const json_t *keys, struct ar_err *err)
{
	if (!json_is_array(keys) || json_array_size(keys) > AR_MAX_TAGS)
		return ar_fail(err, AR_EINVAL, "tagKeys must be a list of at most %d strings", AR_MAX_TAGS);
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k)
	{
		if (!json_is_string(k))
			return ar_fail(err, AR_EINVAL, "tagKeys[%zu] must be a string", i);
		int rc = ar_check_tag_key("tag key", json_string_value(k), err);
		if (rc)
			return rc;
	}
	json_array_foreach(keys, i, k)
	{
		int64_t n = ar_dbc_exec(db, err, "DELETE FROM tags WHERE resource_arn = ? AND tag_key = ?", "ss", arn,
					json_string_value(k));
		if (n < 0)
			return (int)n;
	}
	return 0;
}

int ar_tags_list(json_t **out, struct ar_dbc *db, const char *arn, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT tag_key, tag_value FROM tags WHERE resource_arn = ? ORDER BY tag_key",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, arn);
	json_t *list = json_array();
	while ((rc = ar_stmt_step(st, err)) == 1)
		json_array_append_new(
			list, json_pack("{s:s, s:s}", "key", ar_stmt_text(st, 0), "value", ar_stmt_text(st, 1)));
	ar_stmt_done(st);
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}

int ar_tags_drop(struct ar_dbc *db, const char *arn, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err, "DELETE FROM tags WHERE resource_arn = ?", "s", arn);
	return n < 0 ? (int)n : 0;
}
