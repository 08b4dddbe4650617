/* cli/admin.c - arca admin: accounts, users, access keys and identity policies, straight on the database */
#include "cli/cli.h"

#include "core/fsutil.h"

#include "auth/identity.h"
#include "auth/keys.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/ctx.h"
#include "core/text.h"
#include "repo/gc.h"
#include "store/blob.h"
#include "store/db.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: arca admin [--data DIR] [--config FILE] COMMAND [options]\n"
	"  create-account [--name NAME]\n"
	"  create-user --account-id ID --user-name NAME\n"
	"  create-access-key --account-id ID --user-name NAME\n"
	"  delete-access-key --access-key-id KEY\n"
	"  put-user-policy --account-id ID --user-name NAME --policy-name NAME --policy-document JSON|file://PATH\n"
	"  list-users [--account-id ID]\n"
	"  gc [--grace SECONDS]   remove blobs no asset references (default grace: gc_grace)\n";

/* The value of --name in argv, or NULL. */
static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 2; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static int need(const char *value, const char *flag, struct ar_err *err)
{
	return value ? 0 : ar_fail(err, AR_EINVAL, "missing %s\n%s", flag, usage);
}

/* A policy document given inline or as file://PATH (like the aws CLI). */
static int read_document(struct ar_buf *out, const char *arg, struct ar_err *err)
{
	if (strncmp(arg, "file://", 7) != 0)
		return ar_buf_adds(out, arg);
	FILE *f = fopen(arg + 7, "r");
	if (!f)
		return ar_fail(err, AR_EINVAL, "cannot read %s: %s", arg + 7, strerror(errno));
	char chunk[4096];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = ar_buf_add(out, chunk, n);
	fclose(f);
	return rc ? ar_fail(err, rc, "%s is too large", arg + 7) : 0;
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	puts(s);
	free(s);
	json_decref(j);
}

static int run(struct ar_dbc *db, const struct ar_keys *keys, int argc, char **argv, struct ar_err *err)
{
	const char *cmd = argv[1];
	const char *account = opt(argc, argv, "--account-id"), *user = opt(argc, argv, "--user-name");
	struct ar_arena *a = ar_arena_new();
	struct ar_principal p;
	int rc;
	if (strcmp(cmd, "create-account") == 0) {
		char id[13];
		const char *name = opt(argc, argv, "--name");
		if ((rc = ar_identity_create_account(db, name ? name : "", id, err)) == 0)
			print_json(json_pack("{s:s, s:s}", "accountId", id, "name", name ? name : ""));
	} else if (strcmp(cmd, "create-user") == 0) {
		if ((rc = need(account, "--account-id", err)) == 0 && (rc = need(user, "--user-name", err)) == 0 &&
		    (rc = ar_identity_create_user(db, account, user, err)) == 0) {
			ar_principal_set(&p, account, user);
			print_json(json_pack("{s:{s:s, s:s, s:s}}", "User", "AccountId", account, "UserName", user,
					     "Arn", p.arn));
		}
	} else if (strcmp(cmd, "create-access-key") == 0) {
		char akid[21], secret[41];
		if ((rc = need(account, "--account-id", err)) == 0 && (rc = need(user, "--user-name", err)) == 0 &&
		    (rc = ar_identity_create_access_key(db, keys, account, user, akid, secret, err)) == 0) {
			/* The one place a secret is shown: to the operator who asked for it. */
			print_json(json_pack("{s:{s:s, s:s, s:s, s:s, s:s}}", "AccessKey", "AccountId", account,
					     "UserName", user, "AccessKeyId", akid, "SecretAccessKey", secret, "Status",
					     "Active"));
			memset(secret, 0, sizeof secret);
		}
	} else if (strcmp(cmd, "delete-access-key") == 0) {
		const char *key = opt(argc, argv, "--access-key-id");
		if ((rc = need(key, "--access-key-id", err)) == 0)
			rc = ar_identity_delete_access_key(db, key, err);
	} else if (strcmp(cmd, "put-user-policy") == 0) {
		const char *name = opt(argc, argv, "--policy-name"), *doc = opt(argc, argv, "--policy-document");
		struct ar_buf text;
		ar_buf_init(&text, 64 * 1024);
		if ((rc = need(account, "--account-id", err)) == 0 && (rc = need(user, "--user-name", err)) == 0 &&
		    (rc = need(name, "--policy-name", err)) == 0 && (rc = need(doc, "--policy-document", err)) == 0 &&
		    (rc = read_document(&text, doc, err)) == 0)
			rc = ar_identity_put_user_policy(db, account, user, name, text.ptr, err);
		ar_buf_release(&text);
	} else if (strcmp(cmd, "list-users") == 0) {
		struct ar_user_row *rows;
		size_t n;
		if ((rc = ar_identity_list_users(db, a, account, &rows, &n, err)) == 0) {
			json_t *list = json_array();
			for (size_t i = 0; i < n; i++) {
				ar_principal_set(&p, rows[i].account_id, rows[i].user_name);
				json_array_append_new(list,
						      json_pack("{s:s, s:s, s:s, s:i, s:i}", "AccountId",
								rows[i].account_id, "UserName", rows[i].user_name,
								"Arn", p.arn, "AccessKeys", (int)rows[i].n_access_keys,
								"Policies", (int)rows[i].n_policies));
			}
			print_json(json_pack("{s:o}", "Users", list));
		}
	} else {
		rc = ar_fail(err, AR_EINVAL, "unknown admin command '%s'\n%s", cmd, usage);
	}
	ar_arena_free(a);
	return rc;
}

/* arca admin gc: one sweep of the blob store, safe while a server runs on the same data. */
static int gc(struct ar_db *db, const struct ar_config *cfg, int argc, char **argv, struct ar_err *err)
{
	const char *grace_arg = opt(argc, argv, "--grace");
	int64_t grace = cfg->gc_grace_s;
	char blobs_dir[4200], tmp_dir[4200];
	struct ar_blobs *blobs;
	struct ar_gc_stats st;
	if (grace_arg && (!ar_parse_i64(grace_arg, &grace) || grace < 0))
		return ar_fail(err, AR_EINVAL, "--grace must be a number of seconds\n%s", usage);
	snprintf(blobs_dir, sizeof blobs_dir, "%s/blobs", cfg->data_dir);
	snprintf(tmp_dir, sizeof tmp_dir, "%s/tmp", cfg->data_dir);
	int rc = ar_blobs_open_fs(&blobs, blobs_dir, tmp_dir, err);
	if (rc)
		return rc;
	if ((rc = ar_gc_run(&st, db, blobs, grace, err)) == 0)
		print_json(json_pack("{s:I, s:I, s:I, s:I, s:I}", "blobsSeen", (json_int_t)st.seen, "blobsRemoved",
				     (json_int_t)st.removed, "bytesRemoved", (json_int_t)st.bytes_removed,
				     "keptReferenced", (json_int_t)st.kept_referenced, "keptRecent",
				     (json_int_t)st.kept_recent));
	ar_blobs_close(blobs);
	return rc;
}

int ar_cmd_admin(int argc, char **argv)
{
	struct ar_config cfg;
	struct ar_err err = {0};
	struct ar_keys keys;
	struct ar_db *db = NULL;
	char path[4200];
	int rc;
	ar_config_init(&cfg);
	if ((rc = ar_cli_load_config(&cfg, &argc, argv, &err)))
		goto done;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		ar_config_release(&cfg);
		return argc < 2 ? 2 : 0;
	}
	snprintf(path, sizeof path, "%s/arca.db", cfg.data_dir);
	if ((rc = ar_mkdirs(cfg.data_dir, 0700, &err)) || (rc = ar_keys_load(&keys, &cfg, &err)) ||
	    (rc = ar_db_open(&db, cfg.database[0] ? cfg.database : path, 1, &err)))
		goto done;
	if (strcmp(argv[1], "gc") == 0) {
		rc = gc(db, &cfg, argc, argv, &err);
		goto done;
	}
	struct ar_dbc *c = ar_db_get(db);
	if ((rc = ar_dbc_begin(c, true, &err)) == 0) {
		rc = run(c, &keys, argc, argv, &err);
		if (rc == 0)
			rc = ar_dbc_commit(c, &err);
		else
			ar_dbc_rollback(c);
	}
	ar_db_put(db, c);
done:
	if (rc)
		fprintf(stderr, "arca admin: %s\n", err.msg);
	if (db)
		ar_db_close(db);
	ar_config_release(&cfg);
	return rc ? (rc == AR_EINVAL ? 2 : 1) : 0;
}
