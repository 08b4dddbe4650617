/* repo/ingest.c - package versions that arrive through an external connection */
#include "repo/ingest.h"

#include "core/crypto.h"
#include "core/timeutil.h"
#include "repo/domain.h"

#include <string.h>

static int insert_asset(struct ar_dbc *db, int64_t version_id, const struct ar_asset_in *x, struct ar_err *err)
{
	int64_t n =
		ar_dbc_exec(db, err,
			    "INSERT INTO assets (id, version_id, name, size, md5, sha1, sha256, sha512,"
			    " content_type, attrs, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    "iisissssssi", ar_new_id(), version_id, x->name, (int64_t)x->hashes.size, x->hashes.md5,
			    x->hashes.sha1, x->hashes.sha256, x->hashes.sha512, x->content_type, x->attrs, ar_now_ms());
	return n < 0 ? (int)n : 0;
}

/* The revision package.c would compute: the asset list hashed, then hashed again with the attributes. */
static const char *revision_of(struct ar_arena *a, const struct ar_publish_in *in)
{
	unsigned char digest[32];
	const char *text = ar_printf(a, "%s\n", in->version);
	for (size_t i = 0; i < in->n_assets; i++)
		text = ar_printf(a, "%s%s\t%s\n", text, in->assets[i].name, in->assets[i].hashes.sha256);
	ar_sha256(digest, text, strlen(text));
	const char *base = ar_b64_encode(a, digest, sizeof digest);
	if (!in->attrs)
		return base;
	text = ar_printf(a, "%s\n%s", base, in->attrs);
	ar_sha256(digest, text, strlen(text));
	return ar_b64_encode(a, digest, sizeof digest);
}

int ar_ingest_external(struct ar_version *out, struct ar_package *pkg_out, struct ar_dbc *db, struct ar_arena *a,
		       const struct ar_repository *holder, const struct ar_publish_in *in, const char *connection,
		       struct ar_err *err)
{
	struct ar_package pkg;
	int rc = ar_pkg_get(&pkg, db, a, holder->id, &in->key, err);
	if (rc == AR_ENOTFOUND)
		rc = ar_pkg_create(&pkg, db, a, holder->id, &in->key, in->display_name, "BLOCK", "ALLOW", err);
	else if (rc == 0 && strcmp(pkg.origin_upstream, "ALLOW") != 0)
		return ar_fail(err, AR_EDENIED,
			       "Package %s in repository %s does not accept versions from upstream (upstream=BLOCK)",
			       pkg.display_name, holder->name);
	if (rc)
		return rc;
	*pkg_out = pkg;
	rc = ar_version_get(out, db, a, pkg.id, in->version, err);
	if (rc != AR_ENOTFOUND)
		return rc;
	int64_t id = ar_new_id(), now = ar_now_ms();
	int64_t n = ar_dbc_exec(db, err,
				"INSERT INTO package_versions (id, package_id, version, revision, status, origin_type,"
				" entry_external, published_ms, updated_ms, summary, home_page,"
				" source_code_repository, licenses, readme, attrs)"
				" VALUES (?, ?, ?, ?, 'Published', 'EXTERNAL', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				"iisssiissssss", id, pkg.id, in->version, revision_of(a, in), connection, now, now,
				in->summary, in->home_page, in->source_code_repository, in->licenses, in->readme,
				in->attrs);
	if (n < 0)
		return (int)n;
	for (size_t i = 0; i < in->n_assets; i++)
		if ((rc = insert_asset(db, id, &in->assets[i], err)))
			return rc;
	for (size_t i = 0; i < in->n_deps; i++) {
		const struct ar_dependency *d = &in->deps[i];
		n = ar_dbc_exec(db, err,
				"INSERT INTO dependencies (version_id, position, namespace, package, dependency_type,"
				" version_requirement) VALUES (?, ?, ?, ?, ?, ?)",
				"iissss", id, (int64_t)i, d->ns, d->package, d->type, d->requirement);
		if (n < 0)
			return (int)n;
	}
	if ((rc = ar_pkg_touch(db, pkg.id, err)))
		return rc;
	return ar_version_get(out, db, a, pkg.id, in->version, err);
}
