/* tests/unit/auth/test_sigv4.c - SigV4 against botocore's vectors (ref §3.2) and hostile inputs */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/sigv4.h"
#include "core/crypto.h"
#include "core/timeutil.h"

#define SECRET	  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define AMZ_DATE  "20240102T030405Z"
#define HOST	  "127.0.0.1:8080"
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SKEW	  900

/* A request as a test builds it: header names in the case a client sends them. */
struct hdrs {
	struct ar_sigv4_header h[70];
	size_t n;
};

static const char *lookup(void *cls, const char *lname)
{
	const struct hdrs *hs = cls;
	for (size_t i = 0; i < hs->n; i++)
		if (strcasecmp(hs->h[i].name, lname) == 0)
			return hs->h[i].value;
	return NULL;
}

struct vector {
	const char *method, *path, *query, *body;
	struct ar_sigv4_header headers[4];
	size_t n_headers;
	const char *canonical, *string_to_sign, *authorization;
};

static const struct vector vectors[] = {
	{"GET",
	 "/v1/domain",
	 "domain=my-domain",
	 "",
	 {{"Host", HOST}, {"X-Amz-Date", AMZ_DATE}},
	 2,
	 "GET\n/v1/domain\ndomain=my-domain\nhost:127.0.0.1:8080\nx-amz-date:20240102T030405Z\n\nhost;x-amz-date\n"
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	 "AWS4-HMAC-SHA256\n20240102T030405Z\n20240102/us-east-1/codeartifact/aws4_request\n"
	 "0c5a78cd4ec01f2ac326d40b00203387bfe481ff6b2af57f81e73444171ccdf8",
	 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/codeartifact/aws4_request, "
	 "SignedHeaders=host;x-amz-date, Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181"},
	{"POST",
	 "/v1/repository",
	 "domain=my-domain&repository=r1",
	 "{\"description\": \"hello world\"}",
	 {{"Content-Type", "application/json"}, {"Host", HOST}, {"X-Amz-Date", AMZ_DATE}},
	 3,
	 "POST\n/v1/repository\ndomain=my-domain&repository=r1\ncontent-type:application/json\nhost:127.0.0.1:8080\n"
	 "x-amz-date:20240102T030405Z\n\ncontent-type;host;x-amz-date\n"
	 "db8232dfe35b93a792c4d46934a2c0a0bb026e3e9dc3a5eaa9179b5f4df1ed86",
	 "AWS4-HMAC-SHA256\n20240102T030405Z\n20240102/us-east-1/codeartifact/aws4_request\n"
	 "ddc0adf33eaab8a759ee0ca7a6d22157d7d44fcf74f5b01c4f856bf203e7efa6",
	 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/codeartifact/aws4_request, "
	 "SignedHeaders=content-type;host;x-amz-date, "
	 "Signature=4303bdc497bda529cebf3d13debbe48adea7a775ddad6d6085095b7b6acad782"},
	{"POST",
	 "/v1/package/version/publish",
	 "domain=my-domain&repository=r1&format=generic&namespace=my-ns&package=my-pkg&version=1.0.0&asset=my%20asset%"
	 "2B1.txt&unfinished=true",
	 "hello asset",
	 {{"x-amz-content-sha256", "2d5eebd03955939c6aa7ad07292cc6e13934da502e92581ac55fa20c6986c7fb"},
	  {"Host", HOST},
	  {"X-Amz-Date", AMZ_DATE}},
	 3,
	 "POST\n/v1/package/version/publish\n"
	 "asset=my%20asset%2B1.txt&domain=my-domain&format=generic&namespace=my-ns&package=my-pkg&repository=r1&"
	 "unfinished=true&version=1.0.0\nhost:127.0.0.1:8080\n"
	 "x-amz-content-sha256:2d5eebd03955939c6aa7ad07292cc6e13934da502e92581ac55fa20c6986c7fb\n"
	 "x-amz-date:20240102T030405Z\n\nhost;x-amz-content-sha256;x-amz-date\n"
	 "2d5eebd03955939c6aa7ad07292cc6e13934da502e92581ac55fa20c6986c7fb",
	 "AWS4-HMAC-SHA256\n20240102T030405Z\n20240102/us-east-1/codeartifact/aws4_request\n"
	 "1261fa593a7878cb5f71cf28821f96f9cb49e1bcde1526fcd02cb66a33f82a2e",
	 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/codeartifact/aws4_request, "
	 "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
	 "Signature=59459f0a964037fbc160d23bc915e3dd69ecb8c775d0793fc66481ced91271d6"},
};

static time_t vector_time(void)
{
	time_t t;
	assert_true(ar_parse_amz_date(AMZ_DATE, &t));
	return t;
}

static void body_hash(char out[65], const char *body)
{
	unsigned char h[32];
	ar_sha256(h, body, strlen(body));
	ar_hex(out, h, 32);
}

/* The server's view of a test request. */
struct server_req {
	struct hdrs hs;
	char payload[65];
	struct ar_sigv4_request req;
};

static void server_req_init(struct server_req *s, const char *method, const char *path, const char *query,
			    const struct ar_sigv4_header *headers, size_t n, const char *body)
{
	memset(s, 0, sizeof *s);
	memcpy(s->hs.h, headers, n * sizeof *headers);
	s->hs.n = n;
	body_hash(s->payload, body);
	s->req = (struct ar_sigv4_request){method, path, query, lookup, &s->hs, s->payload};
}

static void set_header(struct server_req *s, const char *name, const char *value)
{
	for (size_t i = 0; i < s->hs.n; i++)
		if (strcasecmp(s->hs.h[i].name, name) == 0) {
			s->hs.h[i].value = value;
			return;
		}
	s->hs.h[s->hs.n++] = (struct ar_sigv4_header){name, value};
}

/* Parses and verifies; returns the fault (AR_SIGV4_OK on success) and checks rc agrees. */
static enum ar_sigv4_fault check(const struct server_req *s, const char *authorization, const char *secret, time_t now,
				 struct ar_err *err)
{
	struct ar_sigv4_auth auth;
	enum ar_sigv4_fault fault = AR_SIGV4_OK;
	int rc = ar_sigv4_parse(&auth, authorization, &fault, err);
	if (rc == 0)
		rc = ar_sigv4_verify(&s->req, &auth, secret, now, SKEW, &fault, err);
	assert_int_equal(rc == 0, fault == AR_SIGV4_OK);
	if (rc)
		assert_int_equal(rc, AR_EAUTH);
	return fault;
}

/* Signs as the CLI would; returns the Authorization value (free it). */
static char *sign(const char *method, const char *path, const char *query, const struct ar_sigv4_header *headers,
		  size_t n, const char *body, const char *secret, const char *service)
{
	struct ar_buf out;
	struct ar_err err = {0};
	char payload[65];
	body_hash(payload, body);
	ar_buf_init(&out, 0);
	int rc = ar_sigv4_sign(&out, method, path, query, headers, n, payload, "AKIDEXAMPLE", secret, "us-east-1",
			       service, &err);
	if (rc)
		fail_msg("sign failed: %s", err.msg);
	return ar_buf_detach(&out, NULL);
}

static void test_vectors_canonical_request(void **state)
{
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		const struct vector *v = &vectors[i];
		struct server_req s;
		server_req_init(&s, v->method, v->path, v->query, v->headers, v->n_headers, v->body);
		struct ar_sigv4_auth auth;
		struct ar_err err = {0};
		assert_int_equal(ar_sigv4_parse(&auth, v->authorization, NULL, &err), 0);
		assert_string_equal(auth.access_key_id, "AKIDEXAMPLE");
		assert_string_equal(auth.date, "20240102");
		assert_string_equal(auth.region, "us-east-1");
		assert_string_equal(auth.service, "codeartifact");
		struct ar_buf b;
		ar_buf_init(&b, 0);
		assert_int_equal(ar_sigv4_canonical_request(&b, &s.req, auth.signed_headers, &err), 0);
		assert_string_equal(b.ptr, v->canonical);
		ar_buf_release(&b);
	}
}

static void test_vectors_verify(void **state)
{
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		const struct vector *v = &vectors[i];
		struct server_req s;
		server_req_init(&s, v->method, v->path, v->query, v->headers, v->n_headers, v->body);
		struct ar_err err = {0};
		assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_OK);
		/* The same request checked with another secret must fail. */
		assert_int_equal(check(&s, v->authorization, "wrong-secret", vector_time(), &err), AR_SIGV4_MISMATCH);
		assert_non_null(strstr(err.msg, "does not match"));
	}
}

static void test_vectors_sign(void **state)
{
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		const struct vector *v = &vectors[i];
		char *authz =
			sign(v->method, v->path, v->query, v->headers, v->n_headers, v->body, SECRET, "codeartifact");
		assert_string_equal(authz, v->authorization);
		free(authz);

		/* The debug variant exposes exactly botocore's CanonicalRequest and StringToSign. */
		struct ar_buf out, creq, sts;
		struct ar_err err = {0};
		ar_buf_init(&out, 0);
		ar_buf_init(&creq, 0);
		ar_buf_init(&sts, 0);
		char payload[65];
		body_hash(payload, v->body);
		assert_int_equal(ar_sigv4_sign_debug(&out, &creq, &sts, v->method, v->path, v->query, v->headers,
						     v->n_headers, payload, "AKIDEXAMPLE", SECRET, "us-east-1",
						     "codeartifact", &err),
				 0);
		assert_string_equal(out.ptr, v->authorization);
		assert_string_equal(creq.ptr, v->canonical);
		assert_string_equal(sts.ptr, v->string_to_sign);
		assert_null(strstr(creq.ptr, SECRET));
		assert_null(strstr(sts.ptr, SECRET));
		ar_buf_release(&out);
		ar_buf_release(&creq);
		ar_buf_release(&sts);
	}
}

static void test_tampered_query_value(void **state)
{
	const struct vector *v = &vectors[1];
	struct server_req s;
	struct ar_err err = {0};
	server_req_init(&s, v->method, v->path, "domain=my-domain&repository=r2", v->headers, v->n_headers, v->body);
	assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);
	/* An added parameter is tampering too. */
	server_req_init(&s, v->method, v->path, "domain=my-domain&repository=r1&x=1", v->headers, v->n_headers,
			v->body);
	assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);
	/* So is another body when no content hash header pins it. */
	server_req_init(&s, v->method, v->path, v->query, v->headers, v->n_headers, "{\"description\": \"evil\"}");
	assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);
}

static void test_tampered_signed_header(void **state)
{
	const struct vector *v = &vectors[1];
	struct server_req s;
	struct ar_err err = {0};
	server_req_init(&s, v->method, v->path, v->query, v->headers, v->n_headers, v->body);
	set_header(&s, "content-type", "text/plain");
	assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);

	/* A signed header that vanished on the way. */
	server_req_init(&s, v->method, v->path, v->query, v->headers + 1, v->n_headers - 1, v->body);
	assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);
	assert_non_null(strstr(err.msg, "content-type"));

	/* An unsigned header may change freely. */
	server_req_init(&s, v->method, v->path, v->query, v->headers, v->n_headers, v->body);
	set_header(&s, "User-Agent", "aws-cli/1.0");
	assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_OK);

	/* The publish vector's payload hash comes from the header, so a changed header breaks it. */
	v = &vectors[2];
	server_req_init(&s, v->method, v->path, v->query, v->headers, v->n_headers, "other bytes");
	assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_OK);
	set_header(&s, "x-amz-content-sha256", EMPTY_SHA);
	assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);
}

static void test_unsigned_host(void **state)
{
	const struct ar_sigv4_header hs[] = {{"Host", HOST}, {"X-Amz-Date", AMZ_DATE}};
	struct server_req s;
	struct ar_err err = {0};
	server_req_init(&s, "GET", "/v1/domain", "domain=my-domain", hs, 2, "");
	const char *authz = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/codeartifact/aws4_request, "
			    "SignedHeaders=x-amz-date, "
			    "Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181";
	assert_int_equal(check(&s, authz, SECRET, vector_time(), &err), AR_SIGV4_INCOMPLETE);
	assert_non_null(strstr(err.msg, "Host"));

	/* The client refuses to sign without host, too. */
	struct ar_buf out;
	ar_buf_init(&out, 0);
	assert_int_equal(ar_sigv4_sign(&out, "GET", "/", "", hs + 1, 1, EMPTY_SHA, "AKIDEXAMPLE", SECRET, "us-east-1",
				       "codeartifact", &err),
			 AR_EINVAL);
	ar_buf_release(&out);
}

static void test_wrong_service(void **state)
{
	const struct vector *v = &vectors[0];
	char *authz = sign(v->method, v->path, v->query, v->headers, v->n_headers, v->body, SECRET, "s3");
	struct server_req s;
	struct ar_err err = {0};
	server_req_init(&s, v->method, v->path, v->query, v->headers, v->n_headers, v->body);
	assert_int_equal(check(&s, authz, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);
	assert_non_null(strstr(err.msg, "codeartifact"));
	free(authz);
}

static void test_date_mismatch(void **state)
{
	const struct vector *v = &vectors[0];
	struct server_req s;
	struct ar_err err = {0};
	server_req_init(&s, v->method, v->path, v->query, v->headers, v->n_headers, v->body);
	/* Credential scoped to the day before X-Amz-Date. */
	const char *authz = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/codeartifact/aws4_request, "
			    "SignedHeaders=host;x-amz-date, "
			    "Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181";
	assert_int_equal(check(&s, authz, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);
	assert_non_null(strstr(err.msg, "Credential scope"));

	/* X-Amz-Date missing or malformed: the header is incomplete. */
	server_req_init(&s, v->method, v->path, v->query, v->headers, 1, v->body);
	assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_INCOMPLETE);
	server_req_init(&s, v->method, v->path, v->query, v->headers, v->n_headers, v->body);
	set_header(&s, "x-amz-date", "2024-01-02T03:04:05Z");
	assert_int_equal(check(&s, v->authorization, SECRET, vector_time(), &err), AR_SIGV4_INCOMPLETE);
}

static void test_clock_skew(void **state)
{
	const struct vector *v = &vectors[0];
	struct server_req s;
	struct ar_err err = {0};
	server_req_init(&s, v->method, v->path, v->query, v->headers, v->n_headers, v->body);
	time_t t = vector_time();
	assert_int_equal(check(&s, v->authorization, SECRET, t + SKEW, &err), AR_SIGV4_OK);
	assert_int_equal(check(&s, v->authorization, SECRET, t - SKEW, &err), AR_SIGV4_OK);
	assert_int_equal(check(&s, v->authorization, SECRET, t + SKEW + 1, &err), AR_SIGV4_EXPIRED);
	assert_true(strncmp(err.msg, "Signature expired: ", 19) == 0);
	assert_non_null(strstr(err.msg, "20240102T030405Z is now earlier than 20240102T030406Z"));
	assert_non_null(strstr(err.msg, "15 min."));
	assert_int_equal(check(&s, v->authorization, SECRET, t - SKEW - 1, &err), AR_SIGV4_EXPIRED);
	assert_true(strncmp(err.msg, "Signature expired: ", 19) == 0);
	/* Far-off clocks must not overflow the comparison. */
	assert_int_equal(check(&s, v->authorization, SECRET, (time_t)INT64_MAX, &err), AR_SIGV4_EXPIRED);
	assert_int_equal(check(&s, v->authorization, SECRET, (time_t)INT64_MIN, &err), AR_SIGV4_EXPIRED);
}

static void test_malformed_authorization(void **state)
{
	static const char *bad[] = {
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA1 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=host, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		"Bearer abc",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=host",
		"AWS4-HMAC-SHA256 SignedHeaders=host, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		/* scope with too few parts, wrong terminator, bad date */
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/aws4_request, SignedHeaders=host, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws5_request, SignedHeaders=host, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		"AWS4-HMAC-SHA256 Credential=AKID/2024012/us-east-1/codeartifact/aws4_request, SignedHeaders=host, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request/x, SignedHeaders=host, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		"AWS4-HMAC-SHA256 Credential=/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=host, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		/* signature: short, uppercase, non-hex */
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=host, "
		"Signature=b8cc04",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=host, "
		"Signature=B8CC04ECBB810BA81FD53BA0E30D8DDEC4D65CD5272E1B0627F55A0610F3E181",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=host, "
		"Signature=g8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		/* signed headers: empty, empty name, uppercase, duplicate key */
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=host;;x, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=Host, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=host, "
		"SignedHeaders=host, Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181",
		"AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/aws4_request, SignedHeaders=host, "
		"Signature=b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181, Extra=1",
		"AWS4-HMAC-SHA256 Credential",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ar_sigv4_auth auth;
		enum ar_sigv4_fault fault = AR_SIGV4_OK;
		struct ar_err err = {0};
		int rc = ar_sigv4_parse(&auth, bad[i], &fault, &err);
		if (rc != AR_EAUTH || fault != AR_SIGV4_INCOMPLETE)
			fail_msg("accepted malformed header #%zu: %s", i, bad[i]);
	}

	/* 65 signed headers is one too many; 64 is fine. */
	char many[4096];
	for (int count = 64; count <= 65; count++) {
		size_t n = (size_t)snprintf(many, sizeof many,
					    "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/codeartifact/"
					    "aws4_request, Signature=%064d, SignedHeaders=h0",
					    0);
		for (int i = 1; i < count; i++)
			n += (size_t)snprintf(many + n, sizeof many - n, ";h%d", i);
		struct ar_sigv4_auth auth;
		enum ar_sigv4_fault fault = AR_SIGV4_OK;
		int rc = ar_sigv4_parse(&auth, many, &fault, NULL);
		assert_int_equal(rc, count == 64 ? 0 : AR_EAUTH);
		assert_int_equal(fault, count == 64 ? AR_SIGV4_OK : AR_SIGV4_INCOMPLETE);
	}

	/* An over-long header is refused before any parsing. */
	char *huge = malloc(5000);
	memset(huge, 'a', 4999);
	huge[4999] = '\0';
	memcpy(huge, "AWS4-HMAC-SHA256 ", 17);
	enum ar_sigv4_fault fault = AR_SIGV4_OK;
	struct ar_sigv4_auth auth;
	assert_int_equal(ar_sigv4_parse(&auth, huge, &fault, NULL), AR_EAUTH);
	assert_int_equal(fault, AR_SIGV4_INCOMPLETE);
	free(huge);

	/* No header at all is a different fault. */
	assert_int_equal(ar_sigv4_parse(&auth, NULL, &fault, NULL), AR_EAUTH);
	assert_int_equal(fault, AR_SIGV4_MISSING);
	assert_int_equal(ar_sigv4_parse(&auth, "", &fault, NULL), AR_EAUTH);
	assert_int_equal(fault, AR_SIGV4_MISSING);

	/* Other SDKs omit the space after the comma and reorder; that is still well-formed. */
	assert_int_equal(ar_sigv4_parse(&auth,
					"AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date,Signature="
					"b8cc04ecbb810ba81fd53ba0e30d8ddec4d65cd5272e1b0627f55a0610f3e181,Credential="
					"AKIDEXAMPLE/20240102/us-east-1/codeartifact/aws4_request",
					&fault, NULL),
			 0);
	assert_string_equal(auth.signed_headers, "host;x-amz-date");
	struct server_req s;
	server_req_init(&s, vectors[0].method, vectors[0].path, vectors[0].query, vectors[0].headers, 2, "");
	assert_int_equal(ar_sigv4_verify(&s.req, &auth, SECRET, vector_time(), SKEW, &fault, NULL), 0);
}

static void test_query_canonicalisation(void **state)
{
	/* Repeated keys sort by value; '+' stays literal; '~' and '%7e' are the same; a bare key gets '='. */
	const struct ar_sigv4_header hs[] = {{"Host", HOST}, {"X-Amz-Date", AMZ_DATE}};
	struct server_req s;
	struct ar_err err = {0};
	server_req_init(&s, "POST", "/v1/package/versions/copy", "b=2&a=z&a=y&c=%7e&d=a+b&e=%2f%20x&f&&g=%C3%A9&h=a=b",
			hs, 2, "");
	struct ar_buf b;
	ar_buf_init(&b, 0);
	assert_int_equal(ar_sigv4_canonical_request(&b, &s.req, "host;x-amz-date", &err), 0);
	const char *want_query = "a=y&a=z&b=2&c=~&d=a%2Bb&e=%2F%20x&f=&g=%C3%A9&h=a%3Db";
	char *line = strchr(strchr(b.ptr, '\n') + 1, '\n') + 1;
	assert_true(strncmp(line, want_query, strlen(want_query)) == 0);
	assert_int_equal(line[strlen(want_query)], '\n');
	ar_buf_release(&b);

	/* The client signs its own encoding; a server seeing an equivalent encoding still verifies. */
	char *authz = sign("POST", "/v1/package/versions/copy", "package=%40scope%2Fpkg&package=a%20b&z=~", hs, 2, "",
			   SECRET, "codeartifact");
	server_req_init(&s, "POST", "/v1/package/versions/copy", "z=%7E&package=a%20b&package=%40scope%2fpkg", hs, 2,
			"");
	assert_int_equal(check(&s, authz, SECRET, vector_time(), &err), AR_SIGV4_OK);
	/* ...but '+' is not a space. */
	server_req_init(&s, "POST", "/v1/package/versions/copy", "z=%7E&package=a+b&package=%40scope%2fpkg", hs, 2, "");
	assert_int_equal(check(&s, authz, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);
	free(authz);

	/* A malformed escape never verifies. */
	server_req_init(&s, "GET", "/v1/domain", "domain=%zz", hs, 2, "");
	assert_int_equal(check(&s, vectors[0].authorization, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);
}

static void test_header_whitespace_and_session_token(void **state)
{
	/* Values are trimmed and inner runs collapsed, so a proxy re-folding spaces does not matter. */
	const struct ar_sigv4_header sent[] = {{"Host", HOST},
					       {"X-Amz-Date", AMZ_DATE},
					       {"X-Amz-Security-Token", "SESSION TOKEN"},
					       {"X-Custom", "a  b"}};
	char *authz = sign("POST", "/v1/domains", "", sent, 4, "{}", SECRET, "codeartifact");
	assert_non_null(strstr(authz, "SignedHeaders=host;x-amz-date;x-amz-security-token;x-custom,"));
	const struct ar_sigv4_header got[] = {{"host", HOST},
					      {"x-amz-date", AMZ_DATE},
					      {"x-amz-security-token", "  SESSION \t TOKEN "},
					      {"x-custom", "a b"}};
	struct server_req s;
	struct ar_err err = {0};
	server_req_init(&s, "POST", "/v1/domains", "", got, 4, "{}");
	assert_int_equal(check(&s, authz, SECRET, vector_time(), &err), AR_SIGV4_OK);
	set_header(&s, "x-amz-security-token", "OTHER");
	assert_int_equal(check(&s, authz, SECRET, vector_time(), &err), AR_SIGV4_MISMATCH);
	free(authz);

	/* Duplicate header names are a client bug. */
	const struct ar_sigv4_header dup[] = {{"Host", HOST}, {"X-Amz-Date", AMZ_DATE}, {"host", HOST}};
	struct ar_buf out;
	ar_buf_init(&out, 0);
	assert_int_equal(ar_sigv4_sign(&out, "GET", "/", "", dup, 3, EMPTY_SHA, "AKIDEXAMPLE", SECRET, "us-east-1",
				       "codeartifact", &err),
			 AR_EINVAL);
	ar_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_canonical_request),
		cmocka_unit_test(test_vectors_verify),
		cmocka_unit_test(test_vectors_sign),
		cmocka_unit_test(test_tampered_query_value),
		cmocka_unit_test(test_tampered_signed_header),
		cmocka_unit_test(test_unsigned_host),
		cmocka_unit_test(test_wrong_service),
		cmocka_unit_test(test_date_mismatch),
		cmocka_unit_test(test_clock_skew),
		cmocka_unit_test(test_malformed_authorization),
		cmocka_unit_test(test_query_canonicalisation),
		cmocka_unit_test(test_header_whitespace_and_session_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
