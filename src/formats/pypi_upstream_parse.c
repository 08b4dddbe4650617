/* formats/pypi_upstream_parse.c - an upstream's simple project page (PEP 503 HTML / PEP 691 JSON) into files */
#include "formats/pypi_upstream_parse.h"

#include "core/buf.h"
#include "core/text.h"
#include "formats/pypi_dist.h"
#include "store/blob.h"

#include <ctype.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_URL		4096
#define MAX_SEGMENTS	64
#define MAX_REQ_PYTHON	1024
#define MAX_ANCHOR_TEXT 1024
#define HTML_CHUNK	(1 << 20)

/* --- URLs --- */

/* The URL without scheme and userinfo ("host:port/path"). */
static const char *strip_scheme(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	const char *slash = strchr(p, '/'), *at = strchr(p, '@');
	if (at && (!slash || at < slash))
		p = at + 1;
	return p;
}

/* The length of u's scheme (RFC 3986: a letter, then letters, digits, + - .) before its ':'; 0 when none. */
static size_t scheme_len(const char *u)
{
	if (!isalpha((unsigned char)u[0]))
		return 0;
	size_t n = strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	return u[n] == ':' ? n : 0;
}

const char *ar_pypi_upstream_path(struct ar_arena *a, const char *base, const char *norm, const char *url)
{
	if (!base || !norm || !url)
		return NULL;
	size_t ulen = strcspn(url, "#");
	if (ulen == 0 || ulen > MAX_URL || strlen(base) > MAX_URL)
		return NULL;
	for (size_t i = 0; i < ulen; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f || url[i] == '\\')
			return NULL;
	const char *u = ar_strndup(a, url, ulen);
	const char *b = strip_scheme(base);
	if (!*b)
		return NULL;
	if (b[strlen(b) - 1] != '/')
		b = ar_printf(a, "%s/", b);
	size_t blen = strlen(b);

	/* The part to resolve, and whether it starts at the base (absolute forms) or at simple/{norm}/. */
	const char *rest;
	bool from_page = false;
	size_t slen = scheme_len(u);
	if (slen) {
		/* http(s)://... only: javascript:, data:, file:, ftp:, "http:x" are nothing to fetch */
		if (!((slen == 4 && strncasecmp(u, "http", 4) == 0) ||
		      (slen == 5 && strncasecmp(u, "https", 5) == 0)) ||
		    strncmp(u + slen, "://", 3) != 0)
			return NULL;
		const char *s = strip_scheme(u);
		if (strncmp(s, b, blen) != 0)
			return NULL;
		rest = s + blen;
	} else if (u[0] == '/' && u[1] == '/') {
		const char *s = strip_scheme(ar_printf(a, "x:%s", u));
		if (strncmp(s, b, blen) != 0)
			return NULL;
		rest = s + blen;
	} else if (u[0] == '/') {
		const char *bpath = strchr(b, '/');
		size_t plen = strlen(bpath);
		if (strncmp(u, bpath, plen) != 0)
			return NULL;
		rest = u + plen;
	} else {
		rest = u;
		from_page = true;
	}

	const char *segs[MAX_SEGMENTS];
	size_t lens[MAX_SEGMENTS], n = 0;
	if (from_page) {
		segs[0] = "simple", lens[0] = 6;
		segs[1] = norm, lens[1] = strlen(norm);
		n = 2;
	}
	size_t path_len = strcspn(rest, "?");
	for (size_t i = 0; i < path_len;) {
		size_t len = strcspn(rest + i, "/?");
		if (len > path_len - i)
			len = path_len - i;
		const char *seg = rest + i;
		i += len + 1;
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			if (n == 0)
				return NULL; /* above the base */
			n--;
			continue;
		}
		if (ar_is_dot_segment(seg, len) || n == MAX_SEGMENTS)
			return NULL;
		segs[n] = seg, lens[n] = len, n++;
	}
	if (n == 0)
		return NULL;
	struct ar_buf out;
	ar_buf_init(&out, MAX_URL + 1);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++)
		ok = (i == 0 || ar_buf_addch(&out, '/') == 0) && ar_buf_add(&out, segs[i], lens[i]) == 0;
	if (ok && rest[path_len] == '?')
		ok = ar_buf_adds(&out, rest + path_len) == 0;
	const char *r = ok ? ar_strdup(a, out.ptr) : NULL;
	ar_buf_release(&out);
	return r;
}

/* --- times --- */

static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int64_t ar_pypi_upload_time_ms(const char *s)
{
	/* YYYY-MM-DDTHH:MM:SS */
	int y, mo, d, h, mi, sec;
	if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
	    s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
	int64_t ms = (int64_t)timegm(&tm) * 1000;
	const char *p = s + 19;
	if (*p == '.') {
		int scale = 100;
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ms += (*p - '0') * scale;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (strcmp(p, "+00:00") == 0)
		p += 6;
	return *p == '\0' ? ms : 0;
}

/* --- the files list, whatever the page's form --- */

struct page {
	struct ar_arena *a;
	const char *base, *norm;
	struct ar_pypi_up_file *files;
	size_t n, cap, max;
	int rc; /* AR_ETOOBIG once max is passed */
};

/* A sha256 in lowercase, or NULL when s is not 64 hex digits. */
static const char *sha256_of(struct ar_arena *a, const char *s, size_t len)
{
	if (!s || len != 64)
		return NULL;
	char *out = ar_strndup(a, s, len);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return ar_blob_key_valid(out) ? out : NULL;
}

/* Adds a file when everything about it checks out; a file that does not is skipped, not an error. */
static void add_file(struct page *pg, const char *filename, const char *url, const char *sha256,
		     const char *requires_python, const char *metadata_sha256, bool is_yanked, int64_t size,
		     int64_t upload_ms)
{
	struct ar_pypi_file pf;
	struct ar_err ignored;
	if (pg->rc || !filename || !url || !sha256 || ar_pypi_parse_filename(&pf, pg->a, filename, &ignored) != 0 ||
	    strcmp(ar_pypi_normalize(pg->a, pf.name), pg->norm) != 0)
		return;
	const char *version = ar_pypi_version_normalize(pg->a, pf.version);
	const char *path = ar_pypi_upstream_path(pg->a, pg->base, pg->norm, url);
	if (!version || !path)
		return;
	if (requires_python && (!*requires_python || strlen(requires_python) > MAX_REQ_PYTHON))
		requires_python = NULL;
	if (pg->n == pg->max) {
		pg->rc = AR_ETOOBIG;
		return;
	}
	pg->files = ar_grow(pg->a, pg->files, &pg->cap, pg->n, sizeof *pg->files);
	pg->files[pg->n++] = (struct ar_pypi_up_file){
		.filename = ar_strdup(pg->a, filename),
		.version = version,
		.path = path,
		.sha256 = sha256,
		.requires_python = requires_python ? ar_strdup(pg->a, requires_python) : NULL,
		.metadata_sha256 = metadata_sha256,
		.is_yanked = is_yanked,
		.size = size > 0 ? size : 0,
		.upload_ms = upload_ms,
	};
}

/* --- PEP 691 JSON --- */

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *jsha256(struct ar_arena *a, json_t *hashes)
{
	const char *s = jstr(hashes, "sha256");
	return s ? sha256_of(a, s, strlen(s)) : NULL;
}

static bool major_is_1(const char *version)
{
	return version && version[0] == '1' && (version[1] == '\0' || version[1] == '.');
}

static int parse_json(struct page *pg, const char *body, size_t len, struct ar_err *err)
{
	json_error_t jerr;
	json_t *doc = json_loadb(body, len, 0, &jerr);
	json_t *files = json_is_object(doc) ? json_object_get(doc, "files") : NULL;
	if (!json_is_array(files)) {
		json_decref(doc);
		return ar_fail(err, AR_EINVAL, "not a PEP 691 JSON project page");
	}
	json_t *meta = json_object_get(doc, "meta");
	const char *api = json_is_object(meta) ? jstr(meta, "api-version") : NULL;
	if (api && !major_is_1(api)) {
		ar_fail(err, AR_EINVAL, "unsupported simple API version %.32s", api); /* before api is freed */
		json_decref(doc);
		return AR_EINVAL;
	}
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f)
	{
		if (!json_is_object(f))
			continue;
		json_t *md = json_object_get(f, "core-metadata");
		if (!md)
			md = json_object_get(f, "dist-info-metadata");
		json_t *yanked = json_object_get(f, "yanked"), *size = json_object_get(f, "size");
		add_file(pg, jstr(f, "filename"), jstr(f, "url"), jsha256(pg->a, json_object_get(f, "hashes")),
			 jstr(f, "requires-python"), json_is_object(md) ? jsha256(pg->a, md) : NULL,
			 json_is_true(yanked) || (json_is_string(yanked) && json_string_length(yanked) > 0),
			 json_is_integer(size) ? json_integer_value(size) : 0,
			 ar_pypi_upload_time_ms(jstr(f, "upload-time")));
		if (pg->rc)
			break;
	}
	json_decref(doc);
	return 0;
}

/* --- PEP 503 HTML, read with libxml2's SAX parser (no tree: pages can be large) --- */

struct html {
	struct page *pg;
	htmlParserCtxtPtr ctxt;
	bool in_anchor, is_yanked, is_text_long, is_bad_version;
	const char *href, *requires_python, *core_metadata, *dist_info_metadata;
	struct ar_buf text;
};

static const char *attr(struct html *h, const xmlChar **atts, const char *name)
{
	for (size_t i = 0; atts && atts[i]; i += 2)
		if (strcasecmp((const char *)atts[i], name) == 0)
			return atts[i + 1] ? ar_strdup(h->pg->a, (const char *)atts[i + 1]) : "";
	return NULL;
}

/* "sha256=<hex>" (a metadata attribute or a URL fragment) to the hex, else NULL ("true", md5, ...). */
static const char *hash_value(struct ar_arena *a, const char *s)
{
	if (!s || strncasecmp(s, "sha256=", 7) != 0)
		return NULL;
	return sha256_of(a, s + 7, strcspn(s + 7, "&"));
}

static char *trimmed(struct ar_arena *a, const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return ar_strndup(a, s, len);
}

static void end_anchor(struct html *h)
{
	struct ar_arena *a = h->pg->a;
	h->in_anchor = false;
	if (!h->href || h->is_text_long)
		return;
	const char *filename = trimmed(a, h->text.ptr ? h->text.ptr : "", h->text.len);
	if (!*filename) {
		/* PEP 503 wants the filename as the text; fall back to the URL's last segment. */
		size_t end = strcspn(h->href, "#?");
		const char *start = h->href + end;
		while (start > h->href && start[-1] != '/')
			start--;
		filename = ar_strndup(a, start, (size_t)(h->href + end - start));
	}
	const char *frag = strchr(h->href, '#');
	const char *md = h->core_metadata ? h->core_metadata : h->dist_info_metadata;
	add_file(h->pg, filename, h->href, frag ? hash_value(a, frag + 1) : NULL, h->requires_python, hash_value(a, md),
		 h->is_yanked, 0, 0);
	if (h->pg->rc)
		xmlStopParser(h->ctxt);
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct html *h = ctx;
	const char *tag = (const char *)name;
	if (strcasecmp(tag, "meta") == 0) {
		/* PEP 629: a major version other than 1 is a page this parser must not guess at. */
		const char *mname = attr(h, atts, "name"), *content = attr(h, atts, "content");
		if (mname && strcasecmp(mname, "pypi:repository-version") == 0 && !major_is_1(content)) {
			h->is_bad_version = true;
			xmlStopParser(h->ctxt);
		}
		return;
	}
	if (strcasecmp(tag, "a") != 0)
		return;
	if (h->in_anchor)
		end_anchor(h);
	h->in_anchor = true;
	h->is_text_long = false;
	ar_buf_reset(&h->text);
	h->href = attr(h, atts, "href");
	h->requires_python = attr(h, atts, "data-requires-python");
	h->core_metadata = attr(h, atts, "data-core-metadata");
	h->dist_info_metadata = attr(h, atts, "data-dist-info-metadata");
	h->is_yanked = attr(h, atts, "data-yanked") != NULL;
}

static void on_end(void *ctx, const xmlChar *name)
{
	struct html *h = ctx;
	if (h->in_anchor && strcasecmp((const char *)name, "a") == 0)
		end_anchor(h);
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
	struct html *h = ctx;
	if (h->in_anchor && !h->is_text_long && len > 0 && ar_buf_add(&h->text, ch, (size_t)len) != 0)
		h->is_text_long = true;
}

static void on_error(void *ctx, xmlErrorPtr e)
{
	/* Upstream HTML is often sloppy; the parser recovers and nothing is printed. */
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

static int parse_html(struct page *pg, const char *body, size_t len, struct ar_err *err)
{
	pthread_once(&xml_once, xml_init);
	htmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.startElement = on_start;
	sax.endElement = on_end;
	sax.characters = on_text;
	sax.serror = on_error;
	sax.initialized = XML_SAX2_MAGIC; /* so serror is used; the HTML parser calls the SAX1 element hooks */
	struct html h = {.pg = pg};
	ar_buf_init(&h.text, MAX_ANCHOR_TEXT);
	h.ctxt = htmlCreatePushParserCtxt(&sax, &h, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
	if (!h.ctxt) {
		ar_buf_release(&h.text);
		return ar_fail(err, AR_ERROR, "cannot create an HTML parser");
	}
	htmlCtxtUseOptions(h.ctxt, HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
	for (size_t off = 0; off < len && !pg->rc && !h.is_bad_version;) {
		size_t n = len - off < HTML_CHUNK ? len - off : HTML_CHUNK;
		htmlParseChunk(h.ctxt, body + off, (int)n, 0);
		off += n;
	}
	if (!pg->rc && !h.is_bad_version) {
		htmlParseChunk(h.ctxt, NULL, 0, 1);
		if (h.in_anchor) /* an anchor the document never closed */
			end_anchor(&h);
	}
	htmlFreeParserCtxt(h.ctxt);
	ar_buf_release(&h.text);
	if (h.is_bad_version)
		return ar_fail(err, AR_EINVAL, "unsupported simple API version (pypi:repository-version)");
	return 0;
}

/* --- entry point --- */

static bool is_json(const char *content_type, const char *body, size_t len)
{
	if (content_type && *content_type) {
		size_t n = strcspn(content_type, ";");
		const char *ct = content_type;
		for (size_t i = 0; i + 4 <= n; i++)
			if (strncasecmp(ct + i, "json", 4) == 0)
				return true;
		for (size_t i = 0; i + 4 <= n; i++)
			if (strncasecmp(ct + i, "html", 4) == 0)
				return false;
	}
	size_t i = 0;
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	return i < len && body[i] == '{';
}

int ar_pypi_upstream_parse_page(struct ar_pypi_up_file **out, size_t *n, struct ar_arena *a, const char *base,
				const char *norm, const char *content_type, const char *body, size_t len,
				size_t max_files, struct ar_err *err)
{
	*out = NULL;
	*n = 0;
	struct page pg = {.a = a, .base = base, .norm = norm, .max = max_files};
	int rc = is_json(content_type, body, len) ? parse_json(&pg, body, len, err) : parse_html(&pg, body, len, err);
	if (rc)
		return rc;
	if (pg.rc)
		return ar_fail(err, AR_ETOOBIG, "upstream page of %s lists more than %zu files", norm, max_files);
	*out = pg.files;
	*n = pg.n;
	return 0;
}
