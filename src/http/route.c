/* http/route.c - splitting a raw request path into decoded, traversal-free segments */
#include "http/route.h"

#include "core/err.h"
#include "core/text.h"

#include <stdbool.h>
#include <string.h>

/* Checks every '/'-separated part of a decoded segment: an encoded slash ("%2F", npm scopes) is
   legitimate, an encoded "../" is not, whatever the handler later does with the name. */
static bool is_traversal(const char *s)
{
	for (;;) {
		size_t n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return true;
		if (!s[n])
			return false;
		s += n + 1;
	}
}

int ar_path_split(struct ar_arena *a, const char *raw_path, const char **segs, size_t max)
{
	if (!raw_path || raw_path[0] != '/')
		return AR_EINVAL;
	size_t n = 0;
	const char *p = raw_path + 1;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 && slash)
			return AR_EINVAL; /* "//": an empty segment that is not the trailing one */
		if (n == max)
			return AR_ETOOBIG;
		char *seg = ar_pct_decode(a, p, len, NULL);
		if (!seg || is_traversal(seg))
			return AR_EINVAL;
		segs[n++] = seg;
		if (!slash)
			return (int)n;
		p = slash + 1;
	}
}
