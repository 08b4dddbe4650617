/* store/db.h - SQL metadata store: a connection pool over a driver (sqlite now, postgres later) */
#ifndef AR_STORE_DB_H
#define AR_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

struct ar_db;	/* a pool of connections to one database */
struct ar_dbc;	/* one connection; used by one thread at a time */
struct ar_stmt; /* a prepared statement, cached per connection */

/* Opens a pool of pool_size connections (0 = 8). spec is a path to a SQLite file (created 0600,
   with its parent directories, if missing); later "postgres://...". Runs the numbered migrations
   (store/schema.c) before returning. AR_EINVAL for an unusable spec, AR_ECONFLICT when the database
   holds a schema newer than this binary knows, AR_ERROR otherwise; *out is NULL on failure. */
int ar_db_open(struct ar_db **out, const char *spec, unsigned pool_size, struct ar_err *err);
void ar_db_close(struct ar_db *db);

/* Name of the driver in use ("sqlite"). */
const char *ar_db_driver_name(const struct ar_db *db);

/* Borrows a connection (waits while all are busy) and gives it back. */
struct ar_dbc *ar_db_get(struct ar_db *db);
void ar_db_put(struct ar_db *db, struct ar_dbc *c);

/* Transactions. A write transaction takes the write lock at begin (BEGIN IMMEDIATE on sqlite), so
   it never fails later on lock upgrade; writers wait up to 10 s, then AR_EUNAVAIL. No nesting.
   A failed commit has rolled back. A connection put back with a transaction open is rolled back. */
int ar_dbc_begin(struct ar_dbc *c, bool write, struct ar_err *err);
int ar_dbc_commit(struct ar_dbc *c, struct ar_err *err);
/* A write transaction (as ar_dbc_begin(c, true, err)) for rows that can be had again, such as the
   upstream cache: its commit does not wait for the disk. A power loss may undo the whole transaction
   (never part of it) and leaves the database consistent; any later durable commit, on any
   connection, makes it durable too. The connection is durable again after its commit or rollback. */
int ar_dbc_begin_cache(struct ar_dbc *c, struct ar_err *err);
void ar_dbc_rollback(struct ar_dbc *c);

/* Prepares (or reuses the cached) statement for sql. Placeholders are '?' numbered left to right;
   pass a string literal: its address is the fast cache key (the text is compared too). The
   statement belongs to c and stays valid until ar_stmt_done. */
int ar_dbc_prepare(struct ar_dbc *c, struct ar_stmt **out, const char *sql, struct ar_err *err);

/* Binds 1-based parameters. A NULL text binds SQL NULL. */
void ar_stmt_bind_text(struct ar_stmt *s, int idx, const char *v);
void ar_stmt_bind_int(struct ar_stmt *s, int idx, int64_t v);
void ar_stmt_bind_blob(struct ar_stmt *s, int idx, const void *v, size_t len);
void ar_stmt_bind_null(struct ar_stmt *s, int idx);

/* 1 = a row is ready, 0 = done, <0 = error (AR_EEXISTS on a unique-constraint violation,
   AR_EUNAVAIL when the database stayed locked, AR_ERROR otherwise). */
int ar_stmt_step(struct ar_stmt *s, struct ar_err *err);

/* Columns of the current row, 0-based. Text is NULL for SQL NULL and valid until the next step/done.
   A blob of length 0 (or NULL) may come back as a NULL pointer with *len 0. */
const char *ar_stmt_text(struct ar_stmt *s, int col);
int64_t ar_stmt_int(struct ar_stmt *s, int col);
const void *ar_stmt_blob(struct ar_stmt *s, int col, size_t *len);
bool ar_stmt_is_null(struct ar_stmt *s, int col);
/* A copy of a text column in a's memory; NULL for SQL NULL. */
const char *ar_stmt_text_dup(struct ar_stmt *s, int col, struct ar_arena *a);

/* Resets and clears bindings so the cached statement can be reused. Always call when finished. */
void ar_stmt_done(struct ar_stmt *s);

/* A number that changes after every committed write to the database, by this process or another
   one using the same database (`arca admin`): caches of rows compare it instead of asking the
   database whether anything changed. */
uint64_t ar_db_generation(struct ar_db *db);

/* Rows changed by the last completed statement on c. */
int64_t ar_dbc_changes(struct ar_dbc *c);

/* Runs one statement to completion with parameters bound from types: 's' const char * (NULL ok),
   'i' int64_t (cast literals: an int is not an int64_t in varargs), 'n' null (takes no argument).
   Returns rows changed (>= 0) or a negative code like ar_stmt_step; AR_EINVAL when types does not
   match the placeholders. */
int64_t ar_dbc_exec(struct ar_dbc *c, struct ar_err *err, const char *sql, const char *types, ...);

#endif
