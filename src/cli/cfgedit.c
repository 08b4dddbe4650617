/* cli/cfgedit.c - line-based edits of INI and TOML configuration files */
#include "cli/cfgedit.h"

#include "core/buf.h"
#include "core/mem.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A file as lines (without their '\n'), and which of them to keep. */
struct lines {
	struct ar_str *v;
	bool *drop;
	size_t n;
};

static void split_lines(struct lines *l, struct ar_arena *a, const char *text)
{
	size_t cap = 0;
	l->v = NULL;
	l->n = 0;
	for (const char *p = text ? text : ""; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		l->v = ar_grow(a, l->v, &cap, l->n, sizeof *l->v);
		l->v[l->n++] = (struct ar_str){p, len};
		p += len + (nl ? 1 : 0);
	}
	l->drop = ar_alloc_array(a, l->n + 1, sizeof *l->drop);
}

/* The kept lines, each ending in '\n'. */
static char *join_lines(struct ar_arena *a, const struct lines *l)
{
	struct ar_buf b;
	ar_buf_init(&b, 0);
	ar_buf_adds(&b, "");
	for (size_t i = 0; i < l->n; i++) {
		if (l->drop[i])
			continue;
		ar_buf_add(&b, l->v[i].ptr, l->v[i].len);
		ar_buf_addch(&b, '\n');
	}
	char *s = ar_strndup(a, b.ptr, b.len);
	ar_buf_release(&b);
	return s;
}

static struct ar_str trim(struct ar_str s)
{
	while (s.len && isspace((unsigned char)s.ptr[0])) {
		s.ptr++;
		s.len--;
	}
	while (s.len && isspace((unsigned char)s.ptr[s.len - 1]))
		s.len--;
	return s;
}

static bool is_blank(struct ar_str s)
{
	return trim(s).len == 0;
}

/* --- INI --- */

static bool ini_is_comment(struct ar_str s)
{
	struct ar_str t = trim(s);
	return t.len && (t.ptr[0] == '#' || t.ptr[0] == ';');
}

/* "[name]" at the start of the line (configparser's SECTCRE): the name, or len 0. */
static struct ar_str ini_section(struct ar_str s)
{
	if (s.len < 3 || s.ptr[0] != '[')
		return (struct ar_str){NULL, 0};
	const char *close = memchr(s.ptr, ']', s.len);
	if (!close || close == s.ptr + 1)
		return (struct ar_str){NULL, 0};
	return (struct ar_str){s.ptr + 1, (size_t)(close - s.ptr - 1)};
}

static bool ini_key_eq(struct ar_str k, const char *key)
{
	size_t n = strlen(key);
	if (k.len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char x = (char)tolower((unsigned char)k.ptr[i]), y = (char)tolower((unsigned char)key[i]);
		if (x == '_')
			x = '-';
		if (y == '_')
			y = '-';
		if (x != y)
			return false;
	}
	return true;
}

/* The key of an option line ("key = v" or "key: v"), or len 0 for anything else. */
static struct ar_str ini_key(struct ar_str s)
{
	if (!s.len || isspace((unsigned char)s.ptr[0]) || ini_is_comment(s) || s.ptr[0] == '[')
		return (struct ar_str){NULL, 0};
	for (size_t i = 0; i < s.len; i++)
		if (s.ptr[i] == '=' || s.ptr[i] == ':')
			return trim((struct ar_str){s.ptr, i});
	return (struct ar_str){NULL, 0};
}

/* Lines after i that continue its value: indented, not blank. Returns the index after the last. */
static size_t ini_value_end(const struct lines *l, size_t i)
{
	size_t j = i + 1;
	while (j < l->n && l->v[j].len && isspace((unsigned char)l->v[j].ptr[0]) && !is_blank(l->v[j]))
		j++;
	return j;
}

/* [start, end) of the section's lines after its header; false when there is no such section. */
static bool ini_find_section(const struct lines *l, const char *section, size_t *start, size_t *end)
{
	*start = *end = l->n;
	for (size_t i = 0; i < l->n; i++) {
		struct ar_str name = ini_section(l->v[i]);
		if (name.len && ar_str_eq(name, section)) {
			size_t j = i + 1;
			while (j < l->n && !ini_section(l->v[j]).len)
				j++;
			*start = i + 1;
			*end = j;
			return true;
		}
	}
	return false;
}

char *ar_cfgedit_ini_get(struct ar_arena *a, const char *text, const char *section, const char *key)
{
	struct lines l;
	size_t start, end;
	split_lines(&l, a, text);
	ini_find_section(&l, section, &start, &end);
	for (size_t i = start; i < end; i++) {
		struct ar_str k = ini_key(l.v[i]);
		if (!k.len || !ini_key_eq(k, key))
			continue;
		struct ar_buf b;
		ar_buf_init(&b, 0);
		ar_buf_adds(&b, "");
		const char *delim = k.ptr + k.len;
		while (*delim != '=' && *delim != ':')
			delim++;
		struct ar_str first = trim((struct ar_str){delim + 1, l.v[i].len - (size_t)(delim + 1 - l.v[i].ptr)});
		ar_buf_add(&b, first.ptr, first.len);
		for (size_t j = i + 1; j < ini_value_end(&l, i); j++) {
			struct ar_str t = trim(l.v[j]);
			if (b.len)
				ar_buf_addch(&b, '\n');
			ar_buf_add(&b, t.ptr, t.len);
		}
		char *s = ar_strndup(a, b.ptr, b.len);
		ar_buf_release(&b);
		return s;
	}
	return NULL;
}

static void add_ini_option(struct ar_buf *b, const char *key, const char *value)
{
	ar_buf_printf(b, "%s =", key);
	const char *p = value;
	bool first = true;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len || !first) {
			ar_buf_adds(b, first ? " " : "\n\t");
			ar_buf_add(b, p, len);
		}
		first = false;
		if (!nl)
			break;
		p = nl + 1;
	}
	ar_buf_addch(b, '\n');
}

char *ar_cfgedit_ini_set(struct ar_arena *a, const char *text, const char *section, const char *key, const char *value)
{
	struct lines l;
	size_t start, end, at = SIZE_MAX;
	split_lines(&l, a, text);
	bool found = ini_find_section(&l, section, &start, &end);
	for (size_t i = start; i < end; i++) {
		struct ar_str k = ini_key(l.v[i]);
		if (!k.len || !ini_key_eq(k, key))
			continue;
		if (at == SIZE_MAX)
			at = i;
		for (size_t j = i; j < ini_value_end(&l, i); j++)
			l.drop[j] = true;
	}
	if (at == SIZE_MAX && found) {
		/* after the section's last non-blank line */
		at = end;
		while (at > start && is_blank(l.v[at - 1]))
			at--;
	}
	struct ar_buf b;
	ar_buf_init(&b, 0);
	ar_buf_adds(&b, "");
	for (size_t i = 0; i <= l.n; i++) {
		if (i == at)
			add_ini_option(&b, key, value);
		if (i == l.n)
			break;
		if (l.drop[i])
			continue;
		ar_buf_add(&b, l.v[i].ptr, l.v[i].len);
		ar_buf_addch(&b, '\n');
	}
	if (at == SIZE_MAX) {
		if (b.len)
			ar_buf_addch(&b, '\n');
		ar_buf_printf(&b, "[%s]\n", section);
		add_ini_option(&b, key, value);
	}
	char *s = ar_strndup(a, b.ptr, b.len);
	ar_buf_release(&b);
	return s;
}

/* --- TOML --- */

char *ar_cfgedit_toml_str(struct ar_arena *a, const char *s)
{
	struct ar_buf b;
	ar_buf_init(&b, 0);
	ar_buf_addch(&b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			ar_buf_printf(&b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			ar_buf_printf(&b, "\\u%04x", *p);
		else
			ar_buf_addch(&b, (char)*p);
	}
	ar_buf_addch(&b, '"');
	char *out = ar_strndup(a, b.ptr, b.len);
	ar_buf_release(&b);
	return out;
}

/* A header line's name with blanks and quotes removed ("[ a . \"b\" ]" -> "a.b"), and whether it is
   an array-of-tables header. False for lines that are not headers. */
static bool toml_header(struct ar_arena *a, struct ar_str line, char **name, bool *is_array)
{
	struct ar_str t = trim(line);
	const char *hash = memchr(t.ptr ? t.ptr : "", '#', t.len);
	if (hash)
		t = trim((struct ar_str){t.ptr, (size_t)(hash - t.ptr)});
	if (t.len < 3 || t.ptr[0] != '[' || t.ptr[t.len - 1] != ']')
		return false;
	*is_array = t.len >= 5 && t.ptr[1] == '[' && t.ptr[t.len - 2] == ']';
	size_t skip = *is_array ? 2 : 1;
	char *out = ar_alloc(a, t.len + 1), *w = out;
	for (size_t i = skip; i < t.len - skip; i++) {
		char c = t.ptr[i];
		if (c == ' ' || c == '\t' || c == '"' || c == '\'')
			continue;
		/* anything else a header cannot hold means this is a value line such as ["a", "b"] */
		if (!(isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.'))
			return false;
		*w++ = c;
	}
	*w = '\0';
	*name = out;
	return w != out;
}

/* The key of a "key = value" line, unquoted and without blanks around dots; NULL otherwise. */
static char *toml_key(struct ar_arena *a, struct ar_str line)
{
	struct ar_str t = trim(line);
	if (!t.len || t.ptr[0] == '#' || t.ptr[0] == '[')
		return NULL;
	const char *eq = memchr(t.ptr, '=', t.len);
	if (!eq)
		return NULL;
	char *out = ar_alloc(a, (size_t)(eq - t.ptr) + 1), *w = out;
	for (const char *p = t.ptr; p < eq; p++)
		if (*p != ' ' && *p != '\t' && *p != '"' && *p != '\'')
			*w++ = *p;
	*w = '\0';
	return w != out ? out : NULL;
}

/* The unquoted string value of a "key = \"v\"" line, or NULL. */
static char *toml_str_value(struct ar_arena *a, struct ar_str line)
{
	struct ar_str t = trim(line);
	const char *eq = memchr(t.ptr, '=', t.len);
	if (!eq)
		return NULL;
	struct ar_str v = trim((struct ar_str){eq + 1, t.len - (size_t)(eq + 1 - t.ptr)});
	if (v.len < 2 || (v.ptr[0] != '"' && v.ptr[0] != '\''))
		return NULL;
	const char *close = memchr(v.ptr + 1, v.ptr[0], v.len - 1);
	return close ? ar_strndup(a, v.ptr + 1, (size_t)(close - v.ptr - 1)) : NULL;
}

static bool key_matches(const char *key, const char *want)
{
	size_t n = strlen(want);
	return strncmp(key, want, n) == 0 && (key[n] == '\0' || key[n] == '.');
}

char *ar_cfgedit_toml_drop_table(struct ar_arena *a, const char *text, const char *name)
{
	struct lines l;
	split_lines(&l, a, text);
	const char *dot = strrchr(name, '.');
	char *parent = dot ? ar_strndup(a, name, (size_t)(dot - name)) : ar_strdup(a, "");
	const char *last = dot ? dot + 1 : name;
	const char *table = ""; /* the current table's name; "" before the first header */
	bool dropping = false;
	for (size_t i = 0; i < l.n; i++) {
		char *h;
		bool is_array;
		if (toml_header(a, l.v[i], &h, &is_array)) {
			table = h;
			dropping = !is_array && key_matches(h, name);
			l.drop[i] = dropping;
			continue;
		}
		if (dropping) {
			l.drop[i] = true;
			continue;
		}
		char *k = toml_key(a, l.v[i]);
		if (!k)
			continue;
		if ((strcmp(table, parent) == 0 && key_matches(k, last)) || (!*table && key_matches(k, name)))
			l.drop[i] = true;
	}
	return join_lines(a, &l);
}

/* Drops, inside every [[array]] entry, the key (value NULL) or the whole entry whose key has the
   string value. */
static char *toml_edit_entries(struct ar_arena *a, const char *text, const char *array, const char *key,
			       const char *value)
{
	struct lines l;
	split_lines(&l, a, text);
	size_t entry = SIZE_MAX; /* header line of the [[array]] entry we are in */
	for (size_t i = 0; i <= l.n; i++) {
		char *h;
		bool is_array;
		bool header = i < l.n && toml_header(a, l.v[i], &h, &is_array);
		if (i == l.n || header) {
			entry = header && is_array && strcmp(h, array) == 0 ? i : SIZE_MAX;
			continue;
		}
		if (entry == SIZE_MAX)
			continue;
		char *k = toml_key(a, l.v[i]);
		if (!k || strcmp(k, key) != 0)
			continue;
		if (!value) {
			l.drop[i] = true; /* drop just this key */
			continue;
		}
		char *v = toml_str_value(a, l.v[i]);
		if (!v || strcmp(v, value) != 0)
			continue;
		/* drop the whole entry: from its header to the next header */
		size_t j = entry;
		l.drop[j++] = true;
		while (j < l.n && !toml_header(a, l.v[j], &h, &is_array))
			l.drop[j++] = true;
	}
	return join_lines(a, &l);
}

char *ar_cfgedit_toml_drop_entries(struct ar_arena *a, const char *text, const char *array, const char *key,
				   const char *value)
{
	return toml_edit_entries(a, text, array, key, value);
}

char *ar_cfgedit_toml_drop_entry_key(struct ar_arena *a, const char *text, const char *array, const char *key)
{
	return toml_edit_entries(a, text, array, key, NULL);
}

char *ar_cfgedit_append(struct ar_arena *a, const char *text, const char *block)
{
	size_t n = text ? strlen(text) : 0;
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	return n ? ar_printf(a, "%.*s\n\n%s", (int)n, text, block) : ar_strdup(a, block);
}
