/* core/config.c - server configuration from file, environment and flags */
#include "core/config.h"

#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = ar_xstrdup(value);
}

void ar_config_init(struct ar_config *c)
{
	memset(c, 0, sizeof *c);
	set_str(&c->listen_addr, "127.0.0.1");
	c->listen_port = 8080;
	set_str(&c->data_dir, "./data");
	set_str(&c->database, "");
	set_str(&c->region, "us-east-1");
	set_str(&c->public_url, "");
	set_str(&c->log_level, "info");
	set_str(&c->master_key, "");
	c->access_log = true;
	c->metrics = true;
	set_str(&c->metrics_token, "");
	c->max_connections = 1024;
	c->request_timeout_s = 120;
	c->sigv4_skew_s = 900;
	c->max_api_body = 1 << 20;
	c->max_upload_body = (uint64_t)6 << 30;
	c->render_cache_bytes = (uint64_t)64 << 20;
	c->upstream_metadata_ttl_ms = 300 * 1000;
	c->upstream_negative_ttl_ms = 60 * 1000;
	c->upstream_connect_timeout_ms = 5 * 1000;
	c->upstream_metadata_timeout_ms = 60 * 1000;
	c->upstream_file_stall_ms = 30 * 1000;
	c->upstream_max_metadata = (uint64_t)256 << 20;
	c->upstream_max_file = (uint64_t)6 << 30;
	c->upstream_breaker_failures = 5;
	c->upstream_breaker_cooldown_ms = 30 * 1000;
	c->upstream_breaker_max_cooldown_ms = 600 * 1000;
	c->gc_interval_s = 3600;
	c->gc_grace_s = 3600;
}

void ar_config_release(struct ar_config *c)
{
	free(c->listen_addr);
	free(c->data_dir);
	free(c->database);
	free(c->region);
	free(c->public_url);
	free(c->metrics_token);
	free(c->log_level);
	free(c->master_key);
	for (size_t i = 0; i < c->n_externals; i++) {
		free(c->externals[i].name);
		free(c->externals[i].url);
	}
	/* Re-initialising here would allocate the defaults again, and nothing would free them. */
	memset(c, 0, sizeof *c);
}

static int parse_u64(const char *value, uint64_t max, uint64_t *out)
{
	int64_t v;
	if (!ar_parse_i64(value, &v) || v < 0 || (uint64_t)v > max)
		return AR_EINVAL;
	*out = (uint64_t)v;
	return 0;
}

/* "30" or "30s" (seconds) or "250ms"; at most 30 days. */
static int parse_duration_ms(const char *value, uint32_t *out)
{
	char num[32];
	size_t len = strlen(value);
	uint64_t scale = 1000, v;
	if (len > 2 && strcmp(value + len - 2, "ms") == 0) {
		scale = 1;
		len -= 2;
	} else if (len > 1 && value[len - 1] == 's') {
		len -= 1;
	}
	if (len == 0 || len >= sizeof num)
		return AR_EINVAL;
	memcpy(num, value, len);
	num[len] = '\0';
	if (parse_u64(num, (uint64_t)30 * 86400 * 1000, &v) || v * scale > (uint64_t)30 * 86400 * 1000)
		return AR_EINVAL;
	*out = (uint32_t)(v * scale);
	return 0;
}

/* The upstream settings, as data: the name, where it goes, and its bounds. */
enum { DURATION, COUNT, BYTES };
static const struct upstream_key {
	const char *key;
	int kind;
	size_t offset;
	uint64_t min, max; /* COUNT and BYTES */
} upstream_keys[] = {
	{"upstream_metadata_ttl", DURATION, offsetof(struct ar_config, upstream_metadata_ttl_ms), 0, 0},
	{"upstream_negative_ttl", DURATION, offsetof(struct ar_config, upstream_negative_ttl_ms), 0, 0},
	{"upstream_connect_timeout", DURATION, offsetof(struct ar_config, upstream_connect_timeout_ms), 0, 0},
	{"upstream_metadata_timeout", DURATION, offsetof(struct ar_config, upstream_metadata_timeout_ms), 0, 0},
	{"upstream_file_stall_timeout", DURATION, offsetof(struct ar_config, upstream_file_stall_ms), 0, 0},
	{"upstream_max_metadata", BYTES, offsetof(struct ar_config, upstream_max_metadata), 1, (uint64_t)1 << 32},
	{"upstream_max_file", BYTES, offsetof(struct ar_config, upstream_max_file), 1, (uint64_t)1 << 40},
	{"upstream_breaker_failures", COUNT, offsetof(struct ar_config, upstream_breaker_failures), 1, 1000},
	{"upstream_breaker_cooldown", DURATION, offsetof(struct ar_config, upstream_breaker_cooldown_ms), 0, 0},
	{"upstream_breaker_max_cooldown", DURATION, offsetof(struct ar_config, upstream_breaker_max_cooldown_ms), 0, 0},
};

/* 1 when key is not an upstream key, else 0 or AR_EINVAL. */
static int set_upstream(struct ar_config *c, const char *key, const char *value, struct ar_err *err)
{
	for (size_t i = 0; i < sizeof upstream_keys / sizeof upstream_keys[0]; i++) {
		const struct upstream_key *k = &upstream_keys[i];
		if (strcmp(key, k->key) != 0)
			continue;
		char *field = (char *)c + k->offset;
		uint64_t n;
		uint32_t ms;
		switch (k->kind) {
		case DURATION:
			if (parse_duration_ms(value, &ms))
				return ar_fail(err, AR_EINVAL,
					       "%s must be seconds (\"30\", \"30s\") or milliseconds (\"250ms\"), "
					       "at most 30 days",
					       key);
			memcpy(field, &ms, sizeof ms);
			return 0;
		case COUNT:
			if (parse_u64(value, k->max, &n) || n < k->min)
				return ar_fail(err, AR_EINVAL, "%s must be %llu..%llu", key, (unsigned long long)k->min,
					       (unsigned long long)k->max);
			ms = (uint32_t)n;
			memcpy(field, &ms, sizeof ms);
			return 0;
		default:
			if (parse_u64(value, k->max, &n) || n < k->min)
				return ar_fail(err, AR_EINVAL, "%s must be %llu..%llu bytes", key,
					       (unsigned long long)k->min, (unsigned long long)k->max);
			memcpy(field, &n, sizeof n);
			return 0;
		}
	}
	return 1;
}

static int set_listen(struct ar_config *c, const char *value, struct ar_err *err)
{
	const char *colon = strrchr(value, ':');
	uint64_t port;
	if (!colon || colon == value || parse_u64(colon + 1, 65535, &port))
		return ar_fail(err, AR_EINVAL, "listen must be ADDR:PORT, got '%s'", value);
	free(c->listen_addr);
	c->listen_addr = ar_xstrndup(value, (size_t)(colon - value));
	c->listen_port = (uint16_t)port;
	return 0;
}

static int set_external(struct ar_config *c, const char *name, const char *url, struct ar_err *err)
{
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return ar_fail(err, AR_EINVAL, "external connection %s: URL must start with http:// or https://", name);
	for (size_t i = 0; i < c->n_externals; i++) {
		if (strcmp(c->externals[i].name, name) == 0) {
			set_str(&c->externals[i].url, url);
			return 0;
		}
	}
	if (c->n_externals == AR_MAX_EXTERNALS)
		return ar_fail(err, AR_ETOOBIG, "too many external connections (max %d)", AR_MAX_EXTERNALS);
	c->externals[c->n_externals].name = ar_xstrdup(name);
	c->externals[c->n_externals].url = ar_xstrdup(url);
	c->n_externals++;
	return 0;
}

int ar_config_set(struct ar_config *c, const char *key, const char *value, struct ar_err *err)
{
	uint64_t n;
	int rc;
	if (strncmp(key, "external.", 9) == 0)
		return set_external(c, key + 9, value, err);
	if (strcmp(key, "listen") == 0)
		return set_listen(c, value, err);
	if (strncmp(key, "upstream_", 9) == 0 && (rc = set_upstream(c, key, value, err)) <= 0)
		return rc;
	if (strcmp(key, "data") == 0)
		set_str(&c->data_dir, value);
	else if (strcmp(key, "database") == 0)
		set_str(&c->database, value);
	else if (strcmp(key, "region") == 0)
		set_str(&c->region, value);
	else if (strcmp(key, "public_url") == 0)
		set_str(&c->public_url, value);
	else if (strcmp(key, "master_key") == 0)
		set_str(&c->master_key, value);
	else if (strcmp(key, "log_level") == 0) {
		if (ar_log_parse_level(value) < 0)
			return ar_fail(err, AR_EINVAL, "log_level must be debug, info, warn or error");
		set_str(&c->log_level, value);
	} else if (strcmp(key, "access_log") == 0) {
		if (strcmp(value, "true") && strcmp(value, "false"))
			return ar_fail(err, AR_EINVAL, "access_log must be true or false");
		c->access_log = strcmp(value, "true") == 0;
	} else if (strcmp(key, "metrics") == 0) {
		if (strcmp(value, "true") && strcmp(value, "false"))
			return ar_fail(err, AR_EINVAL, "metrics must be true or false");
		c->metrics = strcmp(value, "true") == 0;
	} else if (strcmp(key, "metrics_token") == 0) {
		if (value[0] && strlen(value) < 16)
			return ar_fail(err, AR_EINVAL, "metrics_token must be empty or at least 16 characters");
		set_str(&c->metrics_token, value);
	} else if (strcmp(key, "max_connections") == 0) {
		if (parse_u64(value, 65536, &n) || n == 0)
			return ar_fail(err, AR_EINVAL, "max_connections must be 1..65536");
		c->max_connections = (unsigned)n;
	} else if (strcmp(key, "request_timeout") == 0) {
		if (parse_u64(value, 86400, &n) || n == 0)
			return ar_fail(err, AR_EINVAL, "request_timeout must be 1..86400 seconds");
		c->request_timeout_s = (unsigned)n;
	} else if (strcmp(key, "sigv4_skew") == 0) {
		if (parse_u64(value, 86400, &n))
			return ar_fail(err, AR_EINVAL, "sigv4_skew must be 0..86400 seconds");
		c->sigv4_skew_s = (unsigned)n;
	} else if (strcmp(key, "max_api_body") == 0) {
		if (parse_u64(value, (uint64_t)1 << 30, &n) || n == 0)
			return ar_fail(err, AR_EINVAL, "max_api_body must be 1..1073741824 bytes");
		c->max_api_body = n;
	} else if (strcmp(key, "max_upload_body") == 0) {
		if (parse_u64(value, (uint64_t)1 << 40, &n) || n == 0)
			return ar_fail(err, AR_EINVAL, "max_upload_body must be 1..2^40 bytes");
		c->max_upload_body = n;
	} else if (strcmp(key, "render_cache_bytes") == 0) {
		if (parse_u64(value, (uint64_t)1 << 40, &n))
			return ar_fail(err, AR_EINVAL, "render_cache_bytes must be 0..2^40");
		c->render_cache_bytes = n;
	} else if (strcmp(key, "gc_interval") == 0) {
		if (parse_u64(value, 30 * 86400, &n))
			return ar_fail(err, AR_EINVAL, "gc_interval must be 0..2592000 seconds (0 = off)");
		c->gc_interval_s = (unsigned)n;
	} else if (strcmp(key, "gc_grace") == 0) {
		if (parse_u64(value, 30 * 86400, &n))
			return ar_fail(err, AR_EINVAL, "gc_grace must be 0..2592000 seconds");
		c->gc_grace_s = (unsigned)n;
	} else {
		return ar_fail(err, AR_EINVAL, "unknown configuration key '%s'", key);
	}
	return 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int ar_config_load_file(struct ar_config *c, const char *path, struct ar_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return ar_fail(err, AR_EINVAL, "cannot open config %s: %s", path, strerror(errno));
	char line[4096];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = ar_fail(err, AR_EINVAL, "%s:%d: expected 'key = value'", path, lineno);
			break;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		size_t vlen = strlen(value);
		if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
			value[vlen - 1] = '\0';
			value++;
		}
		struct ar_err inner;
		if ((rc = ar_config_set(c, key, value, &inner)) != 0) {
			ar_fail(err, rc, "%s:%d: %s", path, lineno, inner.msg);
			break;
		}
	}
	fclose(f);
	return rc;
}

/* ARCA_EXTERNAL_PUBLIC_NPMJS -> "public:npmjs"; ARCA_EXTERNAL_PUBLIC_MAVEN_CENTRAL -> "public:maven-central". */
static void external_name_from_env(char *out, size_t cap, const char *suffix)
{
	size_t n = 0;
	const char *rest = suffix;
	if (strncmp(suffix, "PUBLIC_", 7) == 0) {
		n = (size_t)snprintf(out, cap, "public:");
		rest = suffix + 7;
	}
	for (; *rest && n + 1 < cap; rest++)
		out[n++] = *rest == '_' ? '-' : (char)tolower((unsigned char)*rest);
	out[n] = '\0';
}

int ar_config_load_env(struct ar_config *c, struct ar_err *err)
{
	for (char **e = environ; *e; e++) {
		if (strncmp(*e, "ARCA_", 5) != 0)
			continue;
		const char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		char key[128];
		size_t klen = (size_t)(eq - *e) - 5;
		if (klen >= sizeof key)
			continue;
		memcpy(key, *e + 5, klen);
		key[klen] = '\0';
		int rc;
		if (strncmp(key, "EXTERNAL_", 9) == 0) {
			char name[128];
			external_name_from_env(name, sizeof name, key + 9);
			rc = set_external(c, name, eq + 1, err);
		} else {
			char lower[128];
			for (size_t i = 0; i <= klen; i++)
				lower[i] = (char)tolower((unsigned char)key[i]);
			/* Only keys the config knows; other ARCA_* variables belong to tools and tests. */
			struct ar_err ignored;
			rc = ar_config_set(c, lower, eq + 1, &ignored);
			if (rc && strstr(ignored.msg, "unknown configuration key"))
				rc = 0;
			else if (rc)
				ar_fail(err, rc, "ARCA_%s: %s", key, ignored.msg);
		}
		if (rc)
			return rc;
	}
	return 0;
}

const char *ar_config_external(const struct ar_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_externals; i++)
		if (strcmp(c->externals[i].name, name) == 0)
			return c->externals[i].url;
	return NULL;
}
