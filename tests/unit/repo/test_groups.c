/* tests/unit/repo/test_groups.c - package groups: patterns, matching, the tree, inheritance, enforcement */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "formats/pypi_dist.h"
#include "repo/domain.h"
#include "repo/groups.h"
#include "store/db.h"

#include "db_fixture.h"

/* --- patterns ------------------------------------------------------------------------------------ */

static void test_parse_valid(void **state)
{
	static const struct {
		const char *pattern;
		enum ar_group_shape shape;
		const char *format, *ns, *name;
	} cases[] = {
		{"/*", AR_GROUP_ALL, NULL, NULL, NULL},
		{"/npm/*", AR_GROUP_FORMAT, "npm", NULL, NULL},
		{"/maven/com.anycompany~", AR_GROUP_NS_PREFIX, "maven", "com.anycompany", NULL},
		{"/npm/space/*", AR_GROUP_NS, "npm", "space", NULL},
		{"/npm//*", AR_GROUP_NS, "npm", "", NULL}, /* npm packages without a scope */
		{"/npm/space/anycompany-ui~", AR_GROUP_NAME_PREFIX, "npm", "space", "anycompany-ui"},
		{"/maven/org.apache.logging.log4j/log4j-core$", AR_GROUP_NAME, "maven", "org.apache.logging.log4j",
		 "log4j-core"},
		{"/pypi//requests$", AR_GROUP_NAME, "pypi", "", "requests"},
		{"/pypi//django-rest~", AR_GROUP_NAME_PREFIX, "pypi", "", "django-rest"},
		{"/nuget//newtonsoft.json$", AR_GROUP_NAME, "nuget", "", "newtonsoft.json"},
		{"/swift/apple/swift-nio$", AR_GROUP_NAME, "swift", "apple", "swift-nio"},
		{"/generic/team/*", AR_GROUP_NS, "generic", "team", NULL},
		{"/npm//café~", AR_GROUP_NAME_PREFIX, "npm", "", "café"}, /* '~' after a non-ASCII letter */
		{"/cargo//serde$", AR_GROUP_NAME, "cargo", "", "serde"},
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_group_pattern p;
		struct ar_err err = {0};
		if (ar_group_parse(&p, a, cases[i].pattern, &err) != 0)
			fail_msg("%s: %s", cases[i].pattern, err.msg);
		assert_int_equal(p.shape, cases[i].shape);
		if (cases[i].format)
			assert_string_equal(p.format, cases[i].format);
		else
			assert_null(p.format);
		if (cases[i].ns)
			assert_string_equal(p.ns, cases[i].ns);
		else
			assert_null(p.ns);
		if (cases[i].name)
			assert_string_equal(p.name, cases[i].name);
		else
			assert_null(p.name);
	}
	ar_arena_free(a);
}

static void test_parse_invalid(void **state)
{
	char long_pattern[600];
	memset(long_pattern, 'a', sizeof long_pattern - 1);
	memcpy(long_pattern, "/npm//", 6);
	long_pattern[sizeof long_pattern - 2] = '$';
	long_pattern[sizeof long_pattern - 1] = '\0';
	const struct {
		const char *pattern, *why;
	} cases[] = {
		{"*", "between 2 and 520"},
		{"npm/*", "must start with '/'"},
		{"/npm/foo", "must end with '*', '~' or '$'"},
		{"/npm/foo*", "'*' must follow a '/'"},
		{"/npm/space/foo/*", "'*' matches a whole component"},
		{"/npm~", "not a format"},
		{"/npm/~", "must follow a namespace or name prefix"},
		{"/npm/space/~", "must follow a namespace or name prefix"},
		{"/npm/foo$", "'$' needs a format, a namespace"},
		{"/npm/space/$", "must follow a name"},
		{"/npm/a/b/c$", "too many '/' segments"},
		{"/python//requests$", "unknown package format 'python'"},
		{"/NPM/*", "unknown package format"},
		{"//*", "unknown package format ''"},
		{"/npm/foo-~", "must follow a letter or digit"},
		{"/npm/space/foo.~", "must follow a letter or digit"},
		{"/npm/*/foo$", "'*' may not appear in a namespace"},
		{"/npm/sp$ace/*", "'$' may not appear in a namespace"},
		{"/npm//a~b$", "'~' may not appear in a name"},
		{"/npm//a#b$", "'#' may not appear in a name"},
		{"/npm/space/fo o$", "whitespace"},
		{"/npm/space/foo\t$", "whitespace"},
		{"/pypi/ns/*", "pypi packages have no namespace"},
		{"/pypi/ns~", "pypi packages have no namespace"},
		{"/nuget/ns/foo$", "nuget packages have no namespace"},
		{"/maven//log4j$", "maven packages have a namespace"},
		{"/generic//file~", "generic packages have a namespace"},
		{"/swift//nio$", "swift packages have a namespace"},
		{"/pypi//Django$", "pypi names must be normalized"},
		{"/pypi//foo_bar$", "use 'foo-bar'"},
		{"/pypi//foo.bar~", "use 'foo-bar'"},
		{"/nuget//Newtonsoft.Json$", "use 'newtonsoft.json'"},
		{"/swift/Apple/*", "swift namespaces must be normalized"},
		{"/swift/apple/NIO$", "swift names must be normalized"},
		{long_pattern, "between 2 and 520"},
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_group_pattern p;
		struct ar_err err = {0};
		if (ar_group_parse(&p, a, cases[i].pattern, &err) != AR_EINVAL)
			fail_msg("%s was accepted", cases[i].pattern);
		if (!strstr(err.msg, cases[i].why))
			fail_msg("%s: message '%s' lacks '%s'", cases[i].pattern, err.msg, cases[i].why);
	}
	ar_arena_free(a);
}

/* --- matching ------------------------------------------------------------------------------------ */

static void test_matching(void **state)
{
	static const struct {
		const char *pattern, *format, *ns, *name;
		bool strong, weak;
	} cases[] = {
		{"/*", "cargo", "", "serde", true, true},
		{"/npm/*", "npm", "space", "x", true, true},
		{"/npm/*", "pypi", "", "x", false, false},
		/* '~' on a word boundary: the next character must not continue the word. */
		{"/npm/space/foo~", "npm", "space", "foo", true, true},
		{"/npm/space/foo~", "npm", "space", "foo-bar", true, true},
		{"/npm/space/foo~", "npm", "space", "foo.bar", true, true},
		{"/npm/space/foo~", "npm", "space", "foo_bar", true, true},
		{"/npm/space/foo~", "npm", "space", "food", false, false},
		{"/npm/space/foo~", "npm", "space", "foo1", false, false},
		{"/npm/space/foo~", "npm", "space", "fo", false, false},
		{"/npm/space/foo~", "npm", "other", "foo", false, false},
		{"/npm/space/foo~", "npm", "space", "Foo-Bar", false, true},
		{"/npm/space/foo~", "npm", "space", "FOOD", false, false},
		{"/npm/space/anycompany-ui~", "npm", "space", "anycompany-ui-core", true, true},
		{"/npm/space/anycompany-ui~", "npm", "space", "anycompany-uix", false, false},
		{"/npm//caf~", "npm", "", "café", false, false},     /* é continues the word */
		{"/npm//caf~", "npm", "", "caf\u2013x", true, true}, /* an en dash does not */
		{"/npm//café~", "npm", "", "café-au-lait", true, true},
		{"/maven/com.anycompany~", "maven", "com.anycompany", "a", true, true},
		{"/maven/com.anycompany~", "maven", "com.anycompany.tools", "a", true, true},
		{"/maven/com.anycompany~", "maven", "com.anycompanyx", "a", false, false},
		{"/maven/com.anycompany~", "maven", "com", "a", false, false},
		{"/maven/com.anycompany~", "maven", "Com.AnyCompany.Tools", "a", false, true},
		{"/npm/space/*", "npm", "space", "anything", true, true},
		{"/npm/space/*", "npm", "Space", "anything", false, true},
		{"/npm/space/*", "npm", "spaces", "anything", false, false},
		{"/npm//*", "npm", "", "left-pad", true, true},
		{"/npm//*", "npm", "space", "left-pad", false, false},
		/* '$' is exact; weak matching folds case and treats runs of - . _ alike, never removes them. */
		{"/npm//foo-bar$", "npm", "", "foo-bar", true, true},
		{"/npm//foo-bar$", "npm", "", "Foo_Bar", false, true},
		{"/npm//foo-bar$", "npm", "", "FOO..BAR", false, true},
		{"/npm//foo-bar$", "npm", "", "foo--_bar", false, true},
		{"/npm//foo-bar$", "npm", "", "foobar", false, false},
		{"/npm//foo-bar$", "npm", "", "foo-bar-baz", false, false},
		{"/npm//foo-bar$", "npm", "x", "foo-bar", false, false},
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_group_pattern p;
		struct ar_err err = {0};
		if (ar_group_parse(&p, a, cases[i].pattern, &err) != 0)
			fail_msg("%s: %s", cases[i].pattern, err.msg);
		bool strong = ar_group_matches(&p, a, cases[i].format, cases[i].ns, cases[i].name, false);
		bool weak = ar_group_matches(&p, a, cases[i].format, cases[i].ns, cases[i].name, true);
		if (strong != cases[i].strong || weak != cases[i].weak)
			fail_msg("%s vs /%s/%s/%s: strong %d weak %d, want %d %d", cases[i].pattern, cases[i].format,
				 cases[i].ns, cases[i].name, strong, weak, cases[i].strong, cases[i].weak);
	}
	ar_arena_free(a);
}

static void test_weak_form_and_normalize(void **state)
{
	struct ar_arena *a = ar_arena_new();
	assert_string_equal(ar_group_weak(a, "Foo--Bar_.baz"), "foo.bar.baz");
	assert_string_equal(ar_group_weak(a, "-a-"), ".a.");
	assert_string_equal(ar_group_weak(a, ""), "");
	/* PyPI normalization here must agree with the pypi format's own (PEP 503). */
	static const char *const names[] = {"Django", "foo_bar", "Foo.-_Bar", "a--b", "zope.interface", "X"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *ns = NULL, *name = names[i];
		ar_group_normalize(a, "pypi", &ns, &name);
		assert_string_equal(ns, "");
		assert_string_equal(name, ar_pypi_normalize(a, names[i]));
	}
	const char *ns = "Apple", *name = "Swift-NIO";
	ar_group_normalize(a, "swift", &ns, &name);
	assert_string_equal(ns, "apple");
	assert_string_equal(name, "swift-nio");
	ns = NULL, name = "Newtonsoft.Json";
	ar_group_normalize(a, "nuget", &ns, &name);
	assert_string_equal(name, "newtonsoft.json");
	ns = "Space", name = "Foo_Bar";
	ar_group_normalize(a, "npm", &ns, &name);
	assert_string_equal(ns, "Space"); /* npm is not normalized */
	assert_string_equal(name, "Foo_Bar");
	ar_arena_free(a);
}

static void test_containment_and_specificity(void **state)
{
	static const struct {
		const char *outer, *inner;
		bool contains;
	} cases[] = {
		{"/*", "/npm/space/foo$", true},
		{"/npm/*", "/npm/space~", true},
		{"/npm/*", "/pypi/*", false},
		{"/npm/space~", "/npm/space/*", true},
		{"/npm/space~", "/npm/space-x/*", true},
		{"/npm/space~", "/npm/spacex/*", false},
		{"/npm/space~", "/npm/space-ui~", true},
		{"/npm/space-ui~", "/npm/space~", false},
		{"/npm/space~", "/npm/space/foo$", true},
		{"/npm/space/*", "/npm/space/foo~", true},
		{"/npm/space/*", "/npm/space~", false},
		{"/npm/space/foo~", "/npm/space/foo-bar$", true},
		{"/npm/space/foo~", "/npm/space/food$", false},
		{"/npm/space/foo~", "/npm/space/foo-ui~", true},
		{"/npm/space/foo$", "/npm/space/foo$", true},
		{"/npm/space/foo$", "/npm/space/foo-bar$", false},
		/* Same match set, two shapes: only the less specific shape contains the other. */
		{"/pypi/*", "/pypi//*", true},
		{"/pypi//*", "/pypi/*", false},
	};
	struct ar_arena *a = ar_arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_group_pattern o, in;
		struct ar_err err = {0};
		assert_int_equal(ar_group_parse(&o, a, cases[i].outer, &err), 0);
		assert_int_equal(ar_group_parse(&in, a, cases[i].inner, &err), 0);
		if (ar_group_contains(&o, &in) != cases[i].contains)
			fail_msg("contains(%s, %s) != %d", cases[i].outer, cases[i].inner, cases[i].contains);
		/* A container is never more specific than what it contains. */
		if (cases[i].contains && ar_group_specificity_cmp(&o, &in) > 0)
			fail_msg("%s is more specific than %s, which it contains", cases[i].outer, cases[i].inner);
	}
	/* Specificity is total along one chain: root, format, ns~ (short, then long), ns, name~, name$. */
	static const char *const chain[] = {"/*",
					    "/npm/*",
					    "/npm/sp~",
					    "/npm/sp-ace~",
					    "/npm/sp-ace/*",
					    "/npm/sp-ace/f~",
					    "/npm/sp-ace/f-oo~",
					    "/npm/sp-ace/f-oo$"};
	for (size_t i = 0; i + 1 < sizeof chain / sizeof chain[0]; i++) {
		struct ar_group_pattern x, y;
		struct ar_err err = {0};
		assert_int_equal(ar_group_parse(&x, a, chain[i], &err), 0);
		assert_int_equal(ar_group_parse(&y, a, chain[i + 1], &err), 0);
		if (ar_group_specificity_cmp(&x, &y) >= 0 || ar_group_specificity_cmp(&y, &x) <= 0)
			fail_msg("%s should be less specific than %s", chain[i], chain[i + 1]);
		assert_true(ar_group_contains(&x, &y));
	}
	ar_arena_free(a);
}

/* An in-memory set of groups built from patterns (parents by containment, as the model does). */
static struct ar_group *make_groups(struct ar_arena *a, const char *const *patterns, size_t n)
{
	struct ar_group *all = ar_alloc_array(a, n, sizeof *all);
	for (size_t i = 0; i < n; i++) {
		struct ar_err err = {0};
		if (ar_group_virtual(&all[i], a, 1, patterns[i], &err) != 0)
			fail_msg("%s: %s", patterns[i], err.msg);
		all[i].id = (int64_t)i + 1;
	}
	return all;
}

static void test_best_match(void **state)
{
	static const char *const patterns[] = {
		"/*",
		"/npm/*",
		"/npm/space~",
		"/npm/space/*",
		"/npm/space/anycompany-ui~",
		"/npm//My-Lib$",
		"/npm//my-lib$",
		"/pypi//internal-tool$",
		"/maven/com.corp~",
	};
	static const struct {
		const char *format, *ns, *name, *want;
		enum ar_group_assoc assoc;
	} cases[] = {
		{"cargo", "", "serde", "/*", AR_GROUP_STRONG},
		{"npm", "", "react", "/npm/*", AR_GROUP_STRONG},
		{"npm", "space-x", "a", "/npm/space~", AR_GROUP_STRONG},
		{"npm", "space", "aui.components", "/npm/space/*", AR_GROUP_STRONG},
		{"npm", "space", "anycompany-ui-core", "/npm/space/anycompany-ui~", AR_GROUP_STRONG},
		{"npm", "Space", "x", "/npm/space/*",
		 AR_GROUP_WEAK}, /* a weak match beats a less specific strong one */
		/* Two exact groups that are variations of each other: the strong one wins for each spelling. */
		{"npm", "", "my-lib", "/npm//my-lib$", AR_GROUP_STRONG},
		{"npm", "", "My-Lib", "/npm//My-Lib$", AR_GROUP_STRONG},
		{"npm", "", "MY_LIB", "/npm//My-Lib$", AR_GROUP_WEAK}, /* both weak: byte order, not list order */
		{"pypi", "", "internal-tool", "/pypi//internal-tool$", AR_GROUP_STRONG},
		{"pypi", "", "internal.tool", "/pypi//internal-tool$", AR_GROUP_WEAK},
		{"pypi", "", "internaltool", "/*", AR_GROUP_STRONG},
		{"maven", "com.corp.tools", "x", "/maven/com.corp~", AR_GROUP_STRONG},
		{"maven", "com.corporate", "x", "/*", AR_GROUP_STRONG},
	};
	struct ar_arena *a = ar_arena_new();
	size_t n = sizeof patterns / sizeof patterns[0];
	struct ar_group *all = make_groups(a, patterns, n);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum ar_group_assoc assoc;
		const struct ar_group *g =
			ar_group_best(&assoc, all, n, a, cases[i].format, cases[i].ns, cases[i].name);
		assert_non_null(g);
		if (strcmp(g->pattern, cases[i].want) != 0 || assoc != cases[i].assoc)
			fail_msg("/%s/%s/%s: got %s %s, want %s %s", cases[i].format, cases[i].ns, cases[i].name,
				 g->pattern, assoc == AR_GROUP_STRONG ? "STRONG" : "WEAK", cases[i].want,
				 cases[i].assoc == AR_GROUP_STRONG ? "STRONG" : "WEAK");
	}
	ar_arena_free(a);
}

static void test_resolve_inheritance(void **state)
{
	static const char *const patterns[] = {"/*", "/npm/*", "/npm/space/*", "/npm/space/foo$"};
	struct ar_arena *a = ar_arena_new();
	struct ar_group *all = make_groups(a, patterns, 4);
	all[1].parent_id = 1, all[2].parent_id = 2, all[3].parent_id = 3;
	/* The root allows everything; npm blocks publish; npm/space allows specific repos for external. */
	all[1].modes[AR_ORIGIN_PUBLISH] = AR_GROUP_BLOCK;
	all[2].modes[AR_ORIGIN_EXTERNAL_UPSTREAM] = AR_GROUP_ALLOW_SPECIFIC;
	all[2].n_allowed[AR_ORIGIN_EXTERNAL_UPSTREAM] = 2;
	struct ar_group_restriction r[AR_ORIGIN_KINDS];
	struct ar_err err = {0};

	assert_int_equal(ar_group_resolve(r, &all[3], all, 4, &err), 0);
	assert_int_equal(r[AR_ORIGIN_PUBLISH].mode, AR_GROUP_INHERIT);
	assert_int_equal(r[AR_ORIGIN_PUBLISH].effective, AR_GROUP_BLOCK);
	assert_string_equal(r[AR_ORIGIN_PUBLISH].inherited_from->pattern, "/npm/*");
	assert_int_equal(r[AR_ORIGIN_EXTERNAL_UPSTREAM].effective, AR_GROUP_ALLOW_SPECIFIC);
	assert_string_equal(r[AR_ORIGIN_EXTERNAL_UPSTREAM].list_owner->pattern, "/npm/space/*");
	assert_int_equal(r[AR_ORIGIN_EXTERNAL_UPSTREAM].repositories_count, 0); /* its own list is empty */
	assert_int_equal(r[AR_ORIGIN_INTERNAL_UPSTREAM].effective, AR_GROUP_ALLOW);
	assert_string_equal(r[AR_ORIGIN_INTERNAL_UPSTREAM].inherited_from->pattern, "/*");

	assert_int_equal(ar_group_resolve(r, &all[2], all, 4, &err), 0);
	assert_int_equal(r[AR_ORIGIN_EXTERNAL_UPSTREAM].mode, AR_GROUP_ALLOW_SPECIFIC);
	assert_null(r[AR_ORIGIN_EXTERNAL_UPSTREAM].inherited_from);
	assert_int_equal(r[AR_ORIGIN_EXTERNAL_UPSTREAM].repositories_count, 2);

	assert_int_equal(ar_group_resolve(r, &all[0], all, 4, &err), 0);
	for (int k = 0; k < AR_ORIGIN_KINDS; k++) {
		assert_int_equal(r[k].mode, AR_GROUP_ALLOW);
		assert_null(r[k].inherited_from);
	}

	/* A broken chain (a parent that is not there, or a cycle) is an internal error, not a loop. */
	all[3].parent_id = 99;
	assert_int_equal(ar_group_resolve(r, &all[3], all, 4, &err), AR_ERROR);
	all[3].parent_id = 3, all[2].parent_id = 4; /* foo$, npm/space, foo$...: both INHERIT publish */
	assert_int_equal(ar_group_resolve(r, &all[3], all, 4, &err), AR_ERROR);
	ar_arena_free(a);
}

/* --- the database ---------------------------------------------------------------------------------- */

static int setup_db(void **state)
{
	*state = db_fixture_new(&(struct db_fixture_opts){.tag = "groups", .is_in_tx = true});
	return *state ? 0 : -1;
}

static int teardown_db(void **state)
{
	db_fixture_free(*state);
	return 0;
}

static void exec_ok(struct db_fixture *f, const char *sql)
{
	struct ar_err err = {0};
	if (ar_dbc_exec(f->c, &err, sql, "") < 0)
		fail_msg("%s: %s", sql, err.msg);
}

static struct ar_group *load(struct db_fixture *f, size_t *n)
{
	struct ar_group *all;
	struct ar_err err = {0};
	if (ar_group_load_domain(&all, n, f->c, f->a, f->d.id, &err) != 0)
		fail_msg("load: %s", err.msg);
	return all;
}

static struct ar_group *get(struct db_fixture *f, const char *pattern, struct ar_group **all, size_t *n)
{
	*all = load(f, n);
	struct ar_group *g = ar_group_find(*all, *n, pattern);
	if (!g)
		fail_msg("no group %s", pattern);
	return g;
}

static void create(struct db_fixture *f, const char *pattern)
{
	struct ar_group g;
	struct ar_err err = {0};
	if (ar_group_create(&g, f->c, f->a, f->d.id, pattern, NULL, NULL, &err) != 0)
		fail_msg("create %s: %s", pattern, err.msg);
}

/* Checks every group's parent against "pattern>parent" pairs. */
static void expect_parents(struct db_fixture *f, const char *const *pairs, size_t n_pairs)
{
	size_t n;
	struct ar_group *all = load(f, &n);
	assert_int_equal(n, n_pairs + 1); /* + the root */
	for (size_t i = 0; i < n_pairs; i++) {
		const char *gt = strchr(pairs[i], '>');
		char *child = ar_strndup(f->a, pairs[i], (size_t)(gt - pairs[i]));
		struct ar_group *g = ar_group_find(all, n, child);
		if (!g)
			fail_msg("missing %s", child);
		const struct ar_group *p = ar_group_find_id(all, n, g->parent_id);
		if (!p || strcmp(p->pattern, gt + 1) != 0)
			fail_msg("parent of %s is %s, want %s", child, p ? p->pattern : "(none)", gt + 1);
	}
}

static void test_root_exists_and_is_protected(void **state)
{
	struct db_fixture *f = *state;
	struct ar_group *all;
	size_t n;
	struct ar_group *root = get(f, "/*", &all, &n);
	assert_int_equal(n, 1);
	assert_int_equal(root->parent_id, 0);
	for (int k = 0; k < AR_ORIGIN_KINDS; k++)
		assert_int_equal(root->modes[k], AR_GROUP_ALLOW);
	struct ar_err err = {0};
	assert_int_equal(ar_group_delete(f->c, root, &err), AR_EINVAL);
	assert_non_null(strstr(err.msg, "cannot be deleted"));
	assert_int_equal(ar_group_set_mode(f->c, root, AR_ORIGIN_PUBLISH, AR_GROUP_INHERIT, &err), AR_EINVAL);
	assert_int_equal(ar_group_set_mode(f->c, root, AR_ORIGIN_PUBLISH, AR_GROUP_BLOCK, &err), 0);
	struct ar_group g;
	assert_int_equal(ar_group_create(&g, f->c, f->a, f->d.id, "/*", NULL, NULL, &err), AR_EEXISTS);
	assert_int_equal(ar_group_create(&g, f->c, f->a, f->d.id, "/npm/x", NULL, NULL, &err), AR_EINVAL);
	/* Deleting the domain takes its groups along. */
	assert_int_equal(ar_domain_delete(f->c, &f->d, &err), 0);
	all = load(f, &n);
	assert_int_equal(n, 0);
}

static void test_tree_in_any_creation_order(void **state)
{
	struct db_fixture *f = *state;
	/* The tree depends on the patterns only, not on the order they were created in. */
	static const char *const order[] = {"/npm/space/anycompany-ui$", "/npm/space/*", "/npm/*",  "/npm/sp~",
					    "/npm/space/anycompany~",	 "/pypi//*",	 "/pypi/*", "/npm/sp-ace/*"};
	static const char *const want[] = {
		"/npm/*>/*",
		"/npm/sp~>/npm/*",
		"/npm/space/*>/npm/*", /* not under sp~: the 'a' of space continues the word sp */
		"/npm/space/anycompany~>/npm/space/*",
		"/npm/space/anycompany-ui$>/npm/space/anycompany~",
		"/npm/sp-ace/*>/npm/sp~",
		"/pypi/*>/*",
		"/pypi//*>/pypi/*",
	};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		create(f, order[i]);
	expect_parents(f, want, sizeof want / sizeof want[0]);

	/* Deleting a middle group moves its children to its parent; deleting a leaf moves nothing. */
	struct ar_group *all;
	size_t n;
	struct ar_err err = {0};
	assert_int_equal(ar_group_delete(f->c, get(f, "/npm/space/anycompany~", &all, &n), &err), 0);
	assert_int_equal(ar_group_delete(f->c, get(f, "/npm/*", &all, &n), &err), 0);
	static const char *const after[] = {
		"/npm/sp~>/*", "/npm/space/*>/*",  "/npm/space/anycompany-ui$>/npm/space/*", "/npm/sp-ace/*>/npm/sp~",
		"/pypi/*>/*",  "/pypi//*>/pypi/*",
	};
	expect_parents(f, after, sizeof after / sizeof after[0]);
	/* Re-creating a group adopts its children back. */
	create(f, "/npm/*");
	static const char *const again[] = {
		"/npm/*>/*",
		"/npm/sp~>/npm/*",
		"/npm/space/*>/npm/*",
		"/npm/space/anycompany-ui$>/npm/space/*",
		"/npm/sp-ace/*>/npm/sp~",
		"/pypi/*>/*",
		"/pypi//*>/pypi/*",
	};
	expect_parents(f, again, sizeof again / sizeof again[0]);
}

static void test_allowed_lists(void **state)
{
	struct db_fixture *f = *state;
	create(f, "/npm/*");
	struct ar_group *all;
	size_t n;
	struct ar_group *g = get(f, "/npm/*", &all, &n);
	struct ar_err err = {0};
	static const char *const repos[] = {"r3", "r1", "r2", "r1"}; /* r1 twice: idempotent */
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(ar_group_set_allowed(f->c, g, AR_ORIGIN_PUBLISH, repos[i], true, &err), 0);
	assert_int_equal(ar_group_set_allowed(f->c, g, AR_ORIGIN_INTERNAL_UPSTREAM, "r9", true, &err), 0);
	g = get(f, "/npm/*", &all, &n);
	assert_int_equal(g->n_allowed[AR_ORIGIN_PUBLISH], 3);
	assert_int_equal(g->n_allowed[AR_ORIGIN_EXTERNAL_UPSTREAM], 0);
	assert_int_equal(g->n_allowed[AR_ORIGIN_INTERNAL_UPSTREAM], 1);
	const char **names;
	size_t n_names;
	bool more;
	assert_int_equal(
		ar_group_allowed_list(&names, &n_names, &more, f->c, f->a, g->id, AR_ORIGIN_PUBLISH, NULL, 2, &err), 0);
	assert_int_equal(n_names, 2);
	assert_true(more);
	assert_string_equal(names[0], "r1");
	assert_string_equal(names[1], "r2");
	assert_int_equal(
		ar_group_allowed_list(&names, &n_names, &more, f->c, f->a, g->id, AR_ORIGIN_PUBLISH, "r2", 2, &err), 0);
	assert_int_equal(n_names, 1);
	assert_false(more);
	assert_string_equal(names[0], "r3");
	assert_int_equal(ar_group_set_allowed(f->c, g, AR_ORIGIN_PUBLISH, "r2", false, &err), 0);
	assert_int_equal(ar_group_set_allowed(f->c, g, AR_ORIGIN_PUBLISH, "nope", false, &err), 0);
	g = get(f, "/npm/*", &all, &n);
	assert_int_equal(g->n_allowed[AR_ORIGIN_PUBLISH], 2);
	/* The list goes with its group. */
	assert_int_equal(ar_group_delete(f->c, g, &err), 0);
	struct ar_stmt *st;
	assert_int_equal(ar_dbc_prepare(f->c, &st, "SELECT COUNT(*) FROM package_group_allowed_repos", &err), 0);
	assert_int_equal(ar_stmt_step(st, &err), 1);
	assert_int_equal(ar_stmt_int(st, 0), 0);
	ar_stmt_done(st);
}

static struct ar_group *set_mode(struct db_fixture *f, const char *pattern, enum ar_origin_kind k, enum ar_group_mode m)
{
	struct ar_group *all;
	size_t n;
	struct ar_group *g = get(f, pattern, &all, &n);
	struct ar_err err = {0};
	if (ar_group_set_mode(f->c, g, k, m, &err) != 0)
		fail_msg("set mode %s: %s", pattern, err.msg);
	return g;
}

static void allow_repo(struct db_fixture *f, const char *pattern, enum ar_origin_kind k, const char *repo)
{
	struct ar_group *all;
	size_t n;
	struct ar_err err = {0};
	if (ar_group_set_allowed(f->c, get(f, pattern, &all, &n), k, repo, true, &err) != 0)
		fail_msg("allow %s: %s", repo, err.msg);
}

static void test_check_origin(void **state)
{
	struct db_fixture *f = *state;
	create(f, "/npm/*");
	create(f, "/npm/corp/*");
	create(f, "/npm/corp/ui~");
	create(f, "/npm//internal-lib$");
	create(f, "/pypi//corp-tool$");
	create(f, "/maven/com.corp~");
	/* npm: publish BLOCK. npm/corp: publish only to "internal"; external upstream BLOCK.
	   /npm/corp/ui~ inherits both. /npm//internal-lib$: only publish to "internal" and external
	   BLOCK. /maven/com.corp~: internal upstream only into "team". */
	set_mode(f, "/npm/*", AR_ORIGIN_PUBLISH, AR_GROUP_BLOCK);
	set_mode(f, "/npm/corp/*", AR_ORIGIN_PUBLISH, AR_GROUP_ALLOW_SPECIFIC);
	set_mode(f, "/npm/corp/*", AR_ORIGIN_EXTERNAL_UPSTREAM, AR_GROUP_BLOCK);
	allow_repo(f, "/npm/corp/*", AR_ORIGIN_PUBLISH, "internal");
	set_mode(f, "/npm//internal-lib$", AR_ORIGIN_PUBLISH, AR_GROUP_ALLOW_SPECIFIC);
	set_mode(f, "/npm//internal-lib$", AR_ORIGIN_EXTERNAL_UPSTREAM, AR_GROUP_BLOCK);
	allow_repo(f, "/npm//internal-lib$", AR_ORIGIN_PUBLISH, "internal");
	set_mode(f, "/pypi//corp-tool$", AR_ORIGIN_EXTERNAL_UPSTREAM, AR_GROUP_BLOCK);
	set_mode(f, "/maven/com.corp~", AR_ORIGIN_INTERNAL_UPSTREAM, AR_GROUP_ALLOW_SPECIFIC);
	allow_repo(f, "/maven/com.corp~", AR_ORIGIN_INTERNAL_UPSTREAM, "team");

	static const struct {
		const char *format, *ns, *name;
		enum ar_origin_kind kind;
		const char *repo;
		int rc;
		const char *says; /* a fragment of the denial */
	} cases[] = {
		{"cargo", NULL, "serde", AR_ORIGIN_PUBLISH, "any", 0, NULL},
		{"npm", NULL, "react", AR_ORIGIN_PUBLISH, "internal", AR_EDENIED,
		 "package group /npm/* blocks PUBLISH"},
		{"npm", NULL, "react", AR_ORIGIN_EXTERNAL_UPSTREAM, "store", 0, NULL},
		{"npm", "corp", "x", AR_ORIGIN_PUBLISH, "internal", 0, NULL},
		{"npm", "corp", "x", AR_ORIGIN_PUBLISH, "other", AR_EDENIED, "other is not on the PUBLISH allowed"},
		{"npm", "corp", "x", AR_ORIGIN_EXTERNAL_UPSTREAM, "store", AR_EDENIED,
		 "ingested from an external connection into repository store"},
		{"npm", "corp", "x", AR_ORIGIN_INTERNAL_UPSTREAM, "team", 0, NULL},
		/* Inherited, list included: /npm/corp/ui~ takes the mode and list of npm/corp. */
		{"npm", "corp", "ui-kit", AR_ORIGIN_PUBLISH, "internal", 0, NULL},
		{"npm", "corp", "ui-kit", AR_ORIGIN_PUBLISH, "other", AR_EDENIED, "(inherited from /npm/corp/*)"},
		{"npm", "corp", "ui-kit", AR_ORIGIN_EXTERNAL_UPSTREAM, "store", AR_EDENIED,
		 "package group /npm/corp/ui~ blocks EXTERNAL_UPSTREAM (inherited from /npm/corp/*)"},
		{"npm", NULL, "internal-lib", AR_ORIGIN_PUBLISH, "internal", 0, NULL},
		{"npm", NULL, "internal-lib", AR_ORIGIN_EXTERNAL_UPSTREAM, "store", AR_EDENIED,
		 "blocks EXTERNAL_UPSTREAM"},
		/* Weak matches (variations of a protected name) are blocked from every origin. */
		{"npm", NULL, "Internal_Lib", AR_ORIGIN_EXTERNAL_UPSTREAM, "store", AR_EDENIED,
		 "weak match (a variation of the name) of package group /npm//internal-lib$"},
		{"npm", NULL, "internal.lib", AR_ORIGIN_PUBLISH, "internal", AR_EDENIED, "weak match"},
		{"npm", "Corp", "x", AR_ORIGIN_INTERNAL_UPSTREAM, "team", AR_EDENIED, "weak match"},
		{"npm", NULL, "internallib", AR_ORIGIN_PUBLISH, "internal", AR_EDENIED, "/npm/* blocks PUBLISH"},
		/* pypi names are normalized before matching: Corp_Tool is corp-tool, a strong match. */
		{"pypi", NULL, "Corp_Tool", AR_ORIGIN_EXTERNAL_UPSTREAM, "store", AR_EDENIED,
		 "Package /pypi//corp-tool cannot be ingested"},
		{"pypi", NULL, "Corp_Tool", AR_ORIGIN_PUBLISH, "internal", 0, NULL},
		{"pypi", NULL, "corp-tools", AR_ORIGIN_EXTERNAL_UPSTREAM, "store", 0, NULL},
		{"maven", "com.corp.a", "lib", AR_ORIGIN_INTERNAL_UPSTREAM, "team", 0, NULL},
		{"maven", "com.corp.a", "lib", AR_ORIGIN_INTERNAL_UPSTREAM, "dev", AR_EDENIED,
		 "retained from an upstream repository into repository dev"},
		{"maven", "com.corporate", "lib", AR_ORIGIN_INTERNAL_UPSTREAM, "dev", 0, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ar_err err = {0};
		int rc = ar_group_check_origin(f->c, f->a, f->d.id, cases[i].format, cases[i].ns, cases[i].name,
					       cases[i].kind, cases[i].repo, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu /%s/%s/%s %s into %s: rc %d (%s), want %d", i, cases[i].format,
				 cases[i].ns ? cases[i].ns : "", cases[i].name, ar_origin_kind_name(cases[i].kind),
				 cases[i].repo, rc, err.msg, cases[i].rc);
		if (cases[i].says && !strstr(err.msg, cases[i].says))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].says);
	}
	/* The root's own settings apply to what no other group takes. */
	set_mode(f, "/*", AR_ORIGIN_PUBLISH, AR_GROUP_BLOCK);
	struct ar_err err = {0};
	assert_int_equal(
		ar_group_check_origin(f->c, f->a, f->d.id, "cargo", NULL, "serde", AR_ORIGIN_PUBLISH, "r", &err),
		AR_EDENIED);
	assert_non_null(strstr(err.msg, "package group /* blocks PUBLISH"));
}

static void test_associated_packages(void **state)
{
	struct db_fixture *f = *state;
	exec_ok(f, "INSERT INTO repositories (id, domain_id, name, administrator_account, created_ms)"
		   " SELECT 501, id, 'r1', owner, 0 FROM domains");
	exec_ok(f, "INSERT INTO repositories (id, domain_id, name, administrator_account, created_ms)"
		   " SELECT 502, id, 'r2', owner, 0 FROM domains");
	/* foo-bar is in both repositories: listed once. */
	static const struct {
		int64_t repo;
		const char *format, *ns, *name;
	} rows[] = {
		{501, "npm", "", "foo-bar"},   {502, "npm", "", "foo-bar"}, {501, "npm", "", "Foo_Bar"},
		{501, "npm", "", "foo-baz"},   {501, "npm", "corp", "x"},   {502, "npm", "corp", "y"},
		{501, "pypi", "", "requests"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct ar_err err = {0};
		int64_t n =
			ar_dbc_exec(f->c, &err,
				    "INSERT INTO packages (id, repository_id, format, namespace, name, display_name,"
				    " origin_publish, origin_upstream, created_ms, updated_ms)"
				    " VALUES (?, ?, ?, ?, ?, ?, 'ALLOW', 'BLOCK', 0, 0)",
				    "iissss", (int64_t)(1000 + i), rows[i].repo, rows[i].format, rows[i].ns,
				    rows[i].name, rows[i].name);
		if (n < 0)
			fail_msg("insert: %s", err.msg);
	}
	create(f, "/npm/*");
	create(f, "/npm//foo-bar$");
	size_t n_all;
	struct ar_group *all = load(f, &n_all);
	struct ar_group_pkg *p;
	size_t n;
	bool more;
	struct ar_err err = {0};
	const struct ar_group *exact = ar_group_find(all, n_all, "/npm//foo-bar$");
	assert_int_equal(ar_group_packages(&p, &n, &more, f->c, f->a, f->d.id, exact, all, n_all, NULL, 10, &err), 0);
	assert_int_equal(n, 2);
	assert_false(more);
	assert_string_equal(p[0].name, "Foo_Bar");
	assert_int_equal(p[0].assoc, AR_GROUP_WEAK);
	assert_string_equal(p[1].name, "foo-bar");
	assert_int_equal(p[1].assoc, AR_GROUP_STRONG);

	/* The npm group keeps what the exact group does not take; pages of one, resumed by key. */
	const struct ar_group *npm = ar_group_find(all, n_all, "/npm/*");
	const char *want[] = {"/foo-baz", "corp/x", "corp/y"};
	const char *after = NULL;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(ar_group_packages(&p, &n, &more, f->c, f->a, f->d.id, npm, all, n_all, after, 1, &err),
				 0);
		assert_int_equal(n, 1);
		assert_true(more == (i < 2));
		assert_string_equal(ar_printf(f->a, "%s/%s", p[0].ns, p[0].name), want[i]);
		after = ar_group_pkg_key(f->a, &p[0]);
	}

	/* A preview of a group that does not exist: npm/corp would take x and y from the npm group. */
	struct ar_group virt;
	assert_int_equal(ar_group_virtual(&virt, f->a, f->d.id, "/npm/corp/*", &err), 0);
	struct ar_group *with = ar_alloc_array(f->a, n_all + 1, sizeof *with);
	memcpy(with, all, n_all * sizeof *all);
	with[n_all] = virt;
	assert_int_equal(
		ar_group_packages(&p, &n, &more, f->c, f->a, f->d.id, &with[n_all], with, n_all + 1, NULL, 10, &err),
		0);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].name, "x");
	assert_string_equal(p[1].name, "y");

	/* The root takes only what no other group matches: pypi's requests. */
	const struct ar_group *root = ar_group_find(all, n_all, "/*");
	assert_int_equal(ar_group_packages(&p, &n, &more, f->c, f->a, f->d.id, root, all, n_all, NULL, 10, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].format, "pypi");
	assert_string_equal(p[0].name, "requests");
	assert_int_equal(ar_group_packages(&p, &n, &more, f->c, f->a, f->d.id, root, all, n_all, "bad-key", 10, &err),
			 AR_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_weak_form_and_normalize),
		cmocka_unit_test(test_containment_and_specificity),
		cmocka_unit_test(test_best_match),
		cmocka_unit_test(test_resolve_inheritance),
		cmocka_unit_test_setup_teardown(test_root_exists_and_is_protected, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_tree_in_any_creation_order, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_allowed_lists, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_check_origin, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_associated_packages, setup_db, teardown_db),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
