/* tests/unit/store/test_db.c - SQL store: migrations, statements, cache, transactions, pool under threads */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "store/db.h"
#include "store/db_int.h"
#include "store/schema.h"

struct fixture {
	char dir[64];
	char path[PATH_MAX];
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/arca-test-db-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	/* Two missing levels: the store must create its parent directories. */
	snprintf(f->path, sizeof f->path, "%s/data/sub/arca.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static struct ar_db *open_db(struct fixture *f)
{
	struct ar_db *db = NULL;
	struct ar_err err = {0};
	int rc = ar_db_open(&db, f->path, 0, &err);
	if (rc != 0)
		fail_msg("ar_db_open: %s", err.msg);
	assert_non_null(db);
	return db;
}

static int64_t query_int(struct ar_dbc *c, const char *sql)
{
	struct ar_stmt *s;
	struct ar_err err = {0};
	assert_int_equal(ar_dbc_prepare(c, &s, sql, &err), 0);
	assert_int_equal(ar_stmt_step(s, &err), 1);
	int64_t v = ar_stmt_int(s, 0);
	assert_int_equal(ar_stmt_step(s, &err), 0);
	ar_stmt_done(s);
	return v;
}

static void test_open_applies_migrations(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f);
	assert_string_equal(ar_db_driver_name(db), "sqlite");

	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	struct ar_dbc *c = ar_db_get(db);
	static const char *const tables[] = {"accounts", "users",	 "access_keys",		 "user_policies",
					     "domains",	 "repositories", "repository_upstreams", "repository_externals",
					     "tags"};
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		struct ar_stmt *s;
		struct ar_err err = {0};
		assert_int_equal(ar_dbc_prepare(c, &s,
						"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
						&err),
				 0);
		ar_stmt_bind_text(s, 1, tables[i]);
		assert_int_equal(ar_stmt_step(s, &err), 1);
		if (ar_stmt_int(s, 0) != 1)
			fail_msg("table %s missing after migrations", tables[i]);
		ar_stmt_done(s);
	}

	/* One row per known migration, in order. */
	size_t n;
	const struct ar_migration *m = ar_schema_migrations(&n);
	struct ar_stmt *s;
	struct ar_err err = {0};
	assert_int_equal(ar_dbc_prepare(c, &s, "SELECT version, what FROM schema_migrations ORDER BY version", &err),
			 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ar_stmt_step(s, &err), 1);
		assert_int_equal(ar_stmt_int(s, 0), m[i].version);
		assert_string_equal(ar_stmt_text(s, 1), m[i].what);
	}
	assert_int_equal(ar_stmt_step(s, &err), 0);
	ar_stmt_done(s);
	ar_db_put(db, c);

	/* Every pooled connection (default size 8) carries the durability settings. */
	struct ar_dbc *all[8];
	for (int i = 0; i < 8; i++) {
		all[i] = ar_db_get(db);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(all[i], all[j]);
		struct ar_stmt *jm;
		assert_int_equal(ar_dbc_prepare(all[i], &jm, "PRAGMA journal_mode", &err), 0);
		assert_int_equal(ar_stmt_step(jm, &err), 1);
		assert_string_equal(ar_stmt_text(jm, 0), "wal");
		ar_stmt_done(jm);
		assert_int_equal(query_int(all[i], "PRAGMA synchronous"), 2); /* FULL */
		assert_int_equal(query_int(all[i], "PRAGMA foreign_keys"), 1);
	}
	for (int i = 0; i < 8; i++)
		ar_db_put(db, all[i]);
	ar_db_close(db);
}

static void test_reopen_keeps_migrations(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f);
	struct ar_dbc *c = ar_db_get(db);
	int64_t count = query_int(c, "SELECT COUNT(*) FROM schema_migrations");
	int64_t applied = query_int(c, "SELECT SUM(applied_ms) FROM schema_migrations");
	/* A marker row proves the second open works on the same file, not a fresh one. */
	struct ar_err err = {0};
	assert_int_equal(ar_dbc_exec(c, &err, "INSERT INTO accounts (id, name, created_ms) VALUES (?, ?, ?)", "ssi",
				     "111122223333", "keep", (int64_t)1),
			 1);
	ar_db_put(db, c);
	ar_db_close(db);

	db = open_db(f);
	c = ar_db_get(db);
	assert_true(count >= 1);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM schema_migrations"), count);
	assert_int_equal(query_int(c, "SELECT SUM(applied_ms) FROM schema_migrations"), applied);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM accounts"), 1);
	ar_db_put(db, c);
	ar_db_close(db);
}

static void test_bind_and_columns(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f);
	struct ar_dbc *c = ar_db_get(db);
	struct ar_err err = {0};
	assert_int_equal(
		ar_dbc_exec(c, &err, "CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT, b BIGINT, c BLOB, d TEXT)", ""),
		0);
	static const unsigned char bytes[] = {0x00, 0xff, 0x10, 0x00, 0x7f};
	struct ar_stmt *s;
	assert_int_equal(ar_dbc_prepare(c, &s, "INSERT INTO t (k, a, b, c, d) VALUES (?, ?, ?, ?, ?)", &err), 0);
	ar_stmt_bind_int(s, 1, 1);
	ar_stmt_bind_text(s, 2, "héllo");
	ar_stmt_bind_int(s, 3, INT64_MIN);
	ar_stmt_bind_blob(s, 4, bytes, sizeof bytes);
	ar_stmt_bind_null(s, 5);
	assert_int_equal(ar_stmt_step(s, &err), 0);
	ar_stmt_done(s);
	assert_int_equal(ar_dbc_changes(c), 1);

	/* Second row through the same cached statement: NULL text and an empty (not NULL) blob. */
	assert_int_equal(ar_dbc_prepare(c, &s, "INSERT INTO t (k, a, b, c, d) VALUES (?, ?, ?, ?, ?)", &err), 0);
	ar_stmt_bind_int(s, 1, 2);
	ar_stmt_bind_text(s, 2, NULL);
	ar_stmt_bind_int(s, 3, INT64_MAX);
	ar_stmt_bind_blob(s, 4, NULL, 0);
	ar_stmt_bind_text(s, 5, "");
	assert_int_equal(ar_stmt_step(s, &err), 0);
	ar_stmt_done(s);

	assert_int_equal(ar_dbc_prepare(c, &s, "SELECT a, b, c, d FROM t ORDER BY k", &err), 0);
	assert_int_equal(ar_stmt_step(s, &err), 1);
	assert_string_equal(ar_stmt_text(s, 0), "héllo");
	assert_int_equal(ar_stmt_int(s, 1), INT64_MIN);
	size_t len = 0;
	const void *blob = ar_stmt_blob(s, 2, &len);
	assert_int_equal(len, sizeof bytes);
	assert_memory_equal(blob, bytes, sizeof bytes);
	assert_true(ar_stmt_is_null(s, 3));
	assert_null(ar_stmt_text(s, 3));
	assert_false(ar_stmt_is_null(s, 0));

	assert_int_equal(ar_stmt_step(s, &err), 1);
	assert_true(ar_stmt_is_null(s, 0));
	assert_null(ar_stmt_text(s, 0));
	assert_int_equal(ar_stmt_int(s, 1), INT64_MAX);
	assert_false(ar_stmt_is_null(s, 2));
	len = 99;
	ar_stmt_blob(s, 2, &len);
	assert_int_equal(len, 0);
	assert_string_equal(ar_stmt_text(s, 3), "");
	assert_int_equal(ar_stmt_step(s, &err), 0);
	ar_stmt_done(s);

	/* A bind to a placeholder that does not exist surfaces at step. */
	assert_int_equal(ar_dbc_prepare(c, &s, "SELECT a FROM t WHERE k = ?", &err), 0);
	ar_stmt_bind_int(s, 2, 1);
	assert_int_equal(ar_stmt_step(s, &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, "parameter 2"));
	ar_stmt_done(s);
	/* ... and does not stick to the cached statement. */
	assert_int_equal(ar_dbc_prepare(c, &s, "SELECT a FROM t WHERE k = ?", &err), 0);
	ar_stmt_bind_int(s, 1, 1);
	assert_int_equal(ar_stmt_step(s, &err), 1);
	assert_string_equal(ar_stmt_text(s, 0), "héllo");
	ar_stmt_done(s);

	/* A syntax error names the SQL. */
	assert_int_equal(ar_dbc_prepare(c, &s, "SELEKT nothing", &err), AR_ERROR);
	assert_non_null(strstr(err.msg, "SELEKT"));

	ar_db_put(db, c);
	ar_db_close(db);
}

static void test_statement_cache(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f);
	struct ar_dbc *c = ar_db_get(db);
	struct ar_err err = {0};
	static const char sql[] = "SELECT COUNT(*) FROM accounts";
	struct ar_stmt *a, *b, *d;

	size_t before = ar_dbc_n_cached(c);
	assert_int_equal(ar_dbc_prepare(c, &a, sql, &err), 0);
	ar_stmt_done(a);
	assert_int_equal(ar_dbc_prepare(c, &b, sql, &err), 0);
	assert_ptr_equal(a, b); /* same pointer key */
	ar_stmt_done(b);
	assert_int_equal(ar_dbc_n_cached(c), before + 1);

	/* Same text at another address: found by the fallback compare. */
	char *copy = strdup(sql);
	assert_int_equal(ar_dbc_prepare(c, &b, copy, &err), 0);
	assert_ptr_equal(a, b);
	ar_stmt_done(b);
	free(copy);

	/* Same address, different text (SQL rebuilt in a reused buffer): must not hit. */
	char buf[32];
	snprintf(buf, sizeof buf, "SELECT 'first'");
	assert_int_equal(ar_dbc_prepare(c, &d, buf, &err), 0);
	assert_int_equal(ar_stmt_step(d, &err), 1);
	assert_string_equal(ar_stmt_text(d, 0), "first");
	ar_stmt_done(d);
	snprintf(buf, sizeof buf, "SELECT 'other'");
	assert_int_equal(ar_dbc_prepare(c, &d, buf, &err), 0);
	assert_int_equal(ar_stmt_step(d, &err), 1);
	assert_string_equal(ar_stmt_text(d, 0), "other");
	ar_stmt_done(d);

	/* A statement still in use is never handed out twice. */
	assert_int_equal(ar_dbc_prepare(c, &a, sql, &err), 0);
	assert_int_equal(ar_dbc_prepare(c, &b, sql, &err), 0);
	assert_ptr_not_equal(a, b);
	assert_int_equal(ar_stmt_step(a, &err), 1);
	assert_int_equal(ar_stmt_step(b, &err), 1);
	ar_stmt_done(a);
	ar_stmt_done(b);

	/* The cache is bounded: many distinct statements evict the least recently used idle ones. */
	enum { N = AR_DB_STMT_CACHE * 2 };
	char *texts[N];
	for (int i = 0; i < N; i++) {
		char text[64];
		snprintf(text, sizeof text, "SELECT %d", i);
		texts[i] = strdup(text);
		assert_int_equal(ar_dbc_prepare(c, &d, texts[i], &err), 0);
		assert_int_equal(ar_stmt_step(d, &err), 1);
		assert_int_equal(ar_stmt_int(d, 0), i);
		ar_stmt_done(d);
		assert_true(ar_dbc_n_cached(c) <= AR_DB_STMT_CACHE);
	}
	assert_int_equal(ar_dbc_n_cached(c), AR_DB_STMT_CACHE);
	/* An evicted statement is prepared again transparently. */
	assert_int_equal(ar_dbc_prepare(c, &d, texts[0], &err), 0);
	assert_int_equal(ar_stmt_step(d, &err), 1);
	assert_int_equal(ar_stmt_int(d, 0), 0);
	ar_stmt_done(d);

	/* Busy statements are not evicted; when all are busy the next prepare fails cleanly. */
	struct ar_stmt *held[AR_DB_STMT_CACHE];
	for (int i = 0; i < AR_DB_STMT_CACHE; i++)
		assert_int_equal(ar_dbc_prepare(c, &held[i], texts[i], &err), 0);
	assert_int_equal(ar_dbc_prepare(c, &d, texts[N - 1], &err), AR_ERROR);
	assert_non_null(strstr(err.msg, "in use"));
	for (int i = 0; i < AR_DB_STMT_CACHE; i++) {
		assert_int_equal(ar_stmt_step(held[i], &err), 1);
		assert_int_equal(ar_stmt_int(held[i], 0), i);
		ar_stmt_done(held[i]);
	}
	for (int i = 0; i < N; i++)
		free(texts[i]);
	ar_db_put(db, c);
	ar_db_close(db);
}

static void test_exec(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f);
	struct ar_dbc *c = ar_db_get(db);
	struct ar_err err = {0};
	assert_int_equal(ar_dbc_exec(c, &err, "CREATE TABLE kv (k TEXT PRIMARY KEY, n BIGINT, note TEXT)", ""), 0);
	for (int i = 0; i < 3; i++) {
		char k[8];
		snprintf(k, sizeof k, "k%d", i);
		assert_int_equal(
			ar_dbc_exec(c, &err, "INSERT INTO kv (k, n, note) VALUES (?, ?, ?)", "sin", k, (int64_t)i * 10),
			1);
	}
	assert_int_equal(ar_dbc_exec(c, &err, "INSERT INTO kv (k, n, note) VALUES (?, ?, ?)", "sis", "big",
				     (int64_t)1 << 40, NULL),
			 1);
	assert_int_equal(query_int(c, "SELECT n FROM kv WHERE k = 'big'"), (int64_t)1 << 40);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM kv WHERE note IS NULL"), 4);

	assert_int_equal(ar_dbc_exec(c, &err, "UPDATE kv SET note = ? WHERE n < ?", "si", "small", (int64_t)100), 3);
	assert_int_equal(ar_dbc_changes(c), 3);
	assert_int_equal(ar_dbc_exec(c, &err, "DELETE FROM kv WHERE k = ?", "s", "nope"), 0);

	/* Programming errors are reported, not bound silently. */
	assert_int_equal(ar_dbc_exec(c, &err, "DELETE FROM kv WHERE k = ?", "", NULL), AR_EINVAL);
	assert_int_equal(ar_dbc_exec(c, &err, "DELETE FROM kv WHERE k = ?", "si", "x", (int64_t)1), AR_EINVAL);
	assert_int_equal(ar_dbc_exec(c, &err, "DELETE FROM kv WHERE k = ?", "x", "x"), AR_EINVAL);
	assert_non_null(strstr(err.msg, "'x'"));
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM kv"), 4);
	ar_db_put(db, c);
	ar_db_close(db);
}

static void test_unique_violation(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f);
	struct ar_dbc *c = ar_db_get(db);
	struct ar_err err = {0};
	static const char ins[] = "INSERT INTO accounts (id, name, created_ms) VALUES (?, ?, ?)";
	assert_int_equal(ar_dbc_exec(c, &err, ins, "ssi", "111122223333", "a", (int64_t)1), 1);
	assert_int_equal(ar_dbc_exec(c, &err, ins, "ssi", "111122223333", "b", (int64_t)2), AR_EEXISTS);
	assert_int_equal(err.code, AR_EEXISTS);
	assert_non_null(strstr(err.msg, "UNIQUE"));

	/* A UNIQUE (not primary key) constraint, through prepare/step. */
	assert_int_equal(ar_dbc_exec(c, &err,
				     "INSERT INTO domains (id, owner, name, encryption_key, created_ms) "
				     "VALUES (?, ?, ?, ?, ?)",
				     "isssi", (int64_t)1, "111122223333", "d", "k", (int64_t)1),
			 1);
	struct ar_stmt *s;
	assert_int_equal(ar_dbc_prepare(c, &s,
					"INSERT INTO domains (id, owner, name, encryption_key, created_ms) "
					"VALUES (?, ?, ?, ?, ?)",
					&err),
			 0);
	ar_stmt_bind_int(s, 1, 2);
	ar_stmt_bind_text(s, 2, "111122223333");
	ar_stmt_bind_text(s, 3, "d");
	ar_stmt_bind_text(s, 4, "k");
	ar_stmt_bind_int(s, 5, 1);
	assert_int_equal(ar_stmt_step(s, &err), AR_EEXISTS);
	ar_stmt_done(s);

	/* Other constraint failures are not "exists". */
	assert_int_equal(ar_dbc_exec(c, &err, "INSERT INTO accounts (id, name, created_ms) VALUES (?, ?, ?)", "ssn",
				     "999988887777", "x"),
			 AR_ERROR);
	assert_non_null(strstr(err.msg, "NOT NULL"));
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM accounts"), 1);
	ar_db_put(db, c);
	ar_db_close(db);
}

static void test_rollback_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f);
	struct ar_dbc *c = ar_db_get(db);
	struct ar_err err = {0};
	static const char ins[] = "INSERT INTO accounts (id, name, created_ms) VALUES (?, ?, ?)";
	assert_int_equal(ar_dbc_begin(c, true, &err), 0);
	assert_int_equal(ar_dbc_begin(c, true, &err), AR_ERROR); /* no nesting */
	assert_int_equal(ar_dbc_exec(c, &err, ins, "ssi", "000000000001", "a", (int64_t)1), 1);
	assert_int_equal(ar_dbc_exec(c, &err, ins, "ssi", "000000000002", "b", (int64_t)1), 1);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM accounts"), 2); /* visible inside */
	ar_dbc_rollback(c);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM accounts"), 0);
	assert_int_equal(ar_dbc_commit(c, &err), AR_ERROR); /* nothing open any more */

	/* A connection given back with its transaction open is rolled back, and the write slot freed. */
	assert_int_equal(ar_dbc_begin(c, true, &err), 0);
	assert_int_equal(ar_dbc_exec(c, &err, ins, "ssi", "000000000003", "c", (int64_t)1), 1);
	ar_db_put(db, c);
	c = ar_db_get(db);
	assert_int_equal(ar_dbc_begin(c, true, &err), 0);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM accounts"), 0);
	ar_dbc_rollback(c);
	ar_db_put(db, c);
	ar_db_close(db);
}

static void test_commit_persists(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f);
	struct ar_dbc *c = ar_db_get(db);
	struct ar_dbc *other = ar_db_get(db);
	struct ar_err err = {0};
	assert_int_equal(ar_dbc_begin(c, true, &err), 0);
	assert_int_equal(ar_dbc_exec(c, &err, "INSERT INTO accounts (id, name, created_ms) VALUES (?, ?, ?)", "ssi",
				     "123456789012", "kept", (int64_t)7),
			 1);
	/* Not visible to another connection before commit. */
	assert_int_equal(query_int(other, "SELECT COUNT(*) FROM accounts"), 0);
	assert_int_equal(ar_dbc_commit(c, &err), 0);
	assert_int_equal(query_int(other, "SELECT COUNT(*) FROM accounts"), 1);
	ar_db_put(db, other);
	ar_db_put(db, c);
	ar_db_close(db);

	db = open_db(f);
	c = ar_db_get(db);
	struct ar_stmt *s;
	assert_int_equal(ar_dbc_prepare(c, &s, "SELECT name, created_ms FROM accounts WHERE id = ?", &err), 0);
	ar_stmt_bind_text(s, 1, "123456789012");
	assert_int_equal(ar_stmt_step(s, &err), 1);
	assert_string_equal(ar_stmt_text(s, 0), "kept");
	assert_int_equal(ar_stmt_int(s, 1), 7);
	ar_stmt_done(s);
	ar_db_put(db, c);
	ar_db_close(db);
}

/* Cache transactions commit without a sync (synchronous=NORMAL) and leave the connection durable
   (FULL) again however they end; what they commit is committed like any other write. */
static void test_cache_transaction(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f);
	struct ar_dbc *c = ar_db_get(db), *other = ar_db_get(db);
	struct ar_err err = {0};
	static const char ins[] = "INSERT INTO accounts (id, name, created_ms) VALUES (?, ?, ?)";
	assert_int_equal(query_int(c, "PRAGMA synchronous"), 2);
	uint64_t g0 = ar_db_generation(db);
	assert_int_equal(ar_dbc_begin_cache(c, &err), 0);
	assert_int_equal(query_int(c, "PRAGMA synchronous"), 1);
	assert_int_equal(query_int(other, "PRAGMA synchronous"), 2); /* per connection */
	assert_int_equal(ar_dbc_begin(c, true, &err), AR_ERROR);     /* no nesting */
	assert_int_equal(ar_dbc_exec(c, &err, ins, "ssi", "000000000001", "cached", (int64_t)1), 1);
	assert_int_equal(ar_dbc_commit(c, &err), 0);
	assert_int_equal(query_int(c, "PRAGMA synchronous"), 2);
	assert_int_equal(query_int(other, "SELECT COUNT(*) FROM accounts"), 1);
	assert_true(ar_db_generation(db) != g0);

	/* Rolled back: nothing written, durable again. */
	assert_int_equal(ar_dbc_begin_cache(c, &err), 0);
	assert_int_equal(ar_dbc_exec(c, &err, ins, "ssi", "000000000002", "gone", (int64_t)1), 1);
	ar_dbc_rollback(c);
	assert_int_equal(query_int(c, "PRAGMA synchronous"), 2);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM accounts"), 1);

	/* Not inside another transaction, which it leaves alone. */
	assert_int_equal(ar_dbc_begin(c, true, &err), 0);
	assert_int_equal(ar_dbc_begin_cache(c, &err), AR_ERROR);
	assert_int_equal(query_int(c, "PRAGMA synchronous"), 2);
	assert_int_equal(ar_dbc_exec(c, &err, ins, "ssi", "000000000003", "durable", (int64_t)1), 1);
	assert_int_equal(ar_dbc_commit(c, &err), 0);

	/* Given back open: rolled back, and the next borrower gets a durable connection. */
	assert_int_equal(ar_dbc_begin_cache(c, &err), 0);
	ar_db_put(db, c);
	c = ar_db_get(db);
	assert_int_equal(query_int(c, "PRAGMA synchronous"), 2);
	ar_db_put(db, other);
	ar_db_put(db, c);
	ar_db_close(db);

	db = open_db(f);
	c = ar_db_get(db);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM accounts"), 2);
	ar_db_put(db, c);
	ar_db_close(db);
}

static void test_future_schema_refused(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f);
	struct ar_dbc *c = ar_db_get(db);
	struct ar_err err = {0};
	assert_int_equal(ar_dbc_exec(c, &err,
				     "INSERT INTO schema_migrations (version, what, applied_ms) VALUES (?, ?, ?)",
				     "isi", (int64_t)999999, "from the future", (int64_t)1),
			 1);
	ar_db_put(db, c);
	ar_db_close(db);

	db = (struct ar_db *)&err; /* must be reset to NULL */
	assert_int_equal(ar_db_open(&db, f->path, 2, &err), AR_ECONFLICT);
	assert_null(db);
	assert_non_null(strstr(err.msg, "999999"));
	assert_non_null(strstr(err.msg, "newer"));
}

static void test_bad_specs(void **state)
{
	struct ar_db *db;
	struct ar_err err = {0};
	assert_int_equal(ar_db_open(&db, "postgres://localhost/arca", 0, &err), AR_EINVAL);
	assert_null(db);
	assert_int_equal(ar_db_open(&db, "", 0, &err), AR_EINVAL);
	/* The parent is a file, so the directory cannot be created. */
	assert_int_equal(ar_db_open(&db, "/dev/null/arca.db", 1, &err), AR_ERROR);
	assert_null(db);
}

/* ---- concurrency ---- */

enum { WRITERS = 8, TX_PER_WRITER = 200, READERS = 4 };

struct shared {
	struct ar_db *db;
	atomic_int writers_left;
	atomic_int failures;
	atomic_long reads;
	char first_failure[512];
	pthread_mutex_t mu;
};

struct worker {
	struct shared *sh;
	int id;
};

static void record_failure(struct shared *sh, const char *what, const struct ar_err *err)
{
	if (atomic_fetch_add(&sh->failures, 1) == 0) {
		pthread_mutex_lock(&sh->mu);
		snprintf(sh->first_failure, sizeof sh->first_failure, "%.60s: %.400s", what, err ? err->msg : "");
		pthread_mutex_unlock(&sh->mu);
	}
}

static void *writer(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	for (int i = 0; i < TX_PER_WRITER; i++) {
		struct ar_err err = {0};
		struct ar_dbc *c = ar_db_get(sh->db);
		struct ar_stmt *s;
		int64_t n = -1;
		/* Read, then write from what was read: a lost update or a failed lock upgrade shows up
		   as a counter that disagrees with the row count, or as an error. */
		if (ar_dbc_begin(c, true, &err) < 0) {
			record_failure(sh, "begin", &err);
			ar_db_put(sh->db, c);
			continue;
		}
		if (ar_dbc_prepare(c, &s, "SELECT n FROM counter", &err) == 0) {
			if (ar_stmt_step(s, &err) == 1)
				n = ar_stmt_int(s, 0);
			ar_stmt_done(s);
		}
		if (n < 0) {
			record_failure(sh, "read counter", &err);
			ar_dbc_rollback(c);
		} else if (ar_dbc_exec(c, &err, "INSERT INTO rows (w, i) VALUES (?, ?)", "ii", (int64_t)w->id,
				       (int64_t)i) != 1) {
			record_failure(sh, "insert", &err);
			ar_dbc_rollback(c);
		} else if (ar_dbc_exec(c, &err, "UPDATE counter SET n = ?", "i", n + 1) != 1) {
			record_failure(sh, "update", &err);
			ar_dbc_rollback(c);
		} else if (ar_dbc_commit(c, &err) < 0) {
			record_failure(sh, "commit", &err);
		}
		ar_db_put(sh->db, c);
	}
	atomic_fetch_sub(&sh->writers_left, 1);
	return NULL;
}

/* Each read transaction must see one snapshot: the row count and the counter agree, and
   neither goes backwards. */
static void *reader(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	int64_t last = 0;
	while (atomic_load(&sh->writers_left) > 0) {
		struct ar_err err = {0};
		struct ar_dbc *c = ar_db_get(sh->db);
		struct ar_stmt *s;
		int64_t rows = -1, n = -2;
		if (ar_dbc_begin(c, false, &err) < 0) {
			record_failure(sh, "read begin", &err);
			ar_db_put(sh->db, c);
			continue;
		}
		if (ar_dbc_prepare(c, &s, "SELECT COUNT(*) FROM rows", &err) == 0) {
			if (ar_stmt_step(s, &err) == 1)
				rows = ar_stmt_int(s, 0);
			ar_stmt_done(s);
		}
		if (ar_dbc_prepare(c, &s, "SELECT n FROM counter", &err) == 0) {
			if (ar_stmt_step(s, &err) == 1)
				n = ar_stmt_int(s, 0);
			ar_stmt_done(s);
		}
		if (ar_dbc_commit(c, &err) < 0)
			record_failure(sh, "read commit", &err);
		ar_db_put(sh->db, c);
		if (rows != n || rows < last || rows > WRITERS * TX_PER_WRITER) {
			struct ar_err e;
			snprintf(e.msg, sizeof e.msg, "rows=%lld counter=%lld last=%lld", (long long)rows, (long long)n,
				 (long long)last);
			record_failure(sh, "snapshot", &e);
		}
		last = rows;
		atomic_fetch_add(&sh->reads, 1);
	}
	return NULL;
}

/* Every committed write moves the generation, in this process or through another handle on the
   same file (as `arca admin` would); reads and rolled-back writes do not. */
static void test_generation(void **state)
{
	struct fixture *f = *state;
	struct ar_db *db = open_db(f), *other = open_db(f);
	struct ar_err err = {0};
	struct ar_dbc *c = ar_db_get(db), *oc = ar_db_get(other);
	assert_true(ar_dbc_exec(c, &err, "CREATE TABLE g (v TEXT)", "") >= 0);
	uint64_t g0 = ar_db_generation(db);
	assert_int_equal(ar_dbc_exec(c, &err, "SELECT count(*) FROM g", ""), 0);
	assert_int_equal(ar_db_generation(db), g0);

	assert_int_equal(ar_dbc_exec(c, &err, "INSERT INTO g VALUES (?)", "s", "a"), 1);
	uint64_t g1 = ar_db_generation(db);
	assert_true(g1 != g0);

	assert_int_equal(ar_dbc_begin(c, true, &err), 0);
	assert_int_equal(ar_dbc_exec(c, &err, "INSERT INTO g VALUES (?)", "s", "b"), 1);
	assert_int_equal(ar_db_generation(db), g1); /* not yet committed: nothing to see */
	ar_dbc_rollback(c);
	assert_int_equal(ar_db_generation(db), g1);

	assert_int_equal(ar_dbc_begin(c, true, &err), 0);
	assert_int_equal(ar_dbc_exec(c, &err, "INSERT INTO g VALUES (?)", "s", "c"), 1);
	assert_int_equal(ar_dbc_commit(c, &err), 0);
	uint64_t g2 = ar_db_generation(db);
	assert_true(g2 != g1);

	assert_int_equal(ar_dbc_exec(oc, &err, "DELETE FROM g WHERE v = ?", "s", "a"), 1);
	assert_true(ar_db_generation(db) != g2);
	assert_int_equal(ar_db_generation(db), ar_db_generation(other));
	ar_db_put(other, oc);
	ar_db_put(db, c);
	ar_db_close(other);
	ar_db_close(db);
}

static void test_concurrent_pool(void **state)
{
	struct fixture *f = *state;
	struct shared sh = {.db = open_db(f)};
	pthread_mutex_init(&sh.mu, NULL);
	struct ar_err err = {0};
	struct ar_dbc *c = ar_db_get(sh.db);
	assert_int_equal(ar_dbc_exec(c, &err, "CREATE TABLE rows (w BIGINT, i BIGINT, PRIMARY KEY (w, i))", ""), 0);
	assert_int_equal(ar_dbc_exec(c, &err, "CREATE TABLE counter (n BIGINT NOT NULL)", ""), 0);
	assert_int_equal(ar_dbc_exec(c, &err, "INSERT INTO counter (n) VALUES (0)", ""), 1);
	ar_db_put(sh.db, c);

	atomic_init(&sh.writers_left, WRITERS);
	pthread_t threads[WRITERS + READERS];
	struct worker workers[WRITERS + READERS];
	for (int i = 0; i < WRITERS + READERS; i++) {
		workers[i] = (struct worker){.sh = &sh, .id = i};
		assert_int_equal(pthread_create(&threads[i], NULL, i < WRITERS ? writer : reader, &workers[i]), 0);
	}
	for (int i = 0; i < WRITERS + READERS; i++)
		pthread_join(threads[i], NULL);

	if (atomic_load(&sh.failures) != 0)
		fail_msg("%d failures; first: %s", atomic_load(&sh.failures), sh.first_failure);
	c = ar_db_get(sh.db);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM rows"), WRITERS * TX_PER_WRITER);
	assert_int_equal(query_int(c, "SELECT COUNT(DISTINCT w) FROM rows"), WRITERS);
	assert_int_equal(query_int(c, "SELECT n FROM counter"), WRITERS * TX_PER_WRITER);
	ar_db_put(sh.db, c);
	assert_true(atomic_load(&sh.reads) > 0);
	ar_db_close(sh.db);
	pthread_mutex_destroy(&sh.mu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_applies_migrations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_migrations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_and_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_violation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_persists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_future_schema_refused, setup, teardown),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test_setup_teardown(test_generation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_pool, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
