/* store/blob_fs.c - filesystem blob driver: DIR/ab/cd/<sha256>, written by fsync + rename */
#include <dirent.h>
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
#include "store/blob.h"
#include "store/blob_int.h"
#include "core/fsutil.h"

/* Everything is resolved relative to an fd on the root, so paths stay short and a key can only
   ever name a file two levels below it. */
struct fs {
	int root;
	char *dir; /* for messages */
};

/* "ab/cd/<key>" */
#define REL_LEN (2 + 1 + 2 + 1 + AR_SHA256_HEX_LEN + 1)

static void rel_path(char rel[REL_LEN], const char *key)
{
	memcpy(rel, key, 2);
	rel[2] = '/';
	memcpy(rel + 3, key + 2, 2);
	rel[5] = '/';
	memcpy(rel + 6, key, AR_SHA256_HEX_LEN + 1);
}

static int fsync_at(int root, const char *rel, const struct fs *fs, struct ar_err *err)
{
	int fd = openat(root, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ar_blob_fail_errno(err, errno, "open directory", rel);
	int rc = 0;
	if (fsync(fd) < 0)
		rc = ar_fail(err, AR_ERROR, "blob store: fsync %s/%s: %s", fs->dir, rel, strerror(errno));
	close(fd);
	return rc;
}

static int not_same_fs(const struct fs *fs, const char *tmp_path, struct ar_err *err)
{
	return ar_fail(err, AR_ERROR, "blob store: %s is not on the same filesystem as %s", tmp_path, fs->dir);
}

/* mkdir that, when it creates the directory, makes the new entry durable in parent. */
static int ensure_dir(const struct fs *fs, const char *rel, const char *parent, struct ar_err *err)
{
	if (mkdirat(fs->root, rel, 0700) == 0)
		return fsync_at(fs->root, parent, fs, err);
	if (errno == EEXIST)
		return 0;
	return ar_blob_fail_errno(err, errno, "mkdir", rel);
}

/* The mode that marks a blob put by ar_blob_put_cache: neither its bytes nor its name were synced.
   Every other blob is durable (mkostemp's 0600, set again by durable puts). */
#define CACHE_MODE 0400

static int fs_put_file(void *self, const char *tmp_path, const char *key, bool is_durable, struct ar_err *err)
{
	struct fs *fs = self;
	char rel[REL_LEN];
	struct stat st;
	if (!ar_blob_key_valid(key))
		return ar_fail(err, AR_EINVAL, "blob store: invalid key");
	rel_path(rel, key);

	/* Content-addressed: an existing durable blob already holds these exact bytes (it was fsynced
	   before it got its name). Two racing durable puts of the same blob may both rename; the second
	   replaces identical bytes atomically, which readers cannot tell apart. Touching it restarts the
	   garbage collector's grace period; ENOENT means a sweep removed it just now, and ours takes its
	   place below. */
	int have = utimensat(fs->root, rel, NULL, 0) == 0 ? fstatat(fs->root, rel, &st, AT_SYMLINK_NOFOLLOW) : -1;
	if (have < 0 && errno != ENOENT)
		return ar_blob_fail_errno(err, errno, "touch", rel);
	if (have == 0 && (st.st_mode & 07777) != CACHE_MODE) {
		if (unlink(tmp_path) < 0)
			return ar_blob_fail_errno(err, errno, "unlink", tmp_path);
		return 0;
	}
	/* A cache blob may have lost bytes in a crash: ours replace it, by the durable path, as only a
	   durable put may replace a blob. */
	if (have == 0)
		is_durable = true;

	int fd = open(tmp_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ar_blob_fail_errno(err, errno, "open", tmp_path);
	int rc = 0;
	/* The mtime of the put, not of the last write into the temp file: the grace period counts from here. */
	if (futimens(fd, NULL) < 0)
		rc = ar_blob_fail_errno(err, errno, "touch", tmp_path);
	else if (fchmod(fd, is_durable ? 0600 : CACHE_MODE) < 0)
		rc = ar_blob_fail_errno(err, errno, "chmod", tmp_path);
	else if (is_durable && fsync(fd) < 0)
		rc = ar_blob_fail_errno(err, errno, "fsync", tmp_path);
	close(fd);
	if (rc < 0)
		return rc;

	/* New shard directories are made durable by cache puts too: a durable put into a shard that
	   exists relies on its name having been synced. */
	char shard[6]; /* "ab/cd" */
	memcpy(shard, rel, 5);
	shard[5] = '\0';
	char top[3] = {rel[0], rel[1], '\0'};
	if ((rc = ensure_dir(fs, top, ".", err)) < 0 || (rc = ensure_dir(fs, shard, top, err)) < 0)
		return rc;
	if (!is_durable) {
		/* A link never replaces: a durable blob a racing put just renamed in stays. */
		if (linkat(AT_FDCWD, tmp_path, fs->root, rel, 0) < 0 && errno != EEXIST)
			return errno == EXDEV ? not_same_fs(fs, tmp_path, err)
					      : ar_blob_fail_errno(err, errno, "link", tmp_path);
		if (unlink(tmp_path) < 0)
			return ar_blob_fail_errno(err, errno, "unlink", tmp_path);
		return 0;
	}
	if (renameat(AT_FDCWD, tmp_path, fs->root, rel) < 0)
		return errno == EXDEV ? not_same_fs(fs, tmp_path, err)
				      : ar_blob_fail_errno(err, errno, "rename", tmp_path);
	/* The rename is only durable once the directory holding the new name is. */
	return fsync_at(fs->root, shard, fs, err);
}

static int fs_open(void *self, const char *key, int *fd, uint64_t *size, struct ar_err *err)
{
	struct fs *fs = self;
	char rel[REL_LEN];
	struct stat st;
	*fd = -1;
	if (!ar_blob_key_valid(key))
		return ar_fail(err, AR_EINVAL, "blob store: invalid key");
	rel_path(rel, key);
	int f = openat(fs->root, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (f < 0) {
		if (errno == ENOENT)
			return ar_fail(err, AR_ENOTFOUND, "blob %s not found", key);
		return ar_blob_fail_errno(err, errno, "open", rel);
	}
	if (fstat(f, &st) < 0) {
		int e = errno;
		close(f);
		return ar_blob_fail_errno(err, e, "stat", rel);
	}
	if (!S_ISREG(st.st_mode)) {
		close(f);
		return ar_fail(err, AR_ERROR, "blob store: %s/%s is not a regular file", fs->dir, rel);
	}
	*fd = f;
	*size = (uint64_t)st.st_size;
	return 0;
}

static int fs_remove(void *self, const char *key, struct ar_err *err)
{
	struct fs *fs = self;
	char rel[REL_LEN];
	if (!ar_blob_key_valid(key))
		return ar_fail(err, AR_EINVAL, "blob store: invalid key");
	rel_path(rel, key);
	/* Shard directories stay: removing them would race with a put that just created one.
	   No directory fsync either: a removal undone by a crash leaves an orphan the next sweep
	   finds again. */
	if (unlinkat(fs->root, rel, 0) < 0 && errno != ENOENT)
		return ar_blob_fail_errno(err, errno, "unlink", rel);
	return 0;
}

static int fs_remove_stale(void *self, const char *key, int64_t cutoff_s, bool *removed, uint64_t *size,
			   struct ar_err *err)
{
	struct fs *fs = self;
	char rel[REL_LEN];
	struct stat st;
	if (!ar_blob_key_valid(key))
		return ar_fail(err, AR_EINVAL, "blob store: invalid key");
	rel_path(rel, key);
	if (fstatat(fs->root, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : ar_blob_fail_errno(err, errno, "stat", rel);
	/* A put touches the blob before it inserts the row that references it; one that touched it
	   after the caller's check of references shows up here. */
	if ((int64_t)st.st_mtim.tv_sec >= cutoff_s)
		return 0;
	if (unlinkat(fs->root, rel, 0) < 0)
		return errno == ENOENT ? 0 : ar_blob_fail_errno(err, errno, "unlink", rel);
	*removed = true;
	*size = (uint64_t)st.st_size;
	return 0;
}

static bool is_shard_name(const char *s)
{
	for (int i = 0; i < 2; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[2] == '\0';
}

/* Opens the directory name under dfd for reading entries; NULL (errno set) on failure. */
static DIR *open_dir_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

static int fs_each(void *self, int (*fn)(void *cls, const char *sha256_hex, int64_t mtime_s), void *cls,
		   struct ar_err *err)
{
	struct fs *fs = self;
	int rc = 0;
	DIR *d1 = open_dir_at(fs->root, ".");
	if (!d1)
		return ar_blob_fail_errno(err, errno, "open directory", fs->dir);
	struct dirent *e1;
	while (rc == 0 && (e1 = readdir(d1)) != NULL) {
		if (!is_shard_name(e1->d_name))
			continue;
		char top[3] = {e1->d_name[0], e1->d_name[1], '\0'};
		DIR *d2 = open_dir_at(dirfd(d1), top);
		if (!d2)
			continue; /* a stray file named like a shard */
		struct dirent *e2;
		while (rc == 0 && (e2 = readdir(d2)) != NULL) {
			if (!is_shard_name(e2->d_name))
				continue;
			char mid[3] = {e2->d_name[0], e2->d_name[1], '\0'};
			DIR *d3 = open_dir_at(dirfd(d2), mid);
			if (!d3)
				continue;
			struct dirent *e3;
			while (rc == 0 && (e3 = readdir(d3)) != NULL) {
				struct stat st;
				/* Only files open() could find: a valid key in its own shard. */
				if (!ar_blob_key_valid(e3->d_name) || memcmp(e3->d_name, top, 2) != 0 ||
				    memcmp(e3->d_name + 2, mid, 2) != 0)
					continue;
				if (fstatat(dirfd(d3), e3->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
				    !S_ISREG(st.st_mode))
					continue; /* removed meanwhile, or not a plain file */
				char key[AR_SHA256_HEX_LEN + 1];
				memcpy(key, e3->d_name, sizeof key);
				rc = fn(cls, key, (int64_t)st.st_mtim.tv_sec);
			}
			closedir(d3);
		}
		closedir(d2);
	}
	closedir(d1);
	return rc;
}

static void fs_close(void *self)
{
	struct fs *fs = self;
	if (!fs)
		return;
	if (fs->root >= 0)
		close(fs->root);
	free(fs->dir);
	free(fs);
}

static const struct ar_blob_driver fs_driver = {
	.version = AR_BLOB_DRIVER_VERSION,
	.name = "fs",
	.put_file = fs_put_file,
	.open = fs_open,
	.remove = fs_remove,
	.remove_stale = fs_remove_stale,
	.each = fs_each,
	.close = fs_close,
};

/* Creates the 256 top-level shard directories a new store lacks, with one fsync of the root for all
   of them, so a put creates and syncs at most its second-level directory. A directory that cannot be
   made (a read-only store) is left to the put that needs it, which creates it as before. */
static int make_top_dirs(const struct fs *fs, struct ar_err *err)
{
	bool is_made = false;
	for (int i = 0; i < 256; i++) {
		char top[3];
		snprintf(top, sizeof top, "%02x", i);
		if (mkdirat(fs->root, top, 0700) == 0)
			is_made = true;
		else if (errno != EEXIST)
			break;
	}
	/* Puts find these with EEXIST and do not sync the root again: it must be durable now. */
	return is_made ? fsync_at(fs->root, ".", fs, err) : 0;
}

int ar_blobs_open_fs(struct ar_blobs **out, const char *dir, const char *tmp_dir, struct ar_err *err)
{
	char tmp_default[PATH_MAX];
	struct stat st_root, st_tmp;
	*out = NULL;
	if (!dir || !dir[0])
		return ar_fail(err, AR_EINVAL, "blob store: no directory given");
	if (!tmp_dir) {
		/* dir/../tmp, spelled without the "..": the parent of dir's last component. */
		size_t len = strlen(dir);
		while (len > 1 && dir[len - 1] == '/')
			len--;
		size_t cut = len;
		while (cut > 0 && dir[cut - 1] != '/')
			cut--;
		if (cut + 4 >= sizeof tmp_default)
			return ar_fail(err, AR_EINVAL, "blob store: directory path too long");
		memcpy(tmp_default, dir, cut);
		memcpy(tmp_default + cut, "tmp", 4);
		tmp_dir = tmp_default;
	}
	int rc = ar_mkdirs(dir, 0700, err);
	if (rc < 0)
		return rc;
	struct fs *fs = ar_xcalloc(1, sizeof *fs);
	fs->dir = ar_xstrdup(dir);
	fs->root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->root < 0) {
		rc = ar_blob_fail_errno(err, errno, "open", dir);
		fs_close(fs);
		return rc;
	}
	if ((rc = make_top_dirs(fs, err)) < 0) {
		fs_close(fs);
		return rc;
	}
	struct ar_blobs *b;
	rc = ar_blobs_new(&b, &fs_driver, fs, tmp_dir, err);
	if (rc < 0)
		return rc;
	/* rename(2) is atomic only within one filesystem; find out now, not at the first upload. */
	if (fstat(fs->root, &st_root) < 0 || stat(tmp_dir, &st_tmp) < 0) {
		rc = ar_blob_fail_errno(err, errno, "stat", tmp_dir);
		ar_blobs_close(b);
		return rc;
	}
	if (st_root.st_dev != st_tmp.st_dev) {
		ar_blobs_close(b);
		return ar_fail(err, AR_EINVAL, "blob store: temp directory %s is not on the same filesystem as %s",
			       tmp_dir, dir);
	}
	*out = b;
	return 0;
}
