/* http/route.h - splitting a raw request path into decoded, traversal-free segments */
#ifndef AR_HTTP_ROUTE_H
#define AR_HTTP_ROUTE_H

#include <stddef.h>

#include "core/arena.h"

/* Splits raw_path ("/a/b%2Fc/", as received: percent-encoded, no query) at its literal '/'s into at
   most max percent-decoded segments, stored in segs (strings owned by the arena). Returns the
   number of segments; a trailing '/' yields a final "" segment ("/" gives one ""). Returns AR_EINVAL
   when the path does not start with '/', has an empty segment other than the last, has a bad
   %XX escape or one decoding to NUL, or when a segment, or any '/'-separated part of a decoded
   segment ("..%2F.." or "%2e%2e"), is "." or ".."; AR_ETOOBIG when there are more than max segments. */
int ar_path_split(struct ar_arena *a, const char *raw_path, const char **segs, size_t max);

#endif
