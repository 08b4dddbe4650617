/* tests/unit/store/test_blob.c - filesystem blob store: round trips, layout, keys, removal, listing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/err.h"
#include "store/blob.h"

/* SHA-256("abc"), FIPS 180-2 appendix B.1. */
#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

struct fixture {
	char root[64];
	char blobs[256];
	char tmp[256];
	struct ar_blobs *b;
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct ar_err err = {0};
	snprintf(f->root, sizeof f->root, "/tmp/arca-test-blob-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	snprintf(f->blobs, sizeof f->blobs, "%s/data/blobs", f->root);
	snprintf(f->tmp, sizeof f->tmp, "%s/data/tmp", f->root);
	if (ar_blobs_open_fs(&f->b, f->blobs, f->tmp, &err) != 0) {
		fprintf(stderr, "open: %s\n", err.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ar_blobs_close(f->b);
	nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static int files_seen;
static int count_file(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F)
		files_seen++;
	return 0;
}

static int count_files_under(const char *dir)
{
	files_seen = 0;
	assert_int_equal(nftw(dir, count_file, 16, FTW_PHYS), 0);
	return files_seen;
}

static void read_back(struct ar_blobs *b, const char *key, const void *want, size_t want_len)
{
	int fd = -2;
	uint64_t size = 0;
	struct ar_err err = {0};
	assert_int_equal(ar_blob_open(b, key, &fd, &size, &err), 0);
	assert_true(fd >= 0);
	assert_int_equal(size, want_len);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	unsigned char *got = malloc(want_len + 1);
	size_t have = 0;
	for (;;) {
		ssize_t n = read(fd, got + have, want_len + 1 - have);
		assert_true(n >= 0);
		if (n == 0)
			break;
		have += (size_t)n;
	}
	close(fd);
	assert_int_equal(have, want_len);
	if (want_len)
		assert_memory_equal(got, want, want_len);
	free(got);
}

static void test_put_mem_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ar_err err = {0};
	char key[65];
	assert_int_equal(ar_blob_put_mem(f->b, "abc", 3, key, &err), 0);
	assert_string_equal(key, ABC_SHA256);
	read_back(f->b, key, "abc", 3);

	/* Layout: DIR/ab/cd/<key>, private modes. */
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof path, "%s/ba/78/%s", f->blobs, ABC_SHA256);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_mode & 0077, 0);
	snprintf(path, sizeof path, "%s/ba/78", f->blobs);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0077, 0);
	assert_int_equal(count_files_under(f->blobs), 1);

	/* A larger binary blob with NUL bytes, written in more than one write() on some systems. */
	size_t len = 3 * 1024 * 1024 + 7;
	unsigned char *big = malloc(len);
	for (size_t i = 0; i < len; i++)
		big[i] = (unsigned char)(i * 31 + (i >> 13));
	unsigned char digest[32];
	char want[65];
	ar_sha256(digest, big, len);
	ar_hex(want, digest, 32);
	assert_int_equal(ar_blob_put_mem(f->b, big, len, key, &err), 0);
	assert_string_equal(key, want);
	read_back(f->b, key, big, len);
	free(big);

	/* The empty blob is a blob too. */
	assert_int_equal(ar_blob_put_mem(f->b, NULL, 0, key, &err), 0);
	assert_string_equal(key, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	read_back(f->b, key, NULL, 0);

	assert_int_equal(count_entries(f->tmp), 0);
	assert_int_equal(count_files_under(f->blobs), 3);
}

static void test_same_content_twice(void **state)
{
	struct fixture *f = *state;
	struct ar_err err = {0};
	char k1[65], k2[65];
	assert_int_equal(ar_blob_put_mem(f->b, "same bytes", 10, k1, &err), 0);
	assert_int_equal(ar_blob_put_mem(f->b, "same bytes", 10, k2, &err), 0);
	assert_string_equal(k1, k2);
	assert_int_equal(count_files_under(f->blobs), 1);
	assert_int_equal(count_entries(f->tmp), 0);
	read_back(f->b, k1, "same bytes", 10);
}

/* The path callers use for streamed uploads: write a temp file in tmp_dir, then put_file. */
static void test_put_file(void **state)
{
	struct fixture *f = *state;
	struct ar_err err = {0};
	char tmp[256];
	for (int round = 0; round < 2; round++) {
		snprintf(tmp, sizeof tmp, "%s/upload-%d", ar_blobs_tmp_dir(f->b), round);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "abc", 3), 3);
		close(fd);
		assert_int_equal(ar_blob_put_file(f->b, tmp, ABC_SHA256, &err), 0);
		/* Renamed the first time, unlinked the second: never left behind. */
		assert_int_equal(access(tmp, F_OK), -1);
	}
	assert_int_equal(count_files_under(f->blobs), 1);
	assert_int_equal(count_entries(f->tmp), 0);
	read_back(f->b, ABC_SHA256, "abc", 3);

	/* A missing temp file is an error, not a silent success. */
	snprintf(tmp, sizeof tmp, "%s/never-written", ar_blobs_tmp_dir(f->b));
	assert_int_equal(
		ar_blob_put_file(f->b, tmp, "0000000000000000000000000000000000000000000000000000000000000000", &err),
		AR_ERROR);
	assert_int_equal(count_files_under(f->blobs), 1);
}

static void test_invalid_keys(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"../../etc/passwd",
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",  /* uppercase */
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",   /* 63 */
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0", /* 65 */
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015aG",  /* not hex */
		"ba/816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",  /* 64, with a slash */
		"../8/6bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",  /* 64, traversal */
		"",
		NULL,
	};
	struct ar_err err = {0};
	char tmp[256];
	snprintf(tmp, sizeof tmp, "%s/bad-key", ar_blobs_tmp_dir(f->b));
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int bfd = 7;
		uint64_t size;
		assert_false(ar_blob_key_valid(bad[i]));
		assert_int_equal(ar_blob_put_file(f->b, tmp, bad[i], &err), AR_EINVAL);
		assert_int_equal(ar_blob_open(f->b, bad[i], &bfd, &size, &err), AR_EINVAL);
		assert_int_equal(bfd, -1);
		assert_int_equal(ar_blob_remove(f->b, bad[i], &err), AR_EINVAL);
	}
	/* A refused put leaves the caller's temp file alone (the caller owns it until success). */
	assert_int_equal(access(tmp, F_OK), 0);
	unlink(tmp);
	assert_true(ar_blob_key_valid(ABC_SHA256));
	assert_true(ar_blob_key_valid("0000000000000000000000000000000000000000000000000000000000000000"));
	assert_int_equal(count_files_under(f->blobs), 0);
}

static void test_remove(void **state)
{
	struct fixture *f = *state;
	struct ar_err err = {0};
	char key[65];
	assert_int_equal(ar_blob_put_mem(f->b, "abc", 3, key, &err), 0);
	assert_int_equal(ar_blob_remove(f->b, key, &err), 0);
	int fd = 5;
	uint64_t size;
	assert_int_equal(ar_blob_open(f->b, key, &fd, &size, &err), AR_ENOTFOUND);
	assert_int_equal(err.code, AR_ENOTFOUND);
	assert_int_equal(fd, -1);
	/* Already gone is success. */
	assert_int_equal(ar_blob_remove(f->b, key, &err), 0);
	assert_int_equal(ar_blob_open(f->b, "0000000000000000000000000000000000000000000000000000000000000000", &fd,
				      &size, &err),
			 AR_ENOTFOUND);
	/* And it can come back. */
	assert_int_equal(ar_blob_put_mem(f->b, "abc", 3, key, &err), 0);
	read_back(f->b, key, "abc", 3);
}

/* Sets a blob's mtime seconds_ago into the past. */
static void age_blob(struct fixture *f, const char *key, int seconds_ago)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%.2s/%.2s/%s", f->blobs, key, key + 2, key);
	struct timespec t[2] = {{.tv_sec = time(NULL) - seconds_ago}, {.tv_sec = time(NULL) - seconds_ago}};
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static int64_t blob_mtime(struct fixture *f, const char *key)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof path, "%s/%.2s/%.2s/%s", f->blobs, key, key + 2, key);
	assert_int_equal(stat(path, &st), 0);
	return (int64_t)st.st_mtim.tv_sec;
}

/* The garbage collector's grace period counts from the last put, also of bytes already stored. */
static void test_put_refreshes_mtime_and_remove_stale(void **state)
{
	struct fixture *f = *state;
	struct ar_err err = {0};
	char key[65];
	bool removed = true;
	uint64_t size = 1;
	assert_int_equal(ar_blob_put_mem(f->b, "abc", 3, key, &err), 0);
	age_blob(f, key, 7200);
	assert_true(blob_mtime(f, key) <= time(NULL) - 7200);
	assert_int_equal(ar_blob_put_mem(f->b, "abc", 3, key, &err), 0);
	assert_true(blob_mtime(f, key) >= time(NULL) - 60);

	/* Newer than the cutoff: kept. */
	assert_int_equal(ar_blob_remove_stale(f->b, key, time(NULL) - 3600, &removed, &size, &err), 0);
	assert_false(removed);
	read_back(f->b, key, "abc", 3);
	/* Older: removed, with its size reported; gone already: nothing to do. */
	age_blob(f, key, 7200);
	assert_int_equal(ar_blob_remove_stale(f->b, key, time(NULL) - 3600, &removed, &size, &err), 0);
	assert_true(removed);
	assert_int_equal(size, 3);
	assert_int_equal(ar_blob_remove_stale(f->b, key, time(NULL), &removed, &size, &err), 0);
	assert_false(removed);
	assert_int_equal(ar_blob_remove_stale(f->b, "../etc", 0, &removed, &size, &err), AR_EINVAL);
}

struct seen {
	char keys[16][65];
	int64_t mtimes[16];
	int n;
	int stop_after; /* 0 = never */
};

static int collect(void *cls, const char *key, int64_t mtime_s)
{
	struct seen *s = cls;
	if (s->n < 16) {
		memcpy(s->keys[s->n], key, 65);
		s->mtimes[s->n] = mtime_s;
	}
	s->n++;
	return s->stop_after && s->n >= s->stop_after ? 7 : 0;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static void test_each_lists_exactly_the_blobs(void **state)
{
	struct fixture *f = *state;
	struct ar_err err = {0};
	char want[5][65];
	for (int i = 0; i < 5; i++) {
		char data[16];
		int n = snprintf(data, sizeof data, "blob %d", i);
		assert_int_equal(ar_blob_put_mem(f->b, data, (size_t)n, want[i], &err), 0);
	}
	qsort(want, 5, sizeof want[0], cmp_key);

	/* Things that are not blobs a GC must never be told about. */
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/zz", f->blobs);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/ab", f->blobs);
	assert_int_equal(rmdir(path), 0);
	touch(path); /* a file where a shard directory would be */
	snprintf(path, sizeof path, "%s/%.2s/%.2s/notakey", f->blobs, want[0], want[0] + 2);
	touch(path);
	snprintf(path, sizeof path, "%s/%.2s/%.2s/%s.tmp", f->blobs, want[0], want[0] + 2, want[0]);
	touch(path);
	snprintf(path, sizeof path, "%s/00/00", f->blobs);
	assert_int_equal(mkdir(path, 0700), 0);
	/* A valid key in the wrong shard: open() could never find it. */
	snprintf(path, sizeof path, "%s/00/00/%s", f->blobs, ABC_SHA256);
	touch(path);
	/* Uppercase twin of a real key. */
	char upper[65];
	for (int i = 0; i < 65; i++)
		upper[i] = (char)(want[1][i] >= 'a' && want[1][i] <= 'f' ? want[1][i] - 32 : want[1][i]);
	snprintf(path, sizeof path, "%s/%.2s/%.2s/%s", f->blobs, want[1], want[1] + 2, upper);
	touch(path);

	/* A known mtime, to check it is reported. */
	snprintf(path, sizeof path, "%s/%.2s/%.2s/%s", f->blobs, want[2], want[2] + 2, want[2]);
	struct timespec times[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);

	struct seen s = {0};
	assert_int_equal(ar_blob_each(f->b, collect, &s, &err), 0);
	assert_int_equal(s.n, 5);
	int64_t now = (int64_t)time(NULL);
	for (int i = 0; i < 5; i++) {
		if (strcmp(s.keys[i], want[2]) == 0)
			assert_int_equal(s.mtimes[i], 1000000000);
		else
			assert_true(s.mtimes[i] > now - 3600 && s.mtimes[i] <= now + 5);
	}
	qsort(s.keys, 5, sizeof s.keys[0], cmp_key);
	for (int i = 0; i < 5; i++)
		assert_string_equal(s.keys[i], want[i]);

	/* The callback's non-zero return stops the walk and is passed back. */
	struct seen stop = {.stop_after = 2};
	assert_int_equal(ar_blob_each(f->b, collect, &stop, &err), 7);
	assert_int_equal(stop.n, 2);

	/* After removal the listing shrinks accordingly. */
	assert_int_equal(ar_blob_remove(f->b, want[3], &err), 0);
	struct seen after = {0};
	assert_int_equal(ar_blob_each(f->b, collect, &after, &err), 0);
	assert_int_equal(after.n, 4);
	for (int i = 0; i < 4; i++)
		assert_string_not_equal(after.keys[i], want[3]);
}

/* A failing put (here: a file blocks the shard directory) must not leave its temp file. */
static void test_failed_put_cleans_temp(void **state)
{
	struct fixture *f = *state;
	struct ar_err err = {0};
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/ba", f->blobs);
	assert_int_equal(rmdir(path), 0);
	touch(path);
	char key[65];
	assert_int_equal(ar_blob_put_mem(f->b, "abc", 3, key, &err), AR_ERROR);
	assert_non_null(strstr(err.msg, "Not a directory"));
	assert_int_equal(count_entries(f->tmp), 0);
	int fd;
	uint64_t size;
	assert_int_equal(ar_blob_open(f->b, ABC_SHA256, &fd, &size, &err), AR_ERROR); /* ENOTDIR, not absent */
	struct seen s = {0};
	assert_int_equal(ar_blob_each(f->b, collect, &s, &err), 0);
	assert_int_equal(s.n, 0);
}

/* A temp file in the store's tmp dir holding data, as the fetcher leaves one. */
static void write_tmp(struct fixture *f, const char *name, const char *data, char path[256])
{
	snprintf(path, 256, "%s/%s", ar_blobs_tmp_dir(f->b), name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

static struct stat stat_blob(struct fixture *f, const char *key)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof path, "%s/%.2s/%.2s/%s", f->blobs, key, key + 2, key);
	assert_int_equal(stat(path, &st), 0);
	return st;
}

/* Cache puts are marked (mode 0400), never replace a durable blob, and are replaced by the next put of
   the same bytes, durably: after a power loss they may be short, and a publish must not find its
   bytes in one. */
static void test_put_cache(void **state)
{
	struct fixture *f = *state;
	struct ar_err err = {0};
	char tmp[256], path[512];
	write_tmp(f, "c1", "abc", tmp);
	assert_int_equal(ar_blob_put_cache(f->b, tmp, ABC_SHA256, &err), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	read_back(f->b, ABC_SHA256, "abc", 3);
	assert_int_equal(stat_blob(f, ABC_SHA256).st_mode & 07777, 0400);
	assert_int_equal(stat_blob(f, ABC_SHA256).st_nlink, 1);

	/* As after a power loss: the cache blob lost its bytes. A durable put of them replaces it. */
	snprintf(path, sizeof path, "%s/ba/78/%s", f->blobs, ABC_SHA256);
	assert_int_equal(truncate(path, 1), 0);
	write_tmp(f, "d1", "abc", tmp);
	assert_int_equal(ar_blob_put_file(f->b, tmp, ABC_SHA256, &err), 0);
	read_back(f->b, ABC_SHA256, "abc", 3);
	assert_int_equal(stat_blob(f, ABC_SHA256).st_mode & 07777, 0600);

	/* A cache put finds the durable blob and leaves it as it is. */
	ino_t ino = stat_blob(f, ABC_SHA256).st_ino;
	write_tmp(f, "c2", "abc", tmp);
	assert_int_equal(ar_blob_put_cache(f->b, tmp, ABC_SHA256, &err), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(stat_blob(f, ABC_SHA256).st_ino, ino);
	assert_int_equal(stat_blob(f, ABC_SHA256).st_mode & 07777, 0600);

	/* A cache put over a short cache blob replaces it too (the engine's refetch after a power loss),
	   and then the blob is durable. */
	char key[65];
	unsigned char digest[32];
	ar_sha256(digest, "cached page", 11);
	ar_hex(key, digest, 32);
	write_tmp(f, "c3", "cached page", tmp);
	assert_int_equal(ar_blob_put_cache(f->b, tmp, key, &err), 0);
	snprintf(path, sizeof path, "%s/%.2s/%.2s/%s", f->blobs, key, key + 2, key);
	assert_int_equal(truncate(path, 0), 0);
	write_tmp(f, "c4", "cached page", tmp);
	assert_int_equal(ar_blob_put_cache(f->b, tmp, key, &err), 0);
	read_back(f->b, key, "cached page", 11);
	assert_int_equal(stat_blob(f, key).st_mode & 07777, 0600);
	assert_int_equal(count_entries(f->tmp), 0);
	assert_int_equal(count_files_under(f->blobs), 2);

	/* Garbage collection sees cache blobs like any other. */
	struct seen s = {0};
	write_tmp(f, "c5", "another page", tmp);
	ar_sha256(digest, "another page", 12);
	ar_hex(key, digest, 32);
	assert_int_equal(ar_blob_put_cache(f->b, tmp, key, &err), 0);
	assert_int_equal(ar_blob_each(f->b, collect, &s, &err), 0);
	assert_int_equal(s.n, 3);
	age_blob(f, key, 7200);
	bool removed = false;
	uint64_t size = 0;
	assert_int_equal(ar_blob_remove_stale(f->b, key, time(NULL) - 3600, &removed, &size, &err), 0);
	assert_true(removed);
}

/* The 256 top-level shard directories exist from the open on, so a put makes only its second level. */
static void test_open_makes_top_dirs(void **state)
{
	struct fixture *f = *state;
	struct ar_err err = {0};
	char path[PATH_MAX], key[65];
	struct stat st;
	assert_int_equal(count_entries(f->blobs), 256);
	for (int i = 0; i < 256; i++) {
		snprintf(path, sizeof path, "%s/%02x", f->blobs, i);
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0700);
		assert_int_equal(count_entries(path), 0);
	}
	assert_int_equal(ar_blob_put_mem(f->b, "abc", 3, key, &err), 0);
	snprintf(path, sizeof path, "%s/ba", f->blobs);
	assert_int_equal(count_entries(path), 1);
	assert_int_equal(count_entries(f->blobs), 256);
}

/* A store written before the top-level directories were made at open: some shards, no others. Opening
   it adds the missing ones and keeps every blob; puts, reads and listing work as before. */
static void test_open_store_of_older_version(void **state)
{
	struct fixture *f = *state;
	struct ar_err err = {0};
	char dir[PATH_MAX], path[PATH_MAX + 80], key[65];
	snprintf(dir, sizeof dir, "%s/old/blobs", f->root);
	snprintf(path, sizeof path, "%s/old", f->root);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/ba", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/ba/78", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/ba/78/%s", dir, ABC_SHA256);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	assert_int_equal(count_entries(dir), 1);

	struct ar_blobs *b;
	assert_int_equal(ar_blobs_open_fs(&b, dir, NULL, &err), 0);
	assert_int_equal(count_entries(dir), 256);
	read_back(b, ABC_SHA256, "abc", 3);
	assert_int_equal(ar_blob_put_mem(b, "abc", 3, key, &err), 0); /* the blob that was there */
	assert_int_equal(ar_blob_put_mem(b, "new", 3, key, &err), 0);
	read_back(b, key, "new", 3);
	struct seen s = {0};
	assert_int_equal(ar_blob_each(b, collect, &s, &err), 0);
	assert_int_equal(s.n, 2);
	ar_blobs_close(b);

	/* Opening again changes nothing. */
	assert_int_equal(ar_blobs_open_fs(&b, dir, NULL, &err), 0);
	assert_int_equal(count_entries(dir), 256);
	read_back(b, ABC_SHA256, "abc", 3);
	ar_blobs_close(b);
}

static void test_default_tmp_dir(void **state)
{
	struct fixture *f = *state;
	struct ar_blobs *b;
	struct ar_err err = {0};
	char dir[PATH_MAX], want[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/other/blobs/", f->root);
	snprintf(want, sizeof want, "%s/other/tmp", f->root);
	assert_int_equal(ar_blobs_open_fs(&b, dir, NULL, &err), 0);
	assert_string_equal(ar_blobs_tmp_dir(b), want);
	struct stat st;
	assert_int_equal(stat(want, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0077, 0);
	char key[65];
	assert_int_equal(ar_blob_put_mem(b, "abc", 3, key, &err), 0);
	read_back(b, key, "abc", 3);
	assert_int_equal(count_entries(want), 0);
	ar_blobs_close(b);

	/* A file where the store directory should be. */
	snprintf(dir, sizeof dir, "%s/afile", f->root);
	touch(dir);
	b = (struct ar_blobs *)&err;
	assert_int_equal(ar_blobs_open_fs(&b, dir, NULL, &err), AR_ERROR);
	assert_null(b);
}

/* rename(2) cannot cross filesystems, so a temp dir elsewhere is refused at open. */
static void test_tmp_on_other_filesystem(void **state)
{
	struct fixture *f = *state;
	struct stat a, b;
	if (stat("/dev/shm", &b) != 0 || stat(f->root, &a) != 0 || a.st_dev == b.st_dev)
		skip();
	char shm[] = "/dev/shm/arca-test-blob-XXXXXX";
	if (!mkdtemp(shm))
		skip();
	struct ar_blobs *bl;
	struct ar_err err = {0};
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/x/blobs", f->root);
	int rc = ar_blobs_open_fs(&bl, dir, shm, &err);
	rmdir(shm);
	assert_int_equal(rc, AR_EINVAL);
	assert_non_null(strstr(err.msg, "same filesystem"));
	assert_null(bl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_mem_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_content_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_refreshes_mtime_and_remove_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_lists_exactly_the_blobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_put_cleans_temp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_makes_top_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_store_of_older_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_tmp_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmp_on_other_filesystem, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
