/* cli/login_pypi.h - arca login tools for Python: pip, twine, uv, poetry */
#ifndef AR_CLI_LOGIN_PYPI_H
#define AR_CLI_LOGIN_PYPI_H

#include "cli/login.h"

extern const struct ar_login_tool ar_login_pip;
extern const struct ar_login_tool ar_login_twine;
extern const struct ar_login_tool ar_login_uv;
extern const struct ar_login_tool ar_login_poetry;

/* url with user:password inserted after the scheme (replacing any userinfo there). Arena memory. */
char *ar_login_url_with_auth(struct ar_arena *a, const char *url, const char *user, const char *password);

/* url without its userinfo, for comparing index URLs. Arena memory. */
char *ar_login_url_without_auth(struct ar_arena *a, const char *url);

#endif
