/* tests/unit/core/test_core.c - arena, buf, text, crypto encodings */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/text.h"
#include "core/timeutil.h"

static int cleanup_calls;
static void count_cleanup(void *arg)
{
	cleanup_calls += *(int *)arg;
}

static void test_arena_alloc_and_cleanup(void **state)
{
	struct ar_arena *a = ar_arena_new();
	char *small = ar_alloc(a, 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(small[i], 0);
	char *big = ar_alloc(a, 100000); /* forces a dedicated chunk */
	memset(big, 'x', 100000);
	assert_string_equal(ar_printf(a, "%s-%d", "ab", 42), "ab-42");
	assert_true((uintptr_t)ar_alloc(a, 3) % 16 == 0);
	static int one = 1, ten = 10;
	cleanup_calls = 0;
	ar_arena_defer(a, count_cleanup, &one);
	ar_arena_defer(a, count_cleanup, &ten);
	assert_true(ar_arena_used(a) >= 100010);
	ar_arena_free(a);
	assert_int_equal(cleanup_calls, 11);
}

static void test_buf_cap(void **state)
{
	struct ar_buf b;
	ar_buf_init(&b, 8);
	assert_string_equal(b.ptr, "");
	assert_int_equal(ar_buf_adds(&b, "12345"), 0);
	assert_int_equal(ar_buf_printf(&b, "%d", 678), 0);
	assert_string_equal(b.ptr, "12345678");
	assert_int_equal(ar_buf_addch(&b, '9'), AR_ETOOBIG);
	assert_string_equal(b.ptr, "12345678"); /* unchanged after refusal */
	size_t len;
	char *s = ar_buf_detach(&b, &len);
	assert_int_equal(len, 8);
	assert_string_equal(s, "12345678");
	free(s);
	assert_int_equal(b.len, 0);
	ar_buf_release(&b);
}

static void test_pct_and_query(void **state)
{
	struct ar_arena *a = ar_arena_new();
	assert_string_equal(ar_pct_decode(a, "a%20b%2Bc+d", 11, NULL), "a b+c+d");
	assert_null(ar_pct_decode(a, "bad%2", 5, NULL));
	assert_null(ar_pct_decode(a, "nul%00", 6, NULL));
	assert_string_equal(ar_pct_encode(a, "my asset+1.txt", 14, false), "my%20asset%2B1.txt");
	assert_string_equal(ar_pct_encode(a, "/v1/a b", 7, true), "/v1/a%20b");
	struct ar_query q;
	assert_int_equal(ar_query_parse(&q, a, "domain=my-domain&x=&flag&domain=again"), 0);
	assert_int_equal(q.n_params, 4);
	assert_string_equal(ar_query_get(&q, "domain"), "my-domain");
	assert_string_equal(ar_query_get(&q, "x"), "");
	assert_string_equal(ar_query_get(&q, "flag"), "");
	assert_int_equal(ar_query_count(&q, "domain"), 2);
	assert_null(ar_query_get(&q, "missing"));
	assert_int_equal(ar_query_parse(&q, a, "a=%zz"), AR_EINVAL);
	ar_arena_free(a);
}

static void test_parse_i64(void **state)
{
	int64_t v;
	assert_true(ar_parse_i64("43200", &v));
	assert_int_equal(v, 43200);
	assert_true(ar_parse_i64("-5", &v));
	assert_int_equal(v, -5);
	assert_false(ar_parse_i64("", &v));
	assert_false(ar_parse_i64("12a", &v));
	assert_false(ar_parse_i64(" 1", &v));
	assert_false(ar_parse_i64("99999999999999999999", &v));
}

static void test_utf8_checks(void **state)
{
	assert_true(ar_is_printable_utf8("hello world é", strlen("hello world é")));
	assert_false(ar_is_printable_utf8("tab\there", 8));
	assert_false(ar_is_printable_utf8("\xff", 1));
	assert_true(ar_is_nonspace_utf8("a:b/c", 5));
	assert_false(ar_is_nonspace_utf8("a b", 3));
}

static void test_base64_roundtrip(void **state)
{
	struct ar_arena *a = ar_arena_new();
	const unsigned char raw[] = {0xfb, 0xff, 0x00, 0x61, 0x62};
	for (size_t n = 0; n <= sizeof raw; n++) {
		size_t out_len;
		char *std = ar_b64_encode(a, raw, n);
		unsigned char *back = ar_b64_decode(a, std, strlen(std), &out_len);
		assert_non_null(back);
		assert_int_equal(out_len, n);
		assert_memory_equal(back, raw, n);
		char *url = ar_b64url_encode(a, raw, n);
		assert_null(strpbrk(url, "+/="));
		back = ar_b64url_decode(a, url, strlen(url), &out_len);
		assert_non_null(back);
		assert_int_equal(out_len, n);
		assert_memory_equal(back, raw, n);
	}
	assert_string_equal(ar_b64_encode(a, "aws:TOKEN123", 12), "YXdzOlRPS0VOMTIz");
	size_t len;
	assert_null(ar_b64_decode(a, "YX!z", 4, &len));
	ar_arena_free(a);
}

static void test_hashes_and_aead(void **state)
{
	unsigned char d[32];
	char hex[65];
	ar_sha256(d, "", 0);
	ar_hex(hex, d, 32);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	struct ar_hasher *h = ar_hasher_new();
	ar_hasher_update(h, "hello ", 6);
	ar_hasher_update(h, "asset", 5);
	struct ar_hashes out;
	ar_hasher_final(h, &out);
	assert_string_equal(out.sha256, "2d5eebd03955939c6aa7ad07292cc6e13934da502e92581ac55fa20c6986c7fb");
	assert_int_equal(out.size, 11);
	assert_int_equal(strlen(out.sha512), 128);

	unsigned char key[32] = {1, 2, 3};
	unsigned char sealed[5 + AR_AEAD_OVERHEAD], plain[5];
	assert_int_equal(ar_aead_seal(sealed, key, "hello", 5), 0);
	assert_int_equal(ar_aead_open(plain, key, sealed, sizeof sealed), 0);
	assert_memory_equal(plain, "hello", 5);
	sealed[14] ^= 1;
	assert_int_equal(ar_aead_open(plain, key, sealed, sizeof sealed), AR_EINVAL);

	assert_true(ar_ct_streq("abc", "abc"));
	assert_false(ar_ct_streq("abc", "abd"));
	assert_false(ar_ct_streq("abc", "abcd"));
}

static void test_amz_date(void **state)
{
	time_t t;
	assert_true(ar_parse_amz_date("20240102T030405Z", &t));
	char out[17];
	ar_amz_date(out, t);
	assert_string_equal(out, "20240102T030405Z");
	assert_false(ar_parse_amz_date("2024-01-02T03:04:05Z", &t));
	assert_false(ar_parse_amz_date("20241302T030405Z", &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_alloc_and_cleanup),
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_pct_and_query),
		cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_utf8_checks),
		cmocka_unit_test(test_base64_roundtrip),
		cmocka_unit_test(test_hashes_and_aead),
		cmocka_unit_test(test_amz_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
