/* core/mem.c - aborting allocators */
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "arca: out of memory allocating %zu bytes\n", n);
	abort();
}

void *ar_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *ar_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *ar_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *ar_xstrdup(const char *s)
{
	return ar_xstrndup(s, strlen(s));
}

char *ar_xstrndup(const char *s, size_t n)
{
	char *p = ar_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
