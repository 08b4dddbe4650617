/* formats/dataplane.c - /{domain}-{owner}/{format}/{repo}/...: authenticate, authorise, hand to the format */
#include "formats/format.h"

#include "auth/token.h"
#include "core/crypto.h"
#include "core/log.h"
#include "formats/dp_memo.h"
#include "http/route.h"
#include "policy/arn.h"
#include "repo/access.h"
#include "repo/names.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEGMENTS 64

extern const struct ar_format ar_format_pypi;
extern const struct ar_format ar_format_npm;

/* The registry: adding a format is one line here. */
static const struct ar_format *const formats[] = {
	NULL, /* formats register below as they are built */
	&ar_format_pypi,
	&ar_format_npm,
};

const struct ar_format *ar_format_find(const char *name)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (formats[i] && strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

static void send_plain(struct ar_req *req, int status, const char *msg)
{
	ar_resp_text(req, status, "%s\n", msg);
}

int ar_dp_error(struct ar_dp *dp, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (status == 401)
		ar_resp_header(dp->req, "WWW-Authenticate", "Basic realm=\"arca\"");
	dp->format->send_error(dp, status, msg);
	return status;
}

int ar_dp_fail(struct ar_dp *dp, int code, const struct ar_err *err)
{
	switch (code) {
	case AR_ENOTFOUND: return ar_dp_error(dp, 404, "%s", err->msg);
	case AR_EEXISTS:
	case AR_ECONFLICT: return ar_dp_error(dp, 409, "%s", err->msg);
	case AR_EDENIED: return ar_dp_error(dp, 403, "%s", err->msg);
	case AR_EAUTH: return ar_dp_error(dp, 401, "%s", err->msg);
	case AR_EINVAL: return ar_dp_error(dp, 400, "%s", err->msg);
	case AR_ETOOBIG: return ar_dp_error(dp, 413, "%s", err->msg);
	case AR_EQUOTA: return ar_dp_error(dp, 402, "%s", err->msg);
	case AR_EUNAVAIL: return ar_dp_error(dp, 503, "%s", err->msg);
	case AR_ETIMEOUT: return ar_dp_error(dp, 504, "%s", err->msg);
	default:
		ar_error("request %s: %s", dp->req->request_id, err->msg);
		return ar_dp_error(dp, 500, "internal error; request id %s", dp->req->request_id);
	}
}

/* The token from whichever header the client uses: Basic (any user), Bearer, a bare token (cargo),
   or X-NuGet-ApiKey. NULL when none is present. */
static const char *presented_token(struct ar_dp *dp)
{
	const char *h = ar_req_header(dp->req, "authorization");
	if (!h)
		return ar_req_header(dp->req, "x-nuget-apikey");
	if (strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	if (strncasecmp(h, "Basic ", 6) == 0) {
		size_t len;
		const char *b64 = h + 6;
		unsigned char *raw = ar_b64_decode(dp->a, b64, strlen(b64), &len);
		const char *colon = raw ? memchr(raw, ':', len) : NULL;
		if (!colon || memchr(raw, '\0', len))
			return "";
		return ar_strndup(dp->a, colon + 1, len - (size_t)(colon + 1 - (const char *)raw));
	}
	return h;
}

static const char *resource_arn(struct ar_dp *dp, const char *format, const char *ns, const char *pkg)
{
	const char *region = dp->ctx->cfg->region;
	if (!pkg)
		return ar_arn_repository(dp->a, region, dp->domain.owner, dp->domain.name, dp->repo.name);
	return ar_arn_package(dp->a, region, dp->domain.owner, dp->domain.name, dp->repo.name, format, ns, pkg);
}

static int check(struct ar_dp *dp, struct ar_dbc *db, const char *action, const char *format, const char *ns,
		 const char *pkg, struct ar_err *err)
{
	const char *policies[2] = {dp->domain.policy, dp->repo.policy};
	return ar_access_check(db, dp->a, &dp->caller, action, resource_arn(dp, format, ns, pkg), dp->domain.owner,
			       policies, 2, err);
}

int ar_dp_authorize(struct ar_dp *dp, const char *action, const char *pkg_ns, const char *pkg_name, struct ar_err *err)
{
	return check(dp, dp->db, action, dp->format->name, pkg_ns, pkg_name, err);
}

int ar_dp_send_asset(struct ar_dp *dp, const struct ar_asset *asset, const char *content_type)
{
	int fd;
	uint64_t size;
	struct ar_err err = {0};
	int rc = ar_blob_open(dp->ctx->blobs, asset->sha256, &fd, &size, &err);
	if (rc)
		return ar_dp_fail(dp, rc == AR_ENOTFOUND ? AR_ERROR : rc, &err);
	ar_resp_file(dp->req, 200, content_type, fd, 0, size);
	return 200;
}

/* A connection for the precheck's misses, in one read transaction: one snapshot, and one round of
   the database's file locking instead of one per statement. */
static struct ar_dbc *precheck_db(struct ar_dp *dp, struct ar_dbc **db)
{
	struct ar_err ignored;
	if (!*db) {
		*db = ar_db_get(dp->ctx->db);
		if (ar_dbc_begin(*db, false, &ignored) != 0)
			ar_warn("dataplane: no read transaction (%s); reading statement by statement", ignored.msg);
	}
	return *db;
}

static bool load_rows(struct ar_dp *dp, struct ar_dbc **db, uint64_t generation)
{
	struct ar_err err = {0};
	if (ar_dp_memo_rows(&dp->domain, &dp->repo, dp->a, generation, dp->domain.owner, dp->domain.name,
			    dp->repo.name))
		return true;
	struct ar_dbc *c = precheck_db(dp, db);
	if (ar_domain_get(&dp->domain, c, dp->a, dp->domain.owner, dp->domain.name, &err) != 0 ||
	    ar_repo_get(&dp->repo, c, dp->a, &dp->domain, dp->repo.name, &err) != 0)
		return false;
	ar_dp_memo_rows_put(generation, &dp->domain, &dp->repo);
	return true;
}

/* 0 with dp->caller set, or a queued 401. */
static int authenticate(struct ar_dp *dp, const char *token)
{
	struct ar_token_claims claims;
	struct ar_err err = {0};
	int64_t now = (int64_t)time(NULL);
	if (!token) {
		dp->caller.is_anonymous = true;
		return 0;
	}
	if (!ar_dp_memo_claims(&claims, token, now)) {
		if (ar_token_verify(&claims, dp->ctx->keys.token, token, now, &err) != 0)
			return ar_dp_error(dp, 401, "%s", err.msg);
		ar_dp_memo_claims_put(token, &claims);
	}
	if (strcmp(claims.domain, dp->domain.name) != 0 || strcmp(claims.domain_owner, dp->domain.owner) != 0)
		return ar_dp_error(dp, 401, "The authorization token is for another domain");
	const char *slash = strrchr(claims.principal_arn, '/');
	ar_principal_set(&dp->caller, claims.account_id, slash ? slash + 1 : claims.principal_arn);
	return 0;
}

static int decide(struct ar_dp *dp, struct ar_dbc **db, uint64_t generation, const struct ar_dp_route *route,
		  struct ar_err *err)
{
	const char *format = route->pkg_format ? route->pkg_format : dp->format->name;
	const char *resource = resource_arn(dp, format, route->pkg_ns, route->pkg_name);
	const char *principal = dp->caller.is_anonymous ? "" : dp->caller.arn;
	int rc;
	if (ar_dp_memo_decision(&rc, err, generation, principal, route->action, resource))
		return rc;
	const char *policies[2] = {dp->domain.policy, dp->repo.policy};
	rc = ar_access_check(precheck_db(dp, db), dp->a, &dp->caller, route->action, resource, dp->domain.owner,
			     policies, 2, err);
	if (rc == 0 || rc == AR_EDENIED)
		ar_dp_memo_decision_put(generation, principal, route->action, resource, rc, err);
	return rc;
}

/* Before the body: who is calling, is the repository there, may they do this. Queues 401/403/404.
   On a kept-alive connection all of it usually comes from the per-thread memo (formats/dp_memo.h). */
static int precheck(struct ar_req *req)
{
	struct ar_dp *dp = req->route_data;
	struct ar_dp_route *route = dp->route_data;
	struct ar_err err = {0};
	struct ar_dbc *db = NULL;
	/* Read before the rows: a write landing in between makes the memo stale, never wrong. */
	uint64_t generation = ar_db_generation(dp->ctx->db);
	dp->generation = generation;
	bool found = load_rows(dp, &db, generation);
	int rc = authenticate(dp, presented_token(dp));
	if (rc == 0 && !found) {
		/* Without credentials nothing is revealed: a missing repository also asks for them. */
		rc = dp->caller.is_anonymous ? ar_dp_error(dp, 401, "Authentication required")
					     : ar_dp_error(dp, 404, "Repository %s not found in domain %s",
							   dp->repo.name, dp->domain.name);
	}
	if (rc == 0 && decide(dp, &db, generation, route, &err) != 0)
		rc = dp->caller.is_anonymous ? ar_dp_error(dp, 401, "Authentication required")
					     : ar_dp_error(dp, 403, "%s", err.msg);
	if (db) {
		ar_dbc_rollback(db); /* ends the read transaction; nothing was written */
		ar_db_put(dp->ctx->db, db);
	}
	return rc;
}

static int handle(struct ar_req *req)
{
	struct ar_dp *dp = req->route_data;
	struct ar_dp_route *route = dp->route_data;
	dp->route_data = route->data;
	dp->db = ar_db_get(dp->ctx->db);
	route->handler(dp);
	ar_db_put(dp->ctx->db, dp->db);
	dp->db = NULL;
	if (!ar_resp_queued(req))
		ar_dp_error(dp, 500, "the handler produced no response");
	return 0;
}

/* Splits "{domain}-{owner}": the owner is the 12 digits after the last '-'. */
static bool split_domain_owner(struct ar_dp *dp, const char *seg)
{
	const char *dash = strrchr(seg, '-');
	struct ar_err ignored;
	if (!dash || strlen(dash + 1) != 12)
		return false;
	dp->domain.name = ar_strndup(dp->a, seg, (size_t)(dash - seg));
	dp->domain.owner = ar_strdup(dp->a, dash + 1);
	return ar_check_domain_name("domain", dp->domain.name, &ignored) == 0 &&
	       ar_check_account_id("owner", dp->domain.owner, &ignored) == 0;
}

int ar_dataplane_resolve(struct ar_req *req, struct ar_route *route)
{
	struct ar_dp *dp = ar_alloc(req->arena, sizeof *dp);
	dp->req = req;
	dp->ctx = req->app;
	dp->a = req->arena;
	const char **segs = ar_alloc_array(req->arena, MAX_SEGMENTS, sizeof *segs);
	int n = ar_path_split(req->arena, req->path, segs, MAX_SEGMENTS);
	struct ar_err ignored;
	if (n < 0 && n == AR_ETOOBIG) {
		send_plain(req, 414, "Request path has too many segments");
		return -1;
	}
	if (n < 3 || !split_domain_owner(dp, segs[0]) || !(dp->format = ar_format_find(segs[1])) ||
	    ar_check_repository_name("repository", segs[2], &ignored) != 0) {
		send_plain(req, n < 0 ? 400 : 404, n < 0 ? "Bad request path" : "Not found");
		return -1;
	}
	dp->repo.name = segs[2];
	dp->seg = segs + 3;
	dp->n_seg = (size_t)n - 3;
	dp->trailing_slash = dp->n_seg > 0 && dp->seg[dp->n_seg - 1][0] == '\0';
	if (dp->trailing_slash)
		dp->n_seg--;
	/* The raw remainder: skip "/{domain-owner}/{format}/{repo}" in the raw path. */
	const char *p = req->path;
	for (int i = 0; i < 3 && p; i++)
		p = strchr(p + 1, '/');
	dp->raw_rest = p ? p + 1 : "";
	dp->base_url = ar_printf(dp->a, "%s/%s/%s/%s/", ar_req_base_url(req, dp->ctx->cfg->public_url), segs[0],
				 dp->format->name, dp->repo.name);

	struct ar_dp_route *r = ar_alloc(req->arena, sizeof *r);
	int rc = dp->format->route(dp, r);
	if (rc) {
		if (rc == AR_EINVAL)
			ar_dp_error(dp, 405, "Method %s is not allowed here", req->is_head ? "HEAD" : req->method);
		else
			ar_dp_error(dp, 404, "Not found");
		return -1;
	}
	dp->route_data = r;
	route->handler = handle;
	route->precheck = precheck;
	route->max_body = r->max_body;
	route->body_mode = r->body_mode;
	route->data = dp;
	return 0;
}
