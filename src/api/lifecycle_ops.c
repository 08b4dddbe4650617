/* api/lifecycle_ops.c - UpdatePackageVersionsStatus, Delete/Dispose/CopyPackageVersions */
#include "api/api_int.h"

#include "core/json.h"
#include "repo/lifecycle.h"
#include "repo/names.h"

#include <string.h>

/* Fills rq->items from versions (a list) and versionRevisions (a map version -> revision). With a
   versions list the map only adds revision checks to the versions listed; without one (a copy by
   versionRevisions) its keys are the versions. */
static int read_versions(struct ar_api_call *c, struct ar_lc_request *rq)
{
	json_t *list = ar_api_json(c, "versions"), *revisions = ar_api_json(c, "versionRevisions");
	size_t i;
	json_t *v;
	const char *name;
	int rc;
	if (json_is_array(list)) {
		if (json_array_size(list) > AR_MAX_LC_VERSIONS)
			return ar_api_fail(c, AR_EINVAL, NULL, NULL, "versions can name at most %d versions",
					   AR_MAX_LC_VERSIONS);
		json_array_foreach(list, i, v)
		{
			if (!json_is_string(v))
				return ar_api_fail(c, AR_EINVAL, NULL, NULL, "versions[%zu] must be a string", i);
			if ((rc = ar_check_package_coord("versions", json_string_value(v), &c->err)) ||
			    (rc = ar_lc_add(rq, c->a, json_string_value(v), NULL, &c->err)))
				return rc;
		}
	}
	if (json_is_object(revisions)) {
		if (json_object_size(revisions) > AR_MAX_LC_VERSIONS)
			return ar_api_fail(c, AR_EINVAL, NULL, NULL, "versionRevisions can name at most %d versions",
					   AR_MAX_LC_VERSIONS);
		json_object_foreach(revisions, name, v)
		{
			if (!json_is_string(v))
				return ar_api_fail(c, AR_EINVAL, NULL, NULL, "versionRevisions[%s] must be a string",
						   name);
			if ((rc = ar_check_package_coord("versionRevisions", name, &c->err)) ||
			    (rc = ar_check_revision("versionRevisions", json_string_value(v), &c->err)))
				return rc;
			for (size_t k = 0; json_is_array(list) && k < rq->n_items; k++)
				if (strcmp(rq->items[k].version, name) == 0)
					rq->items[k].expected_revision = json_string_value(v);
			if (!json_is_array(list) && (rc = ar_lc_add(rq, c->a, name, json_string_value(v), &c->err)))
				return rc;
		}
	}
	return 0;
}

/* The request common to every lifecycle operation: package, versions, expected status. */
static int read_request(struct ar_api_call *c, struct ar_lc_request *rq, enum ar_lc_op op)
{
	memset(rq, 0, sizeof *rq);
	rq->op = op;
	const char *expected = ar_api_str(c, "expectedStatus");
	int rc;
	if ((rc = ar_api_pkg_key(c, &rq->key)) || (rc = read_versions(c, rq)))
		return rc;
	if (expected) {
		rq->has_expected_status = true;
		if (ar_status_parse(&rq->expected_status, expected) != 0)
			return ar_api_fail(c, AR_EINVAL, NULL, NULL, "expectedStatus '%s' is not a status", expected);
	}
	return 0;
}

/* {successfulVersions: {v: {revision, status}}, failedVersions: {v: {errorCode, errorMessage}}};
   an unchanged copy appears in neither. */
static void render(struct ar_api_call *c, const struct ar_lc_request *rq)
{
	json_t *ok = json_object(), *failed = json_object();
	for (size_t i = 0; i < rq->n_items; i++) {
		const struct ar_lc_item *it = &rq->items[i];
		if (it->error != AR_LC_OK)
			json_object_set_new(failed, it->version,
					    json_pack("{s:s, s:s}", "errorCode", ar_lc_error_name(it->error),
						      "errorMessage", it->message));
		else if (!it->is_unchanged)
			json_object_set_new(ok, it->version,
					    json_pack("{s:s, s:s}", "revision", it->revision, "status",
						      ar_status_name(it->status)));
	}
	c->out = json_pack("{s:o, s:o}", "successfulVersions", ok, "failedVersions", failed);
}

static int package_failure(struct ar_api_call *c, int rc, const struct ar_lc_request *rq)
{
	if (rc == AR_ENOTFOUND)
		return ar_api_fail(c, rc, "package", rq->key.name, "%s", c->err.msg);
	return rc;
}

static int run(struct ar_api_call *c, enum ar_lc_op op)
{
	struct ar_lc_request rq;
	int rc = read_request(c, &rq, op);
	if (rc)
		return rc;
	if (op == AR_LC_SET_STATUS) {
		const char *target = ar_api_str(c, "targetStatus");
		if (ar_status_parse(&rq.target, target) != 0 || !ar_lc_target_valid(rq.target))
			return ar_api_fail(c, AR_EINVAL, NULL, NULL,
					   "targetStatus must be Archived, Published or Unlisted, not %s (dispose with "
					   "DisposePackageVersions, delete with DeletePackageVersions)",
					   target);
	}
	if ((rc = ar_lc_apply(c->db, c->a, c->repo, &rq, &c->err)))
		return package_failure(c, rc, &rq);
	render(c, &rq);
	return 0;
}

int api_update_package_versions_status(struct ar_api_call *c)
{
	return run(c, AR_LC_SET_STATUS);
}

int api_delete_package_versions(struct ar_api_call *c)
{
	return run(c, AR_LC_DELETE);
}

int api_dispose_package_versions(struct ar_api_call *c)
{
	return run(c, AR_LC_DISPOSE);
}

int api_copy_package_versions(struct ar_api_call *c)
{
	const char *src_name = ar_api_str(c, "sourceRepository");
	json_t *versions = ar_api_json(c, "versions"), *revisions = ar_api_json(c, "versionRevisions");
	json_t *overwrite = ar_api_json(c, "allowOverwrite"), *upstream = ar_api_json(c, "includeFromUpstream");
	struct ar_lc_request rq;
	int rc;
	if (json_is_array(versions) == json_is_object(revisions))
		return ar_api_fail(c, AR_EINVAL, NULL, NULL, "Specify versions or versionRevisions, but not both");
	if (strcmp(src_name, c->repo->name) == 0)
		return ar_api_fail(c, AR_EINVAL, NULL, NULL,
				   "The source and destination repositories must be different");
	/* Reading the source is a right of its own: ReadFromRepository, with the source's policy. */
	struct ar_repository src;
	struct ar_err ignored;
	bool has_src = ar_repo_get(&src, c->db, c->a, c->domain, src_name, &ignored) == 0;
	const char *policies[2] = {c->domain->policy, has_src ? src.policy : NULL};
	if ((rc = ar_api_authorize(c, "codeartifact:ReadFromRepository",
				   ar_api_repo_arn(c, c->domain->owner, c->domain->name, src_name), c->domain->owner,
				   policies, 2)))
		return rc;
	if (!has_src)
		return ar_api_fail(c, AR_ENOTFOUND, "repository", src_name, "Repository %s not found in domain %s",
				   src_name, c->domain->name);
	if ((rc = read_request(c, &rq, AR_LC_COPY)))
		return rc;
	rq.allow_overwrite = json_is_true(overwrite);
	rq.include_from_upstream = json_is_true(upstream);
	if ((rc = ar_lc_copy(c->db, c->a, c->domain, &src, c->repo, &rq, &c->err)))
		return package_failure(c, rc, &rq);
	render(c, &rq);
	return 0;
}
