/* core/json.c - helpers over jansson */
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

static void decref(void *j)
{
	json_decref(j);
}

json_t *ar_json_own(struct ar_arena *a, json_t *j)
{
	if (j)
		ar_arena_defer(a, decref, j);
	return j;
}

int ar_json_parse_object(json_t **out, struct ar_arena *a, const char *data, size_t len, struct ar_err *err)
{
	json_error_t jerr;
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return ar_fail(err, AR_EINVAL, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
			       jerr.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return ar_fail(err, AR_EINVAL, "expected a JSON object");
	}
	*out = ar_json_own(a, j);
	return 0;
}

char *ar_json_dump(struct ar_arena *a, const json_t *j, size_t *len)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		s = strdup("null");
	size_t n = strlen(s);
	char *copy = ar_strndup(a, s, n);
	free(s);
	if (len)
		*len = n;
	return copy;
}

const char *ar_json_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

void ar_json_set_str(json_t *obj, const char *key, const char *value)
{
	if (value)
		json_object_set_new(obj, key, json_string(value));
}

json_t *ar_json_epoch(int64_t ms)
{
	return json_real((double)ms / 1000.0);
}
