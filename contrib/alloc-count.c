/* contrib/alloc-count.c: an LD_PRELOAD library for contrib/bench-alloc.sh.
 * Counts the calls of malloc, calloc, realloc (counted as an allocation when
 * it moves or creates a block) and free made by the whole process, and
 * writes "allocations frees" to $CFL_ALLOC_OUT when the process exits. It
 * does not change what the allocator does, so the program behaves as usual.
 * Licensed under the Apache License, Version 2.0.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long n_alloc, n_free;
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

/* dlsym() may itself call calloc before real_calloc is known */
static char boot[4096];
static size_t boot_used;

static void init(void)
{
	if (real_malloc != NULL)
		return;
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
}

void *malloc(size_t n)
{
	init();
	__atomic_add_fetch(&n_alloc, 1, __ATOMIC_RELAXED);
	return real_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	if (real_calloc == NULL) {
		size_t n = (a * b + 15) & ~(size_t)15;
		void *p = boot + boot_used;

		if (boot_used + n > sizeof(boot))
			return NULL;
		boot_used += n;
		return p; /* static storage is already zero */
	}
	__atomic_add_fetch(&n_alloc, 1, __ATOMIC_RELAXED);
	return real_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	void *q;

	init();
	q = real_realloc(p, n);
	if (q != p)
		__atomic_add_fetch(&n_alloc, 1, __ATOMIC_RELAXED);
	return q;
}

void free(void *p)
{
	if (p == NULL || ((char *)p >= boot && (char *)p < boot + sizeof(boot)))
		return;
	init();
	__atomic_add_fetch(&n_free, 1, __ATOMIC_RELAXED);
	real_free(p);
}

__attribute__((destructor)) static void report(void)
{
	const char *out = getenv("CFL_ALLOC_OUT");
	FILE *f;

	if (out == NULL || (f = fopen(out, "w")) == NULL)
		return;
	fprintf(f, "%lu %lu\n", n_alloc, n_free);
	fclose(f);
}
