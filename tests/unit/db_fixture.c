/* tests/unit/db_fixture.c - a fresh migrated SQLite database in a temp dir, with a domain, for unit tests */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "db_fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

struct db_fixture *db_fixture_new(const struct db_fixture_opts *o)
{
	struct db_fixture *f = calloc(1, sizeof *f);
	struct ar_err err = {0};
	char path[192], tmp[192];
	snprintf(f->dir, sizeof f->dir, "/tmp/arca-test-%.24s-XXXXXX", o->tag ? o->tag : "db");
	if (!mkdtemp(f->dir)) {
		perror("db_fixture: mkdtemp");
		free(f);
		return NULL;
	}
	f->a = ar_arena_new();
	f->is_in_tx = o->is_in_tx;
	snprintf(path, sizeof path, "%s/arca.db", f->dir);
	snprintf(f->blobs_dir, sizeof f->blobs_dir, "%s/blobs", f->dir);
	snprintf(tmp, sizeof tmp, "%s/tmp", f->dir);
	int rc = ar_db_open(&f->db, path, o->pool_size ? o->pool_size : 2, &err);
	if (rc == 0 && o->has_blobs)
		rc = ar_blobs_open_fs(&f->blobs, f->blobs_dir, tmp, &err);
	if (rc == 0) {
		f->c = ar_db_get(f->db);
		rc = ar_dbc_begin(f->c, true, &err);
	}
	if (rc == 0)
		rc = ar_domain_create(&f->d, f->c, f->a, "us-east-1", DB_FIXTURE_OWNER, "dom", NULL, &err);
	for (size_t i = 0; rc == 0 && i < DB_FIXTURE_MAX_REPOS && o->repos[i]; i++, f->n_repos++)
		rc = ar_repo_create(&f->repos[i], f->c, f->a, &f->d, o->repos[i], DB_FIXTURE_OWNER, "", NULL, 0, &err);
	if (rc == 0 && !o->is_in_tx)
		rc = ar_dbc_commit(f->c, &err);
	if (rc) {
		fprintf(stderr, "db_fixture: %s\n", err.msg);
		f->is_in_tx = f->c != NULL;
		db_fixture_free(f);
		return NULL;
	}
	return f;
}

void db_fixture_free(struct db_fixture *f)
{
	if (!f)
		return;
	if (f->c) {
		if (f->is_in_tx)
			ar_dbc_rollback(f->c);
		ar_db_put(f->db, f->c);
	}
	ar_db_close(f->db);
	ar_blobs_close(f->blobs);
	ar_arena_free(f->a);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
}

struct ar_repository *db_fixture_repo(struct db_fixture *f, const char *name, const char *const *upstreams,
				      size_t n_upstreams)
{
	struct ar_repository *r = ar_alloc(f->a, sizeof *r);
	struct ar_err err = {0};
	if (ar_repo_create(r, f->c, f->a, &f->d, name, DB_FIXTURE_OWNER, "", upstreams, n_upstreams, &err) != 0)
		fail_msg("creating repository %s: %s", name, err.msg);
	return r;
}
