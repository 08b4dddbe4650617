/* tests/fuzz/fuzz_sigv4.c - ar_sigv4_parse, then verify on what parses, over arbitrary Authorization values */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"

static const char *header(void *cls, const char *lname)
{
	/* Echo the input as every header's value so verify walks the canonical-header path too. */
	if (strcmp(lname, "x-amz-date") == 0)
		return "20240102T030405Z";
	return cls;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	struct ar_sigv4_auth auth;
	enum ar_sigv4_fault fault;
	struct ar_err err;
	if (ar_sigv4_parse(&auth, s, &fault, &err) == 0) {
		struct ar_sigv4_request req = {"GET", "/v1/domain", s, header, s, NULL};
		(void)ar_sigv4_verify(&req, &auth, "secret", 1704164645, 900, &fault, &err);
	}
	free(s);
	return 0;
}
