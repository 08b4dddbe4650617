/* repo/gc.c - blob garbage collection: unreferenced and older than the grace period, removed under the write lock */
#include "repo/gc.h"

#include "core/log.h"
#include "core/mem.h"

#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

struct sweep {
	const atomic_bool *stop; /* the sweeper is shutting down: end the sweep early; may be NULL */
	struct ar_dbc *db;
	struct ar_blobs *blobs;
	int64_t cutoff_s;
	struct ar_gc_stats stats;
	struct ar_err *err;
	int rc;
};

/* Whether an asset (its bytes, or a PEP 658 metadata file named in its attrs) or the upstream cache
   (metadata bodies, kept files) references the blob, read in the transaction the caller holds. */
static int referenced(bool *out, struct ar_dbc *db, const char *sha256, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT 1 FROM assets WHERE sha256 = ?"
				" UNION ALL SELECT 1 FROM assets WHERE json_extract(attrs, '$.metadata_sha256') = ?"
				" UNION ALL SELECT 1 FROM upstream_metadata WHERE body_sha256 = ?"
				" UNION ALL SELECT 1 FROM upstream_files WHERE sha256 = ? LIMIT 1",
				err);
	if (rc)
		return rc;
	for (int i = 1; i <= 4; i++)
		ar_stmt_bind_text(st, i, sha256);
	rc = ar_stmt_step(st, err);
	ar_stmt_done(st);
	*out = rc == 1;
	return rc < 0 ? rc : 0;
}

/* A first look without the write lock weeds out the referenced blobs cheaply; the decision to
   remove is taken again under the lock, where no publish can be between its check and its insert. */
static int visit(void *cls, const char *sha256, int64_t mtime_s)
{
	struct sweep *s = cls;
	bool refs = false, removed = false;
	uint64_t size = 0;
	if (s->stop && atomic_load(s->stop))
		return 1;
	s->stats.seen++;
	if (mtime_s >= s->cutoff_s) {
		s->stats.kept_recent++;
		return 0;
	}
	int rc = ar_dbc_begin(s->db, false, s->err);
	if (rc == 0) {
		rc = referenced(&refs, s->db, sha256, s->err);
		ar_dbc_rollback(s->db);
	}
	if (rc == 0 && !refs && (rc = ar_dbc_begin(s->db, true, s->err)) == 0) {
		if ((rc = referenced(&refs, s->db, sha256, s->err)) == 0 && !refs)
			rc = ar_blob_remove_stale(s->blobs, sha256, s->cutoff_s, &removed, &size, s->err);
		ar_dbc_rollback(s->db); /* nothing was written: releasing the lock is all that is left */
	}
	if (rc)
		return s->rc = rc;
	if (refs)
		s->stats.kept_referenced++;
	else if (removed) {
		s->stats.removed++;
		s->stats.bytes_removed += size;
	} else {
		s->stats.kept_recent++; /* touched by a put since it was listed */
	}
	return 0;
}

static int sweep_store(struct ar_gc_stats *stats, struct ar_db *db, struct ar_blobs *blobs, int64_t grace_s,
		       const atomic_bool *stop, struct ar_err *err)
{
	/* Strictly older than the cutoff, in whole seconds, is at least grace_s old. A grace of 0 takes
	   every unreferenced blob: still safe, but a publish between its put and its commit then fails
	   (retryably) instead of going through. */
	int64_t cutoff = grace_s > 0 ? (int64_t)time(NULL) - grace_s : INT64_MAX;
	struct sweep s = {.stop = stop, .blobs = blobs, .cutoff_s = cutoff, .err = err};
	s.db = ar_db_get(db);
	int rc = ar_blob_each(blobs, visit, &s, err);
	ar_db_put(db, s.db);
	if (stats)
		*stats = s.stats;
	if (s.rc)
		return s.rc;
	return rc < 0 ? rc : 0; /* 1: stopped early */
}

int ar_gc_run(struct ar_gc_stats *stats, struct ar_db *db, struct ar_blobs *blobs, int64_t grace_s, struct ar_err *err)
{
	return sweep_store(stats, db, blobs, grace_s, NULL, err);
}

struct ar_gc_sweeper {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_bool stop; /* written under mu; read without it by a running sweep */
	struct ar_db *db;
	struct ar_blobs *blobs;
	unsigned interval_s, grace_s;
};

static void *sweeper_main(void *arg)
{
	struct ar_gc_sweeper *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += s->interval_s;
		while (!s->stop && pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT)
			;
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->mu);
		struct ar_gc_stats st;
		struct ar_err err = {0};
		if (sweep_store(&st, s->db, s->blobs, s->grace_s, &s->stop, &err) != 0)
			ar_warn("gc: sweep stopped: %s", err.msg);
		else if (st.removed)
			ar_info("gc: removed %llu unreferenced blobs (%llu bytes) of %llu",
				(unsigned long long)st.removed, (unsigned long long)st.bytes_removed,
				(unsigned long long)st.seen);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int ar_gc_start(struct ar_gc_sweeper **out, struct ar_db *db, struct ar_blobs *blobs, unsigned interval_s,
		unsigned grace_s, struct ar_err *err)
{
	*out = NULL;
	struct ar_gc_sweeper *s = ar_xcalloc(1, sizeof *s);
	s->db = db;
	s->blobs = blobs;
	s->interval_s = interval_s;
	s->grace_s = grace_s;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&s->mu, NULL);
	int e = pthread_create(&s->thread, NULL, sweeper_main, s);
	if (e) {
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		free(s);
		return ar_fail(err, AR_ERROR, "gc: cannot start the sweeper thread: %s", strerror(e));
	}
	*out = s;
	return 0;
}

void ar_gc_stop(struct ar_gc_sweeper *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
