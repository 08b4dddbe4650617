/* store/db_int.h - the SQL driver seam under db.c; one table per database engine */
#ifndef AR_STORE_DB_INT_H
#define AR_STORE_DB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

#define AR_SQL_DRIVER_VERSION 1

/* How long a writer waits for the database before giving up with AR_EUNAVAIL. */
#define AR_DB_BUSY_MS 10000

/* Statements kept prepared per connection; the least recently used idle one is evicted. */
#define AR_DB_STMT_CACHE 64

/* One database engine. Handles are the driver's own (void *) so callers never see them.
   Every function that can fail returns 0 or a negative enum ar_code and fills err; the codes
   are the ones db.h promises (AR_EEXISTS for a unique violation, AR_EUNAVAIL when locked). */
struct ar_sql_driver {
	int version; /* AR_SQL_DRIVER_VERSION */
	const char *name;
	/* True when the driver handles this spec (a path for sqlite, "postgres://" for postgres). */
	bool (*accepts)(const char *spec);
	/* Path of a small file beside the database that every process using it maps to share the
	   write generation (ar_db_generation); NULL when the engine has none (arena memory). */
	const char *(*generation_path)(const char *spec, struct ar_arena *a);
	/* The engine allows one writer at a time: db.c queues write transactions in-process so
	   writers wait in FIFO-ish order on a condition variable instead of polling the engine. */
	bool is_single_writer;

	int (*connect)(void **conn, const char *spec, struct ar_err *err);
	void (*disconnect)(void *conn);
	/* Runs one or more ';'-separated statements without parameters (migrations). */
	int (*exec_script)(void *conn, const char *sql, struct ar_err *err);
	int (*begin)(void *conn, bool write, struct ar_err *err);
	int (*commit)(void *conn, struct ar_err *err);
	/* Whether the next commits wait for the disk (the default) or not (ar_dbc_begin_cache); called
	   outside transactions only. NULL when the engine has no such setting: every commit is durable. */
	int (*set_durable)(void *conn, bool is_durable, struct ar_err *err);
	/* Must leave the connection outside any transaction; never fails from the caller's view. */
	void (*rollback)(void *conn);
	int64_t (*changes)(void *conn);

	/* sql uses '?' placeholders; a driver whose engine wants $n rewrites them here. */
	int (*prepare)(void *conn, void **stmt, const char *sql, struct ar_err *err);
	void (*finalize)(void *stmt);
	/* Resets to before the first step and clears every binding. */
	void (*reset)(void *stmt);
	int (*param_count)(void *stmt);
	/* Bind failures are rare (index out of range, too big); db.c reports them at the next step. */
	int (*bind_text)(void *stmt, int idx, const char *v);
	int (*bind_int)(void *stmt, int idx, int64_t v);
	int (*bind_blob)(void *stmt, int idx, const void *v, size_t len);
	int (*bind_null)(void *stmt, int idx);
	/* 1 = row, 0 = done, < 0 = error. */
	int (*step)(void *stmt, struct ar_err *err);
	/* True when the statement cannot change the database (a SELECT). */
	bool (*is_readonly)(void *stmt);
	const char *(*column_text)(void *stmt, int col);
	int64_t (*column_int)(void *stmt, int col);
	const void *(*column_blob)(void *stmt, int col, size_t *len);
	bool (*column_is_null)(void *stmt, int col);
};

extern const struct ar_sql_driver ar_db_driver_sqlite;

/* Statements currently held in c's cache (for tests of the bound). */
size_t ar_dbc_n_cached(const struct ar_dbc *c);

#endif
