/* formats/semver.c - SemVer 2.0.0 parsing and precedence, and node-semver's range grammar */
#include "formats/semver.h"

#include <string.h>

/* The "-0" prerelease node-semver puts on exclusive upper bounds: the lowest possible prerelease,
   so <2.0.0-0 excludes every 2.0.0 prerelease as well as 2.0.0 itself. */
static const struct ar_str pre_zero = {"0", 1};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return len > 0;
}

/* A decimal number at s[*pos]: no leading zero, at most 2^53-1. Advances *pos. */
static bool parse_number(const char *s, size_t len, size_t *pos, uint64_t *out)
{
	size_t start = *pos;
	uint64_t v = 0;
	while (*pos < len && is_digit(s[*pos])) {
		v = v * 10 + (uint64_t)(s[*pos] - '0');
		if (v > AR_SEMVER_MAX_NUMBER)
			return false;
		(*pos)++;
	}
	size_t n = *pos - start;
	*out = v;
	return n > 0 && !(n > 1 && s[start] == '0');
}

/* Dot-separated non-empty identifiers of [0-9A-Za-z-]; prerelease ones also forbid leading zeros
   in purely numeric identifiers (build metadata allows them). */
static bool valid_identifiers(const char *s, size_t len, bool is_pre)
{
	if (len == 0)
		return false;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!is_ident_char(s[i]))
				return false;
			continue;
		}
		size_t n = i - start;
		if (n == 0)
			return false;
		if (is_pre && n > 1 && s[start] == '0' && all_digits(s + start, n))
			return false;
		start = i + 1;
	}
	return true;
}

/* The strict grammar on exactly s[0..len). */
static int parse_strict(struct ar_semver *out, const char *s, size_t len, struct ar_err *err)
{
	if (len == 0)
		return ar_fail(err, AR_EINVAL, "empty version");
	if (len > AR_SEMVER_MAX_LEN)
		return ar_fail(err, AR_EINVAL, "version longer than %d characters", AR_SEMVER_MAX_LEN);
	struct ar_semver v = {0};
	size_t pos = 0;
	if (!parse_number(s, len, &pos, &v.major))
		return ar_fail(err, AR_EINVAL, "invalid major version");
	if (pos >= len || s[pos++] != '.' || !parse_number(s, len, &pos, &v.minor))
		return ar_fail(err, AR_EINVAL, "invalid minor version");
	if (pos >= len || s[pos++] != '.' || !parse_number(s, len, &pos, &v.patch))
		return ar_fail(err, AR_EINVAL, "invalid patch version");
	if (pos < len && s[pos] == '-') {
		size_t start = ++pos;
		while (pos < len && s[pos] != '+')
			pos++;
		v.pre = (struct ar_str){s + start, pos - start};
		if (!valid_identifiers(v.pre.ptr, v.pre.len, true))
			return ar_fail(err, AR_EINVAL, "invalid prerelease");
	}
	if (pos < len && s[pos] == '+') {
		size_t start = ++pos;
		v.build = (struct ar_str){s + start, len - start};
		if (!valid_identifiers(v.build.ptr, v.build.len, false))
			return ar_fail(err, AR_EINVAL, "invalid build metadata");
		pos = len;
	}
	if (pos != len)
		return ar_fail(err, AR_EINVAL, "unexpected character after version");
	*out = v;
	return 0;
}

int ar_semver_parse(struct ar_semver *out, const char *s, size_t len, bool loose, struct ar_err *err)
{
	if (!s)
		return ar_fail(err, AR_EINVAL, "empty version");
	if (loose) {
		while (len > 0 && is_space(*s))
			s++, len--;
		while (len > 0 && is_space(s[len - 1]))
			len--;
		while (len > 0 && (*s == 'v' || *s == '='))
			s++, len--;
	}
	return parse_strict(out, s, len, err);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return c < 0 ? -1 : 1;
	return cmp_u64(al, bl);
}

/* Numeric identifiers compare numerically and sort before alphanumeric ones. Valid numeric
   identifiers have no leading zeros, so the longer one is larger, however many digits it has. */
static int cmp_identifier(const char *a, size_t al, const char *b, size_t bl)
{
	bool an = all_digits(a, al), bn = all_digits(b, bl);
	if (an && bn)
		return al != bl ? cmp_u64(al, bl) : cmp_bytes(a, al, b, bl);
	if (an != bn)
		return an ? -1 : 1;
	return cmp_bytes(a, al, b, bl);
}

static int cmp_pre(struct ar_str a, struct ar_str b)
{
	if (a.len == 0 || b.len == 0)
		return a.len == b.len ? 0 : a.len == 0 ? 1 : -1; /* a release outranks its prereleases */
	size_t i = 0, j = 0;
	for (;;) {
		if (i > a.len || j > b.len)
			return i > a.len ? (j > b.len ? 0 : -1) : 1;
		size_t ie = i, je = j;
		while (ie < a.len && a.ptr[ie] != '.')
			ie++;
		while (je < b.len && b.ptr[je] != '.')
			je++;
		int c = cmp_identifier(a.ptr + i, ie - i, b.ptr + j, je - j);
		if (c)
			return c;
		i = ie + 1;
		j = je + 1;
	}
}

int ar_semver_cmp(const struct ar_semver *a, const struct ar_semver *b)
{
	int c = cmp_u64(a->major, b->major);
	if (!c)
		c = cmp_u64(a->minor, b->minor);
	if (!c)
		c = cmp_u64(a->patch, b->patch);
	if (!c)
		c = cmp_pre(a->pre, b->pre);
	return c;
}

bool ar_semver_cmp_str(int *out, const char *a, const char *b)
{
	struct ar_semver va, vb;
	if (!a || !b || ar_semver_parse(&va, a, strlen(a), true, NULL) ||
	    ar_semver_parse(&vb, b, strlen(b), true, NULL))
		return false;
	*out = ar_semver_cmp(&va, &vb);
	return true;
}

char *ar_semver_format(struct ar_arena *a, const struct ar_semver *v)
{
	if (v->pre.len)
		return ar_printf(a, "%llu.%llu.%llu-%.*s", (unsigned long long)v->major, (unsigned long long)v->minor,
				 (unsigned long long)v->patch, (int)v->pre.len, v->pre.ptr);
	return ar_printf(a, "%llu.%llu.%llu", (unsigned long long)v->major, (unsigned long long)v->minor,
			 (unsigned long long)v->patch);
}

char *ar_semver_clean(struct ar_arena *a, const char *s)
{
	struct ar_semver v;
	if (!s || ar_semver_parse(&v, s, strlen(s), true, NULL))
		return NULL;
	return ar_semver_format(a, &v);
}

ptrdiff_t ar_semver_max_stable(const char *const versions[], size_t n)
{
	ptrdiff_t best = -1, best_stable = -1;
	struct ar_semver bv = {0}, bsv = {0}, v;
	for (size_t i = 0; i < n; i++) {
		if (!versions[i] || ar_semver_parse(&v, versions[i], strlen(versions[i]), true, NULL))
			continue;
		if (best < 0 || ar_semver_cmp(&v, &bv) > 0) {
			best = (ptrdiff_t)i;
			bv = v;
		}
		if (v.pre.len == 0 && (best_stable < 0 || ar_semver_cmp(&v, &bsv) > 0)) {
			best_stable = (ptrdiff_t)i;
			bsv = v;
		}
	}
	return best_stable >= 0 ? best_stable : best;
}

/* ---- ranges ---- */

enum op { OP_ANY, OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE };

struct comparator {
	enum op op;
	struct ar_semver v;
};

struct ar_semver_range {
	struct comparator *comps;
	size_t n_comps, cap_comps;
	size_t *set_ends; /* set i is comps[set_ends[i-1] .. set_ends[i]) */
	size_t n_sets, cap_sets;
	struct ar_arena *arena;
};

/* One "xr(.xr(.xr qualifier?)?)?" term; the x flags are cumulative (1.x means 1.x.x). */
struct partial {
	uint64_t major, minor, patch;
	bool x_major, x_minor, x_patch;
	bool bad_order; /* x.1 or 1.x.1: node-semver rejects these as plain and primitive terms */
	struct ar_str pre;
};

static void push_comp(struct ar_semver_range *r, enum op op, uint64_t major, uint64_t minor, uint64_t patch,
		      struct ar_str pre)
{
	if (r->n_comps == r->cap_comps) {
		size_t cap = r->cap_comps ? r->cap_comps * 2 : 8;
		struct comparator *c = ar_alloc_array(r->arena, cap, sizeof *c);
		if (r->n_comps)
			memcpy(c, r->comps, r->n_comps * sizeof *c);
		r->comps = c;
		r->cap_comps = cap;
	}
	r->comps[r->n_comps++] = (struct comparator){op, {major, minor, patch, pre, {NULL, 0}}};
}

static void end_set(struct ar_semver_range *r)
{
	if (r->n_sets == r->cap_sets) {
		size_t cap = r->cap_sets ? r->cap_sets * 2 : 4;
		size_t *e = ar_alloc_array(r->arena, cap, sizeof *e);
		if (r->n_sets)
			memcpy(e, r->set_ends, r->n_sets * sizeof *e);
		r->set_ends = e;
		r->cap_sets = cap;
	}
	r->set_ends[r->n_sets++] = r->n_comps;
}

static bool is_x(char c)
{
	return c == 'x' || c == 'X' || c == '*';
}

/* One x-range identifier at s[*pos]: sets *x for x/X/"*", else parses a number. */
static bool parse_xr(const char *s, size_t len, size_t *pos, uint64_t *num, bool *x)
{
	if (*pos < len && is_x(s[*pos])) {
		(*pos)++;
		*x = true;
		return true;
	}
	*x = false;
	return parse_number(s, len, pos, num);
}

/* A partial version, after an optional run of 'v' / '=' (node-semver's XRANGEPLAIN). */
static int parse_partial(struct partial *p, const char *s, size_t len, struct ar_err *err)
{
	size_t pos = 0;
	bool xm = true, xp = true, lit_xm = false, lit_xp = false, has_m = false, has_p = false;
	*p = (struct partial){0};
	while (pos < len && (s[pos] == 'v' || s[pos] == '='))
		pos++;
	if (!parse_xr(s, len, &pos, &p->major, &p->x_major))
		goto bad;
	if (pos < len && s[pos] == '.') {
		pos++;
		has_m = true;
		if (!parse_xr(s, len, &pos, &p->minor, &lit_xm))
			goto bad;
		xm = lit_xm;
		if (pos < len && s[pos] == '.') {
			pos++;
			has_p = true;
			if (!parse_xr(s, len, &pos, &p->patch, &lit_xp))
				goto bad;
			xp = lit_xp;
			if (pos < len && s[pos] == '-') {
				size_t start = ++pos;
				while (pos < len && s[pos] != '+')
					pos++;
				p->pre = (struct ar_str){s + start, pos - start};
				if (!valid_identifiers(p->pre.ptr, p->pre.len, true))
					goto bad;
			}
		}
	}
	/* node-semver strips build metadata from the whole range before parsing it. */
	if (pos < len && s[pos] == '+') {
		if (!valid_identifiers(s + pos + 1, len - pos - 1, false))
			goto bad;
		pos = len;
	}
	if (pos != len)
		goto bad;
	p->bad_order = (p->x_major && has_m && !lit_xm) || (has_m && lit_xm && has_p && !lit_xp);
	p->x_minor = p->x_major || xm;
	p->x_patch = p->x_minor || xp;
	if (p->x_patch)
		p->pre = (struct ar_str){NULL, 0}; /* a prerelease on an x-range is dropped */
	return 0;
bad:
	return ar_fail(err, AR_EINVAL, "invalid version in range");
}

static const struct ar_str no_pre = {NULL, 0};

static void push_caret(struct ar_semver_range *r, const struct partial *p)
{
	if (p->x_major) {
		push_comp(r, OP_ANY, 0, 0, 0, no_pre);
	} else if (p->x_minor) {
		push_comp(r, OP_GE, p->major, 0, 0, no_pre);
		push_comp(r, OP_LT, p->major + 1, 0, 0, pre_zero);
	} else if (p->x_patch) {
		push_comp(r, OP_GE, p->major, p->minor, 0, no_pre);
		if (p->major == 0)
			push_comp(r, OP_LT, 0, p->minor + 1, 0, pre_zero);
		else
			push_comp(r, OP_LT, p->major + 1, 0, 0, pre_zero);
	} else {
		push_comp(r, OP_GE, p->major, p->minor, p->patch, p->pre);
		if (p->major == 0 && p->minor == 0)
			push_comp(r, OP_LT, 0, 0, p->patch + 1, pre_zero);
		else if (p->major == 0)
			push_comp(r, OP_LT, 0, p->minor + 1, 0, pre_zero);
		else
			push_comp(r, OP_LT, p->major + 1, 0, 0, pre_zero);
	}
}

static void push_tilde(struct ar_semver_range *r, const struct partial *p)
{
	if (p->x_major) {
		push_comp(r, OP_ANY, 0, 0, 0, no_pre);
	} else if (p->x_minor) {
		push_comp(r, OP_GE, p->major, 0, 0, no_pre);
		push_comp(r, OP_LT, p->major + 1, 0, 0, pre_zero);
	} else {
		push_comp(r, OP_GE, p->major, p->minor, p->x_patch ? 0 : p->patch, p->pre);
		push_comp(r, OP_LT, p->major, p->minor + 1, 0, pre_zero);
	}
}

/* A plain or primitive term (op is OP_EQ for both "1.2.3" and "=1.2.3"), as replaceXRange does. */
static void push_primitive(struct ar_semver_range *r, enum op op, const struct partial *p)
{
	if (!p->x_patch) {
		push_comp(r, op, p->major, p->minor, p->patch, p->pre);
	} else if (p->x_major) {
		if (op == OP_GT || op == OP_LT)
			push_comp(r, OP_LT, 0, 0, 0, pre_zero); /* nothing is allowed */
		else
			push_comp(r, OP_ANY, 0, 0, 0, no_pre);
	} else if (op != OP_EQ) {
		uint64_t major = p->major, minor = p->x_minor ? 0 : p->minor;
		if (op == OP_GT || op == OP_LE) {
			/* >1.2 is >=1.3.0 and <=1.2 is <1.3.0-0: every 1.2.x is on the near side. */
			if (p->x_minor)
				major++, minor = 0;
			else
				minor++;
			op = op == OP_GT ? OP_GE : OP_LT;
		}
		push_comp(r, op, major, minor, 0, op == OP_LT ? pre_zero : no_pre);
	} else if (p->x_minor) {
		push_comp(r, OP_GE, p->major, 0, 0, no_pre);
		push_comp(r, OP_LT, p->major + 1, 0, 0, pre_zero);
	} else {
		push_comp(r, OP_GE, p->major, p->minor, 0, no_pre);
		push_comp(r, OP_LT, p->major, p->minor + 1, 0, pre_zero);
	}
}

static void push_hyphen(struct ar_semver_range *r, const struct partial *from, const struct partial *to)
{
	size_t before = r->n_comps;
	if (!from->x_major)
		push_comp(r, OP_GE, from->major, from->x_minor ? 0 : from->minor, from->x_patch ? 0 : from->patch,
			  from->pre);
	if (to->x_major)
		; /* no upper bound */
	else if (to->x_minor)
		push_comp(r, OP_LT, to->major + 1, 0, 0, pre_zero);
	else if (to->x_patch)
		push_comp(r, OP_LT, to->major, to->minor + 1, 0, pre_zero);
	else
		push_comp(r, OP_LE, to->major, to->minor, to->patch, to->pre);
	if (r->n_comps == before)
		push_comp(r, OP_ANY, 0, 0, 0, no_pre);
}

enum term { T_PLAIN, T_CARET, T_TILDE };

/* Splits a leading operator off a word: ^, ~, ~>, <, <=, >, >=, =. */
static size_t parse_operator(const char *s, size_t len, enum term *t, enum op *op)
{
	*t = T_PLAIN;
	*op = OP_EQ;
	if (len == 0)
		return 0;
	if (s[0] == '^') {
		*t = T_CARET;
		return 1;
	}
	if (s[0] == '~') {
		*t = T_TILDE;
		return len > 1 && s[1] == '>' ? 2 : 1;
	}
	if (s[0] == '<' || s[0] == '>') {
		bool eq = len > 1 && s[1] == '=';
		*op = s[0] == '<' ? (eq ? OP_LE : OP_LT) : (eq ? OP_GE : OP_GT);
		return eq ? 2 : 1;
	}
	return s[0] == '=' ? 1 : 0;
}

struct word {
	const char *ptr;
	size_t len;
};

static int parse_set(struct ar_semver_range *r, const char *s, size_t len, struct ar_err *err)
{
	size_t n_words = 0, cap = len / 2 + 1;
	struct word *w = ar_alloc_array(r->arena, cap, sizeof *w);
	for (size_t i = 0; i < len;) {
		while (i < len && is_space(s[i]))
			i++;
		if (i == len)
			break;
		size_t start = i;
		while (i < len && !is_space(s[i]))
			i++;
		w[n_words++] = (struct word){s + start, i - start};
	}
	if (n_words == 0) {
		push_comp(r, OP_ANY, 0, 0, 0, no_pre);
		goto done;
	}
	if (n_words == 3 && w[1].len == 1 && w[1].ptr[0] == '-') {
		struct partial from, to;
		if (parse_partial(&from, w[0].ptr, w[0].len, err) || parse_partial(&to, w[2].ptr, w[2].len, err))
			return AR_EINVAL;
		push_hyphen(r, &from, &to);
		goto done;
	}
	for (size_t i = 0; i < n_words; i++) {
		enum term t;
		enum op op;
		size_t n = parse_operator(w[i].ptr, w[i].len, &t, &op);
		const char *v = w[i].ptr + n;
		size_t vlen = w[i].len - n;
		/* "> 1.2.3" and "~ 1.2" are one term, as node-semver's comparator trim makes them */
		if (vlen == 0 && n > 0 && i + 1 < n_words) {
			i++;
			v = w[i].ptr;
			vlen = w[i].len;
		}
		struct partial p;
		if (vlen == 0 || parse_partial(&p, v, vlen, err))
			return ar_fail(err, AR_EINVAL, "invalid comparator in range");
		if (t == T_CARET)
			push_caret(r, &p);
		else if (t == T_TILDE)
			push_tilde(r, &p);
		else if (p.bad_order)
			return ar_fail(err, AR_EINVAL, "invalid x-range in range");
		else
			push_primitive(r, op, &p);
	}
done:
	end_set(r);
	return 0;
}

int ar_semver_range_parse(struct ar_semver_range **out, struct ar_arena *a, const char *s, size_t len,
			  struct ar_err *err)
{
	if (!s)
		s = "";
	if (len > AR_SEMVER_RANGE_MAX_LEN)
		return ar_fail(err, AR_EINVAL, "range longer than %d characters", AR_SEMVER_RANGE_MAX_LEN);
	if (memchr(s, '\0', len))
		return ar_fail(err, AR_EINVAL, "NUL byte in range");
	struct ar_semver_range *r = ar_alloc(a, sizeof *r);
	r->arena = a;
	char *copy = ar_memdup(a, s, len);
	while (len > 0 && is_space(*copy))
		copy++, len--;
	while (len > 0 && is_space(copy[len - 1]))
		len--;
	if (len == 6 && memcmp(copy, "latest", 6) == 0) {
		/* a dist-tag, not a range; treated as any release */
		push_comp(r, OP_ANY, 0, 0, 0, no_pre);
		end_set(r);
		*out = r;
		return 0;
	}
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && !(copy[i] == '|' && i + 1 < len && copy[i + 1] == '|'))
			continue;
		int rc = parse_set(r, copy + start, i - start, err);
		if (rc)
			return rc;
		i++;
		start = i + 1;
	}
	*out = r;
	return 0;
}

static bool comp_test(const struct comparator *c, const struct ar_semver *v)
{
	if (c->op == OP_ANY)
		return true;
	int d = ar_semver_cmp(v, &c->v);
	switch (c->op) {
	case OP_EQ: return d == 0;
	case OP_LT: return d < 0;
	case OP_LE: return d <= 0;
	case OP_GT: return d > 0;
	case OP_GE: return d >= 0;
	default: return true;
	}
}

static bool set_test(const struct comparator *c, size_t n, const struct ar_semver *v)
{
	for (size_t i = 0; i < n; i++)
		if (!comp_test(&c[i], v))
			return false;
	if (v->pre.len == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (c[i].op != OP_ANY && c[i].v.pre.len && c[i].v.major == v->major && c[i].v.minor == v->minor &&
		    c[i].v.patch == v->patch)
			return true;
	return false;
}

bool ar_semver_range_test(const struct ar_semver_range *r, const struct ar_semver *v)
{
	size_t start = 0;
	for (size_t i = 0; i < r->n_sets; i++) {
		if (set_test(r->comps + start, r->set_ends[i] - start, v))
			return true;
		start = r->set_ends[i];
	}
	return false;
}

int ar_semver_satisfies(bool *out, struct ar_arena *a, const char *version, const char *range, struct ar_err *err)
{
	struct ar_semver_range *r;
	int rc = ar_semver_range_parse(&r, a, range, range ? strlen(range) : 0, err);
	if (rc)
		return rc;
	struct ar_semver v;
	*out = version && ar_semver_parse(&v, version, strlen(version), true, NULL) == 0 && ar_semver_range_test(r, &v);
	return 0;
}

ptrdiff_t ar_semver_max_satisfying(const struct ar_semver_range *r, const char *const versions[], size_t n)
{
	ptrdiff_t best = -1;
	struct ar_semver bv = {0}, v;
	for (size_t i = 0; i < n; i++) {
		if (!versions[i] || ar_semver_parse(&v, versions[i], strlen(versions[i]), true, NULL) ||
		    !ar_semver_range_test(r, &v))
			continue;
		if (best < 0 || ar_semver_cmp(&v, &bv) > 0) {
			best = (ptrdiff_t)i;
			bv = v;
		}
	}
	return best;
}
