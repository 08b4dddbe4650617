/* repo/gc.h - garbage collection of blobs no asset references: one sweep, or a background sweeper */
#ifndef AR_REPO_GC_H
#define AR_REPO_GC_H

#include <stdint.h>

#include "core/err.h"
#include "store/blob.h"
#include "store/db.h"

struct ar_gc_stats {
	uint64_t seen;		  /* blobs in the store */
	uint64_t removed;	  /* blobs removed */
	uint64_t bytes_removed;	  /* their total size */
	uint64_t kept_referenced; /* unremoved because an asset references them */
	uint64_t kept_recent;	  /* unremoved because they were put less than grace_s ago */
};

/* One sweep: removes every blob that no asset row references and that was last put grace_s or more
   seconds ago. Safe against concurrent publishes of the same bytes (docs/internals/GC.md): each
   removal happens under the database write lock after a fresh check of references. Fills *stats
   (may be NULL); stops at the first store or database error and returns it. */
int ar_gc_run(struct ar_gc_stats *stats, struct ar_db *db, struct ar_blobs *blobs, int64_t grace_s, struct ar_err *err);

/* A thread that runs ar_gc_run every interval_s seconds (the first sweep after one interval) until
   ar_gc_stop. ar_gc_stop wakes it, waits for a running sweep to finish, and frees it; NULL is ok. */
struct ar_gc_sweeper;
int ar_gc_start(struct ar_gc_sweeper **out, struct ar_db *db, struct ar_blobs *blobs, unsigned interval_s,
		unsigned grace_s, struct ar_err *err);
void ar_gc_stop(struct ar_gc_sweeper *s);

#endif
