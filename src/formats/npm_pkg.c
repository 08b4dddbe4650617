/* formats/npm_pkg.c - npm package names, publish bodies and package tarballs */
#include "formats/npm_pkg.h"

#include "core/json.h"
#include "core/mem.h"
#include "core/text.h"
#include "formats/semver.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#define NAME_STRUCT_MAX 1024 /* legacy names are not length-checked, but keys must stay sane */
#define TAG_MAX		256

/* ---- names ---- */

static bool has_dot_only(const char *s, size_t n)
{
	return (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

int ar_npm_split_name(const char **ns, const char **name, struct ar_arena *a, const char *full, struct ar_err *err)
{
	size_t len = full ? strlen(full) : 0;
	if (len == 0)
		return ar_fail(err, AR_EINVAL, "empty package name");
	if (len > NAME_STRUCT_MAX)
		return ar_fail(err, AR_EINVAL, "package name too long");
	if (!ar_is_nonspace_utf8(full, len))
		return ar_fail(err, AR_EINVAL, "package name contains whitespace, controls or invalid UTF-8");
	const char *slash = strchr(full, '/');
	if (full[0] != '@') {
		if (slash || has_dot_only(full, len))
			return ar_fail(err, AR_EINVAL, "invalid package name");
		*ns = NULL;
		*name = ar_strndup(a, full, len);
		return 0;
	}
	if (!slash || strchr(slash + 1, '/'))
		return ar_fail(err, AR_EINVAL, "a scoped package name must be @scope/name");
	size_t scope_len = (size_t)(slash - full) - 1, name_len = len - scope_len - 2;
	if (scope_len == 0 || name_len == 0 || has_dot_only(full + 1, scope_len) || has_dot_only(slash + 1, name_len))
		return ar_fail(err, AR_EINVAL, "a scoped package name must be @scope/name");
	*ns = ar_strndup(a, full + 1, scope_len);
	*name = ar_strndup(a, slash + 1, name_len);
	return 0;
}

int ar_npm_decode_path_name(const char **out, struct ar_arena *a, const char *seg, size_t seg_len, const char *seg2,
			    size_t seg2_len, struct ar_err *err)
{
	if (seg_len > NAME_STRUCT_MAX * 3 || seg2_len > NAME_STRUCT_MAX * 3)
		return ar_fail(err, AR_EINVAL, "package name too long");
	char *first = ar_pct_decode(a, seg, seg_len, NULL);
	if (!first)
		return ar_fail(err, AR_EINVAL, "malformed percent-escape in package name");
	const char *full = first;
	if (seg2) {
		char *second = ar_pct_decode(a, seg2, seg2_len, NULL);
		if (!second)
			return ar_fail(err, AR_EINVAL, "malformed percent-escape in package name");
		if (first[0] != '@' || strchr(first, '/'))
			return ar_fail(err, AR_EINVAL, "only a scope may precede '/' in a package name");
		full = ar_printf(a, "%s/%s", first, second);
	}
	const char *ns, *name;
	int rc = ar_npm_split_name(&ns, &name, a, full, err);
	if (rc)
		return rc;
	*out = full;
	return 0;
}

/* encodeURIComponent leaves exactly these unescaped. */
static bool url_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("-_.!~*'()", c)))
			return false;
	}
	return true;
}

static bool js_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Node's builtin modules as validate-npm-package-name 5 lists them (those that could be names). */
static const char *const core_modules[] = {
	"_http_agent",
	"_http_client",
	"_http_common",
	"_http_incoming",
	"_http_outgoing",
	"_http_server",
	"_stream_duplex",
	"_stream_passthrough",
	"_stream_readable",
	"_stream_transform",
	"_stream_wrap",
	"_stream_writable",
	"_tls_common",
	"_tls_wrap",
	"assert",
	"async_hooks",
	"buffer",
	"child_process",
	"cluster",
	"console",
	"constants",
	"crypto",
	"dgram",
	"diagnostics_channel",
	"dns",
	"domain",
	"events",
	"fs",
	"http",
	"http2",
	"https",
	"inspector",
	"module",
	"net",
	"os",
	"path",
	"perf_hooks",
	"process",
	"punycode",
	"querystring",
	"readline",
	"repl",
	"stream",
	"string_decoder",
	"sys",
	"timers",
	"tls",
	"trace_events",
	"tty",
	"url",
	"util",
	"v8",
	"vm",
	"wasi",
	"worker_threads",
	"zlib",
};

static bool fail_reason(const char **reason, const char *msg)
{
	if (reason)
		*reason = msg;
	return false;
}

bool ar_npm_name_valid(const char *name, bool is_new, const char **reason)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0)
		return fail_reason(reason, "name length must be greater than zero");
	if (name[0] == '.')
		return fail_reason(reason, "name cannot start with a period");
	if (name[0] == '-')
		return fail_reason(reason, "name cannot start with a hyphen");
	if (name[0] == '_')
		return fail_reason(reason, "name cannot start with an underscore");
	if (js_space(name[0]) || js_space(name[len - 1]))
		return fail_reason(reason, "name cannot contain leading or trailing spaces");
	if (strcasecmp(name, "node_modules") == 0 || strcasecmp(name, "favicon.ico") == 0)
		return fail_reason(reason, "name is not a valid package name");
	if (!url_safe(name, len)) {
		const char *slash = strchr(name, '/');
		if (name[0] != '@' || !slash || slash == name + 1 || slash[1] == '\0' || strchr(slash + 1, '/'))
			return fail_reason(reason, "name can only contain URL-friendly characters");
		if (slash[1] == '.')
			return fail_reason(reason, "name cannot start with a period");
		if (name[1] == '.')
			return fail_reason(reason, "scope cannot start with a period");
		if (!url_safe(name + 1, (size_t)(slash - name) - 1) || !url_safe(slash + 1, strlen(slash + 1)))
			return fail_reason(reason, "name can only contain URL-friendly characters");
	}
	if (!is_new)
		return true;
	for (size_t i = 0; i < sizeof core_modules / sizeof core_modules[0]; i++)
		if (strcasecmp(name, core_modules[i]) == 0)
			return fail_reason(reason, "name is a core module name");
	if (len > AR_NPM_NAME_MAX)
		return fail_reason(reason, "name can no longer contain more than 214 characters");
	for (size_t i = 0; i < len; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			return fail_reason(reason, "name can no longer contain capital letters");
	const char *last = strrchr(name, '/');
	if (strpbrk(last ? last + 1 : name, "~'!()*"))
		return fail_reason(reason, "name can no longer contain special characters (\"~'!()*\")");
	return true;
}

bool ar_npm_tag_valid(const char *tag, const char **reason)
{
	size_t len = tag ? strlen(tag) : 0;
	if (len == 0)
		return fail_reason(reason, "tag name must not be empty");
	if (len > TAG_MAX)
		return fail_reason(reason, "tag name too long");
	if (!ar_is_nonspace_utf8(tag, len) || strchr(tag, '/'))
		return fail_reason(reason, "tag name contains invalid characters");
	if (strcmp(tag, "latest") == 0)
		return true;
	struct ar_arena *a = ar_arena_new();
	struct ar_semver_range *r;
	bool is_range = ar_semver_range_parse(&r, a, tag, len, NULL) == 0;
	ar_arena_free(a);
	if (is_range)
		return fail_reason(reason, "tag name must not be a valid SemVer range");
	return true;
}

char *ar_npm_tarball_filename(struct ar_arena *a, const char *name, const char *version)
{
	const char *slash = name[0] == '@' ? strchr(name, '/') : NULL;
	return ar_printf(a, "%s-%s.tgz", slash ? slash + 1 : name, version);
}

char *ar_npm_integrity_sha512(struct ar_arena *a, const unsigned char sha512[64])
{
	return ar_printf(a, "sha512-%s", ar_b64_encode(a, sha512, 64));
}

char *ar_npm_integrity_sha512_hex(struct ar_arena *a, const char *hex)
{
	unsigned char raw[64];
	if (!hex || !ar_unhex(raw, hex, sizeof raw))
		return NULL;
	return ar_npm_integrity_sha512(a, raw);
}

/* ---- tarballs ---- */

/* Valid UTF-8 with no NUL (controls such as newlines are fine); what a JSON string can carry. */
static bool utf8_text(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;
		uint32_t v, min;
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			n = 2, v = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			n = 3, v = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			n = 4, v = c & 0x07, min = 0x10000;
		else
			return false;
		if (n > len - i)
			return false;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			v = v << 6 | (s[i + k] & 0x3F);
		}
		if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return false;
		i += n;
	}
	return true;
}

/* Cuts len back so a truncated buffer does not end inside a UTF-8 sequence. */
static size_t utf8_boundary(const unsigned char *s, size_t len)
{
	size_t back = 0;
	while (back < 4 && back < len && (s[len - 1 - back] & 0xC0) == 0x80)
		back++;
	if (back < len) {
		unsigned char lead = s[len - 1 - back];
		size_t need = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
		if (need != back + 1)
			return len - 1 - back;
	}
	return len;
}

/* npm's README test /\.m?a?r?k?d?o?w?n?$/i: the extension is "markdown" with letters left out. */
static bool markdownish_ext(const char *ext)
{
	const char *want = "markdown";
	for (; *ext; ext++) {
		while (*want && *want != (*ext | 0x20))
			want++;
		if (!*want)
			return false;
		want++;
	}
	return true;
}

/* 2 for README.md-like names, 1 for a bare README, 0 for anything else. */
static int readme_rank(const char *rel)
{
	if (strncasecmp(rel, "readme", 6) != 0)
		return 0;
	if (rel[6] == '\0')
		return 1;
	return rel[6] == '.' && !strchr(rel + 7, '.') && markdownish_ext(rel + 7) ? 2 : 0;
}

/* What one top-level directory of the archive holds. */
struct slot {
	const char *top;
	const char *package_json;
	size_t package_json_len;
	const char *readme;
	size_t readme_len;
	const char *readme_name;
	int readme_rank;
	bool readme_truncated;
};

/* Reads the current entry's data, at most cap bytes (more sets *truncated). */
static int read_entry(char **out, size_t *out_len, bool *truncated, struct archive *ar, struct ar_arena *a,
		      int64_t declared, size_t cap, struct ar_err *err)
{
	size_t want = declared >= 0 && (uint64_t)declared < cap ? (size_t)declared : cap;
	char *buf = ar_alloc(a, want + 1);
	size_t got = 0;
	while (got < want) {
		la_ssize_t n = archive_read_data(ar, buf + got, want - got);
		if (n < 0)
			return ar_fail(err, AR_EINVAL, "corrupt tarball: %s", archive_error_string(ar));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*truncated = false;
	if (got == want) {
		char probe;
		la_ssize_t n = archive_read_data(ar, &probe, 1);
		if (n < 0)
			return ar_fail(err, AR_EINVAL, "corrupt tarball: %s", archive_error_string(ar));
		*truncated = n > 0;
	}
	buf[got] = '\0';
	*out = buf;
	*out_len = got;
	return 0;
}

static const char *json_text(json_t *j)
{
	return json_is_string(j) ? json_string_value(j) : NULL;
}

/* license may be "MIT", {"type":"MIT"}, or the legacy "licenses": [{"type":..}, ..]. */
static const char *license_of(struct ar_arena *a, json_t *pj)
{
	json_t *l = json_object_get(pj, "license");
	if (json_is_string(l))
		return json_string_value(l);
	if (json_is_object(l))
		return ar_json_str(l, "type");
	json_t *ls = json_object_get(pj, "licenses");
	if (!json_is_array(ls))
		return NULL;
	struct ar_buf b;
	ar_buf_init(&b, 4096);
	size_t i;
	json_t *e;
	json_array_foreach(ls, i, e)
	{
		const char *t = json_is_string(e) ? json_string_value(e) : ar_json_str(e, "type");
		if (t && ar_buf_printf(&b, "%s%s", b.len ? " OR " : "", t))
			break;
	}
	const char *out = b.len ? ar_strndup(a, b.ptr, b.len) : NULL;
	ar_buf_release(&b);
	return out;
}

void ar_npm_manifest_deps(struct ar_npm_dep **out, size_t *n_out, struct ar_arena *a, json_t *manifest)
{
	static const struct {
		const char *key;
		enum ar_npm_dep_type type;
	} fields[] = {
		{"dependencies", AR_NPM_DEP_RUNTIME},
		{"devDependencies", AR_NPM_DEP_DEV},
		{"peerDependencies", AR_NPM_DEP_PEER},
		{"optionalDependencies", AR_NPM_DEP_OPTIONAL},
	};
	size_t n = 0;
	for (size_t f = 0; f < 4; f++) {
		json_t *o = json_object_get(manifest, fields[f].key);
		if (json_is_object(o))
			n += json_object_size(o);
	}
	struct ar_npm_dep *deps = ar_alloc_array(a, n ? n : 1, sizeof *deps);
	*n_out = 0;
	for (size_t f = 0; f < 4; f++) {
		json_t *o = json_object_get(manifest, fields[f].key), *v;
		const char *k;
		if (!json_is_object(o))
			continue;
		json_object_foreach(o, k, v)
		{
			if (json_is_string(v))
				deps[(*n_out)++] = (struct ar_npm_dep){k, json_string_value(v), fields[f].type};
		}
	}
	*out = deps;
}

static int fill_from_package_json(struct ar_npm_tarball *t, struct ar_arena *a, const struct slot *s,
				  struct ar_err *err)
{
	struct ar_err why = {0};
	const char *text = s->package_json;
	size_t len = s->package_json_len;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) /* npm's JSON reader skips a BOM */
		text += 3, len -= 3;
	if (ar_json_parse_object(&t->package_json, a, text, len, &why))
		return ar_fail(err, AR_EINVAL, "package.json: %s", why.msg);
	json_t *pj = t->package_json;
	t->name = ar_json_str(pj, "name");
	t->version = ar_json_str(pj, "version");
	if (!t->name || !t->version)
		return ar_fail(err, AR_EINVAL, "package.json has no name or version");
	t->description = ar_json_str(pj, "description");
	t->homepage = ar_json_str(pj, "homepage");
	t->license = license_of(a, pj);
	json_t *repo = json_object_get(pj, "repository");
	t->repository = json_is_object(repo) ? ar_json_str(repo, "url") : json_text(repo);
	ar_npm_manifest_deps(&t->deps, &t->n_deps, a, pj);
	if (s->readme && utf8_text((const unsigned char *)s->readme, s->readme_len)) {
		t->readme = s->readme;
		t->readme_len = s->readme_len;
		t->readme_filename = s->readme_name;
		t->readme_truncated = s->readme_truncated;
	}
	return 0;
}

/* The slot an entry's top directory belongs to: "package", else the first other one seen. */
static struct slot *slot_for(struct slot slots[2], struct ar_arena *a, const char *top, size_t top_len)
{
	if (top_len == 7 && memcmp(top, "package", 7) == 0)
		return &slots[0];
	if (!slots[1].top)
		slots[1].top = ar_strndup(a, top, top_len);
	if (strlen(slots[1].top) == top_len && memcmp(slots[1].top, top, top_len) == 0)
		return &slots[1];
	return NULL;
}

static int visit_entry(struct slot slots[2], struct archive *ar, struct archive_entry *e, struct ar_arena *a,
		       struct ar_err *err)
{
	const char *path = archive_entry_pathname_utf8(e);
	if (!path)
		path = archive_entry_pathname(e);
	if (!path)
		return 0;
	while (path[0] == '/' || (path[0] == '.' && path[1] == '/'))
		path += path[0] == '/' ? 1 : 2;
	const char *slash = strchr(path, '/');
	if (!slash || slash == path)
		return 0; /* npm strips the first component; a file at the archive root vanishes */
	const char *rel = slash + 1;
	struct slot *s = slot_for(slots, a, path, (size_t)(slash - path));
	if (!s || strchr(rel, '/'))
		return 0;
	int64_t size = archive_entry_size(e);
	if (strcmp(rel, "package.json") == 0) {
		if (s->package_json) /* npm would keep the last; refuse rather than check the wrong one */
			return ar_fail(err, AR_EINVAL, "tarball has more than one package.json");
		if (size > (int64_t)AR_NPM_PACKAGE_JSON_MAX)
			return ar_fail(err, AR_ETOOBIG, "package.json larger than %zu bytes", AR_NPM_PACKAGE_JSON_MAX);
		char *buf;
		bool truncated = false;
		int rc = read_entry(&buf, &s->package_json_len, &truncated, ar, a, size, AR_NPM_PACKAGE_JSON_MAX, err);
		if (rc)
			return rc;
		if (truncated)
			return ar_fail(err, AR_ETOOBIG, "package.json larger than %zu bytes", AR_NPM_PACKAGE_JSON_MAX);
		s->package_json = buf;
		return 0;
	}
	int rank = readme_rank(rel);
	if (rank > s->readme_rank) {
		char *buf;
		size_t n;
		bool truncated = false;
		int rc = read_entry(&buf, &n, &truncated, ar, a, size, AR_NPM_README_MAX, err);
		if (rc)
			return rc;
		if (truncated)
			n = utf8_boundary((const unsigned char *)buf, n);
		buf[n] = '\0';
		s->readme = buf;
		s->readme_len = n;
		s->readme_name = ar_strdup(a, rel);
		s->readme_rank = rank;
		s->readme_truncated = truncated;
	}
	return 0;
}

int ar_npm_read_tarball(struct ar_npm_tarball *out, struct ar_arena *a, const void *data, size_t len,
			struct ar_err *err)
{
	struct ar_npm_tarball t = {0};
	struct slot slots[2] = {{0}};
	int rc = 0;
	if (len > AR_NPM_TARBALL_MAX)
		return ar_fail(err, AR_ETOOBIG, "tarball larger than %zu bytes", AR_NPM_TARBALL_MAX);
	if (len == 0)
		return ar_fail(err, AR_EINVAL, "empty tarball");
	/* Only gzip: libarchive's other filters include ones that run external programs. */
	struct archive *ar = archive_read_new();
	archive_read_support_filter_gzip(ar);
	archive_read_support_format_tar(ar);
	if (archive_read_open_memory(ar, data, len) != ARCHIVE_OK) {
		rc = ar_fail(err, AR_EINVAL, "corrupt tarball: %s", archive_error_string(ar));
		goto done;
	}
	for (size_t entries = 0;; entries++) {
		struct archive_entry *e;
		int r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = ar_fail(err, AR_EINVAL, "corrupt tarball: %s", archive_error_string(ar));
			goto done;
		}
		if (entries >= AR_NPM_TARBALL_ENTRIES_MAX) {
			rc = ar_fail(err, AR_ETOOBIG, "tarball has more than %d entries", AR_NPM_TARBALL_ENTRIES_MAX);
			goto done;
		}
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		int64_t size = archive_entry_size(e);
		if (size < 0 || (uint64_t)size > AR_NPM_UNPACKED_MAX - t.unpacked_size) {
			rc = ar_fail(err, AR_ETOOBIG, "tarball unpacks to more than %llu bytes",
				     (unsigned long long)AR_NPM_UNPACKED_MAX);
			goto done;
		}
		t.unpacked_size += (uint64_t)size;
		t.n_files++;
		rc = visit_entry(slots, ar, e, a, err);
		if (rc)
			goto done;
	}
	const struct slot *s = slots[0].package_json ? &slots[0] : &slots[1];
	if (!s->package_json) {
		rc = ar_fail(err, AR_EINVAL, "tarball has no package/package.json");
		goto done;
	}
	rc = fill_from_package_json(&t, a, s, err);
	if (rc == 0)
		*out = t;
done:
	archive_read_free(ar);
	return rc;
}

/* ---- PUT /{pkg} bodies ---- */

static bool b64_digest_eq(struct ar_arena *a, const char *b64, size_t b64_len, const char *hex)
{
	size_t n = strlen(hex) / 2;
	unsigned char raw[64];
	if (n > sizeof raw || !ar_unhex(raw, hex, n))
		return false;
	const char *ours = ar_b64_encode(a, raw, n);
	return strlen(ours) == b64_len && memcmp(ours, b64, b64_len) == 0;
}

/* Verifies an SSRI string the way ssri does: only the strongest algorithm present counts, and any
   one of its digests matching is enough. */
static int check_integrity(struct ar_arena *a, const char *ssri, const struct ar_hashes *h, const unsigned char *data,
			   size_t len, struct ar_err *err)
{
	static const char *const algos[] = {"sha512", "sha384", "sha256", "sha1"};
	const char *hex[4] = {h->sha512, NULL, h->sha256, h->sha1};
	int strongest = 4;
	/* First pass: the strongest algorithm any token names. */
	for (int pass = 0; pass < 2; pass++) {
		const char *p = ssri;
		while (*p) {
			while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
				p++;
			const char *tok = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
				p++;
			const char *dash = memchr(tok, '-', (size_t)(p - tok));
			if (!dash)
				continue;
			int k = 0;
			for (; k < 4; k++)
				if ((size_t)(dash - tok) == strlen(algos[k]) &&
				    memcmp(tok, algos[k], strlen(algos[k])) == 0)
					break;
			if (k == 4)
				continue; /* unknown algorithms are ignored, as ssri does */
			if (pass == 0) {
				if (k < strongest)
					strongest = k;
				continue;
			}
			if (k != strongest)
				continue;
			const char *digest = dash + 1, *q = memchr(digest, '?', (size_t)(p - digest));
			size_t dlen = (size_t)((q ? q : p) - digest);
			if (b64_digest_eq(a, digest, dlen, hex[k]))
				return 0;
		}
		if (pass == 0) {
			if (strongest == 4)
				return ar_fail(err, AR_EINVAL, "dist.integrity names no supported hash algorithm");
			if (strongest == 1) {
				/* sha384 is rare enough not to be in every ar_hashes; compute it only here */
				unsigned char raw[48];
				unsigned int n = sizeof raw;
				char *x = ar_alloc(a, 2 * sizeof raw + 1);
				EVP_Digest(data, len, raw, &n, EVP_sha384(), NULL);
				ar_hex(x, raw, sizeof raw);
				hex[1] = x;
			}
		}
	}
	return ar_fail(err, AR_EINVAL, "integrity mismatch: dist.integrity does not match the tarball");
}

static int parse_tags(struct ar_npm_publish *out, struct ar_arena *a, json_t *tags, struct ar_err *err)
{
	if (!tags)
		return 0;
	if (!json_is_object(tags))
		return ar_fail(err, AR_EINVAL, "dist-tags must be an object");
	out->has_tags = true;
	out->tags = ar_alloc_array(a, json_object_size(tags) + 1, sizeof *out->tags);
	const char *k;
	json_t *v;
	json_object_foreach(tags, k, v)
	{
		const char *why;
		if (!ar_npm_tag_valid(k, &why))
			return ar_fail(err, AR_EINVAL, "dist-tags: %s", why);
		if (!json_is_string(v))
			return ar_fail(err, AR_EINVAL, "dist-tags values must be version strings");
		out->tags[out->n_tags++] = (struct ar_npm_tag){k, json_string_value(v)};
	}
	return 0;
}

static int parse_versions(struct ar_npm_publish *out, struct ar_arena *a, json_t *versions, struct ar_err *err)
{
	if (!versions)
		return 0;
	if (!json_is_object(versions))
		return ar_fail(err, AR_EINVAL, "versions must be an object");
	out->has_versions = true;
	out->versions = ar_alloc_array(a, json_object_size(versions) + 1, sizeof *out->versions);
	const char *k;
	json_t *v;
	json_object_foreach(versions, k, v)
	{
		if (!*k || !json_is_object(v))
			return ar_fail(err, AR_EINVAL, "versions must map versions to manifests");
		json_t *dep = json_object_get(v, "deprecated");
		if (dep && !json_is_string(dep) && !json_is_null(dep))
			return ar_fail(err, AR_EINVAL, "deprecated must be a string");
		out->versions[out->n_versions++] = (struct ar_npm_version_meta){k, json_text(dep)};
	}
	return 0;
}

static const char *only_key(json_t *obj, json_t **value)
{
	void *it = json_object_iter(obj);
	*value = json_object_iter_value(it);
	return json_object_iter_key(it);
}

/* The checks that need the attachment: decoding, hashes, and the tarball against the manifest. */
static int parse_attachment(struct ar_npm_publish *out, struct ar_arena *a, json_t *atts, struct ar_err *err)
{
	if (json_object_size(atts) != 1)
		return ar_fail(err, AR_EINVAL, "a publish must carry exactly one attachment");
	json_t *att;
	out->attachment = only_key(atts, &att);
	const char *scoped = ar_printf(a, "%s-%s.tgz", out->name, out->version);
	const char *bare = ar_npm_tarball_filename(a, out->name, out->version);
	if (strcmp(out->attachment, scoped) != 0 && strcmp(out->attachment, bare) != 0)
		return ar_fail(err, AR_EINVAL, "attachment must be named %s", scoped);
	if (!json_is_object(att))
		return ar_fail(err, AR_EINVAL, "attachment must be an object");
	json_t *data = json_object_get(att, "data"), *length = json_object_get(att, "length");
	if (!json_is_string(data))
		return ar_fail(err, AR_EINVAL, "attachment has no base64 data");
	size_t b64_len = json_string_length(data);
	if (b64_len > (AR_NPM_TARBALL_MAX + 2) / 3 * 4)
		return ar_fail(err, AR_ETOOBIG, "tarball larger than %zu bytes", AR_NPM_TARBALL_MAX);
	size_t n;
	unsigned char *tgz = ar_b64_decode(a, json_string_value(data), b64_len, &n);
	if (!tgz)
		return ar_fail(err, AR_EINVAL, "attachment data is not valid base64");
	if (n == 0)
		return ar_fail(err, AR_EINVAL, "attachment is empty");
	if (n > AR_NPM_TARBALL_MAX)
		return ar_fail(err, AR_ETOOBIG, "tarball larger than %zu bytes", AR_NPM_TARBALL_MAX);
	if (length && (!json_is_integer(length) || json_integer_value(length) < 0 ||
		       (uint64_t)json_integer_value(length) != (uint64_t)n))
		return ar_fail(err, AR_EINVAL, "attachment length %lld does not match its %zu decoded bytes",
			       json_is_integer(length) ? (long long)json_integer_value(length) : -1LL, n);
	out->tarball = tgz;
	out->tarball_len = n;

	struct ar_hasher *h = ar_hasher_new();
	ar_hasher_update(h, tgz, n);
	ar_hasher_final(h, &out->hashes);
	out->integrity = ar_npm_integrity_sha512_hex(a, out->hashes.sha512);

	json_t *dist = json_object_get(out->manifest, "dist");
	if (dist && !json_is_object(dist))
		return ar_fail(err, AR_EINVAL, "dist must be an object");
	const char *shasum = ar_json_str(dist, "shasum"), *integrity = ar_json_str(dist, "integrity");
	if (shasum && strcasecmp(shasum, out->hashes.sha1) != 0)
		return ar_fail(err, AR_EINVAL, "integrity mismatch: dist.shasum does not match the tarball");
	if (integrity) {
		int rc = check_integrity(a, integrity, &out->hashes, tgz, n, err);
		if (rc)
			return rc;
	}

	int rc = ar_npm_read_tarball(&out->info, a, tgz, n, err);
	if (rc)
		return rc;
	char *tv = ar_semver_clean(a, out->info.version), *mv = ar_semver_clean(a, out->version);
	if (strcmp(out->info.name, out->name) != 0)
		return ar_fail(err, AR_EINVAL, "tarball package.json names a different package");
	if (!tv || strcmp(tv, mv) != 0)
		return ar_fail(err, AR_EINVAL, "tarball package.json has a different version");
	return 0;
}

int ar_npm_parse_publish(struct ar_npm_publish *out, struct ar_arena *a, const char *url_name, const char *body,
			 size_t len, struct ar_err *err)
{
	struct ar_npm_publish p = {0};
	json_t *doc;
	if (len > AR_NPM_PUBLISH_BODY_MAX)
		return ar_fail(err, AR_ETOOBIG, "publish body larger than %zu bytes", AR_NPM_PUBLISH_BODY_MAX);
	int rc = ar_npm_split_name(&p.ns, &p.pkg, a, url_name, err);
	if (rc)
		return rc;
	rc = ar_json_parse_object(&doc, a, body, len, err);
	if (rc)
		return rc;
	p.doc = doc;
	p.name = ar_strdup(a, url_name);

	json_t *name = json_object_get(doc, "name"), *id = json_object_get(doc, "_id");
	if (name && (!json_is_string(name) || strcmp(json_string_value(name), url_name) != 0))
		return ar_fail(err, AR_EINVAL, "body name does not match the package in the URL");
	if (id && (!json_is_string(id) || strcmp(json_string_value(id), url_name) != 0))
		return ar_fail(err, AR_EINVAL, "body _id does not match the package in the URL");
	p.description = ar_json_str(doc, "description");
	p.readme = ar_json_str(doc, "readme");
	p.access = ar_json_str(doc, "access");
	p.rev = ar_json_str(doc, "_rev");
	if ((rc = parse_tags(&p, a, json_object_get(doc, "dist-tags"), err)) ||
	    (rc = parse_versions(&p, a, json_object_get(doc, "versions"), err)))
		return rc;

	json_t *atts = json_object_get(doc, "_attachments");
	if (atts && !json_is_object(atts) && !json_is_null(atts))
		return ar_fail(err, AR_EINVAL, "_attachments must be an object");
	if (!json_is_object(atts) || json_object_size(atts) == 0) {
		p.kind = AR_NPM_PUT_METADATA;
		*out = p;
		return 0;
	}

	p.kind = AR_NPM_PUT_PUBLISH;
	if (!name)
		return ar_fail(err, AR_EINVAL, "publish body has no name");
	if (p.n_versions != 1)
		return ar_fail(err, AR_EINVAL, "a publish must carry exactly one version");
	p.version = only_key(json_object_get(doc, "versions"), &p.manifest);
	struct ar_semver v;
	if (ar_semver_parse(&v, p.version, strlen(p.version), false, err))
		return ar_fail(err, AR_EINVAL, "version %.64s is not valid SemVer", p.version);
	const char *mname = ar_json_str(p.manifest, "name"), *mver = ar_json_str(p.manifest, "version");
	if (!mname || strcmp(mname, url_name) != 0)
		return ar_fail(err, AR_EINVAL, "manifest name does not match the package in the URL");
	if (!mver || strcmp(mver, p.version) != 0)
		return ar_fail(err, AR_EINVAL, "manifest version does not match its versions key");
	for (size_t i = 0; i < p.n_tags; i++)
		if (strcmp(p.tags[i].version, p.version) != 0)
			return ar_fail(err, AR_EINVAL, "dist-tag %.64s must point at the published version",
				       p.tags[i].tag);
	rc = parse_attachment(&p, a, atts, err);
	if (rc)
		return rc;
	*out = p;
	return 0;
}
