/* tests/unit/repo/npm_fixture.h - a database with one domain and repository, and npm publishes into it */
#ifndef AR_TESTS_NPM_FIXTURE_H
#define AR_TESTS_NPM_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "repo/domain.h"
#include "repo/npm_index.h"
#include "repo/package.h"
#include "repo/repository.h"
#include "store/blob.h"
#include "store/db.h"

struct npm_fixture {
	char dir[64];
	struct ar_db *db;
	struct ar_dbc *c;
	struct ar_blobs *blobs;
	struct ar_arena *a;
	struct ar_domain domain;
	struct ar_repository repo;
};

static int npm_fixture_rm(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static inline struct npm_fixture *npm_fixture_new(void)
{
	struct npm_fixture *f = calloc(1, sizeof *f);
	struct ar_err err = {0};
	char path[128];
	snprintf(f->dir, sizeof f->dir, "/tmp/arca-test-npm-XXXXXX");
	if (!mkdtemp(f->dir))
		abort();
	snprintf(path, sizeof path, "%s/arca.db", f->dir);
	if (ar_db_open(&f->db, path, 2, &err))
		abort();
	snprintf(path, sizeof path, "%s/blobs", f->dir);
	if (ar_blobs_open_fs(&f->blobs, path, NULL, &err))
		abort();
	f->a = ar_arena_new();
	f->c = ar_db_get(f->db);
	if (ar_domain_create(&f->domain, f->c, f->a, "us-east-1", "123456789012", "dom", NULL, &err) ||
	    ar_repo_create(&f->repo, f->c, f->a, &f->domain, "repo", "123456789012", NULL, NULL, 0, &err)) {
		fprintf(stderr, "fixture: %s\n", err.msg);
		abort();
	}
	return f;
}

static inline void npm_fixture_free(struct npm_fixture *f)
{
	ar_db_put(f->db, f->c);
	ar_db_close(f->db);
	ar_blobs_close(f->blobs);
	ar_arena_free(f->a);
	nftw(f->dir, npm_fixture_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
}

/* Publishes ns/name@version with a package.tgz of the given bytes and attrs; returns the package id. */
static inline int64_t npm_fixture_publish(struct npm_fixture *f, const char *ns, const char *name, const char *version,
					  const char *bytes, const char *summary, const char *attrs)
{
	struct ar_err err = {0};
	struct ar_asset_in asset = {.name = AR_NPM_ASSET, .content_type = "application/octet-stream"};
	struct ar_hasher *h = ar_hasher_new();
	char sha256[65];
	ar_hasher_update(h, bytes, strlen(bytes));
	ar_hasher_final(h, &asset.hashes);
	if (ar_blob_put_mem(f->blobs, bytes, strlen(bytes), sha256, &err))
		abort();
	const char *display = ns && *ns ? ar_printf(f->a, "@%s/%s", ns, name) : name;
	struct ar_publish_in in = {
		.key = {.format = "npm", .ns = ns ? ns : "", .name = name},
		.display_name = display,
		.version = version,
		.summary = summary,
		.readme = ar_printf(f->a, "readme of %s", version),
		.attrs = attrs,
		.assets = &asset,
		.n_assets = 1,
	};
	struct ar_version v;
	if (ar_publish(&v, f->c, f->blobs, f->a, &f->repo, &in, &err)) {
		fprintf(stderr, "publish: %s\n", err.msg);
		abort();
	}
	return v.package_id;
}

#endif
