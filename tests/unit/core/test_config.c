/* tests/unit/core/test_config.c - configuration from file, environment and keys */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

static char path[64];

static void write_config(const char *text)
{
	snprintf(path, sizeof path, "/tmp/arca-config-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_file_env_and_set(void **state)
{
	struct ar_config c;
	struct ar_err err;
	ar_config_init(&c);
	assert_string_equal(c.listen_addr, "127.0.0.1");
	assert_int_equal(c.listen_port, 8080);
	write_config("# comment\n\nlisten = 0.0.0.0:9090\ndata = \"/srv/arca\"\nregion=eu-west-1\n"
		     "external.public:npmjs = http://127.0.0.1:4873/\nmax_api_body = 2048\n");
	assert_int_equal(ar_config_load_file(&c, path, &err), 0);
	unlink(path);
	assert_string_equal(c.listen_addr, "0.0.0.0");
	assert_int_equal(c.listen_port, 9090);
	assert_string_equal(c.data_dir, "/srv/arca");
	assert_string_equal(c.region, "eu-west-1");
	assert_int_equal(c.max_api_body, 2048);
	assert_string_equal(ar_config_external(&c, "public:npmjs"), "http://127.0.0.1:4873/");
	assert_null(ar_config_external(&c, "public:pypi"));

	/* The environment overrides the file; ARCA_EXTERNAL_* names map to public:... */
	setenv("ARCA_REGION", "ap-south-1", 1);
	setenv("ARCA_EXTERNAL_PUBLIC_MAVEN_CENTRAL", "https://127.0.0.1:1/m2/", 1);
	setenv("ARCA_SOMETHING_ELSE", "ignored", 1);
	assert_int_equal(ar_config_load_env(&c, &err), 0);
	assert_string_equal(c.region, "ap-south-1");
	assert_string_equal(ar_config_external(&c, "public:maven-central"), "https://127.0.0.1:1/m2/");
	unsetenv("ARCA_REGION");
	unsetenv("ARCA_EXTERNAL_PUBLIC_MAVEN_CENTRAL");
	unsetenv("ARCA_SOMETHING_ELSE");

	assert_int_equal(ar_config_set(&c, "listen", "127.0.0.1:0", &err), 0);
	assert_int_equal(c.listen_port, 0);
	ar_config_release(&c);
}

static void test_errors_name_the_problem(void **state)
{
	struct ar_config c;
	struct ar_err err;
	ar_config_init(&c);
	write_config("listen = 127.0.0.1:8080\nnot a pair\n");
	assert_int_equal(ar_config_load_file(&c, path, &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, ":2:"));
	unlink(path);
	write_config("colour = blue\n");
	assert_int_equal(ar_config_load_file(&c, path, &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, "colour"));
	unlink(path);
	assert_int_equal(ar_config_set(&c, "listen", "nocolon", &err), AR_EINVAL);
	assert_int_equal(ar_config_set(&c, "listen", "h:70000", &err), AR_EINVAL);
	assert_int_equal(ar_config_set(&c, "log_level", "loud", &err), AR_EINVAL);
	assert_int_equal(ar_config_set(&c, "external.public:npmjs", "ftp://x", &err), AR_EINVAL);
	assert_int_equal(ar_config_set(&c, "max_connections", "0", &err), AR_EINVAL);
	assert_int_equal(ar_config_load_file(&c, "/nonexistent/arca.conf", &err), AR_EINVAL);
	setenv("ARCA_LISTEN", "bad", 1);
	assert_int_equal(ar_config_load_env(&c, &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, "ARCA_LISTEN"));
	unsetenv("ARCA_LISTEN");
	ar_config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_env_and_set),
		cmocka_unit_test(test_errors_name_the_problem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
