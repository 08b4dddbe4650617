/* tests/unit/upstream/test_digest.c - digest forms (SRI, PyPI fragments, bare hex) against known hashes */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "upstream/digest.h"

/* Digests of "abc" (FIPS 180-2, RFC 1321, RFC 3174 vectors). */
#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define ABC_SHA512                                                                                                     \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643c" \
	"e80e"                                                                                                         \
	"2a9ac94fa54ca49f"
#define ABC_SHA1 "a9993e364706816aba3e25717850c26c9cd0d89d"
#define ABC_MD5	 "900150983cd24fb0d6963f7d28e17f72"
/* base64 of the same digests. */
#define ABC_SHA512_B64 "3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
#define ABC_SHA256_B64 "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
#define ABC_SHA1_B64   "qZk+NkcGgWq6PiVxeFDCbJzQ2J0="

static const struct {
	const char *digest;
	int rc;
	const char *msg; /* a substring of the error, when rc != 0 */
} cases[] = {
	{"sha512-" ABC_SHA512_B64, 0, NULL},
	{"sha256-" ABC_SHA256_B64, 0, NULL},
	{"sha1-" ABC_SHA1_B64, 0, NULL},
	{"sha512-" ABC_SHA512_B64 "?opt", 0, NULL},
	{"sha384-AAAA sha512-" ABC_SHA512_B64, 0, NULL}, /* unknown algorithms are skipped */
	{"  sha512-" ABC_SHA512_B64 "\tsha1-" ABC_SHA1_B64 " ", 0, NULL},
	{"sha256=" ABC_SHA256, 0, NULL},
	{"SHA256="
	 "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
	 0, NULL},
	{"md5=" ABC_MD5, 0, NULL},
	{ABC_SHA256, 0, NULL},
	{ABC_SHA512, 0, NULL},
	{ABC_SHA1, 0, NULL},
	{ABC_MD5, 0, NULL},
	/* mismatches */
	{"sha512-" ABC_SHA512_B64 " sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=", AR_EINVAL, "sha1 expected"},
	{"sha256=0000000000000000000000000000000000000000000000000000000000000000", AR_EINVAL, "digest mismatch"},
	{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", AR_EINVAL, "got " ABC_SHA256},
	/* malformed or unsupported */
	{"", AR_EINVAL, "no supported digest"},
	{"sha384-AAAA", AR_EINVAL, "no supported digest"},
	{"sha512-not*base64", AR_EINVAL, "malformed sha512"},
	{"sha512-" ABC_SHA256_B64, AR_EINVAL, "malformed sha512"}, /* right encoding, wrong length */
	{"sha256=abc", AR_EINVAL, "malformed sha256"},
	{"sha256=" ABC_SHA512, AR_EINVAL, "malformed sha256"},
	{"abcdef", AR_EINVAL, "unrecognised digest"},
	{"zz" ABC_MD5, AR_EINVAL, "unrecognised digest"},
};

static void test_table(void **state)
{
	struct ar_hashes h = {.sha256 = ABC_SHA256, .sha512 = ABC_SHA512, .sha1 = ABC_SHA1, .md5 = ABC_MD5, .size = 3};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_err err = {0};
		int rc = ar_digest_verify(cases[i].digest, &h, &err);
		if (rc != cases[i].rc || (cases[i].msg && !strstr(err.msg, cases[i].msg)))
			fail_msg("case %zu '%s': rc %d msg '%s'", i, cases[i].digest, rc, err.msg);
	}
}

static void test_syntax_only(void **state)
{
	struct ar_err err = {0};
	assert_int_equal(ar_digest_verify("sha256=" ABC_SHA256, NULL, &err), 0);
	assert_int_equal(ar_digest_verify("sha512-" ABC_SHA512_B64, NULL, &err), 0);
	assert_int_equal(ar_digest_verify("sha512-x", NULL, &err), AR_EINVAL);
	assert_int_equal(ar_digest_verify(NULL, NULL, &err), AR_EINVAL);
	char longer[400];
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(ar_digest_verify(longer, NULL, &err), AR_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_syntax_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
