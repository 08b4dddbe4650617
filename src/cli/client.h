/* cli/client.h - the CLI's HTTP client: aws-style credential/region/endpoint resolution, signed calls */
#ifndef AR_CLI_CLIENT_H
#define AR_CLI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/err.h"

#define AR_CLIENT_DEFAULT_ENDPOINT "http://127.0.0.1:8080"

/* What the command line said; NULL fields fall back to the environment and the aws files. */
struct ar_client_opts {
	const char *profile;	  /* --profile */
	const char *region;	  /* --region */
	const char *endpoint_url; /* --endpoint-url */
	bool debug;		  /* --debug: canonical request and string to sign to debug_out */
	FILE *debug_out;	  /* NULL = stderr */
};

/* Resolved settings; strings are heap-owned, released by ar_client_release. */
struct ar_client {
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL when the credentials have none */
	char *region;
	char *endpoint;	   /* "http://host:port[/prefix]" without a trailing '/' */
	char *host;	   /* Host header value: host[:port], default ports omitted like botocore */
	char *path_prefix; /* "" or "/prefix" from the endpoint URL; it is part of the signed path */
	char *profile;
	bool debug;
	FILE *debug_out;
};

/* Resolves like the aws CLI: credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN]
   (unless --profile was given) else the profile in AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials)
   then AWS_CONFIG_FILE (~/.aws/config); region from --region, AWS_DEFAULT_REGION, the config profile,
   the credentials profile; endpoint from --endpoint-url, AWS_ENDPOINT_URL_CODEARTIFACT, AWS_ENDPOINT_URL,
   then AR_CLIENT_DEFAULT_ENDPOINT. AR_EAUTH without credentials, AR_EINVAL without a region or with a
   bad endpoint URL, AR_ENOTFOUND for an explicit profile that exists nowhere. */
int ar_client_init(struct ar_client *c, const struct ar_client_opts *opts, struct ar_err *err);

/* Frees (and wipes the secret of) everything ar_client_init set. Safe on a zeroed struct. */
void ar_client_release(struct ar_client *c);

/* One request to send. */
struct ar_client_request {
	const char *method;	 /* "GET", "POST", "PUT", "DELETE" */
	const char *path;	 /* operation path, e.g. "/v1/domain" (the endpoint prefix is added) */
	const char *query;	 /* already percent-encoded, without '?'; NULL or "" when none */
	const char *json_body;	 /* sent with Content-Type: application/json; NULL = no JSON body */
	const char *body_path;	 /* raw body streamed from this file (PublishPackageVersion), or NULL */
	const char *body_sha256; /* x-amz-content-sha256 for body_path; NULL = computed from the file */
	const char *save_path;	 /* a 2xx body is written to this file instead of memory, or NULL */
};

/* What came back; strings are arena memory, NULL when the header was absent. */
struct ar_client_response {
	long status;
	char *body; /* NUL-terminated; empty when saved to save_path */
	size_t body_len;
	const char *error_type; /* x-amzn-ErrorType */
	const char *request_id; /* x-amzn-RequestId */
	const char *asset_name; /* X-AssetName, X-PackageVersion, X-PackageVersionRevision */
	const char *package_version;
	const char *package_version_revision;
};

/* Signs (SigV4, service codeartifact) and sends one request with libcurl. 0 whenever an HTTP
   response arrived, whatever its status; AR_EUNAVAIL when the endpoint could not be reached,
   AR_ENOTFOUND/AR_ERROR for unreadable body or unwritable save files, AR_ETOOBIG past 64 MiB of
   response held in memory. */
int ar_client_call(struct ar_client_response *resp, struct ar_client *c, struct ar_arena *a,
		   const struct ar_client_request *req, struct ar_err *err);

/* Lowercase hex SHA-256 of a file's contents into out[65]; AR_ENOTFOUND when it cannot be read. */
int ar_client_file_sha256(char out[65], const char *path, struct ar_err *err);

#endif
