/* policy/arn.c - ARN builders for Arca's resources and principals, and a validating ARN splitter */
#include "policy/arn.h"

#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"

char *ar_arn_domain(struct ar_arena *a, const char *region, const char *owner, const char *domain)
{
	return ar_printf(a, "arn:aws:codeartifact:%s:%s:domain/%s", region, owner, domain);
}

char *ar_arn_repository(struct ar_arena *a, const char *region, const char *owner, const char *domain, const char *repo)
{
	return ar_printf(a, "arn:aws:codeartifact:%s:%s:repository/%s/%s", region, owner, domain, repo);
}

char *ar_arn_package(struct ar_arena *a, const char *region, const char *owner, const char *domain, const char *repo,
		     const char *format, const char *ns, const char *package)
{
	return ar_printf(a, "arn:aws:codeartifact:%s:%s:package/%s/%s/%s/%s/%s", region, owner, domain, repo, format,
			 ns ? ns : "", package);
}

static const char *group_escape(char c)
{
	return c == '*' ? "%2a" : c == '$' ? "%24" : c == '%' ? "%25" : NULL;
}

char *ar_arn_package_group(struct ar_arena *a, const char *region, const char *owner, const char *domain,
			   const char *pattern)
{
	/* Only the pattern metacharacters are escaped, so that '*' in an ARN stays a policy wildcard
	   and never matches a group literally; the lowercase hex is what AWS emits. */
	size_t n = strlen(pattern), enc_len = 0;
	for (size_t i = 0; i < n; i++)
		enc_len += group_escape(pattern[i]) ? 3 : 1;
	char *enc = ar_alloc(a, enc_len + 1), *w = enc;
	for (size_t i = 0; i < n; i++) {
		const char *esc = group_escape(pattern[i]);
		if (esc) {
			memcpy(w, esc, 3);
			w += 3;
		} else {
			*w++ = pattern[i];
		}
	}
	*w = '\0';
	return ar_printf(a, "arn:aws:codeartifact:%s:%s:package-group/%s%s", region, owner, domain, enc);
}

char *ar_arn_user(struct ar_arena *a, const char *account, const char *user)
{
	return ar_printf(a, "arn:aws:iam::%s:user/%s", account, user);
}

char *ar_arn_account_root(struct ar_arena *a, const char *account)
{
	return ar_printf(a, "arn:aws:iam::%s:root", account);
}

/* Lowercase letters, digits and '-': the alphabet of partitions, services and regions. */
static bool is_ident(struct ar_str s, bool allow_empty, size_t max)
{
	if (s.len == 0)
		return allow_empty;
	if (s.len > max)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

static bool is_account(struct ar_str s)
{
	if (s.len != 12)
		return false;
	for (size_t i = 0; i < 12; i++)
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return false;
	return true;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Splits s at '/' into exactly n segments; false when there are more or fewer. */
static bool split_slash(struct ar_str s, struct ar_str *seg, size_t n)
{
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= s.len; i++) {
		if (i < s.len && s.ptr[i] != '/')
			continue;
		if (k == n)
			return false;
		seg[k++] = (struct ar_str){s.ptr + start, i - start};
		start = i + 1;
	}
	return k == n;
}

static int parse_codeartifact(struct ar_arn *out)
{
	struct ar_str r = out->resource, seg[5];
	if (out->region.len == 0 || !is_account(out->account))
		return AR_EINVAL;
	if (ar_str_starts_with(r, "domain/")) {
		struct ar_str rest = {r.ptr + 7, r.len - 7};
		if (!split_slash(rest, seg, 1) || seg[0].len == 0)
			return AR_EINVAL;
		out->kind = AR_ARN_DOMAIN;
		out->domain = seg[0];
		return 0;
	}
	if (ar_str_starts_with(r, "repository/")) {
		struct ar_str rest = {r.ptr + 11, r.len - 11};
		if (!split_slash(rest, seg, 2) || seg[0].len == 0 || seg[1].len == 0)
			return AR_EINVAL;
		out->kind = AR_ARN_REPOSITORY;
		out->domain = seg[0];
		out->repo = seg[1];
		return 0;
	}
	if (ar_str_starts_with(r, "package/")) {
		struct ar_str rest = {r.ptr + 8, r.len - 8};
		/* The namespace (seg[3]) is the one segment that may be empty. */
		if (!split_slash(rest, seg, 5) || seg[0].len == 0 || seg[1].len == 0 || seg[2].len == 0 ||
		    seg[4].len == 0)
			return AR_EINVAL;
		out->kind = AR_ARN_PACKAGE;
		out->domain = seg[0];
		out->repo = seg[1];
		out->format = seg[2];
		out->ns = seg[3];
		out->package = seg[4];
		return 0;
	}
	if (ar_str_starts_with(r, "package-group/")) {
		const char *p = r.ptr + 14, *end = r.ptr + r.len;
		const char *slash = memchr(p, '/', (size_t)(end - p));
		if (!slash || slash == p || slash + 1 == end)
			return AR_EINVAL;
		for (const char *q = slash; q < end; q++)
			if (*q == '%' && (end - q < 3 || !is_hex(q[1]) || !is_hex(q[2])))
				return AR_EINVAL;
		out->kind = AR_ARN_PACKAGE_GROUP;
		out->domain = (struct ar_str){p, (size_t)(slash - p)};
		out->pattern = (struct ar_str){slash, (size_t)(end - slash)};
		return 0;
	}
	return AR_EINVAL;
}

static int parse_iam(struct ar_arn *out)
{
	/* IAM is global: an ARN with a region is not an IAM principal, whatever it says. */
	if (out->region.len != 0 || !is_account(out->account))
		return AR_EINVAL;
	if (ar_str_eq(out->resource, "root")) {
		out->kind = AR_ARN_IAM_ROOT;
	} else if (ar_str_starts_with(out->resource, "user/") && out->resource.len > 5 &&
		   out->resource.ptr[out->resource.len - 1] != '/') {
		out->kind = AR_ARN_IAM_USER;
		out->user = (struct ar_str){out->resource.ptr + 5, out->resource.len - 5};
	}
	return 0;
}

static int parse_arn(const char *arn, struct ar_arn *out)
{
	size_t len = strlen(arn);
	if (len > AR_ARN_MAX_LEN || !ar_is_nonspace_utf8(arn, len))
		return AR_EINVAL;
	struct ar_str part[6];
	const char *p = arn;
	for (int i = 0; i < 5; i++) {
		const char *colon = strchr(p, ':');
		if (!colon)
			return AR_EINVAL;
		part[i] = (struct ar_str){p, (size_t)(colon - p)};
		p = colon + 1;
	}
	part[5] = ar_str_of(p);
	if (!ar_str_eq(part[0], "arn") || !is_ident(part[1], false, 32) || !is_ident(part[2], false, 64) ||
	    !is_ident(part[3], true, 32) || (part[4].len != 0 && !is_account(part[4])) || part[5].len == 0)
		return AR_EINVAL;
	out->partition = part[1];
	out->service = part[2];
	out->region = part[3];
	out->account = part[4];
	out->resource = part[5];
	if (ar_str_eq(out->service, "codeartifact"))
		return parse_codeartifact(out);
	if (ar_str_eq(out->service, "iam"))
		return parse_iam(out);
	return 0;
}

int ar_arn_parse(const char *arn, struct ar_arn *out)
{
	memset(out, 0, sizeof *out);
	int rc = parse_arn(arn, out);
	if (rc < 0)
		memset(out, 0, sizeof *out);
	return rc;
}

int ar_arn_parse_taggable(const char *arn, struct ar_arn *out)
{
	int rc = ar_arn_parse(arn, out);
	if (rc < 0)
		return rc;
	if (out->kind != AR_ARN_DOMAIN && out->kind != AR_ARN_REPOSITORY && out->kind != AR_ARN_PACKAGE_GROUP) {
		memset(out, 0, sizeof *out);
		return AR_EINVAL;
	}
	return 0;
}

char *ar_arn_decode_group(struct ar_arena *a, const struct ar_arn *arn)
{
	if (arn->kind != AR_ARN_PACKAGE_GROUP)
		return NULL;
	return ar_pct_decode(a, arn->pattern.ptr, arn->pattern.len, NULL);
}
