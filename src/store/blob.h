/* store/blob.h - content-addressed blob store (sha256 keys) over a driver: fs now, s3 later */
#ifndef AR_STORE_BLOB_H
#define AR_STORE_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct ar_blobs;

/* A blob store driver; one table of functions per backend (designated initializers). */
struct ar_blob_driver {
	int version; /* 2 */
	const char *name;
	/* Moves the finished temp file at tmp_path into place under sha256_hex, durably when is_durable
	   (ar_blob_put_file) or without any sync of the file or its name (ar_blob_put_cache). When the
	   blob already exists the temp file is removed and 0 returned, unless the existing blob was put
	   without durability (its bytes may be lost or garbled by a crash): then it is replaced, durably.
	   A put without durability never replaces a blob. Either way the blob's mtime becomes the time of
	   the put: garbage collection spares blobs put recently (docs/internals/GC.md). */
	int (*put_file)(void *self, const char *tmp_path, const char *sha256_hex, bool is_durable, struct ar_err *err);
	/* Opens a blob for reading; AR_ENOTFOUND when absent. */
	int (*open)(void *self, const char *sha256_hex, int *fd, uint64_t *size, struct ar_err *err);
	/* Removes a blob; 0 also when it was already gone. */
	int (*remove)(void *self, const char *sha256_hex, struct ar_err *err);
	/* Removes a blob only if its mtime is before cutoff_s (garbage collection); *removed says whether
	   it did, *size is the size it had. 0 also when it was already gone. */
	int (*remove_stale)(void *self, const char *sha256_hex, int64_t cutoff_s, bool *removed, uint64_t *size,
			    struct ar_err *err);
	/* Calls fn for every stored blob (for garbage collection); stops when fn returns non-zero. */
	int (*each)(void *self, int (*fn)(void *cls, const char *sha256_hex, int64_t mtime_s), void *cls,
		    struct ar_err *err);
	void (*close)(void *self);
};

/* Opens the filesystem store rooted at dir (blobs in dir/ab/cd/<sha256>, temp files in tmp_dir, or
   dir/../tmp when tmp_dir is NULL). Creates both (0700) if missing, and the 256 directories dir/ab
   (so puts rarely create and sync two levels); AR_EINVAL when tmp_dir is on another filesystem than dir. */
int ar_blobs_open_fs(struct ar_blobs **out, const char *dir, const char *tmp_dir, struct ar_err *err);
void ar_blobs_close(struct ar_blobs *b);

/* Directory for temp files that will be put_file()d (same filesystem, so rename is atomic). */
const char *ar_blobs_tmp_dir(const struct ar_blobs *b);

/* Publishes the fully written temp file tmp_path under sha256_hex (the caller hashed it): durable on
   return, temp file gone, the blob's mtime now (also when it existed already; one that
   ar_blob_put_cache left is replaced). On error the temp file, if still there,
   is the caller's to remove. AR_EINVAL for a bad key, AR_EUNAVAIL for a full disk, AR_ERROR otherwise. */
int ar_blob_put_file(struct ar_blobs *b, const char *tmp_path, const char *sha256_hex, struct ar_err *err);

/* ar_blob_put_file for bytes that can be had again (cached upstream metadata): neither the file nor
   its name is synced, so after a power loss the blob may be missing, short or (on some filesystems)
   garbled. Whoever records its key must check the size on use and the hash where it reads the bytes.
   The next put of the same bytes, of either kind, replaces it durably. Same errors. */
int ar_blob_put_cache(struct ar_blobs *b, const char *tmp_path, const char *sha256_hex, struct ar_err *err);

/* Writes len bytes to a temp file, fsyncs, and puts it; sha256_hex receives the key. */
int ar_blob_put_mem(struct ar_blobs *b, const void *data, size_t len, char sha256_hex[65], struct ar_err *err);

/* Opens a blob: *fd is O_RDONLY|O_CLOEXEC (the caller closes it), -1 on error; AR_ENOTFOUND, AR_EINVAL. */
int ar_blob_open(struct ar_blobs *b, const char *sha256_hex, int *fd, uint64_t *size, struct ar_err *err);
/* Removes a blob; 0 also when it was already gone. */
int ar_blob_remove(struct ar_blobs *b, const char *sha256_hex, struct ar_err *err);
/* Removes a blob only if its mtime (the time of its last put) is before cutoff_s; *removed says
   whether it was removed, *size its size then. For garbage collection, which must hold the database
   write lock and have seen no asset row referencing the blob (docs/internals/GC.md). */
int ar_blob_remove_stale(struct ar_blobs *b, const char *sha256_hex, int64_t cutoff_s, bool *removed, uint64_t *size,
			 struct ar_err *err);
/* Calls fn for every stored blob with its mtime (for the sweeper), in no particular order; stops and
   returns fn's value when fn returns non-zero, else 0 (or an error opening the store). */
int ar_blob_each(struct ar_blobs *b, int (*fn)(void *cls, const char *sha256_hex, int64_t mtime_s), void *cls,
		 struct ar_err *err);

/* True when s is 64 lowercase hex digits (the only key form accepted; no path tricks). */
bool ar_blob_key_valid(const char *s);

#endif
