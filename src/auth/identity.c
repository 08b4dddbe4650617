/* auth/identity.c - accounts, users, access keys and identity policies */
#include "auth/identity.h"

#include "core/crypto.h"
#include "core/timeutil.h"
#include "policy/policy.h"
#include "repo/names.h"

#include <stdio.h>
#include <string.h>

void ar_principal_set(struct ar_principal *p, const char *account_id, const char *user_name)
{
	memset(p, 0, sizeof *p);
	snprintf(p->account_id, sizeof p->account_id, "%s", account_id);
	snprintf(p->user_name, sizeof p->user_name, "%s", user_name);
	snprintf(p->arn, sizeof p->arn, "arn:aws:iam::%s:user/%s", account_id, user_name);
}

/* Random characters from alphabet (uniform: rejection sampling of bytes). */
static void random_chars(char *out, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet), limit = 256 - 256 % k;
	for (size_t i = 0; i < n;) {
		unsigned char b[32];
		ar_random(b, sizeof b);
		for (size_t j = 0; j < sizeof b && i < n; j++)
			if (b[j] < limit)
				out[i++] = alphabet[b[j] % k];
	}
	out[n] = '\0';
}

int ar_identity_create_account(struct ar_dbc *db, const char *name, char account_id[13], struct ar_err *err)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		random_chars(account_id, 12, "0123456789");
		if (account_id[0] == '0')
			account_id[0] = '1';
		int64_t rc = ar_dbc_exec(db, err, "INSERT INTO accounts (id, name, created_ms) VALUES (?, ?, ?)", "ssi",
					 account_id, name ? name : "", ar_now_ms());
		if (rc != AR_EEXISTS)
			return rc < 0 ? (int)rc : 0;
	}
	return ar_fail(err, AR_ERROR, "could not allocate an account id");
}

int ar_identity_has_accounts(struct ar_dbc *db, bool *out, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT 1 FROM accounts LIMIT 1", err);
	if (rc)
		return rc;
	rc = ar_stmt_step(st, err);
	*out = rc == 1;
	ar_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int ar_identity_account_exists(struct ar_dbc *db, const char *account_id, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT 1 FROM accounts WHERE id = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, account_id);
	rc = ar_stmt_step(st, err);
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ENOTFOUND, "account %s does not exist", account_id);
	return rc < 0 ? rc : 0;
}

static int user_exists(struct ar_dbc *db, const char *account_id, const char *user_name, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT 1 FROM users WHERE account_id = ? AND name = ?", err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, account_id);
	ar_stmt_bind_text(st, 2, user_name);
	rc = ar_stmt_step(st, err);
	ar_stmt_done(st);
	if (rc == 0)
		return ar_fail(err, AR_ENOTFOUND, "user %s does not exist in account %s", user_name, account_id);
	return rc < 0 ? rc : 0;
}

int ar_identity_create_user(struct ar_dbc *db, const char *account_id, const char *user_name, struct ar_err *err)
{
	int rc = ar_check_user_name("user name", user_name, err);
	if (rc || (rc = ar_identity_account_exists(db, account_id, err)))
		return rc;
	int64_t n = ar_dbc_exec(db, err, "INSERT INTO users (account_id, name, created_ms) VALUES (?, ?, ?)", "ssi",
				account_id, user_name, ar_now_ms());
	if (n == AR_EEXISTS)
		return ar_fail(err, AR_EEXISTS, "user %s already exists in account %s", user_name, account_id);
	return n < 0 ? (int)n : 0;
}

int ar_identity_create_access_key(struct ar_dbc *db, const struct ar_keys *keys, const char *account_id,
				  const char *user_name, char access_key_id[21], char secret[41], struct ar_err *err)
{
	int rc = user_exists(db, account_id, user_name, err);
	if (rc)
		return rc;
	/* Same shapes as AWS: AKIA + 16 of [A-Z2-7], and a 40-character secret. */
	memcpy(access_key_id, "AKIA", 4);
	random_chars(access_key_id + 4, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
	random_chars(secret, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	unsigned char sealed[40 + AR_AEAD_OVERHEAD];
	if ((rc = ar_aead_seal(sealed, keys->secrets, secret, 40)) != 0)
		return ar_fail(err, rc, "could not seal the secret");
	struct ar_arena *a = ar_arena_new();
	int64_t n = ar_dbc_exec(db, err,
				"INSERT INTO access_keys (id, account_id, user_name, secret_sealed, created_ms) "
				"VALUES (?, ?, ?, ?, ?)",
				"ssssi", access_key_id, account_id, user_name, ar_b64_encode(a, sealed, sizeof sealed),
				ar_now_ms());
	ar_arena_free(a);
	return n < 0 ? (int)n : 0;
}

int ar_identity_delete_access_key(struct ar_dbc *db, const char *access_key_id, struct ar_err *err)
{
	int64_t n = ar_dbc_exec(db, err, "DELETE FROM access_keys WHERE id = ?", "s", access_key_id);
	if (n == 0)
		return ar_fail(err, AR_ENOTFOUND, "access key %s does not exist", access_key_id);
	return n < 0 ? (int)n : 0;
}

int ar_identity_lookup_key(struct ar_dbc *db, struct ar_arena *a, const struct ar_keys *keys, const char *access_key_id,
			   struct ar_principal *who, char **secret, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st, "SELECT account_id, user_name, secret_sealed FROM access_keys WHERE id = ?",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, access_key_id);
	rc = ar_stmt_step(st, err);
	if (rc != 1) {
		ar_stmt_done(st);
		return rc == 0 ? ar_fail(err, AR_ENOTFOUND, "unknown access key") : rc;
	}
	ar_principal_set(who, ar_stmt_text(st, 0), ar_stmt_text(st, 1));
	const char *b64 = ar_stmt_text(st, 2);
	size_t len = 0;
	unsigned char *sealed = ar_b64_decode(a, b64, strlen(b64), &len);
	ar_stmt_done(st);
	if (!sealed || len != 40 + AR_AEAD_OVERHEAD)
		return ar_fail(err, AR_ERROR, "stored secret of %s is corrupt", access_key_id);
	char *plain = ar_alloc(a, 41);
	if (ar_aead_open((unsigned char *)plain, keys->secrets, sealed, len) != 0)
		return ar_fail(err, AR_ERROR, "stored secret of %s does not open with this master key", access_key_id);
	*secret = plain;
	return 0;
}

int ar_identity_put_user_policy(struct ar_dbc *db, const char *account_id, const char *user_name,
				const char *policy_name, const char *document, struct ar_err *err)
{
	int rc = ar_check_user_name("policy name", policy_name, err);
	if (rc || (rc = user_exists(db, account_id, user_name, err)))
		return rc;
	struct ar_arena *a = ar_arena_new();
	struct ar_policy *p;
	rc = ar_policy_parse(&p, a, document, strlen(document), AR_POLICY_IDENTITY, err);
	ar_arena_free(a);
	if (rc)
		return rc;
	int64_t n = ar_dbc_exec(
		db, err,
		"INSERT INTO user_policies (account_id, user_name, policy_name, document) VALUES (?, ?, ?, ?) "
		"ON CONFLICT (account_id, user_name, policy_name) DO UPDATE SET document = excluded.document",
		"ssss", account_id, user_name, policy_name, document);
	return n < 0 ? (int)n : 0;
}

int ar_identity_user_policies(struct ar_dbc *db, struct ar_arena *a, const char *account_id, const char *user_name,
			      const char ***docs, size_t *n, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(
		db, &st,
		"SELECT document FROM user_policies WHERE account_id = ? AND user_name = ? ORDER BY policy_name", err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, account_id);
	ar_stmt_bind_text(st, 2, user_name);
	size_t cap = 0, count = 0;
	const char **out = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		out = ar_grow(a, out, &cap, count, sizeof *out);
		out[count++] = ar_strdup(a, ar_stmt_text(st, 0));
	}
	ar_stmt_done(st);
	*docs = out;
	*n = count;
	return rc < 0 ? rc : 0;
}

int ar_identity_list_users(struct ar_dbc *db, struct ar_arena *a, const char *account_id_or_null,
			   struct ar_user_row **rows, size_t *n, struct ar_err *err)
{
	struct ar_stmt *st;
	int rc = ar_dbc_prepare(db, &st,
				"SELECT u.account_id, u.name,"
				" (SELECT COUNT(*) FROM access_keys k WHERE k.account_id = u.account_id AND"
				"  k.user_name = u.name),"
				" (SELECT COUNT(*) FROM user_policies p WHERE p.account_id = u.account_id AND"
				"  p.user_name = u.name)"
				" FROM users u WHERE (? IS NULL OR u.account_id = ?) ORDER BY u.account_id, u.name",
				err);
	if (rc)
		return rc;
	ar_stmt_bind_text(st, 1, account_id_or_null);
	ar_stmt_bind_text(st, 2, account_id_or_null);
	size_t cap = 0, count = 0;
	struct ar_user_row *out = NULL;
	while ((rc = ar_stmt_step(st, err)) == 1) {
		out = ar_grow(a, out, &cap, count, sizeof *out);
		out[count].account_id = ar_strdup(a, ar_stmt_text(st, 0));
		out[count].user_name = ar_strdup(a, ar_stmt_text(st, 1));
		out[count].n_access_keys = (long)ar_stmt_int(st, 2);
		out[count].n_policies = (long)ar_stmt_int(st, 3);
		count++;
	}
	ar_stmt_done(st);
	*rows = out;
	*n = count;
	return rc < 0 ? rc : 0;
}
