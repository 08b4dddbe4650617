/* cli/serve.c - arca serve: open the stores, bootstrap the first account, serve HTTP until SIGTERM */
#include "cli/cli.h"

#include "core/fsutil.h"

#include "api/api.h"
#include "auth/identity.h"
#include "auth/keys.h"
#include "cli/metrics.h"
#include "core/crypto.h"
#include "core/cache.h"
#include "core/ctx.h"
#include "core/log.h"
#include "formats/format.h"
#include "http/http.h"
#include "repo/gc.h"
#include "store/blob.h"
#include "store/db.h"
#include "upstream/upstream.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char admin_policy[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"AdministratorAccess\","
				   "\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";

/* Writes the admin keys in the AWS shared-credentials format, atomically and mode 0600. */
static int write_credentials(const char *path, const char *akid, const char *secret, const char *region,
			     struct ar_err *err)
{
	char tmp[4300];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
		return ar_fail(err, AR_EINVAL, "path too long: %s", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return ar_fail(err, AR_ERROR, "create %s: %s", tmp, strerror(errno));
	char text[512];
	int n = snprintf(text, sizeof text,
			 "# Arca administrator keys, created on first start. Keep this file private.\n"
			 "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = %s\n",
			 akid, secret, region);
	bool ok = write(fd, text, (size_t)n) == n && fsync(fd) == 0;
	close(fd);
	memset(text, 0, sizeof text);
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return ar_fail(err, AR_ERROR, "write %s: %s", path, strerror(errno));
	}
	return 0;
}

/* On the very first start: an account, an admin user with full access, and its keys on disk. */
static int bootstrap(struct ar_ctx *ctx, struct ar_err *err)
{
	struct ar_dbc *db = ar_db_get(ctx->db);
	bool has;
	char account[13], akid[21], secret[41], path[4200];
	snprintf(path, sizeof path, "%s/admin-credentials", ctx->cfg->data_dir);
	int rc = ar_dbc_begin(db, true, err);
	if (rc == 0 && (rc = ar_identity_has_accounts(db, &has, err)) == 0 && !has) {
		if ((rc = ar_identity_create_account(db, "admin", account, err)) == 0 &&
		    (rc = ar_identity_create_user(db, account, "admin", err)) == 0 &&
		    (rc = ar_identity_put_user_policy(db, account, "admin", "AdministratorAccess", admin_policy,
						      err)) == 0 &&
		    (rc = ar_identity_create_access_key(db, &ctx->keys, account, "admin", akid, secret, err)) == 0 &&
		    (rc = write_credentials(path, akid, secret, ctx->cfg->region, err)) == 0 &&
		    (rc = ar_dbc_commit(db, err)) != 0)
			unlink(path);
		memset(secret, 0, sizeof secret);
		if (rc == 0)
			ar_info("first start: created account %s with user admin; its keys are in %s", account, path);
	} else if (rc == 0) {
		rc = ar_dbc_commit(db, err);
	}
	if (rc)
		ar_dbc_rollback(db);
	ar_db_put(ctx->db, db);
	return rc;
}

static int healthz(struct ar_req *req)
{
	ar_resp_data(req, 200, "text/plain", "ok\n", 3);
	return 0;
}

static struct ar_http *metrics_http; /* the one server of this process, for its counters */

/* Prometheus scrapes this; with metrics_token set it must come as a Bearer token. */
static int metrics(struct ar_req *req)
{
	const struct ar_ctx *ctx = req->app;
	const char *want = ctx->cfg->metrics_token;
	if (want[0]) {
		const char *auth = ar_req_header(req, "authorization");
		size_t n = strlen(want);
		bool ok = auth && strncasecmp(auth, "Bearer ", 7) == 0 && strlen(auth + 7) == n &&
			  ar_ct_equal(auth + 7, want, n);
		if (!ok) {
			ar_resp_header(req, "WWW-Authenticate", "Bearer realm=\"arca-metrics\"");
			ar_resp_text(req, 401, "metrics need the configured metrics_token as a Bearer token\n");
			return 0;
		}
	}
	if (!metrics_http) { /* a scrape racing the start */
		ar_resp_text(req, 503, "starting\n");
		return 0;
	}
	size_t len;
	const char *text = ar_metrics_render(req->arena, req->app, metrics_http, &len);
	ar_resp_data(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	return 0;
}

/* Top-level routing: /healthz, /metrics, /v1/... (control plane), /{domain}-{owner}/{format}/{repo}/... (data plane).
 */
static int resolve(struct ar_req *req, struct ar_route *route)
{
	if (strcmp(req->path, "/healthz") == 0 && strcmp(req->method, "GET") == 0) {
		route->handler = healthz;
		return 0;
	}
	const struct ar_ctx *ctx = req->app;
	if (strcmp(req->path, "/metrics") == 0 && strcmp(req->method, "GET") == 0 && ctx->cfg->metrics) {
		route->handler = metrics;
		return 0;
	}
	if (strncmp(req->path, "/v1/", 4) == 0)
		return ar_api_resolve(req, route);
	return ar_dataplane_resolve(req, route);
}

int ar_cmd_serve(int argc, char **argv)
{
	struct ar_config cfg;
	struct ar_err err = {0};
	struct ar_ctx ctx = {.cfg = &cfg};
	struct ar_http *http = NULL;
	struct ar_gc_sweeper *gc = NULL;
	char path[4200], tmp_dir[4200];
	int rc, status = 1;
	ar_config_init(&cfg);
	if ((rc = ar_cli_load_config(&cfg, &argc, argv, &err)))
		goto done;
	if (argc > 1) {
		rc = ar_fail(
			&err, AR_EINVAL,
			"unexpected argument '%s'\nusage: arca serve [--listen ADDR:PORT] [--data DIR] [--config FILE] "
			"[--external NAME=URL] [--log-level debug|info|warn|error]",
			argv[1]);
		goto done;
	}
	ar_log_set_level((enum ar_log_level)ar_log_parse_level(cfg.log_level));
	snprintf(tmp_dir, sizeof tmp_dir, "%s/tmp", cfg.data_dir);
	if ((rc = ar_mkdirs(cfg.data_dir, 0700, &err)) || (rc = ar_mkdirs(tmp_dir, 0700, &err)) ||
	    (rc = ar_keys_load(&ctx.keys, &cfg, &err)))
		goto done;
	snprintf(path, sizeof path, "%s/arca.db", cfg.data_dir);
	if ((rc = ar_db_open(&ctx.db, cfg.database[0] ? cfg.database : path, 0, &err)))
		goto done;
	snprintf(path, sizeof path, "%s/blobs", cfg.data_dir);
	if ((rc = ar_blobs_open_fs(&ctx.blobs, path, tmp_dir, &err)) || (rc = bootstrap(&ctx, &err)))
		goto done;
	ctx.render_cache = ar_cache_new(cfg.render_cache_bytes);
	if ((rc = ar_upstream_new(&ctx.upstream, &cfg, ctx.db, ctx.blobs, NULL, &err)))
		goto done;

	/* Threads started from here inherit the mask, so only sigwait below sees these signals. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct ar_http_opts opts = {
		.addr = cfg.listen_addr,
		.port = cfg.listen_port,
		.spool_dir = tmp_dir,
		.max_connections = cfg.max_connections,
		.timeout_s = cfg.request_timeout_s,
		.access_log = cfg.access_log,
		.resolve = resolve,
		.app = &ctx,
	};
	if ((rc = ar_http_start(&http, &opts, &err)))
		goto done;
	metrics_http = http;
	/* Unreferenced blobs (disposed or deleted versions, failed publishes) go in the background. */
	if (cfg.gc_interval_s && (rc = ar_gc_start(&gc, ctx.db, ctx.blobs, cfg.gc_interval_s, cfg.gc_grace_s, &err)))
		goto done;
	ar_info("listening on http://%s:%u (data in %s)", cfg.listen_addr, ar_http_port(http), cfg.data_dir);
	char abs_data[PATH_MAX];
	snprintf(path, sizeof path, "%s/admin-credentials", realpath(cfg.data_dir, abs_data) ? abs_data : cfg.data_dir);
	if (access(path, R_OK) == 0)
		ar_info("to use the admin keys: export AWS_SHARED_CREDENTIALS_FILE=%s AWS_DEFAULT_REGION=%s "
			"AWS_ENDPOINT_URL_CODEARTIFACT=http://%s:%u",
			path, cfg.region, cfg.listen_addr, ar_http_port(http));
	int sig = 0;
	sigwait(&set, &sig);
	ar_info("received %s; finishing in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	ar_http_stop(http);
	http = NULL;
	status = 0;
done:
	if (rc)
		fprintf(stderr, "arca serve: %s\n", err.msg);
	if (http)
		ar_http_stop(http);
	ar_gc_stop(gc);
	ar_upstream_free(ctx.upstream);
	ar_cache_free(ctx.render_cache);
	if (ctx.blobs)
		ar_blobs_close(ctx.blobs);
	if (ctx.db)
		ar_db_close(ctx.db);
	ar_config_release(&cfg);
	return status;
}
