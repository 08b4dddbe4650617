/* tests/unit/cli/test_login_pypi.c - arca login for pip, twine, uv and poetry: what each writes, and what it keeps */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/login_pypi.h"

#define EP    "http://127.0.0.1:8080/corp-123456789012/pypi/py.repo/"
#define INDEX "http://aws:TOK2@127.0.0.1:8080/corp-123456789012/pypi/py.repo/simple/"

static char tmpdir[64];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup_each(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/arca-test-login-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	setenv("HOME", tmpdir, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("UV_CONFIG_FILE");
	unsetenv("POETRY_CONFIG_DIR");
	return 0;
}

static int teardown_each(void **state)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static const char *path_of(const char *rel)
{
	static char paths[4][256];
	static int next;
	char *p = paths[next++ % 4];
	snprintf(p, 256, "%s/%s", tmpdir, rel);
	return p;
}

static void write_file(const char *rel, const char *text)
{
	char dir[256];
	snprintf(dir, sizeof dir, "%s", path_of(rel));
	for (char *s = strchr(dir + strlen(tmpdir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(dir, 0700);
		*s = '/';
	}
	FILE *f = fopen(path_of(rel), "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *rel)
{
	static char buf[8192];
	FILE *f = fopen(path_of(rel), "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	struct stat st;
	assert_int_equal(stat(path_of(rel), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600); /* every file holds a token */
	return buf;
}

/* Runs a tool as arca login would after its two API calls; returns its code. */
static int run(const struct ar_login_tool *tool, bool dry_run, int argc, char **argv)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_err err = {0};
	char out[4096] = "";
	FILE *f = fmemopen(out, sizeof out - 1, "w");
	struct ar_login_ctx ctx = {
		.a = a,
		.tool = tool->name,
		.domain = "corp",
		.repository = "py.repo",
		.dry_run = dry_run,
		.endpoint = EP,
		.token = "TOK2",
		.expiration_s = 1,
		.argc = argc,
		.argv = argv,
		.out = f,
	};
	int rc = tool->configure(&ctx, &err);
	fclose(f);
	if (dry_run && rc == 0) {
		assert_non_null(strstr(out, "Dryrun mode is enabled"));
		assert_non_null(strstr(out, "TOK2"));
	}
	ar_arena_free(a);
	return rc;
}

static void test_urls(void **state)
{
	struct ar_arena *a = ar_arena_new();
	assert_string_equal(ar_login_url_with_auth(a, "http://h:1/p/", "aws", "T"), "http://aws:T@h:1/p/");
	assert_string_equal(ar_login_url_with_auth(a, "https://old:x@h/p@q", "aws", "T"), "https://aws:T@h/p@q");
	assert_string_equal(ar_login_url_without_auth(a, "https://u:p@s@h/p"), "https://h/p");
	assert_string_equal(ar_login_url_without_auth(a, "https://h/a@b"), "https://h/a@b");
	ar_arena_free(a);
}

static void test_pip(void **state)
{
	/* like `aws codeartifact login --tool pip`: global.index-url with the token */
	assert_int_equal(run(&ar_login_pip, false, 0, NULL), 0);
	assert_string_equal(read_file(".config/pip/pip.conf"), "[global]\nindex-url = " INDEX "\n");
	/* the rest of the user's file stays */
	write_file(".config/pip/pip.conf", "[global]\ntimeout = 5\nindex-url = https://old/simple\n\n[list]\nformat = "
					   "columns\n");
	assert_int_equal(run(&ar_login_pip, false, 0, NULL), 0);
	assert_string_equal(read_file(".config/pip/pip.conf"),
			    "[global]\ntimeout = 5\nindex-url = " INDEX "\n\n[list]\nformat = columns\n");
	/* XDG_CONFIG_HOME and --config-file are honoured */
	setenv("XDG_CONFIG_HOME", path_of("xdg"), 1);
	assert_int_equal(run(&ar_login_pip, false, 0, NULL), 0);
	assert_non_null(read_file("xdg/pip/pip.conf"));
	char *argv[] = {"--config-file", (char *)path_of("custom.conf")};
	assert_int_equal(run(&ar_login_pip, false, 2, argv), 0);
	assert_non_null(read_file("custom.conf"));
	/* --dry-run writes nothing */
	unlink(path_of("custom.conf"));
	assert_int_equal(run(&ar_login_pip, true, 2, argv), 0);
	assert_null(read_file("custom.conf"));
}

static void test_pip_extra_index(void **state)
{
	/* keeps the user's index; replaces our own older entry (other token), keeps other extras */
	write_file(".config/pip/pip.conf",
		   "[global]\nindex-url = https://mine/simple\nextra-index-url =\n\thttps://other/simple\n"
		   "\thttp://aws:OLD@127.0.0.1:8080/corp-123456789012/pypi/py.repo/simple/\n");
	char *argv[] = {"--extra-index"};
	assert_int_equal(run(&ar_login_pip, false, 1, argv), 0);
	assert_string_equal(
		read_file(".config/pip/pip.conf"),
		"[global]\nindex-url = https://mine/simple\nextra-index-url =\n\thttps://other/simple\n\t" INDEX "\n");
	/* idempotent */
	assert_int_equal(run(&ar_login_pip, false, 1, argv), 0);
	assert_non_null(strstr(read_file(".config/pip/pip.conf"), "\thttps://other/simple\n\t" INDEX "\n"));
	char *bad[] = {"--nope"};
	assert_int_equal(run(&ar_login_pip, false, 1, bad), AR_EINVAL);
}

static void test_twine(void **state)
{
	/* a new file as the aws CLI writes it: pypi and our repository in index-servers */
	assert_int_equal(run(&ar_login_twine, false, 0, NULL), 0);
	assert_string_equal(read_file(".pypirc"), "[distutils]\nindex-servers =\n\tpypi\n\tpy.repo\n\n"
						  "[py.repo]\nrepository = " EP "\nusername = aws\npassword = TOK2\n");
	/* merged into an existing file; a second login does not list the name twice */
	write_file(".pypirc", "[distutils]\nindex-servers =\n  testpypi\n\n[testpypi]\nrepository = https://t/\n"
			      "username = __token__\n");
	assert_int_equal(run(&ar_login_twine, false, 0, NULL), 0);
	char *argv[] = {"--name", "corp"};
	assert_int_equal(run(&ar_login_twine, false, 2, argv), 0);
	assert_int_equal(run(&ar_login_twine, false, 2, argv), 0);
	assert_string_equal(read_file(".pypirc"), "[distutils]\nindex-servers =\n\ttestpypi\n\tpy.repo\n\tcorp\n\n"
						  "[testpypi]\nrepository = https://t/\nusername = __token__\n\n"
						  "[py.repo]\nrepository = " EP "\nusername = aws\npassword = TOK2\n\n"
						  "[corp]\nrepository = " EP "\nusername = aws\npassword = TOK2\n");
	char *bad[] = {"--name", "a b"};
	assert_int_equal(run(&ar_login_twine, false, 2, bad), AR_EINVAL);
}

static void test_uv(void **state)
{
	assert_int_equal(run(&ar_login_uv, false, 0, NULL), 0);
	assert_string_equal(read_file(".config/uv/uv.toml"),
			    "[[index]]\nname = \"py.repo\"\nurl = \"" INDEX "\"\ndefault = true\n");
	/* an existing file: our old entry replaced, another default index demoted, the rest kept */
	write_file(".config/uv/uv.toml",
		   "native-tls = true\n\n[[index]]\nname = \"py.repo\"\nurl = \"http://old/\"\n\n"
		   "[[index]]\nname = \"other\"\nurl = \"https://other/simple/\"\ndefault = true\n");
	assert_int_equal(run(&ar_login_uv, false, 0, NULL), 0);
	assert_string_equal(read_file(".config/uv/uv.toml"),
			    "native-tls = true\n\n[[index]]\nname = \"other\"\nurl = \"https://other/simple/\"\n\n"
			    "[[index]]\nname = \"py.repo\"\nurl = \"" INDEX "\"\ndefault = true\n");
	/* --extra-index: PyPI (or the user's default) stays the default */
	write_file(".config/uv/uv.toml",
		   "[[index]]\nname = \"other\"\nurl = \"https://other/simple/\"\ndefault = true\n");
	char *argv[] = {"--extra-index", "--name", "corp"};
	assert_int_equal(run(&ar_login_uv, false, 3, argv), 0);
	assert_string_equal(read_file(".config/uv/uv.toml"),
			    "[[index]]\nname = \"other\"\nurl = \"https://other/simple/\"\ndefault = true\n\n"
			    "[[index]]\nname = \"corp\"\nurl = \"" INDEX "\"\n");
	/* UV_CONFIG_FILE */
	setenv("UV_CONFIG_FILE", path_of("elsewhere.toml"), 1);
	assert_int_equal(run(&ar_login_uv, false, 0, NULL), 0);
	assert_non_null(read_file("elsewhere.toml"));
	unsetenv("UV_CONFIG_FILE");
}

static void test_poetry(void **state)
{
	write_file(".config/pypoetry/config.toml", "[virtualenvs]\nin-project = true\n\n[repositories.py-repo]\nurl = "
						   "\"http://old/\"\n");
	write_file(".config/pypoetry/auth.toml", "[http-basic.other]\nusername = \"u\"\npassword = \"p\"\n");
	assert_int_equal(run(&ar_login_poetry, false, 0, NULL), 0);
	/* poetry's config keys are dotted paths: the default name drops the '.' of py.repo */
	assert_string_equal(read_file(".config/pypoetry/config.toml"),
			    "[virtualenvs]\nin-project = true\n\n[repositories.py-repo]\nurl = \"" EP "\"\n");
	assert_string_equal(read_file(".config/pypoetry/auth.toml"),
			    "[http-basic.other]\nusername = \"u\"\npassword = \"p\"\n\n"
			    "[http-basic.py-repo]\nusername = \"aws\"\npassword = \"TOK2\"\n");
	char *dotted[] = {"--name", "a.b"};
	assert_int_equal(run(&ar_login_poetry, false, 2, dotted), AR_EINVAL);
	setenv("POETRY_CONFIG_DIR", path_of("pc"), 1);
	assert_int_equal(run(&ar_login_poetry, true, 0, NULL), 0);
	assert_null(read_file("pc/auth.toml"));
	assert_int_equal(run(&ar_login_poetry, false, 0, NULL), 0);
	assert_non_null(read_file("pc/auth.toml"));
	unsetenv("POETRY_CONFIG_DIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_urls, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_pip, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_pip_extra_index, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_twine, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_uv, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(test_poetry, setup_each, teardown_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
