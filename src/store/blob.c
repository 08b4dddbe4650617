/* store/blob.c - the backend-independent half of the blob store: keys, temp files, dispatch */
#include "store/blob.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/mem.h"
#include "store/blob_int.h"
#include "core/fsutil.h"

struct ar_blobs {
	const struct ar_blob_driver *drv;
	void *self;
	char *tmp_dir;
};

/* Room for "/put-XXXXXX" after tmp_dir. */
#define TMP_NAME_ROOM 16

bool ar_blob_key_valid(const char *s)
{
	if (!s)
		return false;
	for (int i = 0; i < AR_SHA256_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[AR_SHA256_HEX_LEN] == '\0';
}

int ar_blob_fail_errno(struct ar_err *err, int e, const char *what, const char *path)
{
	int code = (e == ENOSPC || e == EDQUOT) ? AR_EUNAVAIL : AR_ERROR;
	return ar_fail(err, code, "blob store: %s %s: %s", what, path, strerror(e));
}

int ar_blobs_new(struct ar_blobs **out, const struct ar_blob_driver *drv, void *self, const char *tmp_dir,
		 struct ar_err *err)
{
	*out = NULL;
	int rc;
	if (drv->version != AR_BLOB_DRIVER_VERSION) {
		rc = ar_fail(err, AR_ERROR, "blob driver %s has version %d, want %d", drv->name, drv->version,
			     AR_BLOB_DRIVER_VERSION);
		goto fail;
	}
	if (!tmp_dir || strlen(tmp_dir) + TMP_NAME_ROOM >= PATH_MAX) {
		rc = ar_fail(err, AR_EINVAL, "blob store: temp directory missing or too long");
		goto fail;
	}
	/* 0700: temp files hold uploads before they are checked and published. */
	rc = ar_mkdirs(tmp_dir, 0700, err);
	if (rc < 0)
		goto fail;
	struct ar_blobs *b = ar_xcalloc(1, sizeof *b);
	b->drv = drv;
	b->self = self;
	b->tmp_dir = ar_xstrdup(tmp_dir);
	*out = b;
	return 0;
fail:
	drv->close(self);
	return rc;
}

void ar_blobs_close(struct ar_blobs *b)
{
	if (!b)
		return;
	b->drv->close(b->self);
	free(b->tmp_dir);
	free(b);
}

const char *ar_blobs_tmp_dir(const struct ar_blobs *b)
{
	return b->tmp_dir;
}

static int bad_key(struct ar_err *err, const char *key)
{
	return ar_fail(err, AR_EINVAL, "blob store: invalid key (want 64 lowercase hex digits): %.80s",
		       key ? key : "(null)");
}

int ar_blob_put_file(struct ar_blobs *b, const char *tmp_path, const char *sha256_hex, struct ar_err *err)
{
	if (!ar_blob_key_valid(sha256_hex))
		return bad_key(err, sha256_hex);
	return b->drv->put_file(b->self, tmp_path, sha256_hex, true, err);
}

int ar_blob_put_cache(struct ar_blobs *b, const char *tmp_path, const char *sha256_hex, struct ar_err *err)
{
	if (!ar_blob_key_valid(sha256_hex))
		return bad_key(err, sha256_hex);
	return b->drv->put_file(b->self, tmp_path, sha256_hex, false, err);
}

int ar_blob_put_mem(struct ar_blobs *b, const void *data, size_t len, char sha256_hex[65], struct ar_err *err)
{
	char path[PATH_MAX];
	unsigned char digest[AR_SHA256_LEN];
	int rc = 0;
	/* Length was checked at open, so this cannot truncate. */
	snprintf(path, sizeof path, "%s/put-XXXXXX", b->tmp_dir);
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return ar_blob_fail_errno(err, errno, "create temp file in", b->tmp_dir);
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ar_blob_fail_errno(err, errno, "write", path);
			close(fd);
			goto done;
		}
		p += n;
		left -= (size_t)n;
	}
	/* close can report a delayed write error (NFS, quota); the driver fsyncs before renaming. */
	if (close(fd) < 0) {
		rc = ar_blob_fail_errno(err, errno, "close", path);
		goto done;
	}
	ar_sha256(digest, len ? data : "", len);
	ar_hex(sha256_hex, digest, sizeof digest);
	rc = b->drv->put_file(b->self, path, sha256_hex, true, err);
done:
	/* On success the driver consumed the temp file; otherwise it must not linger. */
	if (rc < 0)
		unlink(path);
	return rc;
}

int ar_blob_open(struct ar_blobs *b, const char *sha256_hex, int *fd, uint64_t *size, struct ar_err *err)
{
	*fd = -1;
	if (!ar_blob_key_valid(sha256_hex))
		return bad_key(err, sha256_hex);
	return b->drv->open(b->self, sha256_hex, fd, size, err);
}

int ar_blob_remove(struct ar_blobs *b, const char *sha256_hex, struct ar_err *err)
{
	if (!ar_blob_key_valid(sha256_hex))
		return bad_key(err, sha256_hex);
	return b->drv->remove(b->self, sha256_hex, err);
}

int ar_blob_remove_stale(struct ar_blobs *b, const char *sha256_hex, int64_t cutoff_s, bool *removed, uint64_t *size,
			 struct ar_err *err)
{
	*removed = false;
	*size = 0;
	if (!ar_blob_key_valid(sha256_hex))
		return bad_key(err, sha256_hex);
	return b->drv->remove_stale(b->self, sha256_hex, cutoff_s, removed, size, err);
}

int ar_blob_each(struct ar_blobs *b, int (*fn)(void *cls, const char *sha256_hex, int64_t mtime_s), void *cls,
		 struct ar_err *err)
{
	return b->drv->each(b->self, fn, cls, err);
}
