/* tests/unit/formats/test_pypi_upstream_parse.c - upstream simple pages (PEP 691 JSON, PEP 503 HTML) into files */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "formats/pypi_upstream_parse.h"

#define BASE "http://mirror:pw@127.0.0.1:3141/root/pypi/"
#define H1   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define H2   "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define H3   "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static int setup(void **state)
{
	*state = ar_arena_new();
	return 0;
}

static int teardown(void **state)
{
	ar_arena_free(*state);
	return 0;
}

static int parse(struct ar_arena *a, const char *ctype, const char *body, struct ar_pypi_up_file **files, size_t *n,
		 struct ar_err *err)
{
	return ar_pypi_upstream_parse_page(files, n, a, BASE, "demo-pkg", ctype, body, strlen(body),
					   AR_PYPI_UPSTREAM_MAX_FILES, err);
}

/* --- PEP 691 JSON --- */

static void test_json_fields(void **state)
{
	struct ar_arena *a = *state;
	const char *body =
		"{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"demo-pkg\",\"versions\":[\"1.0\",\"2.0rc1\"],\"files\":"
		"["
		/* everything: relative URL, metadata, size, upload time, requires-python */
		"{\"filename\":\"demo_pkg-1.0-py3-none-any.whl\",\"url\":\"../../files/demo_pkg-1.0-py3-none-any.whl\","
		"\"hashes\":{\"sha256\":\"" H1 "\",\"md5\":\"x\"},\"requires-python\":\">=3.8\","
		"\"core-metadata\":{\"sha256\":\"" H2 "\"},\"size\":1234,"
		"\"upload-time\":\"2024-01-02T03:04:05.678901Z\",\"yanked\":false},"
		/* the sdist: absolute URL under the base, PEP 658 spelling of metadata (true: no hash), yanked */
		"{\"filename\":\"Demo.Pkg-1.0.tar.gz\",\"url\":\"https://127.0.0.1:3141/root/pypi/f/"
		"Demo.Pkg-1.0.tar.gz\","
		"\"hashes\":{\"sha256\":\"" H3 "\"},\"dist-info-metadata\":true,\"yanked\":\"broken build\"},"
		/* a pre-release spelled loosely, host-relative URL, uppercase hash, old metadata key */
		"{\"filename\":\"demo_pkg-2.0RC1-py3-none-any.whl\",\"url\":\"/root/pypi/x/y.whl#sha256=ignored\","
		"\"hashes\":{\"sha256\":\""
		"ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD"
		"\"},"
		"\"dist-info-metadata\":{\"sha256\":\"" H1 "\"},\"yanked\":true,\"requires-python\":\"\","
		"\"upload-time\":\"2024-01-02T03:04:05Z\"}"
		"]}";
	struct ar_pypi_up_file *f;
	size_t n;
	struct ar_err err = {0};
	assert_int_equal(parse(a, "application/vnd.pypi.simple.v1+json", body, &f, &n, &err), 0);
	assert_int_equal(n, 3);

	assert_string_equal(f[0].filename, "demo_pkg-1.0-py3-none-any.whl");
	assert_string_equal(f[0].version, "1.0");
	assert_string_equal(f[0].path, "files/demo_pkg-1.0-py3-none-any.whl");
	assert_string_equal(f[0].sha256, H1);
	assert_string_equal(f[0].requires_python, ">=3.8");
	assert_string_equal(f[0].metadata_sha256, H2);
	assert_int_equal(f[0].size, 1234);
	assert_int_equal(f[0].upload_ms, 1704164645678LL);
	assert_false(f[0].is_yanked);

	assert_string_equal(f[1].filename, "Demo.Pkg-1.0.tar.gz");
	assert_string_equal(f[1].path, "f/Demo.Pkg-1.0.tar.gz");
	assert_null(f[1].metadata_sha256);
	assert_null(f[1].requires_python);
	assert_true(f[1].is_yanked);
	assert_int_equal(f[1].size, 0);
	assert_int_equal(f[1].upload_ms, 0);

	assert_string_equal(f[2].version, "2.0rc1");
	assert_string_equal(f[2].path, "x/y.whl");
	assert_string_equal(f[2].sha256, "abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd");
	assert_string_equal(f[2].metadata_sha256, H1);
	assert_null(f[2].requires_python); /* empty means absent */
	assert_true(f[2].is_yanked);
	assert_int_equal(f[2].upload_ms, 1704164645000LL);
}

static void test_json_skips_unservable_files(void **state)
{
	struct ar_arena *a = *state;
	const char *body =
		"{\"files\":["
		"{\"filename\":\"demo_pkg-1.0-py3-none-any.whl\",\"url\":\"a.whl\",\"hashes\":{\"md5\":\"00\"}},"
		"{\"filename\":\"demo_pkg-1.0-py3-none-any.whl\",\"url\":\"a.whl\",\"hashes\":{\"sha256\":\"abc\"}},"
		"{\"filename\":\"demo_pkg-1.0-py3-none-any.whl\",\"url\":\"a.whl\",\"hashes\":{\"sha256\":\"" H1
		"0\"}},"
		"{\"filename\":\"demo_pkg-1.0-py3-none-any.whl\",\"url\":\"a.whl\",\"hashes\":{\"sha256\":\""
		"zz" H1 "\"}},"
		"{\"filename\":\"other-1.0-py3-none-any.whl\",\"url\":\"o.whl\",\"hashes\":{\"sha256\":\"" H1 "\"}},"
		"{\"filename\":\"demo_pkg-1.0.exe\",\"url\":\"e.exe\",\"hashes\":{\"sha256\":\"" H1 "\"}},"
		"{\"filename\":\"../demo_pkg-1.0.tar.gz\",\"url\":\"d.tgz\",\"hashes\":{\"sha256\":\"" H1 "\"}},"
		"{\"filename\":\"demo_pkg-not.a.version.tar.gz\",\"url\":\"v.tgz\",\"hashes\":{\"sha256\":\"" H1 "\"}},"
		"{\"filename\":\"demo_pkg-1.0.tar.gz\",\"url\":\"http://elsewhere.invalid/d.tgz\","
		"\"hashes\":{\"sha256\":\"" H1 "\"}},"
		"{\"filename\":\"demo_pkg-1.0.tar.gz\",\"url\":\"ftp://127.0.0.1:3141/root/pypi/d.tgz\","
		"\"hashes\":{\"sha256\":\"" H1 "\"}},"
		"{\"filename\":\"demo_pkg-1.0.tar.gz\",\"url\":\"../../../../../etc/"
		"passwd\",\"hashes\":{\"sha256\":\"" H1 "\"}},"
		"{\"filename\":\"demo_pkg-1.0.tar.gz\",\"hashes\":{\"sha256\":\"" H1 "\"}},"
		"{\"url\":\"x.tgz\",\"hashes\":{\"sha256\":\"" H1 "\"}},"
		"{\"filename\":7,\"url\":[],\"hashes\":\"" H1 "\"},"
		"\"a string\", 42, null, [],"
		"{\"filename\":\"demo_pkg-1.0.tar.gz\",\"url\":\"ok.tgz\",\"hashes\":{\"sha256\":\"" H1 "\"},"
		"\"size\":-5,\"upload-time\":\"yesterday\",\"yanked\":\"\"}"
		"]}";
	struct ar_pypi_up_file *f;
	size_t n;
	struct ar_err err = {0};
	assert_int_equal(parse(a, "application/vnd.pypi.simple.v1+json", body, &f, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].path, "simple/demo-pkg/ok.tgz");
	assert_int_equal(f[0].size, 0);
	assert_int_equal(f[0].upload_ms, 0);
	assert_false(f[0].is_yanked); /* an empty reason is no yank (PEP 691: a non-empty string) */
}

static void test_json_malformed(void **state)
{
	struct ar_arena *a = *state;
	static const char *bad[] = {
		"",
		"{",
		"{\"files\":[{\"filename\":",
		"[]",
		"null",
		"{\"files\":{}}",
		"{\"files\":\"x\"}",
		"{\"name\":\"demo-pkg\"}",
		"{\"meta\":{\"api-version\":\"2.0\"},\"files\":[]}",
		"{\"meta\":{\"api-version\":\"10.1\"},\"files\":[]}",
		"{\"files\":[]} trailing",
		"{\"files\":[\"\\u0000\"]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ar_pypi_up_file *f = (void *)1;
		size_t n = 99;
		struct ar_err err = {0};
		int rc = parse(a, "application/vnd.pypi.simple.v1+json", bad[i], &f, &n, &err);
		if (rc != AR_EINVAL)
			fail_msg("case %zu (%s): rc %d", i, bad[i], rc);
		assert_null(f);
		assert_int_equal(n, 0);
		assert_true(err.msg[0] != '\0');
	}
	/* Deep nesting is refused by the JSON parser's depth limit, not by the stack. */
	struct ar_buf b;
	ar_buf_init(&b, 0);
	ar_buf_adds(&b, "{\"files\":");
	for (int i = 0; i < 100000; i++)
		ar_buf_addch(&b, '[');
	struct ar_pypi_up_file *f;
	size_t n;
	struct ar_err err = {0};
	assert_int_equal(ar_pypi_upstream_parse_page(&f, &n, a, BASE, "demo-pkg", "application/json", b.ptr, b.len,
						     AR_PYPI_UPSTREAM_MAX_FILES, &err),
			 AR_EINVAL);
	ar_buf_release(&b);
	/* An empty project is a page. */
	assert_int_equal(
		parse(a, "application/json", "{\"meta\":{\"api-version\":\"1.0\"},\"files\":[]}", &f, &n, &err), 0);
	assert_int_equal(n, 0);
}

/* --- PEP 503 HTML --- */

static void test_html_fields(void **state)
{
	struct ar_arena *a = *state;
	const char *body =
		"<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\">"
		"<title>Links for demo-pkg</title></head><body><h1>Links for demo-pkg</h1>\n"
		"<a href=\"../../files/demo_pkg-1.0-py3-none-any.whl#sha256=" H1
		"\" data-requires-python=\"&gt;=3.8,&lt;4\""
		" data-core-metadata=\"sha256=" H2 "\" data-dist-info-metadata=\"sha256=" H3 "\">"
		"demo_pkg-1.0-py3-none-any.whl</a><br/>\n"
		/* PEP 658 only, yanked without a reason (a bare attribute), absolute URL with a query */
		"<A HREF=\"http://127.0.0.1:3141/root/pypi/f/Demo.Pkg-1.0.tar.gz?x=1&amp;y=2#sha256=" H3 "\" "
		"data-yanked data-dist-info-metadata=\"sha256=" H1 "\">\n  Demo.Pkg-1.0.tar.gz \n</A><br/>\n"
		/* metadata "true" only: no hash to check the .metadata against, so not advertised */
		"<a href=\"/root/pypi/x/demo_pkg-2.0-py3-none-any.whl#sha256=" H2 "\" data-core-metadata=\"true\" "
		"data-yanked=\"bad wheel\">demo_pkg-2.0-py3-none-any.whl</a>\n"
		/* no text: the URL's last segment */
		"<a href=\"../../files/demo_pkg-3.0.zip#sha256=" H1 "\"></a>\n"
		"</body></html>\n";
	struct ar_pypi_up_file *f;
	size_t n;
	struct ar_err err = {0};
	assert_int_equal(parse(a, "text/html; charset=utf-8", body, &f, &n, &err), 0);
	assert_int_equal(n, 4);

	assert_string_equal(f[0].filename, "demo_pkg-1.0-py3-none-any.whl");
	assert_string_equal(f[0].path, "files/demo_pkg-1.0-py3-none-any.whl");
	assert_string_equal(f[0].sha256, H1);
	assert_string_equal(f[0].requires_python, ">=3.8,<4");
	assert_string_equal(f[0].metadata_sha256, H2); /* PEP 714's name wins */
	assert_false(f[0].is_yanked);
	assert_int_equal(f[0].size, 0);
	assert_int_equal(f[0].upload_ms, 0);

	assert_string_equal(f[1].filename, "Demo.Pkg-1.0.tar.gz");
	assert_string_equal(f[1].path, "f/Demo.Pkg-1.0.tar.gz?x=1&y=2");
	assert_string_equal(f[1].sha256, H3);
	assert_string_equal(f[1].metadata_sha256, H1);
	assert_true(f[1].is_yanked);
	assert_null(f[1].requires_python);

	assert_string_equal(f[2].path, "x/demo_pkg-2.0-py3-none-any.whl");
	assert_null(f[2].metadata_sha256);
	assert_true(f[2].is_yanked);

	assert_string_equal(f[3].filename, "demo_pkg-3.0.zip");
	assert_string_equal(f[3].version, "3.0");
}

static void test_html_skips_and_recovers(void **state)
{
	struct ar_arena *a = *state;
	const char *body =
		"<html><body>"
		"<a href=\"demo_pkg-1.0.tar.gz\">demo_pkg-1.0.tar.gz</a>"		       /* no hash */
		"<a href=\"demo_pkg-1.1.tar.gz#md5=0123456789abcdef\">demo_pkg-1.1.tar.gz</a>" /* not sha256 */
		"<a href=\"demo_pkg-1.2.tar.gz#sha256=1234\">demo_pkg-1.2.tar.gz</a>"	       /* short */
		"<a>demo_pkg-1.3.tar.gz</a>"						       /* no href */
		"<a href=\"http://elsewhere.invalid/demo_pkg-1.4.tar.gz#sha256=" H1 "\">demo_pkg-1.4.tar.gz</a>"
		"<a href=\"other-1.0.tar.gz#sha256=" H1 "\">other-1.0.tar.gz</a>"
		"<a href=\"javascript:alert(1)#sha256=" H1 "\">demo_pkg-1.5.tar.gz</a>"
		"<a href=\"a b.tar.gz#sha256=" H1 "\">demo_pkg-1.6.tar.gz</a>"
		/* sloppy but usable: unquoted attribute, unclosed anchor ended by the next one, stray tags */
		"<p><b>x</i><a href=demo_pkg-2.0.tar.gz#sha256=" H2 ">demo_pkg-<b>2.0</b>.tar.gz"
		"<a href=\"demo_pkg-2.1.tar.gz#sha256=" H3 "\">demo_pkg-2.1.tar.gz"; /* never closed, no </html> */
	struct ar_pypi_up_file *f;
	size_t n;
	struct ar_err err = {0};
	assert_int_equal(parse(a, "text/html", body, &f, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].filename, "demo_pkg-2.0.tar.gz");
	assert_string_equal(f[0].sha256, H2);
	assert_string_equal(f[1].filename, "demo_pkg-2.1.tar.gz");
	assert_string_equal(f[1].path, "simple/demo-pkg/demo_pkg-2.1.tar.gz");

	/* Not HTML at all: nothing to serve, not an error (an empty project page is valid). */
	static const char *junk[] = {"", "\x01\x02\xff\xfe binary", "<<<>>>", "<a href=", "plain text"};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		assert_int_equal(parse(a, "text/html", junk[i], &f, &n, &err), 0);
		assert_int_equal(n, 0);
	}
	/* A major version this parser does not know. */
	assert_int_equal(parse(a, "text/html",
			       "<html><head><meta name=\"pypi:repository-version\" content=\"2.0\"></head><body>"
			       "<a href=\"demo_pkg-1.0.tar.gz#sha256=" H1 "\">demo_pkg-1.0.tar.gz</a></body></html>",
			       &f, &n, &err),
			 AR_EINVAL);
	/* A huge anchor text is skipped, not copied whole. */
	struct ar_buf b;
	ar_buf_init(&b, 0);
	ar_buf_adds(&b, "<a href=\"demo_pkg-1.0.tar.gz#sha256=" H1 "\">");
	for (int i = 0; i < 100000; i++)
		ar_buf_adds(&b, "demo_pkg ");
	ar_buf_adds(&b, "</a><a href=\"demo_pkg-1.1.tar.gz#sha256=" H1 "\">demo_pkg-1.1.tar.gz</a>");
	assert_int_equal(ar_pypi_upstream_parse_page(&f, &n, a, BASE, "demo-pkg", "text/html", b.ptr, b.len,
						     AR_PYPI_UPSTREAM_MAX_FILES, &err),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].filename, "demo_pkg-1.1.tar.gz");
	ar_buf_release(&b);
}

/* --- which parser, and bounds --- */

static void test_form_detection(void **state)
{
	struct ar_arena *a = *state;
	const char *json = " \n{\"files\":[{\"filename\":\"demo_pkg-1.0.tar.gz\",\"url\":\"a.tgz\","
			   "\"hashes\":{\"sha256\":\"" H1 "\"}}]}";
	const char *html = "<a href=\"a.tgz#sha256=" H1 "\">demo_pkg-1.0.tar.gz</a>";
	static const struct {
		const char *ctype;
		int want_json;
	} cases[] = {
		{"application/vnd.pypi.simple.v1+json", 1},
		{"application/json; charset=utf-8", 1},
		{"APPLICATION/VND.PYPI.SIMPLE.LATEST+JSON", 1},
		{"application/vnd.pypi.simple.v1+html", 0},
		{"text/html", 0},
		{"", -1}, /* sniffed */
		{NULL, -1},
		{"application/octet-stream", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_pypi_up_file *f;
		size_t n;
		struct ar_err err = {0};
		int rj = parse(a, cases[i].ctype, json, &f, &n, &err);
		size_t nj = n;
		int rh = parse(a, cases[i].ctype, html, &f, &n, &err);
		size_t nh = n;
		if (cases[i].want_json == 1) {
			/* HTML bytes read as JSON are not a page */
			assert_true(rj == 0 && nj == 1 && rh == AR_EINVAL);
		} else if (cases[i].want_json == 0) {
			/* JSON bytes read as HTML have no anchors */
			assert_true(rh == 0 && nh == 1 && rj == 0 && nj == 0);
		} else {
			assert_true(rj == 0 && nj == 1 && rh == 0 && nh == 1);
		}
	}
}

static void test_max_files(void **state)
{
	struct ar_arena *a = *state;
	struct ar_buf j, h;
	ar_buf_init(&j, 0);
	ar_buf_init(&h, 0);
	ar_buf_adds(&j, "{\"files\":[");
	for (int i = 0; i < 10; i++) {
		ar_buf_printf(&j,
			      "%s{\"filename\":\"demo_pkg-1.%d.tar.gz\",\"url\":\"f%d\",\"hashes\":{\"sha256\":\"" H1
			      "\"}}",
			      i ? "," : "", i, i);
		ar_buf_printf(&h, "<a href=\"f%d#sha256=" H1 "\">demo_pkg-1.%d.tar.gz</a>\n", i, i);
	}
	ar_buf_adds(&j, "]}");
	struct ar_pypi_up_file *f;
	size_t n;
	struct ar_err err = {0};
	for (int k = 0; k < 2; k++) {
		struct ar_buf *b = k ? &h : &j;
		const char *ct = k ? "text/html" : "application/json";
		assert_int_equal(ar_pypi_upstream_parse_page(&f, &n, a, BASE, "demo-pkg", ct, b->ptr, b->len, 10, &err),
				 0);
		assert_int_equal(n, 10);
		assert_int_equal(ar_pypi_upstream_parse_page(&f, &n, a, BASE, "demo-pkg", ct, b->ptr, b->len, 9, &err),
				 AR_ETOOBIG);
		assert_int_equal(n, 0);
		assert_null(f);
		assert_non_null(strstr(err.msg, "more than 9 files"));
	}
	ar_buf_release(&j);
	ar_buf_release(&h);
}

/* --- URLs and times --- */

static void test_upstream_path(void **state)
{
	struct ar_arena *a = *state;
	static const struct {
		const char *base, *url, *want;
	} cases[] = {
		/* relative to {base}simple/demo-pkg/ */
		{BASE, "../../files/x.whl", "files/x.whl"},
		{BASE, "x.whl", "simple/demo-pkg/x.whl"},
		{BASE, "./x.whl#sha256=00", "simple/demo-pkg/x.whl"},
		{BASE, "../x.whl?a=b#frag", "simple/x.whl?a=b"},
		{BASE, "a//b/./c/../x.whl", "simple/demo-pkg/a/b/x.whl"},
		{BASE, "../../../x.whl", NULL}, /* above the base's path: elsewhere on the host */
		{BASE, "%2e%2e/x.whl", NULL},
		{BASE, "a/%2E/x.whl", NULL},
		{BASE, "../..", NULL},
		{BASE, "", NULL},
		{BASE, "#sha256=00", NULL},
		/* absolute: the same host, port and base path; any credentials and http or https */
		{BASE, "http://127.0.0.1:3141/root/pypi/f/x.whl", "f/x.whl"},
		{BASE, "HTTPS://u:p@127.0.0.1:3141/root/pypi/f/x.whl", "f/x.whl"},
		{BASE, "http://127.0.0.1:3141/root/pypi/f/../../x.whl", NULL},
		{BASE, "http://127.0.0.1:3142/root/pypi/f/x.whl", NULL},
		{BASE, "http://127.0.0.1:3141/root/other/x.whl", NULL},
		{BASE, "http://127.0.0.1:3141/root/pypix.whl", NULL},
		{BASE, "ftp://127.0.0.1:3141/root/pypi/x.whl", NULL},
		{BASE, "javascript://127.0.0.1:3141/root/pypi/x.whl", NULL},
		{BASE, "//127.0.0.1:3141/root/pypi/f/x.whl", "f/x.whl"},
		{BASE, "//elsewhere.invalid/root/pypi/f/x.whl", NULL},
		/* host-relative */
		{BASE, "/root/pypi/f/x.whl", "f/x.whl"},
		{BASE, "/root/x.whl", NULL},
		{"http://127.0.0.1:3141", "/f/x.whl", "f/x.whl"},
		{"http://127.0.0.1:3141", "http://127.0.0.1:3141/f/x.whl", "f/x.whl"},
		/* bytes the engine would refuse */
		{BASE, "a b.whl", NULL},
		{BASE, "a\\b.whl", NULL},
		{BASE, "caf\xc3\xa9.whl", NULL},
		{BASE, "a\tb.whl", NULL},
		{BASE, "caf%C3%A9.whl", "simple/demo-pkg/caf%C3%A9.whl"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = ar_pypi_upstream_path(a, cases[i].base, "demo-pkg", cases[i].url);
		if ((got == NULL) != (cases[i].want == NULL) || (got && strcmp(got, cases[i].want) != 0))
			fail_msg("%s + %s -> %s, want %s", cases[i].base, cases[i].url, got ? got : "NULL",
				 cases[i].want ? cases[i].want : "NULL");
	}
	/* Too long, too many segments. */
	struct ar_buf b;
	ar_buf_init(&b, 0);
	for (int i = 0; i < 65; i++)
		ar_buf_adds(&b, "d/");
	ar_buf_adds(&b, "x.whl");
	assert_null(ar_pypi_upstream_path(a, BASE, "demo-pkg", b.ptr));
	ar_buf_reset(&b);
	for (int i = 0; i < 4097; i++)
		ar_buf_addch(&b, 'x');
	assert_null(ar_pypi_upstream_path(a, BASE, "demo-pkg", b.ptr));
	ar_buf_release(&b);
	assert_null(ar_pypi_upstream_path(a, BASE, "demo-pkg", NULL));
}

static void test_upload_time(void **state)
{
	static const struct {
		const char *in;
		int64_t want;
	} cases[] = {
		{"2024-01-02T03:04:05.678901Z", 1704164645678LL},
		{"2024-01-02T03:04:05Z", 1704164645000LL},
		{"2024-01-02T03:04:05", 1704164645000LL},
		{"2024-01-02T03:04:05.5Z", 1704164645500LL},
		{"2024-01-02T03:04:05+00:00", 1704164645000LL},
		{"1970-01-01T00:00:00Z", 0},
		{"2024-01-02 03:04:05Z", 0},
		{"2024-13-02T03:04:05Z", 0},
		{"2024-01-02T03:04:05+02:00", 0},
		{"2024-01-02T03:04:05Zjunk", 0},
		{" 2024-01-02T03:04:05Z", 0},
		{"2024-1-2T3:4:5Z", 0},
		{"yesterday", 0},
		{"", 0},
		{NULL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t got = ar_pypi_upload_time_ms(cases[i].in);
		if (got != cases[i].want)
			fail_msg("%s -> %lld, want %lld", cases[i].in ? cases[i].in : "NULL", (long long)got,
				 (long long)cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_json_fields),
		T(test_json_skips_unservable_files),
		T(test_json_malformed),
		T(test_html_fields),
		T(test_html_skips_and_recovers),
		T(test_form_detection),
		T(test_max_files),
		T(test_upstream_path),
		T(test_upload_time),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
