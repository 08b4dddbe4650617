/* tests/unit/db_fixture.h - a fresh migrated SQLite database in a temp dir, with a domain, for unit tests */
#ifndef AR_TESTS_DB_FIXTURE_H
#define AR_TESTS_DB_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "repo/domain.h"
#include "repo/repository.h"
#include "store/blob.h"
#include "store/db.h"

#define DB_FIXTURE_OWNER     "111122223333"
#define DB_FIXTURE_MAX_REPOS 4

struct db_fixture_opts {
	const char *tag;    /* names the temp dir, /tmp/arca-test-{tag}-XXXXXX */
	unsigned pool_size; /* database connections; 0 means 2 */
	bool has_blobs;	    /* a filesystem blob store in {dir}/blobs, temp files in {dir}/tmp */
	bool is_in_tx;	    /* setup's write transaction stays open on c and is rolled back at the end:
			       nothing is committed (no fsync), nothing outlives the test */
	const char *repos[DB_FIXTURE_MAX_REPOS]; /* repositories to create in the domain, NULL-ended */
};

struct db_fixture {
	char dir[64];
	char blobs_dir[128];
	struct ar_db *db;
	struct ar_dbc *c;	/* held from the pool for the whole test */
	struct ar_blobs *blobs; /* NULL without has_blobs */
	struct ar_arena *a;
	struct ar_domain d; /* "dom" in us-east-1, owned by DB_FIXTURE_OWNER */
	struct ar_repository repos[DB_FIXTURE_MAX_REPOS];
	size_t n_repos;
	bool is_in_tx;
};

/* Makes the directory, opens (and so migrates) the database, creates the domain and o->repos.
   NULL, with the reason on stderr, when any step fails. Free with db_fixture_free. */
struct db_fixture *db_fixture_new(const struct db_fixture_opts *o);

/* Rolls back an open transaction, closes everything and removes the directory. NULL is ok. */
void db_fixture_free(struct db_fixture *f);

/* A repository named name in f->d with these upstreams, created on f->c (arena memory); fails the
   running test when it cannot be created. */
struct ar_repository *db_fixture_repo(struct db_fixture *f, const char *name, const char *const *upstreams,
				      size_t n_upstreams);

#endif
