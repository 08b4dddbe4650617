/* api/render.c - response shapes of the model (DomainDescription, RepositoryDescription, ...) */
#include "api/api_int.h"

#include "core/json.h"

json_t *ar_api_domain_json(const struct ar_api_call *c, const struct ar_domain *d, bool summary)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "name", d->name, "owner", d->owner, "arn",
			      ar_api_domain_arn(c, d->owner, d->name), "status", "Active", "createdTime",
			      ar_json_epoch(d->created_ms), "encryptionKey", d->encryption_key);
	if (!summary) {
		json_object_set_new(j, "repositoryCount", json_integer(d->repository_count));
		json_object_set_new(j, "assetSizeBytes", json_integer(d->asset_size_bytes));
	}
	return j;
}

json_t *ar_api_repo_json(const struct ar_api_call *c, const struct ar_repository *r, bool summary)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "name", r->name, "administratorAccount",
			      r->administrator_account, "domainName", r->domain_name, "domainOwner", r->domain_owner,
			      "arn", ar_api_repo_arn(c, r->domain_owner, r->domain_name, r->name), "description",
			      r->description, "createdTime", ar_json_epoch(r->created_ms));
	if (summary)
		return j;
	json_t *ups = json_array();
	for (size_t i = 0; i < r->n_upstreams; i++)
		json_array_append_new(ups, json_pack("{s:s}", "repositoryName", r->upstreams[i]));
	json_object_set_new(j, "upstreams", ups);
	json_t *ext = json_array();
	for (size_t i = 0; i < r->n_externals; i++)
		json_array_append_new(ext, json_pack("{s:s, s:s, s:s}", "externalConnectionName", r->externals[i].name,
						     "packageFormat", r->externals[i].format, "status", "Available"));
	json_object_set_new(j, "externalConnections", ext);
	return j;
}
