/* tests/unit/formats/test_pypi_render.c - PyPI simple pages: Accept negotiation, HTML and JSON rendering */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "formats/pypi_int.h"

static void test_negotiate(void **state)
{
	static const struct {
		const char *accept;
		enum ar_pypi_repr want;
	} cases[] = {
		{NULL, AR_PYPI_HTML},
		{"", AR_PYPI_HTML},
		{"*/*", AR_PYPI_HTML},
		{"text/html", AR_PYPI_HTML},
		{"text/*", AR_PYPI_HTML},
		/* pip 23.2 */
		{"application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01",
		 AR_PYPI_JSON_V1},
		/* uv */
		{"application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01",
		 AR_PYPI_JSON_V1},
		/* q decides, not order */
		{"text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.9", AR_PYPI_JSON_V1},
		{"application/vnd.pypi.simple.v1+json;q=0.2, application/vnd.pypi.simple.v1+html", AR_PYPI_HTML_V1},
		/* a tie goes to the earlier entry */
		{"application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json", AR_PYPI_HTML_V1},
		{"application/vnd.pypi.simple.latest+json", AR_PYPI_JSON_V1},
		{"application/vnd.pypi.simple.latest+html", AR_PYPI_HTML_V1},
		{"APPLICATION/VND.PYPI.SIMPLE.V1+JSON", AR_PYPI_JSON_V1},
		{"application/*", AR_PYPI_JSON_V1},
		/* q=0 means "not this" */
		{"application/vnd.pypi.simple.v1+json;q=0", AR_PYPI_NONE},
		{"application/vnd.pypi.simple.v1+json;q=0, text/html;q=0.001", AR_PYPI_HTML},
		/* unsupported: 406 */
		{"application/json", AR_PYPI_NONE},
		{"application/vnd.pypi.simple.v2+json", AR_PYPI_NONE},
		{"image/png, application/xml;q=0.9", AR_PYPI_NONE},
		/* a malformed q drops the entry */
		{"application/vnd.pypi.simple.v1+json;q=2, text/html;q=0.1", AR_PYPI_HTML},
		{"application/vnd.pypi.simple.v1+json;q=abc", AR_PYPI_NONE},
		{" , ,text/html", AR_PYPI_HTML},
		{"text/html;level=1;q=0.3, application/vnd.pypi.simple.v1+json;q=0.2", AR_PYPI_HTML},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum ar_pypi_repr got = ar_pypi_negotiate(cases[i].accept);
		if (got != cases[i].want)
			fail_msg("Accept: %s -> %d, want %d", cases[i].accept ? cases[i].accept : "(none)", got,
				 cases[i].want);
	}
	assert_string_equal(ar_pypi_content_type(AR_PYPI_JSON_V1), "application/vnd.pypi.simple.v1+json");
	assert_string_equal(ar_pypi_content_type(AR_PYPI_HTML_V1), "application/vnd.pypi.simple.v1+html");
	assert_string_equal(ar_pypi_content_type(AR_PYPI_HTML), "text/html; charset=utf-8");
}

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HASH_M "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* Index rows in publish order, not version order: the page sorts them by PEP 440. */
static struct ar_pypi_index_file rows[] = {
	{.version = "1.10",
	 .status = AR_ST_PUBLISHED,
	 .filename = "demo_pkg-1.10-py3-none-any.whl",
	 .size = 10,
	 .sha256 = HASH_A,
	 .attrs = "{\"requires_python\":\">=3.8\",\"metadata_sha256\":\"" HASH_M "\"}",
	 .created_ms = 1700000000123},
	{.version = "1.9",
	 .status = AR_ST_UNLISTED,
	 .version_attrs = "{\"requires_python\":\"<4,>=3.7\"}",
	 .filename = "demo-pkg-1.9.tar.gz",
	 .size = 20,
	 .sha256 = HASH_B,
	 .attrs = "{\"filetype\":\"sdist\"}",
	 .created_ms = 1600000000000},
	{.version = "1.0+local.1",
	 .status = AR_ST_PUBLISHED,
	 .filename = "demo_pkg-1.0+local.1-py3-none-any.whl",
	 .size = 30,
	 .sha256 = HASH_B,
	 .created_ms = 1500000000000},
	{.version = "1.10",
	 .status = AR_ST_PUBLISHED,
	 .filename = "demo-pkg-1.10.tar.gz",
	 .size = 40,
	 .sha256 = HASH_B,
	 .created_ms = 1700000000999},
};

static void test_page_model(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_pypi_page page;
	ar_pypi_page_from_files(&page, a, "demo-pkg", rows, 4);
	assert_int_equal(page.n_links, 4);
	assert_int_equal(page.n_versions, 3);
	assert_string_equal(page.versions[0], "1.0+local.1");
	assert_string_equal(page.versions[1], "1.9");
	assert_string_equal(page.versions[2], "1.10");
	/* by version, then by file name */
	assert_string_equal(page.links[0].filename, "demo_pkg-1.0+local.1-py3-none-any.whl");
	assert_string_equal(page.links[1].filename, "demo-pkg-1.9.tar.gz");
	assert_string_equal(page.links[2].filename, "demo-pkg-1.10.tar.gz");
	assert_string_equal(page.links[3].filename, "demo_pkg-1.10-py3-none-any.whl");
	/* Unlisted is served as yanked; requires-python falls back to the version's */
	assert_true(page.links[1].is_yanked);
	assert_false(page.links[3].is_yanked);
	assert_string_equal(page.links[1].requires_python, "<4,>=3.7");
	assert_string_equal(page.links[3].requires_python, ">=3.8");
	assert_null(page.links[2].requires_python);
	assert_string_equal(page.links[3].metadata_sha256, HASH_M);
	assert_null(page.links[1].metadata_sha256);
	ar_arena_free(a);
}

static void test_html(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_pypi_page page;
	ar_pypi_page_from_files(&page, a, "demo-pkg", rows, 4);
	struct ar_buf b;
	ar_buf_init(&b, 0);
	assert_int_equal(ar_pypi_render_page(&b, &page, AR_PYPI_HTML), 0);
	const char *html = b.ptr;
	assert_non_null(strstr(html, "<meta name=\"pypi:repository-version\" content=\"1.1\">"));
	assert_non_null(strstr(html, "<title>Links for demo-pkg</title>"));
	/* relative file URL with the hash fragment; '+' escaped in path segments */
	assert_non_null(strstr(html,
			       "<a href=\"../../files/demo-pkg/1.0%2Blocal.1/demo_pkg-1.0%2Blocal.1-py3-none-any.whl"
			       "#sha256=" HASH_B "\">demo_pkg-1.0+local.1-py3-none-any.whl</a>"));
	/* attribute escaping, PEP 592 yanked with an empty reason, PEP 658 + 714 names */
	assert_non_null(strstr(html, "demo-pkg-1.9.tar.gz#sha256=" HASH_B "\" data-requires-python=\"&lt;4,&gt;=3.7\" "
				     "data-yanked=\"\">"));
	assert_non_null(strstr(html, "data-requires-python=\"&gt;=3.8\" data-dist-info-metadata=\"sha256=" HASH_M
				     "\" data-core-metadata=\"sha256=" HASH_M "\">demo_pkg-1.10-py3-none-any.whl"));
	/* files without metadata advertise none */
	const char *sdist = strstr(html, "demo-pkg-1.10.tar.gz#");
	assert_non_null(sdist);
	const char *eol = strchr(sdist, '\n');
	assert_null(memmem(sdist, (size_t)(eol - sdist), "metadata", 8));
	ar_buf_release(&b);
	ar_arena_free(a);
}

static void test_json(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_pypi_page page;
	ar_pypi_page_from_files(&page, a, "demo-pkg", rows, 4);
	struct ar_buf b;
	ar_buf_init(&b, 0);
	assert_int_equal(ar_pypi_render_page(&b, &page, AR_PYPI_JSON_V1), 0);
	json_error_t jerr;
	json_t *doc = json_loads(b.ptr, 0, &jerr);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "meta"), "api-version")), "1.1");
	assert_string_equal(json_string_value(json_object_get(doc, "name")), "demo-pkg");
	json_t *versions = json_object_get(doc, "versions"), *files = json_object_get(doc, "files");
	assert_int_equal(json_array_size(versions), 3);
	assert_string_equal(json_string_value(json_array_get(versions, 1)), "1.9"); /* yanked ones are listed */
	assert_int_equal(json_array_size(files), 4);
	json_t *yanked = json_array_get(files, 1), *wheel = json_array_get(files, 3);
	assert_true(json_is_true(json_object_get(yanked, "yanked")));
	assert_true(json_is_false(json_object_get(yanked, "core-metadata")));
	assert_string_equal(json_string_value(json_object_get(yanked, "requires-python")), "<4,>=3.7");
	assert_true(json_is_false(json_object_get(wheel, "yanked")));
	assert_string_equal(json_string_value(json_object_get(wheel, "url")),
			    "../../files/demo-pkg/1.10/demo_pkg-1.10-py3-none-any.whl");
	assert_string_equal(json_string_value(json_object_get(json_object_get(wheel, "hashes"), "sha256")), HASH_A);
	assert_string_equal(json_string_value(json_object_get(json_object_get(wheel, "core-metadata"), "sha256")),
			    HASH_M);
	assert_string_equal(json_string_value(json_object_get(json_object_get(wheel, "dist-info-metadata"), "sha256")),
			    HASH_M);
	assert_int_equal(json_integer_value(json_object_get(wheel, "size")), 10);
	/* PEP 700: ISO 8601 UTC with microseconds */
	assert_string_equal(json_string_value(json_object_get(wheel, "upload-time")), "2023-11-14T22:13:20.123000Z");
	json_decref(doc);
	ar_buf_release(&b);
	ar_arena_free(a);
}

static void test_root(void **state)
{
	struct ar_pypi_index_project projects[] = {{"demo-pkg", "Demo_Pkg"}, {"x", "<x>"}};
	struct ar_buf b;
	ar_buf_init(&b, 0);
	assert_int_equal(ar_pypi_render_root(&b, projects, 2, AR_PYPI_HTML), 0);
	assert_non_null(strstr(b.ptr, "<a href=\"demo-pkg/\">Demo_Pkg</a>"));
	assert_non_null(strstr(b.ptr, "<a href=\"x/\">&lt;x&gt;</a>"));
	ar_buf_reset(&b);
	assert_int_equal(ar_pypi_render_root(&b, projects, 2, AR_PYPI_JSON_V1), 0);
	json_t *doc = json_loads(b.ptr, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(json_object_get(doc, "projects"), 0), "name")),
		"Demo_Pkg");
	json_decref(doc);
	/* an empty repository is a valid, empty index */
	ar_buf_reset(&b);
	assert_int_equal(ar_pypi_render_root(&b, NULL, 0, AR_PYPI_JSON_V1), 0);
	assert_string_equal(b.ptr, "{\"meta\":{\"api-version\":\"1.1\"},\"projects\":[]}");
	ar_buf_release(&b);
}

static void test_too_big(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_pypi_page page;
	ar_pypi_page_from_files(&page, a, "demo-pkg", rows, 4);
	struct ar_buf b;
	ar_buf_init(&b, 100); /* the cap is enforced, not overrun */
	assert_int_equal(ar_pypi_render_page(&b, &page, AR_PYPI_HTML), AR_ETOOBIG);
	ar_buf_release(&b);
	ar_buf_init(&b, 100);
	assert_int_equal(ar_pypi_render_page(&b, &page, AR_PYPI_JSON_V1), AR_ETOOBIG);
	ar_buf_release(&b);
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negotiate), cmocka_unit_test(test_page_model), cmocka_unit_test(test_html),
		cmocka_unit_test(test_json),	  cmocka_unit_test(test_root),	     cmocka_unit_test(test_too_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
