/* core/json.h - small helpers over jansson: parsing with errors, typed getters, arena-owned dumps */
#ifndef AR_CORE_JSON_H
#define AR_CORE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

/* Parses len bytes that must hold one JSON object; AR_EINVAL with a reason otherwise.
   The result is owned by the arena (decref'd when it is freed). */
int ar_json_parse_object(json_t **out, struct ar_arena *a, const char *data, size_t len, struct ar_err *err);

/* Makes the arena drop one reference to j when freed; returns j. */
json_t *ar_json_own(struct ar_arena *a, json_t *j);

/* Compact serialisation into arena memory; *len may be NULL. */
char *ar_json_dump(struct ar_arena *a, const json_t *j, size_t *len);

/* The string at key, or NULL when absent, null, or not a string. */
const char *ar_json_str(const json_t *obj, const char *key);

/* Sets key to a string (NULL skips the key). */
void ar_json_set_str(json_t *obj, const char *key, const char *value);

/* Epoch milliseconds as a JSON number of seconds with millisecond precision (AWS rest-json timestamps). */
json_t *ar_json_epoch(int64_t ms);

#endif
