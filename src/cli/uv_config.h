/* cli/uv_config.h - arca uv-config: one uv.toml from Arca, Google Artifact Registry and preauthenticated indexes */
#ifndef AR_CLI_UV_CONFIG_H
#define AR_CLI_UV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

/* One private index, resolved: its URL carries the credentials it needs. */
struct ar_uv_index {
	const char *name; /* --name, or NULL to derive it from the URL */
	const char *url;
};

struct ar_uv_config {
	const char *pypi_url;	 /* always emitted first */
	bool prefer_private;	 /* PyPI gets default = true: uv searches it last */
	bool unsafe_first_match; /* index-strategy = "unsafe-first-match" */
	const struct ar_uv_index *indexes;
	size_t n_indexes;
};

/* The first label of url's host, lowercased ("us-central1-python" for
   https://us-central1-python.pkg.dev/...); "index" when there is none (IPv6 literal). Arena memory. */
const char *ar_uv_index_name(struct ar_arena *a, const char *url);

/* Renders uv.toml. Names: explicit ones as given (AR_EINVAL when two are equal or one is not
   [A-Za-z0-9._-]+), derived ones from the host, with -2, -3, ... added while taken; PyPI is named
   first. AR_EINVAL without a PyPI URL. *out is arena memory. */
int ar_uv_config_render(char **out, struct ar_arena *a, const struct ar_uv_config *cfg, struct ar_err *err);

/* https://REGION-python.pkg.dev/PROJECT/REPOSITORY/simple/ from "REGION/PROJECT/REPOSITORY";
   AR_EINVAL for another shape. */
int ar_uv_gar_url(const char **out, struct ar_arena *a, const char *spec, struct ar_err *err);

/* The URLs in a secret: one per line, blank lines and '#' comments skipped, each http(s)://.
   AR_EINVAL when there is none or a line is not a URL. */
int ar_uv_secret_urls(const char ***out, size_t *n, struct ar_arena *a, const char *secret, struct ar_err *err);

/* The PyPI URL when --pypi-url is not given: UV_DEFAULT_INDEX, UV_INDEX_URL, PIP_INDEX_URL, then
   global.index-url of the user's pip configuration (PIP_CONFIG_FILE, $XDG_CONFIG_HOME/pip/pip.conf,
   ~/.pip/pip.conf, /etc/xdg/pip/pip.conf, /etc/pip.conf). NULL when none says. */
const char *ar_uv_default_pypi_url(struct ar_arena *a);

/* arca uv-config [--pypi-url U] [--no-prefer-private] [--unsafe-first-match] [--output FILE]
   (--arca DOMAIN/REPOSITORY[/OWNER] | --gar REGION/PROJECT/REPO [--token-command C | --token-env V]
    | --url-env VAR | --url-file PATH) [--name N] ... */
int ar_cmd_uv_config(int argc, char **argv);

#endif
