/* bench/proxy/slow_fsync.c - LD_PRELOAD shim: each fsync/fdatasync waits SLOW_FSYNC_MS (default 10) first */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

/* A busy disk, reproducibly: syncs there took 15-330 ms while other sessions built (BENCHMARKS.md).
   The delay is a sleep, so concurrent syncs overlap instead of queueing as they would on a disk. */
static void wait_like_a_busy_disk(void)
{
	const char *v = getenv("SLOW_FSYNC_MS");
	long ms = v ? strtol(v, NULL, 10) : 10;
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (ms > 0 && nanosleep(&t, &t) != 0)
		;
}

int fsync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	wait_like_a_busy_disk();
	return real(fd);
}

int fdatasync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	wait_like_a_busy_disk();
	return real(fd);
}
