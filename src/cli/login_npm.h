/* cli/login_npm.h - arca login for npm, pnpm and yarn: editing .npmrc and .yarnrc.yml */
#ifndef AR_CLI_LOGIN_NPM_H
#define AR_CLI_LOGIN_NPM_H

#include <stddef.h>

#include "cli/login.h"
#include "core/arena.h"
#include "core/err.h"

extern const struct ar_login_tool ar_login_tool_npm, ar_login_tool_pnpm, ar_login_tool_yarn;

/* npm's "nerf dart" of a registry URL, the prefix its credential keys carry: the URL without its
   scheme, ending in '/' ("http://h:1/a/b/" -> "//h:1/a/b/"). Arena memory. */
char *ar_login_npm_nerf_dart(struct ar_arena *a, const char *endpoint);

/* Checks a --namespace value (with or without '@', as the aws CLI takes it) and returns "@scope";
   AR_EINVAL when it is not an npm scope. */
int ar_login_npm_scope(const char **out, struct ar_arena *a, const char *ns, struct ar_err *err);

/* An .npmrc with keys[i]=values[i] set: the first line holding a key is rewritten in place, later
   duplicates are dropped, missing keys are appended; every other line is kept as it was. old may be
   NULL (no file yet). Arena memory, ending in a newline. */
char *ar_login_npm_merge_npmrc(struct ar_arena *a, const char *old, const char *const *keys, const char *const *values,
			       size_t n);

/* A yarn berry .yarnrc.yml pointing at endpoint with token: the top-level npmRegistryServer /
   npmAuthToken / npmAlwaysAuth, or with scope ("name" without '@') the entry npmScopes.<scope>, and
   for an http:// endpoint its host in unsafeHttpWhitelist. Other settings and comments are kept.
   AR_EINVAL when the existing file writes npmScopes or unsafeHttpWhitelist in a form this
   line editor does not change safely (a flow mapping other than {}). */
int ar_login_npm_merge_yarnrc(char **out, struct ar_arena *a, const char *old, const char *scope, const char *endpoint,
			      const char *token, struct ar_err *err);

#endif
