/* repo/groups_int.h - what groups.c and groups_pattern.c share beyond repo/groups.h */
#ifndef AR_REPO_GROUPS_INT_H
#define AR_REPO_GROUPS_INT_H

#include "repo/groups.h"

/* ar_group_matches with the pattern's namespace and name given as pns/pname (the pattern's own or
   their weak forms) and the package's given already in the same form. No allocation. */
bool ar_group_match_forms(const struct ar_group_pattern *p, const char *pns, const char *pname, const char *format,
			  const char *ns, const char *name);

#endif
