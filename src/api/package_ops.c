/* api/package_ops.c - package operations: list, describe, delete, origin configuration; package shapes */
#include "api/api_int.h"

#include "core/json.h"
#include "repo/lifecycle.h"
#include "repo/names.h"
#include "repo/package.h"
#include "repo/paging.h"

#include <string.h>

static bool is_one_of(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

int ar_api_pkg_key(struct ar_api_call *c, struct ar_pkg_key *key)
{
	static const char *const ns_required[] = {"generic", "maven", "swift", NULL};
	static const char *const ns_refused[] = {"pypi", "nuget", "ruby", "cargo", NULL};
	const char *format = ar_api_str(c, "format"), *ns = ar_api_str(c, "namespace"),
		   *name = ar_api_str(c, "package");
	if (!ns && is_one_of(format, ns_required))
		return ar_api_fail(c, AR_EINVAL, NULL, NULL, "A namespace is required for %s packages", format);
	if (ns && is_one_of(format, ns_refused))
		return ar_api_fail(c, AR_EINVAL, NULL, NULL, "%s packages have no namespace; leave out the namespace",
				   format);
	key->format = format;
	key->ns = ns ? ar_package_name_normalize(c->a, format, ns) : "";
	key->name = ar_package_name_normalize(c->a, format, name);
	return 0;
}

int ar_api_pkg_load(struct ar_api_call *c, const struct ar_pkg_key *key, struct ar_package *pkg)
{
	int rc = ar_pkg_get(pkg, c->db, c->a, c->repo->id, key, &c->err);
	if (rc == AR_ENOTFOUND)
		return ar_api_fail(c, rc, "package", key->name, "Package %s%s%s (%s) not found in repository %s",
				   key->ns, key->ns[0] ? "/" : "", key->name, key->format, c->repo->name);
	return rc;
}

int ar_api_version_load(struct ar_api_call *c, const struct ar_package *pkg, const char *version, struct ar_version *v)
{
	int rc = ar_version_get(v, c->db, c->a, pkg->id, version, &c->err);
	if (rc == AR_ENOTFOUND)
		return ar_api_fail(c, rc, "package-version", version,
				   "Version %s of package %s not found in repository %s", version, pkg->name,
				   c->repo->name);
	return rc;
}

static json_t *origin_json(const struct ar_package *p)
{
	return json_pack("{s:{s:s, s:s}}", "restrictions", "publish", p->origin_publish, "upstream",
			 p->origin_upstream);
}

json_t *ar_api_pkg_summary_json(const struct ar_package *p)
{
	json_t *j = json_pack("{s:s}", "format", p->format);
	if (p->ns[0])
		json_object_set_new(j, "namespace", json_string(p->ns));
	json_object_set_new(j, "package", json_string(p->name));
	json_object_set_new(j, "originConfiguration", origin_json(p));
	return j;
}

json_t *ar_api_asset_json(const char *name, int64_t size, const char *md5, const char *sha1, const char *sha256,
			  const char *sha512)
{
	return json_pack("{s:s, s:I, s:{s:s, s:s, s:s, s:s}}", "name", name, "size", (json_int_t)size, "hashes", "MD5",
			 md5, "SHA-1", sha1, "SHA-256", sha256, "SHA-512", sha512);
}

int api_list_packages(struct ar_api_call *c)
{
	struct ar_pkg_filter f = {
		.format = ar_api_str(c, "format"),
		.ns_prefix = ar_api_str(c, "namespace"),
		.name_prefix = ar_api_str(c, "packagePrefix"),
		.publish = ar_api_str(c, "publish"),
		.upstream = ar_api_str(c, "upstream"),
	};
	int rc = ar_page_limit(&f.limit, ar_api_str(c, "maxResults"), 100, &c->err);
	if (rc || (rc = ar_page_key(&f.after, c->a, "packages", ar_api_str(c, "nextToken"), &c->err)))
		return rc;
	/* A prefix of a normalized name is compared normalized, once the format is known. */
	if (f.format && f.name_prefix)
		f.name_prefix = ar_package_name_normalize(c->a, f.format, f.name_prefix);
	struct ar_package *list;
	size_t n;
	bool more;
	if ((rc = ar_pkg_list(&list, &n, &more, c->db, c->a, c->repo->id, &f, &c->err)))
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, ar_api_pkg_summary_json(&list[i]));
	c->out = json_pack("{s:o}", "packages", arr);
	if (more)
		json_object_set_new(c->out, "nextToken",
				    json_string(ar_page_token(c->a, "packages", ar_pkg_page_key(c->a, &list[n - 1]))));
	return 0;
}

int api_describe_package(struct ar_api_call *c)
{
	struct ar_pkg_key key;
	struct ar_package p;
	int rc;
	if ((rc = ar_api_pkg_key(c, &key)) || (rc = ar_api_pkg_load(c, &key, &p)))
		return rc;
	json_t *j = json_pack("{s:s}", "format", p.format);
	if (p.ns[0])
		json_object_set_new(j, "namespace", json_string(p.ns));
	json_object_set_new(j, "name", json_string(p.name));
	json_object_set_new(j, "originConfiguration", origin_json(&p));
	c->out = json_pack("{s:o}", "package", j);
	return 0;
}

int api_delete_package(struct ar_api_call *c)
{
	struct ar_pkg_key key;
	struct ar_package p;
	int rc;
	if ((rc = ar_api_pkg_key(c, &key)) || (rc = ar_api_pkg_load(c, &key, &p)) ||
	    (rc = ar_lc_delete_package(&p, c->db, c->a, c->repo, &key, &c->err)))
		return rc;
	c->out = json_pack("{s:o}", "deletedPackage", ar_api_pkg_summary_json(&p));
	return 0;
}

int api_put_package_origin_configuration(struct ar_api_call *c)
{
	struct ar_pkg_key key;
	struct ar_package p;
	int rc;
	if ((rc = ar_api_pkg_key(c, &key)))
		return rc;
	json_t *r = ar_api_json(c, "restrictions");
	const char *publish = ar_json_str(r, "publish"), *upstream = ar_json_str(r, "upstream");
	if (!publish || !upstream)
		return ar_api_fail(c, AR_EINVAL, NULL, NULL,
				   "restrictions must give both publish and upstream (ALLOW or BLOCK)");
	if ((rc = ar_lc_set_origin(&p, c->db, c->a, c->repo, &key, ar_api_str(c, "package"), publish, upstream,
				   &c->err)))
		return rc;
	c->out = json_pack("{s:o}", "originConfiguration", origin_json(&p));
	return 0;
}
