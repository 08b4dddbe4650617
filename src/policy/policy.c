/* policy/policy.c - parsing and validating IAM policy documents into their evaluable form */
#include "policy/policy.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/text.h"
#include "policy/arn.h"
#include "policy/policy_int.h"

/* User text quoted back in messages is cut short so the message still names where it was. */
#define Q "%.80s"

struct op_name {
	const char *name;
	enum pol_op op;
	bool is_negated;
};

static const struct op_name op_names[] = {
	{"StringEquals", POL_OP_STRING_EQ, false},
	{"StringNotEquals", POL_OP_STRING_EQ, true},
	{"StringEqualsIgnoreCase", POL_OP_STRING_EQ_NOCASE, false},
	{"StringNotEqualsIgnoreCase", POL_OP_STRING_EQ_NOCASE, true},
	{"StringLike", POL_OP_STRING_LIKE, false},
	{"StringNotLike", POL_OP_STRING_LIKE, true},
	{"ArnEquals", POL_OP_ARN_LIKE, false},
	{"ArnLike", POL_OP_ARN_LIKE, false},
	{"ArnNotEquals", POL_OP_ARN_LIKE, true},
	{"ArnNotLike", POL_OP_ARN_LIKE, true},
	{"Bool", POL_OP_BOOL, false},
	{"NumericEquals", POL_OP_NUM_EQ, false},
	{"NumericNotEquals", POL_OP_NUM_EQ, true},
	{"NumericLessThan", POL_OP_NUM_LT, false},
	{"NumericLessThanEquals", POL_OP_NUM_LE, false},
	{"NumericGreaterThan", POL_OP_NUM_GT, false},
	{"NumericGreaterThanEquals", POL_OP_NUM_GE, false},
	{"Null", POL_OP_NULL, false},
};

static const char *const stmt_keys[] = {"Sid",	       "Effect",    "Action",	    "NotAction", "Resource",
					"NotResource", "Principal", "NotPrincipal", "Condition"};

/* Parse state: where we are, for messages, and where results go. */
struct pctx {
	struct ar_arena *a;
	struct ar_err *err;
	enum ar_policy_kind kind;
	size_t idx; /* current statement */
};

static bool is_action_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '*' || c == '?';
}

/* "*" or "service:Action", each side non-empty and wildcards allowed ("codeartifact:Get*"). */
static bool valid_action(const char *s)
{
	if (strcmp(s, "*") == 0)
		return true;
	const char *colon = strchr(s, ':');
	if (!colon || colon == s || colon[1] == '\0' || strchr(colon + 1, ':'))
		return false;
	for (const char *p = s; *p; p++)
		if (p != colon && !is_action_char(*p))
			return false;
	return true;
}

/* "*" or something shaped like an ARN; the content is matched, not validated, as IAM does. */
static bool valid_resource(const char *s)
{
	return strcmp(s, "*") == 0 || (strncmp(s, "arn:", 4) == 0 && ar_is_nonspace_utf8(s, strlen(s)));
}

/* A string or a non-empty array of strings, as Action, Resource and Principal.AWS take. */
static int parse_strings(struct pctx *c, const json_t *j, const char *field, struct pol_list *out,
			 bool (*valid)(const char *), const char *what)
{
	size_t n = json_is_array(j) ? json_array_size(j) : 1;
	if (!json_is_string(j) && !(json_is_array(j) && n > 0))
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: %s must be a string or a non-empty array of strings",
			       c->idx, field);
	if (n > POL_MAX_VALUES)
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: %s has more than %d values", c->idx, field,
			       POL_MAX_VALUES);
	out->v = ar_alloc_array(c->a, n, sizeof *out->v);
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(j) ? json_array_get(j, i) : j;
		if (!json_is_string(e))
			return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: %s[%zu] must be a string", c->idx, field, i);
		const char *s = json_string_value(e);
		if (valid && !valid(s))
			return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: %s has an invalid value '" Q "' (%s)",
				       c->idx, field, s, what);
		out->v[i] = ar_strdup(c->a, s);
	}
	return 0;
}

/* Principal/NotPrincipal: "*" or {"AWS": "*" | account | root ARN | user ARN | [...]}. */
static int parse_principal(struct pctx *c, const json_t *j, const char *field, struct pol_stmt *st)
{
	if (json_is_string(j)) {
		if (strcmp(json_string_value(j), "*") != 0)
			return ar_fail(c->err, AR_EINVAL,
				       "Statement[%zu]: %s must be \"*\" or an object like {\"AWS\": ...}", c->idx,
				       field);
		st->principal_any = true;
		return 0;
	}
	if (!json_is_object(j))
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: %s must be \"*\" or an object like {\"AWS\": ...}",
			       c->idx, field);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)j, key, v)
	{
		if (strcmp(key, "AWS") != 0)
			return ar_fail(c->err, AR_EINVAL,
				       "Statement[%zu]: %s has unsupported principal type '" Q
				       "' (only \"AWS\" is supported)",
				       c->idx, field, key);
	}
	const json_t *aws = json_object_get(j, "AWS");
	if (!aws)
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: %s must have an \"AWS\" key", c->idx, field);
	char name[32];
	snprintf(name, sizeof name, "%s.AWS", field);
	struct pol_list vals;
	int rc = parse_strings(c, aws, name, &vals, NULL, NULL);
	if (rc < 0)
		return rc;
	st->principals = ar_alloc_array(c->a, vals.n, sizeof *st->principals);
	for (size_t i = 0; i < vals.n; i++) {
		const char *s = vals.v[i];
		if (strcmp(s, "*") == 0) {
			st->principal_any = true;
			continue;
		}
		struct ar_arn arn;
		(void)ar_arn_parse(s, &arn); /* kind stays AR_ARN_OTHER when it is not an ARN at all */
		struct pol_principal *p = &st->principals[st->n_principals];
		if (strlen(s) == 12 && strspn(s, "0123456789") == 12) {
			*p = (struct pol_principal){true, s};
		} else if (arn.kind == AR_ARN_IAM_ROOT) {
			*p = (struct pol_principal){true, ar_strndup(c->a, arn.account.ptr, arn.account.len)};
		} else if (arn.kind == AR_ARN_IAM_USER && !strpbrk(s, "*?")) {
			*p = (struct pol_principal){false, s};
		} else {
			return ar_fail(c->err, AR_EINVAL,
				       "Statement[%zu]: %s has an invalid principal '" Q
				       "' (expected \"*\", an account ID, or an IAM root or user ARN)",
				       c->idx, name, s);
		}
		st->n_principals++;
	}
	return 0;
}

/* Splits "ForAnyValue:StringLikeIfExists" into its parts; false when the base is unknown. */
static bool parse_operator(const char *name, struct pol_cond *out)
{
	out->set = POL_SET_NONE;
	if (strncmp(name, "ForAnyValue:", 12) == 0) {
		out->set = POL_SET_ANY;
		name += 12;
	} else if (strncmp(name, "ForAllValues:", 13) == 0) {
		out->set = POL_SET_ALL;
		name += 13;
	}
	size_t len = strlen(name);
	out->if_exists = len > 8 && strcmp(name + len - 8, "IfExists") == 0;
	if (out->if_exists)
		len -= 8;
	for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++) {
		if (strlen(op_names[i].name) == len && strncmp(op_names[i].name, name, len) == 0) {
			out->op = op_names[i].op;
			out->is_negated = op_names[i].is_negated;
			return true;
		}
	}
	return false;
}

static bool is_scalar(const json_t *v)
{
	return json_is_string(v) || json_is_boolean(v) || json_is_number(v);
}

/* One condition value as text: strings as they are, booleans and numbers spelled out. */
static const char *cond_value_text(struct pctx *c, const json_t *v)
{
	if (json_is_string(v))
		return ar_strdup(c->a, json_string_value(v));
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	if (json_is_integer(v))
		return ar_printf(c->a, "%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return ar_printf(c->a, "%.17g", json_real_value(v));
	return NULL;
}

/* Checks one value against what its operator can compare, normalising Bool and Null values. */
static int check_cond_value(struct pctx *c, const char *opname, struct pol_cond *cond, size_t i)
{
	const char *s = cond->values.v[i];
	switch (cond->op) {
	case POL_OP_BOOL:
	case POL_OP_NULL:
		if (strcasecmp(s, "true") != 0 && strcasecmp(s, "false") != 0)
			return ar_fail(c->err, AR_EINVAL,
				       "Statement[%zu].Condition.%s: value '" Q "' of key '" Q
				       "' must be true or false",
				       c->idx, opname, s, cond->key);
		cond->values.v[i] = strcasecmp(s, "true") == 0 ? "true" : "false";
		return 0;
	case POL_OP_NUM_EQ:
	case POL_OP_NUM_LT:
	case POL_OP_NUM_LE:
	case POL_OP_NUM_GT:
	case POL_OP_NUM_GE:
		if (!ar_policy_parse_number(s, &cond->nums[i]))
			return ar_fail(c->err, AR_EINVAL,
				       "Statement[%zu].Condition.%s: value '" Q "' of key '" Q "' is not a number",
				       c->idx, opname, s, cond->key);
		return 0;
	default: return 0;
	}
}

/* {"Operator": {"key": value | [values]}, ...}: every key of every operator becomes a pol_cond. */
static int parse_condition(struct pctx *c, const json_t *j, struct pol_stmt *st)
{
	if (!json_is_object(j))
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: Condition must be an object", c->idx);
	size_t total = 0;
	const char *opname, *key;
	json_t *keys, *v;
	json_object_foreach((json_t *)j, opname, keys)
	{
		if (!json_is_object(keys) || json_object_size(keys) == 0)
			return ar_fail(c->err, AR_EINVAL,
				       "Statement[%zu].Condition: operator '" Q
				       "' must map to a non-empty object of condition keys",
				       c->idx, opname);
		total += json_object_size(keys);
	}
	if (total > POL_MAX_VALUES)
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu].Condition: more than %d condition keys", c->idx,
			       POL_MAX_VALUES);
	st->conds = ar_alloc_array(c->a, total ? total : 1, sizeof *st->conds);
	json_object_foreach((json_t *)j, opname, keys)
	{
		struct pol_cond proto = {0};
		if (!parse_operator(opname, &proto))
			return ar_fail(c->err, AR_EINVAL, "Statement[%zu].Condition: unknown operator '" Q "'", c->idx,
				       opname);
		/* Null asks whether a key exists, so "if it exists" and set qualifiers make no sense. */
		if (proto.op == POL_OP_NULL && (proto.if_exists || proto.set != POL_SET_NONE))
			return ar_fail(c->err, AR_EINVAL,
				       "Statement[%zu].Condition: operator '" Q
				       "' is not supported (Null takes no IfExists or ForAnyValue/ForAllValues)",
				       c->idx, opname);
		json_object_foreach(keys, key, v)
		{
			struct pol_cond *cond = &st->conds[st->n_conds];
			*cond = proto;
			if (key[0] == '\0')
				return ar_fail(c->err, AR_EINVAL, "Statement[%zu].Condition.%s: empty condition key",
					       c->idx, opname);
			cond->key = ar_strdup(c->a, key);
			size_t n = json_is_array(v) ? json_array_size(v) : 1;
			if ((json_is_array(v) && n == 0) || (!json_is_array(v) && !is_scalar(v)))
				return ar_fail(c->err, AR_EINVAL,
					       "Statement[%zu].Condition.%s: value of key '" Q
					       "' must be a string, boolean, number or non-empty array of them",
					       c->idx, opname, key);
			if (n > POL_MAX_VALUES)
				return ar_fail(c->err, AR_EINVAL,
					       "Statement[%zu].Condition.%s: key '" Q "' has more than %d values",
					       c->idx, opname, key, POL_MAX_VALUES);
			cond->values.v = ar_alloc_array(c->a, n, sizeof *cond->values.v);
			cond->values.n = n;
			cond->nums = ar_alloc_array(c->a, n, sizeof *cond->nums);
			for (size_t i = 0; i < n; i++) {
				const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
				if (!is_scalar(e))
					return ar_fail(c->err, AR_EINVAL,
						       "Statement[%zu].Condition.%s: value %zu of key '" Q
						       "' must be a string, boolean or number",
						       c->idx, opname, i, key);
				cond->values.v[i] = cond_value_text(c, e);
				int rc = check_cond_value(c, opname, cond, i);
				if (rc < 0)
					return rc;
			}
			st->n_conds++;
		}
	}
	return 0;
}

static int parse_statement(struct pctx *c, const json_t *j, struct pol_stmt *st)
{
	if (!json_is_object(j))
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu] must be an object", c->idx);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)j, key, v)
	{
		size_t k = 0, n_keys = sizeof stmt_keys / sizeof stmt_keys[0];
		while (k < n_keys && strcmp(stmt_keys[k], key) != 0)
			k++;
		if (k == n_keys)
			return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: unknown key '" Q "'", c->idx, key);
	}

	const json_t *sid = json_object_get(j, "Sid");
	if (sid && !json_is_string(sid))
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: Sid must be a string", c->idx);
	st->sid = sid ? ar_strdup(c->a, json_string_value(sid)) : NULL;

	const char *effect = ar_json_str(j, "Effect");
	if (!json_object_get(j, "Effect"))
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: Effect is required", c->idx);
	if (!effect || (strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0))
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: Effect must be \"Allow\" or \"Deny\"", c->idx);
	st->is_deny = strcmp(effect, "Deny") == 0;

	const json_t *action = json_object_get(j, "Action"), *not_action = json_object_get(j, "NotAction");
	if (action && not_action)
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: Action and NotAction cannot both be present",
			       c->idx);
	if (!action && !not_action)
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: Action or NotAction is required", c->idx);
	st->is_not_action = not_action != NULL;
	int rc = parse_strings(c, action ? action : not_action, action ? "Action" : "NotAction", &st->actions,
			       valid_action, "expected \"service:Action\" or \"*\"");
	if (rc < 0)
		return rc;

	const json_t *pr = json_object_get(j, "Principal"), *not_pr = json_object_get(j, "NotPrincipal");
	if (c->kind == AR_POLICY_IDENTITY && (pr || not_pr))
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: %s is not allowed in an identity policy", c->idx,
			       pr ? "Principal" : "NotPrincipal");
	if (pr && not_pr)
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: Principal and NotPrincipal cannot both be present",
			       c->idx);
	if (c->kind == AR_POLICY_RESOURCE) {
		if (!pr && !not_pr)
			return ar_fail(c->err, AR_EINVAL,
				       "Statement[%zu]: Principal or NotPrincipal is required in a resource policy",
				       c->idx);
		st->has_principal = true;
		st->is_not_principal = not_pr != NULL;
		rc = parse_principal(c, pr ? pr : not_pr, pr ? "Principal" : "NotPrincipal", st);
		if (rc < 0)
			return rc;
	}

	const json_t *res = json_object_get(j, "Resource"), *not_res = json_object_get(j, "NotResource");
	if (res && not_res)
		return ar_fail(c->err, AR_EINVAL, "Statement[%zu]: Resource and NotResource cannot both be present",
			       c->idx);
	if (!res && !not_res && c->kind == AR_POLICY_IDENTITY)
		return ar_fail(c->err, AR_EINVAL,
			       "Statement[%zu]: Resource or NotResource is required in an identity policy", c->idx);
	if (res || not_res) {
		st->has_resource = true;
		st->is_not_resource = not_res != NULL;
		rc = parse_strings(c, res ? res : not_res, res ? "Resource" : "NotResource", &st->resources,
				   valid_resource, "expected an ARN or \"*\"");
		if (rc < 0)
			return rc;
	}

	const json_t *cond = json_object_get(j, "Condition");
	return cond ? parse_condition(c, cond, st) : 0;
}

int ar_policy_parse(struct ar_policy **out, struct ar_arena *a, const char *doc, size_t len, enum ar_policy_kind kind,
		    struct ar_err *err)
{
	json_error_t jerr;
	int rc = 0;
	*out = NULL;
	/* Duplicate keys are refused: otherwise "Effect": "Deny", "Effect": "Allow" reads as whichever
	   the parser keeps, and a reviewer reading the document could see the other. */
	json_t *root = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return ar_fail(err, AR_EINVAL, "policy document is not valid JSON: %s (line %d, column %d)", jerr.text,
			       jerr.line, jerr.column);
	if (!json_is_object(root)) {
		rc = ar_fail(err, AR_EINVAL, "policy document must be a JSON object");
		goto done;
	}
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "Version") != 0 && strcmp(key, "Id") != 0 && strcmp(key, "Statement") != 0) {
			rc = ar_fail(err, AR_EINVAL, "unknown top-level key '" Q "'", key);
			goto done;
		}
	}
	const json_t *version = json_object_get(root, "Version");
	const char *vs = json_string_value(version);
	if (version && (!vs || (strcmp(vs, "2012-10-17") != 0 && strcmp(vs, "2008-10-17") != 0))) {
		rc = ar_fail(err, AR_EINVAL, "Version must be \"2012-10-17\" or \"2008-10-17\"");
		goto done;
	}
	const json_t *id = json_object_get(root, "Id");
	if (id && !json_is_string(id)) {
		rc = ar_fail(err, AR_EINVAL, "Id must be a string");
		goto done;
	}
	const json_t *stmts = json_object_get(root, "Statement");
	if (!stmts) {
		rc = ar_fail(err, AR_EINVAL, "Statement is required");
		goto done;
	}
	size_t n = json_is_array(stmts) ? json_array_size(stmts) : 1;
	if ((!json_is_object(stmts) && !json_is_array(stmts)) || n == 0) {
		rc = ar_fail(err, AR_EINVAL, "Statement must be an object or a non-empty array of objects");
		goto done;
	}
	if (n > POL_MAX_STATEMENTS) {
		rc = ar_fail(err, AR_EINVAL, "Statement has %zu statements; at most %d are allowed", n,
			     POL_MAX_STATEMENTS);
		goto done;
	}

	struct ar_policy *p = ar_alloc(a, sizeof *p);
	p->kind = kind;
	p->stmts = ar_alloc_array(a, n, sizeof *p->stmts);
	struct pctx c = {.a = a, .err = err, .kind = kind};
	for (c.idx = 0; c.idx < n; c.idx++) {
		struct pol_stmt *st = &p->stmts[c.idx];
		rc = parse_statement(&c, json_is_array(stmts) ? json_array_get(stmts, c.idx) : stmts, st);
		if (rc < 0)
			goto done;
		for (size_t k = 0; st->sid && st->sid[0] && k < c.idx; k++) {
			if (p->stmts[k].sid && strcmp(p->stmts[k].sid, st->sid) == 0) {
				rc = ar_fail(err, AR_EINVAL, "Statement[%zu]: duplicate Sid '" Q "'", c.idx, st->sid);
				goto done;
			}
		}
		p->n_stmts++;
	}
	*out = p;
done:
	json_decref(root);
	return rc;
}
