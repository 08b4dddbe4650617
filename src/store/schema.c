/* store/schema.c - the numbered schema migrations; append only, never edit a shipped one */
#include "store/schema.h"

#include <stddef.h>

/* Written in the SQL subset SQLite and PostgreSQL share: TEXT, BIGINT, BYTEA-compatible BLOB
   handled by the driver, ON CONFLICT, no AUTOINCREMENT (integer keys are assigned by the app). */
static const struct ar_migration migrations[] = {
	{1, "identity, domains, repositories, tags",
	 "CREATE TABLE accounts ("
	 "  id TEXT PRIMARY KEY," /* 12 digits */
	 "  name TEXT NOT NULL,"
	 "  created_ms BIGINT NOT NULL);"
	 "CREATE TABLE users ("
	 "  account_id TEXT NOT NULL REFERENCES accounts(id),"
	 "  name TEXT NOT NULL,"
	 "  created_ms BIGINT NOT NULL,"
	 "  PRIMARY KEY (account_id, name));"
	 "CREATE TABLE access_keys ("
	 "  id TEXT PRIMARY KEY," /* the access key id, AKIA... */
	 "  account_id TEXT NOT NULL,"
	 "  user_name TEXT NOT NULL,"
	 "  secret_sealed TEXT NOT NULL," /* base64 of AES-256-GCM(nonce|ct|tag) under the master key */
	 "  created_ms BIGINT NOT NULL,"
	 "  FOREIGN KEY (account_id, user_name) REFERENCES users(account_id, name) ON DELETE CASCADE);"
	 "CREATE TABLE user_policies ("
	 "  account_id TEXT NOT NULL,"
	 "  user_name TEXT NOT NULL,"
	 "  policy_name TEXT NOT NULL,"
	 "  document TEXT NOT NULL,"
	 "  PRIMARY KEY (account_id, user_name, policy_name),"
	 "  FOREIGN KEY (account_id, user_name) REFERENCES users(account_id, name) ON DELETE CASCADE);"
	 "CREATE TABLE domains ("
	 "  id BIGINT PRIMARY KEY,"
	 "  owner TEXT NOT NULL,"
	 "  name TEXT NOT NULL,"
	 "  encryption_key TEXT NOT NULL,"
	 "  created_ms BIGINT NOT NULL,"
	 "  policy TEXT,"
	 "  policy_revision TEXT,"
	 "  UNIQUE (owner, name));"
	 "CREATE TABLE repositories ("
	 "  id BIGINT PRIMARY KEY,"
	 "  domain_id BIGINT NOT NULL REFERENCES domains(id),"
	 "  name TEXT NOT NULL,"
	 "  administrator_account TEXT NOT NULL,"
	 "  description TEXT NOT NULL DEFAULT '',"
	 "  created_ms BIGINT NOT NULL,"
	 "  policy TEXT,"
	 "  policy_revision TEXT,"
	 "  UNIQUE (domain_id, name));"
	 /* Upstreams are kept by name: deleting an upstream leaves a dangling entry, as in AWS. */
	 "CREATE TABLE repository_upstreams ("
	 "  repository_id BIGINT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,"
	 "  position INTEGER NOT NULL,"
	 "  upstream_name TEXT NOT NULL,"
	 "  PRIMARY KEY (repository_id, position));"
	 "CREATE TABLE repository_externals ("
	 "  repository_id BIGINT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,"
	 "  name TEXT NOT NULL,"
	 "  format TEXT NOT NULL,"
	 "  PRIMARY KEY (repository_id, name));"
	 "CREATE TABLE tags ("
	 "  resource_arn TEXT NOT NULL,"
	 "  tag_key TEXT NOT NULL,"
	 "  tag_value TEXT NOT NULL,"
	 "  PRIMARY KEY (resource_arn, tag_key));"},
};

const struct ar_migration *ar_schema_migrations(size_t *n)
{
	*n = sizeof migrations / sizeof migrations[0];
	return migrations;
}
