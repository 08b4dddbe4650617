/* api/api_int.h - what the control-plane handlers share: the call context and helpers */
#ifndef AR_API_API_INT_H
#define AR_API_API_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "api/opspec.h"
#include "auth/identity.h"
#include "core/ctx.h"
#include "core/err.h"
#include "core/text.h"
#include "http/http.h"
#include "repo/domain.h"
#include "repo/repository.h"
#include "store/db.h"

/* One control-plane call, from authentication to response. */
struct ar_api_call {
	struct ar_req *req;
	struct ar_ctx *ctx;
	struct ar_arena *a;
	const struct ar_op_info *op;
	struct ar_query query;
	json_t *body; /* the JSON request body (an object), or NULL for raw/no body */
	struct ar_principal caller;
	struct ar_dbc *db;
	const char *domain_owner;   /* domainOwner, or the caller's account */
	struct ar_domain *domain;   /* loaded when the call names a domain that exists */
	struct ar_repository *repo; /* loaded when the call names a repository that exists */
	json_t *out;		    /* the response object a handler builds */
	struct ar_err err;
	const char *err_resource_type; /* for ResourceNotFound / Conflict bodies */
	const char *err_resource_id;
};

/* A member's value by model name (query wire name or JSON body key); NULL when absent. */
const char *ar_api_str(const struct ar_api_call *c, const char *member);

/* A JSON body member (any type), or NULL. */
json_t *ar_api_json(const struct ar_api_call *c, const char *member);

/* Records a failure with the resource it concerns (for the error body); returns code. */
int ar_api_fail(struct ar_api_call *c, int code, const char *resource_type, const char *resource_id, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));

/* ARNs of the call's domain and repository (region from config). */
const char *ar_api_domain_arn(const struct ar_api_call *c, const char *owner, const char *domain);
const char *ar_api_repo_arn(const struct ar_api_call *c, const char *owner, const char *domain, const char *repo);

/* Authorises action on resource_arn for the caller with the given resource policies (NULL skips);
   AR_EDENIED with the AWS-style message otherwise. */
int ar_api_authorize(struct ar_api_call *c, const char *action, const char *resource_arn, const char *resource_account,
		     const char *const *resource_policies, size_t n_resource_policies);

/* Response shapes. */
json_t *ar_api_domain_json(const struct ar_api_call *c, const struct ar_domain *d, bool summary);
json_t *ar_api_repo_json(const struct ar_api_call *c, const struct ar_repository *r, bool summary);

/* Packages (api/package_ops.c). The package a call names: format, namespace (required for generic,
   maven and swift; refused for pypi, nuget, ruby and cargo), name, normalized as the format stores
   them; AR_EINVAL with the rule broken. */
struct ar_pkg_key;
struct ar_package;
struct ar_version;
int ar_api_pkg_key(struct ar_api_call *c, struct ar_pkg_key *key);
/* Loads the call's package and (when version is non-NULL) version; ResourceNotFound otherwise. */
int ar_api_pkg_load(struct ar_api_call *c, const struct ar_pkg_key *key, struct ar_package *pkg);
int ar_api_version_load(struct ar_api_call *c, const struct ar_package *pkg, const char *version, struct ar_version *v);
/* Response shapes: PackageSummary, AssetSummary. */
json_t *ar_api_pkg_summary_json(const struct ar_package *p);
json_t *ar_api_asset_json(const char *name, int64_t size, const char *md5, const char *sha1, const char *sha256,
			  const char *sha512);

/* Handlers (one per operation in ops.def with a non-NULL handler). */
int api_create_domain(struct ar_api_call *c);
int api_describe_domain(struct ar_api_call *c);
int api_list_domains(struct ar_api_call *c);
int api_delete_domain(struct ar_api_call *c);
int api_get_domain_permissions_policy(struct ar_api_call *c);
int api_put_domain_permissions_policy(struct ar_api_call *c);
int api_delete_domain_permissions_policy(struct ar_api_call *c);
int api_get_authorization_token(struct ar_api_call *c);
int api_create_repository(struct ar_api_call *c);
int api_describe_repository(struct ar_api_call *c);
int api_update_repository(struct ar_api_call *c);
int api_delete_repository(struct ar_api_call *c);
int api_list_repositories(struct ar_api_call *c);
int api_list_repositories_in_domain(struct ar_api_call *c);
int api_associate_external_connection(struct ar_api_call *c);
int api_disassociate_external_connection(struct ar_api_call *c);
int api_get_repository_permissions_policy(struct ar_api_call *c);
int api_put_repository_permissions_policy(struct ar_api_call *c);
int api_delete_repository_permissions_policy(struct ar_api_call *c);
int api_get_repository_endpoint(struct ar_api_call *c);
int api_tag_resource(struct ar_api_call *c);
int api_untag_resource(struct ar_api_call *c);
int api_list_tags_for_resource(struct ar_api_call *c);
int api_list_packages(struct ar_api_call *c);
int api_describe_package(struct ar_api_call *c);
int api_delete_package(struct ar_api_call *c);
int api_put_package_origin_configuration(struct ar_api_call *c);
int api_list_package_versions(struct ar_api_call *c);
int api_describe_package_version(struct ar_api_call *c);
int api_list_package_version_assets(struct ar_api_call *c);
int api_get_package_version_asset(struct ar_api_call *c);
int api_get_package_version_readme(struct ar_api_call *c);
int api_list_package_version_dependencies(struct ar_api_call *c);
int api_publish_package_version(struct ar_api_call *c);
int api_update_package_versions_status(struct ar_api_call *c);
int api_delete_package_versions(struct ar_api_call *c);
int api_dispose_package_versions(struct ar_api_call *c);
int api_copy_package_versions(struct ar_api_call *c);

/* Package groups (api/group_ops.c). */
int api_create_package_group(struct ar_api_call *c);
int api_describe_package_group(struct ar_api_call *c);
int api_update_package_group(struct ar_api_call *c);
int api_update_package_group_origin_configuration(struct ar_api_call *c);
int api_list_package_groups(struct ar_api_call *c);
int api_list_sub_package_groups(struct ar_api_call *c);
int api_delete_package_group(struct ar_api_call *c);
int api_get_associated_package_group(struct ar_api_call *c);
int api_list_associated_packages(struct ar_api_call *c);
int api_list_allowed_repositories_for_group(struct ar_api_call *c);
/* Drops the tags of every package group of d (before d is deleted with its groups). */
int ar_api_drop_group_tags(struct ar_api_call *c, const struct ar_domain *d);

#endif
