/* tests/unit/upstream/test_fetch.c - the libcurl fetcher against an in-test upstream on 127.0.0.1 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "upstream/fetch.h"

#include "fake_upstream.h"

struct fixture {
	struct fake fake;
	struct ar_fetcher *fetcher;
	char tmp[64];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct ar_err err = {0};
	if (!fake_start(&fx->fake) || ar_fetcher_new(&fx->fetcher, &err) != 0)
		return -1;
	snprintf(fx->tmp, sizeof fx->tmp, "/tmp/arca-fetch-XXXXXX");
	if (!mkdtemp(fx->tmp))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	fake_free(&fx->fake);
	ar_fetcher_free(fx->fetcher);
	rmdir(fx->tmp); /* fails, and the test with it, only if a temp file was left behind */
	free(fx);
	return 0;
}

static size_t n_files(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_memory_body_headers_and_conditional(void **state)
{
	struct fixture *fx = *state;
	struct fake_doc *d = fake_put(&fx->fake, "/pkg", 200, "{\"name\":\"pkg\"}", "\"v1\"");
	fake_copy(d->last_modified, sizeof d->last_modified, "Tue, 02 Jan 2024 03:04:05 GMT");
	char url[128];
	fake_url(&fx->fake, url, sizeof url, NULL, "/pkg");
	struct ar_fetch_opts o = {.url = url, .accept = "application/json", .timeout_ms = 10000, .is_decoded = true};
	struct ar_fetch_res res;
	struct ar_err err = {0};
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.body.ptr, "{\"name\":\"pkg\"}");
	assert_int_equal(res.len, 14);
	assert_string_equal(res.etag, "\"v1\"");
	assert_string_equal(res.last_modified, "Tue, 02 Jan 2024 03:04:05 GMT");
	assert_string_equal(res.content_type, "application/json");
	assert_null(res.tmp_path);
	assert_string_equal(fx->fake.last_accept, "application/json");
	ar_fetch_res_release(&res);

	/* Validators go out as headers; a 304 is an answer (rc 0) without a body. */
	o.if_none_match = "\"v1\"";
	o.if_modified_since = "Tue, 02 Jan 2024 03:04:05 GMT";
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	assert_int_equal(res.status, 304);
	assert_int_equal(res.len, 0);
	assert_string_equal(fx->fake.last_inm, "\"v1\"");
	assert_string_equal(fx->fake.last_ims, "Tue, 02 Jan 2024 03:04:05 GMT");
	ar_fetch_res_release(&res);

	/* Any other status is an answer too, its body dropped. */
	fake_url(&fx->fake, url, sizeof url, NULL, "/missing");
	o = (struct ar_fetch_opts){.url = url};
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	assert_int_equal(res.status, 404);
	assert_int_equal(res.len, 0);
	ar_fetch_res_release(&res);

	/* A line break in a header value is refused before anything is sent. */
	int before = fake_requests(&fx->fake);
	o.if_none_match = "\"x\"\r\nX-Injected: 1";
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), AR_EINVAL);
	assert_int_equal(fake_requests(&fx->fake), before);
	ar_fetch_res_release(&res);
}

static void test_file_mode_hashes_and_cleans_up(void **state)
{
	struct fixture *fx = *state;
	fake_put(&fx->fake, "/f.tgz", 200, "abc", NULL);
	char url[128];
	fake_url(&fx->fake, url, sizeof url, NULL, "/f.tgz");
	struct ar_fetch_opts o = {.url = url, .tmp_dir = fx->tmp};
	struct ar_fetch_res res;
	struct ar_err err = {0};
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	assert_int_equal(res.status, 200);
	assert_non_null(res.tmp_path);
	assert_int_equal(strncmp(res.tmp_path, fx->tmp, strlen(fx->tmp)), 0);
	/* SHA-256("abc"), FIPS 180-2 B.1. */
	assert_string_equal(res.hashes.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(res.hashes.size, 3);
	struct stat st;
	assert_int_equal(stat(res.tmp_path, &st), 0);
	assert_int_equal(st.st_size, 3);
	ar_fetch_res_release(&res); /* not taken: removed */
	assert_int_equal(n_files(fx->tmp), 0);

	/* An empty body is an (empty) file. */
	fake_put(&fx->fake, "/empty", 200, "", "\"e\"");
	fake_url(&fx->fake, url, sizeof url, NULL, "/empty");
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	assert_non_null(res.tmp_path);
	assert_int_equal(res.hashes.size, 0);
	assert_string_equal(res.hashes.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ar_fetch_res_release(&res);

	/* A 304 or an error page makes no temp file at all. */
	o.if_none_match = "\"e\"";
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	assert_int_equal(res.status, 304);
	assert_null(res.tmp_path);
	assert_int_equal(n_files(fx->tmp), 0);
	ar_fetch_res_release(&res);
	o.if_none_match = NULL;
	fake_url(&fx->fake, url, sizeof url, NULL, "/missing");
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	assert_int_equal(res.status, 404);
	assert_null(res.tmp_path);
	assert_int_equal(n_files(fx->tmp), 0);
	ar_fetch_res_release(&res);
}

static void test_size_cap(void **state)
{
	struct fixture *fx = *state;
	char big[2000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	fake_put(&fx->fake, "/big", 200, big, NULL);
	char url[128];
	fake_url(&fx->fake, url, sizeof url, NULL, "/big");
	struct ar_fetch_res res;
	struct ar_err err = {0};
	struct ar_fetch_opts o = {.url = url, .max_bytes = 100};
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), AR_ETOOBIG);
	assert_int_equal(res.len, 0);
	ar_fetch_res_release(&res);
	o.tmp_dir = fx->tmp;
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), AR_ETOOBIG);
	assert_null(res.tmp_path);
	ar_fetch_res_release(&res);
	assert_int_equal(n_files(fx->tmp), 0);
	o.max_bytes = sizeof big - 1; /* exactly the size fits */
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	assert_int_equal(res.len, sizeof big - 1);
	ar_fetch_res_release(&res);
}

static void test_redirects_http_only(void **state)
{
	struct fixture *fx = *state;
	fake_put(&fx->fake, "/pkg", 200, "body", NULL);
	struct fake_doc *d = fake_put(&fx->fake, "/moved", 302, "", NULL);
	fake_copy(d->location, sizeof d->location, "/pkg");
	d = fake_put(&fx->fake, "/to-file", 302, "", NULL);
	fake_copy(d->location, sizeof d->location, "file:///etc/passwd");
	char url[128];
	struct ar_fetch_res res;
	struct ar_err err = {0};
	fake_url(&fx->fake, url, sizeof url, NULL, "/moved");
	struct ar_fetch_opts o = {.url = url};
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.body.ptr, "body");
	ar_fetch_res_release(&res);

	fake_url(&fx->fake, url, sizeof url, NULL, "/to-file");
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), AR_EUNAVAIL);
	assert_int_equal(res.len, 0);
	assert_non_null(strstr(err.msg, "not http(s)"));
	ar_fetch_res_release(&res);

	/* Only http(s) URLs are accepted in the first place. */
	const char *bad[] = {"file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "not a url"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o.url = bad[i];
		assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), AR_EINVAL);
		ar_fetch_res_release(&res);
	}
}

static void test_credentials_basic_auth_redacted(void **state)
{
	struct fixture *fx = *state;
	struct fake other;
	assert_true(fake_start(&other));
	fake_put(&fx->fake, "/pkg", 200, "ok", NULL);
	fake_put(&other, "/elsewhere", 200, "there", NULL);
	char url[160], there[128];
	fake_url(&other, there, sizeof there, NULL, "/elsewhere");
	struct fake_doc *d = fake_put(&fx->fake, "/away", 302, "", NULL);
	fake_copy(d->location, sizeof d->location, there);

	/* Percent-encoded userinfo is decoded before it is sent. */
	fake_url(&fx->fake, url, sizeof url, "alice:s3cr%40t-pw", "/pkg");
	struct ar_fetch_opts o = {.url = url};
	struct ar_fetch_res res;
	struct ar_err err = {0};
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	struct ar_arena *a = ar_arena_new();
	char *want = ar_printf(a, "Basic %s", ar_b64_encode(a, "alice:s3cr@t-pw", 15));
	assert_string_equal(fx->fake.last_auth, want);
	ar_fetch_res_release(&res);

	/* A redirect to another host:port does not carry them along. */
	fake_url(&fx->fake, url, sizeof url, "alice:s3cr%40t-pw", "/away");
	o.url = url;
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), 0);
	assert_string_equal(res.body.ptr, "there");
	assert_string_equal(other.last_auth, "");
	ar_fetch_res_release(&res);

	/* Failures name the URL without them. */
	uint16_t port = other.port;
	fake_stop(&other);
	snprintf(url, sizeof url, "http://alice:s3cr%%40t-pw@127.0.0.1:%u/pkg", (unsigned)port);
	o.url = url;
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), AR_EUNAVAIL);
	assert_non_null(strstr(err.msg, "http://***@127.0.0.1:"));
	assert_null(strstr(err.msg, "alice"));
	assert_null(strstr(err.msg, "s3cr"));
	ar_fetch_res_release(&res);
	fake_free(&other);
	ar_arena_free(a);
}

static void test_redact_table(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"http://127.0.0.1:1/x", "http://127.0.0.1:1/x"},
		{"http://u:p@host/x", "http://***@host/x"},
		{"https://token@host", "https://***@host"},
		{"http://u:p@ss@host/a@b", "http://***@host/a@b"}, /* raw '@' in the password; '@' in the path */
		{"http://host/path?q=a@b", "http://host/path?q=a@b"},
		{"u:p@host/x", "***@host/x"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[128];
		ar_url_redact(out, sizeof out, cases[i].in);
		assert_string_equal(out, cases[i].out);
	}
	char tiny[8];
	ar_url_redact(tiny, sizeof tiny, "http://u:p@host/");
	assert_int_equal(strlen(tiny), 7);
	assert_null(strstr(tiny, "u:p"));
}

static void test_timeout_stall_and_refused(void **state)
{
	struct fixture *fx = *state;
	struct fake_doc *d = fake_put(&fx->fake, "/hang", 200, "never", NULL);
	d->is_hanging = true;
	d = fake_put(&fx->fake, "/trickle", 200, "0123456789abcdefghijklmnopqrstuvwxyz", NULL);
	d->is_trickling = true;
	char url[128];
	struct ar_fetch_res res;
	struct ar_err err = {0};

	fake_url(&fx->fake, url, sizeof url, NULL, "/hang");
	struct ar_fetch_opts o = {.url = url, .timeout_ms = 200};
	int64_t t0 = ar_mono_ms();
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), AR_ETIMEOUT);
	assert_true(ar_mono_ms() - t0 < FAKE_WAIT_MS);
	assert_non_null(strstr(err.msg, "timed out"));
	ar_fetch_res_release(&res);

	/* Headers and 8 bytes, then nothing: the stall window (not a total timeout) drops it. */
	fake_url(&fx->fake, url, sizeof url, NULL, "/trickle");
	o = (struct ar_fetch_opts){.url = url, .stall_ms = 200, .min_speed = 100, .tmp_dir = fx->tmp};
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), AR_ETIMEOUT);
	assert_non_null(strstr(err.msg, "stalled"));
	assert_null(res.tmp_path);
	ar_fetch_res_release(&res);
	assert_int_equal(n_files(fx->tmp), 0);
	assert_int_equal(fake_wait_hanging(&fx->fake, 2), 2); /* both still held upstream */
	fake_release(&fx->fake);

	/* Nothing listening. */
	uint16_t port = fx->fake.port;
	fake_stop(&fx->fake);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/pkg", (unsigned)port);
	o = (struct ar_fetch_opts){.url = url};
	assert_int_equal(ar_fetch(fx->fetcher, &res, &o, &err), AR_EUNAVAIL);
	ar_fetch_res_release(&res);
}

/* Many threads through one fetcher: handles are pooled, nothing is shared unsafely (ASan/TSan food). */
struct par {
	struct fixture *fx;
	int ok;
};

static void *par_run(void *arg)
{
	struct par *p = arg;
	char url[128];
	fake_url(&p->fx->fake, url, sizeof url, NULL, "/pkg");
	for (int i = 0; i < 20; i++) {
		struct ar_fetch_opts o = {.url = url, .timeout_ms = 10000};
		struct ar_fetch_res res;
		struct ar_err err = {0};
		if (ar_fetch(p->fx->fetcher, &res, &o, &err) == 0 && res.status == 200 &&
		    strcmp(res.body.ptr, "ok") == 0)
			p->ok++;
		ar_fetch_res_release(&res);
	}
	return NULL;
}

static void test_parallel(void **state)
{
	struct fixture *fx = *state;
	fake_put(&fx->fake, "/pkg", 200, "ok", NULL);
	pthread_t t[8];
	struct par p[8];
	for (int i = 0; i < 8; i++) {
		p[i] = (struct par){.fx = fx};
		assert_int_equal(pthread_create(&t[i], NULL, par_run, &p[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(p[i].ok, 20);
	}
	assert_int_equal(fake_hits(&fx->fake, "/pkg"), 160);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_memory_body_headers_and_conditional, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_mode_hashes_and_cleans_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirects_http_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_credentials_basic_auth_redacted, setup, teardown),
		cmocka_unit_test(test_redact_table),
		cmocka_unit_test_setup_teardown(test_timeout_stall_and_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parallel, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
