/* store/blob_int.h - what blob drivers share with blob.c; not for callers of the store */
#ifndef AR_STORE_BLOB_INT_H
#define AR_STORE_BLOB_INT_H

#include <sys/types.h>

#include "core/err.h"
#include "store/blob.h"

#define AR_BLOB_DRIVER_VERSION 2 /* 2: put_file takes is_durable */

/* Wraps a driver instance in a store. Creates tmp_dir (0700) if missing. Takes ownership of self:
   on failure drv->close(self) has been called. */
int ar_blobs_new(struct ar_blobs **out, const struct ar_blob_driver *drv, void *self, const char *tmp_dir,
		 struct ar_err *err);

/* Fills err for a failed system call: AR_EUNAVAIL for a full disk or quota, AR_ERROR otherwise. */
int ar_blob_fail_errno(struct ar_err *err, int e, const char *what, const char *path);

#endif
