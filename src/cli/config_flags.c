/* cli/config_flags.c - configuration from file, environment and the shared command-line flags */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *ar_cli_take(int *i, int argc, char **argv, const char *flag)
{
	size_t n = strlen(flag);
	if (strncmp(argv[*i], flag, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

int ar_cli_load_config(struct ar_config *cfg, int *argc, char **argv, struct ar_err *err)
{
	int rc;
	/* The file first, wherever --config appears, so env and flags can override it. */
	for (int i = 1; i < *argc; i++) {
		const char *v = ar_cli_take(&i, *argc, argv, "--config");
		if (v && (rc = ar_config_load_file(cfg, v, err)))
			return rc;
	}
	if ((rc = ar_config_load_env(cfg, err)))
		return rc;
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		const char *arg = argv[i], *v;
		int start = i;
		if ((v = ar_cli_take(&i, *argc, argv, "--config"))) {
			continue;
		} else if ((v = ar_cli_take(&i, *argc, argv, "--listen"))) {
			rc = ar_config_set(cfg, "listen", v, err);
		} else if ((v = ar_cli_take(&i, *argc, argv, "--data"))) {
			rc = ar_config_set(cfg, "data", v, err);
		} else if ((v = ar_cli_take(&i, *argc, argv, "--log-level"))) {
			rc = ar_config_set(cfg, "log_level", v, err);
		} else if ((v = ar_cli_take(&i, *argc, argv, "--external"))) {
			const char *eq = strchr(v, '=');
			if (!eq)
				return ar_fail(err, AR_EINVAL, "--external expects NAME=URL, got '%s'", v);
			char key[256];
			snprintf(key, sizeof key, "external.%.*s", (int)(eq - v), v);
			rc = ar_config_set(cfg, key, eq + 1, err);
		} else {
			if (i != start)
				return ar_fail(err, AR_EINVAL, "%s needs a value", arg);
			argv[out++] = argv[i];
			continue;
		}
		if (rc)
			return rc;
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}
