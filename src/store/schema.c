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
	{2, "packages, versions, assets, dependencies, dist-tags",
	 /* One row per package per repository: origin controls are per repository (ref 4.5). */
	 "CREATE TABLE packages ("
	 "  id BIGINT PRIMARY KEY,"
	 "  repository_id BIGINT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,"
	 "  format TEXT NOT NULL,"
	 "  namespace TEXT NOT NULL DEFAULT ''," /* '' when the format has none */
	 "  name TEXT NOT NULL,"		 /* normalized (PEP 503 for pypi) */
	 "  display_name TEXT NOT NULL,"	 /* as the first publisher spelled it */
	 "  origin_publish TEXT NOT NULL,"	 /* ALLOW | BLOCK */
	 "  origin_upstream TEXT NOT NULL,"
	 "  created_ms BIGINT NOT NULL,"
	 "  updated_ms BIGINT NOT NULL," /* any change to versions, assets or tags: cache key */
	 "  UNIQUE (repository_id, format, namespace, name));"
	 "CREATE TABLE package_versions ("
	 "  id BIGINT PRIMARY KEY,"
	 "  package_id BIGINT NOT NULL REFERENCES packages(id) ON DELETE CASCADE,"
	 "  version TEXT NOT NULL,"
	 "  revision TEXT NOT NULL,"
	 "  status TEXT NOT NULL,"
	 "  origin_type TEXT NOT NULL," /* INTERNAL | EXTERNAL | UNKNOWN */
	 "  entry_repository TEXT,"
	 "  entry_external TEXT,"
	 "  published_ms BIGINT NOT NULL,"
	 "  updated_ms BIGINT NOT NULL,"
	 "  summary TEXT,"
	 "  home_page TEXT,"
	 "  source_code_repository TEXT,"
	 "  licenses TEXT," /* JSON [{name, url}] */
	 "  readme TEXT,"
	 "  attrs TEXT," /* format-specific JSON (npm manifest, pypi requires-python) */
	 "  UNIQUE (package_id, version));"
	 "CREATE TABLE assets ("
	 "  id BIGINT PRIMARY KEY,"
	 "  version_id BIGINT NOT NULL REFERENCES package_versions(id) ON DELETE CASCADE,"
	 "  name TEXT NOT NULL,"
	 "  size BIGINT NOT NULL,"
	 "  md5 TEXT NOT NULL,"
	 "  sha1 TEXT NOT NULL,"
	 "  sha256 TEXT NOT NULL," /* the blob key */
	 "  sha512 TEXT NOT NULL,"
	 "  content_type TEXT,"
	 "  attrs TEXT," /* format-specific JSON (pypi metadata hash, ...) */
	 "  created_ms BIGINT NOT NULL,"
	 "  UNIQUE (version_id, name));"
	 "CREATE INDEX assets_by_sha256 ON assets (sha256);"
	 "CREATE TABLE dependencies ("
	 "  version_id BIGINT NOT NULL REFERENCES package_versions(id) ON DELETE CASCADE,"
	 "  position INTEGER NOT NULL,"
	 "  namespace TEXT,"
	 "  package TEXT NOT NULL,"
	 "  dependency_type TEXT,"
	 "  version_requirement TEXT,"
	 "  PRIMARY KEY (version_id, position));"
	 "CREATE TABLE dist_tags ("
	 "  package_id BIGINT NOT NULL REFERENCES packages(id) ON DELETE CASCADE,"
	 "  tag TEXT NOT NULL,"
	 "  version TEXT NOT NULL,"
	 "  PRIMARY KEY (package_id, tag));"},
	{4, "package groups and their allowed-repository lists",
	 /* shape/format/ns/name are the parsed pattern (repo/groups.h); weak_ns/weak_name their weak
	    forms, so the enforcement query can pick candidate groups by prefix. */
	 "CREATE TABLE package_groups ("
	 "  id BIGINT PRIMARY KEY,"
	 "  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,"
	 "  pattern TEXT NOT NULL,"
	 "  parent_id BIGINT," /* NULL only for the root; kept by repo/groups.c, not by a foreign key */
	 "  shape INTEGER NOT NULL,"
	 "  format TEXT," /* NULL for the root */
	 "  ns TEXT,"
	 "  name TEXT,"
	 "  weak_ns TEXT,"
	 "  weak_name TEXT,"
	 "  contact_info TEXT,"
	 "  description TEXT,"
	 "  created_ms BIGINT NOT NULL,"
	 "  mode_publish TEXT NOT NULL," /* ALLOW | BLOCK | ALLOW_SPECIFIC_REPOSITORIES | INHERIT */
	 "  mode_external TEXT NOT NULL,"
	 "  mode_internal TEXT NOT NULL,"
	 "  UNIQUE (domain_id, pattern));"
	 "CREATE INDEX package_groups_by_format ON package_groups (domain_id, format);"
	 "CREATE INDEX package_groups_by_parent ON package_groups (parent_id);"
	 /* Kept by name, like upstreams: a deleted repository's name stays listed until removed. */
	 "CREATE TABLE package_group_allowed_repos ("
	 "  group_id BIGINT NOT NULL REFERENCES package_groups(id) ON DELETE CASCADE,"
	 "  restriction TEXT NOT NULL," /* PUBLISH | EXTERNAL_UPSTREAM | INTERNAL_UPSTREAM */
	 "  repository_name TEXT NOT NULL,"
	 "  PRIMARY KEY (group_id, restriction, repository_name));"
	 /* Every domain has the root group; domains created before this migration get theirs here. */
	 "INSERT INTO package_groups (id, domain_id, pattern, parent_id, shape, created_ms, mode_publish,"
	 "  mode_external, mode_internal)"
	 "  SELECT id, id, '/*', NULL, 0, created_ms, 'ALLOW', 'ALLOW', 'ALLOW' FROM domains;"},
	/* 3 is taken by work in flight on another branch. */
	{5, "external-connection caches (upstream metadata and files)",
	 /* Mutable metadata from an external connection, revalidated after a TTL; status 404 rows are
	    negative answers. Keyed by the path below the connection's base URL, so neither the URL
	    nor the credentials it may carry are stored. body_sha256 references a blob. */
	 "CREATE TABLE upstream_metadata ("
	 "  connection TEXT NOT NULL,"	       /* public:npmjs */
	 "  path TEXT NOT NULL,"	       /* below the base URL, as sent */
	 "  variant TEXT NOT NULL DEFAULT ''," /* the Accept header sent; '' for none */
	 "  status INTEGER NOT NULL,"	       /* 200 | 404 */
	 "  etag TEXT,"
	 "  last_modified TEXT,"
	 "  content_type TEXT,"
	 "  body_sha256 TEXT," /* NULL for 404 */
	 "  body_size BIGINT NOT NULL DEFAULT 0,"
	 "  fetched_ms BIGINT NOT NULL," /* last time upstream sent or confirmed (304) this answer */
	 "  PRIMARY KEY (connection, path, variant));"
	 "CREATE INDEX upstream_metadata_by_sha256 ON upstream_metadata (body_sha256);"
	 /* Immutable files fetched once through an external connection; sha256 references a blob. */
	 "CREATE TABLE upstream_files ("
	 "  connection TEXT NOT NULL,"
	 "  path TEXT NOT NULL,"
	 "  sha256 TEXT NOT NULL,"
	 "  sha512 TEXT NOT NULL,"
	 "  sha1 TEXT NOT NULL,"
	 "  md5 TEXT NOT NULL,"
	 "  size BIGINT NOT NULL,"
	 "  content_type TEXT,"
	 "  fetched_ms BIGINT NOT NULL,"
	 "  PRIMARY KEY (connection, path));"
	 "CREATE INDEX upstream_files_by_sha256 ON upstream_files (sha256);"},
	{6, "index the PEP 658 metadata blobs that assets reference through attrs",
	 /* A wheel's .metadata file is a blob named only in its asset's attrs; garbage collection must
	    find such references by index (an expression index; a postgres driver would use ->>). */
	 "CREATE INDEX assets_by_metadata_sha256 ON assets (json_extract(attrs, '$.metadata_sha256'));"},
	{7, "when upstream versions and files without a publish time were first seen (cooldown)",
	 /* Written once per item (INSERT ... ON CONFLICT DO NOTHING) when a fetched document lists it;
	    never updated. Kept by connection like upstream_metadata, and never deleted: see UPSTREAM.md. */
	 "CREATE TABLE upstream_first_seen ("
	 "  connection TEXT NOT NULL,"
	 "  format TEXT NOT NULL,"
	 "  namespace TEXT NOT NULL DEFAULT '',"
	 "  package TEXT NOT NULL," /* normalized */
	 "  version TEXT NOT NULL,"
	 "  file TEXT NOT NULL DEFAULT ''," /* a file of the version (pypi); '' where versions are judged */
	 "  first_seen_ms BIGINT NOT NULL,"
	 "  PRIMARY KEY (connection, format, namespace, package, version, file));"},
};

const struct ar_migration *ar_schema_migrations(size_t *n)
{
	*n = sizeof migrations / sizeof migrations[0];
	return migrations;
}
