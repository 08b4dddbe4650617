/* tests/fuzz/fuzz_pypi_accept.c - PEP 691 Accept negotiation over arbitrary header values */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/pypi_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a header value is a C string: cut at the first NUL */
	char *accept = malloc(size + 1);
	memcpy(accept, data, size);
	accept[size] = '\0';
	enum ar_pypi_repr r = ar_pypi_negotiate(accept);
	if (r != AR_PYPI_NONE && r != AR_PYPI_HTML && r != AR_PYPI_HTML_V1 && r != AR_PYPI_JSON_V1)
		abort();
	/* a supported answer always has a content type the clients accept */
	const char *ctype = ar_pypi_content_type(r);
	if (r != AR_PYPI_NONE && strncmp(ctype, "text/html", 9) != 0 &&
	    strncmp(ctype, "application/vnd.pypi.simple.v1+", 31) != 0)
		abort();
	/* appending an entry the server does not know never changes the choice (a blank header means
	   "no Accept", which appending does change) */
	size_t n = strlen(accept);
	char *more = malloc(n + 32);
	memcpy(more, accept, n);
	memcpy(more + n, ", image/x-unknown;q=1", 22);
	if (strspn(accept, " \t") != n && !memchr(accept, ';', n) && !memchr(accept, ',', n) &&
	    ar_pypi_negotiate(more) != r && r != AR_PYPI_NONE)
		abort();
	free(more);
	free(accept);
	return 0;
}
