/* cli/ops_cli.c - `arca <operation>` flags to signed request and response to aws-style output */
#include "cli/ops_cli.h"

#include "core/json.h"
#include "core/mem.h"
#include "core/text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_ARG ((size_t)16 << 20)
#define MAX_PAGES    10000

/* List members whose items are structures, so shorthand "k=v,k2=v2" items become objects.
   ops.def does not carry list item types; these are every such member in the model. */
static const char *const object_lists[] = {"tags", "upstreams", "addAllowedRepositories", "removeAllowedRepositories"};

/* Paginated operations (ref §1.6): the list their pages are merged on, and the keys botocore
   copies from the first page ("non-aggregate"), in the order it prints them. */
struct paginator {
	const char *op;
	const char *result_key;
	const char *non_aggregate[6];
};

static const struct paginator paginators[] = {
	{"ListDomains", "domains", {NULL}},
	{"ListRepositories", "repositories", {NULL}},
	{"ListRepositoriesInDomain", "repositories", {NULL}},
	{"ListPackages", "packages", {NULL}},
	{"ListPackageVersions", "versions", {"defaultDisplayVersion", "format", "package", "namespace", NULL}},
	{"ListPackageVersionAssets", "assets", {"package", "format", "namespace", "version", "versionRevision", NULL}},
	{"ListAllowedRepositoriesForGroup", "allowedRepositories", {NULL}},
	{"ListAssociatedPackages", "packages", {NULL}},
	{"ListPackageGroups", "packageGroups", {NULL}},
	{"ListSubPackageGroups", "packageGroups", {NULL}},
};

static const struct paginator *paginator_of(const struct ar_op_info *op)
{
	for (size_t i = 0; i < sizeof paginators / sizeof paginators[0]; i++)
		if (strcmp(paginators[i].op, op->name) == 0)
			return &paginators[i];
	return NULL;
}

char *ar_cli_flag_name(struct ar_arena *a, const char *member)
{
	size_t n = strlen(member);
	char *out = ar_alloc(a, 2 * n + 1), *p = out;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)member[i];
		if (i > 0 && isupper(c)) {
			unsigned char prev = (unsigned char)member[i - 1], next = (unsigned char)member[i + 1];
			/* botocore: "([a-z0-9])([A-Z])" and "(.)([A-Z][a-z]+)" each get a separator. */
			if (islower(prev) || isdigit(prev) || islower(next))
				*p++ = '-';
		}
		*p++ = (char)tolower(c);
	}
	*p = '\0';
	return out;
}

/* Contents of a file named by file:// or fileb:// (the aws CLI's convention), else NULL. */
static int read_file_arg(char **out, struct ar_arena *a, const char *value, struct ar_err *err)
{
	*out = NULL;
	const char *path = strncmp(value, "file://", 7) == 0	? value + 7
			   : strncmp(value, "fileb://", 8) == 0 ? value + 8
								: NULL;
	if (!path)
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return ar_fail(err, AR_EINVAL, "Error parsing parameter: Unable to load paramfile %s: %s", value,
			       strerror(errno));
	struct ar_buf b;
	ar_buf_init(&b, MAX_FILE_ARG);
	char chunk[8192];
	size_t n;
	int rc = 0;
	while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = ar_buf_add(&b, chunk, n);
	if (!rc && ferror(f))
		rc = AR_ERROR;
	fclose(f);
	if (!rc && memchr(b.ptr, '\0', b.len))
		rc = AR_EINVAL;
	if (rc == 0)
		*out = ar_strndup(a, b.ptr, b.len);
	ar_buf_release(&b);
	return rc ? ar_fail(err, AR_EINVAL, "Error parsing parameter: Unable to load paramfile %s", value) : 0;
}

static const char *file_or_value(struct ar_arena *a, const char *value, struct ar_err *err, int *rc)
{
	char *contents;
	*rc = read_file_arg(&contents, a, value, err);
	return contents ? contents : value;
}

/* aws shorthand "k=v,k2=v2" as an object of strings. */
static json_t *shorthand(const char *s)
{
	json_t *obj = json_object();
	while (*s) {
		size_t len = strcspn(s, ",");
		const char *eq = memchr(s, '=', len);
		if (!eq || eq == s) {
			json_decref(obj);
			return NULL;
		}
		char *key = ar_xstrndup(s, (size_t)(eq - s));
		char *val = ar_xstrndup(eq + 1, len - (size_t)(eq - s) - 1);
		json_object_set_new(obj, key, json_string(val));
		free(key);
		free(val);
		s += len + (s[len] == ',');
	}
	return obj;
}

static bool is_object_list(const char *member)
{
	for (size_t i = 0; i < sizeof object_lists / sizeof object_lists[0]; i++)
		if (strcmp(object_lists[i], member) == 0)
			return true;
	return false;
}

/* JSON text given for a list/map/object member; the type must match. */
static json_t *parse_json_arg(const char *text, json_type want)
{
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (j && json_typeof(j) != want) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static const struct ar_op_member *find_flag(const struct ar_cli_call *call, struct ar_arena *a, const char *flag,
					    bool *negated)
{
	*negated = false;
	for (size_t i = 0; i < call->n_members; i++) {
		const char *name = ar_cli_flag_name(a, call->members[i].member);
		if (strcmp(flag, name) == 0)
			return &call->members[i];
		if (call->members[i].type == 't' && strncmp(flag, "no-", 3) == 0 && strcmp(flag + 3, name) == 0) {
			*negated = true;
			return &call->members[i];
		}
	}
	return NULL;
}

static bool is_flag(const char *s)
{
	return s[0] == '-' && s[1] == '-' && s[2];
}

/* Converts the value(s) after a member flag; *used is how many argv entries were consumed. */
static int member_value(struct ar_cli_call *call, struct ar_arena *a, const struct ar_op_member *m, char **args,
			int n_args, const char *flag, int *used, struct ar_err *err)
{
	int rc = 0;
	*used = 0;
	if (m->type == 'l') {
		int n = 0;
		while (n < n_args && !is_flag(args[n]))
			n++;
		if (n == 0)
			return ar_fail(err, AR_EINVAL, "argument --%s: expected at least one argument", flag);
		*used = n;
		json_t *list = NULL;
		const char *first = file_or_value(a, args[0], err, &rc);
		if (rc)
			return rc;
		if (n == 1 && first[0] == '[') {
			if (!(list = parse_json_arg(first, JSON_ARRAY)))
				return ar_fail(err, AR_EINVAL, "Error parsing parameter '--%s': Invalid JSON list",
					       flag);
		} else {
			list = json_array();
			for (int i = 0; i < n; i++) {
				json_t *item = is_object_list(m->member) ? shorthand(args[i]) : json_string(args[i]);
				if (!item) {
					json_decref(list);
					return ar_fail(err, AR_EINVAL,
						       "Error parsing parameter '--%s': expected key=value[,...] or "
						       "UTF-8 text",
						       flag);
				}
				json_array_append_new(list, item);
			}
		}
		json_object_set_new(call->values, m->member, list);
		return 0;
	}
	if (m->type == 't') {
		json_object_set_new(call->values, m->member, json_true());
		return 0;
	}
	if (n_args < 1)
		return ar_fail(err, AR_EINVAL, "argument --%s: expected one argument", flag);
	*used = 1;
	const char *v = args[0];
	json_t *j = NULL;
	switch (m->type) {
	case 'i': {
		int64_t n;
		if (!ar_parse_i64(v, &n))
			return ar_fail(err, AR_EINVAL, "Invalid value for parameter --%s: \"%s\" is not an integer",
				       flag, v);
		j = json_integer((json_int_t)n);
		break;
	}
	case 'm':
	case 'o':
		v = file_or_value(a, v, err, &rc);
		if (rc)
			return rc;
		j = v[0] == '{' ? parse_json_arg(v, JSON_OBJECT) : shorthand(v);
		if (!j)
			return ar_fail(err, AR_EINVAL,
				       "Error parsing parameter '--%s': expected JSON or key=value[,...]", flag);
		break;
	case 'd':
		/* Raw bodies are streamed from the path at call time. */
		call->body_path = strncmp(v, "fileb://", 8) == 0 ? v + 8 : strncmp(v, "file://", 7) == 0 ? v + 7 : v;
		j = json_true(); /* only marks the member as given */
		break;
	default:
		v = file_or_value(a, v, err, &rc);
		if (rc)
			return rc;
		j = json_string(v);
		if (!j)
			return ar_fail(err, AR_EINVAL, "argument --%s: value is not valid UTF-8", flag);
		break;
	}
	json_object_set_new(call->values, m->member, j);
	return 0;
}

int ar_cli_parse(struct ar_cli_call *call, struct ar_arena *a, int argc, char **argv, struct ar_err *err)
{
	memset(call, 0, sizeof *call);
	if (argc < 1 || !(call->op = ar_op_find(argv[0])) || strcmp(call->op->kebab, argv[0]) != 0)
		return ar_fail(err, AR_EINVAL,
			       "argument operation: Invalid choice: '%s' (see `arca help` for the list)",
			       argc > 0 ? argv[0] : "");
	call->n_members = ar_op_members(a, call->op, &call->members);
	call->values = ar_json_own(a, json_object());
	bool no_paginate = false, manual_limit = false;

	for (int i = 1; i < argc; i++) {
		bool negated;
		const char *arg = argv[i];
		if (strcmp(arg, "help") == 0 || strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			call->help = true;
			return 0;
		}
		if (!is_flag(arg)) {
			if (strcmp(call->op->name, "GetPackageVersionAsset") == 0 && !call->outfile) {
				call->outfile = arg;
				continue;
			}
			return ar_fail(err, AR_EINVAL, "Unknown options: %s", arg);
		}
		/* "--flag=value" is "--flag value", as argparse allows. */
		const char *flag = arg + 2, *eq = strchr(flag, '=');
		char **rest = argv + i + 1;
		int n_rest = argc - i - 1;
		if (eq) {
			flag = ar_strndup(a, flag, (size_t)(eq - flag));
			rest = ar_alloc_array(a, (size_t)n_rest + 1, sizeof *rest);
			rest[0] = ar_strdup(a, eq + 1);
			memcpy(rest + 1, argv + i + 1, (size_t)n_rest * sizeof *rest);
			n_rest++;
		}
		const char **global = strcmp(flag, "endpoint-url") == 0 ? &call->client.endpoint_url
				      : strcmp(flag, "region") == 0	? &call->client.region
				      : strcmp(flag, "profile") == 0	? &call->client.profile
									: NULL;
		if (global || strcmp(flag, "output") == 0 || strcmp(flag, "max-items") == 0 ||
		    strcmp(flag, "page-size") == 0) {
			if (n_rest < 1)
				return ar_fail(err, AR_EINVAL, "argument %s: expected one argument", arg);
			const char *v = rest[0];
			i += !eq;
			if (global) {
				*global = v;
			} else if (strcmp(flag, "output") == 0) {
				if (strcmp(v, "json") != 0)
					return ar_fail(err, AR_EINVAL,
						       "argument --output: only 'json' is supported, not '%s'", v);
			} else {
				int64_t n;
				if (!ar_parse_i64(v, &n) || n < 1)
					return ar_fail(err, AR_EINVAL, "argument %s: expected a positive integer", arg);
				if (strcmp(flag, "max-items") == 0)
					call->max_items = n;
				else if (find_flag(call, a, "max-results", &negated))
					json_object_set_new(call->values, "maxResults", json_integer(n));
			}
			continue;
		}
		if (eq && (strcmp(flag, "debug") == 0 || strcmp(flag, "no-paginate") == 0))
			return ar_fail(err, AR_EINVAL, "argument --%s: ignored explicit argument", flag);
		if (strcmp(flag, "debug") == 0) {
			call->client.debug = true;
			continue;
		}
		if (strcmp(flag, "no-paginate") == 0) {
			no_paginate = true;
			continue;
		}
		const struct ar_op_member *m = find_flag(call, a, flag, &negated);
		if (!m)
			return ar_fail(err, AR_EINVAL, "Unknown options: %s", arg);
		if (eq && m->type == 't')
			return ar_fail(err, AR_EINVAL, "argument --%s: ignored explicit argument", flag);
		if (negated) {
			json_object_set_new(call->values, m->member, json_false());
			continue;
		}
		manual_limit |= strcmp(m->member, "maxResults") == 0;
		int used, rc = member_value(call, a, m, rest, n_rest, flag, &used, err);
		if (rc)
			return rc;
		i += used - (eq != NULL);
	}

	/* Everything missing is named at once, like argparse. The content hash header is computed
	   from the body file when not given. */
	struct ar_buf missing;
	ar_buf_init(&missing, 4096);
	for (size_t i = 0; i < call->n_members; i++) {
		const struct ar_op_member *m = &call->members[i];
		if (m->required && m->loc != 'h' && !json_object_get(call->values, m->member))
			(void)ar_buf_printf(&missing, "%s--%s", missing.len ? ", " : "",
					    ar_cli_flag_name(a, m->member));
	}
	if (strcmp(call->op->name, "GetPackageVersionAsset") == 0 && !call->outfile)
		(void)ar_buf_printf(&missing, "%soutfile", missing.len ? ", " : "");
	if (missing.len) {
		int rc = ar_fail(err, AR_EINVAL, "the following arguments are required: %s", missing.ptr);
		ar_buf_release(&missing);
		return rc;
	}
	ar_buf_release(&missing);

	/* As in the aws CLI, a hand-picked --next-token or --max-results turns pagination off
	   (--page-size does not); so does --max-items, which here asks the server for that many. */
	call->paginate = paginator_of(call->op) && !no_paginate && !manual_limit && !call->max_items &&
			 !json_object_get(call->values, "nextToken");
	bool negated;
	if (call->max_items && !json_object_get(call->values, "maxResults") &&
	    find_flag(call, a, "max-results", &negated))
		json_object_set_new(call->values, "maxResults", json_integer(call->max_items));
	return ar_cli_encode(call, a, err);
}

/* A scalar member value as it goes into the query string or a header. */
static const char *scalar_text(struct ar_arena *a, const json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		return ar_printf(a, "%lld", (long long)json_integer_value(v));
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return NULL;
}

int ar_cli_encode(struct ar_cli_call *call, struct ar_arena *a, struct ar_err *err)
{
	struct ar_buf q;
	ar_buf_init(&q, 0);
	json_t *body = NULL;
	call->body_sha256 = NULL;
	for (size_t i = 0; i < call->n_members; i++) {
		const struct ar_op_member *m = &call->members[i];
		if (m->loc == 'b' && !body)
			body = ar_json_own(a, json_object());
		json_t *v = json_object_get(call->values, m->member);
		if (!v)
			continue;
		if (m->loc == 'q') {
			const char *text = scalar_text(a, v);
			if (!text) {
				ar_buf_release(&q);
				return ar_fail(err, AR_EINVAL, "--%s takes a single value",
					       ar_cli_flag_name(a, m->member));
			}
			(void)ar_buf_printf(&q, "%s%s=%s", q.len ? "&" : "",
					    ar_pct_encode(a, m->wire, strlen(m->wire), false),
					    ar_pct_encode(a, text, strlen(text), false));
		} else if (m->loc == 'b') {
			json_object_set(body, m->wire, v);
		} else if (m->loc == 'h' && strcmp(m->wire, "x-amz-content-sha256") == 0) {
			call->body_sha256 = scalar_text(a, v);
		}
	}
	call->query = ar_strndup(a, q.ptr, q.len);
	ar_buf_release(&q);
	call->json_body = body ? ar_json_dump(a, body, NULL) : NULL;
	return 0;
}

/* ---- output ------------------------------------------------------------------------------ */

static void json_string_out(struct ar_buf *out, const char *s, size_t len)
{
	(void)ar_buf_addch(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = c == '"'    ? "\\\""
				  : c == '\\' ? "\\\\"
				  : c == '\n' ? "\\n"
				  : c == '\r' ? "\\r"
				  : c == '\t' ? "\\t"
				  : c == '\b' ? "\\b"
				  : c == '\f' ? "\\f"
					      : NULL;
		if (esc)
			(void)ar_buf_adds(out, esc);
		else if (c < 0x20)
			(void)ar_buf_printf(out, "\\u%04x", c);
		else
			(void)ar_buf_addch(out, (char)c);
	}
	(void)ar_buf_addch(out, '"');
}

/* Python's repr(float): the shortest digits that read back exactly, in fixed notation when the
   decimal exponent is in [-4, 16), else d.ddde+XX; always with a '.' or an exponent. */
static void py_float(struct ar_buf *out, double v)
{
	if (isnan(v)) {
		(void)ar_buf_adds(out, "NaN");
		return;
	}
	if (isinf(v)) {
		(void)ar_buf_adds(out, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	char e[40];
	for (int p = 1; p <= 17; p++) {
		snprintf(e, sizeof e, "%.*e", p - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	/* e is "[-]d[.ddd]e[+-]XX" */
	const char *s = e;
	bool neg = *s == '-';
	s += neg;
	char digits[20];
	size_t nd = 0;
	for (; *s && *s != 'e'; s++)
		if (*s != '.' && nd < sizeof digits - 1)
			digits[nd++] = *s;
	digits[nd] = '\0';
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = '\0';
	int exp = (int)strtol(s + 1, NULL, 10);
	if (neg)
		(void)ar_buf_addch(out, '-');
	if (exp >= -4 && exp < 16) {
		if (exp < 0) {
			(void)ar_buf_adds(out, "0.");
			for (int i = -1; i > exp; i--)
				(void)ar_buf_addch(out, '0');
			(void)ar_buf_adds(out, digits);
		} else {
			for (int i = 0; i <= exp; i++)
				(void)ar_buf_addch(out, (size_t)i < nd ? digits[i] : '0');
			(void)ar_buf_addch(out, '.');
			(void)ar_buf_adds(out, (size_t)exp + 1 < nd ? digits + exp + 1 : "0");
		}
	} else {
		(void)ar_buf_addch(out, digits[0]);
		if (nd > 1)
			(void)ar_buf_printf(out, ".%s", digits + 1);
		(void)ar_buf_printf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
}

static void indent(struct ar_buf *out, int depth)
{
	for (int i = 0; i < depth * 4; i++)
		(void)ar_buf_addch(out, ' ');
}

static void pretty(struct ar_buf *out, const json_t *j, int depth)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		if (json_object_size(j) == 0) {
			(void)ar_buf_adds(out, "{}");
			break;
		}
		(void)ar_buf_adds(out, "{\n");
		const char *key;
		json_t *v;
		size_t i = 0;
		json_object_foreach((json_t *)j, key, v)
		{
			if (i++)
				(void)ar_buf_adds(out, ",\n");
			indent(out, depth + 1);
			json_string_out(out, key, strlen(key));
			(void)ar_buf_adds(out, ": ");
			pretty(out, v, depth + 1);
		}
		(void)ar_buf_addch(out, '\n');
		indent(out, depth);
		(void)ar_buf_addch(out, '}');
		break;
	}
	case JSON_ARRAY: {
		if (json_array_size(j) == 0) {
			(void)ar_buf_adds(out, "[]");
			break;
		}
		(void)ar_buf_adds(out, "[\n");
		for (size_t i = 0; i < json_array_size(j); i++) {
			if (i)
				(void)ar_buf_adds(out, ",\n");
			indent(out, depth + 1);
			pretty(out, json_array_get(j, i), depth + 1);
		}
		(void)ar_buf_addch(out, '\n');
		indent(out, depth);
		(void)ar_buf_addch(out, ']');
		break;
	}
	case JSON_STRING: json_string_out(out, json_string_value(j), json_string_length(j)); break;
	case JSON_INTEGER: (void)ar_buf_printf(out, "%lld", (long long)json_integer_value(j)); break;
	case JSON_REAL: py_float(out, json_real_value(j)); break;
	case JSON_TRUE: (void)ar_buf_adds(out, "true"); break;
	case JSON_FALSE: (void)ar_buf_adds(out, "false"); break;
	case JSON_NULL: (void)ar_buf_adds(out, "null"); break;
	}
}

void ar_cli_json_pretty(struct ar_buf *out, const json_t *j)
{
	pretty(out, j, 0);
	(void)ar_buf_addch(out, '\n');
}

static const char *reason_phrase(long status)
{
	switch (status) {
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

void ar_cli_error_text(struct ar_buf *out, const char *op_name, const struct ar_client_response *resp)
{
	struct ar_arena *a = ar_arena_new();
	const char *code = NULL, *message = "";
	const char *body = resp->body ? resp->body : "";
	size_t len = resp->body ? resp->body_len : 0;
	json_t *j = NULL;
	/* botocore: a 5xx with no body or an HTML page is a generic error named by its status. */
	bool generic = resp->status >= 500 && (len == 0 || strncmp(body, "<html>", 6) == 0);
	if (!generic && len > 0) {
		j = ar_json_own(a, json_loadb(body, len, 0, NULL));
		if (!json_is_object(j))
			message = ar_strndup(a, body, len); /* botocore wraps non-JSON as {"message": text} */
	}
	if (generic) {
		message = reason_phrase(resp->status);
	} else if (json_is_object(j)) {
		message = ar_json_str(j, "message")   ? ar_json_str(j, "message")
			  : ar_json_str(j, "Message") ? ar_json_str(j, "Message")
						      : "";
	}
	if (!generic) {
		if (resp->error_type)
			code = resp->error_type;
		else if (json_is_object(j) && (ar_json_str(j, "code") || ar_json_str(j, "Code")))
			code = ar_json_str(j, "code") ? ar_json_str(j, "code") : ar_json_str(j, "Code");
		else if (json_is_object(j) && ar_json_str(j, "__type"))
			code = ar_json_str(j, "__type");
	}
	if (code) {
		/* "Name:http://internal/..." and "com.amazonaws.codeartifact#Name" both become Name. */
		char *c = ar_strndup(a, code, strcspn(code, ":"));
		char *hash = strrchr(c, '#');
		code = hash ? hash + 1 : c;
	} else {
		code = ar_printf(a, "%ld", resp->status);
	}
	(void)ar_buf_printf(out, "\nAn error occurred (%s) when calling the %s operation: %s\n", code, op_name,
			    message);
	ar_arena_free(a);
}

/* ---- running ----------------------------------------------------------------------------- */

static void print_usage(FILE *out, const struct ar_cli_call *call, struct ar_arena *a)
{
	fprintf(out, "usage: arca %s", call->op->kebab);
	for (size_t i = 0; i < call->n_members; i++) {
		const struct ar_op_member *m = &call->members[i];
		const char *flag = ar_cli_flag_name(a, m->member);
		const char *arg = m->type == 't'   ? ""
				  : m->type == 'l' ? " <value> [<value> ...]"
				  : m->type == 'd' ? " <file>"
						   : " <value>";
		if (m->type == 't')
			fprintf(out, " [--%s | --no-%s]", flag, flag);
		else
			fprintf(out, m->required && m->loc != 'h' ? " --%s%s" : " [--%s%s]", flag, arg);
	}
	if (strcmp(call->op->name, "GetPackageVersionAsset") == 0)
		fprintf(out, " <outfile>");
	fprintf(out,
		"\n\n%s %s%s\nglobal options: --endpoint-url URL --region REGION --profile NAME --output json "
		"--debug%s\n",
		call->op->method, call->op->path, paginator_of(call->op) ? " (paginated)" : "",
		paginator_of(call->op) ? " --no-paginate --max-items N --page-size N" : "");
}

/* Sends the request, following nextToken for paginated operations; *result gets the merged JSON
   (or NULL for an empty body). Returns an exit code; 0 when every page succeeded. */
static int run_pages(json_t **result, struct ar_cli_call *call, struct ar_client *client, struct ar_arena *a,
		     FILE *errf, struct ar_client_response *last)
{
	struct ar_err err = {0};
	const struct paginator *pg = paginator_of(call->op);
	json_t *first = NULL;
	char *prev_token = NULL;
	*result = NULL;
	for (int page = 0; page < MAX_PAGES; page++) {
		struct ar_client_request req = {
			.method = call->op->method,
			.path = call->op->path,
			.query = call->query,
			.json_body = call->json_body,
			.body_path = call->body_path,
			.body_sha256 = call->body_sha256,
			.save_path = call->outfile,
		};
		int rc = ar_client_call(last, client, a, &req, &err);
		if (rc) {
			fprintf(errf, "\n%s\n", err.msg);
			return AR_CLI_EXIT_ERROR;
		}
		if (last->status >= 300) {
			struct ar_buf msg;
			ar_buf_init(&msg, 0);
			ar_cli_error_text(&msg, call->op->name, last);
			fputs(msg.ptr, errf);
			ar_buf_release(&msg);
			return AR_CLI_EXIT_ERROR;
		}
		if (call->outfile)
			return 0;
		if (last->body_len == 0)
			break;
		json_t *j = ar_json_own(a, json_loadb(last->body, last->body_len, 0, NULL));
		if (!json_is_object(j)) {
			fprintf(errf, "\nUnable to parse the %s response as a JSON object\n", call->op->name);
			return AR_CLI_EXIT_ERROR;
		}
		if (!call->paginate) {
			*result = j;
		} else {
			/* botocore's build_full_result: the merged list first, then the first page's
			   non-aggregate keys (null when absent); everything else, nextToken included, dropped. */
			json_t *items = json_object_get(j, pg->result_key);
			if (!*result) {
				*result = ar_json_own(a, json_object());
				first = j;
			}
			if (json_is_array(items)) {
				json_t *into = json_object_get(*result, pg->result_key);
				if (into)
					json_array_extend(into, items);
				else
					json_object_set(*result, pg->result_key, items);
			}
		}
		const char *token = ar_json_str(j, "nextToken");
		if (!call->paginate || !token || !*token)
			break;
		/* The aws CLI stops with PaginationError when a server repeats a token. */
		if (prev_token && strcmp(prev_token, token) == 0) {
			fprintf(errf, "\nError during pagination: The same next token was received twice: %s\n", token);
			return AR_CLI_EXIT_ERROR;
		}
		prev_token = ar_strdup(a, token);
		json_object_set_new(call->values, "nextToken", json_string(prev_token));
		if (ar_cli_encode(call, a, &err) != 0) {
			fprintf(errf, "\n%s\n", err.msg);
			return AR_CLI_EXIT_ERROR;
		}
	}
	for (size_t i = 0; call->paginate && first && pg->non_aggregate[i]; i++) {
		json_t *v = json_object_get(first, pg->non_aggregate[i]);
		json_object_set_new(*result, pg->non_aggregate[i], v ? json_incref(v) : json_null());
	}
	return 0;
}

int ar_cli_run_op_io(FILE *out, FILE *errf, int argc, char **argv)
{
	struct ar_arena *a = ar_arena_new();
	struct ar_cli_call call;
	struct ar_client client;
	struct ar_err err = {0};
	int code = 0;
	memset(&client, 0, sizeof client);

	if (ar_cli_parse(&call, a, argc, argv, &err) != 0) {
		fprintf(errf, "usage: arca <operation> [options]\narca: error: %s\n", err.msg);
		code = AR_CLI_EXIT_USAGE;
		goto done;
	}
	if (call.help) {
		print_usage(out, &call, a);
		goto done;
	}
	call.client.debug_out = errf;
	if (ar_client_init(&client, &call.client, &err) != 0) {
		fprintf(errf, "\n%s\n", err.msg);
		code = AR_CLI_EXIT_ERROR;
		goto done;
	}
	json_t *result = NULL;
	struct ar_client_response resp;
	if ((code = run_pages(&result, &call, &client, a, errf, &resp)) != 0)
		goto done;

	struct ar_buf text;
	ar_buf_init(&text, 0);
	if (call.outfile) {
		/* The asset went to the file; its identity comes back in headers. */
		json_t *meta = ar_json_own(a, json_object());
		ar_json_set_str(meta, "assetName", resp.asset_name);
		ar_json_set_str(meta, "packageVersion", resp.package_version);
		ar_json_set_str(meta, "packageVersionRevision", resp.package_version_revision);
		ar_cli_json_pretty(&text, meta);
	} else if (result && json_object_size(result) > 0) {
		/* Like the aws CLI, an empty result prints nothing. */
		ar_cli_json_pretty(&text, result);
	}
	fwrite(text.ptr, 1, text.len, out);
	ar_buf_release(&text);
done:
	ar_client_release(&client);
	ar_arena_free(a);
	return code;
}

int ar_cli_run_op(int argc, char **argv)
{
	int code = ar_cli_run_op_io(stdout, stderr, argc, argv);
	fflush(stdout);
	return code;
}

void ar_cli_print_ops_help(FILE *out)
{
	size_t n;
	const struct ar_op_info *ops = ar_ops(&n);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-44s %-6s %s\n", ops[i].kebab, ops[i].method, ops[i].path);
	fprintf(out, "\n`arca <operation> help` lists an operation's flags.\n");
}
