/* cli/main.c - the arca command: serve, admin, and one subcommand per API operation */
#include "cli/cli.h"
#include "cli/login.h"
#include "cli/ops_cli.h"
#include "cli/uv_config.h"

#include "api/opspec.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: arca COMMAND [options]\n\n"
		     "  serve      run the server (arca serve --help)\n"
		     "  admin      manage accounts, users, access keys and policies (arca admin --help)\n"
		     "  login      configure a package manager for a repository (arca login --help)\n"
		     "  uv-config  write one uv.toml from several private indexes and PyPI (arca uv-config --help)\n\n"
		     "CodeArtifact operations (same flags and JSON output as `aws codeartifact`):\n");
	ar_cli_print_ops_help(out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "serve") == 0)
		return ar_cmd_serve(argc - 1, argv + 1);
	if (strcmp(cmd, "admin") == 0)
		return ar_cmd_admin(argc - 1, argv + 1);
	if (strcmp(cmd, "login") == 0)
		return ar_cmd_login(argc - 1, argv + 1);
	if (strcmp(cmd, "uv-config") == 0)
		return ar_cmd_uv_config(argc - 1, argv + 1);
	/* aws-style global flags may come before the operation: move the operation name to the front. */
	for (int i = 1; i < argc && argv[1][0] == '-'; i++) {
		if (argv[i][0] != '-' && ar_op_find(argv[i])) {
			char *op = argv[i];
			memmove(&argv[2], &argv[1], (size_t)(i - 1) * sizeof *argv);
			argv[1] = op;
		}
	}
	return ar_cli_run_op(argc - 1, argv + 1);
}
