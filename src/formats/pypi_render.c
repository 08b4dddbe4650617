/* formats/pypi_render.c - PEP 503/691/700 simple pages (HTML and JSON) and Accept negotiation */
#include "formats/pypi_int.h"

#include "formats/pypi_dist.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CT_JSON_V1  "application/vnd.pypi.simple.v1+json"
#define CT_HTML_V1  "application/vnd.pypi.simple.v1+html"
#define API_VERSION "1.1"

const char *ar_pypi_content_type(enum ar_pypi_repr r)
{
	switch (r) {
	case AR_PYPI_JSON_V1: return CT_JSON_V1;
	case AR_PYPI_HTML_V1: return CT_HTML_V1;
	default: return "text/html; charset=utf-8";
	}
}

static bool span_is(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

static enum ar_pypi_repr media_repr(const char *s, size_t len)
{
	if (span_is(s, len, CT_JSON_V1) || span_is(s, len, "application/vnd.pypi.simple.latest+json"))
		return AR_PYPI_JSON_V1;
	if (span_is(s, len, CT_HTML_V1) || span_is(s, len, "application/vnd.pypi.simple.latest+html"))
		return AR_PYPI_HTML_V1;
	if (span_is(s, len, "text/html") || span_is(s, len, "text/*") || span_is(s, len, "*/*"))
		return AR_PYPI_HTML;
	if (span_is(s, len, "application/*"))
		return AR_PYPI_JSON_V1;
	return AR_PYPI_NONE;
}

/* q in thousandths from "q=0.5"; 1000 when absent, -1 when malformed (the entry is ignored). */
static int parse_q(const char *params, size_t len)
{
	const char *p = params, *end = params + len;
	while (p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		const char *item = p;
		while (p < end && *p != ';')
			p++;
		size_t n = (size_t)(p - item);
		while (n > 0 && (item[n - 1] == ' ' || item[n - 1] == '\t'))
			n--;
		if (n < 2 || (item[0] != 'q' && item[0] != 'Q') || item[1] != '=')
			continue;
		/* RFC 9110 qvalue: 0(.ddd)? or 1(.000)? */
		const char *v = item + 2;
		size_t vn = n - 2;
		if (vn == 0 || (v[0] != '0' && v[0] != '1') || (vn > 1 && v[1] != '.') || vn > 5)
			return -1;
		int q = (v[0] - '0') * 1000, scale = 100;
		for (size_t i = 2; i < vn; i++, scale /= 10) {
			if (v[i] < '0' || v[i] > '9')
				return -1;
			q += (v[i] - '0') * scale;
		}
		return q > 1000 ? -1 : q;
	}
	return 1000;
}

enum ar_pypi_repr ar_pypi_negotiate(const char *accept)
{
	if (!accept)
		return AR_PYPI_HTML;
	const char *p = accept;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return AR_PYPI_HTML;
	enum ar_pypi_repr best = AR_PYPI_NONE;
	int best_q = 0;
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		const char *entry = p;
		while (*p && *p != ',')
			p++;
		const char *end = p;
		const char *semi = memchr(entry, ';', (size_t)(end - entry));
		const char *type_end = semi ? semi : end;
		while (type_end > entry && (type_end[-1] == ' ' || type_end[-1] == '\t'))
			type_end--;
		if (type_end == entry)
			continue;
		enum ar_pypi_repr r = media_repr(entry, (size_t)(type_end - entry));
		int q = semi ? parse_q(semi, (size_t)(end - semi)) : 1000;
		if (r != AR_PYPI_NONE && q > best_q) {
			best = r;
			best_q = q;
		}
	}
	return best;
}

/* --- the page model --- */

static int cmp_link(const void *x, const void *y)
{
	const struct ar_pypi_link *a = x, *b = y;
	int c = ar_pypi_version_cmp(a->version, b->version);
	return c ? c : strcmp(a->filename, b->filename);
}

static const char *attr_str(json_t *obj, const char *key)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

void ar_pypi_page_from_files(struct ar_pypi_page *out, struct ar_arena *a, const char *name,
			     struct ar_pypi_index_file *files, size_t n)
{
	memset(out, 0, sizeof *out);
	out->name = name;
	out->links = ar_alloc_array(a, n ? n : 1, sizeof *out->links);
	out->n_links = n;
	for (size_t i = 0; i < n; i++) {
		struct ar_pypi_link *l = &out->links[i];
		const struct ar_pypi_index_file *f = &files[i];
		json_t *attrs = f->attrs ? json_loads(f->attrs, 0, NULL) : NULL;
		json_t *vattrs = !attr_str(attrs, "requires_python") && f->version_attrs
					 ? json_loads(f->version_attrs, 0, NULL)
					 : NULL;
		const char *rp = attr_str(attrs, "requires_python");
		if (!rp)
			rp = attr_str(vattrs, "requires_python");
		const char *md = attr_str(attrs, "metadata_sha256");
		*l = (struct ar_pypi_link){
			.filename = f->filename,
			.version = f->version,
			.sha256 = f->sha256,
			.requires_python = rp ? ar_strdup(a, rp) : NULL,
			.metadata_sha256 = md ? ar_strdup(a, md) : NULL,
			.is_yanked = !ar_status_listed(f->status),
			.size = f->size,
			.upload_ms = f->created_ms,
		};
		json_decref(attrs);
		json_decref(vattrs);
	}
	ar_pypi_page_set_links(out, a, out->links, n);
}

void ar_pypi_page_set_links(struct ar_pypi_page *page, struct ar_arena *a, struct ar_pypi_link *links, size_t n)
{
	page->links = links;
	page->n_links = n;
	page->n_versions = 0;
	qsort(links, n, sizeof *links, cmp_link);
	page->versions = ar_alloc_array(a, n ? n : 1, sizeof *page->versions);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(links[i].version, links[i - 1].version) != 0)
			page->versions[page->n_versions++] = links[i].version;
}

/* --- rendering --- */

static int add_escaped(struct ar_buf *b, const char *s)
{
	int rc = 0;
	for (const char *p = s; *p && rc == 0; p++) {
		switch (*p) {
		case '&': rc = ar_buf_adds(b, "&amp;"); break;
		case '<': rc = ar_buf_adds(b, "&lt;"); break;
		case '>': rc = ar_buf_adds(b, "&gt;"); break;
		case '"': rc = ar_buf_adds(b, "&quot;"); break;
		case '\'': rc = ar_buf_adds(b, "&#39;"); break;
		default: rc = ar_buf_addch(b, *p);
		}
	}
	return rc;
}

/* Percent-encodes one path segment (RFC 3986 unreserved kept): '+' of local versions and '!' of
   epochs are escaped, and pip and uv request them escaped. */
static int add_segment(struct ar_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0; p++) {
		bool keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			    *p == '-' || *p == '.' || *p == '_' || *p == '~';
		if (keep) {
			rc = ar_buf_addch(b, (char)*p);
		} else {
			char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			rc = ar_buf_add(b, esc, 3);
		}
	}
	return rc;
}

static int add_file_url(struct ar_buf *b, const char *name, const struct ar_pypi_link *l)
{
	int rc = ar_buf_adds(b, "../../files/");
	if (rc == 0)
		rc = add_segment(b, name);
	if (rc == 0)
		rc = ar_buf_addch(b, '/');
	if (rc == 0)
		rc = add_segment(b, l->version);
	if (rc == 0)
		rc = ar_buf_addch(b, '/');
	if (rc == 0)
		rc = add_segment(b, l->filename);
	return rc;
}

/* PEP 700 upload-time: yyyy-mm-ddThh:mm:ss.ffffffZ */
static void upload_time(char out[32], int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%06dZ", (int)(ms % 1000) * 1000);
}

static int render_page_html(struct ar_buf *b, const struct ar_pypi_page *page)
{
	int rc = ar_buf_adds(
		b, "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"" API_VERSION
		   "\">\n<title>Links for ");
	rc = rc ? rc : add_escaped(b, page->name);
	rc = rc ? rc : ar_buf_adds(b, "</title>\n</head>\n<body>\n<h1>Links for ");
	rc = rc ? rc : add_escaped(b, page->name);
	rc = rc ? rc : ar_buf_adds(b, "</h1>\n");
	for (size_t i = 0; i < page->n_links && rc == 0; i++) {
		const struct ar_pypi_link *l = &page->links[i];
		rc = ar_buf_adds(b, "<a href=\"");
		rc = rc ? rc : add_file_url(b, page->name, l);
		rc = rc ? rc : ar_buf_printf(b, "#sha256=%s\"", l->sha256);
		if (rc == 0 && l->requires_python) {
			rc = ar_buf_adds(b, " data-requires-python=\"");
			rc = rc ? rc : add_escaped(b, l->requires_python);
			rc = rc ? rc : ar_buf_addch(b, '"');
		}
		if (rc == 0 && l->metadata_sha256)
			rc = ar_buf_printf(b, " data-dist-info-metadata=\"sha256=%s\" data-core-metadata=\"sha256=%s\"",
					   l->metadata_sha256, l->metadata_sha256);
		if (rc == 0 && l->is_yanked)
			rc = ar_buf_adds(b, " data-yanked=\"\"");
		rc = rc ? rc : ar_buf_addch(b, '>');
		rc = rc ? rc : add_escaped(b, l->filename);
		rc = rc ? rc : ar_buf_adds(b, "</a><br/>\n");
	}
	return rc ? rc : ar_buf_adds(b, "</body>\n</html>\n");
}

static json_t *link_json(const char *name, const struct ar_pypi_link *l, struct ar_buf *scratch)
{
	json_t *f = json_object();
	ar_buf_reset(scratch);
	if (add_file_url(scratch, name, l) != 0)
		return NULL;
	char when[32];
	upload_time(when, l->upload_ms);
	json_object_set_new(f, "filename", json_string(l->filename));
	json_object_set_new(f, "url", json_string(scratch->ptr));
	json_object_set_new(f, "hashes", json_pack("{s:s}", "sha256", l->sha256));
	if (l->requires_python)
		json_object_set_new(f, "requires-python", json_string(l->requires_python));
	if (l->metadata_sha256) {
		json_object_set_new(f, "core-metadata", json_pack("{s:s}", "sha256", l->metadata_sha256));
		json_object_set_new(f, "dist-info-metadata", json_pack("{s:s}", "sha256", l->metadata_sha256));
	} else {
		json_object_set_new(f, "core-metadata", json_false());
		json_object_set_new(f, "dist-info-metadata", json_false());
	}
	json_object_set_new(f, "yanked", json_boolean(l->is_yanked));
	json_object_set_new(f, "size", json_integer(l->size));
	json_object_set_new(f, "upload-time", json_string(when));
	return f;
}

static int add_json(struct ar_buf *b, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!s)
		return AR_ERROR;
	int rc = ar_buf_adds(b, s);
	free(s);
	return rc;
}

static int render_page_json(struct ar_buf *b, const struct ar_pypi_page *page)
{
	json_t *doc = json_pack("{s:{s:s}, s:s}", "meta", "api-version", API_VERSION, "name", page->name);
	json_t *versions = json_array(), *files = json_array();
	struct ar_buf scratch;
	ar_buf_init(&scratch, 64 * 1024);
	for (size_t i = 0; i < page->n_versions; i++)
		json_array_append_new(versions, json_string(page->versions[i]));
	int rc = 0;
	for (size_t i = 0; i < page->n_links && rc == 0; i++) {
		json_t *f = link_json(page->name, &page->links[i], &scratch);
		if (!f)
			rc = AR_ETOOBIG;
		else
			json_array_append_new(files, f);
	}
	ar_buf_release(&scratch);
	json_object_set_new(doc, "versions", versions);
	json_object_set_new(doc, "files", files);
	if (rc) {
		json_decref(doc);
		return rc;
	}
	return add_json(b, doc);
}

int ar_pypi_render_page(struct ar_buf *b, const struct ar_pypi_page *page, enum ar_pypi_repr r)
{
	return r == AR_PYPI_JSON_V1 ? render_page_json(b, page) : render_page_html(b, page);
}

int ar_pypi_render_root(struct ar_buf *b, const struct ar_pypi_index_project *projects, size_t n, enum ar_pypi_repr r)
{
	if (r == AR_PYPI_JSON_V1) {
		json_t *list = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(list, json_pack("{s:s}", "name", projects[i].display_name));
		return add_json(b, json_pack("{s:{s:s}, s:o}", "meta", "api-version", API_VERSION, "projects", list));
	}
	int rc = ar_buf_adds(
		b, "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"" API_VERSION
		   "\">\n<title>Simple index</title>\n</head>\n<body>\n");
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = ar_buf_adds(b, "<a href=\"");
		rc = rc ? rc : add_segment(b, projects[i].name);
		rc = rc ? rc : ar_buf_adds(b, "/\">");
		rc = rc ? rc : add_escaped(b, projects[i].display_name);
		rc = rc ? rc : ar_buf_adds(b, "</a><br/>\n");
	}
	return rc ? rc : ar_buf_adds(b, "</body>\n</html>\n");
}
