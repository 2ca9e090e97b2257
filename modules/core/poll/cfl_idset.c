/* cfl_idset.c: a set of event ids with their time (see cfl_idset.h).
 *
 * Entries live in one array; an open-addressing table (linear probing) of
 * entry indexes finds them. Removing (prune, evict) compacts the array
 * and rebuilds the table, which is O(n) but happens at most once per
 * committed page.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_dedup.h"
#include "cfl_poll.h"

#include "cfl_dedup.h"
#include "cfl_idset.h"

typedef struct ent {
	char *id;
	size_t len;
	int64_t ts;
	uint64_t h;
} ent_t;

struct cfl_idset {
	ent_t *e;
	size_t n, cap; /* entries */
	size_t *tab;   /* index + 1, 0 = empty */
	size_t tcap;   /* power of two, > 2 * cap */
	size_t max;
	uint64_t evicted;
};

static size_t slot_of(const cfl_idset_t *s, uint64_t h, const char *id, size_t len, int *found)
{
	size_t i = (size_t)h & (s->tcap - 1);

	*found = 0;
	while (s->tab[i] != 0) {
		const ent_t *e = &s->e[s->tab[i] - 1];
		if (e->h == h && e->len == len && memcmp(e->id, id, len) == 0) {
			*found = 1;
			return i;
		}
		i = (i + 1) & (s->tcap - 1);
	}
	return i;
}

static void rebuild(cfl_idset_t *s)
{
	size_t k;
	int found;

	memset(s->tab, 0, s->tcap * sizeof(*s->tab));
	for (k = 0; k < s->n; k++)
		s->tab[slot_of(s, s->e[k].h, s->e[k].id, s->e[k].len, &found)] = k + 1;
}

cfl_idset_t *cfl_idset_new(size_t max_entries)
{
	cfl_idset_t *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->max = max_entries < 16 ? 16 : max_entries;
	s->cap = 64;
	s->tcap = 256;
	s->e = calloc(s->cap, sizeof(*s->e));
	s->tab = calloc(s->tcap, sizeof(*s->tab));
	if (s->e == NULL || s->tab == NULL) {
		cfl_idset_free(s);
		return NULL;
	}
	return s;
}

void cfl_idset_free(cfl_idset_t *s)
{
	size_t k;

	if (s == NULL)
		return;
	for (k = 0; k < s->n; k++)
		free(s->e[k].id);
	free(s->e);
	free(s->tab);
	free(s);
}

int cfl_idset_has(const cfl_idset_t *s, const char *id, size_t len)
{
	int found;

	slot_of(s, cfl_dedup_fingerprint(id, len), id, len, &found);
	return found;
}

/* Keeps the entries with ts >= low; with quota > 0, also drops up to
 * quota entries with ts == low (in insertion order). Returns how many
 * were dropped. */
static size_t drop_below(cfl_idset_t *s, int64_t low, size_t quota)
{
	size_t k, w = 0, before = s->n;

	for (k = 0; k < s->n; k++) {
		if (s->e[k].ts < low || (quota > 0 && s->e[k].ts == low)) {
			if (s->e[k].ts == low)
				quota--;
			free(s->e[k].id);
			continue;
		}
		s->e[w++] = s->e[k];
	}
	if (w != before) {
		s->n = w;
		rebuild(s);
	}
	return before - w;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The set is full: evict the oldest quarter (at least one entry). */
static cfl_rc_t evict(cfl_idset_t *s)
{
	int64_t *ts = malloc(s->n * sizeof(*ts)), cut;
	size_t k, dropped;

	if (ts == NULL)
		return CFL_ENOMEM;
	for (k = 0; k < s->n; k++)
		ts[k] = s->e[k].ts;
	qsort(ts, s->n, sizeof(*ts), cmp_i64);
	cut = ts[s->n / 4];
	free(ts);
	dropped = drop_below(s, cut, 0);
	if (dropped == 0) /* the oldest quarter shares one ms */
		dropped = drop_below(s, cut, s->n / 4 + 1);
	s->evicted += dropped;
	return CFL_OK;
}

static cfl_rc_t grow(cfl_idset_t *s)
{
	ent_t *ne;
	size_t *nt, ncap = s->cap * 2;

	if ((ne = realloc(s->e, ncap * sizeof(*ne))) == NULL)
		return CFL_ENOMEM;
	s->e = ne;
	if ((nt = calloc(s->tcap * 2, sizeof(*nt))) == NULL)
		return CFL_ENOMEM;
	s->cap = ncap;
	free(s->tab);
	s->tab = nt;
	s->tcap *= 2;
	rebuild(s);
	return CFL_OK;
}

cfl_rc_t cfl_idset_add(cfl_idset_t *s, const char *id, size_t len, int64_t ts_ms)
{
	uint64_t h;
	size_t i;
	int found;
	ent_t *e;

	if (len == 0 || len > CFL_IDSET_MAX_ID)
		return CFL_EINVAL;
	h = cfl_dedup_fingerprint(id, len);
	i = slot_of(s, h, id, len, &found);
	if (found) {
		e = &s->e[s->tab[i] - 1];
		if (ts_ms > e->ts)
			e->ts = ts_ms;
		return CFL_OK;
	}
	if (s->n >= s->max && evict(s) != CFL_OK)
		return CFL_ENOMEM;
	if (s->n == s->cap && grow(s) != CFL_OK)
		return CFL_ENOMEM;
	e = &s->e[s->n];
	if ((e->id = malloc(len + 1)) == NULL)
		return CFL_ENOMEM;
	memcpy(e->id, id, len);
	e->id[len] = '\0';
	e->len = len;
	e->ts = ts_ms;
	e->h = h;
	s->n++;
	s->tab[slot_of(s, h, id, len, &found)] = s->n;
	return CFL_OK;
}

void cfl_idset_prune(cfl_idset_t *s, int64_t low_ms)
{
	drop_below(s, low_ms, 0);
}

size_t cfl_idset_count(const cfl_idset_t *s)
{
	return s->n;
}

uint64_t cfl_idset_evicted(const cfl_idset_t *s)
{
	return s->evicted;
}

int cfl_idset_iter(const cfl_idset_t *s, size_t *pos, const char **id, int64_t *ts_ms)
{
	if (*pos >= s->n)
		return 0;
	*id = s->e[*pos].id;
	*ts_ms = s->e[*pos].ts;
	(*pos)++;
	return 1;
}

cfl_rc_t cfl_idset_restore(cfl_idset_t *s, const cfl_state_t *st)
{
	size_t i;

	for (i = 0; st->org && i < st->n_ids; i++)
		if (cfl_idset_add(s, st->ids[i].id, strlen(st->ids[i].id), st->ids[i].ts_ms) == CFL_ENOMEM)
			return CFL_ENOMEM;
	return CFL_OK;
}

cfl_rc_t cfl_idset_snapshot(const cfl_idset_t *s, cfl_state_t *st)
{
	size_t pos = 0, n = 0;
	const char *id;
	int64_t ts;

	st->n_ids = 0;
	if ((st->ids = calloc(cfl_idset_count(s) + 1, sizeof(*st->ids))) == NULL)
		return CFL_ENOMEM;
	while (cfl_idset_iter(s, &pos, &id, &ts)) {
		if ((st->ids[n].id = strdup(id)) == NULL)
			return CFL_ENOMEM;
		st->ids[n++].ts_ms = ts;
		st->n_ids = n;
	}
	return CFL_OK;
}

char *cfl_idset_text_key(const char *text, size_t len, size_t *klen)
{
	char *k = malloc(18);

	if (k == NULL)
		return NULL;
	snprintf(k, 18, "#%016" PRIx64, (uint64_t)cfl_dedup_fingerprint(text, len));
	*klen = 17;
	return k;
}

int64_t cfl_idset_newest_sane(const cfl_idset_t *s, int64_t now_ms, int64_t *oldest)
{
	int64_t best = INT64_MIN, ts;
	const char *id;
	size_t pos = 0;

	*oldest = INT64_MAX;
	while (cfl_idset_iter(s, &pos, &id, &ts))
		cfl_poll_fold_sane(ts, now_ms, &best, oldest);
	return best;
}
