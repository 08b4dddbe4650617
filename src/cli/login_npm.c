/* cli/login_npm.c - arca login for npm, pnpm and yarn: ~/.npmrc, a project's .npmrc, .yarnrc.yml */
#include "cli/login_npm.h"

#include "core/buf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text helpers ---- */

struct lines {
	const char **v;
	size_t n, cap;
};

static void lines_push(struct lines *l, struct ar_arena *a, const char *s)
{
	l->v = ar_grow(a, l->v, &l->cap, l->n, sizeof *l->v);
	l->v[l->n++] = s;
}

static void lines_insert(struct lines *l, struct ar_arena *a, size_t at, const char *s)
{
	lines_push(l, a, s);
	memmove(&l->v[at + 1], &l->v[at], (l->n - 1 - at) * sizeof *l->v);
	l->v[at] = s;
}

static void lines_erase(struct lines *l, size_t from, size_t to)
{
	memmove(&l->v[from], &l->v[to], (l->n - to) * sizeof *l->v);
	l->n -= to - from;
}

/* Splits text at '\n' (carriage returns before it are dropped); no final empty line. */
static struct lines split_lines(struct ar_arena *a, const char *text)
{
	struct lines l = {0};
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, "\n");
		size_t len = n;
		while (len > 0 && p[len - 1] == '\r')
			len--;
		lines_push(&l, a, ar_strndup(a, p, len));
		p += n + (p[n] == '\n');
	}
	return l;
}

static char *join_lines(struct ar_arena *a, const struct lines *l)
{
	size_t total = 1;
	for (size_t i = 0; i < l->n; i++)
		total += strlen(l->v[i]) + 1;
	char *out = ar_alloc(a, total), *w = out;
	for (size_t i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i]);
		memcpy(w, l->v[i], n);
		w += n;
		*w++ = '\n';
	}
	*w = '\0';
	return out;
}

static const char *trim(struct ar_arena *a, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return ar_strndup(a, s, n);
}

/* ---- npm ---- */

char *ar_login_npm_nerf_dart(struct ar_arena *a, const char *endpoint)
{
	const char *p = strstr(endpoint, "//");
	p = p ? p : endpoint;
	size_t n = strlen(p);
	return n && p[n - 1] == '/' ? ar_strdup(a, p) : ar_printf(a, "%s/", p);
}

int ar_login_npm_scope(const char **out, struct ar_arena *a, const char *ns, struct ar_err *err)
{
	const char *s = ns[0] == '@' ? ns + 1 : ns;
	/* The aws CLI's rule: ^@[a-z0-9-~][a-z0-9-._~]*, here for the whole value. */
	bool ok = s[0] && s[0] != '.' && s[0] != '_';
	for (const char *p = s; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p);
	if (!ok)
		return ar_fail(err, AR_EINVAL, "--namespace %s is not an npm scope (lowercase letters, digits, -._~)",
			       ns);
	*out = ar_printf(a, "@%s", s);
	return 0;
}

char *ar_login_npm_merge_npmrc(struct ar_arena *a, const char *old, const char *const *keys, const char *const *values,
			       size_t n)
{
	struct lines l = split_lines(a, old), out = {0};
	bool *done = ar_alloc_array(a, n + 1, sizeof *done);
	for (size_t i = 0; i < l.n; i++) {
		const char *line = l.v[i], *eq = strchr(line, '=');
		const char *key = eq ? trim(a, line, (size_t)(eq - line)) : NULL;
		size_t k = n;
		if (key && key[0] != '#' && key[0] != ';')
			for (k = 0; k < n && strcmp(keys[k], key) != 0; k++)
				;
		if (k == n) {
			lines_push(&out, a, line);
		} else if (!done[k]) {
			lines_push(&out, a, ar_printf(a, "%s=%s", keys[k], values[k]));
			done[k] = true;
		}
	}
	for (size_t k = 0; k < n; k++)
		if (!done[k])
			lines_push(&out, a, ar_printf(a, "%s=%s", keys[k], values[k]));
	return join_lines(a, &out);
}

/* ---- yarn berry ---- */

static size_t indent_of(const char *s)
{
	size_t n = 0;
	while (s[n] == ' ')
		n++;
	return n;
}

static bool blank_or_comment(const char *s)
{
	s += strspn(s, " \t");
	return *s == '\0' || *s == '#';
}

/* The key of a "key: value" line (quotes removed), its value after ':' in *value; NULL for other lines. */
static const char *yaml_key(struct ar_arena *a, const char *line, const char **value)
{
	const char *s = line + indent_of(line);
	if (blank_or_comment(s) || s[0] == '-')
		return NULL;
	const char *colon;
	const char *key;
	if (s[0] == '"' || s[0] == '\'') {
		const char *close = strchr(s + 1, s[0]);
		if (!close || close[1] != ':')
			return NULL;
		key = ar_strndup(a, s + 1, (size_t)(close - s - 1));
		colon = close + 1;
	} else {
		colon = strchr(s, ':');
		while (colon && colon[1] && colon[1] != ' ' && colon[1] != '\t')
			colon = strchr(colon + 1, ':'); /* "a:b: c" - the key ends at ": " */
		if (!colon)
			return NULL;
		key = trim(a, s, (size_t)(colon - s));
	}
	const char *v = colon + 1;
	size_t vlen = strlen(v);
	const char *hash = strstr(v, " #");
	if (hash)
		vlen = (size_t)(hash - v);
	*value = trim(a, v, vlen);
	return key;
}

/* End (exclusive) of the block that belongs to the line at i with indentation ind: the following
   lines indented deeper, blank lines inside it included, trailing blank lines not. */
static size_t block_end(const struct lines *l, size_t i, size_t ind)
{
	size_t end = i + 1;
	for (size_t j = i + 1; j < l->n; j++) {
		if (blank_or_comment(l->v[j]))
			continue;
		if (indent_of(l->v[j]) <= ind)
			break;
		end = j + 1;
	}
	return end;
}

/* The line index of the key at indentation ind within [from, to), or to when absent. */
static size_t find_key(struct ar_arena *a, const struct lines *l, size_t from, size_t to, size_t ind, const char *key,
		       const char **value)
{
	for (size_t i = from; i < to; i++) {
		const char *v;
		const char *k = indent_of(l->v[i]) == ind ? yaml_key(a, l->v[i], &v) : NULL;
		if (k && strcmp(k, key) == 0) {
			*value = v;
			return i;
		}
	}
	return to;
}

static const char *yaml_quote(struct ar_arena *a, const char *s)
{
	struct ar_buf b;
	ar_buf_init(&b, 0);
	ar_buf_addch(&b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			ar_buf_addch(&b, '\\');
		ar_buf_addch(&b, *s);
	}
	ar_buf_addch(&b, '"');
	const char *out = ar_strndup(a, b.ptr, b.len);
	ar_buf_release(&b);
	return out;
}

/* Sets a top-level scalar key, replacing its old value (and anything nested under it) in place. */
static void set_top(struct lines *l, struct ar_arena *a, const char *key, const char *value)
{
	const char *old;
	const char *line = ar_printf(a, "%s: %s", key, value);
	size_t i = find_key(a, l, 0, l->n, 0, key, &old);
	if (i == l->n) {
		lines_push(l, a, line);
		return;
	}
	lines_erase(l, i + 1, block_end(l, i, 0));
	l->v[i] = line;
	/* A key written twice (invalid YAML, but files are hand-edited): only ours stays. */
	for (size_t j; (j = find_key(a, l, i + 1, l->n, 0, key, &old)) < l->n;)
		lines_erase(l, j, block_end(l, j, 0));
}

/* Indentation of the first entry of the block [from, to): its first "key:" line (list: its first "- "
   line), or 2 when it has none. Stray lines of other shapes do not set it. */
static size_t child_indent(struct ar_arena *a, const struct lines *l, size_t from, size_t to, bool is_list)
{
	for (size_t j = from; j < to; j++) {
		const char *s = l->v[j] + indent_of(l->v[j]), *v;
		if (is_list ? s[0] == '-' : yaml_key(a, l->v[j], &v) != NULL)
			return indent_of(l->v[j]);
	}
	return 2;
}

static int set_scope(struct lines *l, struct ar_arena *a, const char *scope, const char *const *entries, size_t n,
		     struct ar_err *err)
{
	const char *value;
	size_t i = find_key(a, l, 0, l->n, 0, "npmScopes", &value);
	if (i == l->n) {
		lines_push(l, a, "npmScopes:");
	} else if (*value && strcmp(value, "{}") != 0) {
		return ar_fail(err, AR_EINVAL,
			       "npmScopes in .yarnrc.yml is a flow mapping; write it as a block to let "
			       "arca login edit it");
	} else {
		l->v[i] = "npmScopes:";
	}
	i = find_key(a, l, 0, l->n, 0, "npmScopes", &value);
	size_t end = block_end(l, i, 0), ind = child_indent(a, l, i + 1, end, false), pos = SIZE_MAX;
	/* Every entry for the scope goes; ours takes the place of the first (or comes last), so that
	   editing the result again finds the same layout and changes nothing. */
	for (size_t at; (at = find_key(a, l, i + 1, end, ind, scope, &value)) < end;) {
		size_t stop = block_end(l, at, ind);
		lines_erase(l, at, stop);
		end -= stop - at;
		if (pos == SIZE_MAX)
			pos = at;
	}
	if (pos == SIZE_MAX)
		pos = end;
	lines_insert(l, a, pos, ar_printf(a, "%*s%s:", (int)ind, "", scope));
	for (size_t k = 0; k < n; k++)
		lines_insert(l, a, pos + 1 + k, ar_printf(a, "%*s%s", (int)(2 * ind), "", entries[k]));
	return 0;
}

static const char *unquote(struct ar_arena *a, const char *s)
{
	size_t n = strlen(s);
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
		return ar_strndup(a, s + 1, n - 2);
	return s;
}

/* yarn refuses plain-HTTP registries whose host is not in unsafeHttpWhitelist. */
static int allow_http_host(struct lines *l, struct ar_arena *a, const char *host, struct ar_err *err)
{
	const char *value;
	size_t i = find_key(a, l, 0, l->n, 0, "unsafeHttpWhitelist", &value);
	if (i == l->n) {
		lines_push(l, a, "unsafeHttpWhitelist:");
		lines_push(l, a, ar_printf(a, "  - %s", yaml_quote(a, host)));
		return 0;
	}
	if (*value) {
		size_t n = strlen(value);
		if (value[0] != '[' || value[n - 1] != ']')
			return ar_fail(err, AR_EINVAL, "unsafeHttpWhitelist in .yarnrc.yml is not a list");
		const char *inner = trim(a, value + 1, n - 2);
		for (const char *p = inner; *p;) {
			size_t m = strcspn(p, ",");
			if (strcmp(unquote(a, trim(a, p, m)), host) == 0)
				return 0;
			p += m + (p[m] == ',');
		}
		l->v[i] = ar_printf(a, "unsafeHttpWhitelist: [%s%s%s]", inner, *inner ? ", " : "", yaml_quote(a, host));
		return 0;
	}
	size_t end = block_end(l, i, 0), ind = child_indent(a, l, i + 1, end, true);
	for (size_t j = i + 1; j < end; j++) {
		const char *s = l->v[j] + indent_of(l->v[j]);
		if (s[0] == '-' && strcmp(unquote(a, trim(a, s + 1, strlen(s + 1))), host) == 0)
			return 0;
	}
	lines_insert(l, a, end, ar_printf(a, "%*s- %s", (int)ind, "", yaml_quote(a, host)));
	return 0;
}

/* The host of an http:// URL (no port, no brackets), or NULL for any other scheme. */
static const char *http_host(struct ar_arena *a, const char *endpoint)
{
	if (strncmp(endpoint, "http://", 7) != 0)
		return NULL;
	const char *h = endpoint + 7;
	if (h[0] == '[') {
		const char *close = strchr(h, ']');
		return close ? ar_strndup(a, h + 1, (size_t)(close - h - 1)) : NULL;
	}
	return ar_strndup(a, h, strcspn(h, ":/"));
}

int ar_login_npm_merge_yarnrc(char **out, struct ar_arena *a, const char *old, const char *scope, const char *endpoint,
			      const char *token, struct ar_err *err)
{
	struct lines l = split_lines(a, old);
	const char *server = yaml_quote(a, endpoint), *tok = yaml_quote(a, token);
	int rc = 0;
	if (scope) {
		const char *entries[] = {
			ar_printf(a, "npmRegistryServer: %s", server),
			"npmAlwaysAuth: true",
			ar_printf(a, "npmAuthToken: %s", tok),
		};
		rc = set_scope(&l, a, scope, entries, 3, err);
	} else {
		set_top(&l, a, "npmRegistryServer", server);
		set_top(&l, a, "npmAlwaysAuth", "true");
		set_top(&l, a, "npmAuthToken", tok);
	}
	const char *host = http_host(a, endpoint);
	if (rc == 0 && host)
		rc = allow_http_host(&l, a, host, err);
	if (rc == 0)
		*out = join_lines(a, &l);
	return rc;
}

/* ---- the tools ---- */

struct opts {
	const char *project; /* --project DIR: DIR/.npmrc or DIR/.yarnrc.yml */
	bool classic;	     /* yarn --classic: yarn 1, which reads .npmrc */
};

static int parse_opts(struct opts *o, struct ar_login_ctx *ctx, bool is_yarn, struct ar_err *err)
{
	memset(o, 0, sizeof *o);
	for (int i = 0; i < ctx->argc; i++) {
		const char *arg = ctx->argv[i];
		if (strcmp(arg, "--project") == 0 && i + 1 < ctx->argc)
			o->project = ctx->argv[++i];
		else if (strncmp(arg, "--project=", 10) == 0)
			o->project = arg + 10;
		else if (is_yarn && strcmp(arg, "--classic") == 0)
			o->classic = true;
		else
			return ar_fail(err, AR_EINVAL, "unknown option %s for --tool %s", arg, ctx->tool);
	}
	if (o->project && !*o->project)
		return ar_fail(err, AR_EINVAL, "--project needs a directory");
	return 0;
}

static int write_config(struct ar_login_ctx *ctx, const char *path, const char *content, struct ar_err *err)
{
	if (ctx->dry_run) {
		fprintf(ctx->out, "Dryrun mode is enabled, not writing to %s.\nIt would contain:\n\n%s\n", path,
			content);
		return 0;
	}
	return ar_login_write_file(path, content, 0600, err);
}

static const char *npmrc_path(struct ar_login_ctx *ctx, const struct opts *o)
{
	if (o->project)
		return ar_printf(ctx->a, "%s/.npmrc", o->project);
	/* npm's own override of the user config file, which npm, pnpm and yarn 1 all honour */
	const char *env = getenv("npm_config_userconfig");
	if (!env || !*env)
		env = getenv("NPM_CONFIG_USERCONFIG");
	return env && *env ? env : ar_login_home_path(ctx->a, ".npmrc");
}

static int configure_npmrc(struct ar_login_ctx *ctx, const struct opts *o, struct ar_err *err)
{
	const char *scope = NULL;
	int rc;
	if (ctx->ns && (rc = ar_login_npm_scope(&scope, ctx->a, ctx->ns, err)))
		return rc;
	const char *nerf = ar_login_npm_nerf_dart(ctx->a, ctx->endpoint);
	const char *keys[3] = {
		scope ? ar_printf(ctx->a, "%s:registry", scope) : "registry",
		ar_printf(ctx->a, "%s:_authToken", nerf),
		ar_printf(ctx->a, "%s:always-auth", nerf),
	};
	const char *values[3] = {ctx->endpoint, ctx->token, "true"};
	const char *path = npmrc_path(ctx, o);
	bool missing;
	char *old = ar_login_read_file(ctx->a, path, &missing, err);
	if (!old && !missing)
		return err->code;
	/* yarn 1 sends credentials for unscoped packages only with always-auth, which npm >= 9 no longer
	   knows (and warns about): written for yarn --classic only. */
	char *text = ar_login_npm_merge_npmrc(ctx->a, old, keys, values, o->classic ? 3 : 2);
	return write_config(ctx, path, text, err);
}

static int configure_npm(struct ar_login_ctx *ctx, struct ar_err *err)
{
	struct opts o;
	int rc = parse_opts(&o, ctx, false, err);
	return rc ? rc : configure_npmrc(ctx, &o, err);
}

static int configure_yarn(struct ar_login_ctx *ctx, struct ar_err *err)
{
	struct opts o;
	int rc = parse_opts(&o, ctx, true, err);
	if (rc)
		return rc;
	if (o.classic)
		return configure_npmrc(ctx, &o, err);
	const char *scope = NULL;
	if (ctx->ns && (rc = ar_login_npm_scope(&scope, ctx->a, ctx->ns, err)))
		return rc;
	const char *path =
		o.project ? ar_printf(ctx->a, "%s/.yarnrc.yml", o.project) : ar_login_home_path(ctx->a, ".yarnrc.yml");
	bool missing;
	char *old = ar_login_read_file(ctx->a, path, &missing, err), *text;
	if (!old && !missing)
		return err->code;
	if ((rc = ar_login_npm_merge_yarnrc(&text, ctx->a, old, scope ? scope + 1 : NULL, ctx->endpoint, ctx->token,
					    err))) {
		const char *why = ar_strdup(ctx->a, err->msg);
		return ar_fail(err, rc, "%s: %s", path, why);
	}
	return write_config(ctx, path, text, err);
}

const struct ar_login_tool ar_login_tool_npm = {
	.name = "npm",
	.format = "npm",
	.configure = configure_npm,
	.usage = "[--project DIR]  ~/.npmrc, or DIR/.npmrc; --namespace routes one @scope only",
};

const struct ar_login_tool ar_login_tool_pnpm = {
	.name = "pnpm",
	.format = "npm",
	.configure = configure_npm,
	.usage = "[--project DIR]  ~/.npmrc (pnpm reads it), or DIR/.npmrc",
};

const struct ar_login_tool ar_login_tool_yarn = {
	.name = "yarn",
	.format = "npm",
	.configure = configure_yarn,
	.usage = "[--project DIR] [--classic]  ~/.yarnrc.yml (yarn 2+), or DIR/.yarnrc.yml; --classic: .npmrc for yarn "
		 "1",
};
