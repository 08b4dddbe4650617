/* tests/unit/cli/test_uv_config.c - arca uv-config: naming, ordering, strategy, sources, the PyPI URL */
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

#include "cli/uv_config.h"

#define PYPI "https://public.index.test/simple/"

static char tmpdir[64];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/arca-test-uvcfg-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void test_index_name(void **state)
{
	struct ar_arena *a = ar_arena_new();
	static const struct {
		const char *url, *want;
	} cases[] = {
		{"https://us-central1-python.pkg.dev/p/r/simple/", "us-central1-python"},
		{"https://aws:tok@Corp-Repo.Example.test:8443/x/simple/", "corp-repo"},
		{"http://127.0.0.1:8080/d-123456789012/pypi/r/simple/", "127"},
		{"https://user:p@ss@mirror/simple", "mirror"}, /* userinfo ends at the last '@' before the path */
		{"https://localhost/simple", "localhost"},
		{"https://[::1]:8080/simple", "index"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(ar_uv_index_name(a, cases[i].url), cases[i].want);
	ar_arena_free(a);
}

static char *render(struct ar_arena *a, const struct ar_uv_config *cfg)
{
	char *out = NULL;
	struct ar_err err = {0};
	if (ar_uv_config_render(&out, a, cfg, &err) != 0)
		fail_msg("render: %s", err.msg);
	return out;
}

static void test_pypi_first_and_default(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_uv_index idx[] = {{NULL, "https://aws:t@arca.corp.test/d-1/pypi/r/simple/"}};
	struct ar_uv_config cfg = {.pypi_url = PYPI, .prefer_private = true, .indexes = idx, .n_indexes = 1};
	char *out = render(a, &cfg);
	/* PyPI first, marked default (uv searches the default index last) */
	const char *pypi = strstr(out, "[[index]]\nname = \"public\"\nurl = \"" PYPI "\"\ndefault = true\n");
	const char *arca =
		strstr(out, "[[index]]\nname = \"arca\"\nurl = \"https://aws:t@arca.corp.test/d-1/pypi/r/simple/\"\n");
	assert_non_null(pypi);
	assert_non_null(arca);
	assert_true(pypi < arca);
	assert_null(strstr(out, "index-strategy"));
	/* exactly one default */
	assert_null(strstr(strstr(out, "default = true") + 1, "default = true"));
	/* --no-prefer-private: PyPI still first, no default at all */
	cfg.prefer_private = false;
	out = render(a, &cfg);
	assert_null(strstr(out, "default"));
	assert_true(strstr(out, "name = \"public\"") < strstr(out, "name = \"arca\""));
	ar_arena_free(a);
}

static void test_strategy(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_uv_config cfg = {.pypi_url = PYPI, .prefer_private = true, .unsafe_first_match = true};
	char *out = render(a, &cfg);
	const char *strategy = strstr(out, "index-strategy = \"unsafe-first-match\"\n");
	assert_non_null(strategy);
	/* a top-level key must come before the first table */
	assert_true(strategy < strstr(out, "[[index]]"));
	ar_arena_free(a);
}

static void test_names(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_uv_index idx[] = {
		{NULL, "http://aws:t@127.0.0.1:1/a/pypi/r1/simple/"},
		{NULL, "http://aws:t@127.0.0.1:1/a/pypi/r2/simple/"},
		{"127-3", "https://x/simple/"}, /* explicit names are kept; derived ones step around them */
		{NULL, "http://127.0.0.1:2/simple/"},
		{NULL, "https://public.mirror.test/simple/"}, /* collides with PyPI's derived name */
	};
	struct ar_uv_config cfg = {.pypi_url = PYPI, .indexes = idx, .n_indexes = 5};
	char *out = render(a, &cfg);
	const char *want[] = {"\"public\"", "\"127\"", "\"127-2\"", "\"127-3\"", "\"127-4\"", "\"public-2\""};
	const char *p = out;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		p = strstr(p, ar_printf(a, "name = %s\n", want[i]));
		if (!p)
			fail_msg("name %s missing or out of order in:\n%s", want[i], out);
	}
	/* two explicit names the same, or one uv cannot take */
	struct ar_err err = {0};
	struct ar_uv_index dup[] = {{"x", "https://a/simple/"}, {"x", "https://b/simple/"}};
	struct ar_uv_config bad = {.pypi_url = PYPI, .indexes = dup, .n_indexes = 2};
	char *ignored;
	assert_int_equal(ar_uv_config_render(&ignored, a, &bad, &err), AR_EINVAL);
	struct ar_uv_index odd[] = {{"a b", "https://a/simple/"}};
	bad.indexes = odd;
	bad.n_indexes = 1;
	assert_int_equal(ar_uv_config_render(&ignored, a, &bad, &err), AR_EINVAL);
	/* no PyPI URL: an error, never a built-in host */
	struct ar_uv_config none = {.pypi_url = NULL};
	assert_int_equal(ar_uv_config_render(&ignored, a, &none, &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, "--pypi-url"));
	ar_arena_free(a);
}

static void test_gar(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_err err = {0};
	const char *url;
	assert_int_equal(ar_uv_gar_url(&url, a, "europe-west1/my-proj/py-repo", &err), 0);
	assert_string_equal(url, "https://europe-west1-python.pkg.dev/my-proj/py-repo/simple/");
	assert_string_equal(ar_uv_index_name(a, url), "europe-west1-python");
	static const char *bad[] = {"region/project", "a/b/c/d", "/p/r", "a//r", "a/b/", "a b/c/d", "a/b/c?x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ar_uv_gar_url(&url, a, bad[i], &err) != AR_EINVAL)
			fail_msg("%s accepted", bad[i]);
	ar_arena_free(a);
}

static void test_secret(void **state)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_err err = {0};
	const char **urls;
	size_t n;
	assert_int_equal(ar_uv_secret_urls(&urls, &n, a, "https://u:p@one/simple/", &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(urls[0], "https://u:p@one/simple/");
	assert_int_equal(
		ar_uv_secret_urls(&urls, &n, a, "# mirrors\r\n\n  https://a/simple/  \nhttp://b/simple/\n", &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(urls[0], "https://a/simple/");
	assert_string_equal(urls[1], "http://b/simple/");
	assert_int_equal(ar_uv_secret_urls(&urls, &n, a, "", &err), AR_EINVAL);
	assert_int_equal(ar_uv_secret_urls(&urls, &n, a, "# only a comment\n", &err), AR_EINVAL);
	assert_int_equal(ar_uv_secret_urls(&urls, &n, a, "ftp://x/\n", &err), AR_EINVAL);
	assert_int_equal(ar_uv_secret_urls(&urls, &n, a, "https://a/ b\n", &err), AR_EINVAL);
	ar_arena_free(a);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_default_pypi_url(void **state)
{
	struct ar_arena *a = ar_arena_new();
	char home[128], xdg[128], pipdir[160], pipconf[192], envconf[160];
	snprintf(home, sizeof home, "%s/home", tmpdir);
	snprintf(xdg, sizeof xdg, "%s/xdg", tmpdir);
	snprintf(pipdir, sizeof pipdir, "%s/pip", xdg);
	snprintf(pipconf, sizeof pipconf, "%s/pip.conf", pipdir);
	snprintf(envconf, sizeof envconf, "%s/env.conf", tmpdir);
	mkdir(home, 0700);
	mkdir(xdg, 0700);
	mkdir(pipdir, 0700);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	unsetenv("UV_DEFAULT_INDEX");
	unsetenv("UV_INDEX_URL");
	unsetenv("PIP_INDEX_URL");
	unsetenv("PIP_CONFIG_FILE");
	/* /etc/pip.conf may exist on a developer machine; only assert what we control */
	write_file(pipconf, "[global]\nindex-url = https://from-user-conf/simple\n");
	assert_string_equal(ar_uv_default_pypi_url(a), "https://from-user-conf/simple");
	write_file(pipconf, "[global]\nindex-url = https://g/simple\n[install]\nindex-url = https://i/simple\n");
	assert_string_equal(ar_uv_default_pypi_url(a), "https://i/simple");
	write_file(envconf, "[global]\nindex-url = https://from-env-file/simple\n");
	setenv("PIP_CONFIG_FILE", envconf, 1);
	assert_string_equal(ar_uv_default_pypi_url(a), "https://from-env-file/simple");
	setenv("PIP_INDEX_URL", "https://pip-env/simple", 1);
	assert_string_equal(ar_uv_default_pypi_url(a), "https://pip-env/simple");
	setenv("UV_INDEX_URL", "https://uv-old/simple", 1);
	assert_string_equal(ar_uv_default_pypi_url(a), "https://uv-old/simple");
	setenv("UV_DEFAULT_INDEX", "https://uv/simple", 1);
	assert_string_equal(ar_uv_default_pypi_url(a), "https://uv/simple");
	unsetenv("UV_DEFAULT_INDEX");
	unsetenv("UV_INDEX_URL");
	unsetenv("PIP_INDEX_URL");
	unsetenv("PIP_CONFIG_FILE");
	ar_arena_free(a);
}

/* The command end to end without a server: a secret file and a GAR token command, to a 0600 file. */
static void test_command(void **state)
{
	char secret[128], output[128];
	snprintf(secret, sizeof secret, "%s/secret", tmpdir);
	snprintf(output, sizeof output, "%s/uv.toml", tmpdir);
	write_file(secret, "https://u:p@mirror.corp.test/simple/\n");
	char *argv[] = {"uv-config",
			"--pypi-url",
			PYPI,
			"--url-file",
			secret,
			"--name",
			"mirror-a",
			"--gar",
			"us-east1/proj/repo",
			"--token-command",
			"printf 'gtok\\n'",
			"--unsafe-first-match",
			"--output",
			output,
			NULL};
	assert_int_equal(ar_cmd_uv_config(14, argv), 0);
	struct stat st;
	assert_int_equal(stat(output, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	FILE *f = fopen(output, "r");
	char buf[2048];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "index-strategy = \"unsafe-first-match\""));
	assert_non_null(strstr(buf, "name = \"mirror-a\"\nurl = \"https://u:p@mirror.corp.test/simple/\""));
	assert_non_null(strstr(buf,
			       "name = \"us-east1-python\"\n"
			       "url = \"https://oauth2accesstoken:gtok@us-east1-python.pkg.dev/proj/repo/simple/\""));
	/* a token option without a --gar before it, and a failing token command */
	char *bad1[] = {"uv-config", "--pypi-url", PYPI, "--token-env", "X", NULL};
	assert_int_equal(ar_cmd_uv_config(5, bad1), 255);
	char *bad2[] = {"uv-config", "--pypi-url", PYPI, "--gar", "r/p/x", "--token-command", "exit 3", NULL};
	assert_int_equal(ar_cmd_uv_config(7, bad2), 255);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_name),
		cmocka_unit_test(test_pypi_first_and_default),
		cmocka_unit_test(test_strategy),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_gar),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_default_pypi_url),
		cmocka_unit_test(test_command),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
