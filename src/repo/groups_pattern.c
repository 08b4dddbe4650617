/* repo/groups_pattern.c - package group patterns: parsing, matching, containment, specificity */
#include "repo/groups.h"
#include "repo/groups_int.h"

#include "core/text.h"
#include "repo/names.h"

#include <string.h>

/* Formats whose packages never have a namespace, and formats whose named packages always do. */
static const char *const no_namespace_formats[] = {"pypi", "nuget", "cargo", "ruby", NULL};
static const char *const namespaced_formats[] = {"maven", "generic", "swift", NULL};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_sep(char c)
{
	return c == '-' || c == '.' || c == '_';
}

/* Lowercases ASCII and replaces each run of '-', '.', '_' by sep (0 keeps separators as they are). */
static char *fold(struct ar_arena *a, const char *s, char sep)
{
	size_t n = strlen(s), w = 0;
	char *out = ar_alloc(a, n + 1);
	for (size_t i = 0; i < n; i++) {
		if (sep && is_sep(s[i])) {
			if (i == 0 || !is_sep(s[i - 1]))
				out[w++] = sep;
			continue;
		}
		out[w++] = ascii_lower(s[i]);
	}
	out[w] = '\0';
	return out;
}

char *ar_group_weak(struct ar_arena *a, const char *s)
{
	return fold(a, s, '.');
}

void ar_group_normalize(struct ar_arena *a, const char *format, const char **ns, const char **name)
{
	if (!*ns)
		*ns = "";
	if (strcmp(format, "pypi") == 0) {
		*name = fold(a, *name, '-'); /* PEP 503 */
	} else if (strcmp(format, "nuget") == 0) {
		*name = fold(a, *name, 0);
	} else if (strcmp(format, "swift") == 0) {
		*ns = fold(a, *ns, 0);
		*name = fold(a, *name, 0);
	}
}

/* --- words --------------------------------------------------------------------------------------- */

/* The code point at s (length in *len); malformed UTF-8 counts as one byte U+FFFD. */
static uint32_t code_point(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = p[0] < 0x80		   ? 1
		   : (p[0] & 0xE0) == 0xC0 ? 2
		   : (p[0] & 0xF0) == 0xE0 ? 3
		   : (p[0] & 0xF8) == 0xF0 ? 4
					   : 0;
	if (n == 1) {
		*len = 1;
		return p[0];
	}
	uint32_t cp = n == 2 ? p[0] & 0x1F : n == 3 ? p[0] & 0x0F : p[0] & 0x07;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			n = 0;
			break;
		}
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if (n == 0) {
		*len = 1;
		return 0xFFFD;
	}
	*len = n;
	return cp;
}

/* Whether cp continues a word ([\p{L}\p{N}\p{M}]). Exact for ASCII; beyond it, the punctuation,
   symbol and space blocks listed here are non-word and everything else counts as a letter. */
static bool is_word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
	if (cp >= 0x80 && cp <= 0xBF) /* Latin-1 controls, punctuation, symbols; a few letters and digits */
		return cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 || cp == 0xB9 || cp == 0xBA ||
		       (cp >= 0xBC && cp <= 0xBE);
	if (cp == 0xD7 || cp == 0xF7)
		return false;
	if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x3003) || (cp >= 0x3008 && cp <= 0x3020) ||
	    cp == 0xFEFF || cp == 0xFFFD)
		return false;
	return true;
}

static bool word_starts_at(const char *s)
{
	size_t len;
	return *s && is_word_cp(code_point(s, &len));
}

/* Whether the last code point of s (non-empty) is a word character. */
static bool ends_with_word(const char *s)
{
	size_t n = strlen(s);
	if (n == 0)
		return false;
	size_t i = n - 1;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return word_starts_at(s + i);
}

/* `prefix~` matches value: value starts with prefix and does not continue the word there. */
static bool prefix_matches(const char *prefix, const char *value)
{
	size_t n = strlen(prefix);
	return strncmp(prefix, value, n) == 0 && !word_starts_at(value + n);
}

/* --- parsing ------------------------------------------------------------------------------------- */

const char *ar_group_shorten(struct ar_arena *a, const char *s)
{
	size_t n = strlen(s);
	if (n <= 100)
		return s;
	n = 97;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--; /* s[n] starts a character: cut before it */
	return ar_printf(a, "%.*s...", (int)n, s);
}

#define SHAPES                                                                                                         \
	"the allowed shapes are /*, /FORMAT/*, /FORMAT/NAMESPACE~, /FORMAT/NAMESPACE/*, /FORMAT/NAMESPACE/NAME~ "      \
	"and /FORMAT/NAMESPACE/NAME$"

static size_t count_code_points(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A namespace or name (or prefix) inside a pattern: at most 255 bytes, none of # * $ ~. */
static int check_literal(const char *pattern, const char *what, const char *v, bool required, struct ar_err *err)
{
	if (required && !*v)
		return ar_fail(err, AR_EINVAL, "Invalid package group pattern '%s': the %s must not be empty", pattern,
			       what);
	if (strlen(v) > 255)
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': the %s is longer than 255 characters", pattern,
			       what);
	const char *bad = strpbrk(v, "#*$~");
	if (bad)
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': '%c' may not appear in a %s (only '*', '~' or '$' "
			       "ends a pattern)",
			       pattern, *bad, what);
	return 0;
}

/* pypi, nuget and swift patterns must use the names CodeArtifact stores. */
static int check_normalized(const char *pattern, struct ar_arena *a, const struct ar_group_pattern *p,
			    struct ar_err *err)
{
	if (!p->format)
		return 0;
	const char *ns = p->ns ? p->ns : "", *name = p->name ? p->name : "";
	const char *norm_ns = ns, *norm_name = name;
	ar_group_normalize(a, p->format, &norm_ns, &norm_name);
	if (strcmp(ns, norm_ns) != 0)
		return ar_fail(
			err, AR_EINVAL,
			"Invalid package group pattern '%s': %s namespaces must be normalized (lowercase): use '%s'",
			pattern, p->format, norm_ns);
	if (strcmp(name, norm_name) != 0)
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': %s names must be normalized%s: use '%s'", pattern,
			       p->format,
			       strcmp(p->format, "pypi") == 0 ? " (lowercase, runs of '-', '_', '.' as one '-')"
							      : " (lowercase)",
			       norm_name);
	return 0;
}

int ar_group_parse(struct ar_group_pattern *out, struct ar_arena *a, const char *pattern, struct ar_err *err)
{
	memset(out, 0, sizeof *out);
	size_t len = strlen(pattern), chars = count_code_points(pattern);
	/* Messages quote the pattern shortened, so that the reason after it always fits. */
	const char *input = pattern;
	pattern = ar_group_shorten(a, input);
	if (!ar_is_nonspace_utf8(input, len))
		return ar_fail(
			err, AR_EINVAL,
			"Invalid package group pattern: it must be UTF-8 without whitespace or control characters");
	if (chars < 2 || chars > AR_GROUP_PATTERN_MAX)
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': it must be between 2 and %d characters long",
			       pattern, AR_GROUP_PATTERN_MAX);
	if (input[0] != '/')
		return ar_fail(err, AR_EINVAL, "Invalid package group pattern '%s': it must start with '/'; " SHAPES,
			       pattern);
	char suffix = input[len - 1];
	if (suffix != '*' && suffix != '~' && suffix != '$')
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': it must end with '*', '~' or '$'; " SHAPES,
			       pattern);
	/* The components between the leading '/' and the suffix. */
	const char *body = ar_strndup(a, input + 1, len - 2);
	size_t body_len = len - 2;
	if (suffix == '*') {
		if (body_len == 0) {
			out->shape = AR_GROUP_ALL;
			return 0;
		}
		if (body[body_len - 1] != '/')
			return ar_fail(err, AR_EINVAL,
				       "Invalid package group pattern '%s': '*' must follow a '/'; " SHAPES, pattern);
		body = ar_strndup(a, body, body_len - 1);
	} else if (body_len == 0 || body[body_len - 1] == '/') {
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': '%c' must follow a %s, not '/'; " SHAPES, pattern,
			       suffix, suffix == '~' ? "namespace or name prefix" : "name");
	}
	const char *comp[3];
	size_t n_comp = 0;
	for (const char *p = body;;) {
		const char *slash = strchr(p, '/');
		if (n_comp == 3)
			return ar_fail(err, AR_EINVAL,
				       "Invalid package group pattern '%s': too many '/' segments; " SHAPES, pattern);
		comp[n_comp++] = slash ? ar_strndup(a, p, (size_t)(slash - p)) : p;
		if (!slash)
			break;
		p = slash + 1;
	}
	if (suffix == '*' && n_comp == 1)
		out->shape = AR_GROUP_FORMAT;
	else if (suffix == '*' && n_comp == 2)
		out->shape = AR_GROUP_NS;
	else if (suffix == '~' && n_comp == 2)
		out->shape = AR_GROUP_NS_PREFIX;
	else if (suffix == '~' && n_comp == 3)
		out->shape = AR_GROUP_NAME_PREFIX;
	else if (suffix == '$' && n_comp == 3)
		out->shape = AR_GROUP_NAME;
	else if (suffix == '*')
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': '*' matches a whole component, so it may follow "
			       "only a format or a namespace; " SHAPES,
			       pattern);
	else if (suffix == '~')
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': '~' ends a namespace or name prefix, not a "
			       "format; " SHAPES,
			       pattern);
	else
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': '$' needs a format, a namespace (empty when the "
			       "package has none) and a name, as in /npm//left-pad$; " SHAPES,
			       pattern);
	out->format = comp[0];
	if (!ar_format_valid(out->format))
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': unknown package format '%s' (npm, pypi, maven, "
			       "nuget, generic, ruby, swift, cargo)",
			       pattern, ar_group_shorten(a, out->format));
	int rc;
	if (n_comp >= 2) {
		out->ns = comp[1];
		if ((rc = check_literal(pattern, out->shape == AR_GROUP_NS_PREFIX ? "namespace prefix" : "namespace",
					out->ns, out->shape == AR_GROUP_NS_PREFIX, err)))
			return rc;
	}
	if (n_comp == 3) {
		out->name = comp[2];
		if ((rc = check_literal(pattern, out->shape == AR_GROUP_NAME_PREFIX ? "name prefix" : "name", out->name,
					true, err)))
			return rc;
	}
	const char *prefix = out->shape == AR_GROUP_NS_PREFIX	  ? out->ns
			     : out->shape == AR_GROUP_NAME_PREFIX ? out->name
								  : NULL;
	if (prefix && !ends_with_word(prefix))
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': '~' matches on a word boundary, so it must follow "
			       "a letter or digit",
			       pattern);
	if (in_list(no_namespace_formats, out->format) && out->ns && *out->ns)
		return ar_fail(err, AR_EINVAL,
			       "Invalid package group pattern '%s': %s packages have no namespace, so the namespace "
			       "segment must be empty, as in /%s//NAME$",
			       pattern, out->format, out->format);
	if (in_list(namespaced_formats, out->format) && out->name && !*out->ns)
		return ar_fail(
			err, AR_EINVAL,
			"Invalid package group pattern '%s': %s packages have a namespace, so a pattern that names "
			"a package must name its namespace too, as in /%s/NAMESPACE/NAME$",
			pattern, out->format, out->format);
	return check_normalized(pattern, a, out, err);
}

/* --- matching ------------------------------------------------------------------------------------ */

bool ar_group_match_forms(const struct ar_group_pattern *p, const char *pns, const char *pname, const char *format,
			  const char *ns, const char *name)
{
	if (p->shape == AR_GROUP_ALL)
		return true;
	if (strcmp(p->format, format) != 0)
		return false;
	switch (p->shape) {
	case AR_GROUP_FORMAT: return true;
	case AR_GROUP_NS_PREFIX: return prefix_matches(pns, ns);
	case AR_GROUP_NS: return strcmp(pns, ns) == 0;
	case AR_GROUP_NAME_PREFIX: return strcmp(pns, ns) == 0 && prefix_matches(pname, name);
	case AR_GROUP_NAME: return strcmp(pns, ns) == 0 && strcmp(pname, name) == 0;
	default: return false;
	}
}

bool ar_group_matches(const struct ar_group_pattern *p, struct ar_arena *a, const char *format, const char *ns,
		      const char *name, bool weak)
{
	if (!ns)
		ns = "";
	if (!weak || p->shape <= AR_GROUP_FORMAT)
		return ar_group_match_forms(p, p->ns, p->name, format, ns, name);
	return ar_group_match_forms(p, ar_group_weak(a, p->ns), p->name ? ar_group_weak(a, p->name) : NULL, format,
				    ar_group_weak(a, ns), ar_group_weak(a, name));
}

bool ar_group_contains(const struct ar_group_pattern *outer, const struct ar_group_pattern *inner)
{
	if (outer->shape == AR_GROUP_ALL)
		return true;
	if (inner->shape == AR_GROUP_ALL || strcmp(outer->format, inner->format) != 0)
		return false;
	switch (outer->shape) {
	case AR_GROUP_FORMAT: return true;
	case AR_GROUP_NS_PREFIX: return inner->shape >= AR_GROUP_NS_PREFIX && prefix_matches(outer->ns, inner->ns);
	case AR_GROUP_NS: return inner->shape >= AR_GROUP_NS && strcmp(outer->ns, inner->ns) == 0;
	case AR_GROUP_NAME_PREFIX:
		return inner->shape >= AR_GROUP_NAME_PREFIX && strcmp(outer->ns, inner->ns) == 0 &&
		       prefix_matches(outer->name, inner->name);
	case AR_GROUP_NAME:
		return inner->shape == AR_GROUP_NAME && strcmp(outer->ns, inner->ns) == 0 &&
		       strcmp(outer->name, inner->name) == 0;
	default: return false;
	}
}

/* Longer prefixes match less: within one shape, the prefix length orders specificity. */
static size_t prefix_len(const struct ar_group_pattern *p)
{
	if (p->shape == AR_GROUP_NS_PREFIX)
		return strlen(p->ns);
	if (p->shape == AR_GROUP_NAME_PREFIX)
		return strlen(p->name);
	return 0;
}

int ar_group_specificity_cmp(const struct ar_group_pattern *a, const struct ar_group_pattern *b)
{
	if (a->shape != b->shape)
		return a->shape < b->shape ? -1 : 1;
	size_t la = prefix_len(a), lb = prefix_len(b);
	return la < lb ? -1 : la > lb ? 1 : 0;
}
