/* repo/ingest.h - package versions that arrive through an external connection */
#ifndef AR_REPO_INGEST_H
#define AR_REPO_INGEST_H

#include "core/arena.h"
#include "core/err.h"
#include "repo/package.h"
#include "repo/repository.h"
#include "store/db.h"

/* Records version in->version of package in->key, fetched through external connection `connection`,
   in repository holder (the one holding the connection): origin EXTERNAL with that connection as
   the domain entry point. A new package gets publish=BLOCK, upstream=ALLOW. The asset blobs must
   already be in the blob store (in->assets[i].tmp_path is ignored). A version the package already
   has is left as it is (*out gets it). AR_EDENIED when holder's package has upstream=BLOCK. Runs in
   the caller's write transaction. */
int ar_ingest_external(struct ar_version *out, struct ar_package *pkg_out, struct ar_dbc *db, struct ar_arena *a,
		       const struct ar_repository *holder, const struct ar_publish_in *in, const char *connection,
		       struct ar_err *err);

#endif
