/* auth/keys.c - the server master key and the purpose keys derived from it */
#include "auth/keys.h"

#include "core/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ar_keys_derive(struct ar_keys *out, const unsigned char master[32])
{
	/* Distinct labels so a token MAC can never be confused with a sealing key. */
	ar_hmac_sha256(out->token, master, 32, "arca token key v1", 17);
	ar_hmac_sha256(out->secrets, master, 32, "arca secrets key v1", 19);
}

static int read_key_file(unsigned char master[32], const char *path, struct ar_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? AR_ENOTFOUND : ar_fail(err, AR_ERROR, "open %s: %s", path, strerror(errno));
	char hex[80];
	ssize_t n = read(fd, hex, sizeof hex - 1);
	close(fd);
	if (n < 64)
		return ar_fail(err, AR_EINVAL, "%s: expected 64 hex digits", path);
	hex[64] = '\0';
	if (!ar_unhex(master, hex, 32))
		return ar_fail(err, AR_EINVAL, "%s: expected 64 hex digits", path);
	return 0;
}

static int create_key_file(unsigned char master[32], const char *path, struct ar_err *err)
{
	char hex[66];
	ar_random(master, 32);
	ar_hex(hex, master, 32);
	hex[64] = '\n';
	/* O_EXCL: two processes starting at once must not each write a different key. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return read_key_file(master, path, err);
		return ar_fail(err, AR_ERROR, "create %s: %s", path, strerror(errno));
	}
	bool ok = write(fd, hex, 65) == 65 && fsync(fd) == 0;
	close(fd);
	if (!ok) {
		unlink(path);
		return ar_fail(err, AR_ERROR, "write %s: %s", path, strerror(errno));
	}
	return 0;
}

int ar_keys_load(struct ar_keys *out, const struct ar_config *cfg, struct ar_err *err)
{
	unsigned char master[32];
	int rc;
	if (cfg->master_key[0]) {
		if (!ar_unhex(master, cfg->master_key, 32))
			return ar_fail(err, AR_EINVAL, "master_key must be 64 hex digits");
	} else {
		char path[4096];
		snprintf(path, sizeof path, "%s/master.key", cfg->data_dir);
		rc = read_key_file(master, path, err);
		if (rc == AR_ENOTFOUND)
			rc = create_key_file(master, path, err);
		if (rc)
			return rc;
	}
	ar_keys_derive(out, master);
	memset(master, 0, sizeof master);
	return 0;
}
