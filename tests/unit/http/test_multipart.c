/* tests/unit/http/test_multipart.c - multipart/form-data parsing from memory and spooled files */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"
#include "http/multipart.h"

#define CT "multipart/form-data; boundary=XbOuNdArY"

static char spool[64];

static int setup(void **state)
{
	snprintf(spool, sizeof spool, "/tmp/arca-test-mp-XXXXXX");
	return mkdtemp(spool) ? 0 : -1;
}

static int spool_count(void)
{
	DIR *d = opendir(spool);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int teardown(void **state)
{
	assert_int_equal(spool_count(), 0); /* every test leaves the spool dir empty */
	return rmdir(spool);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct ar_buf b;
	ar_buf_init(&b, 0);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		assert_int_equal(ar_buf_add(&b, chunk, n), 0);
	fclose(f);
	return ar_buf_detach(&b, len);
}

static struct ar_hashes hashes_of(const void *data, size_t len)
{
	struct ar_hashes h;
	struct ar_hasher *hs = ar_hasher_new();
	ar_hasher_update(hs, data, len);
	ar_hasher_final(hs, &h);
	return h;
}

static void add_field(struct ar_buf *b, const char *boundary, const char *name, const char *value)
{
	assert_int_equal(ar_buf_printf(b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", boundary,
				       name, value),
			 0);
}

static void add_file(struct ar_buf *b, const char *boundary, const char *name, const char *filename, const void *data,
		     size_t len)
{
	assert_int_equal(ar_buf_printf(b,
				       "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
				       "Content-Type: application/octet-stream\r\n\r\n",
				       boundary, name, filename),
			 0);
	assert_int_equal(ar_buf_add(b, data, len), 0);
	assert_int_equal(ar_buf_adds(b, "\r\n"), 0);
}

static void add_end(struct ar_buf *b, const char *boundary)
{
	assert_int_equal(ar_buf_printf(b, "--%s--\r\n", boundary), 0);
}

/* Content that keeps nearly matching the boundary, so a naive or off-by-one search breaks. */
static unsigned char *tricky_content(size_t len, const char *boundary)
{
	unsigned char *p = malloc(len);
	assert_non_null(p);
	uint32_t x = 12345;
	char near[96];
	int nl = snprintf(near, sizeof near, "\r\n--%.*s", (int)strlen(boundary) - 1, boundary);
	for (size_t i = 0; i < len;) {
		x = x * 1103515245u + 12345u;
		if ((x >> 16) % 97 == 0 && i + (size_t)nl <= len) {
			memcpy(p + i, near, (size_t)nl); /* a boundary missing its last byte */
			i += (size_t)nl;
			if (i < len)
				p[i++] = '!'; /* never the missing byte, so no real boundary forms */
		} else {
			p[i++] = (unsigned char)(x >> 24);
		}
	}
	return p;
}

static void test_boundary_header(void **state)
{
	static const struct {
		const char *ct;
		const char *want; /* NULL: must fail with AR_EINVAL */
	} cases[] = {
		{"multipart/form-data; boundary=abc", "abc"},
		{"Multipart/Form-Data;BOUNDARY=abc", "abc"},
		{"multipart/form-data; charset=utf-8; boundary=\"a b'()+_,-./:=?\"", "a b'()+_,-./:=?"},
		{"multipart/form-data; boundary=\"quoted\";", "quoted"},
		{"multipart/form-data; boundary=0123456789012345678901234567890123456789012345678901234567890123456789",
		 "0123456789012345678901234567890123456789012345678901234567890123456789"},
		{"multipart/form-data; "
		 "boundary=01234567890123456789012345678901234567890123456789012345678901234567890",
		 NULL},
		{"multipart/form-data", NULL},
		{"multipart/form-data; boundary=", NULL},
		{"multipart/form-data; boundary=\"\"", NULL},
		{"multipart/form-data; boundary=\"abc", NULL},
		{"multipart/form-data; boundary=\"trailing \"", NULL},
		{"multipart/form-data; boundary=\"a@b\"", NULL},
		{"multipart/form-data; boundary=a; boundary=b", NULL},
		{"multipart/mixed; boundary=abc", NULL},
		{"multipart/form-dataX; boundary=abc", NULL},
		{"application/json", NULL},
		{"multipart/form-data; boundary abc", NULL},
		{NULL, NULL},
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *b = NULL;
		struct ar_err err = {0};
		int rc = ar_multipart_boundary(&b, a, cases[i].ct, &err);
		if (cases[i].want) {
			assert_int_equal(rc, 0);
			assert_string_equal(b, cases[i].want);
		} else {
			assert_int_equal(rc, AR_EINVAL);
			assert_int_equal(err.code, AR_EINVAL);
			assert_true(err.msg[0] != '\0');
		}
	}
	ar_arena_free(a);
}

static void test_filename_ok(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{"demo_pkg-1.0-py3-none-any.whl", true},
		{"demo-1.0.tar.gz", true},
		{"naïve.txt", true},
		{"", false},
		{".hidden", false},
		{"..", false},
		{"a/b.whl", false},
		{"a\\b.whl", false},
		{"x..y", false},
		{"../etc/passwd", false},
		{"C:\\x\\y.whl", false},
		{"tab\there", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(ar_multipart_filename_ok(cases[i].name, strlen(cases[i].name)), cases[i].ok);
	assert_false(ar_multipart_filename_ok("a\0b", 3));
	char long_name[300];
	memset(long_name, 'a', sizeof long_name);
	assert_true(ar_multipart_filename_ok(long_name, 255));
	assert_false(ar_multipart_filename_ok(long_name, 256));
}

/* A twine-style upload: identity fields, repeated list fields, and the dist as a file part. */
static void test_twine_upload_in_memory(void **state)
{
	static const char wheel[] = "PK\x03\x04 pretend wheel bytes\r\n--XbOuNdAr not quite\r\n";
	struct ar_buf b;
	ar_buf_init(&b, 0);
	assert_int_equal(ar_buf_adds(&b, "preamble is ignored\r\n"), 0);
	add_field(&b, "XbOuNdArY", ":action", "file_upload");
	add_field(&b, "XbOuNdArY", "protocol_version", "1");
	add_field(&b, "XbOuNdArY", "name", "demo-pkg");
	add_field(&b, "XbOuNdArY", "version", "1.0");
	add_field(&b, "XbOuNdArY", "classifiers", "Programming Language :: Python :: 3");
	add_field(&b, "XbOuNdArY", "classifiers", "License :: OSI Approved :: MIT License");
	add_field(&b, "XbOuNdArY", "requires_dist", "requests>=2.0");
	add_field(&b, "XbOuNdArY", "description", "line one\r\n\r\n--not-the-boundary\r\nline four");
	add_field(&b, "XbOuNdArY", "comment", "");
	add_file(&b, "XbOuNdArY", "content", "demo_pkg-1.0-py3-none-any.whl", wheel, sizeof wheel - 1);
	add_end(&b, "XbOuNdArY");
	assert_int_equal(ar_buf_adds(&b, "epilogue, also ignored"), 0);

	struct ar_arena *a = ar_arena_new();
	struct ar_multipart *m = NULL;
	struct ar_err err = {0};
	struct ar_multipart_opts opts = {.spool_dir = spool};
	assert_int_equal(ar_multipart_parse_mem(&m, a, CT, b.ptr, b.len, &opts, &err), 0);
	assert_int_equal(m->n_parts, 10);
	assert_string_equal(ar_multipart_field(m, ":action"), "file_upload");
	assert_string_equal(ar_multipart_field(m, "name"), "demo-pkg");
	assert_string_equal(ar_multipart_field(m, "comment"), "");
	assert_string_equal(ar_multipart_field(m, "description"), "line one\r\n\r\n--not-the-boundary\r\nline four");
	assert_null(ar_multipart_field(m, "missing"));
	assert_null(ar_multipart_field(m, "content")); /* a file part is not a plain field */
	size_t n;
	const char **cls = ar_multipart_fields(m, "classifiers", &n);
	assert_int_equal(n, 2);
	assert_string_equal(cls[0], "Programming Language :: Python :: 3");
	assert_string_equal(cls[1], "License :: OSI Approved :: MIT License");
	assert_null(cls[2]);
	assert_null(ar_multipart_fields(m, "nope", &n));
	assert_int_equal(n, 0);

	struct ar_multipart_part *f = ar_multipart_file(m, "content");
	assert_non_null(f);
	assert_string_equal(f->filename, "demo_pkg-1.0-py3-none-any.whl");
	assert_string_equal(f->content_type, "application/octet-stream");
	assert_null(f->value);
	struct ar_hashes want = hashes_of(wheel, sizeof wheel - 1);
	assert_int_equal(f->hashes.size, sizeof wheel - 1);
	assert_string_equal(f->hashes.sha256, want.sha256);
	assert_string_equal(f->hashes.md5, want.md5);
	assert_string_equal(f->hashes.sha1, want.sha1);
	assert_string_equal(f->hashes.sha512, want.sha512);
	size_t len;
	char *got = slurp(f->path, &len);
	assert_int_equal(len, sizeof wheel - 1);
	assert_memory_equal(got, wheel, len);
	free(got);
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(strncmp(f->path, spool, strlen(spool)), 0);
	assert_int_equal(spool_count(), 1);
	ar_arena_free(a);
	assert_int_equal(spool_count(), 0); /* the temp file went with the arena */
	ar_buf_release(&b);
}

/* Builds a body of fields and large tricky files, then parses it from a file with many buffer
   sizes: boundaries land at every offset relative to the reads and must all be found. */
static void test_split_boundaries_from_file(void **state)
{
	const char *boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
	size_t sizes[] = {0, 1, 70000, 3, 131072 + 17};
	unsigned char *content[5];
	struct ar_buf b;
	ar_buf_init(&b, 0);
	add_field(&b, boundary, "name", "big");
	for (size_t i = 0; i < 5; i++) {
		content[i] = tricky_content(sizes[i] ? sizes[i] : 1, boundary);
		char fn[32];
		snprintf(fn, sizeof fn, "file%zu.bin", i);
		add_file(&b, boundary, "content", fn, content[i], sizes[i]);
		add_field(&b, boundary, "after", fn);
	}
	add_end(&b, boundary);

	char path[] = "/tmp/arca-test-body-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, b.ptr, b.len), (ssize_t)b.len);
	assert_int_equal(lseek(fd, 5, SEEK_SET), 5); /* parsing must not depend on the fd offset */

	char ct[128];
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", boundary);
	size_t bufs[] = {1, 2, 41, 42, 43, 80, 81, 82, 83, 97, 1000, 4096, 65535, 0};
	for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++) {
		for (int from_mem = 0; from_mem < 2; from_mem++) {
			struct ar_arena *a = ar_arena_new();
			struct ar_multipart *m;
			struct ar_err err = {0};
			struct ar_multipart_opts opts = {.spool_dir = spool, .buf_size = bufs[k]};
			int rc = from_mem ? ar_multipart_parse_mem(&m, a, ct, b.ptr, b.len, &opts, &err)
					  : ar_multipart_parse_fd(&m, a, ct, fd, b.len, &opts, &err);
			if (rc != 0)
				fail_msg("buf %zu mem %d: %s", bufs[k], from_mem, err.msg);
			assert_int_equal(m->n_parts, 11);
			assert_string_equal(ar_multipart_field(m, "name"), "big");
			size_t n;
			const char **after = ar_multipart_fields(m, "after", &n);
			assert_int_equal(n, 5);
			for (size_t i = 0; i < 5; i++) {
				struct ar_multipart_part *p = &m->parts[1 + 2 * i];
				assert_non_null(p->filename);
				assert_string_equal(after[i], p->filename);
				struct ar_hashes want = hashes_of(content[i], sizes[i]);
				assert_int_equal(p->hashes.size, sizes[i]);
				assert_string_equal(p->hashes.sha256, want.sha256);
				assert_string_equal(p->hashes.sha512, want.sha512);
				size_t len;
				char *got = slurp(p->path, &len);
				assert_int_equal(len, sizes[i]);
				if (len)
					assert_memory_equal(got, content[i], len);
				free(got);
			}
			ar_arena_free(a);
		}
	}
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 5);

	/* a body file shorter than the length it claims is an I/O problem, not a client error */
	struct ar_arena *a = ar_arena_new();
	struct ar_multipart *m;
	struct ar_err err = {0};
	struct ar_multipart_opts opts = {.spool_dir = spool};
	char short_path[] = "/tmp/arca-test-short-XXXXXX";
	int short_fd = mkstemp(short_path);
	assert_true(short_fd >= 0);
	unlink(short_path);
	assert_int_equal(write(short_fd, b.ptr, b.len / 2), (ssize_t)(b.len / 2));
	assert_int_equal(ar_multipart_parse_fd(&m, a, ct, short_fd, b.len, &opts, &err), AR_ERROR);
	assert_non_null(strstr(err.msg, "shorter"));
	ar_arena_free(a);
	close(short_fd);

	close(fd);
	for (size_t i = 0; i < 5; i++)
		free(content[i]);
	ar_buf_release(&b);
}

/* Shifts a small body by every offset over a few read windows, with the smallest window the
   parser allows, so every boundary lands at every position relative to a read. */
static void test_boundary_at_every_offset(void **state)
{
	const char *boundaries[] = {"b", "b0undary", "----WebKitFormBoundary7MA4YWxkTrZu0gW"};
	for (size_t bi = 0; bi < sizeof boundaries / sizeof boundaries[0]; bi++) {
		const char *boundary = boundaries[bi];
		size_t dlen = 4 + strlen(boundary);
		unsigned char *content = tricky_content(3 * dlen, boundary);
		char ct[128];
		snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", boundary);
		for (size_t shift = 0; shift < 6 * dlen; shift++) {
			if (shift == 1)
				continue; /* a lone "\n" cannot be a preamble */
			struct ar_buf b;
			ar_buf_init(&b, 0);
			for (size_t i = 0; i < shift; i++) /* a preamble ends with the CRLF before "--" */
				assert_int_equal(ar_buf_addch(&b, i + 2 < shift ? 'p' : "\r\n"[i + 2 - shift]), 0);
			add_field(&b, boundary, "a", "1");
			add_file(&b, boundary, "f", "f.bin", content, 3 * dlen);
			add_field(&b, boundary, "b", "\r\n-");
			add_field(&b, boundary, "c", "");
			add_end(&b, boundary);
			struct ar_arena *a = ar_arena_new();
			struct ar_multipart *m;
			struct ar_err err = {0};
			struct ar_multipart_opts opts = {.spool_dir = spool, .buf_size = 1};
			if (ar_multipart_parse_mem(&m, a, ct, b.ptr, b.len, &opts, &err) != 0)
				fail_msg("boundary %s shift %zu: %s", boundary, shift, err.msg);
			if (m->n_parts != 4)
				fail_msg("boundary %s shift %zu: %zu parts", boundary, shift, m->n_parts);
			assert_string_equal(ar_multipart_field(m, "a"), "1");
			assert_string_equal(ar_multipart_field(m, "b"), "\r\n-");
			assert_string_equal(ar_multipart_field(m, "c"), "");
			struct ar_hashes want = hashes_of(content, 3 * dlen);
			assert_string_equal(ar_multipart_file(m, "f")->hashes.sha256, want.sha256);
			ar_arena_free(a);
			ar_buf_release(&b);
		}
		free(content);
	}
}

static void test_quoted_boundary_and_padding(void **state)
{
	const char *body = "--a b:c?\r\n"
			   "content-disposition: FORM-DATA; name=tok; filename=\"q\\\"uote\\\\d.txt\"\r\n"
			   "X-Ignored: yes\r\n"
			   "\r\n"
			   "hello\r\n"
			   "--a b:c? \t \r\n"
			   "Content-Disposition: form-data; name=\"\xc3\xa9t\xc3\xa9\"\r\n"
			   "Content-Type: text/plain; charset=utf-8\r\n"
			   "\r\n"
			   "x\r\n"
			   "--a b:c?--";
	struct ar_arena *a = ar_arena_new();
	struct ar_multipart *m;
	struct ar_err err = {0};
	struct ar_multipart_opts opts = {.spool_dir = spool};
	assert_int_equal(ar_multipart_parse_mem(&m, a, "multipart/form-data; boundary=\"a b:c?\"", body, strlen(body),
						&opts, &err),
			 AR_EINVAL); /* the quoted filename unescapes to q"uote\d.txt: a backslash */
	assert_non_null(strstr(err.msg, "filename"));

	body = "--a b:c?\r\n"
	       "content-disposition: FORM-DATA; name=tok; filename=\"q\\\"uote.txt\"\r\n"
	       "X-Ignored: yes\r\n"
	       "\r\n"
	       "hello\r\n"
	       "--a b:c? \t \r\n"
	       "Content-Disposition: form-data; name=\"\xc3\xa9t\xc3\xa9\"\r\n"
	       "Content-Type: text/plain; charset=utf-8\r\n"
	       "\r\n"
	       "x\r\n"
	       "--a b:c?--";
	assert_int_equal(ar_multipart_parse_mem(&m, a, "multipart/form-data; boundary=\"a b:c?\"", body, strlen(body),
						&opts, &err),
			 0);
	assert_int_equal(m->n_parts, 2);
	assert_string_equal(m->parts[0].name, "tok");
	assert_string_equal(m->parts[0].filename, "q\"uote.txt");
	assert_null(m->parts[0].content_type);
	assert_int_equal(m->parts[0].hashes.size, 5);
	assert_string_equal(m->parts[1].name, "\xc3\xa9t\xc3\xa9");
	assert_string_equal(m->parts[1].content_type, "text/plain; charset=utf-8");
	assert_string_equal(ar_multipart_field(m, "\xc3\xa9t\xc3\xa9"), "x");
	ar_arena_free(a);
}

static void test_detach_keeps_file(void **state)
{
	struct ar_buf b;
	ar_buf_init(&b, 0);
	add_file(&b, "XbOuNdArY", "content", "a.tar.gz", "abc", 3);
	add_file(&b, "XbOuNdArY", "gpg_signature", "a.tar.gz.asc", "sig", 3);
	add_end(&b, "XbOuNdArY");
	struct ar_arena *a = ar_arena_new();
	struct ar_multipart *m;
	struct ar_err err = {0};
	struct ar_multipart_opts opts = {.spool_dir = spool};
	assert_int_equal(ar_multipart_parse_mem(&m, a, CT, b.ptr, b.len, &opts, &err), 0);
	struct ar_multipart_part *f = ar_multipart_file(m, "content");
	char *kept = strdup(ar_multipart_detach(f));
	assert_int_equal(spool_count(), 2);
	ar_arena_free(a);
	assert_int_equal(spool_count(), 1); /* the signature went, the detached dist stayed */
	size_t len;
	char *got = slurp(kept, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(got, "abc", 3);
	free(got);
	assert_int_equal(unlink(kept), 0);
	free(kept);

	a = ar_arena_new();
	assert_int_equal(ar_multipart_parse_mem(&m, a, CT, b.ptr, b.len, &opts, &err), 0);
	assert_null(ar_multipart_file(m, "nope"));
	ar_arena_free(a);
	ar_buf_release(&b);
}

static void expect_fail(const char *body, size_t len, const struct ar_multipart_opts *opts, int code,
			const char *msg_part)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_multipart *m = NULL;
	struct ar_err err = {0};
	int rc = ar_multipart_parse_mem(&m, a, CT, body, len, opts, &err);
	if (rc != code || !strstr(err.msg, msg_part))
		fail_msg("body %.60s: got %d '%s', want %d '%s'", body, rc, err.msg, code, msg_part);
	assert_null(m);
	ar_arena_free(a);
}

static void test_malformed_bodies(void **state)
{
	static const struct {
		const char *body;
		const char *msg;
	} cases[] = {
		{"", "no boundary"},
		{"just text", "no boundary"},
		{"--XbOuNdArY", "truncated"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue", "closing boundary"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue\r\n--XbOuNdArY", "truncated"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a\r\n", "truncated in part headers"},
		{"--XbOuNdArY\r\n\r\nvalue\r\n--XbOuNdArY--", "without Content-Disposition"},
		{"--XbOuNdArY\r\nContent-Type: text/plain\r\n\r\nv\r\n--XbOuNdArY--", "without Content-Disposition"},
		{"--XbOuNdArYx\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XbOuNdArY--", "boundary line"},
		{"--XbOuNdArY\nContent-Disposition: form-data; name=a\n\nv\n--XbOuNdArY--", "boundary line"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XbOuNdArY--", "without a name"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--XbOuNdArY--",
		 "without a name"},
		{"--XbOuNdArY\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--XbOuNdArY--", "not form-data"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--XbOuNdArY--", "malformed"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nv\r\n--XbOuNdArY--",
		 "two names"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nv\r\n--XbOuNdArY--", "folded"},
		{"--XbOuNdArY\r\nno colon here\r\n\r\nv\r\n--XbOuNdArY--", "malformed part header"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a\rb\r\n\r\nv\r\n--XbOuNdArY--", "control"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; "
		 "name=b\r\n\r\nv\r\n--XbOuNdArY--",
		 "two Content-Disposition"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a; "
		 "filename=\"../x.whl\"\r\n\r\nv\r\n--XbOuNdArY--",
		 "filename"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a; "
		 "filename=\"d/x.whl\"\r\n\r\nv\r\n--XbOuNdArY--",
		 "filename"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a; filename=\".x\"\r\n\r\nv\r\n--XbOuNdArY--",
		 "filename"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a; filename=\"\"\r\n\r\nv\r\n--XbOuNdArY--",
		 "filename"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a; filename=\"C:\\\\x.whl\"\r\n\r\nv\r\n"
		 "--XbOuNdArY--",
		 "filename"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a; filename=x; filename=y\r\n\r\nv\r\n"
		 "--XbOuNdArY--",
		 "two filenames"},
		{"--XbOuNdArY\r\nContent-Disposition: form-data; name=a; filename=x.whl\r\n\r\nabc",
		 "closing boundary"},
	};
	struct ar_multipart_opts opts = {.spool_dir = spool};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_fail(cases[i].body, strlen(cases[i].body), &opts, AR_EINVAL, cases[i].msg);
	/* without a spool dir, file parts are refused */
	const char *file = "--XbOuNdArY\r\nContent-Disposition: form-data; name=a; filename=x.whl\r\n\r\nv\r\n"
			   "--XbOuNdArY--";
	expect_fail(file, strlen(file), NULL, AR_EINVAL, "not accepted");
	/* a spool dir that does not exist is a server problem */
	struct ar_multipart_opts bad = {.spool_dir = "/nonexistent/arca-spool"};
	expect_fail(file, strlen(file), &bad, AR_ERROR, "spool");
	/* a closing boundary alone is an empty form, which is well-formed */
	struct ar_arena *a = ar_arena_new();
	struct ar_multipart *m;
	assert_int_equal(ar_multipart_parse_mem(&m, a, CT, "--XbOuNdArY--", 13, NULL, NULL), 0);
	assert_int_equal(m->n_parts, 0);
	ar_arena_free(a);
}

static void test_limits(void **state)
{
	struct ar_buf b;
	struct ar_multipart_opts opts = {.spool_dir = spool};

	/* 128 parts are fine, 129 are not */
	ar_buf_init(&b, 0);
	for (int i = 0; i < 128; i++)
		add_field(&b, "XbOuNdArY", "f", "v");
	size_t ok_len = b.len;
	add_end(&b, "XbOuNdArY");
	struct ar_arena *a = ar_arena_new();
	struct ar_multipart *m;
	assert_int_equal(ar_multipart_parse_mem(&m, a, CT, b.ptr, b.len, &opts, NULL), 0);
	assert_int_equal(m->n_parts, 128);
	ar_arena_free(a);
	b.len = ok_len;
	add_field(&b, "XbOuNdArY", "f", "v");
	add_end(&b, "XbOuNdArY");
	expect_fail(b.ptr, b.len, &opts, AR_ETOOBIG, "parts");
	ar_buf_release(&b);

	/* one field over its cap; the default cap is 1 MiB */
	ar_buf_init(&b, 0);
	add_field(&b, "XbOuNdArY", "description", "0123456789");
	add_end(&b, "XbOuNdArY");
	struct ar_multipart_opts small = {.spool_dir = spool, .max_field = 9};
	expect_fail(b.ptr, b.len, &small, AR_ETOOBIG, "description");
	small.max_field = 10;
	a = ar_arena_new();
	assert_int_equal(ar_multipart_parse_mem(&m, a, CT, b.ptr, b.len, &small, NULL), 0);
	ar_arena_free(a);
	ar_buf_release(&b);

	char *big = malloc(1024 * 1024 + 2);
	memset(big, 'd', 1024 * 1024 + 1);
	big[1024 * 1024 + 1] = '\0';
	ar_buf_init(&b, 0);
	add_field(&b, "XbOuNdArY", "description", big);
	add_end(&b, "XbOuNdArY");
	expect_fail(b.ptr, b.len, &opts, AR_ETOOBIG, "larger than 1048576");
	ar_buf_release(&b);
	free(big);

	/* the total over all fields */
	ar_buf_init(&b, 0);
	for (int i = 0; i < 4; i++)
		add_field(&b, "XbOuNdArY", "f", "12345");
	add_end(&b, "XbOuNdArY");
	struct ar_multipart_opts total = {.spool_dir = spool, .max_fields_total = 19};
	expect_fail(b.ptr, b.len, &total, AR_ETOOBIG, "in total");
	total.max_fields_total = 20;
	a = ar_arena_new();
	assert_int_equal(ar_multipart_parse_mem(&m, a, CT, b.ptr, b.len, &total, NULL), 0);
	ar_arena_free(a);
	ar_buf_release(&b);

	/* a header block over 16 KiB */
	ar_buf_init(&b, 0);
	assert_int_equal(ar_buf_adds(&b, "--XbOuNdArY\r\nContent-Disposition: form-data; name=a\r\nX-Pad: "), 0);
	for (int i = 0; i < AR_MULTIPART_MAX_HEADER; i++)
		assert_int_equal(ar_buf_addch(&b, 'p'), 0);
	assert_int_equal(ar_buf_adds(&b, "\r\n\r\nv\r\n--XbOuNdArY--"), 0);
	expect_fail(b.ptr, b.len, &opts, AR_ETOOBIG, "header block");
	ar_buf_release(&b);

	/* a file over max_file; its half-written temp file must not survive */
	ar_buf_init(&b, 0);
	add_file(&b, "XbOuNdArY", "content", "x.whl", "0123456789", 10);
	add_end(&b, "XbOuNdArY");
	struct ar_multipart_opts file_cap = {.spool_dir = spool, .max_file = 9, .buf_size = 1};
	expect_fail(b.ptr, b.len, &file_cap, AR_ETOOBIG, "x.whl");
	file_cap.max_file = 10;
	a = ar_arena_new();
	assert_int_equal(ar_multipart_parse_mem(&m, a, CT, b.ptr, b.len, &file_cap, NULL), 0);
	ar_arena_free(a);
	ar_buf_release(&b);

	/* transport padding is bounded */
	ar_buf_init(&b, 0);
	assert_int_equal(ar_buf_adds(&b, "--XbOuNdArY"), 0);
	for (int i = 0; i < 300; i++)
		assert_int_equal(ar_buf_addch(&b, ' '), 0);
	assert_int_equal(ar_buf_adds(&b, "\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XbOuNdArY--"), 0);
	expect_fail(b.ptr, b.len, &opts, AR_EINVAL, "boundary line");
	ar_buf_release(&b);
}

/* A failure after a file part was spooled leaves nothing behind once the arena goes. */
static void test_failure_cleans_spool(void **state)
{
	struct ar_buf b;
	ar_buf_init(&b, 0);
	add_file(&b, "XbOuNdArY", "content", "x.whl", "data", 4);
	assert_int_equal(ar_buf_adds(&b, "--XbOuNdArY\r\nBroken header\r\n\r\n"), 0);
	struct ar_arena *a = ar_arena_new();
	struct ar_multipart *m = NULL;
	struct ar_err err = {0};
	struct ar_multipart_opts opts = {.spool_dir = spool};
	assert_int_equal(ar_multipart_parse_mem(&m, a, CT, b.ptr, b.len, &opts, &err), AR_EINVAL);
	assert_int_equal(spool_count(), 1);
	ar_arena_free(a);
	assert_int_equal(spool_count(), 0);
	ar_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary_header),
		cmocka_unit_test(test_filename_ok),
		cmocka_unit_test(test_twine_upload_in_memory),
		cmocka_unit_test(test_split_boundaries_from_file),
		cmocka_unit_test(test_boundary_at_every_offset),
		cmocka_unit_test(test_quoted_boundary_and_padding),
		cmocka_unit_test(test_detach_keeps_file),
		cmocka_unit_test(test_malformed_bodies),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_failure_cleans_spool),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
