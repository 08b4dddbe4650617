/* tests/unit/repo/test_gc.c - blob garbage collection: what it removes, what it spares, and the publish race */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "repo/domain.h"
#include "repo/gc.h"
#include "repo/package.h"
#include "repo/repository.h"
#include "store/blob.h"
#include "store/db.h"

#include "db_fixture.h"

#define HOUR 3600

static int setup(void **state)
{
	*state = db_fixture_new(
		&(struct db_fixture_opts){.tag = "gc", .pool_size = 3, .has_blobs = true, .repos = {"repo"}});
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	db_fixture_free(*state);
	return 0;
}

static void blob_path(char out[PATH_MAX], const struct db_fixture *f, const char *key)
{
	snprintf(out, PATH_MAX, "%s/%.2s/%.2s/%s", f->blobs_dir, key, key + 2, key);
}

static bool blob_exists(const struct db_fixture *f, const char *key)
{
	char p[PATH_MAX];
	blob_path(p, f, key);
	return access(p, F_OK) == 0;
}

/* Makes a blob look as if it was last put seconds_ago. */
static void age(const struct db_fixture *f, const char *key, int seconds_ago)
{
	char p[PATH_MAX];
	blob_path(p, f, key);
	struct timespec t[2] = {{.tv_sec = time(NULL) - seconds_ago}, {.tv_sec = time(NULL) - seconds_ago}};
	assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
}

static void put(struct db_fixture *f, const char *text, char key[65])
{
	struct ar_err err = {0};
	assert_int_equal(ar_blob_put_mem(f->blobs, text, strlen(text), key, &err), 0);
}

/* A spooled upload: the temp file and its digests, as the HTTP layer hands them over. */
static struct ar_asset_in upload(struct db_fixture *f, const char *name, const char *text)
{
	struct ar_asset_in in = {.name = name};
	char *path = ar_printf(f->a, "%s/up-XXXXXX", ar_blobs_tmp_dir(f->blobs));
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct ar_hasher *h = ar_hasher_new();
	ar_hasher_update(h, text, strlen(text));
	ar_hasher_final(h, &in.hashes);
	in.tmp_path = path;
	return in;
}

static int publish(struct db_fixture *f, const char *version, const struct ar_asset_in *asset, struct ar_version *v,
		   struct ar_err *err)
{
	struct ar_publish_in in = {
		.key = {"generic", "ns", "pkg"},
		.version = version,
		.add_to_existing = true,
		.published_is_final = true,
		.assets = asset,
		.n_assets = 1,
	};
	struct ar_dbc *c = ar_db_get(f->db);
	int rc = ar_publish(v, c, f->blobs, f->a, &f->repos[0], &in, err);
	ar_db_put(f->db, c);
	return rc;
}

static struct ar_gc_stats sweep(struct db_fixture *f, int64_t grace)
{
	struct ar_gc_stats st;
	struct ar_err err = {0};
	if (ar_gc_run(&st, f->db, f->blobs, grace, &err) != 0)
		fail_msg("gc: %s", err.msg);
	return st;
}

static void test_unreferenced_old_goes_recent_stays(void **state)
{
	struct db_fixture *f = *state;
	char old[65], recent[65];
	put(f, "old bytes", old);
	put(f, "recent bytes", recent);
	age(f, old, 2 * HOUR);
	struct ar_gc_stats st = sweep(f, HOUR);
	assert_int_equal(st.seen, 2);
	assert_int_equal(st.removed, 1);
	assert_int_equal(st.bytes_removed, strlen("old bytes"));
	assert_int_equal(st.kept_recent, 1);
	assert_false(blob_exists(f, old));
	assert_true(blob_exists(f, recent));
	/* grace 0: everything unreferenced goes */
	st = sweep(f, 0);
	assert_int_equal(st.removed, 1);
	assert_false(blob_exists(f, recent));
}

static void test_referenced_stays_until_disposed(void **state)
{
	struct db_fixture *f = *state;
	struct ar_err err = {0};
	struct ar_version v;
	struct ar_asset_in in = upload(f, "a.txt", "published bytes");
	assert_int_equal(publish(f, "1.0", &in, &v, &err), 0);
	const char *key = in.hashes.sha256;
	age(f, key, 2 * HOUR);
	struct ar_gc_stats st = sweep(f, HOUR);
	assert_int_equal(st.kept_referenced, 1);
	assert_int_equal(st.removed, 0);
	assert_true(blob_exists(f, key));

	/* Dispose removes the asset rows; the bytes go at the next sweep. */
	struct ar_dbc *c = ar_db_get(f->db);
	const char *revision;
	assert_int_equal(ar_dbc_begin(c, true, &err), 0);
	assert_int_equal(ar_version_dispose(c, f->a, &v, &revision, &err), 0);
	assert_int_equal(ar_dbc_commit(c, &err), 0);
	assert_string_not_equal(revision, v.revision);
	struct ar_asset *assets;
	size_t n;
	assert_int_equal(ar_version_assets(&assets, &n, c, f->a, v.id, &err), 0);
	assert_int_equal(n, 0);
	ar_db_put(f->db, c);
	st = sweep(f, HOUR);
	assert_int_equal(st.removed, 1);
	assert_false(blob_exists(f, key));
}

static void test_put_of_existing_blob_restarts_grace(void **state)
{
	struct db_fixture *f = *state;
	char key[65], again[65];
	put(f, "same bytes", key);
	age(f, key, 2 * HOUR);
	put(f, "same bytes", again); /* e.g. a publish that is about to reference it */
	assert_string_equal(key, again);
	struct ar_gc_stats st = sweep(f, HOUR);
	assert_int_equal(st.kept_recent, 1);
	assert_true(blob_exists(f, key));
}

/* The race GC.md describes: the put happened, then a sweep removed the bytes before the publish
   took the write lock. The publish must fail (retryably) and write nothing. */
static void test_publish_after_sweep_fails_cleanly(void **state)
{
	struct db_fixture *f = *state;
	struct ar_err err = {0};
	struct ar_version v;
	struct ar_asset_in in = upload(f, "a.txt", "raced bytes");
	assert_int_equal(ar_blob_put_file(f->blobs, in.tmp_path, in.hashes.sha256, &err), 0);
	in.tmp_path = NULL; /* already in the store */
	assert_int_equal(sweep(f, 0).removed, 1);
	assert_int_equal(publish(f, "1.0", &in, &v, &err), AR_EUNAVAIL);
	assert_non_null(strstr(err.msg, "retry"));
	struct ar_dbc *c = ar_db_get(f->db);
	struct ar_package p;
	struct ar_pkg_key key = {"generic", "ns", "pkg"};
	assert_int_equal(ar_pkg_get(&p, c, f->a, f->repos[0].id, &key, &err), AR_ENOTFOUND);
	ar_db_put(f->db, c);
	/* With the bytes back the same publish goes through. */
	struct ar_asset_in retry = upload(f, "a.txt", "raced bytes");
	assert_int_equal(publish(f, "1.0", &retry, &v, &err), 0);
	assert_true(blob_exists(f, retry.hashes.sha256));
}

static void test_generic_published_is_final(void **state)
{
	struct db_fixture *f = *state;
	struct ar_err err = {0};
	struct ar_version v;
	struct ar_asset_in first = upload(f, "a.txt", "first");
	assert_int_equal(publish(f, "1.0", &first, &v, &err), 0);
	assert_int_equal(v.status, AR_ST_PUBLISHED);
	struct ar_asset_in same = upload(f, "a.txt", "first");
	assert_int_equal(publish(f, "1.0", &same, &v, &err), 0); /* identical: idempotent */
	struct ar_asset_in more = upload(f, "b.txt", "second");
	assert_int_equal(publish(f, "1.0", &more, &v, &err), AR_ECONFLICT);
	assert_non_null(strstr(err.msg, "accepts no more assets"));
	unlink(more.tmp_path);
}

static void test_sweeper_stops_promptly(void **state)
{
	struct db_fixture *f = *state;
	struct ar_err err = {0};
	struct ar_gc_sweeper *s;
	struct timespec t0, t1;
	assert_int_equal(ar_gc_start(&s, f->db, f->blobs, 3600, 3600, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ar_gc_stop(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	ar_gc_stop(NULL);
}

/* Cached upstream metadata bodies and kept upstream files are references too. */
static void test_upstream_cache_references_stay(void **state)
{
	struct db_fixture *f = *state;
	char meta[65], file[65], loose[65];
	struct ar_err err = {0};
	put(f, "cached packument", meta);
	put(f, "kept tarball", file);
	put(f, "nobody's", loose);
	struct ar_dbc *db = ar_db_get(f->db);
	assert_true(ar_dbc_exec(db, &err,
				"INSERT INTO upstream_metadata (connection, path, status, body_sha256, fetched_ms)"
				" VALUES ('public:npmjs', 'left-pad', 200, ?, 0)",
				"s", meta) == 1);
	assert_true(
		ar_dbc_exec(db, &err,
			    "INSERT INTO upstream_files (connection, path, sha256, sha512, sha1, md5, size, fetched_ms)"
			    " VALUES ('public:npmjs', 'left-pad/-/left-pad-1.0.0.tgz', ?, '', '', '', 12, 0)",
			    "s", file) == 1);
	ar_db_put(f->db, db);
	struct ar_gc_stats st = sweep(f, 0);
	assert_int_equal(st.removed, 1);
	assert_true(blob_exists(f, meta));
	assert_true(blob_exists(f, file));
	assert_false(blob_exists(f, loose));
}

/* A wheel's PEP 658 metadata file is referenced only from its asset's attrs. */
static void test_metadata_blob_in_attrs_stays(void **state)
{
	struct db_fixture *f = *state;
	char md[65];
	put(f, "Metadata-Version: 2.1\nName: w\n", md);
	struct ar_asset_in in = upload(f, "w-1.0-py3-none-any.whl", "wheel bytes");
	in.attrs = ar_printf(f->a, "{\"metadata_sha256\": \"%s\"}", md);
	struct ar_version v;
	struct ar_err err = {0};
	assert_int_equal(publish(f, "1.0", &in, &v, &err), 0);
	struct ar_gc_stats st = sweep(f, 0);
	assert_int_equal(st.removed, 0);
	assert_true(blob_exists(f, md));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unreferenced_old_goes_recent_stays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_referenced_stays_until_disposed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_of_existing_blob_restarts_grace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_after_sweep_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generic_published_is_final, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweeper_stops_promptly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upstream_cache_references_stay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_blob_in_attrs_stays, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
