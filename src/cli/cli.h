/* cli/cli.h - the arca subcommands main() dispatches to */
#ifndef AR_CLI_CLI_H
#define AR_CLI_CLI_H

#include "core/config.h"
#include "core/err.h"

/* arca serve [--listen ADDR:PORT] [--data DIR] [--config FILE] [--external NAME=URL] [--log-level L] */
int ar_cmd_serve(int argc, char **argv);

/* arca admin [--data DIR] [--config FILE] SUBCOMMAND ...: local identity administration. */
int ar_cmd_admin(int argc, char **argv);

/* Loads configuration from --config FILE (if given), the environment, then the flags serve and admin share
   (--listen, --data, --config, --external, --log-level). Consumed flags are removed from argv; *argc updated. */
int ar_cli_load_config(struct ar_config *cfg, int *argc, char **argv, struct ar_err *err);

/* The value of flag at argv[*i], given as "--flag value" (advancing *i) or "--flag=value"; NULL when
   argv[*i] is not that flag or its value is missing. */
const char *ar_cli_take(int *i, int argc, char **argv, const char *flag);

#endif
