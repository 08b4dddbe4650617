/* store/db.c - connection pool, transactions, statement cache and migrations over a SQL driver */
#include "store/db.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/timeutil.h"
#include "store/db_int.h"
#include "store/schema.h"

#define DEFAULT_POOL_SIZE 8
#define MAX_POOL_SIZE	  1024

/* Every engine Arca can talk to; the first whose accepts() says yes gets the spec. */
static const struct ar_sql_driver *const drivers[] = {
	&ar_db_driver_sqlite,
};

struct ar_stmt {
	struct ar_dbc *c;
	void *h;
	const char *key; /* the caller's literal: the cheap cache key */
	char *sql;	 /* our copy: the fallback key, still valid if the caller's text is not */
	uint64_t last_used;
	bool is_busy; /* handed out and not yet ar_stmt_done: never reused or evicted */
	bool wrote;   /* a step of a statement that can change the database ran */
	int bind_err; /* first failed bind; the bind API is void, so step reports it */
	int bind_idx;
};

struct ar_dbc {
	struct ar_db *db;
	void *h;
	struct ar_stmt *cache[AR_DB_STMT_CACHE];
	size_t n_cached;
	uint64_t tick;
	bool in_tx;
	bool holds_write;
	bool tx_wrote; /* the open transaction ran a writing statement: commit bumps the generation */
	bool is_cache; /* the open transaction was begun by ar_dbc_begin_cache: commits without a sync */
};

struct ar_db {
	const struct ar_sql_driver *drv;
	struct ar_dbc *conns;
	unsigned n_conns;
	struct ar_dbc **idle;
	unsigned n_idle;
	bool is_writing; /* a connection holds the in-process write slot */
	pthread_mutex_t mu;
	pthread_cond_t idle_cv;
	pthread_cond_t write_cv; /* on CLOCK_MONOTONIC, for the bounded wait */
	uint64_t local_generation;
	uint64_t *shared_generation; /* mapped from the driver's generation file; NULL without one */
};

/* ---- write generation ---- */

uint64_t ar_db_generation(struct ar_db *db)
{
	uint64_t *g = db->shared_generation ? db->shared_generation : &db->local_generation;
	return __atomic_load_n(g, __ATOMIC_ACQUIRE);
}

/* Called after a write is committed, so a reader that saw the old number re-reads. */
static void bump_generation(struct ar_db *db)
{
	__atomic_fetch_add(&db->local_generation, 1, __ATOMIC_RELEASE);
	if (db->shared_generation)
		__atomic_fetch_add(db->shared_generation, 1, __ATOMIC_RELEASE);
}

/* Maps the counter every process using this database bumps (the server and `arca admin`); a
   database without the file still works, with only this process's writes counted. */
static void map_generation(struct ar_db *db, const char *spec)
{
	struct ar_arena *a = ar_arena_new();
	const char *path = db->drv->generation_path ? db->drv->generation_path(spec, a) : NULL;
	int fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && (st.st_size >= 8 || ftruncate(fd, 8) == 0)) {
		void *m = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED)
			db->shared_generation = m;
	}
	if (path && !db->shared_generation)
		ar_warn("db: %s: cannot map the write generation (%s); writes by other processes reach caches "
			"only after their lifetime",
			path, strerror(errno));
	if (fd >= 0)
		close(fd);
	ar_arena_free(a);
}

/* ---- write slot (single-writer engines) ---- */

/* A condition variable rather than a mutex: the slot may be released by ar_db_put on a thread
   other than the one that took it, and the wait must be bounded like the engine's own. */
static int write_lock(struct ar_db *db, struct ar_err *err)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += AR_DB_BUSY_MS / 1000;
	deadline.tv_nsec += (long)(AR_DB_BUSY_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&db->mu);
	while (db->is_writing) {
		int rc = pthread_cond_timedwait(&db->write_cv, &db->mu, &deadline);
		if (rc == ETIMEDOUT && db->is_writing) {
			pthread_mutex_unlock(&db->mu);
			return ar_fail(err, AR_EUNAVAIL, "database busy: no write slot within %d ms", AR_DB_BUSY_MS);
		}
	}
	db->is_writing = true;
	pthread_mutex_unlock(&db->mu);
	return 0;
}

static void write_unlock(struct ar_dbc *c)
{
	if (!c->holds_write)
		return;
	c->holds_write = false;
	pthread_mutex_lock(&c->db->mu);
	c->db->is_writing = false;
	pthread_cond_signal(&c->db->write_cv);
	pthread_mutex_unlock(&c->db->mu);
}

/* ---- statements ---- */

static void stmt_free(struct ar_stmt *s)
{
	s->c->db->drv->finalize(s->h);
	free(s->sql);
	free(s);
}

int ar_dbc_prepare(struct ar_dbc *c, struct ar_stmt **out, const char *sql, struct ar_err *err)
{
	struct ar_stmt *s = NULL;
	/* Pointer first: callers pass literals, so this almost always finds the entry at once. The
	   text is still compared (tens of ns next to a step): SQL built in an arena may reuse the
	   address of different, freed SQL, and a wrong statement would be a silent disaster. */
	for (size_t i = 0; i < c->n_cached && !s; i++)
		if (!c->cache[i]->is_busy && c->cache[i]->key == sql && strcmp(c->cache[i]->sql, sql) == 0)
			s = c->cache[i];
	/* The same literal may live at another address in another translation unit. */
	for (size_t i = 0; i < c->n_cached && !s; i++)
		if (!c->cache[i]->is_busy && strcmp(c->cache[i]->sql, sql) == 0) {
			s = c->cache[i];
			s->key = sql;
		}
	if (!s) {
		void *h;
		int rc = c->db->drv->prepare(c->h, &h, sql, err);
		if (rc < 0)
			return rc;
		if (c->n_cached == AR_DB_STMT_CACHE) {
			size_t lru = AR_DB_STMT_CACHE;
			for (size_t i = 0; i < c->n_cached; i++)
				if (!c->cache[i]->is_busy &&
				    (lru == AR_DB_STMT_CACHE || c->cache[i]->last_used < c->cache[lru]->last_used))
					lru = i;
			if (lru == AR_DB_STMT_CACHE) {
				c->db->drv->finalize(h);
				return ar_fail(err, AR_ERROR,
					       "all %d cached statements are in use (missing ar_stmt_done?)",
					       AR_DB_STMT_CACHE);
			}
			stmt_free(c->cache[lru]);
			c->cache[lru] = c->cache[--c->n_cached];
		}
		s = ar_xcalloc(1, sizeof *s);
		s->c = c;
		s->h = h;
		s->key = sql;
		s->sql = ar_xstrdup(sql);
		c->cache[c->n_cached++] = s;
	}
	s->is_busy = true;
	s->bind_err = 0;
	s->last_used = ++c->tick;
	*out = s;
	return 0;
}

static void note_bind(struct ar_stmt *s, int idx, int rc)
{
	if (rc < 0 && s->bind_err == 0) {
		s->bind_err = rc;
		s->bind_idx = idx;
	}
}

void ar_stmt_bind_text(struct ar_stmt *s, int idx, const char *v)
{
	note_bind(s, idx, s->c->db->drv->bind_text(s->h, idx, v));
}

void ar_stmt_bind_int(struct ar_stmt *s, int idx, int64_t v)
{
	note_bind(s, idx, s->c->db->drv->bind_int(s->h, idx, v));
}

void ar_stmt_bind_blob(struct ar_stmt *s, int idx, const void *v, size_t len)
{
	note_bind(s, idx, s->c->db->drv->bind_blob(s->h, idx, v, len));
}

void ar_stmt_bind_null(struct ar_stmt *s, int idx)
{
	note_bind(s, idx, s->c->db->drv->bind_null(s->h, idx));
}

int ar_stmt_step(struct ar_stmt *s, struct ar_err *err)
{
	assert(s->is_busy);
	if (s->bind_err < 0)
		return ar_fail(err, s->bind_err, "binding parameter %d failed in: %s", s->bind_idx, s->sql);
	if (!s->wrote && !s->c->db->drv->is_readonly(s->h))
		s->wrote = true;
	return s->c->db->drv->step(s->h, err);
}

const char *ar_stmt_text(struct ar_stmt *s, int col)
{
	return s->c->db->drv->column_text(s->h, col);
}

int64_t ar_stmt_int(struct ar_stmt *s, int col)
{
	return s->c->db->drv->column_int(s->h, col);
}

const void *ar_stmt_blob(struct ar_stmt *s, int col, size_t *len)
{
	return s->c->db->drv->column_blob(s->h, col, len);
}

bool ar_stmt_is_null(struct ar_stmt *s, int col)
{
	return s->c->db->drv->column_is_null(s->h, col);
}

const char *ar_stmt_text_dup(struct ar_stmt *s, int col, struct ar_arena *a)
{
	return ar_stmt_is_null(s, col) ? NULL : ar_strdup(a, ar_stmt_text(s, col));
}

void ar_stmt_done(struct ar_stmt *s)
{
	if (!s)
		return;
	s->c->db->drv->reset(s->h);
	s->bind_err = 0;
	s->is_busy = false;
	if (s->wrote) {
		/* Autocommit: the reset above ended the statement's own transaction. */
		s->wrote = false;
		if (s->c->in_tx)
			s->c->tx_wrote = true;
		else
			bump_generation(s->c->db);
	}
}

int64_t ar_dbc_changes(struct ar_dbc *c)
{
	return c->db->drv->changes(c->h);
}

size_t ar_dbc_n_cached(const struct ar_dbc *c)
{
	return c->n_cached;
}

int64_t ar_dbc_exec(struct ar_dbc *c, struct ar_err *err, const char *sql, const char *types, ...)
{
	struct ar_stmt *s;
	int rc = ar_dbc_prepare(c, &s, sql, err);
	if (rc < 0)
		return rc;
	int64_t result;
	size_t n = strlen(types);
	int n_params = c->db->drv->param_count(s->h);
	/* A miscount would silently bind NULLs or drop values; catch it on the first run. */
	if (n_params < 0 || n != (size_t)n_params) {
		result = ar_fail(err, AR_EINVAL, "%zu values for %d placeholders in: %s", n, n_params, sql);
		goto done;
	}
	va_list ap;
	va_start(ap, types);
	for (size_t i = 0; i < n; i++) {
		int idx = (int)i + 1;
		switch (types[i]) {
		case 's': ar_stmt_bind_text(s, idx, va_arg(ap, const char *)); break;
		case 'i': ar_stmt_bind_int(s, idx, va_arg(ap, int64_t)); break;
		case 'n': ar_stmt_bind_null(s, idx); break;
		default:
			va_end(ap);
			result = ar_fail(err, AR_EINVAL, "unknown parameter type '%c' in ar_dbc_exec", types[i]);
			goto done;
		}
	}
	va_end(ap);
	while ((rc = ar_stmt_step(s, err)) == 1)
		;
	result = rc < 0 ? rc : c->db->drv->changes(c->h);
done:
	ar_stmt_done(s);
	return result;
}

/* ---- transactions ---- */

/* After a cache transaction: the connection's next commits are durable again. Only out-of-memory can
   make that fail, and a connection left without syncs would silently weaken every later commit. */
static void end_cache(struct ar_dbc *c)
{
	struct ar_err err;
	if (!c->is_cache)
		return;
	c->is_cache = false;
	if (c->db->drv->set_durable && c->db->drv->set_durable(c->h, true, &err) < 0) {
		ar_error("db: cannot make commits durable again: %s", err.msg);
		abort();
	}
}

int ar_dbc_begin(struct ar_dbc *c, bool write, struct ar_err *err)
{
	if (c->in_tx)
		return ar_fail(err, AR_ERROR, "a transaction is already open on this connection");
	if (write && c->db->drv->is_single_writer) {
		int rc = write_lock(c->db, err);
		if (rc < 0)
			return rc;
		c->holds_write = true;
	}
	int rc = c->db->drv->begin(c->h, write, err);
	if (rc < 0) {
		write_unlock(c);
		return rc;
	}
	c->in_tx = true;
	return 0;
}

int ar_dbc_begin_cache(struct ar_dbc *c, struct ar_err *err)
{
	const struct ar_sql_driver *drv = c->db->drv;
	if (c->in_tx)
		return ar_fail(err, AR_ERROR, "a transaction is already open on this connection");
	int rc = drv->set_durable ? drv->set_durable(c->h, false, err) : 0;
	if (rc < 0)
		return rc;
	c->is_cache = true;
	rc = ar_dbc_begin(c, true, err);
	if (rc < 0)
		end_cache(c);
	return rc;
}

int ar_dbc_commit(struct ar_dbc *c, struct ar_err *err)
{
	if (!c->in_tx)
		return ar_fail(err, AR_ERROR, "commit without a transaction");
	int rc = c->db->drv->commit(c->h, err);
	/* A failed COMMIT may leave the engine's transaction open; the caller must get back a clean
	   connection and a definite outcome: nothing was written. */
	if (rc < 0)
		c->db->drv->rollback(c->h);
	c->in_tx = false;
	if (rc == 0 && c->tx_wrote)
		bump_generation(c->db);
	c->tx_wrote = false;
	end_cache(c);
	write_unlock(c);
	return rc;
}

void ar_dbc_rollback(struct ar_dbc *c)
{
	if (!c->in_tx)
		return;
	c->db->drv->rollback(c->h);
	c->in_tx = false;
	c->tx_wrote = false;
	end_cache(c);
	write_unlock(c);
}

/* ---- pool ---- */

struct ar_dbc *ar_db_get(struct ar_db *db)
{
	pthread_mutex_lock(&db->mu);
	while (db->n_idle == 0)
		pthread_cond_wait(&db->idle_cv, &db->mu);
	struct ar_dbc *c = db->idle[--db->n_idle];
	pthread_mutex_unlock(&db->mu);
	return c;
}

/* A connection must come back clean, or the next borrower inherits a transaction or a held
   read snapshot (which in WAL mode also stops checkpoints). */
static void dbc_scrub(struct ar_dbc *c)
{
	if (c->in_tx) {
		ar_warn("db: connection returned with an open transaction; rolling back");
		ar_dbc_rollback(c);
	}
	for (size_t i = 0; i < c->n_cached; i++)
		if (c->cache[i]->is_busy) {
			ar_warn("db: statement returned without ar_stmt_done: %.80s", c->cache[i]->sql);
			ar_stmt_done(c->cache[i]);
		}
}

void ar_db_put(struct ar_db *db, struct ar_dbc *c)
{
	if (!c)
		return;
	assert(c->db == db);
	dbc_scrub(c);
	pthread_mutex_lock(&db->mu);
	assert(db->n_idle < db->n_conns);
	db->idle[db->n_idle++] = c;
	pthread_cond_signal(&db->idle_cv);
	pthread_mutex_unlock(&db->mu);
}

const char *ar_db_driver_name(const struct ar_db *db)
{
	return db->drv->name;
}

/* ---- migrations ---- */

static int migrate_one(struct ar_dbc *c, const struct ar_migration *m, bool *applied, struct ar_err *err)
{
	struct ar_stmt *s;
	struct ar_err e;
	*applied = false;
	int rc = ar_dbc_begin(c, true, err);
	if (rc < 0)
		return rc;
	/* Checked inside the write transaction: another process may have applied it meanwhile. */
	rc = ar_dbc_prepare(c, &s, "SELECT 1 FROM schema_migrations WHERE version = ?", err);
	if (rc < 0)
		goto done;
	ar_stmt_bind_int(s, 1, m->version);
	rc = ar_stmt_step(s, err);
	ar_stmt_done(s);
	if (rc != 0)
		goto done; /* 1: already there; < 0: error */
	ar_err_clear(&e);
	rc = c->db->drv->exec_script(c->h, m->sql, &e);
	if (rc < 0) {
		rc = ar_fail(err, rc, "migration %d (%s): %s", m->version, m->what, e.msg);
		goto done;
	}
	int64_t n = ar_dbc_exec(c, err, "INSERT INTO schema_migrations (version, what, applied_ms) VALUES (?, ?, ?)",
				"isi", (int64_t)m->version, m->what, ar_now_ms());
	if (n < 0) {
		rc = (int)n;
		goto done;
	}
	rc = ar_dbc_commit(c, err);
	if (rc == 0)
		*applied = true;
	return rc;
done:
	ar_dbc_rollback(c);
	return rc < 0 ? rc : 0;
}

static int migrate(struct ar_dbc *c, struct ar_err *err)
{
	size_t n;
	const struct ar_migration *m = ar_schema_migrations(&n);
	int latest = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i].version <= latest)
			return ar_fail(err, AR_ERROR, "schema: migration %d is out of order", m[i].version);
		latest = m[i].version;
	}

	struct ar_stmt *s;
	int rc = ar_dbc_begin(c, true, err);
	if (rc < 0)
		return rc;
	rc = c->db->drv->exec_script(c->h,
				     "CREATE TABLE IF NOT EXISTS schema_migrations ("
				     "version INTEGER PRIMARY KEY, what TEXT, applied_ms BIGINT)",
				     err);
	if (rc < 0)
		goto fail;
	rc = ar_dbc_prepare(c, &s, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", err);
	if (rc < 0)
		goto fail;
	rc = ar_stmt_step(s, err);
	int64_t have = rc == 1 ? ar_stmt_int(s, 0) : 0;
	ar_stmt_done(s);
	if (rc < 0)
		goto fail;
	/* Running old code on a newer schema could write rows the newer code misreads. */
	if (have > latest) {
		rc = ar_fail(err, AR_ECONFLICT,
			     "database schema version %lld is newer than this arca knows (%d); run a newer arca",
			     (long long)have, latest);
		goto fail;
	}
	rc = ar_dbc_commit(c, err);
	if (rc < 0)
		return rc;

	for (size_t i = 0; i < n; i++) {
		bool applied;
		rc = migrate_one(c, &m[i], &applied, err);
		if (rc < 0)
			return rc;
		if (applied)
			ar_info("db: applied migration %d: %s", m[i].version, m[i].what);
	}
	return 0;
fail:
	ar_dbc_rollback(c);
	return rc;
}

/* ---- open / close ---- */

static void dbc_close(struct ar_dbc *c)
{
	if (!c->h)
		return;
	dbc_scrub(c);
	for (size_t i = 0; i < c->n_cached; i++)
		stmt_free(c->cache[i]);
	c->n_cached = 0;
	c->db->drv->disconnect(c->h);
	c->h = NULL;
}

void ar_db_close(struct ar_db *db)
{
	if (!db)
		return;
	if (db->n_idle != db->n_conns)
		ar_warn("db: closing with %u connection(s) still borrowed", db->n_conns - db->n_idle);
	for (unsigned i = 0; i < db->n_conns; i++)
		dbc_close(&db->conns[i]);
	if (db->shared_generation)
		munmap(db->shared_generation, 8);
	pthread_cond_destroy(&db->write_cv);
	pthread_cond_destroy(&db->idle_cv);
	pthread_mutex_destroy(&db->mu);
	free(db->conns);
	free(db->idle);
	free(db);
}

int ar_db_open(struct ar_db **out, const char *spec, unsigned pool_size, struct ar_err *err)
{
	const struct ar_sql_driver *drv = NULL;
	*out = NULL;
	if (!spec || !spec[0])
		return ar_fail(err, AR_EINVAL, "no database given");
	for (size_t i = 0; i < sizeof drivers / sizeof drivers[0] && !drv; i++)
		if (drivers[i]->accepts(spec))
			drv = drivers[i];
	if (!drv)
		return ar_fail(err, AR_EINVAL, "no database driver for '%s'", spec);
	if (drv->version != AR_SQL_DRIVER_VERSION)
		return ar_fail(err, AR_ERROR, "database driver %s has version %d, want %d", drv->name, drv->version,
			       AR_SQL_DRIVER_VERSION);
	if (pool_size == 0)
		pool_size = DEFAULT_POOL_SIZE;
	if (pool_size > MAX_POOL_SIZE)
		return ar_fail(err, AR_EINVAL, "database pool size %u exceeds %d", pool_size, MAX_POOL_SIZE);

	struct ar_db *db = ar_xcalloc(1, sizeof *db);
	db->drv = drv;
	db->conns = ar_xcalloc(pool_size, sizeof *db->conns);
	db->idle = ar_xcalloc(pool_size, sizeof *db->idle);
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->idle_cv, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&db->write_cv, &attr);
	pthread_condattr_destroy(&attr);

	/* The first connection brings the schema up to date before the others exist. */
	int rc = 0;
	for (unsigned i = 0; i < pool_size; i++) {
		struct ar_dbc *c = &db->conns[i];
		c->db = db;
		rc = drv->connect(&c->h, spec, err);
		if (rc < 0)
			goto fail;
		db->n_conns++;
		db->idle[db->n_idle++] = c;
		if (i == 0 && (rc = migrate(c, err)) < 0)
			goto fail;
	}
	/* After connect: the driver has created the database's directory. */
	map_generation(db, spec);
	bump_generation(db); /* the migrations may have changed what other processes cached */
	*out = db;
	return 0;
fail:
	ar_db_close(db);
	return rc;
}
