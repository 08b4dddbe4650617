/* tests/unit/http/test_server.c - the HTTP server driven by libcurl and raw sockets on 127.0.0.1 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/http.h"

#define WAIT_MS	  10000 /* bound on every wait; a healthy run needs milliseconds */
#define FILE_SIZE (8u << 20)

/* --- state shared between handlers (server threads) and tests --- */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int resolved;	     /* requests that reached the resolver */
	int completed;	     /* of those, requests whose arena was freed */
	int small_calls;     /* /small handler runs */
	int auth_prechecks;  /* /auth precheck runs */
	int auth_calls;	     /* /auth handler runs */
	int spool_prechecks; /* /spool precheck runs (the body is about to be read) */
	int blocked;	     /* /block handlers currently waiting */
	bool is_released;    /* lets /block handlers return */
	int streams_freed;   /* /stream producers released */
} S = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static char spool_dir[64];
static char file_path[128];
static unsigned char *file_bytes;
static struct ar_http *server;
static uint16_t port;

static void bump(int *counter)
{
	pthread_mutex_lock(&S.mu);
	(*counter)++;
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
}

static int get(const int *counter)
{
	pthread_mutex_lock(&S.mu);
	int v = *counter;
	pthread_mutex_unlock(&S.mu);
	return v;
}

/* Waits until *counter >= want or WAIT_MS pass; returns the last value seen. */
static int wait_for(const int *counter, int want)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&S.mu);
	while (*counter < want && pthread_cond_timedwait(&S.cv, &S.mu, &deadline) == 0)
		;
	int v = *counter;
	pthread_mutex_unlock(&S.mu);
	return v;
}

/* Waits until every request that reached the resolver has been released; false after WAIT_MS. */
static bool wait_idle(void)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&S.mu);
	while (S.completed < S.resolved && pthread_cond_timedwait(&S.cv, &S.mu, &deadline) == 0)
		;
	bool idle = S.completed == S.resolved;
	pthread_mutex_unlock(&S.mu);
	return idle;
}

static void release_blocked(bool released)
{
	pthread_mutex_lock(&S.mu);
	S.is_released = released;
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
}

/* --- handlers --- */

static int h_hello(struct ar_req *req)
{
	ar_resp_data(req, 200, "text/plain", "hello\n", 6);
	return 0;
}

static int h_echo(struct ar_req *req)
{
	ar_resp_header(req, "X-Path", req->path);
	ar_resp_header(req, "X-Query", req->raw_query);
	ar_resp_header(req, "X-Method", req->method);
	ar_resp_header(req, "X-Is-Head", req->is_head ? "1" : "0");
	ar_resp_text(req, 200, "path=%s query=%s\n", req->path, req->raw_query);
	return 0;
}

static int h_json(struct ar_req *req)
{
	struct ar_err err;
	json_t *in;
	if (ar_json_parse_object(&in, req->arena, req->body.data, req->body.len, &err) != 0) {
		ar_resp_text(req, 400, "%s\n", err.msg);
		return 0;
	}
	char hex[65];
	ar_hex(hex, req->body.sha256, 32);
	json_t *out = ar_json_own(req->arena, json_object());
	ar_json_set_str(out, "name", ar_json_str(in, "name"));
	ar_json_set_str(out, "sha256", hex);
	json_object_set_new(out, "len", json_integer((json_int_t)req->body.len));
	json_object_set_new(out, "chunked", json_boolean(req->body.is_chunked));
	json_object_set_new(out, "nul", json_boolean(req->body.data[req->body.len] == '\0'));
	ar_resp_json(req, 200, out);
	return 0;
}

static int h_small(struct ar_req *req)
{
	bump(&S.small_calls);
	ar_resp_data(req, 200, "text/plain", req->body.data, req->body.len);
	return 0;
}

static int pre_auth(struct ar_req *req)
{
	bump(&S.auth_prechecks);
	const char *auth = ar_req_header(req, "authorization");
	if (!auth || strcmp(auth, "Bearer good") != 0) {
		ar_resp_header(req, "WWW-Authenticate", "Basic realm=\"arca\"");
		ar_resp_text(req, 401, "unauthorized\n");
	}
	return 0;
}

static int h_auth(struct ar_req *req)
{
	bump(&S.auth_calls);
	ar_resp_text(req, 200, "got %llu bytes\n", (unsigned long long)req->body.len);
	return 0;
}

static int pre_spool(struct ar_req *req)
{
	bump(&S.spool_prechecks);
	return 0;
}

/* Answers with what the handler sees of a spooled body, including a re-hash of the fd. */
static int spool_report(struct ar_req *req, bool detach)
{
	const struct ar_body *b = &req->body;
	struct ar_hasher *h = ar_hasher_new();
	char buf[65536];
	ssize_t n;
	while ((n = read(b->fd, buf, sizeof buf)) > 0)
		ar_hasher_update(h, buf, (size_t)n);
	struct ar_hashes fd_hashes;
	ar_hasher_final(h, &fd_hashes);
	bool is_readonly = write(b->fd, "x", 1) < 0;
	char hex[65];
	ar_hex(hex, b->sha256, 32);
	json_t *out = ar_json_own(req->arena, json_object());
	ar_json_set_str(out, "md5", b->hashes.md5);
	ar_json_set_str(out, "sha1", b->hashes.sha1);
	ar_json_set_str(out, "sha256", b->hashes.sha256);
	ar_json_set_str(out, "sha512", b->hashes.sha512);
	ar_json_set_str(out, "body_sha256", hex);
	ar_json_set_str(out, "fd_sha256", fd_hashes.sha256);
	json_object_set_new(out, "size", json_integer((json_int_t)b->hashes.size));
	json_object_set_new(out, "len", json_integer((json_int_t)b->len));
	json_object_set_new(out, "readonly", json_boolean(is_readonly));
	json_object_set_new(out, "data_null", json_boolean(b->data == NULL));
	ar_json_set_str(out, "path", detach ? ar_body_detach(req) : b->path);
	ar_resp_json(req, 200, out);
	return 0;
}

static int h_spool(struct ar_req *req)
{
	return spool_report(req, false);
}

static int h_spool_keep(struct ar_req *req)
{
	return spool_report(req, true);
}

static int h_file(struct ar_req *req)
{
	int fd = open(file_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ar_resp_text(req, 500, "open failed\n");
		return -1;
	}
	ar_resp_file(req, 200, "application/octet-stream", fd, 0, FILE_SIZE);
	return 0;
}

static int h_file_part(struct ar_req *req)
{
	int fd = open(file_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ar_resp_text(req, 500, "open failed\n");
		return -1;
	}
	ar_resp_file(req, 206, "application/octet-stream", fd, 1000, 5000);
	return 0;
}

static int h_etag(struct ar_req *req)
{
	if (ar_resp_not_modified(req, "v1-abc"))
		return 0;
	ar_resp_text(req, 200, "fresh\n");
	return 0;
}

static int h_block(struct ar_req *req)
{
	pthread_mutex_lock(&S.mu);
	S.blocked++;
	pthread_cond_broadcast(&S.cv);
	while (!S.is_released)
		pthread_cond_wait(&S.cv, &S.mu);
	S.blocked--;
	pthread_mutex_unlock(&S.mu);
	ar_resp_text(req, 200, "released\n");
	return 0;
}

static int h_noresp(struct ar_req *req)
{
	return 0;
}

struct digits {
	uint64_t left;
};

static long digits_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct digits *d = cls;
	size_t n = d->left < max ? (size_t)d->left : max;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)('0' + (pos + i) % 10);
	d->left -= n;
	return (long)n;
}

static void digits_free(void *cls)
{
	free(cls);
	bump(&S.streams_freed);
}

static int h_stream(struct ar_req *req)
{
	struct digits *d = malloc(sizeof *d);
	d->left = 100000;
	ar_resp_stream(req, 200, "text/plain", UINT64_MAX, digits_read, d, digits_free);
	return 0;
}

/* --- routing: the table a real application would keep --- */

struct test_route {
	const char *path;
	bool is_prefix;
	struct ar_route route;
};

static const struct test_route routes[] = {
	{"/hello", false, {.handler = h_hello}},
	{"/echo/", true, {.handler = h_echo}},
	{"/json", false, {.handler = h_json, .max_body = 1024}},
	{"/small", false, {.handler = h_small, .max_body = 16}},
	{"/auth", false, {.handler = h_auth, .precheck = pre_auth, .max_body = 4 << 20}},
	{"/spool",
	 false,
	 {.handler = h_spool, .precheck = pre_spool, .max_body = 32 << 20, .body_mode = AR_BODY_SPOOL}},
	{"/spool-keep", false, {.handler = h_spool_keep, .max_body = 1 << 20, .body_mode = AR_BODY_SPOOL}},
	{"/file", false, {.handler = h_file}},
	{"/file-part", false, {.handler = h_file_part}},
	{"/etag", false, {.handler = h_etag}},
	{"/block", false, {.handler = h_block}},
	{"/noresp", false, {.handler = h_noresp}},
	{"/stream", false, {.handler = h_stream}},
};

static void count_completed(void *arg)
{
	bump(&S.completed);
}

static int resolve(struct ar_req *req, struct ar_route *route)
{
	/* Registered before any body resource, so it runs after they are released (LIFO). */
	bump(&S.resolved);
	ar_arena_defer(req->arena, count_completed, NULL);
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct test_route *r = &routes[i];
		size_t n = strlen(r->path);
		if (r->is_prefix ? strncmp(req->path, r->path, n) == 0 : strcmp(req->path, r->path) == 0) {
			*route = r->route;
			return 0;
		}
	}
	ar_resp_text(req, 404, "no route for %s\n", req->path);
	return 1;
}

static int start_server(struct ar_http **out, uint16_t *out_port)
{
	struct ar_http_opts opts = {
		.addr = "127.0.0.1",
		.spool_dir = spool_dir,
		.max_connections = 64,
		.timeout_s = 30,
		.access_log = true,
		.resolve = resolve,
	};
	struct ar_err err = {0};
	int rc = ar_http_start(out, &opts, &err);
	if (rc != 0) {
		fprintf(stderr, "ar_http_start: %s\n", err.msg);
		return rc;
	}
	*out_port = ar_http_port(*out);
	return 0;
}

/* --- libcurl client --- */

struct reply {
	long status;
	struct ar_buf body, headers;
	long n_connects;
	curl_off_t uploaded;
	CURLcode rc;
};

static size_t on_write(char *p, size_t size, size_t n, void *cls)
{
	ar_buf_add(cls, p, size * n);
	return size * n;
}

static void reply_release(struct reply *r)
{
	ar_buf_release(&r->body);
	ar_buf_release(&r->headers);
}

/* The value of the last header called name (so a final response wins over "100 Continue"), or NULL. */
static const char *header(struct reply *r, const char *name, char *out, size_t cap)
{
	const char *found = NULL;
	size_t n = strlen(name);
	for (const char *line = r->headers.ptr; *line;) {
		const char *end = strstr(line, "\r\n");
		if (!end)
			break;
		if ((size_t)(end - line) > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ')
				v++;
			size_t len = (size_t)(end - v);
			if (len >= cap)
				len = cap - 1;
			memcpy(out, v, len);
			out[len] = '\0';
			found = out;
		}
		line = end + 2;
	}
	return found;
}

static CURL *easy_new(struct reply *r)
{
	memset(r, 0, sizeof *r);
	ar_buf_init(&r->body, 64u << 20);
	ar_buf_init(&r->headers, 1u << 20);
	CURL *e = curl_easy_init();
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)WAIT_MS);
	curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &r->headers);
	return e;
}

static void easy_perform(CURL *e, struct reply *r, uint16_t on_port, const char *path)
{
	char url[512];
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)on_port, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	ar_buf_reset(&r->body);
	ar_buf_reset(&r->headers);
	r->rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &r->n_connects);
	curl_easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &r->uploaded);
}

/* One request on a fresh handle; body may be NULL; hdrs is NULL-terminated or NULL. */
static long fetch(struct reply *r, const char *method, const char *path, const char *body, size_t body_len,
		  const char *const *hdrs)
{
	CURL *e = easy_new(r);
	struct curl_slist *list = NULL;
	for (size_t i = 0; hdrs && hdrs[i]; i++)
		list = curl_slist_append(list, hdrs[i]);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	easy_perform(e, r, port, path);
	curl_slist_free_all(list);
	curl_easy_cleanup(e);
	return r->status;
}

/* A chunked upload: curl uses Transfer-Encoding: chunked when the size is unknown. */
struct upload {
	const char *data;
	size_t len, pos, piece;
};

static size_t on_read(char *buf, size_t size, size_t n, void *cls)
{
	struct upload *u = cls;
	size_t want = size * n < u->piece ? size * n : u->piece;
	if (want > u->len - u->pos)
		want = u->len - u->pos;
	memcpy(buf, u->data + u->pos, want);
	u->pos += want;
	return want;
}

static long fetch_chunked(struct reply *r, const char *path, const char *data, size_t len)
{
	CURL *e = easy_new(r);
	struct upload u = {.data = data, .len = len, .piece = 7};
	struct curl_slist *list = curl_slist_append(NULL, "Transfer-Encoding: chunked");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, &u);
	easy_perform(e, r, port, path);
	curl_slist_free_all(list);
	curl_easy_cleanup(e);
	return r->status;
}

static json_t *reply_json(struct reply *r)
{
	json_error_t jerr;
	json_t *j = json_loadb(r->body.ptr, r->body.len, 0, &jerr);
	if (!j)
		fail_msg("not JSON: %s", r->body.ptr);
	return j;
}

/* --- raw sockets, for what curl will not do: stall mid-body, watch for "100 Continue" --- */

static int raw_connect(uint16_t on_port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(on_port)};
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void raw_send(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
		assert_true(n > 0);
		s += n;
		len -= (size_t)n;
	}
}

/* Reads into buf until needle appears (NULL: until EOF), EOF, or WAIT_MS; returns bytes read. */
static size_t raw_read(int fd, char *buf, size_t cap, const char *needle)
{
	size_t len = 0;
	int64_t deadline = ar_mono_ms() + WAIT_MS;
	buf[0] = '\0';
	while (len + 1 < cap) {
		int64_t left = deadline - ar_mono_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (needle && strstr(buf, needle))
			break;
	}
	return len;
}

/* --- fixtures --- */

static int group_setup(void **state)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(spool_dir, sizeof spool_dir, "/tmp/arca-http-test-XXXXXX");
	if (!mkdtemp(spool_dir))
		return -1;
	snprintf(file_path, sizeof file_path, "%s/served.bin", spool_dir);
	file_bytes = malloc(FILE_SIZE);
	uint32_t x = 2463534242u; /* xorshift: varied bytes, reproducible */
	for (size_t i = 0; i < FILE_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		file_bytes[i] = (unsigned char)x;
	}
	FILE *f = fopen(file_path, "wb");
	if (!f || fwrite(file_bytes, 1, FILE_SIZE, f) != FILE_SIZE || fclose(f) != 0)
		return -1;
	return start_server(&server, &port);
}

static int group_teardown(void **state)
{
	ar_http_stop(server);
	unlink(file_path);
	/* Anything else left in the spool dir is a leaked temp file. */
	DIR *d = opendir(spool_dir);
	int leaked = 0;
	for (struct dirent *de; d && (de = readdir(d));) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			fprintf(stderr, "leaked spool file %s\n", de->d_name);
			leaked++;
		}
	}
	if (d)
		closedir(d);
	rmdir(spool_dir);
	free(file_bytes);
	curl_global_cleanup();
	return leaked ? -1 : 0;
}

/* --- tests --- */

static void test_get_raw_query_and_encoded_path(void **state)
{
	struct reply r;
	char v[256];
	assert_int_equal(fetch(&r, "GET", "/echo/a%2Fb?x=%20y&z", NULL, 0, NULL), 200);
	assert_string_equal(header(&r, "X-Path", v, sizeof v), "/echo/a%2Fb");
	assert_string_equal(header(&r, "X-Query", v, sizeof v), "x=%20y&z");
	assert_string_equal(header(&r, "X-Method", v, sizeof v), "GET");
	assert_string_equal(header(&r, "X-Is-Head", v, sizeof v), "0");
	assert_string_equal(r.body.ptr, "path=/echo/a%2Fb query=x=%20y&z\n");
	reply_release(&r);

	assert_int_equal(fetch(&r, "GET", "/echo/plain", NULL, 0, NULL), 200);
	assert_null(header(&r, "X-Query", v, sizeof v)); /* empty header values are dropped */
	assert_string_equal(r.body.ptr, "path=/echo/plain query=\n");
	reply_release(&r);
}

static void test_head_has_headers_no_body(void **state)
{
	struct reply r;
	char v[256];
	assert_int_equal(fetch(&r, "GET", "/echo/h?q=1", NULL, 0, NULL), 200);
	size_t get_len = r.body.len;
	reply_release(&r);

	assert_int_equal(fetch(&r, "HEAD", "/echo/h?q=1", NULL, 0, NULL), 200);
	assert_int_equal(r.rc, CURLE_OK);
	assert_string_equal(header(&r, "X-Method", v, sizeof v), "GET");
	assert_string_equal(header(&r, "X-Is-Head", v, sizeof v), "1");
	assert_non_null(header(&r, "Content-Length", v, sizeof v));
	assert_int_equal(strtoul(v, NULL, 10), get_len);
	assert_int_equal(r.body.len, 0);
	reply_release(&r);

	/* A file response on HEAD: the size, no bytes. */
	assert_int_equal(fetch(&r, "HEAD", "/file", NULL, 0, NULL), 200);
	assert_non_null(header(&r, "Content-Length", v, sizeof v));
	assert_int_equal(strtoul(v, NULL, 10), FILE_SIZE);
	assert_int_equal(r.body.len, 0);
	reply_release(&r);
}

static void test_post_json_memory(void **state)
{
	static const char body[] = "{\"name\":\"arca\",\"n\":1}";
	struct reply r;
	assert_int_equal(fetch(&r, "POST", "/json", body, strlen(body), NULL), 200);
	json_t *j = reply_json(&r);
	unsigned char sum[32];
	char hex[65];
	ar_sha256(sum, body, strlen(body));
	ar_hex(hex, sum, 32);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "arca");
	assert_string_equal(json_string_value(json_object_get(j, "sha256")), hex);
	assert_int_equal(json_integer_value(json_object_get(j, "len")), strlen(body));
	assert_true(json_is_false(json_object_get(j, "chunked")));
	assert_true(json_is_true(json_object_get(j, "nul")));
	json_decref(j);
	reply_release(&r);
}

/* gzip-compresses len bytes into out (cap bytes); returns the compressed size. */
static size_t gzip(unsigned char *out, size_t cap, const void *in, size_t len)
{
	z_stream z = {.next_in = (Bytef *)in, .avail_in = (uInt)len, .next_out = out, .avail_out = (uInt)cap};
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

static void test_gzip_memory_body(void **state)
{
	static const char body[] = "{\"name\":\"zipped\",\"pad\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}";
	unsigned char z[4096];
	size_t zlen = gzip(z, sizeof z, body, strlen(body));
	const char *gz[] = {"Content-Encoding: gzip", "Content-Type: application/json", NULL};
	struct reply r;
	assert_int_equal(fetch(&r, "POST", "/json", (const char *)z, zlen, gz), 200);
	json_t *j = reply_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "zipped");
	assert_int_equal(json_integer_value(json_object_get(j, "len")), strlen(body));
	assert_true(json_is_true(json_object_get(j, "nul")));
	/* The digest is of the bytes on the wire (what a SigV4 payload hash covers). */
	unsigned char sum[32];
	char hex[65];
	ar_sha256(sum, z, zlen);
	ar_hex(hex, sum, 32);
	assert_string_equal(json_string_value(json_object_get(j, "sha256")), hex);
	json_decref(j);
	reply_release(&r);

	/* Inflating past the cap (1024) is refused, however small the compressed body. */
	char zeros[5000] = {0};
	zlen = gzip(z, sizeof z, zeros, sizeof zeros);
	assert_true(zlen < 1024);
	assert_int_equal(fetch(&r, "POST", "/json", (const char *)z, zlen, gz), 413);
	reply_release(&r);

	/* Corrupt or truncated gzip is a client error. */
	zlen = gzip(z, sizeof z, body, strlen(body));
	assert_int_equal(fetch(&r, "POST", "/json", (const char *)z, zlen - 5, gz), 400);
	reply_release(&r);
	assert_int_equal(fetch(&r, "POST", "/json", "not gzip", 8, gz), 400);
	reply_release(&r);

	/* An encoding the server cannot decode is refused before the body is read. */
	const char *br[] = {"Content-Encoding: br", NULL};
	assert_int_equal(fetch(&r, "POST", "/json", body, strlen(body), br), 415);
	reply_release(&r);
}

static void test_413_on_content_length_without_reading(void **state)
{
	char body[100];
	memset(body, 'b', sizeof body);
	int before = get(&S.small_calls);
	struct reply r;
	assert_int_equal(fetch(&r, "POST", "/small", body, sizeof body, NULL), 413);
	reply_release(&r);
	/* At the cap exactly, it is accepted. */
	assert_int_equal(fetch(&r, "POST", "/small", body, 16, NULL), 200);
	assert_int_equal(r.body.len, 16);
	reply_release(&r);
	assert_int_equal(get(&S.small_calls), before + 1);

	/* Over the cap with Expect: the 413 comes instead of "100 Continue", the body is never asked for. */
	int fd = raw_connect(port);
	assert_true(fd >= 0);
	static const char req[] = "PUT /small HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n"
				  "Expect: 100-continue\r\n\r\n";
	raw_send(fd, req, strlen(req));
	char buf[4096];
	raw_read(fd, buf, sizeof buf, NULL); /* until the server closes */
	close(fd);
	assert_true(strncmp(buf, "HTTP/1.1 413", 12) == 0);
	assert_null(strstr(buf, "100 Continue"));
	assert_int_equal(get(&S.small_calls), before + 1);
}

static void test_chunked_bodies(void **state)
{
	static const char body[] = "{\"name\":\"chunky\"}";
	struct reply r;
	assert_int_equal(fetch_chunked(&r, "/json", body, strlen(body)), 200);
	json_t *j = reply_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "chunky");
	assert_int_equal(json_integer_value(json_object_get(j, "len")), strlen(body));
	assert_true(json_is_true(json_object_get(j, "chunked")));
	json_decref(j);
	reply_release(&r);

	/* Over the cap: nothing announced the size, so the running total trips the 413. */
	char big[100];
	memset(big, 'c', sizeof big);
	int before = get(&S.small_calls);
	assert_int_equal(fetch_chunked(&r, "/small", big, sizeof big), 413);
	reply_release(&r);
	assert_int_equal(fetch_chunked(&r, "/small", big, 16), 200);
	assert_int_equal(r.body.len, 16);
	reply_release(&r);
	assert_int_equal(get(&S.small_calls), before + 1);
}

static void test_expect_continue_precheck(void **state)
{
	int prechecks = get(&S.auth_prechecks), calls = get(&S.auth_calls);
	char buf[4096];

	/* Rejected by the precheck: 401 without "100 Continue"; the body never has to be sent. */
	int fd = raw_connect(port);
	assert_true(fd >= 0);
	static const char denied[] = "PUT /auth HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n"
				     "Expect: 100-continue\r\n\r\n";
	raw_send(fd, denied, strlen(denied));
	raw_read(fd, buf, sizeof buf, NULL);
	close(fd);
	assert_true(strncmp(buf, "HTTP/1.1 401", 12) == 0);
	assert_null(strstr(buf, "100 Continue"));
	assert_non_null(strcasestr(buf, "WWW-Authenticate: Basic realm=\"arca\""));
	assert_int_equal(get(&S.auth_prechecks), prechecks + 1);
	assert_int_equal(get(&S.auth_calls), calls);

	/* Accepted: "100 Continue" first, then the body is read and the handler runs. */
	fd = raw_connect(port);
	assert_true(fd >= 0);
	static const char allowed[] = "PUT /auth HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\n"
				      "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n";
	raw_send(fd, allowed, strlen(allowed));
	raw_read(fd, buf, sizeof buf, "\r\n\r\n");
	assert_true(strncmp(buf, "HTTP/1.1 100 Continue\r\n", 23) == 0);
	raw_send(fd, "hello", 5);
	raw_read(fd, buf, sizeof buf, "bytes\n");
	close(fd);
	assert_true(strncmp(buf, "HTTP/1.1 200", 12) == 0);
	assert_non_null(strstr(buf, "got 5 bytes\n"));
	assert_int_equal(get(&S.auth_calls), calls + 1);

	/* The same through curl with a 2 MiB body: 401, and curl reports nothing uploaded. */
	size_t len = 2u << 20;
	char *body = malloc(len);
	memset(body, 'u', len);
	struct reply r;
	const char *hdrs[] = {"Expect: 100-continue", NULL};
	assert_int_equal(fetch(&r, "PUT", "/auth", body, len, hdrs), 401);
	assert_int_equal(r.uploaded, 0);
	reply_release(&r);
	free(body);
	assert_int_equal(get(&S.auth_calls), calls + 1);
}

static void expected_hashes(struct ar_hashes *out, const void *data, size_t len)
{
	struct ar_hasher *h = ar_hasher_new();
	ar_hasher_update(h, data, len);
	ar_hasher_final(h, out);
}

static void test_spooled_body(void **state)
{
	size_t len = (3u << 20) + 7;
	const char *body = (const char *)file_bytes;
	struct ar_hashes want;
	expected_hashes(&want, body, len);
	struct reply r;
	assert_int_equal(fetch(&r, "PUT", "/spool", body, len, NULL), 200);
	json_t *j = reply_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "md5")), want.md5);
	assert_string_equal(json_string_value(json_object_get(j, "sha1")), want.sha1);
	assert_string_equal(json_string_value(json_object_get(j, "sha256")), want.sha256);
	assert_string_equal(json_string_value(json_object_get(j, "sha512")), want.sha512);
	assert_string_equal(json_string_value(json_object_get(j, "body_sha256")), want.sha256);
	assert_string_equal(json_string_value(json_object_get(j, "fd_sha256")), want.sha256);
	assert_int_equal(json_integer_value(json_object_get(j, "size")), len);
	assert_int_equal(json_integer_value(json_object_get(j, "len")), len);
	assert_true(json_is_true(json_object_get(j, "readonly")));
	assert_true(json_is_true(json_object_get(j, "data_null")));
	const char *path = json_string_value(json_object_get(j, "path"));
	assert_non_null(path);
	assert_true(strncmp(path, spool_dir, strlen(spool_dir)) == 0);
	/* Once the request is over, the temp file is gone. */
	assert_true(wait_idle());
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	json_decref(j);
	reply_release(&r);

	/* Detached: the file outlives the request with the exact bytes. */
	assert_int_equal(fetch(&r, "PUT", "/spool-keep", body, 1000, NULL), 200);
	j = reply_json(&r);
	path = json_string_value(json_object_get(j, "path"));
	assert_non_null(path);
	assert_true(wait_idle());
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 1000);
	char back[1000];
	int fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, back, sizeof back), 1000);
	close(fd);
	assert_memory_equal(back, body, 1000);
	unlink(path);
	json_decref(j);
	reply_release(&r);

	/* An empty spooled body still gets digests and an fd. */
	assert_int_equal(fetch(&r, "PUT", "/spool", "", 0, NULL), 200);
	j = reply_json(&r);
	expected_hashes(&want, "", 0);
	assert_string_equal(json_string_value(json_object_get(j, "sha256")), want.sha256);
	assert_string_equal(json_string_value(json_object_get(j, "fd_sha256")), want.sha256);
	json_decref(j);
	reply_release(&r);
}

static void test_file_exact_bytes(void **state)
{
	struct reply r;
	char v[64];
	assert_int_equal(fetch(&r, "GET", "/file", NULL, 0, NULL), 200);
	assert_int_equal(r.rc, CURLE_OK);
	assert_int_equal(r.body.len, FILE_SIZE);
	assert_memory_equal(r.body.ptr, file_bytes, FILE_SIZE);
	assert_string_equal(header(&r, "Content-Type", v, sizeof v), "application/octet-stream");
	reply_release(&r);

	assert_int_equal(fetch(&r, "GET", "/file-part", NULL, 0, NULL), 206);
	assert_int_equal(r.body.len, 5000);
	assert_memory_equal(r.body.ptr, file_bytes + 1000, 5000);
	reply_release(&r);
}

static void test_stream_chunked(void **state)
{
	int freed = get(&S.streams_freed);
	struct reply r;
	char v[64];
	assert_int_equal(fetch(&r, "GET", "/stream", NULL, 0, NULL), 200);
	assert_int_equal(r.body.len, 100000);
	assert_string_equal(header(&r, "Transfer-Encoding", v, sizeof v), "chunked");
	for (size_t i = 0; i < r.body.len; i++)
		if (r.body.ptr[i] != (char)('0' + i % 10))
			fail_msg("byte %zu is %c", i, r.body.ptr[i]);
	reply_release(&r);
	assert_true(wait_for(&S.streams_freed, freed + 1) >= freed + 1);
}

static void test_etag_304(void **state)
{
	struct reply r;
	char v[64];
	static const char *const matching[] = {
		"If-None-Match: \"v1-abc\"",
		"If-None-Match: W/\"v1-abc\"",
		"If-None-Match: \"old\", W/\"v1-abc\"",
		"If-None-Match: *",
	};
	for (size_t i = 0; i < sizeof matching / sizeof matching[0]; i++) {
		const char *hdrs[] = {matching[i], NULL};
		if (fetch(&r, "GET", "/etag", NULL, 0, hdrs) != 304)
			fail_msg("%s: status %ld", matching[i], r.status);
		assert_string_equal(header(&r, "ETag", v, sizeof v), "\"v1-abc\"");
		assert_int_equal(r.body.len, 0);
		reply_release(&r);
	}
	const char *other[] = {"If-None-Match: \"v1-abcd\", \"v1-ab\"", NULL};
	assert_int_equal(fetch(&r, "GET", "/etag", NULL, 0, other), 200);
	assert_string_equal(r.body.ptr, "fresh\n");
	assert_string_equal(header(&r, "ETag", v, sizeof v), "\"v1-abc\"");
	reply_release(&r);
	assert_int_equal(fetch(&r, "GET", "/etag", NULL, 0, NULL), 200);
	assert_string_equal(header(&r, "ETag", v, sizeof v), "\"v1-abc\"");
	reply_release(&r);
}

static void test_keep_alive_reuse(void **state)
{
	struct reply r;
	CURL *e = easy_new(&r);
	easy_perform(e, &r, port, "/hello");
	assert_int_equal(r.status, 200);
	assert_int_equal(r.n_connects, 1);
	easy_perform(e, &r, port, "/echo/again");
	assert_int_equal(r.status, 200);
	assert_int_equal(r.n_connects, 0);
	/* A 404 from the resolver keeps the connection too (it is answered on MHD's final call). */
	easy_perform(e, &r, port, "/nope");
	assert_int_equal(r.status, 404);
	easy_perform(e, &r, port, "/hello");
	assert_int_equal(r.status, 200);
	assert_int_equal(r.n_connects, 0);
	/* A 413 decided from Content-Length, sent without Expect: the body is already on its way, so it
	   is read and dropped rather than left to reset the connection, and the connection survives. */
	char body[100];
	memset(body, 'k', sizeof body);
	int before = get(&S.small_calls);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)sizeof body);
	easy_perform(e, &r, port, "/small");
	assert_int_equal(r.status, 413);
	assert_int_equal(r.n_connects, 0);
	curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	easy_perform(e, &r, port, "/hello");
	assert_int_equal(r.status, 200);
	assert_int_equal(r.n_connects, 0);
	assert_int_equal(get(&S.small_calls), before);
	curl_easy_cleanup(e);
	reply_release(&r);
}

static void test_unknown_route_and_missing_response(void **state)
{
	struct reply r;
	assert_int_equal(fetch(&r, "GET", "/nope?x=1", NULL, 0, NULL), 404);
	assert_string_equal(r.body.ptr, "no route for /nope\n");
	reply_release(&r);
	/* A body-carrying request to an unknown route is answered without its body. */
	assert_int_equal(fetch(&r, "POST", "/nope", "abc", 3, NULL), 404);
	reply_release(&r);
	assert_int_equal(fetch(&r, "GET", "/noresp", NULL, 0, NULL), 500);
	reply_release(&r);
}

static bool is_hex16(const char *s)
{
	if (strlen(s) != 16)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static void test_request_id(void **state)
{
	struct reply r;
	char a[64], b[64], c[64];
	fetch(&r, "GET", "/hello", NULL, 0, NULL);
	assert_non_null(header(&r, "X-Request-Id", a, sizeof a));
	reply_release(&r);
	fetch(&r, "GET", "/hello", NULL, 0, NULL);
	assert_non_null(header(&r, "X-Request-Id", b, sizeof b));
	reply_release(&r);
	fetch(&r, "GET", "/nope", NULL, 0, NULL);
	assert_non_null(header(&r, "X-Request-Id", c, sizeof c));
	reply_release(&r);
	assert_true(is_hex16(a));
	assert_true(is_hex16(b));
	assert_true(is_hex16(c));
	assert_string_not_equal(a, b);
	assert_string_not_equal(b, c);
}

static int hellos(int n)
{
	int ok = 0;
	for (int i = 0; i < n; i++) {
		struct reply r;
		if (fetch(&r, "GET", "/hello", NULL, 0, NULL) == 200 && strcmp(r.body.ptr, "hello\n") == 0)
			ok++;
		reply_release(&r);
	}
	return ok;
}

static void test_stalled_client_does_not_block_others(void **state)
{
	int started = get(&S.spool_prechecks);
	int fd = raw_connect(port);
	assert_true(fd >= 0);
	char half[1000];
	memset(half, 's', sizeof half);
	static const char head[] = "PUT /spool HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n";
	raw_send(fd, head, strlen(head));
	raw_send(fd, half, 500);
	/* The server has the headers and is waiting for the rest of the body. */
	assert_true(wait_for(&S.spool_prechecks, started + 1) >= started + 1);

	assert_int_equal(hellos(20), 20);

	raw_send(fd, half + 500, 500);
	char buf[8192];
	raw_read(fd, buf, sizeof buf, "}");
	close(fd);
	assert_true(strncmp(buf, "HTTP/1.1 200", 12) == 0);
	assert_non_null(strstr(buf, "\"len\":1000"));
}

static int spool_files(void)
{
	int n = 0;
	DIR *d = opendir(spool_dir);
	for (struct dirent *de; d && (de = readdir(d));)
		if (strncmp(de->d_name, "arca-body-", 10) == 0)
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_client_abort_mid_body_cleans_up(void **state)
{
	int started = get(&S.spool_prechecks);
	int fd = raw_connect(port);
	assert_true(fd >= 0);
	static const char head[] = "PUT /spool HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n";
	raw_send(fd, head, strlen(head));
	raw_send(fd, "partial body", 12);
	assert_true(wait_for(&S.spool_prechecks, started + 1) >= started + 1);
	close(fd);
	/* The request ends without a handler call; its arena and temp file go with it. */
	assert_true(wait_idle());
	assert_int_equal(spool_files(), 0);

	/* Headers past the connection's memory: MHD answers by itself and the resolver never runs; the
	   request state is still released (LeakSanitizer checks that in the sanitizer build). */
	fd = raw_connect(port);
	assert_true(fd >= 0);
	static const char start[] = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: ";
	raw_send(fd, start, strlen(start));
	char filler[4096];
	memset(filler, 'h', sizeof filler);
	for (int i = 0; i < 32; i++)
		raw_send(fd, filler, sizeof filler);
	raw_send(fd, "\r\n\r\n", 4);
	char buf[4096];
	raw_read(fd, buf, sizeof buf, "\r\n\r\n");
	close(fd);
	assert_true(strncmp(buf, "HTTP/1.1 431", 12) == 0);
}

struct client {
	uint16_t port;
	const char *path;
	long status;
	char body[64];
};

static void *client_thread(void *arg)
{
	struct client *cl = arg;
	struct reply r;
	CURL *e = easy_new(&r);
	easy_perform(e, &r, cl->port, cl->path);
	cl->status = r.status;
	snprintf(cl->body, sizeof cl->body, "%s", r.body.ptr);
	curl_easy_cleanup(e);
	reply_release(&r);
	return NULL;
}

static void test_blocked_handler_does_not_block_others(void **state)
{
	release_blocked(false);
	struct client cl = {.port = port, .path = "/block"};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, client_thread, &cl), 0);
	assert_int_equal(wait_for(&S.blocked, 1), 1);

	assert_int_equal(hellos(20), 20);
	assert_int_equal(get(&S.blocked), 1); /* still parked while the others went through */

	release_blocked(true);
	pthread_join(t, NULL);
	assert_int_equal(cl.status, 200);
	assert_string_equal(cl.body, "released\n");
}

struct stopper {
	struct ar_http *h;
	bool has_returned;
};

static void *stop_thread(void *arg)
{
	struct stopper *st = arg;
	ar_http_stop(st->h);
	pthread_mutex_lock(&S.mu);
	st->has_returned = true;
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	return NULL;
}

static void test_graceful_stop(void **state)
{
	struct ar_http *h;
	uint16_t p;
	assert_int_equal(start_server(&h, &p), 0);
	release_blocked(false);
	struct client cl = {.port = p, .path = "/block"};
	pthread_t tc, ts;
	assert_int_equal(pthread_create(&tc, NULL, client_thread, &cl), 0);
	assert_int_equal(wait_for(&S.blocked, 1), 1);

	struct stopper st = {.h = h};
	assert_int_equal(pthread_create(&ts, NULL, stop_thread, &st), 0);
	/* New connections are refused soon after stop begins... */
	bool is_refused = false;
	for (int64_t deadline = ar_mono_ms() + WAIT_MS; !is_refused && ar_mono_ms() < deadline;) {
		int fd = raw_connect(p);
		if (fd < 0 && errno == ECONNREFUSED)
			is_refused = true;
		else if (fd >= 0)
			close(fd);
		if (!is_refused)
			sched_yield();
	}
	assert_true(is_refused);
	/* ...but stop waits for the request in flight. */
	pthread_mutex_lock(&S.mu);
	bool early = st.has_returned;
	pthread_mutex_unlock(&S.mu);
	assert_false(early);

	release_blocked(true);
	pthread_join(tc, NULL);
	assert_int_equal(cl.status, 200);
	assert_string_equal(cl.body, "released\n");

	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&S.mu);
	while (!st.has_returned && pthread_cond_timedwait(&S.cv, &S.mu, &deadline) == 0)
		;
	bool returned = st.has_returned;
	pthread_mutex_unlock(&S.mu);
	assert_true(returned);
	pthread_join(ts, NULL);
}

static void test_spool_dir_unusable(void **state)
{
	struct ar_http_opts opts = {.addr = "127.0.0.1", .spool_dir = "/nonexistent/arca-spool", .resolve = resolve};
	struct ar_http *h;
	struct ar_err err = {0};
	assert_int_equal(ar_http_start(&h, &opts, &err), 0);
	struct reply r;
	CURL *e = easy_new(&r);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, "data");
	easy_perform(e, &r, ar_http_port(h), "/spool");
	assert_int_equal(r.status, 500);
	curl_easy_cleanup(e);
	reply_release(&r);
	ar_http_stop(h);
}

static void test_start_errors(void **state)
{
	struct ar_http *h = NULL;
	struct ar_err err = {0};
	struct ar_http_opts opts = {.addr = "not-an-ip", .resolve = resolve};
	assert_int_equal(ar_http_start(&h, &opts, &err), AR_EINVAL);
	assert_null(h);
	/* The port the main server holds cannot be bound twice. */
	opts = (struct ar_http_opts){.addr = "127.0.0.1", .port = port, .resolve = resolve};
	assert_true(ar_http_start(&h, &opts, &err) < 0);
	assert_null(h);
	assert_true(strlen(err.msg) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_raw_query_and_encoded_path),
		cmocka_unit_test(test_head_has_headers_no_body),
		cmocka_unit_test(test_post_json_memory),
		cmocka_unit_test(test_gzip_memory_body),
		cmocka_unit_test(test_413_on_content_length_without_reading),
		cmocka_unit_test(test_chunked_bodies),
		cmocka_unit_test(test_expect_continue_precheck),
		cmocka_unit_test(test_spooled_body),
		cmocka_unit_test(test_file_exact_bytes),
		cmocka_unit_test(test_stream_chunked),
		cmocka_unit_test(test_etag_304),
		cmocka_unit_test(test_keep_alive_reuse),
		cmocka_unit_test(test_unknown_route_and_missing_response),
		cmocka_unit_test(test_request_id),
		cmocka_unit_test(test_stalled_client_does_not_block_others),
		cmocka_unit_test(test_client_abort_mid_body_cleans_up),
		cmocka_unit_test(test_blocked_handler_does_not_block_others),
		cmocka_unit_test(test_graceful_stop),
		cmocka_unit_test(test_spool_dir_unusable),
		cmocka_unit_test(test_start_errors),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
