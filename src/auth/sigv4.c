/* auth/sigv4.c - AWS Signature Version 4 as botocore computes it: parse, verify, sign */
#include "auth/sigv4.h"

#include "core/arena.h"
#include "core/crypto.h"
#include "core/text.h"
#include "core/timeutil.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Limits on everything that comes from the request, so a hostile header costs bounded work. */
#define MAX_AUTH_LEN	   4096
#define MAX_SIGNED_HEADERS 64
#define MAX_HEADER_VALUE   8192
#define MAX_PATH_LEN	   8192
#define MAX_QUERY_LEN	   32768
#define MAX_QUERY_PARAMS   256
#define MAX_CANONICAL_LEN  ((size_t)1 << 20)
#define MAX_SANE_TIME	   ((time_t)253402300799) /* 9999-12-31T23:59:59Z, the last X-Amz-Date */
#define EMPTY_SHA256	   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ALGORITHM	   "AWS4-HMAC-SHA256"
#define SERVICE		   "codeartifact"
#define MISMATCH_MESSAGE                                                                                               \
	"The request signature we calculated does not match the signature you provided. Check your AWS Secret "        \
	"Access Key and signing method. Consult the service documentation for details."

static int incomplete(enum ar_sigv4_fault *fault, struct ar_err *err, const char *what)
{
	if (fault)
		*fault = AR_SIGV4_INCOMPLETE;
	return ar_fail(err, AR_EAUTH, "Authorization header requires %s", what);
}

/* RFC 7230 token characters, lowercase only: the form SignedHeaders uses. */
static bool is_lower_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* Copies [s, s+len) into dst[cap] when every byte passes ok and 1 <= len < cap. */
static bool take(char *dst, size_t cap, const char *s, size_t len, bool (*ok)(char))
{
	if (len == 0 || len >= cap)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!ok(s[i]))
			return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

static bool is_key_char(char c)
{
	return c > ' ' && c < 0x7f && c != '/' && c != ',' && c != '=';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_scope_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* "AKID/DATE/REGION/SERVICE/aws4_request" */
static bool parse_credential(struct ar_sigv4_auth *out, const char *s, size_t len)
{
	const char *end = s + len, *parts[5];
	size_t lens[5];
	for (int i = 0; i < 5; i++) {
		const char *slash = memchr(s, '/', (size_t)(end - s));
		if ((slash == NULL) != (i == 4))
			return false;
		parts[i] = s;
		lens[i] = (size_t)((slash ? slash : end) - s);
		s = slash ? slash + 1 : end;
	}
	return take(out->access_key_id, sizeof out->access_key_id, parts[0], lens[0], is_key_char) && lens[1] == 8 &&
	       take(out->date, sizeof out->date, parts[1], lens[1], is_digit) &&
	       take(out->region, sizeof out->region, parts[2], lens[2], is_scope_char) &&
	       take(out->service, sizeof out->service, parts[3], lens[3], is_scope_char) && lens[4] == 12 &&
	       memcmp(parts[4], "aws4_request", 12) == 0;
}

/* "h1;h2;..." with lowercase token names, none empty, at most MAX_SIGNED_HEADERS. */
static bool parse_signed_headers(struct ar_sigv4_auth *out, const char *s, size_t len)
{
	if (len == 0 || len >= sizeof out->signed_headers)
		return false;
	size_t n = 1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == ';') {
			if (i == 0 || i + 1 == len || s[i + 1] == ';' || ++n > MAX_SIGNED_HEADERS)
				return false;
		} else if (!is_lower_tchar(s[i])) {
			return false;
		}
	}
	memcpy(out->signed_headers, s, len);
	out->signed_headers[len] = '\0';
	return true;
}

int ar_sigv4_parse(struct ar_sigv4_auth *out, const char *authorization, enum ar_sigv4_fault *fault, struct ar_err *err)
{
	memset(out, 0, sizeof *out);
	if (fault)
		*fault = AR_SIGV4_OK;
	if (!authorization || !*authorization) {
		if (fault)
			*fault = AR_SIGV4_MISSING;
		return ar_fail(err, AR_EAUTH, "Missing Authentication Token");
	}
	size_t total = strnlen(authorization, MAX_AUTH_LEN + 1);
	if (total > MAX_AUTH_LEN)
		return incomplete(fault, err, "a value of at most 4096 bytes");
	size_t alg = sizeof ALGORITHM - 1;
	if (total <= alg || memcmp(authorization, ALGORITHM, alg) != 0 || authorization[alg] != ' ')
		return incomplete(fault, err, "the AWS4-HMAC-SHA256 algorithm");

	/* Credential=..., SignedHeaders=..., Signature=... in any order, each exactly once; botocore
	   separates them with ", " but other SDKs use "," alone. */
	bool seen_cred = false, seen_sh = false, seen_sig = false;
	const char *p = authorization + alg, *end = authorization + total;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == ','))
			p++;
		if (p == end)
			break;
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		if (!eq)
			return incomplete(fault, err, "Credential, SignedHeaders and Signature as key=value pairs");
		size_t klen = (size_t)(eq - p);
		const char *v = eq + 1;
		size_t vlen = (size_t)(stop - v);
		while (vlen > 0 && v[vlen - 1] == ' ')
			vlen--;
		if (klen == 10 && memcmp(p, "Credential", 10) == 0 && !seen_cred) {
			if (!parse_credential(out, v, vlen))
				return incomplete(fault, err,
						  "a Credential of the form AKID/YYYYMMDD/REGION/SERVICE/aws4_request");
			seen_cred = true;
		} else if (klen == 13 && memcmp(p, "SignedHeaders", 13) == 0 && !seen_sh) {
			if (!parse_signed_headers(out, v, vlen))
				return incomplete(fault, err, "SignedHeaders of at most 64 lowercase names");
			seen_sh = true;
		} else if (klen == 9 && memcmp(p, "Signature", 9) == 0 && !seen_sig) {
			if (vlen != 64 || !take(out->signature, sizeof out->signature, v, vlen, is_hex_lower))
				return incomplete(fault, err, "a Signature of 64 lowercase hex digits");
			seen_sig = true;
		} else {
			return incomplete(fault, err, "only Credential, SignedHeaders and Signature, each once");
		}
		p = stop;
	}
	if (!seen_cred || !seen_sh || !seen_sig)
		return incomplete(fault, err, "Credential, SignedHeaders and Signature");
	return 0;
}

/* One "k=v" of the canonical query, both sides already re-encoded. */
struct qpair {
	const char *key;
	const char *value;
};

static int cmp_qpair(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->value, y->value);
}

/* Decode then re-encode each side so that "%7e", "~" and "%7E" all canonicalise alike, as the
   client's encoder may differ from ours; '+' is literal (botocore never sends it for a space). */
static int add_canonical_query(struct ar_buf *out, struct ar_arena *a, const char *raw, struct ar_err *err)
{
	if (!raw || !*raw)
		return 0;
	size_t raw_len = strnlen(raw, MAX_QUERY_LEN + 1);
	if (raw_len > MAX_QUERY_LEN)
		return ar_fail(err, AR_ETOOBIG, "query string longer than %d bytes", MAX_QUERY_LEN);
	size_t n = 1;
	for (size_t i = 0; i < raw_len; i++)
		n += raw[i] == '&';
	if (n > MAX_QUERY_PARAMS)
		return ar_fail(err, AR_ETOOBIG, "more than %d query parameters", MAX_QUERY_PARAMS);
	struct qpair *pairs = ar_alloc_array(a, n, sizeof *pairs);
	size_t count = 0;
	for (const char *p = raw, *end = raw + raw_len; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t len = (size_t)((amp ? amp : end) - p);
		if (len > 0) {
			const char *eq = memchr(p, '=', len);
			size_t klen = eq ? (size_t)(eq - p) : len;
			size_t kdec_len = 0, vdec_len = 0;
			char *k = ar_pct_decode(a, p, klen, &kdec_len);
			const char *v = eq ? ar_pct_decode(a, eq + 1, len - klen - 1, &vdec_len) : "";
			if (!k || !v)
				return ar_fail(err, AR_EINVAL, "malformed percent-escape in the query string");
			pairs[count].key = ar_pct_encode(a, k, kdec_len, false);
			pairs[count].value = ar_pct_encode(a, v, vdec_len, false);
			count++;
		}
		p += len + (amp != NULL);
	}
	qsort(pairs, count, sizeof *pairs, cmp_qpair);
	for (size_t i = 0; i < count; i++) {
		int rc = ar_buf_printf(out, "%s%s=%s", i ? "&" : "", pairs[i].key, pairs[i].value);
		if (rc)
			return ar_fail(err, rc, "canonical request too large");
	}
	return 0;
}

/* "name:value\n" with the value trimmed and inner whitespace runs collapsed, like botocore's
   ' '.join(value.split()). */
static int add_header_line(struct ar_buf *out, const char *name, size_t name_len, const char *value, struct ar_err *err)
{
	size_t vlen = strnlen(value, MAX_HEADER_VALUE + 1);
	if (vlen > MAX_HEADER_VALUE)
		return ar_fail(err, AR_ETOOBIG, "header %.*s longer than %d bytes", (int)name_len, name,
			       MAX_HEADER_VALUE);
	int rc = ar_buf_add(out, name, name_len);
	rc = rc ? rc : ar_buf_addch(out, ':');
	bool pending_space = false, any = false;
	for (size_t i = 0; i < vlen && !rc; i++) {
		if (isspace((unsigned char)value[i])) {
			pending_space = any;
			continue;
		}
		if (pending_space)
			rc = ar_buf_addch(out, ' ');
		rc = rc ? rc : ar_buf_addch(out, value[i]);
		pending_space = false;
		any = true;
	}
	rc = rc ? rc : ar_buf_addch(out, '\n');
	return rc ? ar_fail(err, rc, "canonical request too large") : 0;
}

/* The shared body of the server's and the client's canonical request. */
static int build_canonical(struct ar_buf *out, const char *method, const char *path, const char *raw_query,
			   ar_sigv4_header_fn *header, void *cls, const char *signed_headers,
			   const char *payload_sha256_hex, struct ar_err *err)
{
	struct ar_arena *a = ar_arena_new();
	int rc = 0;
	if (!method || !path || strnlen(path, MAX_PATH_LEN + 1) > MAX_PATH_LEN) {
		rc = ar_fail(err, AR_EINVAL, "missing method or over-long path");
		goto done;
	}
	/* botocore canonicalises an empty path to "/". */
	if ((rc = ar_buf_printf(out, "%s\n%s\n", method, *path ? path : "/")) != 0) {
		rc = ar_fail(err, rc, "canonical request too large");
		goto done;
	}
	if ((rc = add_canonical_query(out, a, raw_query, err)) != 0)
		goto done;
	if ((rc = ar_buf_addch(out, '\n')) != 0) {
		rc = ar_fail(err, rc, "canonical request too large");
		goto done;
	}
	size_t n_names = 0;
	for (const char *p = signed_headers; *p && n_names <= MAX_SIGNED_HEADERS;) {
		size_t len = strcspn(p, ";");
		if (len == 0 || ++n_names > MAX_SIGNED_HEADERS) {
			rc = ar_fail(err, AR_EINVAL, "SignedHeaders must hold 1 to %d names", MAX_SIGNED_HEADERS);
			goto done;
		}
		char *name = ar_strndup(a, p, len);
		const char *value = header(cls, name);
		if (!value) {
			rc = ar_fail(err, AR_EAUTH, "signed header %s is missing from the request", name);
			goto done;
		}
		if ((rc = add_header_line(out, name, len, value, err)) != 0)
			goto done;
		p += len + (p[len] == ';');
	}
	if (n_names == 0) {
		rc = ar_fail(err, AR_EINVAL, "SignedHeaders is empty");
		goto done;
	}
	/* botocore takes the payload hash from x-amz-content-sha256 whenever it sends that header. */
	const char *content_sha = header(cls, "x-amz-content-sha256");
	const char *payload = content_sha ? content_sha : payload_sha256_hex ? payload_sha256_hex : EMPTY_SHA256;
	if (strnlen(payload, MAX_HEADER_VALUE + 1) > MAX_HEADER_VALUE) {
		rc = ar_fail(err, AR_ETOOBIG, "payload hash too long");
		goto done;
	}
	if ((rc = ar_buf_printf(out, "\n%s\n%s", signed_headers, payload)) != 0)
		rc = ar_fail(err, rc, "canonical request too large");
done:
	ar_arena_free(a);
	return rc;
}

int ar_sigv4_canonical_request(struct ar_buf *out, const struct ar_sigv4_request *req, const char *signed_headers,
			       struct ar_err *err)
{
	return build_canonical(out, req->method, req->path, req->raw_query, req->header, req->header_cls,
			       signed_headers, req->payload_sha256_hex, err);
}

/* hex(HMAC(kSigning, string_to_sign)) where kSigning derives from the secret and the scope; the
   string to sign is appended to sts_out when given. */
static void compute_signature(char out[65], const char *secret, const char *date, const char *region,
			      const char *service, const char *amz_date, const struct ar_buf *canonical,
			      struct ar_buf *sts_out)
{
	unsigned char creq_hash[32], k[32];
	char creq_hex[65];
	ar_sha256(creq_hash, canonical->ptr, canonical->len);
	ar_hex(creq_hex, creq_hash, 32);

	struct ar_buf sts, key;
	ar_buf_init(&sts, 0);
	ar_buf_init(&key, 0);
	/* Inputs were bounded by the callers, so these appends fit the 1 GiB default cap. */
	(void)ar_buf_printf(&sts, ALGORITHM "\n%s\n%s/%s/%s/aws4_request\n%s", amz_date, date, region, service,
			    creq_hex);
	(void)ar_buf_printf(&key, "AWS4%s", secret);
	ar_hmac_sha256(k, key.ptr, key.len, date, strlen(date));
	ar_hmac_sha256(k, k, 32, region, strlen(region));
	ar_hmac_sha256(k, k, 32, service, strlen(service));
	ar_hmac_sha256(k, k, 32, "aws4_request", 12);
	unsigned char sig[32];
	ar_hmac_sha256(sig, k, 32, sts.ptr, sts.len);
	ar_hex(out, sig, 32);
	if (sts_out)
		(void)ar_buf_add(sts_out, sts.ptr, sts.len);
	/* The derived key material is as sensitive as the secret itself. */
	memset(key.ptr, 0, key.len);
	memset(k, 0, sizeof k);
	ar_buf_release(&key);
	ar_buf_release(&sts);
}

static bool has_signed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ";");
		if (len == n && memcmp(p, name, n) == 0)
			return true;
		p += len + (p[len] == ';');
	}
	return false;
}

/* "15 min." like AWS when the window is whole minutes, else seconds. */
static void window_text(char out[32], unsigned skew_s)
{
	if (skew_s % 60 == 0)
		snprintf(out, 32, "%u min.", skew_s / 60);
	else
		snprintf(out, 32, "%u sec.", skew_s);
}

int ar_sigv4_verify(const struct ar_sigv4_request *req, const struct ar_sigv4_auth *auth, const char *secret,
		    time_t now, unsigned skew_s, enum ar_sigv4_fault *fault, struct ar_err *err)
{
	enum ar_sigv4_fault f = AR_SIGV4_MISMATCH;
	int rc = 0;
	struct ar_buf canonical;
	ar_buf_init(&canonical, MAX_CANONICAL_LEN);

	if (strcmp(auth->service, SERVICE) != 0) {
		rc = ar_fail(err, AR_EAUTH, "Credential should be scoped to correct service: '" SERVICE "'.");
		goto done;
	}
	if (!has_signed(auth->signed_headers, "host")) {
		f = AR_SIGV4_INCOMPLETE;
		rc = ar_fail(err, AR_EAUTH, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
		goto done;
	}
	const char *amz_date = req->header(req->header_cls, "x-amz-date");
	time_t t;
	if (!amz_date) {
		f = AR_SIGV4_INCOMPLETE;
		rc = ar_fail(err, AR_EAUTH,
			     "Authorization header requires existence of either a 'X-Amz-Date' or a "
			     "'Date' header.");
		goto done;
	}
	if (strnlen(amz_date, 17) != 16 || !ar_parse_amz_date(amz_date, &t)) {
		f = AR_SIGV4_INCOMPLETE;
		rc = ar_fail(err, AR_EAUTH, "X-Amz-Date must have the form YYYYMMDDTHHMMSSZ");
		goto done;
	}
	if (memcmp(auth->date, amz_date, 8) != 0 || auth->date[8] != '\0') {
		rc = ar_fail(
			err, AR_EAUTH,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
			"'%s' != '%.8s', from '%s'.",
			auth->date, amz_date, amz_date);
		goto done;
	}
	/* Unsigned differences taken only in the positive direction cannot overflow, whatever the clocks. */
	bool past = now > t && (uint64_t)now - (uint64_t)t > skew_s;
	bool future = t > now && (uint64_t)t - (uint64_t)now > skew_s;
	if (past || future) {
		char now_s[17], edge_s[17], win[32];
		f = AR_SIGV4_EXPIRED;
		window_text(win, skew_s);
		if (now < skew_s || now > MAX_SANE_TIME) {
			rc = ar_fail(err, AR_EAUTH, "Signature expired: %s is outside the allowed skew (%s)", amz_date,
				     win);
		} else if (past) {
			ar_amz_date(now_s, now);
			ar_amz_date(edge_s, now - (time_t)skew_s);
			rc = ar_fail(err, AR_EAUTH, "Signature expired: %s is now earlier than %s (%s - %s)", amz_date,
				     edge_s, now_s, win);
		} else {
			ar_amz_date(now_s, now);
			ar_amz_date(edge_s, now + (time_t)skew_s);
			rc = ar_fail(err, AR_EAUTH, "Signature expired: %s is now later than %s (%s + %s)", amz_date,
				     edge_s, now_s, win);
		}
		goto done;
	}
	if ((rc = ar_sigv4_canonical_request(&canonical, req, auth->signed_headers, err)) != 0) {
		/* A missing signed header, bad escape or oversize input can never verify. */
		rc = AR_EAUTH;
		if (err)
			err->code = AR_EAUTH;
		goto done;
	}
	char expected[65];
	compute_signature(expected, secret, auth->date, auth->region, auth->service, amz_date, &canonical, NULL);
	if (strnlen(auth->signature, 65) != 64 || !ar_ct_equal(expected, auth->signature, 64)) {
		rc = ar_fail(err, AR_EAUTH, MISMATCH_MESSAGE);
		goto done;
	}
	f = AR_SIGV4_OK;
done:
	ar_buf_release(&canonical);
	if (fault)
		*fault = rc ? f : AR_SIGV4_OK;
	return rc;
}

/* The client's headers, lowercased and sorted, looked up through the same callback the server uses. */
struct client_headers {
	struct ar_sigv4_header *h; /* name is lowercase arena memory */
	size_t n;
};

static const char *client_header(void *cls, const char *lname)
{
	struct client_headers *ch = cls;
	for (size_t i = 0; i < ch->n; i++)
		if (strcmp(ch->h[i].name, lname) == 0)
			return ch->h[i].value;
	return NULL;
}

static int cmp_header(const void *a, const void *b)
{
	return strcmp(((const struct ar_sigv4_header *)a)->name, ((const struct ar_sigv4_header *)b)->name);
}

int ar_sigv4_sign_debug(struct ar_buf *out, struct ar_buf *canonical_out, struct ar_buf *sts_out, const char *method,
			const char *path, const char *raw_query, const struct ar_sigv4_header *headers,
			size_t n_headers, const char *payload_sha256_hex, const char *access_key_id, const char *secret,
			const char *region, const char *service, struct ar_err *err)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_buf canonical, signed_headers;
	ar_buf_init(&canonical, MAX_CANONICAL_LEN);
	ar_buf_init(&signed_headers, 2047);
	int rc = 0;

	if (n_headers == 0 || n_headers > MAX_SIGNED_HEADERS) {
		rc = ar_fail(err, AR_EINVAL, "between 1 and %d headers must be signed", MAX_SIGNED_HEADERS);
		goto done;
	}
	struct client_headers ch = {ar_alloc_array(a, n_headers, sizeof *ch.h), n_headers};
	for (size_t i = 0; i < n_headers; i++) {
		char *name = ar_strdup(a, headers[i].name);
		for (char *c = name; *c; c++) {
			*c = (char)tolower((unsigned char)*c);
			if (!is_lower_tchar(*c)) {
				rc = ar_fail(err, AR_EINVAL, "invalid header name '%s'", headers[i].name);
				goto done;
			}
		}
		if (!*name || !headers[i].value) {
			rc = ar_fail(err, AR_EINVAL, "empty header name or missing value");
			goto done;
		}
		ch.h[i].name = name;
		ch.h[i].value = headers[i].value;
	}
	qsort(ch.h, n_headers, sizeof *ch.h, cmp_header);
	for (size_t i = 0; i < n_headers; i++) {
		if (i > 0 && strcmp(ch.h[i - 1].name, ch.h[i].name) == 0) {
			rc = ar_fail(err, AR_EINVAL, "header %s given twice", ch.h[i].name);
			goto done;
		}
		if ((rc = ar_buf_printf(&signed_headers, "%s%s", i ? ";" : "", ch.h[i].name)) != 0) {
			rc = ar_fail(err, rc, "header names too long to sign");
			goto done;
		}
	}
	const char *amz_date = client_header(&ch, "x-amz-date");
	time_t t;
	if (!client_header(&ch, "host") || !amz_date || !ar_parse_amz_date(amz_date, &t)) {
		rc = ar_fail(err, AR_EINVAL, "host and a valid x-amz-date header must be signed");
		goto done;
	}
	char date[9], sig[65];
	memcpy(date, amz_date, 8);
	date[8] = '\0';
	if (!region || !*region || !service || !*service || !access_key_id || !*access_key_id || !secret) {
		rc = ar_fail(err, AR_EINVAL, "region, service and credentials are required to sign");
		goto done;
	}
	if ((rc = build_canonical(&canonical, method, path, raw_query, client_header, &ch, signed_headers.ptr,
				  payload_sha256_hex, err)) != 0)
		goto done;
	compute_signature(sig, secret, date, region, service, amz_date, &canonical, sts_out);
	if (canonical_out)
		(void)ar_buf_add(canonical_out, canonical.ptr, canonical.len);
	if ((rc = ar_buf_printf(out, ALGORITHM " Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
				access_key_id, date, region, service, signed_headers.ptr, sig)) != 0)
		rc = ar_fail(err, rc, "Authorization header too large");
done:
	ar_buf_release(&canonical);
	ar_buf_release(&signed_headers);
	ar_arena_free(a);
	return rc;
}

int ar_sigv4_sign(struct ar_buf *out, const char *method, const char *path, const char *raw_query,
		  const struct ar_sigv4_header *headers, size_t n_headers, const char *payload_sha256_hex,
		  const char *access_key_id, const char *secret, const char *region, const char *service,
		  struct ar_err *err)
{
	return ar_sigv4_sign_debug(out, NULL, NULL, method, path, raw_query, headers, n_headers, payload_sha256_hex,
				   access_key_id, secret, region, service, err);
}
