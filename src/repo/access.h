/* repo/access.h - the authorisation decision both the control plane and the data planes ask for */
#ifndef AR_REPO_ACCESS_H
#define AR_REPO_ACCESS_H

#include <stddef.h>

#include "auth/identity.h"
#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

/* Loads the caller's identity policies (none for an anonymous caller), parses the given resource
   policies (NULL entries skipped), and decides action on resource_arn owned by resource_account.
   0 when allowed; AR_EDENIED with an AWS-style message otherwise. */
int ar_access_check(struct ar_dbc *db, struct ar_arena *a, const struct ar_principal *caller, const char *action,
		    const char *resource_arn, const char *resource_account, const char *const *resource_policies,
		    size_t n_resource_policies, struct ar_err *err);

#endif
