/* formats/format.h - the contract every package format implements, and the data-plane request it serves */
#ifndef AR_FORMATS_FORMAT_H
#define AR_FORMATS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/identity.h"
#include "core/ctx.h"
#include "http/http.h"
#include "repo/domain.h"
#include "repo/package.h"
#include "repo/repository.h"
#include "store/db.h"

#define AR_FORMAT_VERSION 1

struct ar_format;

/* One data-plane request: /{domain}-{owner}/{format}/{repo}/{rest}. Built before the body is read;
   by the time the handler runs the caller is authenticated and authorised. */
struct ar_dp {
	struct ar_req *req;
	struct ar_ctx *ctx;
	struct ar_arena *a;
	const struct ar_format *format;
	struct ar_domain domain;
	struct ar_repository repo;
	struct ar_principal caller; /* is_anonymous for a public repository read without credentials */
	const char *const *seg;	    /* percent-decoded segments of {rest}; no ".", "..", or empty ones */
	size_t n_seg;
	bool trailing_slash;  /* {rest} ended in '/' (pip's simple/ URLs) */
	const char *raw_rest; /* {rest} as received, still percent-encoded (npm's @scope%2fname) */
	const char *base_url; /* absolute URL of the repository endpoint, ending in '/' */
	struct ar_dbc *db;    /* borrowed for the handler only */
	void *route_data;     /* ar_dp_route.data */
	uint64_t generation;  /* ar_db_generation before the precheck read: memo entries are as of it */
};

/* What a format decides about a request from its method and path. */
struct ar_dp_route {
	int (*handler)(struct ar_dp *dp);
	/* IAM action checked before the body is read, e.g. "codeartifact:ReadFromRepository" or
	   "codeartifact:PublishPackageVersion". */
	const char *action;
	/* When the package is known from the path, the action is checked on its package ARN
	   (publish/metadata actions); NULL name checks the repository ARN. */
	const char *pkg_format, *pkg_ns, *pkg_name;
	uint64_t max_body; /* 0: no body accepted */
	enum ar_body_mode body_mode;
	void *data;
};

struct ar_format {
	int version;	  /* AR_FORMAT_VERSION */
	const char *name; /* the {format} path segment and the PackageFormat value */
	/* Chooses the route for dp (method in dp->req->method, path in dp->seg). Return AR_ENOTFOUND for an
	   unknown path (404) or AR_EINVAL for a known path with the wrong method (405). */
	int (*route)(struct ar_dp *dp, struct ar_dp_route *out);
	/* Queues an error response in the format's own shape (npm {"error"}, pypi text, cargo {"errors"}). */
	void (*send_error)(struct ar_dp *dp, int status, const char *message);
};

/* The registry: every format the data plane serves. */
const struct ar_format *ar_format_find(const char *name);

/* Resolves /{domain}-{owner}/{format}/{repo}/... requests (the top-level router calls it for any
   path that is not /v1/ or a server page). Queues 404 itself for paths that are not data-plane. */
int ar_dataplane_resolve(struct ar_req *req, struct ar_route *route);

/* --- helpers for format handlers --- */

/* Sends status with the message through the format's error shape; returns status. */
int ar_dp_error(struct ar_dp *dp, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Maps a model error (AR_ENOTFOUND, AR_EEXISTS, AR_EDENIED, ...) to a status and sends err's message.
   Internal errors are logged and answered 500 without detail. Returns the status. */
int ar_dp_fail(struct ar_dp *dp, int code, const struct ar_err *err);

/* Checks one more action (e.g. codeartifact:PutPackageMetadata) for the caller on a package
   (pkg_name NULL: the repository). 0, or AR_EDENIED with the message in err. */
int ar_dp_authorize(struct ar_dp *dp, const char *action, const char *pkg_ns, const char *pkg_name, struct ar_err *err);

/* Serves an asset's bytes from the blob store (sendfile), with Content-Length and content_type. */
int ar_dp_send_asset(struct ar_dp *dp, const struct ar_asset *asset, const char *content_type);

#endif
