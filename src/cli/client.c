/* cli/client.c - aws-style settings resolution and one signed libcurl request per call */
#include "cli/client.h"

#include "auth/sigv4.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "core/timeutil.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_INI_BYTES	  ((size_t)1 << 20)
#define MAX_RESPONSE_BODY ((size_t)64 << 20)
#define MAX_HEADER_VALUE  4096

/* ---- settings ---------------------------------------------------------------------------- */

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* A path from the environment with botocore's "~" expansion, or the default under $HOME. */
static char *aws_file(const char *env_name, const char *default_rel)
{
	const char *v = env(env_name), *home = env("HOME");
	struct ar_buf b;
	ar_buf_init(&b, 0);
	if (v && v[0] == '~' && (v[1] == '/' || v[1] == '\0') && home)
		(void)ar_buf_printf(&b, "%s%s", home, v + 1);
	else if (v)
		(void)ar_buf_adds(&b, v);
	else if (home)
		(void)ar_buf_printf(&b, "%s/%s", home, default_rel);
	else
		return NULL;
	return ar_buf_detach(&b, NULL);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* One section of an INI file the way botocore reads ~/.aws files. */
struct ini_section {
	bool found;
	char *keys[16];
	char *values[16];
	size_t n;
};

static void ini_release(struct ini_section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->keys[i]);
		/* Values may be secrets. */
		memset(s->values[i], 0, strlen(s->values[i]));
		free(s->values[i]);
	}
	memset(s, 0, sizeof *s);
}

static const char *ini_get(const struct ini_section *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->keys[i], key) == 0)
			return s->values[i];
	return NULL;
}

/* Reads the section for profile from path; a missing file is just an empty section. */
static void ini_read(struct ini_section *out, const char *path, const char *profile, bool is_config)
{
	memset(out, 0, sizeof *out);
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f)
		return;
	char line[4096];
	bool in_section = false;
	size_t total = 0;
	while (fgets(line, sizeof line, f) && total < MAX_INI_BYTES) {
		total += strlen(line);
		/* Indented lines continue a nested value (s3 = ...); nothing we read lives there. */
		if (line[0] == ' ' || line[0] == '\t')
			continue;
		char *s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close)
				continue;
			*close = '\0';
			char *name = trim(s + 1);
			/* In the config file profiles are "[profile NAME]"; of the bare names only [default] is
			   one (others are sso-session, services, ...). */
			if (is_config && strncmp(name, "profile", 7) == 0 && (name[7] == ' ' || name[7] == '\t'))
				name = trim(name + 8);
			else if (is_config && strcmp(name, "default") != 0)
				name = NULL;
			in_section = name && strcmp(name, profile) == 0;
			out->found |= in_section;
			continue;
		}
		char *eq = strchr(s, '=');
		if (!in_section || !eq || out->n == sizeof out->keys / sizeof out->keys[0])
			continue;
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		if (ini_get(out, key))
			continue;
		out->keys[out->n] = ar_xstrdup(key);
		out->values[out->n] = ar_xstrdup(value);
		out->n++;
	}
	memset(line, 0, sizeof line);
	fclose(f);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? ar_xstrdup(s) : NULL;
}

/* scheme://authority[/prefix] -> host header and path prefix; no userinfo, query or fragment. */
static int parse_endpoint(struct ar_client *c, const char *url, struct ar_err *err)
{
	bool https = strncasecmp(url, "https://", 8) == 0;
	if (!https && strncasecmp(url, "http://", 7) != 0)
		return ar_fail(err, AR_EINVAL, "Invalid endpoint: %s", url);
	const char *auth = url + (https ? 8 : 7);
	size_t alen = strcspn(auth, "/?#");
	const char *rest = auth + alen;
	if (alen == 0 || memchr(auth, '@', alen) || strchr(rest, '?') || strchr(rest, '#') ||
	    strspn(auth, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_") < alen)
		return ar_fail(err, AR_EINVAL, "Invalid endpoint: %s", url);
	size_t hlen = alen;
	const char *default_port = https ? ":443" : ":80";
	size_t dlen = strlen(default_port);
	if (hlen > dlen && memcmp(auth + hlen - dlen, default_port, dlen) == 0)
		hlen -= dlen;
	size_t plen = strlen(rest);
	while (plen > 0 && rest[plen - 1] == '/')
		plen--;
	c->host = ar_xstrndup(auth, hlen);
	c->path_prefix = ar_xstrndup(rest, plen);
	size_t elen = (size_t)(rest - url) + plen;
	c->endpoint = ar_xstrndup(url, elen);
	return 0;
}

int ar_client_init(struct ar_client *c, const struct ar_client_opts *opts, struct ar_err *err)
{
	memset(c, 0, sizeof *c);
	c->debug = opts->debug;
	c->debug_out = opts->debug_out ? opts->debug_out : stderr;
	const char *profile = opts->profile ? opts->profile : env("AWS_PROFILE");
	c->profile = ar_xstrdup(profile ? profile : "default");

	char *cred_path = aws_file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
	char *conf_path = aws_file("AWS_CONFIG_FILE", ".aws/config");
	struct ini_section creds, conf;
	ini_read(&creds, cred_path, c->profile, false);
	ini_read(&conf, conf_path, c->profile, true);
	free(cred_path);
	free(conf_path);
	int rc = 0;

	/* botocore drops the environment provider when --profile names a profile explicitly. */
	if (!opts->profile && env("AWS_ACCESS_KEY_ID") && env("AWS_SECRET_ACCESS_KEY")) {
		c->access_key_id = ar_xstrdup(env("AWS_ACCESS_KEY_ID"));
		c->secret_access_key = ar_xstrdup(env("AWS_SECRET_ACCESS_KEY"));
		c->session_token = dup_or_null(env("AWS_SESSION_TOKEN"));
	} else {
		const struct ini_section *from = ini_get(&creds, "aws_access_key_id") ? &creds : &conf;
		const char *akid = ini_get(from, "aws_access_key_id"), *secret = ini_get(from, "aws_secret_access_key");
		if (akid && *akid && secret && *secret) {
			c->access_key_id = ar_xstrdup(akid);
			c->secret_access_key = ar_xstrdup(secret);
			c->session_token = dup_or_null(ini_get(from, "aws_session_token"));
		}
	}
	if ((opts->profile || env("AWS_PROFILE")) && !creds.found && !conf.found) {
		rc = ar_fail(err, AR_ENOTFOUND, "The config profile (%s) could not be found", c->profile);
		goto done;
	}
	if (!c->access_key_id) {
		rc = ar_fail(
			err, AR_EAUTH,
			"Unable to locate credentials. You can configure credentials by running \"aws configure\".");
		goto done;
	}

	const char *region = opts->region && *opts->region ? opts->region : env("AWS_DEFAULT_REGION");
	if (!region)
		region = ini_get(&conf, "region");
	if (!region)
		region = ini_get(&creds, "region");
	if (!region || !*region) {
		rc = ar_fail(err, AR_EINVAL,
			     "You must specify a region. You can also configure your region by running \"aws "
			     "configure\".");
		goto done;
	}
	c->region = ar_xstrdup(region);

	const char *endpoint = opts->endpoint_url && *opts->endpoint_url ? opts->endpoint_url : NULL;
	if (!endpoint)
		endpoint = env("AWS_ENDPOINT_URL_CODEARTIFACT");
	if (!endpoint)
		endpoint = env("AWS_ENDPOINT_URL");
	rc = parse_endpoint(c, endpoint ? endpoint : AR_CLIENT_DEFAULT_ENDPOINT, err);
done:
	ini_release(&creds);
	ini_release(&conf);
	if (rc)
		ar_client_release(c);
	return rc;
}

void ar_client_release(struct ar_client *c)
{
	if (c->secret_access_key)
		memset(c->secret_access_key, 0, strlen(c->secret_access_key));
	if (c->session_token)
		memset(c->session_token, 0, strlen(c->session_token));
	free(c->access_key_id);
	free(c->secret_access_key);
	free(c->session_token);
	free(c->region);
	free(c->endpoint);
	free(c->host);
	free(c->path_prefix);
	free(c->profile);
	memset(c, 0, sizeof *c);
}

int ar_client_file_sha256(char out[65], const char *path, struct ar_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ar_fail(err, AR_ENOTFOUND, "cannot read %s: %s", path, strerror(errno));
	struct ar_hasher *h = ar_hasher_new();
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		ar_hasher_update(h, chunk, n);
	bool failed = ferror(f);
	fclose(f);
	struct ar_hashes hashes;
	ar_hasher_final(h, &hashes);
	if (failed)
		return ar_fail(err, AR_ERROR, "error reading %s", path);
	memcpy(out, hashes.sha256, 65);
	return 0;
}

/* ---- one call ---------------------------------------------------------------------------- */

struct call_state {
	CURL *curl;
	struct ar_arena *a;
	struct ar_client_response *resp;
	struct ar_buf body;
	const char *save_path;
	FILE *save;
	bool save_failed;
	FILE *upload;
};

static size_t on_write(char *data, size_t size, size_t nmemb, void *cls)
{
	struct call_state *st = cls;
	size_t n = size * nmemb;
	long status = 0;
	curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &status);
	/* Only a successful body goes to the file; an error body is read for its message. */
	if (st->save_path && status >= 200 && status < 300) {
		if (!st->save && !(st->save = fopen(st->save_path, "wb"))) {
			st->save_failed = true;
			return 0;
		}
		if (fwrite(data, 1, n, st->save) != n) {
			st->save_failed = true;
			return 0;
		}
		return n;
	}
	return ar_buf_add(&st->body, data, n) == 0 ? n : 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *cls)
{
	struct call_state *st = cls;
	size_t n = size * nmemb;
	const char *colon = memchr(data, ':', n);
	if (!colon)
		return n;
	size_t nlen = (size_t)(colon - data);
	const char *v = colon + 1, *end = data + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	if ((size_t)(end - v) > MAX_HEADER_VALUE)
		return n;
	static const struct {
		const char *name;
		size_t offset;
	} wanted[] = {
		{"x-amzn-ErrorType", offsetof(struct ar_client_response, error_type)},
		{"x-amzn-RequestId", offsetof(struct ar_client_response, request_id)},
		{"X-AssetName", offsetof(struct ar_client_response, asset_name)},
		{"X-PackageVersion", offsetof(struct ar_client_response, package_version)},
		{"X-PackageVersionRevision", offsetof(struct ar_client_response, package_version_revision)},
	};
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
		if (strlen(wanted[i].name) == nlen && strncasecmp(data, wanted[i].name, nlen) == 0)
			*(const char **)((char *)st->resp + wanted[i].offset) = ar_strndup(st->a, v, (size_t)(end - v));
	return n;
}

static size_t on_read(char *buf, size_t size, size_t nmemb, void *cls)
{
	struct call_state *st = cls;
	size_t n = fread(buf, 1, size * nmemb, st->upload);
	return n == 0 && ferror(st->upload) ? CURL_READFUNC_ABORT : n;
}

static struct curl_slist *add_header(struct curl_slist *list, struct ar_arena *a, const char *name, const char *value)
{
	struct curl_slist *l =
		curl_slist_append(list, value ? ar_printf(a, "%s: %s", name, value) : ar_printf(a, "%s:", name));
	if (!l) {
		fprintf(stderr, "arca: out of memory\n");
		abort();
	}
	return l;
}

int ar_client_call(struct ar_client_response *resp, struct ar_client *c, struct ar_arena *a,
		   const struct ar_client_request *req, struct ar_err *err)
{
	memset(resp, 0, sizeof *resp);
	struct call_state st = {.a = a, .resp = resp, .save_path = req->save_path};
	ar_buf_init(&st.body, MAX_RESPONSE_BODY);
	struct curl_slist *hdrs = NULL;
	struct ar_buf authz, creq, sts;
	ar_buf_init(&authz, 0);
	ar_buf_init(&creq, 0);
	ar_buf_init(&sts, 0);
	int rc = 0;
	const char *query = req->query ? req->query : "";
	char *path = ar_printf(a, "%s%s", c->path_prefix, req->path);
	char payload[65], content_sha[65], amz_date[17];
	curl_off_t upload_size = 0;

	if (req->body_path) {
		if (req->body_sha256) {
			snprintf(content_sha, sizeof content_sha, "%s", req->body_sha256);
		} else if ((rc = ar_client_file_sha256(content_sha, req->body_path, err)) != 0) {
			goto done;
		}
		struct stat sb;
		if (!(st.upload = fopen(req->body_path, "rb")) || fstat(fileno(st.upload), &sb) != 0) {
			rc = ar_fail(err, AR_ENOTFOUND, "cannot read %s: %s", req->body_path, strerror(errno));
			goto done;
		}
		upload_size = (curl_off_t)sb.st_size;
	}
	{
		unsigned char h[32];
		const char *body = req->json_body ? req->json_body : "";
		ar_sha256(h, body, strlen(body));
		ar_hex(payload, h, 32);
	}
	ar_amz_date(amz_date, time(NULL));

	/* Exactly the headers botocore signs for each body kind (ref §1.2). */
	struct ar_sigv4_header sign[5];
	size_t n_sign = 0;
	if (req->json_body)
		sign[n_sign++] = (struct ar_sigv4_header){"Content-Type", "application/json"};
	sign[n_sign++] = (struct ar_sigv4_header){"Host", c->host};
	if (req->body_path)
		sign[n_sign++] = (struct ar_sigv4_header){"x-amz-content-sha256", content_sha};
	sign[n_sign++] = (struct ar_sigv4_header){"X-Amz-Date", amz_date};
	if (c->session_token)
		sign[n_sign++] = (struct ar_sigv4_header){"X-Amz-Security-Token", c->session_token};
	if ((rc = ar_sigv4_sign_debug(&authz, c->debug ? &creq : NULL, c->debug ? &sts : NULL, req->method, path, query,
				      sign, n_sign, payload, c->access_key_id, c->secret_access_key, c->region,
				      "codeartifact", err)) != 0)
		goto done;
	if (c->debug)
		fprintf(c->debug_out, "DEBUG - CanonicalRequest:\n%s\nDEBUG - StringToSign:\n%s\n", creq.ptr, sts.ptr);

	for (size_t i = 0; i < n_sign; i++)
		hdrs = add_header(hdrs, a, sign[i].name, sign[i].value);
	hdrs = add_header(hdrs, a, "Authorization", authz.ptr);
	/* curl would otherwise add a form Content-Type to POSTs, Accept, and Expect: 100-continue. */
	if (!req->json_body)
		hdrs = add_header(hdrs, a, "Content-Type", NULL);
	hdrs = add_header(hdrs, a, "Accept", NULL);
	hdrs = add_header(hdrs, a, "Expect", NULL);

	if (!(st.curl = curl_easy_init())) {
		rc = ar_fail(err, AR_ERROR, "cannot initialise libcurl");
		goto done;
	}
	char *url = ar_printf(a, "%s%s%s%s", c->endpoint, req->path, *query ? "?" : "", query);
	if (c->debug)
		fprintf(c->debug_out, "DEBUG - %s %s\n", req->method, url);
	CURL *h = st.curl;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "arca-cli/1");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &st);
	if (req->body_path) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &st);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, upload_size);
	} else if (req->json_body || strcmp(req->method, "GET") != 0) {
		/* Without members, POST, PUT and DELETE still say Content-Length: 0, as botocore does. */
		const char *body = req->json_body ? req->json_body : "";
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	if (strcmp(req->method, "GET") == 0 && !req->json_body)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else if (strcmp(req->method, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);

	CURLcode cc = curl_easy_perform(h);
	if (st.save_failed) {
		rc = ar_fail(err, AR_ERROR, "cannot write %s", req->save_path);
		goto done;
	}
	if (cc == CURLE_WRITE_ERROR) {
		rc = ar_fail(err, AR_ETOOBIG, "response body larger than %zu bytes", MAX_RESPONSE_BODY);
		goto done;
	}
	if (cc != CURLE_OK) {
		rc = ar_fail(err, AR_EUNAVAIL, "Could not connect to the endpoint URL: \"%s\" (%s)", url,
			     curl_easy_strerror(cc));
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (req->save_path && resp->status >= 200 && resp->status < 300 && !st.save &&
	    !(st.save = fopen(req->save_path, "wb"))) {
		rc = ar_fail(err, AR_ERROR, "cannot write %s: %s", req->save_path, strerror(errno));
		goto done;
	}
	resp->body = ar_memdup(a, st.body.ptr, st.body.len + 1);
	resp->body_len = st.body.len;
	if (c->debug)
		fprintf(c->debug_out, "DEBUG - response status %ld, %zu body bytes\n", resp->status, resp->body_len);
done:
	if (st.save && fclose(st.save) != 0 && rc == 0)
		rc = ar_fail(err, AR_ERROR, "cannot write %s", req->save_path);
	if (st.upload)
		fclose(st.upload);
	if (st.curl)
		curl_easy_cleanup(st.curl);
	curl_slist_free_all(hdrs);
	ar_buf_release(&st.body);
	ar_buf_release(&authz);
	ar_buf_release(&creq);
	ar_buf_release(&sts);
	return rc;
}
