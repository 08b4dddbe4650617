/* core/fsutil.h - durable directory creation */
#ifndef AR_CORE_FSUTIL_H
#define AR_CORE_FSUTIL_H

#include <sys/types.h>

#include "core/err.h"

/* mkdir -p with mode for each missing component; fsyncs the parent of every directory it creates so
   the entry survives a crash with the files later made inside it. AR_ERROR if path is not a directory. */
int ar_mkdirs(const char *path, mode_t mode, struct ar_err *err);

/* fsyncs the directory that contains path (best effort: used after a rename or create). */
void ar_fsync_parent(const char *path);

#endif
