/* cfl_dedup.c: the delivered-fingerprint set (see cfl_dedup.h).
 *
 * An open-addressing hash table (linear probing, power-of-two capacity,
 * load <= 1/2) keyed by the fingerprint. Removal happens only in bulk
 * (prune, evict), by rebuilding the table, which keeps probing simple.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "cfl_dedup.h"

typedef struct entry {
	cfl_fp_t fp;
	int64_t ts;
	uint32_t count; /* deliveries (0: read, not delivered yet) */
	uint32_t seen;  /* occurrences read in generation gen */
	uint32_t gen;
	uint32_t used; /* 0 = empty slot */
} entry_t;

struct cfl_dedup {
	entry_t *tab;
	size_t cap; /* slots, a power of two */
	size_t n;
	size_t max;
	int64_t min_ts; /* smallest ts in the table (INT64_MAX when empty) */
	uint64_t evicted;
};

cfl_fp_t cfl_dedup_fingerprint(const char *text, size_t len)
{
	return (cfl_fp_t)XXH3_64bits(text, len);
}

static size_t slot_of(const cfl_dedup_t *d, cfl_fp_t fp)
{
	/* fingerprints are already uniformly distributed hashes */
	return (size_t)(fp ^ (fp >> 32)) & (d->cap - 1);
}

static entry_t *find(const cfl_dedup_t *d, cfl_fp_t fp)
{
	size_t i = slot_of(d, fp);

	while (d->tab[i].used) {
		if (d->tab[i].fp == fp)
			return &d->tab[i];
		i = (i + 1) & (d->cap - 1);
	}
	return NULL;
}

static entry_t *slot_for_insert(entry_t *tab, size_t cap, cfl_fp_t fp)
{
	size_t i = (size_t)(fp ^ (fp >> 32)) & (cap - 1);

	while (tab[i].used && tab[i].fp != fp)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

cfl_dedup_t *cfl_dedup_new(size_t max_entries)
{
	cfl_dedup_t *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->cap = 64;
	d->max = max_entries < 16 ? 16 : max_entries;
	d->min_ts = INT64_MAX;
	if ((d->tab = calloc(d->cap, sizeof(*d->tab))) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void cfl_dedup_free(cfl_dedup_t *d)
{
	if (d == NULL)
		return;
	free(d->tab);
	free(d);
}

int cfl_dedup_is_dup(cfl_dedup_t *d, cfl_fp_t fp, uint32_t gen)
{
	entry_t *e = find(d, fp);

	if (e == NULL)
		return 0;
	if (e->gen != gen) {
		e->gen = gen;
		e->seen = 0;
	}
	e->seen++;
	return e->seen <= e->count;
}

static cfl_rc_t insert(cfl_dedup_t *d, cfl_fp_t fp, int64_t ts_ms, uint32_t count, entry_t **out);

int cfl_dedup_read(cfl_dedup_t *d, cfl_fp_t fp, int64_t ts_ms, uint32_t gen, int strict, unsigned *occurrence)
{
	entry_t *e = find(d, fp);

	*occurrence = 0;
	if (e == NULL) {
		/* remembered at once (count 0), so a second copy later in this
		 * read, on this page or another, gets the next ordinal */
		if (insert(d, fp, ts_ms, 0, &e) != CFL_OK)
			return -1;
	}
	if (e->gen != gen) {
		e->gen = gen;
		e->seen = 0;
	}
	/* read again at a later time (an untimed or oddly dated event takes
	 * its neighbour's): kept while the reads go on, or the overlap would
	 * forget it and deliver it once more */
	if (ts_ms > e->ts)
		e->ts = ts_ms;
	e->seen++;
	*occurrence = e->seen - 1;
	if (e->seen <= e->count)
		return 1;
	return strict && e->seen > 1 ? 1 : 0;
}

/* Rebuilds the table with capacity cap, keeping entries with ts >= low. */
static cfl_rc_t rebuild(cfl_dedup_t *d, size_t cap, int64_t low)
{
	entry_t *tab = calloc(cap, sizeof(*tab));
	size_t i;

	if (tab == NULL)
		return CFL_ENOMEM;
	d->n = 0;
	d->min_ts = INT64_MAX;
	for (i = 0; i < d->cap; i++) {
		entry_t *e = &d->tab[i];
		if (!e->used || e->ts < low)
			continue;
		*slot_for_insert(tab, cap, e->fp) = *e;
		d->n++;
		if (e->ts < d->min_ts)
			d->min_ts = e->ts;
	}
	free(d->tab);
	d->tab = tab;
	d->cap = cap;
	return CFL_OK;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Drops about the oldest quarter; always drops at least the oldest ts. */
static cfl_rc_t evict_oldest(cfl_dedup_t *d)
{
	int64_t *ts = malloc(d->n * sizeof(*ts)), cut;
	size_t i, k = 0, before = d->n;
	cfl_rc_t rc;

	if (ts == NULL)
		return CFL_ENOMEM;
	for (i = 0; i < d->cap; i++)
		if (d->tab[i].used)
			ts[k++] = d->tab[i].ts;
	qsort(ts, k, sizeof(*ts), cmp_i64);
	cut = ts[k / 4];
	if (cut == ts[0])
		cut = ts[0] + 1;
	free(ts);
	rc = rebuild(d, d->cap, cut);
	d->evicted += before - d->n;
	return rc;
}

cfl_rc_t cfl_dedup_add(cfl_dedup_t *d, cfl_fp_t fp, int64_t ts_ms, uint32_t count)
{
	entry_t *e = find(d, fp);

	if (e != NULL) {
		e->count += count;
		return CFL_OK;
	}
	return insert(d, fp, ts_ms, count, &e);
}

static cfl_rc_t insert(cfl_dedup_t *d, cfl_fp_t fp, int64_t ts_ms, uint32_t count, entry_t **out)
{
	entry_t *e;

	if (d->n >= d->max && evict_oldest(d) != CFL_OK)
		return CFL_ENOMEM;
	if ((d->n + 1) * 2 > d->cap && rebuild(d, d->cap * 2, INT64_MIN) != CFL_OK)
		return CFL_ENOMEM;
	e = slot_for_insert(d->tab, d->cap, fp);
	e->fp = fp;
	e->ts = ts_ms;
	e->count = count;
	e->seen = 0;
	e->gen = 0;
	e->used = 1;
	d->n++;
	if (ts_ms < d->min_ts)
		d->min_ts = ts_ms;
	*out = e;
	return CFL_OK;
}

void cfl_dedup_prune(cfl_dedup_t *d, int64_t low_ms)
{
	size_t cap = d->cap;

	if (d->n == 0 || d->min_ts >= low_ms)
		return;
	/* shrink when mostly empty, so a burst does not pin memory */
	while (cap > 64 && d->n * 8 < cap)
		cap /= 2;
	if (rebuild(d, cap, low_ms) != CFL_OK)
		rebuild(d, d->cap, low_ms); /* same size needs memory too; on failure keep all */
}

size_t cfl_dedup_count(const cfl_dedup_t *d)
{
	return d->n;
}

uint64_t cfl_dedup_evicted(const cfl_dedup_t *d)
{
	return d->evicted;
}

int cfl_dedup_iter(const cfl_dedup_t *d, size_t *pos, cfl_fp_t *fp, int64_t *ts_ms, uint32_t *count)
{
	for (; *pos < d->cap; (*pos)++) {
		const entry_t *e = &d->tab[*pos];
		if (e->used && e->count != 0) {
			*fp = e->fp;
			*ts_ms = e->ts;
			*count = e->count;
			(*pos)++;
			return 1;
		}
	}
	return 0;
}
