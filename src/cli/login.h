/* cli/login.h - arca login: fetch a token and an endpoint, then configure one package manager */
#ifndef AR_CLI_LOGIN_H
#define AR_CLI_LOGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/err.h"

/* What a tool's configure function gets. Files go under $HOME unless a tool flag says otherwise. */
struct ar_login_ctx {
	struct ar_arena *a;
	const char *tool;
	const char *domain, *domain_owner, *repository;
	const char *ns;	      /* --namespace, or NULL (npm scope, swift scope) */
	bool dry_run;	      /* print what would be written or run; change nothing */
	const char *endpoint; /* repositoryEndpoint, absolute, ending in '/' */
	const char *token;
	int64_t expiration_s; /* epoch seconds */
	int argc;	      /* tool-specific flags left after the common ones */
	char **argv;
	FILE *out;
};

/* One package manager. */
struct ar_login_tool {
	const char *name;   /* --tool value */
	const char *format; /* the repository endpoint format: pypi, npm, ... */
	/* Writes the tool's configuration (or prints it for dry_run). Unknown tool flags -> AR_EINVAL. */
	int (*configure)(struct ar_login_ctx *ctx, struct ar_err *err);
	const char *usage; /* tool-specific flags, one line */
};

/* arca login --tool T --domain D --repository R [--domain-owner O] [--namespace N]
   [--duration-seconds S] [--dry-run] [tool flags] [--endpoint-url U --region R --profile P] */
int ar_cmd_login(int argc, char **argv);

/* Helpers for tools: write a whole file atomically with mode (0600 for anything holding a token),
   creating parent directories; the $HOME-relative path of a file. */
int ar_login_write_file(const char *path, const char *content, int mode, struct ar_err *err);
const char *ar_login_home_path(struct ar_arena *a, const char *relative);

/* Reads a whole (small) file into arena memory; NULL with *missing = true when it does not exist. */
char *ar_login_read_file(struct ar_arena *a, const char *path, bool *missing, struct ar_err *err);

#endif
