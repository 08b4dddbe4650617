/* core/fsutil.c - durable directory creation */
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ar_fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (!slash)
		memcpy(dir, ".", 2);
	else if (n == 0)
		memcpy(dir, "/", 2);
	else if (n < sizeof dir) {
		memcpy(dir, path, n);
		dir[n] = '\0';
	} else
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int ar_mkdirs(const char *path, mode_t mode, struct ar_err *err)
{
	char p[PATH_MAX];
	size_t len = strlen(path);
	if (len == 0 || len >= sizeof p)
		return ar_fail(err, AR_EINVAL, "directory path empty or too long");
	memcpy(p, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char saved = p[i];
		p[i] = '\0';
		if (mkdir(p, mode) == 0)
			ar_fsync_parent(p);
		else if (errno != EEXIST)
			return ar_fail(err, errno == ENOSPC || errno == EDQUOT ? AR_EUNAVAIL : AR_ERROR, "mkdir %s: %s",
				       p, strerror(errno));
		p[i] = saved;
	}
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return ar_fail(err, AR_ERROR, "%s is not a directory", path);
	return 0;
}
