/* cli/login.c - arca login: fetch a token and an endpoint, then configure one package manager */
#include "cli/login.h"

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/login_pypi.h"
#include "cli/login_npm.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Tools register here: one line each, defined in login_<tool>.c. */
static const struct ar_login_tool *const tools[] = {
	NULL,
	&ar_login_pip,	  /* login_pypi.c */
	&ar_login_twine,  /* login_pypi.c */
	&ar_login_uv,	  /* login_pypi.c */
	&ar_login_poetry, /* login_pypi.c */
	&ar_login_tool_npm,
	&ar_login_tool_pnpm,
	&ar_login_tool_yarn,
};

static const struct ar_login_tool *find_tool(const char *name)
{
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
		if (tools[i] && strcmp(tools[i]->name, name) == 0)
			return tools[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: arca login --tool TOOL --domain D --repository R [--domain-owner O] [--namespace N]\n"
		"                  [--duration-seconds S] [--dry-run] [--endpoint-url U] [--region R] [--profile P]\n"
		"tools:\n");
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
		if (tools[i])
			fprintf(out, "  %-8s %s\n", tools[i]->name, tools[i]->usage);
}

const char *ar_login_home_path(struct ar_arena *a, const char *relative)
{
	const char *home = getenv("HOME");
	return ar_printf(a, "%s/%s", home && *home ? home : ".", relative);
}

char *ar_login_read_file(struct ar_arena *a, const char *path, bool *missing, struct ar_err *err)
{
	*missing = false;
	FILE *f = fopen(path, "r");
	if (!f) {
		*missing = errno == ENOENT;
		if (!*missing)
			ar_fail(err, AR_ERROR, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	struct ar_buf b;
	ar_buf_init(&b, 16 << 20);
	char chunk[8192];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = ar_buf_add(&b, chunk, n);
	fclose(f);
	char *copy = rc ? NULL : ar_strndup(a, b.ptr, b.len);
	ar_buf_release(&b);
	if (rc)
		ar_fail(err, rc, "%s is too large", path);
	return copy;
}

int ar_login_write_file(const char *path, const char *content, int mode, struct ar_err *err)
{
	char dir[4096], tmp[4200];
	const char *slash = strrchr(path, '/');
	if (slash && (size_t)(slash - path) < sizeof dir && slash != path) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		int rc = ar_mkdirs(dir, 0700, err);
		if (rc)
			return rc;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.arca-tmp", path) >= sizeof tmp)
		return ar_fail(err, AR_EINVAL, "path too long: %s", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return ar_fail(err, AR_ERROR, "cannot write %s: %s", tmp, strerror(errno));
	size_t len = strlen(content);
	bool ok = write(fd, content, len) == (ssize_t)len && fchmod(fd, (mode_t)mode) == 0 && fsync(fd) == 0;
	close(fd);
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return ar_fail(err, AR_ERROR, "cannot write %s: %s", path, strerror(errno));
	}
	return 0;
}

/* "12 hours", "1 hour and 30 minutes", "15 minutes", like the aws CLI. */
static const char *relative(struct ar_arena *a, int64_t seconds)
{
	int64_t h = seconds / 3600, m = seconds % 3600 / 60;
	if (h && m)
		return ar_printf(a, "%lld hour%s and %lld minute%s", (long long)h, h == 1 ? "" : "s", (long long)m,
				 m == 1 ? "" : "s");
	if (h)
		return ar_printf(a, "%lld hour%s", (long long)h, h == 1 ? "" : "s");
	return ar_printf(a, "%lld minute%s", (long long)m, m == 1 ? "" : "s");
}

/* Calls one API operation and returns its JSON object. */
static int call(json_t **out, struct ar_client *client, struct ar_arena *a, const char *method, const char *path,
		const char *query, struct ar_err *err)
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
			       resp.error_type ? resp.error_type : "Unknown",
			       strcmp(path, "/v1/authorization-token") == 0 ? "GetAuthorizationToken"
									    : "GetRepositoryEndpoint",
			       msg ? msg : resp.body);
	}
	if (!body)
		return ar_fail(err, AR_ERROR, "the server answered with something that is not JSON");
	*out = body;
	return 0;
}

int ar_cmd_login(int argc, char **argv)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_err err = {0};
	struct ar_login_ctx ctx = {.a = a, .out = stdout};
	struct ar_client_opts copts = {0};
	struct ar_client client = {0};
	const char *duration = NULL;
	char **rest = ar_alloc_array(a, (size_t)argc + 1, sizeof *rest);
	int n_rest = 0, rc = 0, status = 255;
	for (int i = 1; i < argc; i++) {
		const char *v;
		if ((v = ar_cli_take(&i, argc, argv, "--tool")))
			ctx.tool = v;
		else if ((v = ar_cli_take(&i, argc, argv, "--domain-owner")))
			ctx.domain_owner = v;
		else if ((v = ar_cli_take(&i, argc, argv, "--domain")))
			ctx.domain = v;
		else if ((v = ar_cli_take(&i, argc, argv, "--repository")))
			ctx.repository = v;
		else if ((v = ar_cli_take(&i, argc, argv, "--namespace")))
			ctx.ns = v;
		else if ((v = ar_cli_take(&i, argc, argv, "--duration-seconds")))
			duration = v;
		else if ((v = ar_cli_take(&i, argc, argv, "--endpoint-url")))
			copts.endpoint_url = v;
		else if ((v = ar_cli_take(&i, argc, argv, "--region")))
			copts.region = v;
		else if ((v = ar_cli_take(&i, argc, argv, "--profile")))
			copts.profile = v;
		else if (strcmp(argv[i], "--dry-run") == 0)
			ctx.dry_run = true;
		else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			status = 0;
			goto done;
		} else
			rest[n_rest++] = argv[i];
	}
	ctx.argc = n_rest;
	ctx.argv = rest;
	const struct ar_login_tool *tool = ctx.tool ? find_tool(ctx.tool) : NULL;
	if (!tool || !ctx.domain || !ctx.repository) {
		if (ctx.tool && !tool)
			fprintf(stderr, "arca login: unknown tool '%s'\n", ctx.tool);
		usage(stderr);
		status = 252;
		goto done;
	}
	int64_t seconds;
	if (duration && !ar_parse_i64(duration, &seconds)) {
		rc = ar_fail(&err, AR_EINVAL, "--duration-seconds must be a number");
		goto done;
	}
	if ((rc = ar_client_init(&client, &copts, &err)))
		goto done;
	const char *owner_q = ctx.domain_owner
				      ? ar_printf(a, "&domain-owner=%s",
						  ar_pct_encode(a, ctx.domain_owner, strlen(ctx.domain_owner), false))
				      : "";
	json_t *tok, *ep;
	const char *q = ar_printf(a, "domain=%s%s%s", ar_pct_encode(a, ctx.domain, strlen(ctx.domain), false), owner_q,
				  duration ? ar_printf(a, "&duration=%s", duration) : "");
	if ((rc = call(&tok, &client, a, "POST", "/v1/authorization-token", q, &err)))
		goto done;
	q = ar_printf(a, "domain=%s%s&repository=%s&format=%s", ar_pct_encode(a, ctx.domain, strlen(ctx.domain), false),
		      owner_q, ar_pct_encode(a, ctx.repository, strlen(ctx.repository), false), tool->format);
	if ((rc = call(&ep, &client, a, "GET", "/v1/repository/endpoint", q, &err)))
		goto done;
	ctx.token = ar_json_str(tok, "authorizationToken");
	ctx.endpoint = ar_json_str(ep, "repositoryEndpoint");
	json_t *exp = json_object_get(tok, "expiration");
	if (!ctx.token || !ctx.endpoint || !json_is_number(exp)) {
		rc = ar_fail(&err, AR_ERROR, "the server's answer lacks a token or an endpoint");
		goto done;
	}
	ctx.expiration_s = (int64_t)json_number_value(exp);
	if ((rc = tool->configure(&ctx, &err)))
		goto done;
	if (!ctx.dry_run) {
		time_t t = (time_t)ctx.expiration_s;
		struct tm tm;
		char when[64];
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S+00:00", &tm);
		printf("Successfully configured %s to use Arca repository %s\nLogin expires in %s at %s\n", tool->name,
		       ctx.endpoint, relative(a, ctx.expiration_s - (int64_t)time(NULL) + 30), when);
	}
	status = 0;
done:
	if (rc)
		fprintf(stderr, "arca login: %s\n", err.msg);
	ar_client_release(&client);
	ar_arena_free(a);
	return status;
}
