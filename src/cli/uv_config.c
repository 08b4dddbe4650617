/* cli/uv_config.c - arca uv-config: one uv.toml from Arca, Google Artifact Registry and preauthenticated indexes */
#include "cli/uv_config.h"

#include "cli/cfgedit.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/login.h"
#include "cli/login_pypi.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/text.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define MAX_SOURCES	64
#define MAX_TOKEN_BYTES 16384
#define GAR_USER	"oauth2accesstoken" /* what Artifact Registry expects with an access token */
#define GAR_DEFAULT_CMD "gcloud auth print-access-token"

const char *ar_uv_index_name(struct ar_arena *a, const char *url)
{
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	size_t auth_len = strcspn(host, "/?#");
	const char *at = memrchr(host, '@', auth_len); /* userinfo ends at the last '@', as in urllib */
	if (at)
		host = at + 1;
	size_t len = strcspn(host, ".:/?#[");
	if (len == 0)
		return "index";
	char *name = ar_strndup(a, host, len);
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return name;
}

static bool name_valid(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

static bool taken(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return true;
	return false;
}

static void add_index(struct ar_buf *b, struct ar_arena *a, const char *name, const char *url, bool is_default)
{
	ar_buf_printf(b, "\n[[index]]\nname = %s\nurl = %s\n", ar_cfgedit_toml_str(a, name),
		      ar_cfgedit_toml_str(a, url));
	if (is_default)
		ar_buf_adds(b, "default = true\n");
}

int ar_uv_config_render(char **out, struct ar_arena *a, const struct ar_uv_config *cfg, struct ar_err *err)
{
	if (!cfg->pypi_url || !*cfg->pypi_url)
		return ar_fail(err, AR_EINVAL, "no PyPI URL: pass --pypi-url URL or set UV_DEFAULT_INDEX");
	size_t n = cfg->n_indexes + 1; /* names[0] is PyPI */
	const char **names = ar_alloc_array(a, n, sizeof *names);
	for (size_t i = 0; i < cfg->n_indexes; i++) {
		const char *name = cfg->indexes[i].name;
		if (!name)
			continue;
		if (!name_valid(name))
			return ar_fail(err, AR_EINVAL, "index name '%s' may only use letters, digits, '-', '_', '.'",
				       name);
		if (taken(names, n, name))
			return ar_fail(err, AR_EINVAL, "two indexes are both named '%s'", name);
		names[i + 1] = name;
	}
	/* Derived names, PyPI's first: they step around explicit names and each other. */
	for (size_t i = 0; i < n; i++) {
		if (names[i])
			continue;
		const char *base = ar_uv_index_name(a, i == 0 ? cfg->pypi_url : cfg->indexes[i - 1].url), *name = base;
		for (int k = 2; taken(names, n, name); k++)
			name = ar_printf(a, "%s-%d", base, k);
		names[i] = name;
	}
	struct ar_buf b;
	ar_buf_init(&b, 0);
	ar_buf_adds(&b, cfg->prefer_private
				? "# Written by arca uv-config. PyPI is the default index, which uv searches "
				  "last:\n# a name found on a private index is never taken from PyPI.\n"
				: "# Written by arca uv-config. PyPI is searched first.\n");
	if (cfg->unsafe_first_match)
		ar_buf_adds(&b, "index-strategy = \"unsafe-first-match\"\n");
	add_index(&b, a, names[0], cfg->pypi_url, cfg->prefer_private);
	for (size_t i = 0; i < cfg->n_indexes; i++)
		add_index(&b, a, names[i + 1], cfg->indexes[i].url, false);
	*out = ar_strndup(a, b.ptr, b.len);
	ar_buf_release(&b);
	return 0;
}

int ar_uv_gar_url(const char **out, struct ar_arena *a, const char *spec, struct ar_err *err)
{
	const char *s1 = strchr(spec, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (!s1 || !s2 || s1 == spec || s2 == s1 + 1 || !s2[1] || strchr(s2 + 1, '/'))
		return ar_fail(err, AR_EINVAL, "--gar takes REGION/PROJECT/REPOSITORY, not '%s'", spec);
	for (const char *p = spec; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.' && *p != '/' && *p != ':')
			return ar_fail(err, AR_EINVAL, "--gar '%s' has a character a location cannot hold", spec);
	*out = ar_printf(a, "https://%.*s-python.pkg.dev/%.*s/%s/simple/", (int)(s1 - spec), spec, (int)(s2 - s1 - 1),
			 s1 + 1, s2 + 1);
	return 0;
}

int ar_uv_secret_urls(const char ***out, size_t *n, struct ar_arena *a, const char *secret, struct ar_err *err)
{
	size_t cap = 0, count = 0;
	const char **urls = NULL;
	for (const char *p = secret; *p;) {
		size_t len = strcspn(p, "\r\n");
		const char *line = p;
		p += len;
		p += strspn(p, "\r\n");
		while (len && isspace((unsigned char)*line)) {
			line++;
			len--;
		}
		while (len && isspace((unsigned char)line[len - 1]))
			len--;
		if (!len || line[0] == '#')
			continue;
		char *url = ar_strndup(a, line, len);
		if ((strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) || strpbrk(url, " \t"))
			return ar_fail(err, AR_EINVAL, "the secret holds a line that is not an http(s) URL");
		urls = ar_grow(a, urls, &cap, count, sizeof *urls);
		urls[count++] = url;
	}
	if (!count)
		return ar_fail(err, AR_EINVAL, "the secret holds no URL");
	*out = urls;
	*n = count;
	return 0;
}

/* index-url from [install] or [global] of one pip configuration file, or NULL. */
static const char *pip_file_index(struct ar_arena *a, const char *path)
{
	bool missing;
	struct ar_err ignored;
	char *text = path ? ar_login_read_file(a, path, &missing, &ignored) : NULL;
	if (!text)
		return NULL;
	const char *url = ar_cfgedit_ini_get(a, text, "install", "index-url");
	return url && *url ? url : (url = ar_cfgedit_ini_get(a, text, "global", "index-url")) && *url ? url : NULL;
}

const char *ar_uv_default_pypi_url(struct ar_arena *a)
{
	static const char *const vars[] = {"UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return v;
	}
	/* pip's precedence, highest first: PIP_CONFIG_FILE, the user's files, the system's. */
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *files[] = {
		getenv("PIP_CONFIG_FILE"),
		xdg && *xdg ? ar_printf(a, "%s/pip/pip.conf", xdg) : ar_login_home_path(a, ".config/pip/pip.conf"),
		ar_login_home_path(a, ".pip/pip.conf"),
		"/etc/pip.conf",
		"/etc/xdg/pip/pip.conf",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		const char *url = pip_file_index(a, files[i]);
		if (url)
			return url;
	}
	return NULL;
}

/* --- sources --- */

enum source_kind { SRC_ARCA, SRC_GAR, SRC_URL_ENV, SRC_URL_FILE };

struct source {
	enum source_kind kind;
	const char *spec;
	const char *name;
	const char *token_command, *token_env; /* gar */
};

/* Runs a token command through the shell; its trimmed stdout is the token. */
static int run_token_command(const char **out, struct ar_arena *a, const char *cmd, struct ar_err *err)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return ar_fail(err, AR_ERROR, "cannot run '%s'", cmd);
	struct ar_buf b;
	ar_buf_init(&b, MAX_TOKEN_BYTES);
	char chunk[1024];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0 && rc == 0)
		rc = ar_buf_add(&b, chunk, n);
	int status = pclose(p);
	size_t len = b.len;
	while (len && isspace((unsigned char)b.ptr[len - 1]))
		len--;
	if (rc || status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !len) {
		ar_buf_release(&b);
		return ar_fail(err, AR_ERROR, "the token command '%s' failed or printed nothing", cmd);
	}
	*out = ar_strndup(a, b.ptr, len);
	ar_buf_release(&b);
	return 0;
}

static int api_call(json_t **out, struct ar_client *client, struct ar_arena *a, const char *method, const char *path,
		    const char *query, const char *op, struct ar_err *err)
{
	struct ar_client_request req = {.method = method, .path = path, .query = query};
	struct ar_client_response resp;
	int rc = ar_client_call(&resp, client, a, &req, err);
	if (rc)
		return rc;
	json_t *body = NULL;
	struct ar_err jerr;
	if (ar_json_parse_object(&body, a, resp.body, resp.body_len, &jerr) != 0)
		body = NULL;
	if (resp.status != 200) {
		const char *msg = body ? ar_json_str(body, "message") : NULL;
		return ar_fail(err, AR_EINVAL, "An error occurred (%s) when calling the %s operation: %s",
			       resp.error_type ? resp.error_type : "Unknown", op, msg ? msg : resp.body);
	}
	if (!body)
		return ar_fail(err, AR_ERROR, "%s answered with something that is not JSON", op);
	*out = body;
	return 0;
}

/* DOMAIN/REPOSITORY[/OWNER] -> the repository's simple/ URL with a fresh token in it. */
static int arca_url(const char **out, struct ar_client *client, struct ar_arena *a, const char *spec,
		    const char *duration, struct ar_err *err)
{
	const char *s1 = strchr(spec, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (!s1 || s1 == spec || !s1[1] || s2 == s1 + 1 || (s2 && (!s2[1] || strchr(s2 + 1, '/'))))
		return ar_fail(err, AR_EINVAL, "--arca takes DOMAIN/REPOSITORY[/OWNER], not '%s'", spec);
	const char *domain = ar_strndup(a, spec, (size_t)(s1 - spec));
	const char *repo = s2 ? ar_strndup(a, s1 + 1, (size_t)(s2 - s1 - 1)) : s1 + 1;
	const char *owner_q =
		s2 ? ar_printf(a, "&domain-owner=%s", ar_pct_encode(a, s2 + 1, strlen(s2 + 1), false)) : "";
	const char *d = ar_pct_encode(a, domain, strlen(domain), false);
	json_t *tok, *ep;
	int rc = api_call(
		&tok, client, a, "POST", "/v1/authorization-token",
		ar_printf(a, "domain=%s%s%s%s", d, owner_q, duration ? "&duration=" : "", duration ? duration : ""),
		"GetAuthorizationToken", err);
	if (rc == 0)
		rc = api_call(&ep, client, a, "GET", "/v1/repository/endpoint",
			      ar_printf(a, "domain=%s%s&repository=%s&format=pypi", d, owner_q,
					ar_pct_encode(a, repo, strlen(repo), false)),
			      "GetRepositoryEndpoint", err);
	if (rc)
		return rc;
	const char *token = ar_json_str(tok, "authorizationToken"), *endpoint = ar_json_str(ep, "repositoryEndpoint");
	if (!token || !endpoint)
		return ar_fail(err, AR_ERROR, "the server's answer lacks a token or an endpoint");
	*out = ar_login_url_with_auth(a, ar_printf(a, "%ssimple/", endpoint), "aws", token);
	return 0;
}

static int gar_url(const char **out, struct ar_arena *a, const struct source *s, struct ar_err *err)
{
	const char *url, *token = NULL;
	int rc = ar_uv_gar_url(&url, a, s->spec, err);
	if (rc)
		return rc;
	if (s->token_env) {
		token = getenv(s->token_env);
		if (!token || !*token)
			return ar_fail(err, AR_EINVAL, "--token-env %s: the variable is not set", s->token_env);
	} else if ((rc = run_token_command(&token, a, s->token_command ? s->token_command : GAR_DEFAULT_CMD, err))) {
		return rc;
	}
	/* An access token is one of [A-Za-z0-9._-]; anything else would need escaping in the URL. */
	*out = ar_login_url_with_auth(a, url, GAR_USER, ar_pct_encode(a, token, strlen(token), false));
	return 0;
}

/* Appends the indexes of one source. */
static int resolve(struct ar_uv_index **list, size_t *n, size_t *cap, struct ar_client *client, bool *client_ready,
		   const struct ar_client_opts *copts, struct ar_arena *a, const struct source *s, const char *duration,
		   struct ar_err *err)
{
	const char **urls = NULL;
	size_t n_urls = 1;
	const char *url = NULL;
	int rc = 0;
	switch (s->kind) {
	case SRC_ARCA:
		if (!*client_ready && (rc = ar_client_init(client, copts, err)) == 0)
			*client_ready = true;
		if (rc == 0)
			rc = arca_url(&url, client, a, s->spec, duration, err);
		break;
	case SRC_GAR: rc = gar_url(&url, a, s, err); break;
	case SRC_URL_ENV:
	case SRC_URL_FILE: {
		const char *secret;
		if (s->kind == SRC_URL_ENV) {
			secret = getenv(s->spec);
			if (!secret)
				return ar_fail(err, AR_EINVAL, "--url-env %s: the variable is not set", s->spec);
		} else {
			bool missing;
			secret = ar_login_read_file(a, s->spec, &missing, err);
			if (!secret)
				return missing ? ar_fail(err, AR_ENOTFOUND, "--url-file %s does not exist", s->spec)
					       : AR_ERROR;
		}
		if ((rc = ar_uv_secret_urls(&urls, &n_urls, a, secret, err)) == 0 && s->name && n_urls > 1)
			rc = ar_fail(err, AR_EINVAL, "--name needs a secret with one URL; %s holds %zu", s->spec,
				     n_urls);
		break;
	}
	}
	if (rc)
		return rc;
	for (size_t i = 0; i < n_urls; i++) {
		*list = ar_grow(a, *list, cap, *n, sizeof **list);
		(*list)[(*n)++] = (struct ar_uv_index){.name = s->name, .url = urls ? urls[i] : url};
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: arca uv-config [--pypi-url URL] [--no-prefer-private] [--unsafe-first-match] [--output FILE]\n"
		"                      SOURCE [--name NAME] [SOURCE [--name NAME]] ...\n"
		"sources, in the order uv should search them:\n"
		"  --arca DOMAIN/REPOSITORY[/OWNER]   an Arca repository (token from GetAuthorizationToken;\n"
		"                                     --duration-seconds, --endpoint-url, --region, --profile)\n"
		"  --gar REGION/PROJECT/REPOSITORY    a Google Artifact Registry Python repository, token from\n"
		"      [--token-command CMD | --token-env VAR]   (default: " GAR_DEFAULT_CMD ")\n"
		"  --url-env VAR | --url-file PATH    preauthenticated index URLs kept in a secret, one per line\n"
		"--name names the source before it (default: the first label of the index's host name).\n"
		"The PyPI URL comes from --pypi-url, UV_DEFAULT_INDEX, UV_INDEX_URL, PIP_INDEX_URL or pip's config.\n"
		"--prefer-private (the default) makes PyPI uv's default index, searched after every private one.\n");
}

static int need_gar(const struct source *last, struct ar_err *err)
{
	if (!last || last->kind != SRC_GAR)
		return ar_fail(err, AR_EINVAL, "--token-command and --token-env must follow a --gar source");
	return 0;
}

int ar_cmd_uv_config(int argc, char **argv)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_err err = {0};
	struct ar_client_opts copts = {0};
	struct ar_client client = {0};
	bool client_ready = false;
	struct ar_uv_config cfg = {.prefer_private = true};
	struct source *sources = ar_alloc_array(a, MAX_SOURCES, sizeof *sources);
	size_t n_sources = 0;
	const char *output = NULL, *duration = NULL;
	int rc = 0, status = 255;
	static const struct {
		const char *flag;
		enum source_kind kind;
	} kinds[] = {
		{"--arca", SRC_ARCA},
		{"--gar", SRC_GAR},
		{"--url-env", SRC_URL_ENV},
		{"--url-file", SRC_URL_FILE},
	};
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		size_t k = 0;
		while (k < sizeof kinds / sizeof kinds[0] && !(v = ar_cli_take(&i, argc, argv, kinds[k].flag)))
			k++;
		if (v) {
			if (n_sources == MAX_SOURCES) {
				rc = ar_fail(&err, AR_EINVAL, "at most %d sources", MAX_SOURCES);
				goto done;
			}
			sources[n_sources++] = (struct source){.kind = kinds[k].kind, .spec = v};
			continue;
		}
		struct source *last = n_sources ? &sources[n_sources - 1] : NULL;
		if ((v = ar_cli_take(&i, argc, argv, "--name"))) {
			if (!last) {
				rc = ar_fail(&err, AR_EINVAL, "--name must follow the source it names");
				goto done;
			}
			last->name = v;
		} else if ((v = ar_cli_take(&i, argc, argv, "--token-command"))) {
			if (!(rc = need_gar(last, &err)))
				last->token_command = v;
		} else if ((v = ar_cli_take(&i, argc, argv, "--token-env"))) {
			if (!(rc = need_gar(last, &err)))
				last->token_env = v;
		} else if ((v = ar_cli_take(&i, argc, argv, "--pypi-url"))) {
			cfg.pypi_url = v;
		} else if ((v = ar_cli_take(&i, argc, argv, "--output"))) {
			output = v;
		} else if ((v = ar_cli_take(&i, argc, argv, "--duration-seconds"))) {
			duration = v;
		} else if ((v = ar_cli_take(&i, argc, argv, "--endpoint-url"))) {
			copts.endpoint_url = v;
		} else if ((v = ar_cli_take(&i, argc, argv, "--region"))) {
			copts.region = v;
		} else if ((v = ar_cli_take(&i, argc, argv, "--profile"))) {
			copts.profile = v;
		} else if (strcmp(argv[i], "--prefer-private") == 0) {
			cfg.prefer_private = true;
		} else if (strcmp(argv[i], "--no-prefer-private") == 0) {
			cfg.prefer_private = false;
		} else if (strcmp(argv[i], "--unsafe-first-match") == 0) {
			cfg.unsafe_first_match = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			status = 0;
			goto done;
		} else {
			fprintf(stderr, "arca uv-config: unknown option %s\n", argv[i]);
			usage(stderr);
			status = 252;
			goto done;
		}
		if (rc)
			goto done;
	}
	int64_t seconds;
	if (duration && !ar_parse_i64(duration, &seconds)) {
		rc = ar_fail(&err, AR_EINVAL, "--duration-seconds must be a number");
		goto done;
	}
	if (!cfg.pypi_url)
		cfg.pypi_url = ar_uv_default_pypi_url(a);
	struct ar_uv_index *indexes = NULL;
	size_t n_indexes = 0, cap = 0;
	for (size_t i = 0; i < n_sources && rc == 0; i++)
		rc = resolve(&indexes, &n_indexes, &cap, &client, &client_ready, &copts, a, &sources[i], duration,
			     &err);
	if (rc)
		goto done;
	cfg.indexes = indexes;
	cfg.n_indexes = n_indexes;
	char *text;
	if ((rc = ar_uv_config_render(&text, a, &cfg, &err)))
		goto done;
	if (output) {
		/* it holds tokens */
		if ((rc = ar_login_write_file(output, text, 0600, &err)))
			goto done;
		fprintf(stderr, "arca uv-config: wrote %zu index%s to %s\n", n_indexes + 1, n_indexes ? "es" : "",
			output);
	} else {
		fputs(text, stdout);
	}
	status = 0;
done:
	if (rc)
		fprintf(stderr, "arca uv-config: %s\n", err.msg);
	if (client_ready)
		ar_client_release(&client);
	ar_arena_free(a);
	return status;
}
