/* tests/unit/formats/test_pypi_dist.c - PyPI names, filenames, versions, metadata and archives */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "formats/pypi_dist.h"

static char tmp[64];

static int setup(void **state)
{
	snprintf(tmp, sizeof tmp, "/tmp/arca-test-pypi-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	return nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *tmp_path(struct ar_arena *a, const char *name)
{
	return ar_printf(a, "%s/%s", tmp, name);
}

/* ---- names ---- */

static void test_normalize(void **state)
{
	static const char *const cases[][2] = {
		{"Django", "django"},
		{"zope.interface", "zope-interface"},
		{"Foo__Bar", "foo-bar"},
		{"foo-._-bar", "foo-bar"},
		{"A.B-C_D", "a-b-c-d"},
		{"already-normal", "already-normal"},
		{"PyYAML", "pyyaml"},
		{"typing_extensions", "typing-extensions"},
		{"x", "x"},
		{"1", "1"},
		{"Pillow-SIMD", "pillow-simd"},
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(ar_pypi_normalize(a, cases[i][0]), cases[i][1]);
	ar_arena_free(a);
}

static void test_name_valid(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{"requests", true}, {"zope.interface", true}, {"a", true},
		{"A1", true},	    {"foo_bar-baz", true},    {"1", true},
		{"", false},	    {"-foo", false},	      {"foo-", false},
		{".foo", false},    {"foo_", false},	      {"foo bar", false},
		{"foo/bar", false}, {"foo@bar", false},	      {"f\xc3\xb6o", false},
		{"foo+bar", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(ar_pypi_name_valid(cases[i].name), cases[i].ok);
	char name[258];
	memset(name, 'n', sizeof name);
	name[255] = '\0';
	assert_true(ar_pypi_name_valid(name));
	name[255] = 'n';
	name[256] = '\0';
	assert_false(ar_pypi_name_valid(name));
}

/* ---- filenames ---- */

static void test_parse_filename(void **state)
{
	static const struct {
		const char *filename;
		enum ar_pypi_kind kind; /* 0: must be rejected */
		const char *name, *version, *build, *py, *abi, *plat;
	} cases[] = {
#define BAD(f) {f, 0, NULL, NULL, NULL, NULL, NULL, NULL}
#define SDIST(f, k, n, v)                                                                                              \
	{                                                                                                              \
		f, k, n, v, NULL, NULL, NULL, NULL                                                                     \
	}
		{"demo_pkg-1.0-py3-none-any.whl", AR_PYPI_WHEEL, "demo_pkg", "1.0", NULL, "py3", "none", "any"},
		{"numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", AR_PYPI_WHEEL, "numpy",
		 "1.26.4", NULL, "cp312", "cp312", "manylinux_2_17_x86_64.manylinux2014_x86_64"},
		{"pkg-2.0rc1-1_build-py2.py3-none-any.whl", AR_PYPI_WHEEL, "pkg", "2.0rc1", "1_build", "py2.py3",
		 "none", "any"},
		{"pkg-1!2.0+local.1-py3-none-any.whl", AR_PYPI_WHEEL, "pkg", "1!2.0+local.1", NULL, "py3", "none",
		 "any"},
		SDIST("demo-pkg-1.0.tar.gz", AR_PYPI_SDIST_TAR_GZ, "demo-pkg", "1.0"),
		SDIST("Django-4.2.7.tar.gz", AR_PYPI_SDIST_TAR_GZ, "Django", "4.2.7"),
		SDIST("foo-bar-2-1.0.zip", AR_PYPI_SDIST_ZIP, "foo-bar-2", "1.0"),
		SDIST("legacy-0.1.tar.bz2", AR_PYPI_SDIST_TAR_BZ2, "legacy", "0.1"),
		SDIST("pkg-1.0-beta.tar.gz", AR_PYPI_SDIST_TAR_GZ, "pkg", "1.0-beta"),
		SDIST("zope.interface-6.0.tar.gz", AR_PYPI_SDIST_TAR_GZ, "zope.interface", "6.0"),
		BAD(""),
		BAD("../pkg-1.0.tar.gz"),
		BAD("dir/pkg-1.0.tar.gz"),
		BAD("dir\\pkg-1.0.tar.gz"),
		BAD(".pkg-1.0.tar.gz"),
		BAD("pkg-1..0.tar.gz"),
		BAD("pkg-1.0.tar.gz/.."),
		BAD("pkg-1.0.exe"),
		BAD("pkg-1.0.tgz"),
		BAD("pkg-1.0.WHL"),
		BAD("pkg.tar.gz"),
		BAD("pkg-.tar.gz"),
		BAD("-1.0.tar.gz"),
		BAD("pkg-v1.0.tar.gz"),
		BAD("pkg 1.0.tar.gz"),
		BAD("pkg-1.0\n.tar.gz"),
		BAD("pkg-1.0-py3-none.whl"),
		BAD("pkg-1.0-x-y-py3-none-any.whl"),
		BAD("pkg-1.0-b1-py3-none-any.whl"),
		BAD("pkg--1.0-py3-none-any.whl"),
		BAD("pkg-1.0-py3-none-any-.whl"),
		BAD("pkg-v1.0-py3-none-any.whl"),
		BAD("pkg-1.0-py3-no+ne-any.whl"),
		BAD("p~kg-1.0-py3-none-any.whl"),
		BAD(".whl"),
	};
#undef BAD
#undef SDIST
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_pypi_file f;
		struct ar_err err = {0};
		int rc = ar_pypi_parse_filename(&f, a, cases[i].filename, &err);
		if (!cases[i].kind) {
			if (rc != AR_EINVAL)
				fail_msg("%s accepted", cases[i].filename);
			assert_true(err.msg[0] != '\0');
			continue;
		}
		if (rc != 0)
			fail_msg("%s: %s", cases[i].filename, err.msg);
		assert_int_equal(f.kind, cases[i].kind);
		assert_string_equal(f.name, cases[i].name);
		assert_string_equal(f.version, cases[i].version);
		if (f.kind == AR_PYPI_WHEEL) {
			if (cases[i].build)
				assert_string_equal(f.build_tag, cases[i].build);
			else
				assert_null(f.build_tag);
			assert_string_equal(f.python_tag, cases[i].py);
			assert_string_equal(f.abi_tag, cases[i].abi);
			assert_string_equal(f.platform_tag, cases[i].plat);
			assert_string_equal(ar_pypi_filetype(f.kind), "bdist_wheel");
		} else {
			assert_null(f.python_tag);
			assert_string_equal(ar_pypi_filetype(f.kind), "sdist");
		}
	}
	char long_name[300];
	memset(long_name, 'a', sizeof long_name);
	memcpy(long_name + 245, "-1.0.tar.gz", 12); /* 256 bytes */
	struct ar_pypi_file f;
	assert_int_equal(ar_pypi_parse_filename(&f, a, long_name, NULL), AR_EINVAL);
	ar_arena_free(a);
}

/* ---- versions ---- */

static void test_version_order(void **state)
{
	/* strictly increasing, from PEP 440's examples plus epochs and local labels */
	static const char *const order[] = {
		"not a version",
		"zzz",
		"0.9",
		"1.0.dev456",
		"1.0a1",
		"1.0a2.dev456",
		"1.0a12.dev456",
		"1.0a12",
		"1.0b1.dev456",
		"1.0b2",
		"1.0b2.post345.dev456",
		"1.0b2.post345",
		"1.0rc1.dev456",
		"1.0rc1",
		"1.0",
		"1.0+abc.5",
		"1.0+abc.7",
		"1.0+5",
		"1.0.post456.dev34",
		"1.0.post456",
		"1.0.15",
		"1.1.dev1",
		"1.1",
		"1.10",
		"2.0",
		"10.0",
		"18446744073709551615",
		"1!0.1",
		"2!0.0.dev0",
	};
	size_t n = sizeof order / sizeof order[0];
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = ar_pypi_version_cmp(order[i], order[j]);
			int want = i < j ? -1 : i > j;
			if (c != want)
				fail_msg("cmp(%s, %s) = %d, want %d", order[i], order[j], c, want);
		}
	static const char *const equal[][2] = {
		{"1.0", "1.0.0"},	{"1.0RC1", "1.0rc1"},	   {"1.0-c1", "1.0rc1"},    {"1.0.preview1", "1.0rc1"},
		{"v1.0", "1.0"},	{"1.0.post", "1.0.post0"}, {"1.0-1", "1.0.post1"},  {"1.0-r1", "1.0.post1"},
		{"1.0alpha1", "1.0a1"}, {"1.0.beta.2", "1.0b2"},   {"1.0+ABC", "1.0+abc"},  {"1.0+1-2", "1.0+1.2"},
		{"1.0+01", "1.0+1"},	{"0!1.0", "1.0"},	   {"1.0-dev", "1.0.dev0"}, {" 1.0 ", "1.0"},
		{"01.002", "1.2"},
	};
	for (size_t i = 0; i < sizeof equal / sizeof equal[0]; i++)
		if (ar_pypi_version_cmp(equal[i][0], equal[i][1]) != 0)
			fail_msg("%s != %s", equal[i][0], equal[i][1]);
	assert_true(ar_pypi_version_cmp("1.0+abc", "1.0+abc.1") < 0); /* a longer local label sorts later */
	assert_true(ar_pypi_version_cmp("1.0+9", "1.0+10") < 0);      /* numbers by value */
}

static void test_version_normalize(void **state)
{
	static const char *const cases[][2] = {
		{"1.0-RC.1", "1.0rc1"},
		{"v1.0", "1.0"},
		{"1.0.POST-2", "1.0.post2"},
		{"1!2.0a", "1!2.0a0"},
		{"0!2.0", "2.0"},
		{"1.0-1", "1.0.post1"},
		{"1.0+Ubuntu-1", "1.0+ubuntu.1"},
		{"01.02", "1.2"},
		{"1.0dev", "1.0.dev0"},
		{"1.0a1.post2.dev3", "1.0a1.post2.dev3"},
		{"1.0.0", "1.0.0"},
		{"", NULL},
		{"1.0.", NULL},
		{"abc", NULL},
		{"1.0+", NULL},
		{"1..0", NULL},
		{"1.0a1a", NULL},
		{"1.0 beta", NULL},
		{"1.0+a..b", NULL},
		{"18446744073709551616", NULL},
		{"1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25.26.27.28.29.30.31.32.33", NULL},
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = ar_pypi_version_normalize(a, cases[i][0]);
		assert_int_equal(ar_pypi_version_valid(cases[i][0]), cases[i][1] != NULL);
		if (cases[i][1])
			assert_string_equal(got, cases[i][1]);
		else if (got)
			fail_msg("%s normalised to %s", cases[i][0], got);
	}
	ar_arena_free(a);
}

/* ---- requirements ---- */

static void test_parse_requirement(void **state)
{
	static const struct {
		const char *in;
		bool ok;
		const char *name, *extras, *spec, *url, *marker;
	} cases[] = {
		{"requests (>=2.0) ; extra == \"socks\"", true, "requests", NULL, ">=2.0", NULL, "extra == \"socks\""},
		{"idna>=2.5,<4", true, "idna", NULL, ">=2.5,<4", NULL, NULL},
		{"idna >= 2.5, < 4", true, "idna", NULL, ">=2.5,<4", NULL, NULL},
		{"zope.interface", true, "zope.interface", NULL, NULL, NULL, NULL},
		{"requests[security, socks]>=2.8.1; python_version < \"3.8\"", true, "requests", "security,socks",
		 ">=2.8.1", NULL, "python_version < \"3.8\""},
		{"tomli; python_version<'3.11'", true, "tomli", NULL, NULL, NULL, "python_version<'3.11'"},
		{"pip @ https://example.invalid/pip-1.0.zip ; os_name == 'nt'", true, "pip", NULL, NULL,
		 "https://example.invalid/pip-1.0.zip", "os_name == 'nt'"},
		{"name@file:///x.whl", true, "name", NULL, NULL, "file:///x.whl", NULL},
		{"foo ~= 1.4.5", true, "foo", NULL, "~=1.4.5", NULL, NULL},
		{"foo===weird-1", true, "foo", NULL, "===weird-1", NULL, NULL},
		{"", false, NULL, NULL, NULL, NULL, NULL},
		{">=1.0", false, NULL, NULL, NULL, NULL, NULL},
		{"foo (>=1.0", false, NULL, NULL, NULL, NULL, NULL},
		{"foo[bar", false, NULL, NULL, NULL, NULL, NULL},
		{"foo 1.0", false, NULL, NULL, NULL, NULL, NULL},
		{"foo;", false, NULL, NULL, NULL, NULL, NULL},
		{"foo @ ", false, NULL, NULL, NULL, NULL, NULL},
		{"foo @ http://x trailing", false, NULL, NULL, NULL, NULL, NULL},
		{"foo (>=1) junk", false, NULL, NULL, NULL, NULL, NULL},
		{"-foo>=1", false, NULL, NULL, NULL, NULL, NULL},
		{"foo[b@r]", false, NULL, NULL, NULL, NULL, NULL},
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_pypi_req r;
		struct ar_err err = {0};
		int rc = ar_pypi_parse_requirement(&r, a, cases[i].in, &err);
		if (!cases[i].ok) {
			if (rc != AR_EINVAL)
				fail_msg("%s accepted", cases[i].in);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: %s", cases[i].in, err.msg);
#define CHECK(field, want)                                                                                             \
	do {                                                                                                           \
		if (want)                                                                                              \
			assert_string_equal(r.field, want);                                                            \
		else                                                                                                   \
			assert_null(r.field);                                                                          \
	} while (0)
		CHECK(name, cases[i].name);
		CHECK(extras, cases[i].extras);
		CHECK(specifier, cases[i].spec);
		CHECK(url, cases[i].url);
		CHECK(marker, cases[i].marker);
#undef CHECK
	}
	ar_arena_free(a);
}

/* ---- core metadata ---- */

static const char demo_metadata[] = "Metadata-Version: 2.1\n"
				    "Name: Demo_Pkg\n"
				    "Version: 1.0\n"
				    "Summary: A demo\n"
				    "  package\n"
				    "Home-page: https://example.invalid/demo\n"
				    "Author: Jane Doe\n"
				    "Author-email: jane@example.invalid\n"
				    "License: MIT\n"
				    "Keywords: demo,test\n"
				    "Classifier: Programming Language :: Python :: 3\n"
				    "Classifier: License :: OSI Approved :: MIT License\n"
				    "Requires-Python: >=3.8\n"
				    "Requires-Dist: requests (>=2.0) ; extra == \"socks\"\n"
				    "Requires-Dist: idna>=2.5,<4\n"
				    "requires-dist: tomli; python_version < \"3.11\"\n"
				    "Project-URL: Source, https://example.invalid/src\n"
				    "Provides-Extra: socks\n"
				    "License-File: LICENSE\n"
				    "Description-Content-Type: text/markdown\n"
				    "X-Unknown: ignored\n"
				    "   continuation of an unknown header\n"
				    "\n"
				    "# Demo\n"
				    "\n"
				    "Body description.\n";

static void check_demo(const struct ar_pypi_meta *m)
{
	assert_string_equal(m->metadata_version, "2.1");
	assert_string_equal(m->name, "Demo_Pkg");
	assert_string_equal(m->version, "1.0");
	assert_string_equal(m->summary, "A demo package");
	assert_string_equal(m->home_page, "https://example.invalid/demo");
	assert_string_equal(m->author, "Jane Doe");
	assert_string_equal(m->author_email, "jane@example.invalid");
	assert_string_equal(m->license, "MIT");
	assert_null(m->license_expression);
	assert_string_equal(m->keywords, "demo,test");
	assert_string_equal(m->requires_python, ">=3.8");
	assert_string_equal(m->description_content_type, "text/markdown");
	assert_string_equal(m->description, "# Demo\n\nBody description.\n");
	assert_int_equal(m->classifiers.n, 2);
	assert_string_equal(m->classifiers.v[1], "License :: OSI Approved :: MIT License");
	assert_int_equal(m->requires_dist.n, 3);
	assert_string_equal(m->requires_dist.v[0], "requests (>=2.0) ; extra == \"socks\"");
	assert_string_equal(m->requires_dist.v[1], "idna>=2.5,<4");
	assert_string_equal(m->requires_dist.v[2], "tomli; python_version < \"3.11\"");
	assert_null(m->requires_dist.v[3]);
	assert_int_equal(m->project_urls.n, 1);
	assert_string_equal(m->project_urls.v[0], "Source, https://example.invalid/src");
	assert_int_equal(m->provides_extra.n, 1);
	assert_int_equal(m->license_files.n, 1);
	assert_int_equal(m->platforms.n, 0);
	assert_null(m->platforms.v);
}

static void test_metadata_fields(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_pypi_meta m;
	struct ar_err err = {0};
	assert_int_equal(ar_pypi_parse_metadata(&m, a, demo_metadata, strlen(demo_metadata), &err), 0);
	check_demo(&m);
	assert_ptr_equal(m.raw, demo_metadata);
	assert_int_equal(m.raw_len, strlen(demo_metadata));

	/* setuptools' older header-style descriptions: 8-column indent and the "       |" form */
	const char *eight = "Metadata-Version: 1.1\r\n"
			    "Name: old\r\n"
			    "Version: 0.1\r\n"
			    "Description: First line\r\n"
			    "        second line\r\n"
			    "        \r\n"
			    "            indented\r\n"
			    "Platform: UNKNOWN\r\n";
	assert_int_equal(ar_pypi_parse_metadata(&m, a, eight, strlen(eight), &err), 0);
	assert_string_equal(m.description, "First line\nsecond line\n\n    indented");
	assert_int_equal(m.platforms.n, 1);
	const char *pipe = "Metadata-Version: 1.2\n"
			   "Name: old\n"
			   "Version: 0.1\n"
			   "Description: First line\n"
			   "       |  indented\n"
			   "       |\n"
			   "       |last\n"
			   "Summary: s\n";
	assert_int_equal(ar_pypi_parse_metadata(&m, a, pipe, strlen(pipe), &err), 0);
	assert_string_equal(m.description, "First line\n  indented\n\nlast");
	assert_string_equal(m.summary, "s");
	/* a body wins over a Description header (pkginfo, and so twine, read it that way) */
	const char *both = "Name: x\nVersion: 1\nDescription: header\n\nbody";
	assert_int_equal(ar_pypi_parse_metadata(&m, a, both, strlen(both), &err), 0);
	assert_string_equal(m.description, "body");
	/* a repeated descriptive field keeps the first value */
	const char *rep = "\xef\xbb\xbfName: x\nVersion: 1\nSummary: one\nSummary: two\n";
	assert_int_equal(ar_pypi_parse_metadata(&m, a, rep, strlen(rep), &err), 0);
	assert_string_equal(m.name, "x");
	assert_string_equal(m.summary, "one");
	assert_null(m.description);
	ar_arena_free(a);
}

static void test_metadata_errors(void **state)
{
	static const struct {
		const char *text;
		int code;
		const char *msg;
	} cases[] = {
		{"", AR_EINVAL, "no Name"},
		{"Version: 1\n", AR_EINVAL, "no Name"},
		{"Name: x\n", AR_EINVAL, "no Version"},
		{"Name: x\nVersion:\n", AR_EINVAL, "no Version"},
		{"Name: x\nName: y\nVersion: 1\n", AR_EINVAL, "repeats Name"},
		{"Name: x\nVersion: 1\nVersion: 2\n", AR_EINVAL, "repeats Version"},
		{" Name: x\nVersion: 1\n", AR_EINVAL, "continues no header"},
		{"Name: x\nVersion: 1\nthis is not a header\n", AR_EINVAL, "line 3"},
		{"Name: x\nVersion: 1\n: empty key\n", AR_EINVAL, "line 3"},
		{"Name: x\nVersion: 1\nSummary: bad \xff byte\n", AR_EINVAL, "UTF-8"},
		{"Name: x\nVersion: 1\nSummary: \xc0\xaf overlong\n", AR_EINVAL, "UTF-8"},
		{"Name: x\nVersion: 1\nSummary: \xed\xa0\x80 surrogate\n", AR_EINVAL, "UTF-8"},
		{"Name: x\nVersion: 1\nSummary: cut \xe2\x82", AR_EINVAL, "UTF-8"},
		{"Name: x\nVersion: 1\nSummary: a\rb\n", AR_EINVAL, "control"},
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_pypi_meta m;
		struct ar_err err = {0};
		int rc = ar_pypi_parse_metadata(&m, a, cases[i].text, strlen(cases[i].text), &err);
		if (rc != cases[i].code || !strstr(err.msg, cases[i].msg))
			fail_msg("%s: got %d '%s'", cases[i].text, rc, err.msg);
	}
	struct ar_pypi_meta m;
	struct ar_err err = {0};
	assert_int_equal(ar_pypi_parse_metadata(&m, a, "Name: x\nVersion: 1\n\nnul\0byte", 25, &err), AR_EINVAL);

	/* too many items in one list, and too many bytes */
	struct ar_buf b;
	ar_buf_init(&b, 0);
	assert_int_equal(ar_buf_adds(&b, "Name: x\nVersion: 1\n"), 0);
	for (int i = 0; i < AR_PYPI_MAX_LIST; i++)
		assert_int_equal(ar_buf_adds(&b, "Classifier: c\n"), 0);
	assert_int_equal(ar_pypi_parse_metadata(&m, a, b.ptr, b.len, &err), 0);
	assert_int_equal(m.classifiers.n, AR_PYPI_MAX_LIST);
	assert_int_equal(ar_buf_adds(&b, "Classifier: c\n"), 0);
	assert_int_equal(ar_pypi_parse_metadata(&m, a, b.ptr, b.len, &err), AR_ETOOBIG);
	ar_buf_release(&b);
	char *big = calloc(1, AR_PYPI_MAX_METADATA + 1);
	assert_int_equal(ar_pypi_parse_metadata(&m, a, big, AR_PYPI_MAX_METADATA + 1, &err), AR_ETOOBIG);
	free(big);
	ar_arena_free(a);
}

/* ---- archives, built here with libarchive's writer ---- */

struct entry {
	const char *name;
	const char *data;
	size_t len; /* 0: strlen(data) */
};

enum container { ZIP, ZIP_STORED, TAR_GZ, TAR_BZ2 };

static void write_archive(const char *path, enum container c, const struct entry *e, size_t n)
{
	struct archive *w = archive_write_new();
	if (c == ZIP || c == ZIP_STORED) {
		assert_int_equal(archive_write_set_format_zip(w), ARCHIVE_OK);
		if (c == ZIP_STORED)
			assert_int_equal(archive_write_set_options(w, "zip:compression=store"), ARCHIVE_OK);
	} else {
		assert_int_equal(archive_write_set_format_pax_restricted(w), ARCHIVE_OK);
		assert_int_equal(c == TAR_GZ ? archive_write_add_filter_gzip(w) : archive_write_add_filter_bzip2(w),
				 ARCHIVE_OK);
	}
	assert_int_equal(archive_write_open_filename(w, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		size_t len = e[i].len ? e[i].len : strlen(e[i].data);
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, (la_int64_t)len);
		archive_entry_set_mtime(ae, 1700000000, 0);
		assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
		assert_int_equal(archive_write_data(w, e[i].data, len), (la_ssize_t)len);
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
}

static const char wheel_file[] = "Wheel-Version: 1.0\nGenerator: arca-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n";
static const char record_file[] = "pkg/__init__.py,,\npkg-1.0.dist-info/METADATA,,\npkg-1.0.dist-info/RECORD,,\n";

static int read_dist(struct ar_pypi_meta *m, struct ar_arena *a, const char *path, const char *filename,
		     struct ar_err *err)
{
	struct ar_pypi_file f;
	assert_int_equal(ar_pypi_parse_filename(&f, a, filename, err), 0);
	return ar_pypi_read_metadata(m, a, path, &f, err);
}

static void test_wheel_metadata(void **state)
{
	struct ar_arena *a = ar_arena_new();
	const char *path = tmp_path(a, "pkg-1.0-py3-none-any.whl");
	const char *meta = "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\nRequires-Dist: a>=1\n"
			   "Requires-Dist: b[x] (<2) ; extra == \"x\"\n\nLong\ndescription\n";
	struct entry e[] = {
		{"pkg/__init__.py", "print('hi')\n", 0},
		{"pkg-1.0.dist-info/METADATA", meta, 0},
		{"pkg-1.0.dist-info/WHEEL", wheel_file, 0},
		{"pkg-1.0.dist-info/RECORD", record_file, 0},
		{"pkg/sub/METADATA", "Name: decoy\nVersion: 9\n", 0},
	};
	write_archive(path, ZIP, e, 5);
	struct ar_pypi_meta m;
	struct ar_err err = {0};
	if (read_dist(&m, a, path, "pkg-1.0-py3-none-any.whl", &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.raw_len, strlen(meta));
	assert_memory_equal(m.raw, meta, m.raw_len); /* the PEP 658 file is these exact bytes */
	assert_string_equal(m.name, "pkg");
	assert_string_equal(m.version, "1.0");
	assert_string_equal(m.description, "Long\ndescription\n");
	assert_int_equal(m.requires_dist.n, 2);
	struct ar_pypi_req r;
	assert_int_equal(ar_pypi_parse_requirement(&r, a, m.requires_dist.v[1], &err), 0);
	assert_string_equal(r.name, "b");
	assert_string_equal(r.specifier, "<2");

	/* the dist-info directory is matched after normalisation: Pkg.Name vs pkg_name */
	path = tmp_path(a, "pkg_name-2.0-py3-none-any.whl");
	struct entry e2[] = {
		{"Pkg.Name-2.0.dist-info/METADATA", "Name: pkg.name\nVersion: 2.0\n", 0},
	};
	write_archive(path, ZIP, e2, 1);
	assert_int_equal(read_dist(&m, a, path, "pkg_name-2.0-py3-none-any.whl", &err), 0);
	assert_string_equal(m.name, "pkg.name");

	/* METADATA whose Name disagrees with the filename: parsed as is for the caller to compare */
	path = tmp_path(a, "liar-1.0-py3-none-any.whl");
	struct entry e3[] = {
		{"liar-1.0.dist-info/METADATA", "Name: something-else\nVersion: 1.0\n", 0},
	};
	write_archive(path, ZIP, e3, 1);
	assert_int_equal(read_dist(&m, a, path, "liar-1.0-py3-none-any.whl", &err), 0);
	assert_string_equal(m.name, "something-else");
	assert_string_not_equal(ar_pypi_normalize(a, m.name), ar_pypi_normalize(a, "liar"));
	ar_arena_free(a);
}

static void expect_dist_error(const char *name, enum container c, const struct entry *e, size_t n, int code,
			      const char *msg)
{
	struct ar_arena *a = ar_arena_new();
	const char *path = tmp_path(a, name);
	write_archive(path, c, e, n);
	struct ar_pypi_meta m;
	struct ar_err err = {0};
	int rc = read_dist(&m, a, path, name, &err);
	if (rc != code || !strstr(err.msg, msg))
		fail_msg("%s: got %d '%s', want %d '%s'", name, rc, err.msg, code, msg);
	unlink(path);
	ar_arena_free(a);
}

static void test_wheel_errors(void **state)
{
	struct entry no_meta[] = {
		{"pkg/__init__.py", "", 0},
		{"pkg-1.0.dist-info/WHEEL", wheel_file, 0},
	};
	expect_dist_error("pkg-1.0-py3-none-any.whl", ZIP, no_meta, 2, AR_EINVAL, "no pkg-1.0.dist-info/METADATA");
	struct entry two[] = {
		{"pkg-1.0.dist-info/METADATA", "Name: pkg\nVersion: 1.0\n", 0},
		{"other-1.0.dist-info/METADATA", "Name: other\nVersion: 1.0\n", 0},
	};
	expect_dist_error("pkg-1.0-py3-none-any.whl", ZIP, two, 2, AR_EINVAL, "more than one");
	struct entry dup[] = {
		{"pkg-1.0.dist-info/METADATA", "Name: pkg\nVersion: 1.0\n", 0},
		{"pkg-1.0.dist-info/METADATA", "Name: evil\nVersion: 1.0\n", 0},
	};
	expect_dist_error("pkg-1.0-py3-none-any.whl", ZIP, dup, 2, AR_EINVAL, "more than one");
	struct entry wrong_dir[] = {
		{"other-1.0.dist-info/METADATA", "Name: other\nVersion: 1.0\n", 0},
	};
	expect_dist_error("pkg-1.0-py3-none-any.whl", ZIP, wrong_dir, 1, AR_EINVAL, "does not match");
	struct entry wrong_version[] = {
		{"pkg-1.1.dist-info/METADATA", "Name: pkg\nVersion: 1.1\n", 0},
	};
	expect_dist_error("pkg-1.0-py3-none-any.whl", ZIP, wrong_version, 1, AR_EINVAL, "does not match");
	struct entry nested[] = {
		{"sub/pkg-1.0.dist-info/METADATA", "Name: pkg\nVersion: 1.0\n", 0},
	};
	expect_dist_error("pkg-1.0-py3-none-any.whl", ZIP, nested, 1, AR_EINVAL, "no pkg-1.0.dist-info");
	struct entry bad_meta[] = {
		{"pkg-1.0.dist-info/METADATA", "Name: pkg\n", 0},
	};
	expect_dist_error("pkg-1.0-py3-none-any.whl", ZIP, bad_meta, 1, AR_EINVAL, "no Version");
	/* a wheel is a zip; a tarball renamed .whl is refused */
	struct entry ok[] = {
		{"pkg-1.0.dist-info/METADATA", "Name: pkg\nVersion: 1.0\n", 0},
	};
	expect_dist_error("pkg-1.0-py3-none-any.whl", TAR_GZ, ok, 1, AR_EINVAL, "corrupt archive");

	/* METADATA over 16 MiB */
	size_t big_len = AR_PYPI_MAX_METADATA + 1;
	char *big = malloc(big_len);
	memset(big, 'x', big_len);
	memcpy(big, "Name: pkg\nVersion: 1.0\n\n", 24);
	struct entry huge[] = {
		{"pkg-1.0.dist-info/METADATA", big, big_len},
	};
	expect_dist_error("pkg-1.0-py3-none-any.whl", ZIP, huge, 1, AR_ETOOBIG, "larger than");
	free(big);

	/* missing file */
	struct ar_arena *a = ar_arena_new();
	struct ar_pypi_meta m;
	struct ar_err err = {0};
	assert_int_equal(read_dist(&m, a, tmp_path(a, "absent.whl"), "pkg-1.0-py3-none-any.whl", &err), AR_ERROR);
	ar_arena_free(a);
}

/* Truncating a valid archive anywhere must give AR_EINVAL, never a crash or a half-read success. */
static void check_truncations(const char *name, enum container c, const struct entry *e, size_t n)
{
	struct ar_arena *a = ar_arena_new();
	const char *path = tmp_path(a, name);
	write_archive(path, c, e, n);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char whole[65536];
	size_t len = fread(whole, 1, sizeof whole, f);
	fclose(f);
	assert_true(len > 0 && len < sizeof whole);
	struct ar_pypi_meta m;
	struct ar_err err = {0};
	assert_int_equal(read_dist(&m, a, path, name, &err), 0);
	size_t cuts[] = {0, 1, 10, len / 3, len / 2, len - 30, len - 1};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(whole, 1, cuts[i], f), cuts[i]);
		fclose(f);
		int rc = read_dist(&m, a, path, name, &err);
		if (rc != AR_EINVAL)
			fail_msg("%s cut at %zu of %zu: %d %s", name, cuts[i], len, rc, err.msg);
	}
	if (c == TAR_GZ) { /* a wrong CRC in the gzip trailer, all data intact */
		whole[len - 8] ^= 1;
		f = fopen(path, "wb");
		assert_int_equal(fwrite(whole, 1, len, f), len);
		fclose(f);
		assert_int_equal(read_dist(&m, a, path, name, &err), AR_EINVAL);
		assert_non_null(strstr(err.msg, "gzip"));
		whole[len - 8] ^= 1;
	}
	/* damage inside the metadata (a stored zip shows it verbatim; its CRC must catch this) or,
	   for a tarball, anywhere in the compressed stream (read to the end, so the gzip CRC or
	   inflate catches it). A deflated zip's skipped members are not checked, as with pip. */
	char *hit = memmem(whole, len, "Version: 1.0", 12);
	if (c == ZIP) {
		unlink(path);
		ar_arena_free(a);
		return;
	}
	assert_true(hit || c != ZIP_STORED);
	memset(hit ? hit + 9 : whole + len / 2, hit ? '2' : 0x5a, hit ? 1 : 16);
	f = fopen(path, "wb");
	assert_int_equal(fwrite(whole, 1, len, f), len);
	fclose(f);
	int rc = read_dist(&m, a, path, name, &err);
	if (rc != AR_EINVAL)
		fail_msg("%s with garbage: %d %s", name, rc, err.msg);
	unlink(path);
	ar_arena_free(a);
}

static void test_corrupt_archives(void **state)
{
	char filler[8000];
	for (size_t i = 0; i < sizeof filler - 1; i++)
		filler[i] = (char)('a' + (i * 7919) % 26);
	filler[sizeof filler - 1] = '\0';
	struct entry wheel[] = {
		{"pkg/__init__.py", filler, 0},
		{"pkg-1.0.dist-info/METADATA", "Name: pkg\nVersion: 1.0\n", 0},
		{"pkg-1.0.dist-info/RECORD", record_file, 0},
	};
	check_truncations("pkg-1.0-py3-none-any.whl", ZIP, wheel, 3);
	check_truncations("pkg-1.0-py3-none-any.whl", ZIP_STORED, wheel, 3);
	struct entry sdist[] = {
		{"pkg-1.0/PKG-INFO", "Name: pkg\nVersion: 1.0\n", 0},
		{"pkg-1.0/setup.py", filler, 0},
		{"pkg-1.0/README", filler + 100, 0},
	};
	check_truncations("pkg-1.0.tar.gz", TAR_GZ, sdist, 3);
	check_truncations("pkg-1.0.tar.bz2", TAR_BZ2, sdist, 3);
	check_truncations("pkg-1.0.zip", ZIP_STORED, sdist, 3);
}

static void test_sdist_metadata(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_pypi_meta m;
	struct ar_err err = {0};
	const char *pkg_info = "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\nSummary: sdist\n";
	struct entry e[] = {
		{"demo-pkg-1.0/setup.py", "from setuptools import setup\nsetup()\n", 0},
		{"demo-pkg-1.0/src/demo.egg-info/PKG-INFO", "Name: decoy\nVersion: 9\n", 0},
		{"demo-pkg-1.0/PKG-INFO", pkg_info, 0},
	};
	enum container kinds[] = {TAR_GZ, ZIP, TAR_BZ2};
	const char *names[] = {"demo-pkg-1.0.tar.gz", "demo-pkg-1.0.zip", "demo-pkg-1.0.tar.bz2"};
	for (size_t i = 0; i < 3; i++) {
		const char *path = tmp_path(a, names[i]);
		write_archive(path, kinds[i], e, 3);
		if (read_dist(&m, a, path, names[i], &err) != 0)
			fail_msg("%s: %s", names[i], err.msg);
		assert_string_equal(m.name, "demo-pkg");
		assert_string_equal(m.summary, "sdist");
		assert_memory_equal(m.raw, pkg_info, strlen(pkg_info));
		assert_int_equal(m.raw_len, strlen(pkg_info));
	}
	/* "./" prefixes (tar run in the directory) and a differently spelt but equal directory name */
	const char *path = tmp_path(a, "demo_pkg-1.0.tar.gz");
	struct entry dot[] = {
		{"./Demo.Pkg-1.0/PKG-INFO", pkg_info, 0},
	};
	write_archive(path, TAR_GZ, dot, 1);
	assert_int_equal(read_dist(&m, a, path, "demo_pkg-1.0.tar.gz", &err), 0);
	assert_string_equal(m.version, "1.0");
	ar_arena_free(a);

	struct entry missing[] = {
		{"demo-pkg-1.0/setup.py", "x", 0},
		{"demo-pkg-1.0/sub/PKG-INFO", pkg_info, 0},
		{"PKG-INFO", pkg_info, 0},
	};
	expect_dist_error("demo-pkg-1.0.tar.gz", TAR_GZ, missing, 3, AR_EINVAL, "no demo-pkg-1.0/PKG-INFO");
	struct entry wrong[] = {
		{"demo-pkg-2.0/PKG-INFO", pkg_info, 0},
	};
	expect_dist_error("demo-pkg-1.0.tar.gz", TAR_GZ, wrong, 1, AR_EINVAL, "no demo-pkg-1.0/PKG-INFO");
	struct entry twice[] = {
		{"demo-pkg-1.0/PKG-INFO", pkg_info, 0},
		{"./demo-pkg-1.0/PKG-INFO", "Name: evil\nVersion: 1.0\n", 0},
	};
	expect_dist_error("demo-pkg-1.0.tar.gz", TAR_GZ, twice, 2, AR_EINVAL, "more than one");
	/* a zip sdist renamed .tar.gz */
	expect_dist_error("demo-pkg-1.0.tar.gz", ZIP, e, 3, AR_EINVAL, "corrupt archive");
}

/* ---- a wheel built by the real toolchain, when one is installed ---- */

static const char *find_python(void)
{
	/* the first interpreter on PATH may lack wheel while the system one has it */
	static const char *const candidates[] = {"python3", "/usr/bin/python3"};
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		char cmd[256];
		snprintf(cmd, sizeof cmd, "%s -c 'import setuptools, wheel, pip' >/dev/null 2>&1", candidates[i]);
		if (system(cmd) == 0)
			return candidates[i];
	}
	return NULL;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_real_wheel(void **state)
{
	const char *py = find_python();
	if (!py) {
		printf("SKIP test_real_wheel: no python3 with setuptools, wheel and pip\n");
		return;
	}
	struct ar_arena *a = ar_arena_new();
	const char *src = tmp_path(a, "src"), *out = tmp_path(a, "out");
	assert_int_equal(mkdir(src, 0700), 0);
	assert_int_equal(mkdir(out, 0700), 0);
	assert_int_equal(mkdir(ar_printf(a, "%s/arca_demo", src), 0700), 0);
	write_text(ar_printf(a, "%s/arca_demo/__init__.py", src), "VALUE = 1\n");
	write_text(ar_printf(a, "%s/setup.py", src),
		   "from setuptools import setup\n"
		   "setup(name='Arca.Demo', version='1.2.3', packages=['arca_demo'],\n"
		   "      description='A demo for arca',\n"
		   "      long_description='Line one\\n\\n  Indented line three\\n',\n"
		   "      long_description_content_type='text/markdown',\n"
		   "      python_requires='>=3.7',\n"
		   "      install_requires=['requests>=2.0', 'idna<4,>=2.5; python_version > \"3\"'],\n"
		   "      extras_require={'socks': ['PySocks!=1.5.7']},\n"
		   "      classifiers=['Programming Language :: Python :: 3'])\n");
	const char *cmd = ar_printf(a,
				    "cd %s && PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 %s -m pip wheel -q "
				    "--no-deps --no-build-isolation --no-index -w %s %s >%s/log 2>&1",
				    tmp, py, out, src, tmp);
	int status = system(cmd);
	if (status != 0) {
		if (system(ar_printf(a, "cat %s/log", tmp)) != 0)
			print_message("could not show the log\n");
		fail_msg("pip wheel failed (%d)", status);
	}
	DIR *d = opendir(out);
	assert_non_null(d);
	const char *whl = NULL;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".whl"))
			whl = ar_strdup(a, de->d_name);
	closedir(d);
	assert_non_null(whl);
	struct ar_pypi_file f;
	struct ar_err err = {0};
	assert_int_equal(ar_pypi_parse_filename(&f, a, whl, &err), 0);
	assert_int_equal(f.kind, AR_PYPI_WHEEL);
	assert_string_equal(ar_pypi_normalize(a, f.name), "arca-demo");
	assert_string_equal(f.version, "1.2.3");
	assert_string_equal(f.abi_tag, "none");
	struct ar_pypi_meta m;
	if (ar_pypi_read_metadata(&m, a, ar_printf(a, "%s/%s", out, whl), &f, &err) != 0)
		fail_msg("%s: %s", whl, err.msg);
	assert_string_equal(ar_pypi_normalize(a, m.name), "arca-demo");
	assert_string_equal(m.version, "1.2.3");
	assert_string_equal(m.summary, "A demo for arca");
	assert_string_equal(m.requires_python, ">=3.7");
	assert_string_equal(m.description_content_type, "text/markdown");
	assert_non_null(strstr(m.description, "Line one\n\n  Indented line three"));
	assert_true(m.requires_dist.n == 3);
	size_t extras = 0;
	for (size_t i = 0; i < m.requires_dist.n; i++) {
		struct ar_pypi_req r;
		if (ar_pypi_parse_requirement(&r, a, m.requires_dist.v[i], &err) != 0)
			fail_msg("%s: %s", m.requires_dist.v[i], err.msg);
		if (strcmp(r.name, "idna") == 0)
			assert_string_equal(r.specifier, "<4,>=2.5");
		if (r.marker && strstr(r.marker, "extra ==") && strstr(r.marker, "socks"))
			extras++;
	}
	assert_int_equal(extras, 1);
	assert_int_equal(m.provides_extra.n, 1);
	assert_string_equal(m.classifiers.v[0], "Programming Language :: Python :: 3");
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),	  cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_parse_filename),	  cmocka_unit_test(test_version_order),
		cmocka_unit_test(test_version_normalize), cmocka_unit_test(test_parse_requirement),
		cmocka_unit_test(test_metadata_fields),	  cmocka_unit_test(test_metadata_errors),
		cmocka_unit_test(test_wheel_metadata),	  cmocka_unit_test(test_wheel_errors),
		cmocka_unit_test(test_corrupt_archives),  cmocka_unit_test(test_sdist_metadata),
		cmocka_unit_test(test_real_wheel),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
