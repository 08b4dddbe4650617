/* cli/login_pypi.c - arca login for pip (pip.conf), twine (.pypirc), uv (uv.toml) and poetry (config.toml, auth.toml)
 */
#include "cli/login_pypi.h"

#include "cli/cfgedit.h"

#include <stdlib.h>
#include <string.h>

/* Flags the Python tools take after the common ones. */
struct py_flags {
	const char *name;	 /* --name: section / index / repository name */
	const char *config_file; /* --config-file (poetry: --config-dir) */
	bool is_extra;		 /* --extra-index: keep the user's index, add ours */
};

static const char *flag_value(struct ar_login_ctx *ctx, int *i, const char *flag)
{
	size_t n = strlen(flag);
	const char *arg = ctx->argv[*i];
	if (strncmp(arg, flag, n) != 0)
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (arg[n] == '\0' && *i + 1 < ctx->argc)
		return ctx->argv[++*i];
	return NULL;
}

/* Index and section names: the repository name unless --name; no '.' for poetry (its config keys
   are dotted paths) and nothing that would need quoting anywhere. */
static int parse_flags(struct py_flags *f, struct ar_login_ctx *ctx, bool allow_extra, const char *file_flag,
		       bool dotless, struct ar_err *err)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < ctx->argc; i++) {
		const char *v;
		if ((v = flag_value(ctx, &i, "--name")))
			f->name = v;
		else if ((v = flag_value(ctx, &i, file_flag)))
			f->config_file = v;
		else if (allow_extra && strcmp(ctx->argv[i], "--extra-index") == 0)
			f->is_extra = true;
		else
			return ar_fail(err, AR_EINVAL, "unknown option for --tool %s: %s", ctx->tool, ctx->argv[i]);
	}
	if (!f->name) {
		char *name = ar_strdup(ctx->a, ctx->repository);
		for (char *p = name; dotless && *p; p++)
			if (*p == '.')
				*p = '-';
		f->name = name;
	}
	for (const char *p = f->name; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			  *p == '-' || *p == '_' || (*p == '.' && !dotless);
		if (!ok)
			return ar_fail(err, AR_EINVAL, "--name may only use letters, digits, '-', '_'%s",
				       dotless ? "" : " and '.'");
	}
	if (!*f->name)
		return ar_fail(err, AR_EINVAL, "--name must not be empty");
	return 0;
}

/* Where the host starts in url (after "scheme://" and any userinfo), and where "scheme://" ends. */
static const char *host_start(const char *url, size_t *scheme_len)
{
	const char *p = strstr(url, "://");
	if (!p) {
		*scheme_len = 0;
		return url;
	}
	p += 3;
	*scheme_len = (size_t)(p - url);
	size_t auth_len = strcspn(p, "/?#");
	const char *at = memrchr(p, '@', auth_len); /* userinfo ends at the last '@', as in urllib */
	return at ? at + 1 : p;
}

char *ar_login_url_with_auth(struct ar_arena *a, const char *url, const char *user, const char *password)
{
	size_t scheme_len;
	const char *host = host_start(url, &scheme_len);
	if (!scheme_len)
		return ar_strdup(a, url);
	return ar_printf(a, "%.*s%s:%s@%s", (int)scheme_len, url, user, password, host);
}

char *ar_login_url_without_auth(struct ar_arena *a, const char *url)
{
	size_t scheme_len;
	const char *host = host_start(url, &scheme_len);
	return ar_printf(a, "%.*s%s", (int)scheme_len, url, host);
}

/* The user configuration directory (XDG), for tools that follow it on Linux. */
static const char *config_home(struct ar_arena *a)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	return xdg && xdg[0] == '/' ? ar_strdup(a, xdg) : ar_login_home_path(a, ".config");
}

static int read_existing(char **out, struct ar_login_ctx *ctx, const char *path, struct ar_err *err)
{
	bool missing;
	*out = ar_login_read_file(ctx->a, path, &missing, err);
	return *out || missing ? 0 : AR_ERROR;
}

/* Writes the file (0600, atomically), or for --dry-run shows what it would hold. */
static int emit(struct ar_login_ctx *ctx, const char *path, const char *content, struct ar_err *err)
{
	if (ctx->dry_run) {
		fprintf(ctx->out, "Dryrun mode is enabled, not writing to %s.\nIt would contain:\n\n%s\n", path,
			content);
		return 0;
	}
	return ar_login_write_file(path, content, 0600, err);
}

static const char *simple_url(struct ar_login_ctx *ctx)
{
	return ar_printf(ctx->a, "%ssimple/", ctx->endpoint);
}

/* Whitespace-separated words of s, without those equal to drop (compared without credentials). */
static const char *words_without(struct ar_arena *a, const char *s, const char *drop)
{
	const char *bare = ar_login_url_without_auth(a, drop);
	char *out = ar_strdup(a, "");
	for (const char *p = s ? s : ""; *p;) {
		size_t skip = strspn(p, " \t\r\n"), len;
		p += skip;
		len = strcspn(p, " \t\r\n");
		if (!len)
			break;
		char *word = ar_strndup(a, p, len);
		if (strcmp(ar_login_url_without_auth(a, word), bare) != 0)
			out = ar_printf(a, "%s%s%s", out, *out ? "\n" : "", word);
		p += len;
	}
	return out;
}

/* pip: global.index-url in the user's pip.conf, as `aws codeartifact login --tool pip` does through
   `pip config set`; --extra-index keeps index-url and adds ours to extra-index-url instead. */
static int configure_pip(struct ar_login_ctx *ctx, struct ar_err *err)
{
	struct py_flags f;
	char *text;
	int rc = parse_flags(&f, ctx, true, "--config-file", false, err);
	if (rc)
		return rc;
	const char *path = f.config_file ? f.config_file : ar_printf(ctx->a, "%s/pip/pip.conf", config_home(ctx->a));
	if ((rc = read_existing(&text, ctx, path, err)))
		return rc;
	const char *url = ar_login_url_with_auth(ctx->a, simple_url(ctx), "aws", ctx->token);
	if (f.is_extra) {
		const char *old = ar_cfgedit_ini_get(ctx->a, text, "global", "extra-index-url");
		const char *kept = words_without(ctx->a, old, url);
		text = ar_cfgedit_ini_set(ctx->a, text, "global", "extra-index-url",
					  *kept ? ar_printf(ctx->a, "\n%s\n%s", kept, url) : url);
	} else {
		text = ar_cfgedit_ini_set(ctx->a, text, "global", "index-url", url);
	}
	return emit(ctx, path, text, err);
}

/* twine: a [NAME] repository in ~/.pypirc listed in [distutils] index-servers, as the aws CLI
   writes it (repository is the endpoint itself: uploads go to its root). */
static int configure_twine(struct ar_login_ctx *ctx, struct ar_err *err)
{
	struct py_flags f;
	char *text;
	int rc = parse_flags(&f, ctx, false, "--config-file", false, err);
	if (rc)
		return rc;
	const char *path = f.config_file ? f.config_file : ar_login_home_path(ctx->a, ".pypirc");
	if ((rc = read_existing(&text, ctx, path, err)))
		return rc;
	const char *servers = ar_cfgedit_ini_get(ctx->a, text, "distutils", "index-servers");
	if (!servers)
		servers = text ? "" : "pypi"; /* a new file lists pypi too, like the aws CLI's */
	const char *others = words_without(ctx->a, servers, f.name);
	text = ar_cfgedit_ini_set(ctx->a, text, "distutils", "index-servers",
				  ar_printf(ctx->a, "\n%s%s%s", others, *others ? "\n" : "", f.name));
	text = ar_cfgedit_ini_set(ctx->a, text, f.name, "repository", ctx->endpoint);
	text = ar_cfgedit_ini_set(ctx->a, text, f.name, "username", "aws");
	text = ar_cfgedit_ini_set(ctx->a, text, f.name, "password", ctx->token);
	rc = emit(ctx, path, text, err);
	if (rc == 0 && !ctx->dry_run)
		fprintf(ctx->out, "Upload with: twine upload --repository %s dist/*\n", f.name);
	return rc;
}

/* uv: an [[index]] entry in the user's uv.toml with the credentials in its URL; it replaces the
   default index (PyPI) unless --extra-index, which leaves PyPI as the fallback. */
static int configure_uv(struct ar_login_ctx *ctx, struct ar_err *err)
{
	struct py_flags f;
	char *text;
	int rc = parse_flags(&f, ctx, true, "--config-file", false, err);
	if (rc)
		return rc;
	const char *env = getenv("UV_CONFIG_FILE");
	const char *path = f.config_file ? f.config_file
			   : env && *env ? env
					 : ar_printf(ctx->a, "%s/uv/uv.toml", config_home(ctx->a));
	if ((rc = read_existing(&text, ctx, path, err)))
		return rc;
	text = ar_cfgedit_toml_drop_entries(ctx->a, text, "index", "name", f.name);
	if (!f.is_extra)
		text = ar_cfgedit_toml_drop_entry_key(ctx->a, text, "index", "default"); /* one default only */
	const char *url = ar_login_url_with_auth(ctx->a, simple_url(ctx), "aws", ctx->token);
	const char *block = ar_printf(ctx->a, "[[index]]\nname = %s\nurl = %s\n%s", ar_cfgedit_toml_str(ctx->a, f.name),
				      ar_cfgedit_toml_str(ctx->a, url), f.is_extra ? "" : "default = true\n");
	rc = emit(ctx, path, ar_cfgedit_append(ctx->a, text, block), err);
	if (rc == 0 && !ctx->dry_run)
		fprintf(ctx->out, "Publish with: uv publish --publish-url %s -u aws -p <token> dist/*\n",
			ctx->endpoint);
	return rc;
}

static const char *poetry_dir(struct ar_login_ctx *ctx)
{
	const char *env = getenv("POETRY_CONFIG_DIR");
	if (env && *env)
		return env;
#ifdef __APPLE__
	return ar_login_home_path(ctx->a, "Library/Application Support/pypoetry");
#else
	return ar_printf(ctx->a, "%s/pypoetry", config_home(ctx->a));
#endif
}

/* poetry: repositories.NAME.url (the upload URL; poetry also picks the credentials of the longest
   configured URL prefix for the index and file URLs below it) in config.toml and
   http-basic.NAME in auth.toml, which is where `poetry config http-basic` puts them without a
   keyring. */
static int configure_poetry(struct ar_login_ctx *ctx, struct ar_err *err)
{
	struct py_flags f;
	char *config, *auth;
	int rc = parse_flags(&f, ctx, false, "--config-dir", true, err);
	if (rc)
		return rc;
	const char *dir = f.config_file ? f.config_file : poetry_dir(ctx);
	const char *config_path = ar_printf(ctx->a, "%s/config.toml", dir);
	const char *auth_path = ar_printf(ctx->a, "%s/auth.toml", dir);
	if ((rc = read_existing(&config, ctx, config_path, err)) || (rc = read_existing(&auth, ctx, auth_path, err)))
		return rc;
	config = ar_cfgedit_toml_drop_table(ctx->a, config, ar_printf(ctx->a, "repositories.%s", f.name));
	config = ar_cfgedit_append(
		ctx->a, config,
		ar_printf(ctx->a, "[repositories.%s]\nurl = %s\n", f.name, ar_cfgedit_toml_str(ctx->a, ctx->endpoint)));
	auth = ar_cfgedit_toml_drop_table(ctx->a, auth, ar_printf(ctx->a, "http-basic.%s", f.name));
	auth = ar_cfgedit_append(ctx->a, auth,
				 ar_printf(ctx->a, "[http-basic.%s]\nusername = \"aws\"\npassword = %s\n", f.name,
					   ar_cfgedit_toml_str(ctx->a, ctx->token)));
	if ((rc = emit(ctx, config_path, config, err)) || (rc = emit(ctx, auth_path, auth, err)))
		return rc;
	if (!ctx->dry_run)
		fprintf(ctx->out,
			"Publish with: poetry publish --repository %s\n"
			"Install from it in a project: poetry source add %s %s\n",
			f.name, f.name, simple_url(ctx));
	return 0;
}

const struct ar_login_tool ar_login_pip = {
	.name = "pip",
	.format = "pypi",
	.configure = configure_pip,
	.usage = "[--extra-index] [--config-file PATH]  (default: $XDG_CONFIG_HOME/pip/pip.conf)",
};

const struct ar_login_tool ar_login_twine = {
	.name = "twine",
	.format = "pypi",
	.configure = configure_twine,
	.usage = "[--name NAME] [--config-file PATH]  (default: ~/.pypirc, NAME = the repository)",
};

const struct ar_login_tool ar_login_uv = {
	.name = "uv",
	.format = "pypi",
	.configure = configure_uv,
	.usage = "[--extra-index] [--name NAME] [--config-file PATH]  (default: $XDG_CONFIG_HOME/uv/uv.toml)",
};

const struct ar_login_tool ar_login_poetry = {
	.name = "poetry",
	.format = "pypi",
	.configure = configure_poetry,
	.usage = "[--name NAME] [--config-dir DIR]  (default: $XDG_CONFIG_HOME/pypoetry)",
};
