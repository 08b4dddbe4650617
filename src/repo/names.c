/* repo/names.c - validation of names and scalars (server-side, since botocore checks only min) */
#include "repo/names.h"

#include "core/text.h"

#include <stdio.h>
#include <string.h>

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}
static bool is_alnum(char c)
{
	return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z');
}

static int length_between(const char *what, const char *s, size_t min, size_t max, struct ar_err *err)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return ar_fail(err, AR_EINVAL, "%s must be between %zu and %zu characters long", what, min, max);
	return 0;
}

int ar_check_domain_name(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 2, 50, err);
	if (rc)
		return rc;
	size_t n = strlen(s);
	bool ok = is_lower(s[0]) && (is_lower(s[n - 1]) || is_digit(s[n - 1]));
	for (size_t i = 1; ok && i + 1 < n; i++)
		ok = is_lower(s[i]) || is_digit(s[i]) || s[i] == '-';
	if (!ok)
		return ar_fail(
			err, AR_EINVAL,
			"%s '%s' must start with a lowercase letter, end with a letter or digit, and contain only "
			"lowercase letters, digits and hyphens",
			what, s);
	return 0;
}

int ar_check_repository_name(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 2, 100, err);
	if (rc)
		return rc;
	bool ok = is_alnum(s[0]);
	for (size_t i = 1; ok && s[i]; i++)
		ok = is_alnum(s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-';
	if (!ok)
		return ar_fail(err, AR_EINVAL,
			       "%s '%s' must start with a letter or digit and contain only letters, digits, '.', '_' "
			       "and '-'",
			       what, s);
	return 0;
}

int ar_check_account_id(const char *what, const char *s, struct ar_err *err)
{
	bool ok = strlen(s) == 12;
	for (size_t i = 0; ok && i < 12; i++)
		ok = is_digit(s[i]);
	if (!ok)
		return ar_fail(err, AR_EINVAL, "%s must be a 12-digit account id", what);
	return 0;
}

int ar_check_external_connection_name(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 2, 100, err);
	if (rc)
		return rc;
	bool ok = is_alnum(s[0]);
	for (size_t i = 1; ok && s[i]; i++)
		ok = is_alnum(s[i]) || strchr("._-:", s[i]) != NULL;
	if (!ok)
		return ar_fail(err, AR_EINVAL, "%s '%s' contains characters that are not allowed", what, s);
	return 0;
}

int ar_check_description(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 0, 1000, err);
	if (rc)
		return rc;
	if (!ar_is_printable_utf8(s, strlen(s)))
		return ar_fail(err, AR_EINVAL, "%s must not contain control characters", what);
	return 0;
}

int ar_check_arn(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 1, 1011, err);
	if (rc)
		return rc;
	if (!ar_is_nonspace_utf8(s, strlen(s)))
		return ar_fail(err, AR_EINVAL, "%s must not contain whitespace or control characters", what);
	return 0;
}

int ar_check_tag_key(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 1, 128, err);
	if (rc)
		return rc;
	if (!ar_is_printable_utf8(s, strlen(s)))
		return ar_fail(err, AR_EINVAL, "%s must not contain control characters", what);
	return 0;
}

int ar_check_tag_value(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 0, 256, err);
	if (rc)
		return rc;
	if (!ar_is_printable_utf8(s, strlen(s)))
		return ar_fail(err, AR_EINVAL, "%s must not contain control characters", what);
	return 0;
}

int ar_check_policy_document(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 1, 7168, err);
	if (rc)
		return rc;
	/* [\P{C}\s]+: printable text plus whitespace such as newlines and tabs. */
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 && !strchr("\t\n\r\v\f", *p))
			return ar_fail(err, AR_EINVAL, "%s must not contain control characters", what);
	}
	return 0;
}

int ar_check_policy_revision(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 1, 100, err);
	if (rc)
		return rc;
	if (!ar_is_nonspace_utf8(s, strlen(s)))
		return ar_fail(err, AR_EINVAL, "%s must not contain whitespace", what);
	return 0;
}

int ar_check_pagination_token(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 1, 2000, err);
	if (rc)
		return rc;
	if (!ar_is_nonspace_utf8(s, strlen(s)))
		return ar_fail(err, AR_EINVAL, "%s must not contain whitespace", what);
	return 0;
}

int ar_check_user_name(const char *what, const char *s, struct ar_err *err)
{
	/* IAM user names: 1..64 of [A-Za-z0-9+=,.@_-]. */
	int rc = length_between(what, s, 1, 64, err);
	if (rc)
		return rc;
	for (const char *p = s; *p; p++)
		if (!is_alnum(*p) && !strchr("+=,.@_-", *p))
			return ar_fail(err, AR_EINVAL, "%s may contain only letters, digits and +=,.@_-", what);
	return 0;
}

int ar_check_package_coord(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 1, 255, err);
	if (rc)
		return rc;
	if (!ar_is_nonspace_utf8(s, strlen(s)) || strpbrk(s, "#/"))
		return ar_fail(err, AR_EINVAL, "%s '%s' must not contain '#', '/', whitespace or control characters",
			       what, s);
	return 0;
}

int ar_check_asset_name(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 1, 255, err);
	if (rc)
		return rc;
	if (!ar_is_printable_utf8(s, strlen(s)))
		return ar_fail(err, AR_EINVAL, "%s must not contain control characters", what);
	return 0;
}

int ar_check_revision(const char *what, const char *s, struct ar_err *err)
{
	int rc = length_between(what, s, 1, 50, err);
	if (rc)
		return rc;
	if (!ar_is_nonspace_utf8(s, strlen(s)))
		return ar_fail(err, AR_EINVAL, "%s must not contain whitespace", what);
	return 0;
}

char *ar_package_name_normalize(struct ar_arena *a, const char *format, const char *name)
{
	bool pep503 = strcmp(format, "pypi") == 0;
	bool lower = pep503 || strcmp(format, "nuget") == 0 || strcmp(format, "swift") == 0;
	char *out = ar_strdup(a, name), *w = out;
	for (const char *p = name; *p; p++) {
		char c = *p;
		if (pep503 && (c == '-' || c == '_' || c == '.')) {
			while (p[1] == '-' || p[1] == '_' || p[1] == '.')
				p++;
			c = '-';
		} else if (lower && c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
		}
		*w++ = c;
	}
	*w = '\0';
	return out;
}

static const char *const formats[] = {"npm", "pypi", "maven", "nuget", "generic", "ruby", "swift", "cargo", NULL};

bool ar_format_valid(const char *format)
{
	for (size_t i = 0; formats[i]; i++)
		if (strcmp(formats[i], format) == 0)
			return true;
	return false;
}

static const struct {
	const char *name, *format;
} externals[] = {
	{"public:npmjs", "npm"},
	{"public:pypi", "pypi"},
	{"public:maven-central", "maven"},
	{"public:maven-googleandroid", "maven"},
	{"public:maven-gradleplugins", "maven"},
	{"public:maven-commonsware", "maven"},
	{"public:maven-clojars", "maven"},
	{"public:nuget-org", "nuget"},
	{"public:ruby-gems-org", "ruby"},
	{"public:crates-io", "cargo"},
};

const char *ar_external_connection_format(const char *name)
{
	for (size_t i = 0; i < sizeof externals / sizeof externals[0]; i++)
		if (strcmp(externals[i].name, name) == 0)
			return externals[i].format;
	return NULL;
}

int ar_check_enum(const char *what, const char *s, const char *const *options, struct ar_err *err)
{
	for (size_t i = 0; options[i]; i++)
		if (strcmp(options[i], s) == 0)
			return 0;
	char list[256] = "";
	size_t n = 0;
	for (size_t i = 0; options[i] && n < sizeof list; i++)
		n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", options[i]);
	return ar_fail(err, AR_EINVAL, "%s '%s' is not one of: %s", what, s, list);
}
