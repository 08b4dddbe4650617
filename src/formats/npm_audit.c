/* formats/npm_audit.c - npm audit: advisories from the external connection, names published inside the domain withheld
 */
#include "formats/npm_int.h"

#include "core/json.h"
#include "core/log.h"
#include "repo/resolve.h"
#include "upstream/upstream.h"

#include <string.h>

/* Arca has no advisory database of its own. When the search order of the repository reaches an npm
   external connection, the request goes to that connection at the same path and its answer comes
   back; otherwise the answer says, in a header, that nothing was checked. The rules and why:
   docs/internals/NPM.md, "audit". */

#define ADVISORIES_HEADER "X-Arca-Advisories"
#define WITHHELD_HEADER	  "X-Arca-Advisories-Withheld"

static const char *const audit_paths[] = {
	[NPM_AUDIT_BULK] = "-/npm/v1/security/advisories/bulk",
	[NPM_AUDIT_QUICK] = "-/npm/v1/security/audits/quick",
	[NPM_AUDIT_FULL] = "-/npm/v1/security/audits",
};

/* The quick/full audit report shape (npm <= 6, yarn 1) with nothing in it. */
static json_t *empty_report(size_t n_deps)
{
	return json_pack("{s:[],s:{},s:[],s:{s:{s:i,s:i,s:i,s:i,s:i},s:I,s:i,s:i,s:I}}", "actions", "advisories",
			 "muted", "metadata", "vulnerabilities", "info", 0, "low", 0, "moderate", 0, "high", 0,
			 "critical", 0, "dependencies", (json_int_t)n_deps, "devDependencies", 0,
			 "optionalDependencies", 0, "totalDependencies", (json_int_t)n_deps);
}

/* What a request says without asking anyone: no advisories for these names. */
static int answer_empty(struct ar_dp *dp, enum npm_audit_kind kind, size_t n_deps)
{
	return npm_send_json(dp, 200, kind == NPM_AUDIT_BULK ? json_object() : empty_report(n_deps));
}

/* Decides, once per name, which package names may be sent to the advisory source. */
struct filter {
	struct ar_dp *dp;
	const struct ar_repository **order;
	size_t n;
	json_t *seen; /* name -> true (sent) | false (withheld) */
	size_t n_sent, n_withheld;
	int rc;
	struct ar_err err;
};

static bool may_send(struct filter *f, const char *name)
{
	json_t *known = json_object_get(f->seen, name);
	if (known)
		return json_is_true(known);
	bool ok = false;
	if (f->rc == 0)
		f->rc = npm_reaches_external(&ok, f->dp, f->order, f->n, name, &f->err);
	json_object_set_new(f->seen, name, json_boolean(ok));
	if (ok)
		f->n_sent++;
	else
		f->n_withheld++;
	return ok;
}

/* Drops the keys of obj that are names not to be sent. */
static void filter_names(struct filter *f, json_t *obj)
{
	const char *name;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(obj, tmp, name, v)
	{
		if (!may_send(f, name))
			json_object_del(obj, name);
	}
}

/* The quick/full body is a tree: "requires" and "dependencies" name packages at every level. */
static void filter_tree(struct filter *f, json_t *node)
{
	json_t *requires = json_object_get(node, "requires"), *deps = json_object_get(node, "dependencies");
	if (json_is_object(requires))
		filter_names(f, requires);
	if (!json_is_object(deps))
		return;
	filter_names(f, deps);
	const char *name;
	json_t *child;
	json_object_foreach(deps, name, child)
	{
		if (json_is_object(child))
			filter_tree(f, child);
	}
}

/* Statuses of upstream's that are about the request itself, which the client should see as they are. */
static bool is_relayed_error(long status)
{
	return status == 400 || status == 413 || status == 422;
}

static int relay(struct ar_dp *dp, const char *connection, const struct ar_upstream_answer *ans)
{
	json_t *doc = NULL;
	struct ar_err why = {0};
	bool is_json = ar_json_parse_object(&doc, dp->a, ans->body, ans->len, &why) == 0;
	if (ans->status >= 200 && ans->status <= 299) {
		if (!is_json)
			return ar_dp_error(
				dp, 502,
				"npm audit: the advisory source %s answered HTTP %ld with a body that is not "
				"a JSON object",
				connection, ans->status);
	} else if (!is_relayed_error(ans->status)) {
		return ar_dp_error(dp, 502, "npm audit: the advisory source %s answered HTTP %ld", connection,
				   ans->status);
	} else if (!is_json || !json_is_string(json_object_get(doc, "error"))) {
		return ar_dp_error(dp, (int)ans->status,
				   "npm audit: the advisory source %s refused the request (HTTP %ld)", connection,
				   ans->status);
	}
	ar_resp_header(dp->req, "Cache-Control", "no-cache");
	ar_resp_data(dp->req, (int)ans->status, "application/json", ans->body, ans->len);
	return (int)ans->status;
}

int npm_post_audit(struct ar_dp *dp)
{
	enum npm_audit_kind kind = *(const enum npm_audit_kind *)dp->route_data;
	struct ar_err err = {0};
	const struct ar_repository **order;
	const char *connection;
	size_t n;
	int rc = ar_resolve_order(&order, &n, dp->db, dp->a, &dp->domain, &dp->repo, true, &err);
	if (rc)
		return ar_dp_fail(dp, rc, &err);
	json_t *body = NULL;
	if (dp->req->body.len &&
	    ar_json_parse_object(&body, dp->a, dp->req->body.data, (size_t)dp->req->body.len, &err) != 0)
		return ar_dp_error(dp, 400, "npm audit: the request body is not a JSON object: %s", err.msg);
	json_t *deps = kind == NPM_AUDIT_BULK ? NULL : json_object_get(body, "dependencies");
	size_t n_deps = json_is_object(deps) ? json_object_size(deps) : 0;
	if (!ar_resolve_external(order, n, "npm", &connection)) {
		ar_resp_header(dp->req, ADVISORIES_HEADER, "none-configured");
		return answer_empty(dp, kind, n_deps);
	}
	ar_resp_header(dp->req, ADVISORIES_HEADER, ar_printf(dp->a, "external:%s", connection));

	/* Only names the connection would be asked about leave the domain: a package published here
	   (upstream=BLOCK on the way) or kept out by a package group is nobody else's business. */
	struct filter f = {.dp = dp, .order = order, .n = n, .seen = ar_json_own(dp->a, json_object())};
	if (!body)
		body = ar_json_own(dp->a, json_object());
	if ((rc = ar_dbc_begin(dp->db, false, &err)))
		return ar_dp_fail(dp, rc, &err);
	if (kind == NPM_AUDIT_BULK)
		filter_names(&f, body);
	else
		filter_tree(&f, body);
	ar_dbc_commit(dp->db, &err);
	if (f.rc)
		return ar_dp_fail(dp, f.rc, &f.err);
	ar_resp_header(dp->req, WITHHELD_HEADER, ar_printf(dp->a, "%zu", f.n_withheld));
	if (f.n_sent == 0)
		return answer_empty(dp, kind, n_deps); /* only names the source cannot know: nothing to ask */

	size_t len;
	const char *text = ar_json_dump(dp->a, body, &len);
	struct ar_upstream_post req = {
		.connection = connection,
		.path = audit_paths[kind],
		.content_type = "application/json",
		.accept = "application/json",
		.body = text,
		.len = len,
	};
	struct ar_upstream_answer ans;
	rc = ar_upstream_post(dp->ctx->upstream, &ans, &req, dp->a, &err);
	if (rc == AR_EUNAVAIL || rc == AR_ETIMEOUT || rc == AR_ETOOBIG) {
		ar_warn("npm audit for %s/%s: %s", dp->domain.name, dp->repo.name, err.msg);
		return ar_dp_error(dp, rc == AR_ETOOBIG ? 502 : ans.gateway_status,
				   "npm audit: the advisory source %s is unreachable: %s; no advisories were checked",
				   connection, err.msg);
	}
	if (rc)
		return ar_dp_fail(dp, rc == AR_EINVAL ? AR_ERROR : rc, &err);
	ar_debug("npm audit for %s/%s: %zu names sent to %s, %zu withheld, HTTP %ld", dp->domain.name, dp->repo.name,
		 f.n_sent, connection, f.n_withheld, ans.status);
	return relay(dp, connection, &ans);
}
