/* api/dispatch.c - one control-plane request: route, authenticate (SigV4), validate, authorise, run, render */
#include "api/api.h"
#include "api/api_int.h"

#include "auth/sigv4.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "policy/arn.h"
#include "policy/policy.h"
#include "repo/access.h"
#include "repo/names.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef int api_handler_fn(struct ar_api_call *c);

struct op_entry {
	const char *name;
	api_handler_fn *handler;
};

/* The handlers in ops.def order, so ar_ops()[i] pairs with handlers[i]. */
static const struct op_entry handlers[] = {
#define AR_OP(Name, kebab, method, path, handler, resource, members) {#Name, handler},
#include "api/ops.def"
#undef AR_OP
};

/* --- errors -------------------------------------------------------------------------------- */

struct shape {
	const char *name;
	int status;
};

static struct shape shape_for(int code)
{
	switch (code) {
	case AR_EINVAL:
	case AR_ETOOBIG: return (struct shape){"ValidationException", 400};
	case AR_ENOTFOUND: return (struct shape){"ResourceNotFoundException", 404};
	case AR_EEXISTS:
	case AR_ECONFLICT: return (struct shape){"ConflictException", 409};
	case AR_EDENIED: return (struct shape){"AccessDeniedException", 403};
	case AR_EQUOTA: return (struct shape){"ServiceQuotaExceededException", 402};
	case AR_EUNAVAIL: return (struct shape){"ThrottlingException", 429};
	default: return (struct shape){"InternalServerException", 500};
	}
}

/* Sends an AWS rest-json error: x-amzn-ErrorType, {"__type","message", modeled fields}. */
static void send_error(struct ar_req *req, int status, const char *type, const char *message, const char *reason,
		       const char *resource_type, const char *resource_id)
{
	json_t *body = json_pack("{s:s, s:s}", "__type", type, "message", message);
	if (reason)
		json_object_set_new(body, "reason", json_string(reason));
	if (resource_type)
		json_object_set_new(body, "resourceType", json_string(resource_type));
	if (resource_id)
		json_object_set_new(body, "resourceId", json_string(resource_id));
	if (status == 500)
		json_object_set_new(body, "fault", json_true());
	ar_resp_header(req, "x-amzn-ErrorType", type);
	ar_resp_header(req, "x-amzn-RequestId", req->request_id);
	if (status == 429)
		ar_resp_header(req, "Retry-After", "1");
	ar_resp_json(req, status, body);
	json_decref(body);
}

static void send_call_error(struct ar_api_call *c, int code)
{
	struct shape s = shape_for(code);
	const char *msg = c->err.msg[0] ? c->err.msg : "request failed";
	if (s.status == 500) {
		/* The detail may name files or SQL: log it, tell the client only the request id. */
		ar_error("request %s %s: %s", c->req->request_id, c->op->name, msg);
		msg = ar_printf(c->a, "An internal error occurred; request id %s", c->req->request_id);
	}
	send_error(c->req, s.status, s.name, msg, code == AR_EINVAL ? "FIELD_VALIDATION_FAILED" : NULL,
		   code == AR_ENOTFOUND || code == AR_EEXISTS || code == AR_ECONFLICT || code == AR_EQUOTA
			   ? c->err_resource_type
			   : NULL,
		   code == AR_ENOTFOUND || code == AR_EEXISTS || code == AR_ECONFLICT || code == AR_EQUOTA
			   ? c->err_resource_id
			   : NULL);
}

int ar_api_fail(struct ar_api_call *c, int code, const char *resource_type, const char *resource_id, const char *fmt,
		...)
{
	/* Format aside first: callers often pass c->err.msg itself as an argument. */
	char msg[sizeof c->err.msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	memcpy(c->err.msg, msg, sizeof msg);
	c->err.code = code;
	c->err_resource_type = resource_type;
	c->err_resource_id = resource_id;
	return code;
}

/* --- member access and generic validation ------------------------------------------------- */

const char *ar_api_str(const struct ar_api_call *c, const char *member)
{
	struct ar_op_member *m;
	size_t n = ar_op_members(c->a, c->op, &m);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(m[i].member, member) != 0)
			continue;
		if (m[i].loc == 'q')
			return ar_query_get(&c->query, m[i].wire);
		if (m[i].loc == 'b')
			return c->body ? ar_json_str(c->body, m[i].wire) : NULL;
		if (m[i].loc == 'h')
			return ar_req_header(c->req, m[i].wire);
	}
	return NULL;
}

json_t *ar_api_json(const struct ar_api_call *c, const char *member)
{
	return c->body ? json_object_get(c->body, member) : NULL;
}

/* The package members of ref A.3: coordinates, asset names, revisions and their enums. */
static int check_package_scalar(const char *member, const char *value, struct ar_err *err)
{
	static const char *const statuses[] = {"Published", "Unfinished", "Unlisted", "Archived",
					       "Disposed",  "Deleted",	  NULL};
	static const char *const sort_types[] = {"PUBLISHED_TIME", NULL};
	static const char *const origin_types[] = {"INTERNAL", "EXTERNAL", "UNKNOWN", NULL};
	static const char *const allow_block[] = {"ALLOW", "BLOCK", NULL};
	if (strcmp(member, "namespace") == 0 || strcmp(member, "package") == 0 ||
	    strcmp(member, "packageVersion") == 0 || strcmp(member, "packagePrefix") == 0)
		return ar_check_package_coord(member, value, err);
	if (strcmp(member, "assetName") == 0 || strcmp(member, "asset") == 0)
		return ar_check_asset_name(member, value, err);
	if (strcmp(member, "packageVersionRevision") == 0)
		return ar_check_revision(member, value, err);
	if (strcmp(member, "status") == 0 || strcmp(member, "expectedStatus") == 0 ||
	    strcmp(member, "targetStatus") == 0)
		return ar_check_enum(member, value, statuses, err);
	if (strcmp(member, "sortBy") == 0)
		return ar_check_enum(member, value, sort_types, err);
	if (strcmp(member, "originType") == 0)
		return ar_check_enum(member, value, origin_types, err);
	if (strcmp(member, "publish") == 0 || strcmp(member, "upstream") == 0)
		return ar_check_enum(member, value, allow_block, err);
	if (strcmp(member, "assetSHA256") == 0) {
		bool ok = strlen(value) == 64;
		for (size_t i = 0; ok && i < 64; i++)
			ok = strchr("0123456789abcdefABCDEF", value[i]) != NULL;
		return ok ? 0 : ar_fail(err, AR_EINVAL, "assetSHA256 (x-amz-content-sha256) must be 64 hex digits");
	}
	return 0;
}

/* Scalar constraints that depend only on the member's name (ref A.3). */
static int check_scalar(const char *member, const char *value, struct ar_err *err)
{
	static const char *const formats[] = {"npm",  "pypi",  "maven", "nuget", "generic",
					      "ruby", "swift", "cargo", NULL};
	static const char *const endpoint_types[] = {"dualstack", "ipv4", NULL};
	if (strcmp(member, "domain") == 0)
		return ar_check_domain_name("domain", value, err);
	if (strcmp(member, "domainOwner") == 0 || strcmp(member, "administratorAccount") == 0)
		return ar_check_account_id(member, value, err);
	if (strcmp(member, "repository") == 0 || strcmp(member, "sourceRepository") == 0 ||
	    strcmp(member, "destinationRepository") == 0)
		return ar_check_repository_name(member, value, err);
	if (strcmp(member, "repositoryPrefix") == 0)
		return strlen(value) > 100 ? ar_fail(err, AR_EINVAL, "repositoryPrefix is longer than 100") : 0;
	if (strcmp(member, "format") == 0)
		return ar_check_enum("format", value, formats, err);
	if (strcmp(member, "endpointType") == 0)
		return ar_check_enum("endpointType", value, endpoint_types, err);
	if (strcmp(member, "nextToken") == 0)
		return ar_check_pagination_token("nextToken", value, err);
	if (strcmp(member, "description") == 0)
		return ar_check_description("description", value, err);
	if (strcmp(member, "externalConnection") == 0)
		return ar_check_external_connection_name("externalConnection", value, err);
	if (strcmp(member, "policyRevision") == 0)
		return ar_check_policy_revision("policyRevision", value, err);
	if (strcmp(member, "policyDocument") == 0)
		return ar_check_policy_document("policyDocument", value, err);
	if (strcmp(member, "encryptionKey") == 0 || strcmp(member, "resourceArn") == 0)
		return ar_check_arn(member, value, err);
	return check_package_scalar(member, value, err);
}

static int validate_members(struct ar_api_call *c)
{
	struct ar_op_member *m;
	size_t n = ar_op_members(c->a, c->op, &m);
	for (size_t i = 0; i < n; i++) {
		const char *value = NULL;
		if (m[i].loc == 'q') {
			if (ar_query_count(&c->query, m[i].wire) > 1)
				return ar_fail(&c->err, AR_EINVAL, "Parameter '%s' was given more than once",
					       m[i].wire);
			value = ar_query_get(&c->query, m[i].wire);
		} else if (m[i].loc == 'h') {
			value = ar_req_header(c->req, m[i].wire);
		} else if (m[i].loc == 'b') {
			json_t *v = c->body ? json_object_get(c->body, m[i].wire) : NULL;
			if (v && json_is_null(v))
				v = NULL;
			bool ok = !v || (m[i].type == 's' && json_is_string(v)) ||
				  (m[i].type == 'i' && json_is_integer(v)) ||
				  (m[i].type == 't' && json_is_boolean(v)) || (m[i].type == 'l' && json_is_array(v)) ||
				  ((m[i].type == 'm' || m[i].type == 'o') && json_is_object(v));
			if (!ok)
				return ar_fail(&c->err, AR_EINVAL, "Member '%s' has the wrong type", m[i].wire);
			if (m[i].required && !v)
				return ar_fail(&c->err, AR_EINVAL,
					       "1 validation error detected: Value null at '%s' failed to satisfy "
					       "constraint: Member must not be null",
					       m[i].member);
			value = v && json_is_string(v) ? json_string_value(v) : NULL;
			if (!value)
				continue;
		} else {
			continue; /* raw body: checked by its handler */
		}
		if (!value) {
			if (m[i].required)
				return ar_fail(&c->err, AR_EINVAL,
					       "1 validation error detected: Value null at '%s' failed to satisfy "
					       "constraint: Member must not be null",
					       m[i].member);
			continue;
		}
		if (m[i].type == 'i') {
			int64_t v;
			if (!ar_parse_i64(value, &v))
				return ar_fail(&c->err, AR_EINVAL, "Parameter '%s' must be an integer", m[i].wire);
		} else if (m[i].type == 't' && strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
			return ar_fail(&c->err, AR_EINVAL, "Parameter '%s' must be true or false", m[i].wire);
		}
		int rc = check_scalar(m[i].member, value, &c->err);
		if (rc)
			return rc;
	}
	if (c->body) {
		json_t *max = json_object_get(c->body, "maxResults");
		if (max && json_is_integer(max) && (json_integer_value(max) < 1 || json_integer_value(max) > 1000))
			return ar_fail(&c->err, AR_EINVAL, "maxResults must be between 1 and 1000");
	}
	return 0;
}

/* --- authentication -------------------------------------------------------------------------- */

static const char *header_cb(void *cls, const char *lname)
{
	return ar_req_header(cls, lname);
}

/* Verifies SigV4; on failure sends the AWS-shaped 403 itself and returns non-zero. */
static int authenticate(struct ar_api_call *c)
{
	struct ar_req *req = c->req;
	const char *authz = ar_req_header(req, "authorization");
	if (!authz) {
		send_error(req, 403, "MissingAuthenticationTokenException", "Missing Authentication Token", NULL, NULL,
			   NULL);
		return -1;
	}
	struct ar_sigv4_auth auth;
	enum ar_sigv4_fault fault = AR_SIGV4_OK;
	struct ar_err err = {0};
	if (ar_sigv4_parse(&auth, authz, &fault, &err) != 0) {
		send_error(req, 403, "IncompleteSignatureException", err.msg, NULL, NULL, NULL);
		return -1;
	}
	char *secret = NULL;
	int rc = ar_identity_lookup_key(c->db, c->a, &c->ctx->keys, auth.access_key_id, &c->caller, &secret, &err);
	if (rc == AR_ENOTFOUND) {
		send_error(req, 403, "UnrecognizedClientException",
			   "The security token included in the request is invalid.", NULL, NULL, NULL);
		return -1;
	}
	if (rc) {
		c->err = err;
		send_call_error(c, rc);
		return -1;
	}
	char payload[65];
	ar_hex(payload, req->body.sha256, 32);
	struct ar_sigv4_request sr = {
		.method = req->is_head ? "HEAD" : req->method,
		.path = req->path,
		.raw_query = req->raw_query,
		.header = header_cb,
		.header_cls = req,
		.payload_sha256_hex = payload,
	};
	if (ar_sigv4_verify(&sr, &auth, secret, time(NULL), c->ctx->cfg->sigv4_skew_s, &fault, &err) != 0) {
		memset(secret, 0, strlen(secret));
		const char *msg =
			fault == AR_SIGV4_EXPIRED
				? err.msg
				: "The request signature we calculated does not match the signature you provided. "
				  "Check your AWS Secret Access Key and signing method.";
		send_error(req, 403,
			   fault == AR_SIGV4_INCOMPLETE ? "IncompleteSignatureException" : "InvalidSignatureException",
			   msg, NULL, NULL, NULL);
		return -1;
	}
	memset(secret, 0, strlen(secret));
	return 0;
}

/* --- authorisation --------------------------------------------------------------------------- */

const char *ar_api_domain_arn(const struct ar_api_call *c, const char *owner, const char *domain)
{
	return ar_arn_domain(c->a, c->ctx->cfg->region, owner, domain);
}

const char *ar_api_repo_arn(const struct ar_api_call *c, const char *owner, const char *domain, const char *repo)
{
	return ar_arn_repository(c->a, c->ctx->cfg->region, owner, domain, repo);
}

int ar_api_authorize(struct ar_api_call *c, const char *action, const char *resource_arn, const char *resource_account,
		     const char *const *resource_policies, size_t n_resource_policies)
{
	return ar_access_check(c->db, c->a, &c->caller, action, resource_arn, resource_account, resource_policies,
			       n_resource_policies, &c->err);
}

/* Loads the domain and repository the call names (when they exist). */
static int load_targets(struct ar_api_call *c)
{
	const char *domain = ar_api_str(c, "domain");
	if (!domain)
		return 0;
	c->domain = ar_alloc(c->a, sizeof *c->domain);
	int rc = ar_domain_get(c->domain, c->db, c->a, c->domain_owner, domain, &c->err);
	if (rc == AR_ENOTFOUND) {
		c->domain = NULL;
		return 0;
	}
	if (rc)
		return rc;
	const char *repo = ar_api_str(c, "repository");
	if (!repo)
		repo = ar_api_str(c, "destinationRepository");
	if (!repo)
		return 0;
	c->repo = ar_alloc(c->a, sizeof *c->repo);
	rc = ar_repo_get(c->repo, c->db, c->a, c->domain, repo, &c->err);
	if (rc == AR_ENOTFOUND) {
		c->repo = NULL;
		return 0;
	}
	return rc;
}

static bool is_policy_write(const struct ar_op_info *op)
{
	return strcmp(op->name, "PutDomainPermissionsPolicy") == 0 ||
	       strcmp(op->name, "PutRepositoryPermissionsPolicy") == 0;
}

/* Checks codeartifact:<Op> on the operation's resource; resource policies of the domain and the
   repository apply (a Put*PermissionsPolicy ignores the policy it replaces: anti-lockout). */
static int authorize_op(struct ar_api_call *c)
{
	const char *action = ar_printf(c->a, "codeartifact:%s", c->op->name);
	const char *domain = ar_api_str(c, "domain"), *repo = ar_api_str(c, "repository");
	const char *arn = "*", *account = c->caller.account_id;
	const char *policies[2] = {NULL, NULL};
	bool skip_own = is_policy_write(c->op);
	switch (c->op->resource) {
	case AR_OPRES_NONE: break;
	case AR_OPRES_DOMAIN:
		arn = ar_api_domain_arn(c, c->domain_owner, domain);
		account = c->domain_owner;
		if (c->domain && !skip_own)
			policies[0] = c->domain->policy;
		break;
	case AR_OPRES_REPO:
	case AR_OPRES_PACKAGE:
	case AR_OPRES_COPY:
		if (c->op->resource == AR_OPRES_COPY)
			repo = ar_api_str(c, "destinationRepository");
		arn = ar_api_repo_arn(c, c->domain_owner, domain, repo);
		if (c->op->resource == AR_OPRES_PACKAGE) {
			const char *ns = ar_api_str(c, "namespace"), *pkg = ar_api_str(c, "package");
			arn = ar_arn_package(c->a, c->ctx->cfg->region, c->domain_owner, domain, repo,
					     ar_api_str(c, "format"), ns, pkg ? pkg : "");
		}
		account = c->domain_owner;
		if (c->domain)
			policies[0] = c->domain->policy;
		if (c->repo && !skip_own)
			policies[1] = c->repo->policy;
		break;
	case AR_OPRES_GROUP:
		arn = ar_arn_package_group(c->a, c->ctx->cfg->region, c->domain_owner, domain,
					   ar_api_str(c, "packageGroup") ? ar_api_str(c, "packageGroup") : "/*");
		account = c->domain_owner;
		if (c->domain)
			policies[0] = c->domain->policy;
		break;
	case AR_OPRES_ARN: {
		arn = ar_api_str(c, "resourceArn");
		struct ar_arn parsed;
		if (ar_arn_parse(arn, &parsed) == 0 && parsed.account.len)
			account = ar_strndup(c->a, parsed.account.ptr, parsed.account.len);
		break;
	}
	}
	return ar_api_authorize(c, action, arn, account, policies, 2);
}

/* After authorisation: a named domain or repository must exist (except where the call creates it). */
static int require_targets(struct ar_api_call *c)
{
	const char *domain = ar_api_str(c, "domain");
	if (domain && !c->domain && strcmp(c->op->name, "CreateDomain") != 0)
		return ar_api_fail(c, AR_ENOTFOUND, "domain", domain, "Domain %s not found in account %s", domain,
				   c->domain_owner);
	const char *repo = ar_api_str(c, "repository");
	if (c->op->resource == AR_OPRES_COPY)
		repo = ar_api_str(c, "destinationRepository");
	if (repo && !c->repo && strcmp(c->op->name, "CreateRepository") != 0)
		return ar_api_fail(c, AR_ENOTFOUND, "repository", repo, "Repository %s not found in domain %s", repo,
				   domain);
	return 0;
}

static bool is_read_only(const struct ar_op_info *op)
{
	return strncmp(op->name, "Describe", 8) == 0 || strncmp(op->name, "Get", 3) == 0 ||
	       strncmp(op->name, "List", 4) == 0;
}

static int run(struct ar_api_call *c, api_handler_fn *handler)
{
	int rc = ar_query_parse(&c->query, c->a, c->req->raw_query);
	if (rc)
		return ar_fail(&c->err, AR_EINVAL, "The query string is malformed");
	struct ar_op_member *m;
	size_t n = ar_op_members(c->a, c->op, &m);
	bool has_body = false;
	for (size_t i = 0; i < n; i++)
		has_body |= m[i].loc == 'b';
	if (has_body && c->req->body.len > 0 &&
	    (rc = ar_json_parse_object(&c->body, c->a, c->req->body.data, c->req->body.len, &c->err)))
		return rc;
	if ((rc = validate_members(c)))
		return rc;
	c->domain_owner = ar_api_str(c, "domainOwner");
	if (!c->domain_owner)
		c->domain_owner = c->caller.account_id;
	bool write = !is_read_only(c->op);
	if ((rc = ar_dbc_begin(c->db, write, &c->err)))
		return rc;
	if ((rc = load_targets(c)) || (rc = authorize_op(c)) || (rc = require_targets(c)) || (rc = handler(c))) {
		ar_dbc_rollback(c->db);
		return rc;
	}
	return ar_dbc_commit(c->db, &c->err);
}

static int api_handle(struct ar_req *req)
{
	const struct ar_op_info *op = req->route_data;
	size_t n_ops, index;
	const struct ar_op_info *ops = ar_ops(&n_ops);
	index = (size_t)(op - ops);
	struct ar_api_call c = {.req = req, .ctx = req->app, .a = req->arena, .op = op};
	c.db = ar_db_get(c.ctx->db);
	if (authenticate(&c) == 0) {
		int rc;
		if (!handlers[index].handler) {
			rc = ar_fail(&c.err, AR_EINVAL, "%s is not available in this version of Arca", op->name);
			send_error(req, 501, "ValidationException", c.err.msg, "UNKNOWN_OPERATION", NULL, NULL);
		} else if ((rc = run(&c, handlers[index].handler)) != 0) {
			send_call_error(&c, rc);
		} else {
			ar_resp_header(req, "x-amzn-RequestId", req->request_id);
			if (!ar_resp_queued(req))
				ar_resp_json(req, 200, c.out ? c.out : json_object());
		}
	}
	if (c.out)
		json_decref(c.out);
	ar_db_put(c.ctx->db, c.db);
	return 0;
}

int ar_api_resolve(struct ar_req *req, struct ar_route *route)
{
	size_t n;
	const struct ar_op_info *ops = ar_ops(&n);
	const struct ar_ctx *ctx = req->app;
	bool path_known = false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ops[i].path, req->path) != 0)
			continue;
		path_known = true;
		if (strcmp(ops[i].method, req->method) != 0)
			continue;
		route->handler = api_handle;
		route->data = (void *)&ops[i];
		bool raw = strcmp(ops[i].name, "PublishPackageVersion") == 0;
		route->max_body = raw ? ctx->cfg->max_upload_body : ctx->cfg->max_api_body;
		route->body_mode = raw ? AR_BODY_SPOOL : AR_BODY_MEMORY;
		return 0;
	}
	send_error(req, path_known ? 405 : 404, "ValidationException",
		   path_known ? "The method is not allowed for this resource" : "Unknown operation",
		   "UNKNOWN_OPERATION", NULL, NULL);
	return -1;
}
