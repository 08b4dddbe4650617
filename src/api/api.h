/* api/api.h - the CodeArtifact control plane (/v1/...): routing into the operations table */
#ifndef AR_API_API_H
#define AR_API_API_H

#include "http/http.h"

/* Resolves a /v1/ request to its operation (route.data) and body limits. For an unknown
   method/path it queues a 404 ValidationException (UNKNOWN_OPERATION) and returns non-zero. */
int ar_api_resolve(struct ar_req *req, struct ar_route *route);

#endif
