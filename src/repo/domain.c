/* repo/domain.c - domains */
#include "repo/domain.h"

#include "core/crypto.h"
#include "core/timeutil.h"
#include "repo/groups.h"

#include <string.h>

int64_t ar_new_id(void)
{
	uint64_t v;
	ar_random(&v, sizeof v);
	/* Positive and nonzero; 62 random bits make collisions negligible. */
	return (int64_t)(v >> 2) + 1;
}

char *ar_policy_revision_new(struct ar_arena *a)
{
	unsigned char raw[32];
	ar_random(raw, sizeof raw);
	return ar_b64_encode(a, raw, sizeof raw);
}

static char *uuid4(struct ar_arena *a)
{
	unsigned char b[16];
	ar_random(b, sizeof b);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	char hex[33];
	ar_hex(hex, b, 16);
	return ar_printf(a, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

#define DOMAIN_COLUMNS                                                                                                 \
	"d.id, d.owner, d.name, d.encryption_key, d.created_ms, d.policy, d.policy_revision,"                          \
	" (SELECT COUNT(*) FROM repositories r WHERE r.domain_id = d.id)"

static void read_row(struct ar_domain *d, struct ar_stmt *st, struct ar_arena *a)
{
	d->id = ar_stmt_int(st, 0);
	d->owner = ar_strdup(a, ar_stmt_text(st, 1));
	d->name = ar_strdup(a, ar_stmt_text(st, 2));
	d->encryption_key = ar_strdup(a, ar_stmt_text(st, 3));
	d->created_ms = ar_stmt_int(st, 4);
	d->policy = ar_stmt_is_null(st, 5) ? NULL : ar_strdup(a, ar_stmt_text(st, 5));
	d->policy_revision = ar_stmt_is_null(st, 6) ? NULL : ar_strdup(a, ar_stmt_text(st, 6));
	d->repository_count = ar_stmt_int(st, 7);
	d->asset_size_bytes = 0;
}

int ar_domain_create(struct ar_domain *out, struct ar_dbc *db, struct ar_arena *a, const char *region,
		     const char *owner, const char *name, const char *encryption_key, struct ar_err *err)
{
	memset(out, 0, sizeof *out);
	out->id = ar_new_id();
	out->owner = owner;
	out->name = name;
	out->encryption_key =
		encryption_key ? encryption_key : ar_printf(a, "arn:aws:kms:%s:%s:key/%s", region, owner, uuid4(a));
	out->created_ms = ar_now_ms();
	int64_t rc = ar_dbc_exec(
		db, err, "INSERT INTO domains (id, owner, name, encryption_key, created_ms) VALUES (?, ?, ?, ?, ?)",
		"isssi", out->id, owner, name, out->encryption_key, out->created_ms);
	if (rc == AR_EEXISTS)
		return ar_fail(err, AR_EEXISTS, "Domain %s already exists in account %s", name, owner);
	if (rc < 0)
		return (int)rc;
	/* Every domain has the root package group (repo/groups.h); it goes when the domain does. */
	return ar_group_create_root(db, out->id, out->created_ms, err);
}

int ar_domain_asset_size(int64_t *out, struct ar_dbc *db, int64_t domain_id, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT COALESCE(SUM(size), 0) FROM (SELECT DISTINCT x.sha256, x.size FROM assets x"
				" JOIN package_versions v ON v.id = x.version_id JOIN packages p ON p.id = v.package_id"
				" JOIN repositories r ON r.id = p.repository_id WHERE r.domain_id = ?)",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, domain_id);
	rc = ar_stmt_step(st, err);
	*out = rc == 1 ? ar_stmt_int(st, 0) : 0;
	ar_stmt_done(st);
	return rc < 0 ? rc : 0;
}

void ar_domain_copy(struct ar_domain *dst, struct ar_arena *a, const struct ar_domain *src)
{
	*dst = *src;
	dst->owner = ar_strdup_or_null(a, src->owner);
	dst->name = ar_strdup_or_null(a, src->name);
	dst->encryption_key = ar_strdup_or_null(a, src->encryption_key);
	dst->policy = ar_strdup_or_null(a, src->policy);
	dst->policy_revision = ar_strdup_or_null(a, src->policy_revision);
}

int ar_domain_get(struct ar_domain *out, struct ar_dbc *db, struct ar_arena *a, const char *owner, const char *name,
		  struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT " DOMAIN_COLUMNS " FROM domains d WHERE d.owner = ? AND d.name = ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, owner);
	ar_stmt_bind_text(st, 2, name);
	rc = ar_stmt_step(st, err);
	if (rc == 1)
		read_row(out, st, a);
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ENOTFOUND, "Domain %s not found in account %s", name, owner);
	return rc < 0 ? rc : 0;
}

int ar_domain_list(struct ar_domain **out, size_t *n, bool *more, struct ar_dbc *db, struct ar_arena *a,
		   const char *owner, const char *after_name, int limit, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT " DOMAIN_COLUMNS
				" FROM domains d WHERE d.owner = ? AND (? IS NULL OR d.name > ?)"
				" ORDER BY d.name LIMIT ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, owner);
	ar_stmt_bind_text(st, 2, after_name);
	ar_stmt_bind_text(st, 3, after_name);
	ar_stmt_bind_int(st, 4, limit + 1);
	size_t cap = 0, count = 0;
	struct ar_domain *list = NULL;
	*more = false;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		if ((int)count == limit) {
			*more = true;
			break;
		}
		list = ar_grow(a, list, &cap, count, sizeof *list);
		read_row(&list[count++], st, a);
	}
	ar_stmt_done(st);
	*out = list;
	*n = count;
	return rc < 0 ? rc : 0;
}

int ar_domain_delete(struct ar_dbc *db, const struct ar_domain *d, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT COUNT(*) FROM repositories WHERE domain_id = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_int(st, 1, d->id);
	rc = ar_stmt_step(st, err);
	int64_t repos = rc == 1 ? ar_stmt_int(st, 0) : 0;
	ar_stmt_done(st);
	if (rc < 0)
		return rc;
	if (repos > 0)
		return ar_fail(err, AR_ECONFLICT,
			       "Domain %s cannot be deleted because it contains %lld repositories; delete them first",
			       d->name, (long long)repos);
	int64_t n = ar_dbc_exec(db, err, "DELETE FROM domains WHERE id = ?", "i", d->id);
	return n < 0 ? (int)n : 0;
}

int ar_domain_set_policy(struct ar_dbc *db, struct ar_arena *a, const struct ar_domain *d, const char *document,
			 const char *expected_revision, const char **revision, struct ar_err *err)
{
	if (expected_revision && (!d->policy_revision || strcmp(expected_revision, d->policy_revision) != 0))
		return ar_fail(err, AR_ECONFLICT, "The policy revision %s does not match the current revision of %s",
			       expected_revision, d->name);
	const char *next = document ? ar_policy_revision_new(a) : NULL;
	int64_t n = ar_dbc_exec(db, err, "UPDATE domains SET policy = ?, policy_revision = ? WHERE id = ?", "ssi",
				document, next, d->id);
	if (n < 0)
		return (int)n;
	*revision = next;
	return 0;
}
