/* upstream/digest.h - checking downloaded bytes against the digest a registry's metadata promised */
#ifndef AR_UPSTREAM_DIGEST_H
#define AR_UPSTREAM_DIGEST_H

#include "core/crypto.h"
#include "core/err.h"

/* Checks h against digest, which is one or more whitespace-separated items, each one of:
     "sha512-<base64>", "sha256-<base64>", "sha1-<base64>"    (Subresource Integrity, npm "integrity";
								a "?options" suffix is ignored)
     "sha256=<hex>", "sha512=<hex>", "sha1=<hex>", "md5=<hex>" (PyPI URL fragments)
     "<hex>": 64 digits sha256, 128 sha512, 40 sha1, 32 md5   (PyPI "digests", npm "shasum")
   Items with other algorithms (sha384) are skipped; every recognised item must match.
   0 on a match; AR_EINVAL when an item mismatches (message names the algorithm, expected and actual
   values), is malformed, or none is recognised. h may be NULL to check only the syntax. */
int ar_digest_verify(const char *digest, const struct ar_hashes *h, struct ar_err *err);

#endif
