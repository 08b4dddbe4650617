/* http/response.c - building MHD responses for a request: headers, memory, files, streams, ETags */
#include "http/http_int.h"

#include "core/json.h"
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How much a streamed body asks its producer for at a time. */
#define STREAM_BLOCK (64 * 1024)

const char *ar_req_header(const struct ar_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn->mhd, MHD_HEADER_KIND, name);
}

static void add_to_mhd(struct MHD_Response *resp, const char *name, const char *value)
{
	if (!*value)
		return; /* MHD refuses empty values; an absent header reads the same to clients */
	/* MHD refuses values with CR/LF, which keeps callers from splitting responses. */
	if (MHD_add_response_header(resp, name, value) != MHD_YES)
		ar_warn("http: response header %s refused", name);
}

void ar_resp_header(struct ar_req *req, const char *name, const char *value)
{
	struct ar_http_conn *c = req->conn;
	if (c->resp) {
		add_to_mhd(c->resp, name, value);
		return;
	}
	if (c->has_resp) {
		ar_warn("http: header %s added after the response was sent", name);
		return;
	}
	struct ar_resp_hdr *h = ar_alloc(req->arena, sizeof *h);
	h->name = ar_strdup(req->arena, name);
	h->value = ar_strdup(req->arena, value);
	*c->headers_tail = h;
	c->headers_tail = &h->next;
}

/* True when this request may still take its one body call; logs the bug otherwise. */
static bool can_respond(struct ar_req *req)
{
	if (!req->conn->has_resp)
		return true;
	ar_error("http: %s %s: second response ignored (request %s)", req->method, req->path, req->request_id);
	return false;
}

/* Takes resp as the request's response; a NULL resp (MHD out of memory, bad size) becomes a 500. */
static void adopt(struct ar_req *req, int status, const char *content_type, struct MHD_Response *resp, uint64_t len)
{
	struct ar_http_conn *c = req->conn;
	if (status < 200 || status > 599) {
		ar_error("http: status %d is not a final status; sending 500", status);
		status = 500;
	}
	if (!resp) {
		static const char msg[] = "internal error\n";
		ar_error("http: cannot build the response for %s %s", req->method, req->path);
		resp = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
		status = 500;
		content_type = "text/plain; charset=utf-8";
		len = sizeof msg - 1;
		if (!resp)
			abort(); /* MHD could not allocate a response struct: out of memory */
	}
	c->has_resp = true;
	c->resp = resp;
	c->status = status;
	c->resp_len = len;
	if (content_type)
		add_to_mhd(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	for (struct ar_resp_hdr *h = c->headers; h; h = h->next)
		add_to_mhd(resp, h->name, h->value);
}

void ar_resp_data(struct ar_req *req, int status, const char *content_type, const void *data, size_t len)
{
	if (!can_respond(req))
		return;
	/* PERSISTENT: MHD reads data in place, never frees or writes it; the arena outlives the send. */
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
	adopt(req, status, content_type, r, len);
}

void ar_resp_text(struct ar_req *req, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = ar_vprintf(req->arena, fmt, ap);
	va_end(ap);
	ar_resp_data(req, status, "text/plain; charset=utf-8", s, strlen(s));
}

void ar_resp_json(struct ar_req *req, int status, const json_t *body)
{
	size_t len;
	char *s = ar_json_dump(req->arena, body, &len);
	ar_resp_data(req, status, "application/json", s, len);
}

void ar_resp_file(struct ar_req *req, int status, const char *content_type, int fd, uint64_t offset, uint64_t len)
{
	if (!can_respond(req)) {
		close(fd);
		return;
	}
	/* From here MHD owns fd and closes it when the response is destroyed; it uses sendfile for
	   plain-TCP connections because its threads block SIGPIPE. */
	struct MHD_Response *r = MHD_create_response_from_fd_at_offset64(len, fd, offset);
	if (!r)
		close(fd);
	adopt(req, status, content_type, r, len);
}

struct stream {
	struct ar_http_conn *conn;
	ar_resp_read_fn *read;
	void *cls;
	void (*free_cls)(void *);
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	long n = s->read(s->cls, pos, buf, max);
	if (n < 0 || (unsigned long)n > max)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	s->conn->resp_len += (uint64_t)n;
	return n;
}

static void stream_free(void *arg)
{
	struct stream *s = arg;
	s->free_cls(s->cls);
}

void ar_resp_stream(struct ar_req *req, int status, const char *content_type, uint64_t size, ar_resp_read_fn *read,
		    void *cls, void (*free_cls)(void *))
{
	if (!can_respond(req)) {
		if (free_cls)
			free_cls(cls);
		return;
	}
	struct stream *s = ar_alloc(req->arena, sizeof *s);
	*s = (struct stream){.conn = req->conn, .read = read, .cls = cls, .free_cls = free_cls};
	/* cls is released with the arena, freed from the completion callback after the last read. MHD's
	   own free callback would run later, after the arena (and whatever cls points into) is gone. */
	if (free_cls)
		ar_arena_defer(req->arena, stream_free, s);
	uint64_t mhd_size = size == UINT64_MAX ? MHD_SIZE_UNKNOWN : size;
	struct MHD_Response *r = MHD_create_response_from_callback(mhd_size, STREAM_BLOCK, stream_read, s, NULL);
	adopt(req, status, content_type, r, 0);
}

/* Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored, "*" matches any current representation.
   Unquoted tags are accepted as well; some clients store the header value without quotes. */
static bool etag_listed(const char *inm, const char *tag, size_t tag_len)
{
	const char *p = inm;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			return false;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		const char *start, *end;
		if (*p == '"') {
			start = ++p;
			end = strchr(start, '"');
			if (!end)
				return false;
			p = end + 1;
		} else {
			start = p;
			end = start + strcspn(start, ", \t");
			p = end;
		}
		if ((size_t)(end - start) == tag_len && memcmp(start, tag, tag_len) == 0)
			return true;
	}
}

bool ar_resp_not_modified(struct ar_req *req, const char *etag)
{
	size_t len = strlen(etag);
	if (len >= 2 && etag[0] == '"' && etag[len - 1] == '"') {
		etag++;
		len -= 2;
	}
	ar_resp_header(req, MHD_HTTP_HEADER_ETAG, ar_printf(req->arena, "\"%.*s\"", (int)len, etag));
	const char *inm = ar_req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (!inm || !etag_listed(inm, etag, len))
		return false;
	ar_resp_data(req, MHD_HTTP_NOT_MODIFIED, NULL, NULL, 0);
	return true;
}

bool ar_resp_queued(const struct ar_req *req)
{
	return req->conn->has_resp;
}

enum MHD_Result ar_http_conn_send(struct ar_http_conn *c)
{
	if (!c->has_resp)
		ar_resp_text(&c->req, 500, "internal error: no response\n");
	c->phase = AR_PHASE_DONE;
	struct MHD_Response *r = c->resp;
	if (!r)
		return MHD_NO; /* already handed to MHD */
	c->resp = NULL;
	add_to_mhd(r, "X-Request-Id", c->req.request_id);
	if (atomic_load(&c->http->is_stopping))
		add_to_mhd(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ret = MHD_queue_response(c->mhd, (unsigned)c->status, r);
	MHD_destroy_response(r); /* the connection holds its own reference */
	if (ret != MHD_YES)
		ar_error("http: MHD refused the %d response for request %s", c->status, c->req.request_id);
	return ret;
}

const char *ar_req_base_url(struct ar_req *req, const char *public_url)
{
	if (public_url && public_url[0]) {
		size_t n = strlen(public_url);
		return public_url[n - 1] == '/' ? ar_strndup(req->arena, public_url, n - 1) : public_url;
	}
	const char *host = ar_req_header(req, "host");
	const char *proto = ar_req_header(req, "x-forwarded-proto");
	return ar_printf(req->arena, "%s://%s", proto && strcmp(proto, "https") == 0 ? "https" : "http",
			 host ? host : "127.0.0.1");
}
