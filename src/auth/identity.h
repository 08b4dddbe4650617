/* auth/identity.h - accounts, users, access keys and identity policies */
#ifndef AR_AUTH_IDENTITY_H
#define AR_AUTH_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "core/err.h"
#include "store/db.h"

/* Who is calling. Anonymous callers have empty account and arn. */
struct ar_principal {
	char account_id[13];
	char user_name[65];
	char arn[160]; /* arn:aws:iam::ACCOUNT:user/NAME */
	bool is_anonymous;
};

/* Fills p for account/user (computes the ARN). */
void ar_principal_set(struct ar_principal *p, const char *account_id, const char *user_name);

/* Creates an account with a fresh random 12-digit id. */
int ar_identity_create_account(struct ar_dbc *db, const char *name, char account_id[13], struct ar_err *err);

/* True when at least one account exists (bootstrap has run). */
int ar_identity_has_accounts(struct ar_dbc *db, bool *out, struct ar_err *err);

/* AR_ENOTFOUND when the account does not exist. */
int ar_identity_account_exists(struct ar_dbc *db, const char *account_id, struct ar_err *err);

/* Creates a user in an account; AR_EEXISTS when taken, AR_ENOTFOUND when the account is unknown. */
int ar_identity_create_user(struct ar_dbc *db, const char *account_id, const char *user_name, struct ar_err *err);

/* Creates an access key for a user; the secret is returned once (caller-provided buffers) and
   stored only sealed under keys->secrets. */
int ar_identity_create_access_key(struct ar_dbc *db, const struct ar_keys *keys, const char *account_id,
				  const char *user_name, char access_key_id[21], char secret[41], struct ar_err *err);

/* AR_ENOTFOUND when no such key. */
int ar_identity_delete_access_key(struct ar_dbc *db, const char *access_key_id, struct ar_err *err);

/* Looks a key up for SigV4: the owning principal and the unsealed secret (arena memory).
   AR_ENOTFOUND when unknown. */
int ar_identity_lookup_key(struct ar_dbc *db, struct ar_arena *a, const struct ar_keys *keys, const char *access_key_id,
			   struct ar_principal *who, char **secret, struct ar_err *err);

/* Validates the document as an identity policy, then creates or replaces it. */
int ar_identity_put_user_policy(struct ar_dbc *db, const char *account_id, const char *user_name,
				const char *policy_name, const char *document, struct ar_err *err);

/* All policy documents of a user (arena memory). */
int ar_identity_user_policies(struct ar_dbc *db, struct ar_arena *a, const char *account_id, const char *user_name,
			      const char ***docs, size_t *n, struct ar_err *err);

/* Every user (optionally of one account) as rows "account user n_keys", into a JSON-ready list. */
struct ar_user_row {
	const char *account_id;
	const char *user_name;
	long n_access_keys;
	long n_policies;
};
int ar_identity_list_users(struct ar_dbc *db, struct ar_arena *a, const char *account_id_or_null,
			   struct ar_user_row **rows, size_t *n, struct ar_err *err);

#endif
