/* cli/ops_cli.h - `arca <operation>`: one subcommand per ops.def entry, behaving like `aws codeartifact` */
#ifndef AR_CLI_OPS_CLI_H
#define AR_CLI_OPS_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "api/opspec.h"
#include "cli/client.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

/* Exit codes the aws CLI uses: parameter validation errors and everything else that failed. */
#define AR_CLI_EXIT_USAGE 252
#define AR_CLI_EXIT_ERROR 255

/* Runs one operation; argv[0] is its kebab name ("create-domain"), the rest are flags
   (--kebab-member values and the global --endpoint-url/--region/--profile/--output/--debug).
   Prints the result JSON to stdout, errors to stderr; returns the process exit code. */
int ar_cli_run_op(int argc, char **argv);

/* ar_cli_run_op writing to the given streams instead of stdout/stderr. */
int ar_cli_run_op_io(FILE *out, FILE *errf, int argc, char **argv);

/* Lists every operation subcommand, one per line (kebab name, method, path), for `arca help`. */
void ar_cli_print_ops_help(FILE *out);

/* A parsed command line. All memory belongs to the arena given to ar_cli_parse. */
struct ar_cli_call {
	const struct ar_op_info *op;
	struct ar_op_member *members;
	size_t n_members;
	struct ar_client_opts client; /* global flags */
	json_t *values;		      /* member name -> value (string, integer, boolean, array, object) */
	bool paginate;		      /* follow nextToken and merge pages */
	bool help;		      /* --help / help: print usage and stop */
	long long max_items;	      /* --max-items, 0 when absent */
	const char *body_path;	      /* the 'r' member's file */
	const char *outfile;	      /* get-package-version-asset's positional OUTFILE */
	/* Filled by ar_cli_encode: */
	char *query;	 /* percent-encoded, "" when empty */
	char *json_body; /* NULL when the operation has no body members */
	const char *body_sha256;
};

/* Parses argv (argv[0] = operation) into call; AR_EINVAL with a usage message for unknown
   operations or flags, bad values, or missing required members (the message names the flags). */
int ar_cli_parse(struct ar_cli_call *call, struct ar_arena *a, int argc, char **argv, struct ar_err *err);

/* Builds query string and JSON body from call->values (again after each page's nextToken). */
int ar_cli_encode(struct ar_cli_call *call, struct ar_arena *a, struct ar_err *err);

/* The --flag for a model member name, like botocore's xform_name: "domainOwner" -> "domain-owner",
   "assetSHA256" -> "asset-sha256". Arena memory. */
char *ar_cli_flag_name(struct ar_arena *a, const char *member);

/* The aws CLI's error line for a response with status >= 300, appended to out:
   "\nAn error occurred (CODE) when calling the OPNAME operation: MESSAGE\n". */
void ar_cli_error_text(struct ar_buf *out, const char *op_name, const struct ar_client_response *resp);

/* Appends j as the aws CLI prints JSON: 4-space indent, UTF-8 kept, floats in Python's shortest
   form (1700000000.123), key order preserved; a trailing newline. */
void ar_cli_json_pretty(struct ar_buf *out, const json_t *j);

#endif
