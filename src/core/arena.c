/* core/arena.c - per-request bump allocator with deferred cleanups */
#include "core/arena.h"

#include "core/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 8192
#define ALIGN	   16
/* Requests bigger than this get their own chunk so small ones keep packing. */
#define BIG_ALLOC (CHUNK_SIZE / 4)

struct chunk {
	struct chunk *next;
	size_t used, size;
	_Alignas(ALIGN) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	ar_cleanup_fn *fn;
	void *arg;
};

struct ar_arena {
	struct chunk *chunks; /* head has free space; big chunks go behind it */
	struct cleanup *cleanups;
	size_t used;
};

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = ar_xmalloc(sizeof *c + size);
	c->next = NULL;
	c->used = 0;
	c->size = size;
	return c;
}

struct ar_arena *ar_arena_new(void)
{
	struct ar_arena *a = ar_xcalloc(1, sizeof *a);
	a->chunks = chunk_new(CHUNK_SIZE);
	return a;
}

void ar_arena_free(struct ar_arena *a)
{
	if (!a)
		return;
	for (struct cleanup *c = a->cleanups; c; c = c->next)
		c->fn(c->arg);
	struct chunk *c = a->chunks;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

void *ar_alloc(struct ar_arena *a, size_t n)
{
	size_t rounded;
	if (!ar_add_ok(n, ALIGN - 1, &rounded)) {
		fprintf(stderr, "arca: arena allocation overflow\n");
		abort();
	}
	rounded &= ~(size_t)(ALIGN - 1);
	if (rounded == 0)
		rounded = ALIGN;
	a->used += rounded;
	if (rounded >= BIG_ALLOC) {
		struct chunk *big = chunk_new(rounded);
		big->used = rounded;
		big->next = a->chunks->next;
		a->chunks->next = big;
		memset(big->data, 0, rounded);
		return big->data;
	}
	struct chunk *head = a->chunks;
	if (head->size - head->used < rounded) {
		head = chunk_new(CHUNK_SIZE);
		head->next = a->chunks;
		a->chunks = head;
	}
	void *p = head->data + head->used;
	head->used += rounded;
	memset(p, 0, rounded);
	return p;
}

void *ar_alloc_array(struct ar_arena *a, size_t n, size_t size)
{
	size_t total;
	if (!ar_mul_ok(n, size, &total)) {
		fprintf(stderr, "arca: arena array overflow\n");
		abort();
	}
	return ar_alloc(a, total);
}

void *ar_grow(struct ar_arena *a, void *arr, size_t *cap, size_t n, size_t size)
{
	if (arr && n < *cap)
		return arr;
	size_t bigger = *cap ? *cap * 2 : 8;
	while (bigger <= n)
		bigger *= 2;
	void *copy = ar_alloc_array(a, bigger, size);
	if (arr && n)
		memcpy(copy, arr, n * size);
	*cap = bigger;
	return copy;
}

char *ar_strndup(struct ar_arena *a, const char *s, size_t n)
{
	char *p = ar_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ar_strdup(struct ar_arena *a, const char *s)
{
	return ar_strndup(a, s, strlen(s));
}

char *ar_strdup_or_null(struct ar_arena *a, const char *s)
{
	return s ? ar_strdup(a, s) : NULL;
}

void *ar_memdup(struct ar_arena *a, const void *p, size_t n)
{
	void *q = ar_alloc(a, n);
	if (n)
		memcpy(q, p, n);
	return q;
}

char *ar_vprintf(struct ar_arena *a, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return ar_strdup(a, "");
	char *p = ar_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *ar_printf(struct ar_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = ar_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void ar_arena_defer(struct ar_arena *a, ar_cleanup_fn *fn, void *arg)
{
	struct cleanup *c = ar_alloc(a, sizeof *c);
	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
}

size_t ar_arena_used(const struct ar_arena *a)
{
	return a->used;
}
