/* formats/pypi_dist.c - PyPI distributions: names, filenames, versions, core metadata, archives */
#include "formats/pypi_dist.h"

#include "core/buf.h"
#include "core/mem.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_RELEASE_SEGMENTS 32

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

const char *ar_pypi_filetype(enum ar_pypi_kind kind)
{
	return kind == AR_PYPI_WHEEL ? "bdist_wheel" : "sdist";
}

/* ---- names ---- */

static char *normalize_n(struct ar_arena *a, const char *name, size_t len)
{
	char *out = ar_alloc(a, len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '-' || c == '_' || c == '.') {
			if (n == 0 || out[n - 1] != '-')
				out[n++] = '-';
		} else {
			out[n++] = lower(c);
		}
	}
	out[n] = '\0';
	return out;
}

char *ar_pypi_normalize(struct ar_arena *a, const char *name)
{
	return normalize_n(a, name, strlen(name));
}

static bool name_valid_n(const char *s, size_t len)
{
	if (len == 0 || len > AR_PYPI_MAX_NAME)
		return false;
	if (!is_alnum((unsigned char)s[0]) || !is_alnum((unsigned char)s[len - 1]))
		return false;
	for (size_t i = 1; i + 1 < len; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

bool ar_pypi_name_valid(const char *name)
{
	return name_valid_n(name, strlen(name));
}

/* ---- PEP 440 versions ---- */

struct pep440 {
	uint64_t epoch;
	uint64_t rel[MAX_RELEASE_SEGMENTS];
	size_t n_rel;
	int pre_kind; /* -1 none, 0 a, 1 b, 2 rc */
	uint64_t pre;
	bool has_post, has_dev;
	uint64_t post, dev;
	const char *local; /* after '+', NULL when none */
	size_t local_len;
};

static bool parse_num(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;
	if (!is_digit((unsigned char)*s))
		return false;
	for (; is_digit((unsigned char)*s); s++)
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return false;
	*out = v;
	*sp = s;
	return true;
}

static bool is_sep(char c)
{
	return c == '-' || c == '_' || c == '.';
}

/* Matches one of labels (longest first where prefixes overlap) case-insensitively; index or -1. */
static int match_label(const char **sp, const char *const *labels)
{
	for (int i = 0; labels[i]; i++) {
		size_t n = strlen(labels[i]);
		if (strncasecmp(*sp, labels[i], n) == 0) {
			*sp += n;
			return i;
		}
	}
	return -1;
}

/* An optional "[sep]label[sep][N]" component; restores *sp when absent. */
static bool parse_labelled(const char **sp, const char *const *labels, int *which, uint64_t *num)
{
	const char *s = *sp;
	if (is_sep(*s))
		s++;
	int k = match_label(&s, labels);
	if (k < 0)
		return false;
	const char *after = s;
	if (is_sep(*s))
		s++;
	if (!parse_num(&s, num)) {
		s = after; /* implicit 0, and a trailing separator belongs to the next component */
		*num = 0;
	}
	*which = k;
	*sp = s;
	return true;
}

static bool pep440_parse(const char *s, struct pep440 *v)
{
	static const char *const pre_labels[] = {"alpha", "a", "beta", "b", "preview", "pre", "c", "rc", NULL};
	static const int pre_kinds[] = {0, 0, 1, 1, 2, 2, 2, 2};
	static const char *const post_labels[] = {"post", "rev", "r", NULL};
	static const char *const dev_labels[] = {"dev", NULL};
	memset(v, 0, sizeof *v);
	v->pre_kind = -1;
	while (is_ws((unsigned char)*s) || *s == '\n')
		s++;
	if (*s == 'v' || *s == 'V')
		s++;
	uint64_t n = 0;
	if (!parse_num(&s, &n))
		return false;
	if (*s == '!') {
		v->epoch = n;
		s++;
		if (!parse_num(&s, &n))
			return false;
	}
	v->rel[v->n_rel++] = n;
	while (s[0] == '.' && is_digit((unsigned char)s[1])) {
		s++;
		if (v->n_rel == MAX_RELEASE_SEGMENTS || !parse_num(&s, &v->rel[v->n_rel++]))
			return false;
	}
	int k;
	if (parse_labelled(&s, pre_labels, &k, &v->pre))
		v->pre_kind = pre_kinds[k];
	if (s[0] == '-' && is_digit((unsigned char)s[1])) {
		s++;
		if (!parse_num(&s, &v->post))
			return false;
		v->has_post = true;
	} else if (parse_labelled(&s, post_labels, &k, &v->post)) {
		v->has_post = true;
	}
	if (parse_labelled(&s, dev_labels, &k, &v->dev))
		v->has_dev = true;
	if (*s == '+') {
		v->local = ++s;
		for (;;) {
			const char *seg = s;
			while (is_alnum((unsigned char)*s))
				s++;
			if (s == seg)
				return false;
			if (!(is_sep(*s) && is_alnum((unsigned char)s[1])))
				break;
			s++;
		}
		v->local_len = (size_t)(s - v->local);
	}
	while (is_ws((unsigned char)*s) || *s == '\n')
		s++;
	return *s == '\0';
}

bool ar_pypi_version_valid(const char *v)
{
	struct pep440 p;
	return pep440_parse(v, &p);
}

char *ar_pypi_version_normalize(struct ar_arena *a, const char *v)
{
	static const char *const pre_names[] = {"a", "b", "rc"};
	struct pep440 p;
	if (!pep440_parse(v, &p))
		return NULL;
	struct ar_buf b;
	ar_buf_init(&b, 4096); /* a parsed version cannot approach this */
	int rc = 0;
	if (p.epoch)
		rc |= ar_buf_printf(&b, "%llu!", (unsigned long long)p.epoch);
	for (size_t i = 0; i < p.n_rel; i++)
		rc |= ar_buf_printf(&b, "%s%llu", i ? "." : "", (unsigned long long)p.rel[i]);
	if (p.pre_kind >= 0)
		rc |= ar_buf_printf(&b, "%s%llu", pre_names[p.pre_kind], (unsigned long long)p.pre);
	if (p.has_post)
		rc |= ar_buf_printf(&b, ".post%llu", (unsigned long long)p.post);
	if (p.has_dev)
		rc |= ar_buf_printf(&b, ".dev%llu", (unsigned long long)p.dev);
	if (p.local) {
		rc |= ar_buf_addch(&b, '+');
		for (size_t i = 0; i < p.local_len; i++)
			rc |= ar_buf_addch(&b, is_sep(p.local[i]) ? '.' : lower(p.local[i]));
	}
	char *out = rc ? NULL : ar_strndup(a, b.ptr, b.len);
	ar_buf_release(&b);
	return out;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Pre-release rank: a dev release of a final sorts before its pre-releases, a final after them. */
static int pre_rank(const struct pep440 *v)
{
	if (v->pre_kind < 0)
		return !v->has_post && v->has_dev ? -1 : 3;
	return v->pre_kind;
}

static size_t local_seg(const char *s, size_t len, size_t i, size_t *seg_len)
{
	size_t j = i;
	while (j < len && !is_sep(s[j]))
		j++;
	*seg_len = j - i;
	return j;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return false;
	return true;
}

/* Local labels: segment by segment, numbers above strings, numbers by value, strings caselessly. */
static int cmp_local(const struct pep440 *x, const struct pep440 *y)
{
	if (!x->local || !y->local)
		return (x->local != NULL) - (y->local != NULL);
	size_t i = 0, j = 0;
	while (i < x->local_len && j < y->local_len) {
		size_t xn, yn;
		const char *xs = x->local + i, *ys = y->local + j;
		i = local_seg(x->local, x->local_len, i, &xn) + 1;
		j = local_seg(y->local, y->local_len, j, &yn) + 1;
		bool xd = all_digits(xs, xn), yd = all_digits(ys, yn);
		int c;
		if (xd != yd)
			return xd ? 1 : -1;
		if (xd) {
			while (xn > 1 && *xs == '0')
				xs++, xn--;
			while (yn > 1 && *ys == '0')
				ys++, yn--;
			c = xn != yn ? (xn < yn ? -1 : 1) : memcmp(xs, ys, xn);
		} else {
			c = strncasecmp(xs, ys, xn < yn ? xn : yn);
			if (c == 0)
				c = xn < yn ? -1 : xn > yn;
		}
		if (c)
			return c < 0 ? -1 : 1;
	}
	return (i < x->local_len) - (j < y->local_len);
}

int ar_pypi_version_cmp(const char *a, const char *b)
{
	struct pep440 x, y;
	bool xv = pep440_parse(a, &x), yv = pep440_parse(b, &y);
	if (!xv || !yv) {
		if (xv != yv)
			return xv ? 1 : -1;
		int c = strcmp(a, b);
		return c < 0 ? -1 : c > 0;
	}
	int c = cmp_u64(x.epoch, y.epoch);
	for (size_t i = 0; !c && (i < x.n_rel || i < y.n_rel); i++)
		c = cmp_u64(i < x.n_rel ? x.rel[i] : 0, i < y.n_rel ? y.rel[i] : 0);
	if (!c)
		c = pre_rank(&x) - pre_rank(&y);
	if (!c && x.pre_kind >= 0)
		c = cmp_u64(x.pre, y.pre);
	if (!c)
		c = x.has_post != y.has_post ? (x.has_post ? 1 : -1) : cmp_u64(x.post, y.post);
	if (!c)
		c = x.has_dev != y.has_dev ? (x.has_dev ? -1 : 1) : cmp_u64(x.dev, y.dev);
	if (!c)
		c = cmp_local(&x, &y);
	return c < 0 ? -1 : c > 0;
}

/* ---- filenames ---- */

static bool chars_in(const char *s, size_t len, const char *extra)
{
	for (size_t i = 0; i < len; i++)
		if (!is_alnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

static int parse_wheel_name(struct ar_pypi_file *out, struct ar_arena *a, const char *stem, size_t len,
			    struct ar_err *err)
{
	const char *part[6];
	size_t plen[6], n = 0;
	const char *s = stem, *end = stem + len;
	while (s <= end) {
		const char *dash = memchr(s, '-', (size_t)(end - s));
		const char *e = dash ? dash : end;
		if (n == 6)
			return ar_fail(err, AR_EINVAL, "wheel filename has too many '-' separated parts");
		part[n] = s;
		plen[n] = (size_t)(e - s);
		if (plen[n] == 0)
			return ar_fail(err, AR_EINVAL, "wheel filename has an empty part");
		n++;
		s = e + 1;
	}
	if (n < 5)
		return ar_fail(err, AR_EINVAL, "wheel filename needs name-version-python-abi-platform");
	if (!name_valid_n(part[0], plen[0]))
		return ar_fail(err, AR_EINVAL, "wheel filename has an invalid project name");
	if (!is_digit((unsigned char)part[1][0]) || !chars_in(part[1], plen[1], ".!+_"))
		return ar_fail(err, AR_EINVAL, "wheel filename has an invalid version");
	size_t t = n - 3;
	if (n == 6 && !is_digit((unsigned char)part[2][0]))
		return ar_fail(err, AR_EINVAL, "wheel build tag must start with a digit");
	for (size_t i = 2; i < n; i++)
		if (!chars_in(part[i], plen[i], "._"))
			return ar_fail(err, AR_EINVAL, "wheel filename has an invalid tag");
	out->kind = AR_PYPI_WHEEL;
	out->name = ar_strndup(a, part[0], plen[0]);
	out->version = ar_strndup(a, part[1], plen[1]);
	out->build_tag = n == 6 ? ar_strndup(a, part[2], plen[2]) : NULL;
	out->python_tag = ar_strndup(a, part[t], plen[t]);
	out->abi_tag = ar_strndup(a, part[t + 1], plen[t + 1]);
	out->platform_tag = ar_strndup(a, part[t + 2], plen[t + 2]);
	return 0;
}

int ar_pypi_parse_filename(struct ar_pypi_file *out, struct ar_arena *a, const char *filename, struct ar_err *err)
{
	static const struct {
		const char *ext;
		enum ar_pypi_kind kind;
	} exts[] = {
		{".whl", AR_PYPI_WHEEL},
		{".tar.gz", AR_PYPI_SDIST_TAR_GZ},
		{".zip", AR_PYPI_SDIST_ZIP},
		{".tar.bz2", AR_PYPI_SDIST_TAR_BZ2},
	};
	memset(out, 0, sizeof *out);
	size_t len = strlen(filename);
	if (len == 0 || len > 255)
		return ar_fail(err, AR_EINVAL, "distribution filename is empty or longer than 255 bytes");
	if (!chars_in(filename, len, "._+!-"))
		return ar_fail(err, AR_EINVAL, "distribution filename has a character outside [A-Za-z0-9._+!-]");
	if (filename[0] == '.' || strstr(filename, ".."))
		return ar_fail(err, AR_EINVAL, "distribution filename starts with '.' or contains '..'");
	size_t i = 0;
	while (i < sizeof exts / sizeof exts[0] && !ends_with(filename, len, exts[i].ext))
		i++;
	if (i == sizeof exts / sizeof exts[0])
		return ar_fail(err, AR_EINVAL, "not a wheel (.whl) or sdist (.tar.gz, .zip) filename");
	size_t stem_len = len - strlen(exts[i].ext);
	if (exts[i].kind == AR_PYPI_WHEEL)
		return parse_wheel_name(out, a, filename, stem_len, err);

	/* sdist names may contain '-': the version starts after the last '-' followed by a digit */
	size_t dash = stem_len;
	while (dash > 0 && !(filename[dash - 1] == '-' && dash < stem_len && is_digit((unsigned char)filename[dash])))
		dash--;
	if (dash == 0)
		return ar_fail(err, AR_EINVAL, "sdist filename needs {name}-{version}");
	if (!name_valid_n(filename, dash - 1))
		return ar_fail(err, AR_EINVAL, "sdist filename has an invalid project name");
	out->kind = exts[i].kind;
	out->name = ar_strndup(a, filename, dash - 1);
	out->version = ar_strndup(a, filename + dash, stem_len - dash);
	return 0;
}

/* ---- core metadata ---- */

enum field_kind { F_SCALAR, F_UNIQUE, F_LIST };

static const struct field {
	const char *key;
	enum field_kind kind;
	size_t off;
} fields[] = {
#define S(k, m)                                                                                                        \
	{                                                                                                              \
		k, F_SCALAR, offsetof(struct ar_pypi_meta, m)                                                          \
	}
#define U(k, m)                                                                                                        \
	{                                                                                                              \
		k, F_UNIQUE, offsetof(struct ar_pypi_meta, m)                                                          \
	}
#define L(k, m)                                                                                                        \
	{                                                                                                              \
		k, F_LIST, offsetof(struct ar_pypi_meta, m)                                                            \
	}
	U("Metadata-Version", metadata_version),
	U("Name", name),
	U("Version", version),
	S("Summary", summary),
	S("Description", description),
	S("Description-Content-Type", description_content_type),
	S("Home-page", home_page),
	S("Download-URL", download_url),
	S("Author", author),
	S("Author-email", author_email),
	S("Maintainer", maintainer),
	S("Maintainer-email", maintainer_email),
	S("License", license),
	S("License-Expression", license_expression),
	S("Requires-Python", requires_python),
	S("Keywords", keywords),
	L("Requires-Dist", requires_dist),
	L("Project-URL", project_urls),
	L("Classifier", classifiers),
	L("Provides-Extra", provides_extra),
	L("License-File", license_files),
	L("Platform", platforms),
	L("Dynamic", dynamic),
	L("Provides-Dist", provides_dist),
	L("Obsoletes-Dist", obsoletes_dist),
	L("Requires-External", requires_external),
#undef S
#undef U
#undef L
};

/* Valid UTF-8 without NUL (overlongs, surrogates and values past U+10FFFF refused). */
static bool utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += n + 1;
	}
	return true;
}

struct mparse {
	struct ar_arena *a;
	struct ar_err *err;
	struct ar_pypi_meta *out;
	size_t caps[sizeof fields / sizeof fields[0]];
	const struct field *cur; /* header being collected; NULL for an unknown one */
	bool has_cur;
	struct ar_buf val;
	size_t line_no;
};

static int list_push(struct mparse *p, size_t fi, const char *s)
{
	struct ar_pypi_list *l = (struct ar_pypi_list *)((char *)p->out + fields[fi].off);
	if (l->n == AR_PYPI_MAX_LIST)
		return ar_fail(p->err, AR_ETOOBIG, "metadata has more than %d %s lines", AR_PYPI_MAX_LIST,
			       fields[fi].key);
	l->v = ar_grow(p->a, l->v, &p->caps[fi], l->n + 1, sizeof *l->v); /* the item and a NULL */
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
	return 0;
}

/* Stores the collected value of the current header. */
static int flush(struct mparse *p)
{
	if (!p->has_cur)
		return 0;
	p->has_cur = false;
	const struct field *f = p->cur;
	if (!f)
		return 0;
	size_t len = p->val.len;
	while (len > 0 && (p->val.ptr[len - 1] == ' ' || p->val.ptr[len - 1] == '\t'))
		len--;
	const char *s = ar_strndup(p->a, p->val.ptr, len);
	if (f->kind == F_LIST)
		return list_push(p, (size_t)(f - fields), s);
	const char **slot = (const char **)((char *)p->out + f->off);
	if (*slot) {
		if (f->kind == F_UNIQUE)
			return ar_fail(p->err, AR_EINVAL, "metadata repeats %s", f->key);
		return 0; /* first one wins for descriptive fields */
	}
	*slot = s;
	return 0;
}

static int header_line(struct mparse *p, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return ar_fail(p->err, AR_EINVAL, "metadata line %zu has a control character", p->line_no);
	int rc;
	if (is_ws((unsigned char)s[0])) {
		/* continuation: descriptions keep their lines (minus setuptools' 8-column or "       |"
		   indent), other fields unfold into one line */
		if (!p->has_cur)
			return ar_fail(p->err, AR_EINVAL, "metadata line %zu continues no header", p->line_no);
		if (!p->cur)
			return 0;
		size_t skip = 0;
		if (p->cur->off == offsetof(struct ar_pypi_meta, description)) {
			if (len >= 8 && memcmp(s, "       |", 8) == 0)
				skip = 8;
			else
				while (skip < len && skip < 8 && is_ws((unsigned char)s[skip]))
					skip++;
			rc = ar_buf_addch(&p->val, '\n');
		} else {
			while (skip < len && is_ws((unsigned char)s[skip]))
				skip++;
			rc = skip < len ? ar_buf_addch(&p->val, ' ') : 0;
		}
		if (!rc)
			rc = ar_buf_add(&p->val, s + skip, len - skip);
		return rc ? ar_fail(p->err, AR_ETOOBIG, "metadata value too long") : 0;
	}
	if ((rc = flush(p)) < 0)
		return rc;
	size_t k = 0;
	while (k < len && s[k] != ':' && (unsigned char)s[k] > ' ' && s[k] != 0x7f)
		k++;
	if (k == 0 || k == len || s[k] != ':')
		return ar_fail(p->err, AR_EINVAL, "metadata line %zu is not a 'Key: value' header", p->line_no);
	p->has_cur = true;
	p->cur = NULL;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strlen(fields[i].key) == k && strncasecmp(fields[i].key, s, k) == 0)
			p->cur = &fields[i];
	size_t v = k + 1;
	while (v < len && is_ws((unsigned char)s[v]))
		v++;
	ar_buf_reset(&p->val);
	if (ar_buf_add(&p->val, s + v, len - v) < 0)
		return ar_fail(p->err, AR_ETOOBIG, "metadata value too long");
	return 0;
}

static int parse_metadata(struct mparse *p, const char *data, size_t len)
{
	const char *s = data, *end = data + len;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	int rc;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		if (eol > s && eol[-1] == '\r')
			eol--;
		p->line_no++;
		if (eol == s) { /* blank line: the rest is the description (Metadata 2.1) */
			s = next;
			break;
		}
		if ((rc = header_line(p, s, (size_t)(eol - s))) < 0)
			return rc;
		s = next;
	}
	if ((rc = flush(p)) < 0)
		return rc;
	/* a body overrides a Description header, as pkginfo (and so twine) does */
	if (s < end)
		p->out->description = ar_strndup(p->a, s, (size_t)(end - s));
	if (!p->out->name || !p->out->name[0])
		return ar_fail(p->err, AR_EINVAL, "metadata has no Name");
	if (!p->out->version || !p->out->version[0])
		return ar_fail(p->err, AR_EINVAL, "metadata has no Version");
	return 0;
}

int ar_pypi_parse_metadata(struct ar_pypi_meta *out, struct ar_arena *a, const char *data, size_t len,
			   struct ar_err *err)
{
	memset(out, 0, sizeof *out);
	if (len > AR_PYPI_MAX_METADATA)
		return ar_fail(err, AR_ETOOBIG, "metadata larger than %d bytes", AR_PYPI_MAX_METADATA);
	if (!utf8_ok((const unsigned char *)data, len))
		return ar_fail(err, AR_EINVAL, "metadata is not valid UTF-8 text");
	struct mparse p = {.a = a, .err = err, .out = out};
	ar_buf_init(&p.val, AR_PYPI_MAX_METADATA);
	int rc = parse_metadata(&p, data, len);
	ar_buf_release(&p.val);
	if (rc < 0)
		return rc;
	out->raw = data;
	out->raw_len = len;
	return 0;
}

/* ---- requirements ---- */

static const char *skip_ws(const char *s)
{
	while (is_ws((unsigned char)*s))
		s++;
	return s;
}

/* A copy of [s, e) without spaces or tabs. */
static char *strip_ws(struct ar_arena *a, const char *s, const char *e)
{
	char *out = ar_alloc(a, (size_t)(e - s) + 1);
	size_t n = 0;
	for (; s < e; s++)
		if (!is_ws((unsigned char)*s))
			out[n++] = *s;
	out[n] = '\0';
	return out;
}

static bool is_spec_start(char c)
{
	return c == '<' || c == '>' || c == '=' || c == '!' || c == '~';
}

int ar_pypi_parse_requirement(struct ar_pypi_req *out, struct ar_arena *a, const char *s, struct ar_err *err)
{
	memset(out, 0, sizeof *out);
	s = skip_ws(s);
	const char *n = s;
	while (is_alnum((unsigned char)*s) || *s == '.' || *s == '_' || *s == '-')
		s++;
	if (!name_valid_n(n, (size_t)(s - n)))
		return ar_fail(err, AR_EINVAL, "requirement does not start with a project name");
	out->name = ar_strndup(a, n, (size_t)(s - n));
	s = skip_ws(s);
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return ar_fail(err, AR_EINVAL, "requirement has an unclosed '['");
		for (const char *c = s + 1; c < close; c++)
			if (!is_alnum((unsigned char)*c) && !strchr("._-, \t", *c))
				return ar_fail(err, AR_EINVAL, "requirement has a malformed extras list");
		out->extras = strip_ws(a, s + 1, close);
		s = skip_ws(close + 1);
	}
	if (*s == '@') {
		const char *u = s = skip_ws(s + 1);
		while (*s && !is_ws((unsigned char)*s))
			s++;
		if (s == u)
			return ar_fail(err, AR_EINVAL, "requirement has an empty URL");
		out->url = ar_strndup(a, u, (size_t)(s - u));
		s = skip_ws(s);
	} else {
		const char *v = s, *e;
		if (*s == '(') {
			e = strchr(s, ')');
			if (!e)
				return ar_fail(err, AR_EINVAL, "requirement has an unclosed '('");
			v = s + 1;
			s = skip_ws(e + 1);
		} else {
			e = s + strcspn(s, ";");
			s = e;
		}
		char *spec = strip_ws(a, v, e);
		if (spec[0] && !is_spec_start(spec[0]))
			return ar_fail(err, AR_EINVAL, "requirement has a malformed version specifier");
		for (const char *c = spec; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == '(' || *c == ')' || *c == ';')
				return ar_fail(err, AR_EINVAL, "requirement has a malformed version specifier");
		out->specifier = spec[0] ? spec : NULL;
	}
	if (*s == ';') {
		const char *m = skip_ws(s + 1), *e = m + strlen(m);
		while (e > m && (is_ws((unsigned char)e[-1]) || e[-1] == '\r' || e[-1] == '\n'))
			e--;
		if (e == m)
			return ar_fail(err, AR_EINVAL, "requirement has an empty marker");
		out->marker = ar_strndup(a, m, (size_t)(e - m));
	} else if (*s) {
		return ar_fail(err, AR_EINVAL, "requirement has trailing text");
	}
	return 0;
}

/* ---- archives ---- */

/* A .tar.gz is inflated here rather than by libarchive, whose gzip filter does not check the
   trailer's CRC and length; Python's gzip does, so pip and PyPI refuse such files and so do we. */
struct gz_src {
	int fd;
	z_stream z;
	bool is_done;
	unsigned char in[64 * 1024], out[64 * 1024];
};

static int gz_fill(struct archive *ar, struct gz_src *g)
{
	ssize_t n;
	do
		n = read(g->fd, g->in, sizeof g->in);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(ar, errno, "read: %s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		archive_set_error(ar, EILSEQ, "truncated gzip stream");
		return -1;
	}
	g->z.next_in = g->in;
	g->z.avail_in = (uInt)n;
	return 0;
}

/* Inflates into g->out until some output exists or the stream ends; bytes produced, or -1. */
static la_ssize_t gz_read(struct archive *ar, void *cls, const void **buf)
{
	struct gz_src *g = cls;
	*buf = g->out;
	g->z.next_out = g->out;
	g->z.avail_out = sizeof g->out;
	while (!g->is_done && g->z.avail_out == sizeof g->out) {
		if (g->z.avail_in == 0 && gz_fill(ar, g) < 0)
			return -1;
		int zr = inflate(&g->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			g->is_done = true; /* trailer checked; later members or padding are not tar data */
		} else if (zr != Z_OK) {
			archive_set_error(ar, EILSEQ, "gzip: %s", g->z.msg ? g->z.msg : "bad data");
			return -1;
		}
	}
	return (la_ssize_t)(sizeof g->out - g->z.avail_out);
}

/* The tar reader stops at its end marker; inflate the rest so the trailer gets checked. */
static int gz_finish(struct archive *ar, struct gz_src *g)
{
	const void *buf;
	while (!g->is_done)
		if (gz_read(ar, g, &buf) < 0)
			return -1;
	return 0;
}

/* True when dir ("{name}-{version}") names the same project and version as file. */
static bool dir_matches(struct ar_arena *a, const char *dir, size_t len, const struct ar_pypi_file *file)
{
	const char *dash = NULL;
	for (size_t i = 0; i < len; i++)
		if (dir[i] == '-')
			dash = dir + i;
	if (!dash)
		return false;
	char *name = normalize_n(a, dir, (size_t)(dash - dir));
	char *version = ar_strndup(a, dash + 1, len - (size_t)(dash + 1 - dir));
	return strcmp(name, ar_pypi_normalize(a, file->name)) == 0 && ar_pypi_version_cmp(version, file->version) == 0;
}

static int corrupt(struct archive *ar, struct ar_err *err)
{
	const char *why = archive_error_string(ar);
	return ar_fail(err, AR_EINVAL, "corrupt archive: %s", why ? why : "unreadable");
}

static int read_entry(char **data, size_t *len, struct archive *ar, struct archive_entry *e, struct ar_arena *a,
		      struct ar_err *err)
{
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > AR_PYPI_MAX_METADATA)
		return ar_fail(err, AR_ETOOBIG, "metadata file larger than %d bytes", AR_PYPI_MAX_METADATA);
	struct ar_buf b;
	ar_buf_init(&b, AR_PYPI_MAX_METADATA);
	char chunk[16384];
	int rc = 0;
	for (;;) {
		la_ssize_t n = archive_read_data(ar, chunk, sizeof chunk);
		if (n < 0) {
			rc = corrupt(ar, err);
			goto done;
		}
		if (n == 0)
			break;
		if (ar_buf_add(&b, chunk, (size_t)n) < 0) {
			rc = ar_fail(err, AR_ETOOBIG, "metadata file larger than %d bytes", AR_PYPI_MAX_METADATA);
			goto done;
		}
	}
	*data = ar_strndup(a, b.ptr, b.len);
	*len = b.len;
done:
	ar_buf_release(&b);
	return rc;
}

/* Which entry holds the metadata: a wheel's "<dir>.dist-info/METADATA", an sdist's
   "<dir>/PKG-INFO" (optionally under "./"); dir and dir_len get <dir>. */
static bool is_candidate(const char *path, enum ar_pypi_kind kind, const char **dir, size_t *dir_len)
{
	const char *leaf = kind == AR_PYPI_WHEEL ? "METADATA" : "PKG-INFO";
	if (kind != AR_PYPI_WHEEL && strncmp(path, "./", 2) == 0)
		path += 2;
	const char *slash = strchr(path, '/');
	if (!slash || slash == path || strcmp(slash + 1, leaf) != 0)
		return false;
	size_t n = (size_t)(slash - path);
	if (kind == AR_PYPI_WHEEL) {
		if (!ends_with(path, n, ".dist-info"))
			return false;
		n -= strlen(".dist-info");
	}
	*dir = path;
	*dir_len = n;
	return true;
}

int ar_pypi_read_metadata(struct ar_pypi_meta *out, struct ar_arena *a, const char *path,
			  const struct ar_pypi_file *file, struct ar_err *err)
{
	memset(out, 0, sizeof *out);
	bool is_tar = file->kind == AR_PYPI_SDIST_TAR_GZ || file->kind == AR_PYPI_SDIST_TAR_BZ2;
	struct gz_src *gz = NULL;
	struct archive *ar = archive_read_new();
	if (is_tar) {
		archive_read_support_format_tar(ar);
		if (file->kind == AR_PYPI_SDIST_TAR_BZ2)
			archive_read_support_filter_bzip2(ar); /* libbz2 checks its block CRCs */
	} else {
		/* the central directory is authoritative, as in Python's zipfile (and so pip); the
		   streaming reader would accept a zip whose directory is cut off */
		archive_read_support_format_zip_seekable(ar);
	}
	char *data = NULL;
	size_t data_len = 0, n_found = 0;
	uint64_t expanded = 0;
	int rc = 0;
	if (file->kind == AR_PYPI_SDIST_TAR_GZ) {
		gz = ar_xcalloc(1, sizeof *gz);
		gz->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (gz->fd < 0) {
			rc = ar_fail(err, AR_ERROR, "cannot open %s: %s", path, strerror(errno));
			goto done;
		}
		if (inflateInit2(&gz->z, 16 + MAX_WBITS) != Z_OK) { /* 16: gzip wrapper only */
			close(gz->fd);
			gz->fd = -1;
			rc = ar_fail(err, AR_ERROR, "zlib initialisation failed");
			goto done;
		}
		if (archive_read_open(ar, gz, NULL, gz_read, NULL) != ARCHIVE_OK) {
			rc = corrupt(ar, err);
			goto done;
		}
	} else if (archive_read_open_filename(ar, path, 64 * 1024) != ARCHIVE_OK) {
		/* libarchive reports both "cannot open" and "not this format" here */
		if (archive_errno(ar) == ENOENT || archive_errno(ar) == EACCES)
			rc = ar_fail(err, AR_ERROR, "cannot open %s: %s", path, archive_error_string(ar));
		else
			rc = corrupt(ar, err);
		goto done;
	}
	for (size_t n_entries = 0;; n_entries++) {
		struct archive_entry *e;
		int r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = corrupt(ar, err);
			goto done;
		}
		if (n_entries == AR_PYPI_MAX_ENTRIES) {
			rc = ar_fail(err, AR_EINVAL, "archive has more than %d entries", AR_PYPI_MAX_ENTRIES);
			goto done;
		}
		/* skipping a tar entry decompresses it; cap the work a small bomb can cause */
		if (is_tar && archive_entry_size_is_set(e)) {
			la_int64_t size = archive_entry_size(e);
			if (size > 0)
				expanded += (uint64_t)size;
			if (expanded > AR_PYPI_MAX_SDIST_EXPAND) {
				rc = ar_fail(err, AR_ETOOBIG, "sdist expands to more than %llu bytes",
					     (unsigned long long)AR_PYPI_MAX_SDIST_EXPAND);
				goto done;
			}
		}
		const char *name = archive_entry_pathname(e), *dir;
		size_t dir_len;
		if (!name || archive_entry_filetype(e) != AE_IFREG || !is_candidate(name, file->kind, &dir, &dir_len))
			continue;
		if (file->kind == AR_PYPI_WHEEL) {
			/* pip insists on exactly one .dist-info directory; so do we */
			if (++n_found > 1) {
				rc = ar_fail(err, AR_EINVAL, "wheel has more than one .dist-info/METADATA");
				goto done;
			}
			if (!dir_matches(a, dir, dir_len, file)) {
				rc = ar_fail(err, AR_EINVAL, "wheel's %.*s.dist-info does not match %s-%s",
					     (int)(dir_len > 200 ? 200 : dir_len), dir, file->name, file->version);
				goto done;
			}
		} else {
			if (!dir_matches(a, dir, dir_len, file))
				continue;
			if (++n_found > 1) {
				rc = ar_fail(err, AR_EINVAL, "sdist has more than one %s-%s/PKG-INFO", file->name,
					     file->version);
				goto done;
			}
		}
		if ((rc = read_entry(&data, &data_len, ar, e, a, err)) < 0)
			goto done;
	}
	if (gz && gz_finish(ar, gz) < 0) {
		rc = corrupt(ar, err);
		goto done;
	}
	if (!data) {
		rc = file->kind == AR_PYPI_WHEEL
			     ? ar_fail(err, AR_EINVAL, "wheel has no %s-%s.dist-info/METADATA", file->name,
				       file->version)
			     : ar_fail(err, AR_EINVAL, "sdist has no %s-%s/PKG-INFO", file->name, file->version);
		goto done;
	}
	rc = ar_pypi_parse_metadata(out, a, data, data_len, err);
done:
	archive_read_free(ar);
	if (gz && gz->fd >= 0) {
		inflateEnd(&gz->z);
		close(gz->fd);
	}
	free(gz);
	return rc;
}
