/* http/multipart.h - multipart/form-data (RFC 7578) parser for uploads; file parts spooled to disk */
#ifndef AR_HTTP_MULTIPART_H
#define AR_HTTP_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"

#define AR_MULTIPART_MAX_PARTS	  128
#define AR_MULTIPART_MAX_HEADER	  (16 * 1024) /* one part's header block */
#define AR_MULTIPART_MAX_BOUNDARY 70	      /* RFC 2046 */

/* Private record of a part's temp file (unlinked with the arena unless detached). */
struct ar_multipart_tmp;

/* One part. Plain fields carry value; parts sent with a filename carry path and hashes instead. */
struct ar_multipart_part {
	const char *name;	  /* the form field name, never empty */
	const char *filename;	  /* validated basename, or NULL for a plain field */
	const char *content_type; /* the part's Content-Type as sent, or NULL */
	const char *value;	  /* plain field: the bytes, NUL-terminated (may contain NULs) */
	size_t value_len;
	const char *path;	 /* file part: 0600 temp file in the spool dir, not fsynced */
	struct ar_hashes hashes; /* file part: md5/sha1/sha256/sha512 and size of the contents */
	struct ar_multipart_tmp *tmp;
};

/* A parsed form, owned by the arena it was parsed into. */
struct ar_multipart {
	struct ar_multipart_part *parts; /* in the order received */
	size_t n_parts;
	struct ar_arena *arena;
};

/* Limits and where file parts go; zero members take the defaults. */
struct ar_multipart_opts {
	const char *spool_dir;	 /* directory for file parts; NULL rejects any part with a filename */
	size_t buf_size;	 /* read buffer; 0 = 64 KiB (tests shrink it to split boundaries) */
	size_t max_field;	 /* bytes per plain field; 0 = 1 MiB */
	size_t max_fields_total; /* bytes of all plain fields together; 0 = 4 MiB */
	uint64_t max_file;	 /* bytes per file part; 0 = no cap beyond the body length */
};

/* Extracts the boundary of a "multipart/form-data; boundary=..." header value (quoted or not) into
   arena memory. AR_EINVAL when the type is not multipart/form-data or the boundary is missing,
   empty, longer than 70 bytes or uses characters RFC 2046 forbids. */
int ar_multipart_boundary(const char **boundary, struct ar_arena *a, const char *content_type, struct ar_err *err);

/* Parses a body held in memory. *out and everything in it belong to a; temp files of file parts
   are unlinked when a is freed. AR_EINVAL for a malformed body, AR_ETOOBIG when a limit is hit,
   AR_ERROR when a spool file cannot be written. On failure no temp file survives the arena. */
int ar_multipart_parse_mem(struct ar_multipart **out, struct ar_arena *a, const char *content_type, const void *body,
			   size_t len, const struct ar_multipart_opts *opts, struct ar_err *err);

/* The same for a body spooled to a file: reads len bytes of fd from offset 0 with pread (the fd's
   own offset is left alone) through a fixed buffer, so file parts never sit in memory. */
int ar_multipart_parse_fd(struct ar_multipart **out, struct ar_arena *a, const char *content_type, int fd, uint64_t len,
			  const struct ar_multipart_opts *opts, struct ar_err *err);

/* The value of the first plain field called name, or NULL. */
const char *ar_multipart_field(const struct ar_multipart *m, const char *name);

/* The values of every plain field called name, in order, as an arena array (NULL-terminated);
 *n gets the count. NULL with *n = 0 when there is none. */
const char **ar_multipart_fields(const struct ar_multipart *m, const char *name, size_t *n);

/* The first part called name that was sent with a filename, or NULL. */
struct ar_multipart_part *ar_multipart_file(const struct ar_multipart *m, const char *name);

/* Hands a file part's temp file to the caller, who must rename or unlink it; returns its path
   (arena memory). NULL for a plain field. */
const char *ar_multipart_detach(struct ar_multipart_part *part);

/* True when a client-supplied filename is a plain basename: not empty, at most 255 bytes, no '/',
   '\\', control characters or "..", and not starting with '.'. */
bool ar_multipart_filename_ok(const char *name, size_t len);

#endif
