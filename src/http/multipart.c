/* http/multipart.c - streaming multipart/form-data parser; file parts go to spool files */
#include "http/multipart.h"

#include "core/buf.h"
#include "core/mem.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_BUF		 (64 * 1024)
#define DEFAULT_MAX_FIELD	 (1024 * 1024)
#define DEFAULT_MAX_FIELDS_TOTAL (4 * 1024 * 1024)
/* Linear white space allowed after a boundary before its CRLF (RFC 2046 transport padding). */
#define MAX_PADDING 256

struct ar_multipart_tmp {
	const char *path;
	bool is_detached;
};

static void tmp_unlink(void *arg)
{
	struct ar_multipart_tmp *t = arg;
	if (!t->is_detached)
		unlink(t->path);
}

struct parser {
	struct ar_arena *a;
	struct ar_err *err;
	struct ar_multipart_opts o;
	/* source: mem != NULL, or fd read with pread */
	const unsigned char *mem;
	int fd;
	uint64_t len, off;
	/* window over the source; bytes [start, end) are unconsumed */
	unsigned char *buf;
	size_t cap, start, end;
	bool is_eof;
	/* "\r\n--" boundary: the body is read as if preceded by CRLF so the first one matches too */
	char delim[4 + AR_MULTIPART_MAX_BOUNDARY];
	size_t dlen;
	struct ar_buf hdr, field;
	size_t fields_total;
	struct ar_multipart *m;
	size_t parts_cap;
	/* the file part being written */
	int out_fd;
	struct ar_hasher *hasher;
	struct ar_multipart_part *cur;
};

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_bchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("'()+_,-./:=? ", c));
}

static const char *skip_ows(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* Reads one `; key=value` parameter of a header value (RFC 7231 §3.1.1.1 shape). Returns 1 with
   key (borrowed) and value (unquoted, arena copy), 0 at the end, AR_EINVAL when malformed. */
static int next_param(const char **sp, const char *end, struct ar_arena *a, struct ar_str *key, char **val,
		      size_t *val_len)
{
	const char *s = skip_ows(*sp, end);
	if (s == end)
		return 0;
	if (*s != ';')
		return AR_EINVAL;
	s = skip_ows(s + 1, end);
	if (s == end) { /* a trailing ';' is harmless */
		*sp = s;
		return 0;
	}
	const char *k = s;
	while (s < end && is_tchar((unsigned char)*s))
		s++;
	if (s == k)
		return AR_EINVAL;
	*key = (struct ar_str){k, (size_t)(s - k)};
	s = skip_ows(s, end);
	if (s == end || *s != '=')
		return AR_EINVAL;
	s = skip_ows(s + 1, end);
	char *v = ar_alloc(a, (size_t)(end - s) + 1);
	size_t n = 0;
	if (s < end && *s == '"') {
		for (s++;; s++) {
			if (s == end)
				return AR_EINVAL; /* unterminated quoted-string */
			if (*s == '"')
				break;
			if (*s == '\\' && s + 1 < end)
				s++;
			v[n++] = *s;
		}
		s++;
	} else {
		while (s < end && is_tchar((unsigned char)*s))
			v[n++] = *s++;
		if (n == 0)
			return AR_EINVAL;
	}
	v[n] = '\0';
	*val = v;
	*val_len = n;
	*sp = s;
	return 1;
}

int ar_multipart_boundary(const char **boundary, struct ar_arena *a, const char *content_type, struct ar_err *err)
{
	static const char type[] = "multipart/form-data";
	if (!content_type)
		return ar_fail(err, AR_EINVAL, "missing Content-Type");
	const char *s = content_type, *end = content_type + strlen(content_type);
	s = skip_ows(s, end);
	if ((size_t)(end - s) < sizeof type - 1 || strncasecmp(s, type, sizeof type - 1) != 0)
		return ar_fail(err, AR_EINVAL, "Content-Type is not multipart/form-data");
	s += sizeof type - 1;
	if (s < end && *s != ';' && *s != ' ' && *s != '\t')
		return ar_fail(err, AR_EINVAL, "Content-Type is not multipart/form-data");
	const char *found = NULL;
	size_t found_len = 0;
	for (;;) {
		struct ar_str key;
		char *val;
		size_t val_len;
		int rc = next_param(&s, end, a, &key, &val, &val_len);
		if (rc < 0)
			return ar_fail(err, AR_EINVAL, "malformed Content-Type parameters");
		if (rc == 0)
			break;
		if (!ar_str_eq_nocase(key, "boundary"))
			continue;
		if (found)
			return ar_fail(err, AR_EINVAL, "Content-Type has two boundary parameters");
		found = val;
		found_len = val_len;
	}
	if (!found || found_len == 0)
		return ar_fail(err, AR_EINVAL, "multipart Content-Type without a boundary");
	if (found_len > AR_MULTIPART_MAX_BOUNDARY)
		return ar_fail(err, AR_EINVAL, "multipart boundary longer than %d bytes", AR_MULTIPART_MAX_BOUNDARY);
	for (size_t i = 0; i < found_len; i++)
		if (!is_bchar((unsigned char)found[i]))
			return ar_fail(err, AR_EINVAL, "multipart boundary has a forbidden character");
	if (found[found_len - 1] == ' ')
		return ar_fail(err, AR_EINVAL, "multipart boundary ends with a space");
	*boundary = found;
	return 0;
}

bool ar_multipart_filename_ok(const char *name, size_t len)
{
	if (len == 0 || len > 255 || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
			return false;
		if (c == '.' && i + 1 < len && name[i + 1] == '.')
			return false;
	}
	return true;
}

/* Moves the unconsumed bytes to the front and reads more from the source. */
static int fill(struct parser *p)
{
	if (p->start > 0) {
		memmove(p->buf, p->buf + p->start, p->end - p->start);
		p->end -= p->start;
		p->start = 0;
	}
	size_t room = p->cap - p->end;
	uint64_t left = p->len - p->off;
	if (room > left)
		room = (size_t)left;
	assert(room > 0 || left == 0); /* callers consume before asking for more */
	size_t got = 0;
	if (p->mem) {
		memcpy(p->buf + p->end, p->mem + p->off, room);
		got = room;
	} else if (room > 0) {
		ssize_t n;
		do
			n = pread(p->fd, p->buf + p->end, room, (off_t)p->off);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return ar_fail(p->err, AR_ERROR, "reading the request body: %s", strerror(errno));
		if (n == 0)
			return ar_fail(p->err, AR_ERROR, "request body file is shorter than its length");
		got = (size_t)n;
	}
	p->end += got;
	p->off += got;
	if (p->off == p->len)
		p->is_eof = true;
	return 0;
}

/* Makes at least n bytes available unless the source ends first; the caller checks. */
static int need(struct parser *p, size_t n)
{
	while (p->end - p->start < n && !p->is_eof) {
		int rc = fill(p);
		if (rc < 0)
			return rc;
	}
	return 0;
}

typedef int emit_fn(struct parser *p, const unsigned char *data, size_t len);

static int emit_discard(struct parser *p, const unsigned char *data, size_t len)
{
	return 0;
}

static int emit_field(struct parser *p, const unsigned char *data, size_t len)
{
	size_t total;
	if (len > p->o.max_field - p->field.len)
		return ar_fail(p->err, AR_ETOOBIG, "form field %.64s is larger than %zu bytes", p->cur->name,
			       p->o.max_field);
	if (!ar_add_ok(p->fields_total, len, &total) || total > p->o.max_fields_total)
		return ar_fail(p->err, AR_ETOOBIG, "form fields are larger than %zu bytes in total",
			       p->o.max_fields_total);
	if (ar_buf_add(&p->field, data, len) < 0)
		return ar_fail(p->err, AR_ETOOBIG, "form field %.64s is too large", p->cur->name);
	p->fields_total = total;
	return 0;
}

static int emit_file(struct parser *p, const unsigned char *data, size_t len)
{
	struct ar_multipart_part *part = p->cur;
	if (p->o.max_file && len > p->o.max_file - part->hashes.size)
		return ar_fail(p->err, AR_ETOOBIG, "file %.64s is larger than %llu bytes", part->filename,
			       (unsigned long long)p->o.max_file);
	ar_hasher_update(p->hasher, data, len);
	part->hashes.size += len;
	while (len > 0) {
		ssize_t n = write(p->out_fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ar_fail(p->err, AR_ERROR, "writing spool file: %s", strerror(errno));
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Hands everything before the next boundary to emit, keeping a possible partial boundary
   (dlen - 1 bytes) in the window so a boundary split across reads is still found. */
static int scan_to_boundary(struct parser *p, emit_fn *emit)
{
	for (;;) {
		size_t avail = p->end - p->start;
		const unsigned char *at = p->buf + p->start;
		const unsigned char *hit = memmem(at, avail, p->delim, p->dlen);
		int rc;
		if (hit) {
			size_t n = (size_t)(hit - at);
			if ((rc = emit(p, at, n)) < 0)
				return rc;
			p->start += n + p->dlen;
			return 0;
		}
		if (p->is_eof)
			return ar_fail(p->err, AR_EINVAL, "multipart body ends without a closing boundary");
		if (avail >= p->dlen) {
			size_t n = avail - (p->dlen - 1);
			if ((rc = emit(p, at, n)) < 0)
				return rc;
			p->start += n;
		}
		if ((rc = fill(p)) < 0)
			return rc;
	}
}

/* After a boundary: "--" ends the body; otherwise optional padding and CRLF start a part. */
static int after_boundary(struct parser *p, bool *is_last)
{
	int rc;
	if ((rc = need(p, 2)) < 0)
		return rc;
	if (p->end - p->start < 2)
		return ar_fail(p->err, AR_EINVAL, "multipart body truncated after a boundary");
	if (p->buf[p->start] == '-' && p->buf[p->start + 1] == '-') {
		*is_last = true; /* whatever follows is the epilogue, ignored */
		return 0;
	}
	for (size_t pad = 0;; pad++) {
		if ((rc = need(p, 2)) < 0)
			return rc;
		if (p->end - p->start < 2)
			return ar_fail(p->err, AR_EINVAL, "multipart body truncated after a boundary");
		unsigned char c = p->buf[p->start];
		if (c != ' ' && c != '\t')
			break;
		if (pad == MAX_PADDING)
			return ar_fail(p->err, AR_EINVAL, "malformed multipart boundary line");
		p->start++;
	}
	if (p->buf[p->start] != '\r' || p->buf[p->start + 1] != '\n')
		return ar_fail(p->err, AR_EINVAL, "malformed multipart boundary line");
	p->start += 2;
	*is_last = false;
	return 0;
}

/* Collects a part's header block up to and including the empty line. */
static int read_header_block(struct parser *p)
{
	static const char term[] = "\r\n\r\n";
	int state = 2; /* the boundary line's CRLF counts, so an empty block is just "\r\n" */
	ar_buf_reset(&p->hdr);
	for (;;) {
		if (p->start == p->end) {
			if (p->is_eof)
				return ar_fail(p->err, AR_EINVAL, "multipart body truncated in part headers");
			int rc = fill(p);
			if (rc < 0)
				return rc;
			continue;
		}
		char c = (char)p->buf[p->start++];
		if (ar_buf_addch(&p->hdr, c) < 0)
			return ar_fail(p->err, AR_ETOOBIG, "part header block larger than %d bytes",
				       AR_MULTIPART_MAX_HEADER);
		state = c == term[state] ? state + 1 : c == '\r';
		if (state == 4)
			return 0;
	}
}

static int parse_disposition(struct parser *p, const char *s, const char *end, struct ar_multipart_part *part)
{
	static const char type[] = "form-data";
	if ((size_t)(end - s) < sizeof type - 1 || strncasecmp(s, type, sizeof type - 1) != 0 ||
	    (end - s > (ptrdiff_t)sizeof type - 1 && is_tchar((unsigned char)s[sizeof type - 1])))
		return ar_fail(p->err, AR_EINVAL, "part Content-Disposition is not form-data");
	s += sizeof type - 1;
	bool has_filename = false;
	for (;;) {
		struct ar_str key;
		char *val;
		size_t val_len;
		int rc = next_param(&s, end, p->a, &key, &val, &val_len);
		if (rc < 0)
			return ar_fail(p->err, AR_EINVAL, "malformed part Content-Disposition");
		if (rc == 0)
			break;
		if (ar_str_eq_nocase(key, "name")) {
			if (part->name)
				return ar_fail(p->err, AR_EINVAL, "part has two names");
			part->name = val;
		} else if (ar_str_eq_nocase(key, "filename")) {
			if (has_filename)
				return ar_fail(p->err, AR_EINVAL, "part has two filenames");
			has_filename = true;
			/* reject rather than strip: a path here is a client bug or an attack */
			if (!ar_multipart_filename_ok(val, val_len))
				return ar_fail(p->err, AR_EINVAL, "unsafe or empty upload filename");
			part->filename = val;
		}
		/* other parameters (filename* included, which RFC 7578 says not to use) are ignored */
	}
	if (!part->name || !part->name[0])
		return ar_fail(p->err, AR_EINVAL, "part without a name");
	return 0;
}

/* Parses the header block: Content-Disposition is required, Content-Type optional, rest ignored. */
static int parse_headers(struct parser *p, struct ar_multipart_part *part)
{
	const char *s = p->hdr.ptr, *end = p->hdr.ptr + p->hdr.len;
	bool has_disposition = false;
	/* the whole block is checked first so a folded or dirty line is reported as such */
	for (const char *c = s; c < end - 2; c++) {
		if (c[0] == '\r' && c[1] == '\n' && (c[2] == ' ' || c[2] == '\t'))
			return ar_fail(p->err, AR_EINVAL, "folded part header");
		if (((unsigned char)*c < 0x20 && *c != '\t' && !(c[0] == '\r' && c[1] == '\n') &&
		     !(c[0] == '\n' && c > s && c[-1] == '\r')) ||
		    *c == 0x7f)
			return ar_fail(p->err, AR_EINVAL, "control character in part header");
	}
	if (*s == ' ' || *s == '\t')
		return ar_fail(p->err, AR_EINVAL, "folded part header");
	for (;;) {
		const char *eol = memmem(s, (size_t)(end - s), "\r\n", 2);
		assert(eol); /* the block ends with CRLF */
		if (eol == s)
			break;
		const char *colon = s;
		while (colon < eol && is_tchar((unsigned char)*colon))
			colon++;
		if (colon == s || colon == eol || *colon != ':')
			return ar_fail(p->err, AR_EINVAL, "malformed part header");
		struct ar_str hname = {s, (size_t)(colon - s)};
		const char *v = skip_ows(colon + 1, eol), *vend = eol;
		while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		if (ar_str_eq_nocase(hname, "Content-Disposition")) {
			if (has_disposition)
				return ar_fail(p->err, AR_EINVAL, "part has two Content-Disposition headers");
			has_disposition = true;
			int rc = parse_disposition(p, v, vend, part);
			if (rc < 0)
				return rc;
		} else if (ar_str_eq_nocase(hname, "Content-Type")) {
			if (part->content_type)
				return ar_fail(p->err, AR_EINVAL, "part has two Content-Type headers");
			part->content_type = ar_strndup(p->a, v, (size_t)(vend - v));
		}
		s = eol + 2;
	}
	if (!has_disposition)
		return ar_fail(p->err, AR_EINVAL, "part without Content-Disposition");
	return 0;
}

static struct ar_multipart_part *new_part(struct parser *p)
{
	struct ar_multipart *m = p->m;
	m->parts = ar_grow(p->a, m->parts, &p->parts_cap, m->n_parts, sizeof *m->parts);
	return &m->parts[m->n_parts++];
}

static int read_file_part(struct parser *p, struct ar_multipart_part *part)
{
	if (!p->o.spool_dir)
		return ar_fail(p->err, AR_EINVAL, "file part %.64s not accepted here", part->name);
	char *path = ar_printf(p->a, "%s/arca-upload-XXXXXX", p->o.spool_dir);
	p->out_fd = mkostemp(path, O_CLOEXEC); /* mode 0600 */
	if (p->out_fd < 0)
		return ar_fail(p->err, AR_ERROR, "cannot create a spool file in %s: %s", p->o.spool_dir,
			       strerror(errno));
	struct ar_multipart_tmp *tmp = ar_alloc(p->a, sizeof *tmp);
	tmp->path = path;
	ar_arena_defer(p->a, tmp_unlink, tmp);
	part->path = path;
	part->tmp = tmp;
	p->hasher = ar_hasher_new();
	int rc = scan_to_boundary(p, emit_file);
	if (rc < 0)
		return rc;
	ar_hasher_final(p->hasher, &part->hashes);
	p->hasher = NULL;
	rc = close(p->out_fd);
	p->out_fd = -1;
	if (rc < 0)
		return ar_fail(p->err, AR_ERROR, "writing spool file: %s", strerror(errno));
	return 0;
}

static int read_field_part(struct parser *p, struct ar_multipart_part *part)
{
	ar_buf_reset(&p->field);
	int rc = scan_to_boundary(p, emit_field);
	if (rc < 0)
		return rc;
	part->value = ar_strndup(p->a, p->field.ptr, p->field.len);
	part->value_len = p->field.len;
	return 0;
}

static int parse(struct ar_multipart **out, struct parser *p, const char *content_type)
{
	const char *boundary;
	int rc = ar_multipart_boundary(&boundary, p->a, content_type, p->err);
	if (rc < 0)
		return rc;
	size_t blen = strlen(boundary);
	memcpy(p->delim, "\r\n--", 4);
	memcpy(p->delim + 4, boundary, blen);
	p->dlen = 4 + blen;

	if (!p->o.buf_size)
		p->o.buf_size = DEFAULT_BUF;
	if (!p->o.max_field)
		p->o.max_field = DEFAULT_MAX_FIELD;
	if (!p->o.max_fields_total)
		p->o.max_fields_total = DEFAULT_MAX_FIELDS_TOTAL;
	/* the window must hold a whole boundary line head to make progress */
	p->cap = p->o.buf_size < 2 * p->dlen ? 2 * p->dlen : p->o.buf_size;
	p->buf = ar_xmalloc(p->cap);
	p->buf[0] = '\r';
	p->buf[1] = '\n';
	p->end = 2;
	p->is_eof = p->len == 0;
	ar_buf_init(&p->hdr, AR_MULTIPART_MAX_HEADER);
	ar_buf_init(&p->field, p->o.max_field);
	p->m = ar_alloc(p->a, sizeof *p->m);
	p->m->arena = p->a;

	/* the preamble before the first boundary is ignored */
	if ((rc = scan_to_boundary(p, emit_discard)) < 0)
		return rc == AR_EINVAL ? ar_fail(p->err, AR_EINVAL, "multipart body has no boundary") : rc;
	for (;;) {
		bool is_last = false;
		if ((rc = after_boundary(p, &is_last)) < 0)
			return rc;
		if (is_last)
			break;
		if (p->m->n_parts == AR_MULTIPART_MAX_PARTS)
			return ar_fail(p->err, AR_ETOOBIG, "more than %d parts in the form", AR_MULTIPART_MAX_PARTS);
		if ((rc = read_header_block(p)) < 0)
			return rc;
		struct ar_multipart_part *part = new_part(p);
		p->cur = part;
		if ((rc = parse_headers(p, part)) < 0)
			return rc;
		rc = part->filename ? read_file_part(p, part) : read_field_part(p, part);
		if (rc < 0)
			return rc;
	}
	*out = p->m;
	return 0;
}

static int run(struct ar_multipart **out, struct parser *p, const char *content_type)
{
	int rc = parse(out, p, content_type);
	if (p->out_fd >= 0)
		close(p->out_fd);
	ar_hasher_free(p->hasher);
	ar_buf_release(&p->hdr);
	ar_buf_release(&p->field);
	free(p->buf);
	return rc;
}

int ar_multipart_parse_mem(struct ar_multipart **out, struct ar_arena *a, const char *content_type, const void *body,
			   size_t len, const struct ar_multipart_opts *opts, struct ar_err *err)
{
	static const unsigned char empty[1];
	struct parser p = {.a = a, .err = err, .mem = body ? body : empty, .fd = -1, .len = len, .out_fd = -1};
	if (opts)
		p.o = *opts;
	return run(out, &p, content_type);
}

int ar_multipart_parse_fd(struct ar_multipart **out, struct ar_arena *a, const char *content_type, int fd, uint64_t len,
			  const struct ar_multipart_opts *opts, struct ar_err *err)
{
	struct parser p = {.a = a, .err = err, .fd = fd, .len = len, .out_fd = -1};
	if (opts)
		p.o = *opts;
	return run(out, &p, content_type);
}

const char *ar_multipart_field(const struct ar_multipart *m, const char *name)
{
	for (size_t i = 0; i < m->n_parts; i++)
		if (!m->parts[i].filename && strcmp(m->parts[i].name, name) == 0)
			return m->parts[i].value;
	return NULL;
}

const char **ar_multipart_fields(const struct ar_multipart *m, const char *name, size_t *n)
{
	size_t count = 0;
	for (size_t i = 0; i < m->n_parts; i++)
		if (!m->parts[i].filename && strcmp(m->parts[i].name, name) == 0)
			count++;
	*n = count;
	if (count == 0)
		return NULL;
	const char **v = ar_alloc_array(m->arena, count + 1, sizeof *v);
	count = 0;
	for (size_t i = 0; i < m->n_parts; i++)
		if (!m->parts[i].filename && strcmp(m->parts[i].name, name) == 0)
			v[count++] = m->parts[i].value;
	return v;
}

struct ar_multipart_part *ar_multipart_file(const struct ar_multipart *m, const char *name)
{
	for (size_t i = 0; i < m->n_parts; i++)
		if (m->parts[i].filename && strcmp(m->parts[i].name, name) == 0)
			return &m->parts[i];
	return NULL;
}

const char *ar_multipart_detach(struct ar_multipart_part *part)
{
	if (!part->tmp)
		return NULL;
	part->tmp->is_detached = true;
	return part->path;
}
