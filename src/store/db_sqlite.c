/* store/db_sqlite.c - the SQLite driver: WAL, synchronous=FULL (NORMAL for cache writes), one connection per thread */
#include "store/db_int.h"
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Maps a (extended) result code to the codes db.h promises and records sqlite's own words. */
static int sq_fail(sqlite3 *db, int rc, struct ar_err *err, const char *msg)
{
	int code = AR_ERROR;
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_ROWID: code = AR_EEXISTS; break;
	default:
		switch (rc & 0xff) {
		case SQLITE_BUSY:
		case SQLITE_LOCKED: code = AR_EUNAVAIL; break;
		case SQLITE_FULL: code = AR_EUNAVAIL; break; /* disk full: retryable, not a bug */
		default: break;
		}
	}
	if (!msg)
		msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	return ar_fail(err, code, "sqlite: %s", msg);
}

/* Makes sure the file exists with mode 0600 before sqlite sees it: sqlite would create it
   0644 minus umask, and its -wal/-shm files copy the main file's mode. */
static int create_file(const char *path, struct ar_err *err)
{
	char dir[PATH_MAX];
	size_t len = strlen(path);
	if (len >= sizeof dir)
		return ar_fail(err, AR_EINVAL, "database path too long");
	const char *slash = strrchr(path, '/');
	if (slash && slash != path) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		int rc = ar_mkdirs(dir, 0700, err);
		if (rc < 0)
			return rc;
	} else if (slash) {
		memcpy(dir, "/", 2);
	} else {
		memcpy(dir, ".", 2);
	}
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return ar_fail(err, AR_ERROR, "create %s: %s", path, strerror(errno));
	}
	close(fd);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static bool sq_accepts(const char *spec)
{
	return spec && spec[0] && !strstr(spec, "://");
}

static const char *sq_generation_path(const char *spec, struct ar_arena *a)
{
	return ar_printf(a, "%s-gen", spec);
}

static int sq_exec(sqlite3 *db, const char *sql, struct ar_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return 0;
	rc = sq_fail(db, sqlite3_extended_errcode(db), err, msg);
	sqlite3_free(msg);
	return rc;
}

static int sq_connect(void **conn, const char *spec, struct ar_err *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = create_file(spec, err);
	if (rc < 0)
		return rc;
	/* NOMUTEX: the pool guarantees one thread per connection at a time. */
	int src = sqlite3_open_v2(spec, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (src != SQLITE_OK) {
		rc = sq_fail(db, src, err, NULL);
		goto done;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, AR_DB_BUSY_MS);
	src = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = sq_fail(db, src, err, NULL);
		goto done;
	}
	/* WAL is what lets readers proceed during a write; without it (e.g. a filesystem lacking
	   shared memory) every publish would stall every read, so refuse rather than limp on. */
	const char *mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || strcmp(mode, "wal") != 0) {
		rc = ar_fail(err, AR_ERROR, "sqlite: %s: cannot enable WAL (journal_mode=%s)", spec, mode ? mode : "?");
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* FULL: an acknowledged commit must survive power loss, not just a process crash. */
	rc = sq_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", err);
	if (rc < 0)
		goto done;
	*conn = db;
	db = NULL;
	rc = 0;
done:
	sqlite3_finalize(st);
	if (db)
		sqlite3_close_v2(db);
	return rc;
}

static void sq_disconnect(void *conn)
{
	sqlite3_close_v2(conn);
}

static int sq_exec_script(void *conn, const char *sql, struct ar_err *err)
{
	return sq_exec(conn, sql, err);
}

static int sq_begin(void *conn, bool write, struct ar_err *err)
{
	/* IMMEDIATE takes the write lock now, so a write never fails half-way with SQLITE_BUSY on
	   upgrading a read lock (which the busy handler cannot wait out). */
	return sq_exec(conn, write ? "BEGIN IMMEDIATE" : "BEGIN", err);
}

static int sq_commit(void *conn, struct ar_err *err)
{
	return sq_exec(conn, "COMMIT", err);
}

static int sq_set_durable(void *conn, bool is_durable, struct ar_err *err)
{
	/* In WAL mode NORMAL skips the WAL sync at commit; the database stays consistent after a crash. */
	return sq_exec(conn, is_durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err);
}

static void sq_rollback(void *conn)
{
	/* An I/O or full-disk error may already have rolled back; ROLLBACK would then fail. */
	if (!sqlite3_get_autocommit(conn))
		sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
}

static int64_t sq_changes(void *conn)
{
	return sqlite3_changes64(conn);
}

static int sq_prepare(void *conn, void **stmt, const char *sql, struct ar_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = sq_fail(conn, rc, err, NULL);
		/* Append the SQL: a prepare failure is a bug, and the text finds it. */
		size_t n = strlen(err ? err->msg : "");
		if (err && n + 8 < sizeof err->msg)
			snprintf(err->msg + n, sizeof err->msg - n, " in: %s", sql);
		return rc;
	}
	if (!st) /* only whitespace or a comment */
		return ar_fail(err, AR_ERROR, "sqlite: empty statement: %s", sql);
	*stmt = st;
	return 0;
}

static void sq_finalize(void *stmt)
{
	sqlite3_finalize(stmt);
}

static void sq_reset(void *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

static int sq_param_count(void *stmt)
{
	return sqlite3_bind_parameter_count(stmt);
}

static int bind_rc(int rc)
{
	switch (rc) {
	case SQLITE_OK: return 0;
	case SQLITE_TOOBIG: return AR_ETOOBIG;
	case SQLITE_RANGE: return AR_EINVAL;
	default: return AR_ERROR;
	}
}

static int sq_bind_text(void *stmt, int idx, const char *v)
{
	if (!v)
		return bind_rc(sqlite3_bind_null(stmt, idx));
	/* TRANSIENT copies: callers may bind arena strings that die before the last step. */
	return bind_rc(sqlite3_bind_text(stmt, idx, v, -1, SQLITE_TRANSIENT));
}

static int sq_bind_int(void *stmt, int idx, int64_t v)
{
	return bind_rc(sqlite3_bind_int64(stmt, idx, v));
}

static int sq_bind_blob(void *stmt, int idx, const void *v, size_t len)
{
	/* sqlite binds NULL for a NULL pointer; an empty blob must stay an empty blob. */
	if (len == 0)
		return bind_rc(sqlite3_bind_zeroblob(stmt, idx, 0));
	return bind_rc(sqlite3_bind_blob64(stmt, idx, v, len, SQLITE_TRANSIENT));
}

static int sq_bind_null(void *stmt, int idx)
{
	return bind_rc(sqlite3_bind_null(stmt, idx));
}

static int sq_step(void *stmt, struct ar_err *err)
{
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sq_fail(sqlite3_db_handle(stmt), rc, err, NULL);
}

static bool sq_is_readonly(void *stmt)
{
	return sqlite3_stmt_readonly(stmt) != 0;
}

static const char *sq_column_text(void *stmt, int col)
{
	return (const char *)sqlite3_column_text(stmt, col);
}

static int64_t sq_column_int(void *stmt, int col)
{
	return sqlite3_column_int64(stmt, col);
}

static const void *sq_column_blob(void *stmt, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(stmt, col);
	*len = (size_t)sqlite3_column_bytes(stmt, col);
	return p;
}

static bool sq_column_is_null(void *stmt, int col)
{
	return sqlite3_column_type(stmt, col) == SQLITE_NULL;
}

const struct ar_sql_driver ar_db_driver_sqlite = {
	.version = AR_SQL_DRIVER_VERSION,
	.name = "sqlite",
	.accepts = sq_accepts,
	.generation_path = sq_generation_path,
	.is_single_writer = true,
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.exec_script = sq_exec_script,
	.begin = sq_begin,
	.commit = sq_commit,
	.set_durable = sq_set_durable,
	.rollback = sq_rollback,
	.changes = sq_changes,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.reset = sq_reset,
	.param_count = sq_param_count,
	.bind_text = sq_bind_text,
	.bind_int = sq_bind_int,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.is_readonly = sq_is_readonly,
	.column_text = sq_column_text,
	.column_int = sq_column_int,
	.column_blob = sq_column_blob,
	.column_is_null = sq_column_is_null,
};
