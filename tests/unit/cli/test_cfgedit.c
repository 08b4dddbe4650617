/* tests/unit/cli/test_cfgedit.c - INI and TOML edits that keep what the user wrote */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli/cfgedit.h"

static void test_ini_get(void **state)
{
	struct ar_arena *a = ar_arena_new();
	const char *text = "# comment\n"
			   "[global]\n"
			   "timeout = 5\n"
			   "Index_URL: https://one/simple\n"
			   "extra-index-url =\n"
			   "\thttps://two/simple\n"
			   "    https://three/simple\n"
			   "\n"
			   "[install]\n"
			   "index-url = https://install/simple\n";
	assert_string_equal(ar_cfgedit_ini_get(a, text, "global", "index-url"), "https://one/simple");
	assert_string_equal(ar_cfgedit_ini_get(a, text, "global", "extra-index-url"),
			    "https://two/simple\nhttps://three/simple");
	assert_string_equal(ar_cfgedit_ini_get(a, text, "install", "index-url"), "https://install/simple");
	assert_null(ar_cfgedit_ini_get(a, text, "global", "trusted-host"));
	assert_null(ar_cfgedit_ini_get(a, text, "missing", "index-url"));
	assert_null(ar_cfgedit_ini_get(a, NULL, "global", "index-url"));
	ar_arena_free(a);
}

static void test_ini_set(void **state)
{
	struct ar_arena *a = ar_arena_new();
	static const struct {
		const char *in, *section, *key, *value, *want;
	} cases[] = {
		/* new file */
		{NULL, "global", "index-url", "U", "[global]\nindex-url = U\n"},
		{"", "global", "index-url", "U", "[global]\nindex-url = U\n"},
		/* replaces in place, every spelling, keeping the rest and comments */
		{"[global]\n# keep\nindex_url = old\ntimeout = 5\nINDEX-URL = older\n", "global", "index-url", "U",
		 "[global]\n# keep\nindex-url = U\ntimeout = 5\n"},
		/* with its continuation lines */
		{"[global]\nextra-index-url =\n\ta\n\tb\ntimeout = 5\n", "global", "extra-index-url", "c",
		 "[global]\nextra-index-url = c\ntimeout = 5\n"},
		/* added at the end of its section, before blank lines and the next section */
		{"[global]\ntimeout = 5\n\n[install]\nx = 1\n", "global", "index-url", "U",
		 "[global]\ntimeout = 5\nindex-url = U\n\n[install]\nx = 1\n"},
		/* the section as the last line */
		{"[other]\nx = 1\n[global]\n", "global", "index-url", "U", "[other]\nx = 1\n[global]\nindex-url = U\n"},
		/* a missing section is appended */
		{"[other]\nx = 1\n", "global", "index-url", "U", "[other]\nx = 1\n\n[global]\nindex-url = U\n"},
		/* a file without a final newline */
		{"[other]\nx = 1", "global", "k", "v", "[other]\nx = 1\n\n[global]\nk = v\n"},
		/* multi-line values, as configparser writes them (.pypirc index-servers) */
		{"[distutils]\nindex-servers =\n\tpypi\n", "distutils", "index-servers", "\npypi\nmine",
		 "[distutils]\nindex-servers =\n\tpypi\n\tmine\n"},
		/* a key of the same name in another section is left alone */
		{"[a]\nk = 1\n[b]\nk = 2\n", "b", "k", "3", "[a]\nk = 1\n[b]\nk = 3\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = ar_cfgedit_ini_set(a, cases[i].in, cases[i].section, cases[i].key, cases[i].value);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu:\n--- got\n%s--- want\n%s", i, got, cases[i].want);
	}
	ar_arena_free(a);
}

static void test_toml_str(void **state)
{
	struct ar_arena *a = ar_arena_new();
	assert_string_equal(ar_cfgedit_toml_str(a, "plain"), "\"plain\"");
	assert_string_equal(ar_cfgedit_toml_str(a, "a\"b\\c\nd"), "\"a\\\"b\\\\c\\u000ad\"");
	ar_arena_free(a);
}

static void test_toml_drop_table(void **state)
{
	struct ar_arena *a = ar_arena_new();
	static const struct {
		const char *in, *name, *want;
	} cases[] = {
		{NULL, "repositories.r", ""},
		{"[repositories.r]\nurl = \"old\"\n\n[repositories.other]\nurl = \"o\"\n", "repositories.r",
		 "[repositories.other]\nurl = \"o\"\n"},
		/* quoted and spaced header parts, sub-tables */
		{"x = 1\n[ repositories . \"r\" ]\nurl = \"old\"\n[repositories.r.cert]\ny = 2\n[z]\n",
		 "repositories.r", "x = 1\n[z]\n"},
		/* the same thing defined as a key of the parent table, or as a dotted key at the top */
		{"repositories.r.url = \"top\"\nkeep = 1\n[repositories]\nr = { url = \"inline\" }\nrr = { url = \"k\" "
		 "}\n"
		 "\"r\".url = \"dotted\"\n",
		 "repositories.r", "keep = 1\n[repositories]\nrr = { url = \"k\" }\n"},
		/* a value line that looks like a header does not end the table */
		{"[repositories.r]\nlist = [\n[\"a\", \"b\"],\n]\n[next]\n", "repositories.r", "[next]\n"},
		/* a prefix of another name is not that name */
		{"[repositories.rr]\nurl = \"k\"\n", "repositories.r", "[repositories.rr]\nurl = \"k\"\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = ar_cfgedit_toml_drop_table(a, cases[i].in, cases[i].name);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu:\n--- got\n%s--- want\n%s", i, got, cases[i].want);
	}
	ar_arena_free(a);
}

static void test_toml_entries(void **state)
{
	struct ar_arena *a = ar_arena_new();
	const char *text = "index-strategy = \"first-index\"\n"
			   "\n"
			   "[[index]]\n"
			   "name = \"mine\"\n"
			   "url = \"https://old/simple\"\n"
			   "default = true\n"
			   "\n"
			   "[[index]]\n"
			   "name = 'other'\n"
			   "url = \"https://other/simple\"\n"
			   "default = true\n"
			   "\n"
			   "[pip]\n"
			   "name = \"mine\"\n";
	const char *dropped = ar_cfgedit_toml_drop_entries(a, text, "index", "name", "mine");
	assert_string_equal(dropped, "index-strategy = \"first-index\"\n"
				     "\n"
				     "[[index]]\n"
				     "name = 'other'\n"
				     "url = \"https://other/simple\"\n"
				     "default = true\n"
				     "\n"
				     "[pip]\n"
				     "name = \"mine\"\n");
	const char *no_default = ar_cfgedit_toml_drop_entry_key(a, dropped, "index", "default");
	assert_null(strstr(no_default, "default"));
	assert_non_null(strstr(no_default, "name = 'other'"));
	/* nothing to drop: unchanged */
	assert_string_equal(ar_cfgedit_toml_drop_entries(a, text, "index", "name", "nope"), text);
	ar_arena_free(a);
}

static void test_append(void **state)
{
	struct ar_arena *a = ar_arena_new();
	assert_string_equal(ar_cfgedit_append(a, NULL, "[x]\n"), "[x]\n");
	assert_string_equal(ar_cfgedit_append(a, "", "[x]\n"), "[x]\n");
	assert_string_equal(ar_cfgedit_append(a, "a = 1\n\n\n", "[x]\n"), "a = 1\n\n[x]\n");
	assert_string_equal(ar_cfgedit_append(a, "a = 1", "[x]\n"), "a = 1\n\n[x]\n");
	ar_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ini_get),	     cmocka_unit_test(test_ini_set),
		cmocka_unit_test(test_toml_str),     cmocka_unit_test(test_toml_drop_table),
		cmocka_unit_test(test_toml_entries), cmocka_unit_test(test_append),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
