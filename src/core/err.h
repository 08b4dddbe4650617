/* core/err.h - error codes and the fixed-size error record every layer fills */
#ifndef AR_CORE_ERR_H
#define AR_CORE_ERR_H

#include <stddef.h>

/* Negative return codes; 0 is success. Each maps to one status per protocol at the edge. */
enum ar_code {
	AR_OK = 0,
	AR_ENOTFOUND = -1, /* the named thing does not exist */
	AR_EEXISTS = -2,   /* a create collided with an existing thing */
	AR_EINVAL = -3,	   /* input failed validation */
	AR_EDENIED = -4,   /* authenticated but not allowed */
	AR_ETOOBIG = -5,   /* a size cap was exceeded */
	AR_ERROR = -6,	   /* internal failure (I/O, database, bug) */
	AR_ECONFLICT = -7, /* state forbids the change (non-empty domain, stale revision) */
	AR_EAUTH = -8,	   /* missing, invalid or expired credentials */
	AR_EQUOTA = -9,	   /* a service quota was exceeded */
	AR_EUNAVAIL = -10, /* a dependency (upstream, disk) is unavailable */
	AR_ETIMEOUT = -11, /* a dependency (upstream) did not answer in time: timeout or stalled transfer */
};

/* Why the last call failed; filled by ar_fail, read at the protocol edge. */
struct ar_err {
	int code;
	char msg[512];
};

/* Records code and a printf-style message in err (err may be NULL); returns code. */
int ar_fail(struct ar_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Resets err to "no error". */
void ar_err_clear(struct ar_err *err);

/* A short stable name for a code, e.g. "ENOTFOUND", for logs. */
const char *ar_code_name(int code);

#endif
