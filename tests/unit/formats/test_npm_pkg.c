/* tests/unit/formats/test_npm_pkg.c - npm names, tarball reading and publish bodies on real .tgz files */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <ftw.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/json.h"
#include "formats/npm_pkg.h"

/* ---- fixtures ---- */

struct entry {
	const char *path;
	const char *data; /* NULL makes a directory */
	size_t len;	  /* 0 means strlen(data) */
};

/* A tar built with libarchive's writer, gzip'd unless plain; arena-owned. */
static unsigned char *make_tar(struct ar_arena *a, const struct entry *e, size_t n, bool gzip, bool pax,
			       size_t *out_len)
{
	size_t cap = 8 << 20;
	unsigned char *buf = ar_alloc(a, cap);
	struct archive *w = archive_write_new();
	if (gzip)
		assert_int_equal(archive_write_add_filter_gzip(w), ARCHIVE_OK);
	assert_int_equal(pax ? archive_write_set_format_pax_restricted(w) : archive_write_set_format_ustar(w),
			 ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(w, buf, cap, out_len), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		size_t len = e[i].data ? (e[i].len ? e[i].len : strlen(e[i].data)) : 0;
		archive_entry_set_pathname(ae, e[i].path);
		archive_entry_set_filetype(ae, e[i].data ? AE_IFREG : AE_IFDIR);
		archive_entry_set_perm(ae, e[i].data ? 0644 : 0755);
		archive_entry_set_size(ae, (la_int64_t)len);
		archive_entry_set_mtime(ae, 499162500, 0); /* npm's fixed 1985-10-26 mtime */
		assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(w, e[i].data, len), (la_ssize_t)len);
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	return buf;
}

static const char demo_package_json[] =
	"{\"name\":\"@myscope/demo\",\"version\":\"1.0.0\",\"description\":\"a demo\","
	"\"license\":{\"type\":\"MIT\"},\"homepage\":\"https://example.com/demo\","
	"\"repository\":{\"type\":\"git\",\"url\":\"git+https://example.com/demo.git\"},"
	"\"dependencies\":{\"left-pad\":\"^1.3.0\",\"@types/node\":\"~20.1\"},"
	"\"devDependencies\":{\"tap\":\"*\"},\"peerDependencies\":{\"react\":\">=17 <19\"},"
	"\"optionalDependencies\":{\"fsevents\":\"2.x\"},\"main\":\"index.js\"}";
static const char demo_readme[] = "# demo\n\nUnicode: caf\xc3\xa9 \xe2\x9c\x93\n";
static const char demo_index[] = "module.exports = 42\n";

static unsigned char *demo_tgz(struct ar_arena *a, size_t *len)
{
	const struct entry e[] = {
		{"package/package.json", demo_package_json, 0},
		{"package/index.js", demo_index, 0},
		{"package/README.md", demo_readme, 0},
		{"package/lib/readme.md", "not the root readme", 0},
	};
	return make_tar(a, e, 4, true, true, len);
}

/* dist.shasum and dist.integrity computed here with OpenSSL, independently of the code under test. */
static void digests(struct ar_arena *a, const unsigned char *d, size_t n, char **shasum, char **integrity)
{
	unsigned char sha1[20], sha512[64];
	unsigned int l = 0;
	EVP_Digest(d, n, sha1, &l, EVP_sha1(), NULL);
	EVP_Digest(d, n, sha512, &l, EVP_sha512(), NULL);
	*shasum = ar_alloc(a, 41);
	ar_hex(*shasum, sha1, 20);
	*integrity = ar_printf(a, "sha512-%s", ar_b64_encode(a, sha512, 64));
}

static char *b64_digest(struct ar_arena *a, const EVP_MD *md, const unsigned char *d, size_t n)
{
	unsigned char raw[64];
	unsigned int l = 0;
	EVP_Digest(d, n, raw, &l, md, NULL);
	return ar_b64_encode(a, raw, l);
}

/* Points the body's single attachment and dist at new tarball bytes, keeping them consistent. */
static void set_tarball(json_t *body, struct ar_arena *a, const unsigned char *tgz, size_t len)
{
	char *shasum, *integrity;
	digests(a, tgz, len, &shasum, &integrity);
	json_t *versions = json_object_get(body, "versions");
	json_t *manifest = json_object_iter_value(json_object_iter(versions));
	json_t *dist = json_object_get(manifest, "dist");
	json_object_set_new(dist, "shasum", json_string(shasum));
	json_object_set_new(dist, "integrity", json_string(integrity));
	json_t *att = json_object_iter_value(json_object_iter(json_object_get(body, "_attachments")));
	json_object_set_new(att, "data", json_string(ar_b64_encode(a, tgz, len)));
	json_object_set_new(att, "length", json_integer((json_int_t)len));
}

/* The body npm 11 sends for `npm publish` (protocols.md 1.4). The caller owns the reference. */
static json_t *npm11_body(struct ar_arena *a, const char *name, const char *version, const unsigned char *tgz,
			  size_t len)
{
	json_t *body = json_pack(
		"{s:s, s:s, s:s, s:{s:s}, s:{s:{s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s, s:s, s:s, s:{s:s}}}, s:s, "
		"s:{s:{s:s}}}",
		"_id", name, "name", name, "description", "a demo", "dist-tags", "latest", version, "versions", version,
		"name", name, "version", version, "description", "a demo", "main", "index.js", "dependencies",
		"left-pad", "^1.3.0", "readme", "# demo", "_id", ar_printf(a, "%s@%s", name, version), "_nodeVersion",
		"20.20.2", "_npmVersion", "11.19.1", "dist", "tarball",
		ar_printf(a, "http://127.0.0.1:18082/npm/repo/%s/-/%s-%s.tgz", name, name, version), "access", "public",
		"_attachments", ar_printf(a, "%s-%s.tgz", name, version), "content_type", "application/octet-stream");
	assert_non_null(body);
	set_tarball(body, a, tgz, len);
	return body;
}

static int parse_body(struct ar_npm_publish *out, struct ar_arena *a, const char *url_name, json_t *body,
		      struct ar_err *err)
{
	char *s = json_dumps(body, JSON_COMPACT);
	char *copy = ar_strdup(a, s);
	free(s);
	return ar_npm_parse_publish(out, a, url_name, copy, strlen(copy), err);
}

/* ---- names ---- */

static void test_split_name(void **state)
{
	static const struct {
		const char *in, *ns, *name;
	} ok[] = {
		{"demo", NULL, "demo"},
		{"@myscope/demo", "myscope", "demo"},
		{"@a/b", "a", "b"},
		{"JSONStream", NULL, "JSONStream"}, /* legacy names are structurally fine */
	};
	static const char *const bad[] = {
		"", "@scope", "@scope/", "@/name", "a/b", "@s/a/b", "..", "@s/..", "@./x", "a b", "a\tb", "@s/x\n",
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		const char *ns = "unset", *name = NULL;
		assert_int_equal(ar_npm_split_name(&ns, &name, a, ok[i].in, NULL), 0);
		if (ok[i].ns)
			assert_string_equal(ns, ok[i].ns);
		else
			assert_null(ns);
		assert_string_equal(name, ok[i].name);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *ns, *name;
		struct ar_err err = {0};
		if (ar_npm_split_name(&ns, &name, a, bad[i], &err) != AR_EINVAL)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(err.code, AR_EINVAL);
	}
	const char *ns, *name;
	assert_int_equal(ar_npm_split_name(&ns, &name, a, NULL, NULL), AR_EINVAL);
	ar_arena_free(a);
}

static void test_decode_path_name(void **state)
{
	static const struct {
		const char *seg, *seg2, *want;
	} ok[] = {
		{"demo", NULL, "demo"},
		{"@myscope%2fdemo", NULL, "@myscope/demo"},
		{"@myscope%2Fdemo", NULL, "@myscope/demo"},
		{"%40myscope%2Fdemo", NULL, "@myscope/demo"},
		{"@myscope", "demo", "@myscope/demo"},
		{"lodash.merge", NULL, "lodash.merge"},
	};
	static const struct {
		const char *seg, *seg2;
	} bad[] = {
		{"@s%2", NULL}, {"@s%zzdemo", NULL}, {"a%2fb", NULL}, {"@s%2fa%2fb", NULL},
		{"demo", "x"},	{"@s%2fa", "b"},     {"%00", NULL},   {"", NULL},
		{"@s", NULL},	{"@s", ""},	     {"a%20b", NULL}, {"..", NULL},
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		const char *out = NULL;
		struct ar_err err = {0};
		if (ar_npm_decode_path_name(&out, a, ok[i].seg, strlen(ok[i].seg), ok[i].seg2,
					    ok[i].seg2 ? strlen(ok[i].seg2) : 0, &err))
			fail_msg("%s: %s", ok[i].seg, err.msg);
		assert_string_equal(out, ok[i].want);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *out;
		if (ar_npm_decode_path_name(&out, a, bad[i].seg, strlen(bad[i].seg), bad[i].seg2,
					    bad[i].seg2 ? strlen(bad[i].seg2) : 0, NULL) != AR_EINVAL)
			fail_msg("accepted '%s' '%s'", bad[i].seg, bad[i].seg2 ? bad[i].seg2 : "");
	}
	ar_arena_free(a);
}

static void test_name_valid(void **state)
{
	char long_name[AR_NPM_NAME_MAX + 2];
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	char max_name[AR_NPM_NAME_MAX + 1];
	memset(max_name, 'a', AR_NPM_NAME_MAX);
	max_name[AR_NPM_NAME_MAX] = '\0';
	/* expectations from validate-npm-package-name 5: new = validForNewPackages, old = validForOldPackages */
	const struct {
		const char *name;
		bool is_new_ok, is_old_ok;
	} cases[] = {
		{"demo", true, true},
		{"some-package", true, true},
		{"example.com", true, true},
		{"under_score", true, true},
		{"123numeric", true, true},
		{"@npm/thingy", true, true},
		{"@npm-zors/money!time.js", false, true}, /* special characters after the scope */
		{"@scope!/demo", true, true},		  /* but allowed in the scope */
		{"crazy!", false, true},
		{"excited!", false, true},
		{"(parens)", false, true},
		{"CAPITAL-LETTERS", false, true},
		{"@Scope/demo", false, true},
		{"JSONStream", false, true},
		{"http", false, true}, /* core module */
		{"fs", false, true},
		{"events", false, true},
		{"http-server", true, true},
		{max_name, true, true},
		{long_name, false, true},
		{"", false, false},
		{".start-with-period", false, false},
		{"-start-with-hyphen", false, false},
		{"_start-with-underscore", false, false},
		{" leading-space", false, false},
		{"trailing-space ", false, false},
		{"contain:colons", false, false},
		{"s/l/a/s/h/e/s", false, false},
		{"with space", false, false},
		{"node_modules", false, false},
		{"favicon.ico", false, false},
		{"NODE_MODULES", false, false},
		{"@scope/.hidden", false, false},
		{"@./demo", false, false}, /* scopes are user/org names */
		{"@/demo", false, false},
		{"@scope/", false, false},
		{"caf\xc3\xa9", false, false},
		{"@scope/a b", false, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *reason = NULL;
		bool got_new = ar_npm_name_valid(cases[i].name, true, &reason);
		if (got_new != cases[i].is_new_ok)
			fail_msg("new '%s': got %d (%s)", cases[i].name, got_new, reason ? reason : "");
		if (!got_new)
			assert_non_null(reason);
		bool got_old = ar_npm_name_valid(cases[i].name, false, NULL);
		if (got_old != cases[i].is_old_ok)
			fail_msg("old '%s': got %d", cases[i].name, got_old);
	}
	assert_false(ar_npm_name_valid(NULL, true, NULL));
}

static void test_tag_valid(void **state)
{
	static const struct {
		const char *tag;
		bool ok;
	} cases[] = {
		{"latest", true}, {"beta", true},  {"next-2", true},  {"canary.1", true}, {"1.0.0", false},
		{"v1", false},	  {"^1.2", false}, {"x", false},      {"*", false},	  {"", false},
		{"a b", false},	  {"a/b", false},  {">=1 <2", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (ar_npm_tag_valid(cases[i].tag, NULL) != cases[i].ok)
			fail_msg("tag '%s'", cases[i].tag);
}

static void test_small_helpers(void **state)
{
	struct ar_arena *a = ar_arena_new();
	/* sha512("") from FIPS 180-2 */
	const char *empty = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
			    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
	assert_string_equal(
		ar_npm_integrity_sha512_hex(a, empty),
		"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==");
	assert_null(ar_npm_integrity_sha512_hex(a, "abc"));
	assert_null(ar_npm_integrity_sha512_hex(a, NULL));
	unsigned char raw[64] = {0};
	assert_int_equal(strlen(ar_npm_integrity_sha512(a, raw)), 7 + 88);
	assert_string_equal(ar_npm_tarball_filename(a, "@myscope/demo", "1.0.0"), "demo-1.0.0.tgz");
	assert_string_equal(ar_npm_tarball_filename(a, "left-pad", "1.3.0-rc.1"), "left-pad-1.3.0-rc.1.tgz");
	ar_arena_free(a);
}

/* ---- tarballs ---- */

static const struct ar_npm_dep *find_dep(const struct ar_npm_tarball *t, const char *name)
{
	for (size_t i = 0; i < t->n_deps; i++)
		if (strcmp(t->deps[i].name, name) == 0)
			return &t->deps[i];
	return NULL;
}

static void test_read_tarball(void **state)
{
	struct ar_arena *a = ar_arena_new();
	size_t len;
	unsigned char *tgz = demo_tgz(a, &len);
	assert_true(tgz[0] == 0x1f && tgz[1] == 0x8b); /* really gzip'd */
	struct ar_npm_tarball t;
	struct ar_err err = {0};
	if (ar_npm_read_tarball(&t, a, tgz, len, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(t.name, "@myscope/demo");
	assert_string_equal(t.version, "1.0.0");
	assert_string_equal(t.description, "a demo");
	assert_string_equal(t.license, "MIT");
	assert_string_equal(t.homepage, "https://example.com/demo");
	assert_string_equal(t.repository, "git+https://example.com/demo.git");
	assert_int_equal(t.n_deps, 5);
	const struct ar_npm_dep *d = find_dep(&t, "@types/node");
	assert_non_null(d);
	assert_string_equal(d->spec, "~20.1");
	assert_int_equal(d->type, AR_NPM_DEP_RUNTIME);
	assert_int_equal(find_dep(&t, "tap")->type, AR_NPM_DEP_DEV);
	assert_int_equal(find_dep(&t, "react")->type, AR_NPM_DEP_PEER);
	assert_string_equal(find_dep(&t, "react")->spec, ">=17 <19");
	assert_int_equal(find_dep(&t, "fsevents")->type, AR_NPM_DEP_OPTIONAL);
	assert_string_equal(t.readme, demo_readme);
	assert_int_equal(t.readme_len, strlen(demo_readme));
	assert_string_equal(t.readme_filename, "README.md");
	assert_false(t.readme_truncated);
	assert_int_equal(t.n_files, 4);
	assert_int_equal(t.unpacked_size, strlen(demo_package_json) + strlen(demo_index) + strlen(demo_readme) +
						  strlen("not the root readme"));
	assert_string_equal(json_string_value(json_object_get(t.package_json, "main")), "index.js");
	ar_arena_free(a);
}

/* Any single top directory works (npm strips one component), plain tar and ustar too. */
static void test_read_tarball_other_layouts(void **state)
{
	struct ar_arena *a = ar_arena_new();
	const struct entry e[] = {
		{"node-demo/", NULL, 0},
		{"node-demo/package.json", /* with a UTF-8 BOM, which npm tolerates */
		 "\xef\xbb\xbf{\"name\":\"demo\",\"version\":\"2.0.0\",\"license\":\"ISC\","
		 "\"repository\":\"github:me/demo\"}",
		 0},
		{"node-demo/Readme", "plain readme", 0},
		{"stray.txt", "dropped by npm's strip", 0},
	};
	size_t len;
	unsigned char *tar = make_tar(a, e, 4, false, false, &len);
	struct ar_npm_tarball t;
	struct ar_err err = {0};
	if (ar_npm_read_tarball(&t, a, tar, len, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(t.name, "demo");
	assert_string_equal(t.license, "ISC");
	assert_string_equal(t.repository, "github:me/demo");
	assert_string_equal(t.readme, "plain readme");
	assert_string_equal(t.readme_filename, "Readme");
	assert_int_equal(t.n_deps, 0);
	assert_null(t.description);

	/* "package/" wins over another top directory, whichever comes first */
	const struct entry two[] = {
		{"other/package.json", "{\"name\":\"other\",\"version\":\"9.9.9\"}", 0},
		{"./package/package.json",
		 "{\"name\":\"real\",\"version\":\"1.0.0\","
		 "\"licenses\":[{\"type\":\"MIT\"},{\"type\":\"Apache-2.0\"}]}",
		 0},
	};
	tar = make_tar(a, two, 2, true, false, &len);
	assert_int_equal(ar_npm_read_tarball(&t, a, tar, len, NULL), 0);
	assert_string_equal(t.name, "real");
	assert_string_equal(t.license, "MIT OR Apache-2.0");
	ar_arena_free(a);
}

static void test_readme_choice(void **state)
{
	struct ar_arena *a = ar_arena_new();
	const char *pj = "{\"name\":\"demo\",\"version\":\"1.0.0\"}";
	struct ar_npm_tarball t;
	size_t len;
	unsigned char *tgz;

	/* markdown beats a bare README even when it comes later */
	const struct entry md_later[] = {
		{"package/README", "bare", 0},
		{"package/readme.markdown", "markdown", 0},
		{"package/README.md", "second markdown", 0},
		{"package/package.json", pj, 0},
	};
	tgz = make_tar(a, md_later, 4, true, true, &len);
	assert_int_equal(ar_npm_read_tarball(&t, a, tgz, len, NULL), 0);
	assert_string_equal(t.readme, "markdown");
	assert_string_equal(t.readme_filename, "readme.markdown");

	/* npm does not take README.txt, nor a README below the root, nor one that is not UTF-8 */
	const struct entry none[] = {
		{"package/README.txt", "text", 0},
		{"package/docs/README.md", "nested", 0},
		{"package/package.json", pj, 0},
	};
	tgz = make_tar(a, none, 3, true, true, &len);
	assert_int_equal(ar_npm_read_tarball(&t, a, tgz, len, NULL), 0);
	assert_null(t.readme);
	const struct entry binary[] = {
		{"package/README.md", "bad \xff utf8", 0},
		{"package/package.json", pj, 0},
	};
	tgz = make_tar(a, binary, 2, true, true, &len);
	assert_int_equal(ar_npm_read_tarball(&t, a, tgz, len, NULL), 0);
	assert_null(t.readme);

	/* over 1 MiB: truncated on a character boundary */
	size_t big_len = AR_NPM_README_MAX + 1000;
	char *big = ar_alloc(a, big_len + 1);
	for (size_t i = 0; i + 2 < big_len; i += 3)
		memcpy(big + i, "\xe2\x9c\x93", 3); /* U+2713, three bytes; 2^20 is not a multiple of 3 */
	big_len = big_len / 3 * 3;
	const struct entry huge[] = {
		{"package/package.json", pj, 0},
		{"package/README.md", big, big_len},
	};
	tgz = make_tar(a, huge, 2, true, true, &len);
	assert_int_equal(ar_npm_read_tarball(&t, a, tgz, len, NULL), 0);
	assert_non_null(t.readme);
	assert_true(t.readme_truncated);
	assert_true(t.readme_len <= AR_NPM_README_MAX && t.readme_len > AR_NPM_README_MAX - 4);
	assert_int_equal(t.readme_len % 3, 0);
	assert_int_equal(t.unpacked_size, strlen(pj) + big_len);
	ar_arena_free(a);
}

static void test_read_tarball_errors(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_npm_tarball t;
	struct ar_err err = {0};
	size_t len;

	unsigned char *tgz = demo_tgz(a, &len);
	assert_int_equal(ar_npm_read_tarball(&t, a, tgz, len / 2, &err), AR_EINVAL); /* truncated */
	assert_non_null(strstr(err.msg, "corrupt"));

	unsigned char junk[512];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(ar_npm_read_tarball(&t, a, junk, sizeof junk, NULL), AR_EINVAL);
	assert_int_equal(ar_npm_read_tarball(&t, a, junk, 0, NULL), AR_EINVAL);

	const struct {
		struct entry e[2];
		size_t n;
		const char *msg;
	} cases[] = {
		{{{"package/index.js", "x", 0}}, 1, "no package"},
		{{{"package.json", "{\"name\":\"a\",\"version\":\"1.0.0\"}", 0}}, 1, "no package"},
		{{{"package/package.json", "{\"name\":\"a\",", 0}}, 1, "package.json"},
		{{{"package/package.json", "[1]", 0}}, 1, "package.json"},
		{{{"package/package.json", "{\"name\":\"a\"}", 0}}, 1, "no name or version"},
		{{{"package/package.json", "{\"name\":1,\"version\":\"1.0.0\"}", 0}}, 1, "no name or version"},
		{{{"package/package.json", "{\"name\":\"a\",\"version\":\"1.0.0\"}", 0},
		  {"package/package.json", "{\"name\":\"evil\",\"version\":\"1.0.0\"}", 0}},
		 2,
		 "more than one"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tgz = make_tar(a, cases[i].e, cases[i].n, true, true, &len);
		memset(&err, 0, sizeof err);
		assert_int_equal(ar_npm_read_tarball(&t, a, tgz, len, &err), AR_EINVAL);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
	}

	/* a package.json past 10 MiB is refused without reading it all */
	size_t big_len = AR_NPM_PACKAGE_JSON_MAX + 1;
	char *big = ar_alloc(a, big_len + 1);
	memset(big, ' ', big_len);
	big[0] = '{';
	big[big_len - 1] = '}';
	const struct entry huge[] = {{"package/package.json", big, big_len}};
	tgz = make_tar(a, huge, 1, true, true, &len);
	assert_int_equal(ar_npm_read_tarball(&t, a, tgz, len, NULL), AR_ETOOBIG);
	ar_arena_free(a);
}

/* ---- publish bodies ---- */

static void test_publish_npm11_scoped(void **state)
{
	struct ar_arena *a = ar_arena_new();
	size_t len;
	unsigned char *tgz = demo_tgz(a, &len);
	json_t *body = npm11_body(a, "@myscope/demo", "1.0.0", tgz, len);
	char *shasum, *integrity;
	digests(a, tgz, len, &shasum, &integrity);

	struct ar_npm_publish p;
	struct ar_err err = {0};
	if (parse_body(&p, a, "@myscope/demo", body, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(p.kind, AR_NPM_PUT_PUBLISH);
	assert_string_equal(p.name, "@myscope/demo");
	assert_string_equal(p.ns, "myscope");
	assert_string_equal(p.pkg, "demo");
	assert_string_equal(p.version, "1.0.0");
	assert_string_equal(p.description, "a demo");
	assert_string_equal(p.access, "public");
	assert_null(p.rev);
	assert_true(p.has_tags);
	assert_int_equal(p.n_tags, 1);
	assert_string_equal(p.tags[0].tag, "latest");
	assert_string_equal(p.tags[0].version, "1.0.0");
	assert_int_equal(p.n_versions, 1);
	assert_null(p.versions[0].deprecated);
	assert_string_equal(ar_json_str(p.manifest, "_npmVersion"), "11.19.1");
	assert_string_equal(p.attachment, "@myscope/demo-1.0.0.tgz");
	assert_int_equal(p.tarball_len, len);
	assert_memory_equal(p.tarball, tgz, len);
	assert_string_equal(p.hashes.sha1, shasum);
	assert_string_equal(p.integrity, integrity);
	assert_int_equal(p.hashes.size, len);
	assert_string_equal(p.info.name, "@myscope/demo");
	assert_string_equal(p.info.readme, demo_readme);
	assert_int_equal(p.info.n_deps, 5);

	/* clients that name the attachment without the scope are accepted too */
	json_t *atts = json_object_get(body, "_attachments");
	json_object_set(atts, "demo-1.0.0.tgz", json_object_get(atts, "@myscope/demo-1.0.0.tgz"));
	json_object_del(atts, "@myscope/demo-1.0.0.tgz");
	assert_int_equal(parse_body(&p, a, "@myscope/demo", body, NULL), 0);
	assert_string_equal(p.attachment, "demo-1.0.0.tgz");
	json_decref(body);
	ar_arena_free(a);
}

static void test_publish_unscoped_variants(void **state)
{
	struct ar_arena *a = ar_arena_new();
	const struct entry e[] = {
		{"package/package.json", "{\"name\":\"demo\",\"version\":\"v2.0.0-beta.1\"}", 0},
	};
	size_t len;
	unsigned char *tgz = make_tar(a, e, 1, true, true, &len);
	json_t *body = npm11_body(a, "demo", "2.0.0-beta.1", tgz, len);
	struct ar_npm_publish p;
	struct ar_err err = {0};

	/* the tarball's un-normalised "v2.0.0-beta.1" still matches, as npm cleans it on publish */
	if (parse_body(&p, a, "demo", body, &err))
		fail_msg("%s", err.msg);
	assert_null(p.ns);
	assert_string_equal(p.pkg, "demo");

	/* yarn-style bare attachment name, no length, several hashes of which sha512 is the strongest */
	json_t *atts = json_object_get(body, "_attachments");
	json_t *att = json_incref(json_object_get(atts, "demo-2.0.0-beta.1.tgz"));
	json_object_clear(atts);
	json_object_del(att, "length");
	json_object_set_new(atts, "demo-2.0.0-beta.1.tgz", att);
	json_t *dist = json_object_get(json_object_get(json_object_get(body, "versions"), "2.0.0-beta.1"), "dist");
	const char *good = ar_json_str(dist, "integrity");
	json_object_set_new(
		dist, "integrity",
		json_string(ar_printf(a, "sha1-%s %s?opt sha512-AAAA", b64_digest(a, EVP_sha1(), tgz, len), good)));
	if (parse_body(&p, a, "demo", body, &err))
		fail_msg("%s", err.msg);

	/* only sha256, only sha384: verified with that algorithm; no dist at all is accepted */
	json_object_del(dist, "shasum");
	json_object_set_new(dist, "integrity",
			    json_string(ar_printf(a, "sha256-%s", b64_digest(a, EVP_sha256(), tgz, len))));
	assert_int_equal(parse_body(&p, a, "demo", body, NULL), 0);
	json_object_set_new(dist, "integrity",
			    json_string(ar_printf(a, "sha384-%s", b64_digest(a, EVP_sha384(), tgz, len))));
	assert_int_equal(parse_body(&p, a, "demo", body, NULL), 0);
	json_object_set_new(dist, "integrity",
			    json_string(ar_printf(a, "sha384-%s", b64_digest(a, EVP_sha256(), tgz, len))));
	assert_int_equal(parse_body(&p, a, "demo", body, NULL), AR_EINVAL);
	json_object_del(dist, "integrity");
	assert_int_equal(parse_body(&p, a, "demo", body, NULL), 0);
	json_decref(body);
	ar_arena_free(a);
}

/* Each mutation of a good npm 11 body must be refused with AR_EINVAL and say why. */
enum mutation {
	M_INTEGRITY,
	M_INTEGRITY_STRONGEST,
	M_INTEGRITY_UNKNOWN_ALGO,
	M_SHASUM,
	M_URL_NAME,
	M_BODY_ID,
	M_MANIFEST_NAME,
	M_MANIFEST_VERSION,
	M_TWO_VERSIONS,
	M_TWO_ATTACHMENTS,
	M_ATTACHMENT_NAME,
	M_BAD_BASE64,
	M_LENGTH,
	M_CORRUPT_TARBALL,
	M_NO_PACKAGE_JSON,
	M_TARBALL_NAME,
	M_TARBALL_VERSION,
	M_BAD_VERSION,
	M_TAG_ELSEWHERE,
	M_TAG_IS_RANGE,
	M_NO_NAME,
	M_EMPTY_DATA,
	M_COUNT,
};

static const char *const mutation_msg[M_COUNT] = {
	[M_INTEGRITY] = "integrity mismatch",
	[M_INTEGRITY_STRONGEST] = "integrity mismatch",
	[M_INTEGRITY_UNKNOWN_ALGO] = "no supported hash",
	[M_SHASUM] = "integrity mismatch",
	[M_URL_NAME] = "body name",
	[M_BODY_ID] = "_id",
	[M_MANIFEST_NAME] = "manifest name",
	[M_MANIFEST_VERSION] = "manifest version",
	[M_TWO_VERSIONS] = "exactly one version",
	[M_TWO_ATTACHMENTS] = "exactly one attachment",
	[M_ATTACHMENT_NAME] = "attachment must be named",
	[M_BAD_BASE64] = "base64",
	[M_LENGTH] = "length",
	[M_CORRUPT_TARBALL] = "corrupt tarball",
	[M_NO_PACKAGE_JSON] = "no package/package.json",
	[M_TARBALL_NAME] = "different package",
	[M_TARBALL_VERSION] = "different version",
	[M_BAD_VERSION] = "not valid SemVer",
	[M_TAG_ELSEWHERE] = "must point at the published version",
	[M_TAG_IS_RANGE] = "SemVer range",
	[M_NO_NAME] = "no name",
	[M_EMPTY_DATA] = "empty",
};

static void test_publish_rejects(void **state)
{
	for (int m = 0; m < M_COUNT; m++) {
		struct ar_arena *a = ar_arena_new();
		size_t len;
		unsigned char *tgz = demo_tgz(a, &len);
		const char *url = "@myscope/demo";
		json_t *body = npm11_body(a, url, "1.0.0", tgz, len);
		json_t *versions = json_object_get(body, "versions");
		json_t *manifest = json_object_get(versions, "1.0.0");
		json_t *dist = json_object_get(manifest, "dist");
		json_t *atts = json_object_get(body, "_attachments");
		json_t *att = json_object_get(atts, "@myscope/demo-1.0.0.tgz");
		switch ((enum mutation)m) {
		case M_INTEGRITY: {
			char *s = ar_strdup(a, ar_json_str(dist, "integrity"));
			s[10] = s[10] == 'A' ? 'B' : 'A';
			json_object_set_new(dist, "integrity", json_string(s));
			break;
		}
		case M_INTEGRITY_STRONGEST: /* a right sha1 does not rescue a wrong sha512 */
			json_object_set_new(
				dist, "integrity",
				json_string(ar_printf(a, "sha1-%s sha512-%s", b64_digest(a, EVP_sha1(), tgz, len),
						      b64_digest(a, EVP_sha512(), tgz, len - 1))));
			break;
		case M_INTEGRITY_UNKNOWN_ALGO:
			json_object_set_new(dist, "integrity", json_string("md5-1B2M2Y8AsgTpgAmY7PhCfg=="));
			break;
		case M_SHASUM:
			json_object_set_new(dist, "shasum", json_string("0000000000000000000000000000000000000000"));
			break;
		case M_URL_NAME: url = "@myscope/other"; break;
		case M_BODY_ID: json_object_set_new(body, "_id", json_string("@myscope/other")); break;
		case M_MANIFEST_NAME: json_object_set_new(manifest, "name", json_string("@myscope/other")); break;
		case M_MANIFEST_VERSION: json_object_set_new(manifest, "version", json_string("1.0.1")); break;
		case M_TWO_VERSIONS: json_object_set(versions, "1.0.1", manifest); break;
		case M_TWO_ATTACHMENTS: json_object_set(atts, "@myscope/demo-1.0.1.tgz", att); break;
		case M_ATTACHMENT_NAME:
			json_object_set(atts, "demo.tgz", att);
			json_object_del(atts, "@myscope/demo-1.0.0.tgz");
			break;
		case M_BAD_BASE64: json_object_set_new(att, "data", json_string("H4sI!!!!")); break;
		case M_LENGTH: json_object_set_new(att, "length", json_integer((json_int_t)len + 1)); break;
		case M_CORRUPT_TARBALL: {
			unsigned char *bad = ar_memdup(a, tgz, len);
			bad[len / 2] ^= 0x55;
			bad[len / 2 + 1] ^= 0x55;
			set_tarball(body, a, bad, len); /* hashes agree; the bytes are still broken */
			break;
		}
		case M_NO_PACKAGE_JSON: {
			const struct entry e[] = {{"package/index.js", demo_index, 0}};
			size_t n;
			unsigned char *t = make_tar(a, e, 1, true, true, &n);
			set_tarball(body, a, t, n);
			break;
		}
		case M_TARBALL_NAME: {
			const struct entry e[] = {
				{"package/package.json", "{\"name\":\"@myscope/evil\",\"version\":\"1.0.0\"}", 0}};
			size_t n;
			unsigned char *t = make_tar(a, e, 1, true, true, &n);
			set_tarball(body, a, t, n);
			break;
		}
		case M_TARBALL_VERSION: {
			const struct entry e[] = {
				{"package/package.json", "{\"name\":\"@myscope/demo\",\"version\":\"6.6.6\"}", 0}};
			size_t n;
			unsigned char *t = make_tar(a, e, 1, true, true, &n);
			set_tarball(body, a, t, n);
			break;
		}
		case M_BAD_VERSION:
			json_object_set(versions, "1.0", manifest);
			json_object_del(versions, "1.0.0");
			json_object_set_new(manifest, "version", json_string("1.0"));
			break;
		case M_TAG_ELSEWHERE:
			json_object_set_new(json_object_get(body, "dist-tags"), "beta", json_string("0.9.0"));
			break;
		case M_TAG_IS_RANGE:
			json_object_set_new(json_object_get(body, "dist-tags"), "1.x", json_string("1.0.0"));
			break;
		case M_NO_NAME: json_object_del(body, "name"); break;
		case M_EMPTY_DATA: set_tarball(body, a, tgz, 0); break;
		case M_COUNT: break;
		}
		struct ar_npm_publish p;
		struct ar_err err = {0};
		int rc = parse_body(&p, a, url, body, &err);
		if (rc != AR_EINVAL)
			fail_msg("mutation %d: rc %d (%s)", m, rc, err.msg);
		if (!strstr(err.msg, mutation_msg[m]))
			fail_msg("mutation %d: '%s' lacks '%s'", m, err.msg, mutation_msg[m]);
		json_decref(body);
		ar_arena_free(a);
	}
}

static void test_publish_malformed_json(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_npm_publish p;
	static const char *const bodies[] = {
		"",
		"[]",
		"{\"name\":",
		"{\"name\":\"demo\",\"name\":\"demo\"}", /* duplicate keys */
		"{\"dist-tags\":[]}",
		"{\"dist-tags\":{\"latest\":1}}",
		"{\"versions\":[]}",
		"{\"versions\":{\"1.0.0\":\"x\"}}",
		"{\"versions\":{\"1.0.0\":{\"deprecated\":true}}}",
		"{\"_attachments\":\"x\"}",
		"{\"_attachments\":{\"demo-1.0.0.tgz\":{}}}",
		"{\"name\":\"demo\",\"versions\":{\"1.0.0\":{\"name\":\"demo\",\"version\":\"1.0.0\"}},"
		"\"_attachments\":{\"demo-1.0.0.tgz\":{\"data\":5}}}",
		"{\"name\":\"demo\",\"versions\":{\"1.0.0\":{\"name\":\"demo\",\"version\":\"1.0.0\",\"dist\":\"x\"}},"
		"\"_attachments\":{\"demo-1.0.0.tgz\":{\"data\":\"H4sI\"}}}",
		"{\"name\":\"demo\",\"versions\":{\"1.0.0\":{\"name\":\"demo\",\"version\":\"1.0.0\"}},"
		"\"_attachments\":{\"demo-1.0.0.tgz\":{\"data\":\"H4sI\",\"length\":\"3\"}}}",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
		if (ar_npm_parse_publish(&p, a, "demo", bodies[i], strlen(bodies[i]), NULL) != AR_EINVAL)
			fail_msg("accepted %s", bodies[i]);
	assert_int_equal(ar_npm_parse_publish(&p, a, "bad/name", "{}", 2, NULL), AR_EINVAL);
	/* the cap is checked before the body is looked at */
	assert_int_equal(ar_npm_parse_publish(&p, a, "demo", "{}", AR_NPM_PUBLISH_BODY_MAX + 1, NULL), AR_ETOOBIG);
	ar_arena_free(a);
}

static void test_publish_metadata_only(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_npm_publish p;
	struct ar_err err = {0};

	/* npm deprecate: the whole packument back, one version gaining "deprecated" */
	const char *deprecate =
		"{\"_id\":\"@s/demo\",\"_rev\":\"3-abc\",\"name\":\"@s/demo\",\"dist-tags\":{\"latest\":\"1.1.0\"},"
		"\"versions\":{\"1.0.0\":{\"name\":\"@s/demo\",\"version\":\"1.0.0\",\"deprecated\":\"use 1.1\"},"
		"\"1.1.0\":{\"name\":\"@s/demo\",\"version\":\"1.1.0\"}},"
		"\"maintainers\":[{\"name\":\"aws\",\"email\":\"\"}],\"time\":{}}";
	if (ar_npm_parse_publish(&p, a, "@s/demo", deprecate, strlen(deprecate), &err))
		fail_msg("%s", err.msg);
	assert_int_equal(p.kind, AR_NPM_PUT_METADATA);
	assert_string_equal(p.rev, "3-abc");
	assert_true(p.has_versions);
	assert_int_equal(p.n_versions, 2);
	assert_string_equal(p.versions[0].version, "1.0.0");
	assert_string_equal(p.versions[0].deprecated, "use 1.1");
	assert_string_equal(p.versions[1].version, "1.1.0");
	assert_null(p.versions[1].deprecated);
	assert_true(p.has_tags);
	assert_string_equal(p.tags[0].version, "1.1.0");
	assert_null(p.tarball);
	assert_true(json_is_array(json_object_get(p.doc, "maintainers")));

	/* undeprecate sends "", and an empty _attachments object is still metadata */
	const char *undeprecate = "{\"name\":\"@s/demo\",\"versions\":{\"1.0.0\":{\"deprecated\":\"\"}},"
				  "\"_attachments\":{}}";
	assert_int_equal(ar_npm_parse_publish(&p, a, "@s/demo", undeprecate, strlen(undeprecate), NULL), 0);
	assert_int_equal(p.kind, AR_NPM_PUT_METADATA);
	assert_string_equal(p.versions[0].deprecated, "");
	assert_false(p.has_tags);

	/* npm star: a partial body without versions */
	const char *star = "{\"_id\":\"@s/demo\",\"_rev\":\"4-def\",\"users\":{\"aws\":true}}";
	assert_int_equal(ar_npm_parse_publish(&p, a, "@s/demo", star, strlen(star), NULL), 0);
	assert_int_equal(p.kind, AR_NPM_PUT_METADATA);
	assert_false(p.has_versions);
	assert_int_equal(p.n_versions, 0);
	assert_string_equal(p.ns, "s");

	/* still about the package in the URL */
	assert_int_equal(ar_npm_parse_publish(&p, a, "@s/other", star, strlen(star), &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, "_id"));
	ar_arena_free(a);
}

/* ---- a real `npm pack` ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static bool npm_on_path(void)
{
	const char *path = getenv("PATH");
	if (!path)
		return false;
	char buf[4096];
	for (const char *p = path; *p;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > 0 && snprintf(buf, sizeof buf, "%.*s/npm", (int)n, p) < (int)sizeof buf &&
		    access(buf, X_OK) == 0)
			return true;
		p += n + (end ? 1 : 0);
	}
	return false;
}

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
	assert_int_equal(fclose(f), 0);
}

static unsigned char *slurp(struct ar_arena *a, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t cap = 1 << 20;
	unsigned char *buf = ar_alloc(a, cap);
	*len = fread(buf, 1, cap, f);
	assert_true(*len > 0 && *len < cap);
	fclose(f);
	return buf;
}

static void test_npm_pack_real_tarball(void **state)
{
	if (!npm_on_path()) {
		print_message("skipped: npm is not on PATH\n");
		skip();
	}
	struct ar_arena *a = ar_arena_new();
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *dir = ar_printf(a, "%s/arca-npm-pack-XXXXXX", tmp);
	assert_non_null(mkdtemp(dir));
	char *pkg = ar_printf(a, "%s/pkg", dir);
	assert_int_equal(mkdir(pkg, 0700), 0);
	write_file(ar_printf(a, "%s/package.json", pkg),
		   "{\"name\":\"@arca/pack-test\",\"version\":\"1.2.3-rc.1\",\"description\":\"packed by npm\","
		   "\"license\":\"Apache-2.0\",\"main\":\"index.js\",\"dependencies\":{\"left-pad\":\"^1.3.0\"},"
		   "\"peerDependencies\":{\"react\":\"*\"}}");
	write_file(ar_printf(a, "%s/index.js", pkg), "module.exports = 1\n");
	write_file(ar_printf(a, "%s/README.md", pkg), "# pack-test\n");
	/* offline, with its own HOME and cache, and a registry that cannot be reached */
	char *cmd = ar_printf(a,
			      "cd '%s' && HOME='%s' npm_config_cache='%s/cache' npm_config_userconfig='%s/npmrc' "
			      "npm_config_registry=http://127.0.0.1:9/ npm_config_update_notifier=false "
			      "npm pack --offline --ignore-scripts --json --pack-destination '%s' 2>'%s/stderr'",
			      pkg, dir, dir, dir, dir, dir);
	FILE *out = popen(cmd, "r");
	assert_non_null(out);
	char *json = ar_alloc(a, 65536);
	size_t n = fread(json, 1, 65535, out);
	int status = pclose(out);
	if (status != 0)
		fail_msg("npm pack failed (%d): %.*s", status, (int)n, json);
	json_error_t jerr;
	json_t *res = json_loadb(json, n, 0, &jerr);
	assert_non_null(res);
	json_t *first = json_array_get(res, 0);
	const char *filename = ar_json_str(first, "filename");
	assert_non_null(filename);
	const char *npm_integrity = ar_strdup(a, ar_json_str(first, "integrity"));
	const char *npm_shasum = ar_strdup(a, ar_json_str(first, "shasum"));
	size_t len;
	unsigned char *tgz = slurp(a, ar_printf(a, "%s/%s", dir, filename), &len);
	json_decref(res);

	struct ar_npm_tarball t;
	struct ar_err err = {0};
	if (ar_npm_read_tarball(&t, a, tgz, len, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(t.name, "@arca/pack-test");
	assert_string_equal(t.version, "1.2.3-rc.1");
	assert_string_equal(t.license, "Apache-2.0");
	assert_string_equal(t.readme, "# pack-test\n");
	assert_int_equal(t.n_files, 3);
	assert_int_equal(t.n_deps, 2);
	assert_int_equal(find_dep(&t, "react")->type, AR_NPM_DEP_PEER);

	/* npm's own shasum/integrity in an npm 11 body, so our hashing must agree with npm's */
	json_t *body = npm11_body(a, "@arca/pack-test", "1.2.3-rc.1", tgz, len);
	json_t *dist = json_object_get(json_object_get(json_object_get(body, "versions"), "1.2.3-rc.1"), "dist");
	json_object_set_new(dist, "integrity", json_string(npm_integrity));
	json_object_set_new(dist, "shasum", json_string(npm_shasum));
	struct ar_npm_publish p;
	if (parse_body(&p, a, "@arca/pack-test", body, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(p.integrity, npm_integrity);
	assert_string_equal(p.hashes.sha1, npm_shasum);
	json_decref(body);

	assert_int_equal(nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_name),
		cmocka_unit_test(test_decode_path_name),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_tag_valid),
		cmocka_unit_test(test_small_helpers),
		cmocka_unit_test(test_read_tarball),
		cmocka_unit_test(test_read_tarball_other_layouts),
		cmocka_unit_test(test_readme_choice),
		cmocka_unit_test(test_read_tarball_errors),
		cmocka_unit_test(test_publish_npm11_scoped),
		cmocka_unit_test(test_publish_unscoped_variants),
		cmocka_unit_test(test_publish_rejects),
		cmocka_unit_test(test_publish_malformed_json),
		cmocka_unit_test(test_publish_metadata_only),
		cmocka_unit_test(test_npm_pack_real_tarball),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
