/* cli/config_flags.c - configuration from file, environment and the shared command-line flags */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Flags take a value either as "--flag value" or "--flag=value". */
static const char *flag_value(const char *arg, const char *name, int *i, int argc, char **argv)
{
	size_t n = strlen(name);
	if (strncmp(arg, name, n) != 0)
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (arg[n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

int ar_cli_load_config(struct ar_config *cfg, int *argc, char **argv, struct ar_err *err)
{
	int rc;
	/* The file first, wherever --config appears, so env and flags can override it. */
	for (int i = 1; i < *argc; i++) {
		const char *v = flag_value(argv[i], "--config", &i, *argc, argv);
		if (v && (rc = ar_config_load_file(cfg, v, err)))
			return rc;
	}
	if ((rc = ar_config_load_env(cfg, err)))
		return rc;
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		const char *arg = argv[i], *v;
		int start = i;
		if ((v = flag_value(arg, "--config", &i, *argc, argv))) {
			continue;
		} else if ((v = flag_value(arg, "--listen", &i, *argc, argv))) {
			rc = ar_config_set(cfg, "listen", v, err);
		} else if ((v = flag_value(arg, "--data", &i, *argc, argv))) {
			rc = ar_config_set(cfg, "data", v, err);
		} else if ((v = flag_value(arg, "--log-level", &i, *argc, argv))) {
			rc = ar_config_set(cfg, "log_level", v, err);
		} else if ((v = flag_value(arg, "--external", &i, *argc, argv))) {
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
