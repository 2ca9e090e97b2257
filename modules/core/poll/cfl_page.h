/* cfl_page.h: one page of a Confluence audit API reply, parsed in place.
 *
 * Shapes (see cfl_flavor.h for the field names):
 *   Cloud: {"results":[ev,...],"limit":n,"_links":{"next":"..."}}  - more pages
 *          while _links.next is present.
 *   DC:    {"entities":[ev,...],"pagingInfo":{"lastPage":b,"nextPageCursor":"c",
 *          "nextPageLink":"..."}}  - more pages while lastPage is false.
 * Events come newest first. Each event is kept as its own JSON text exactly
 * as the server sent it, minus insignificant whitespace (cfl_jscan), with
 * its time in epoch ms: Cloud "creationDate" (number, numeric string or ISO
 * string), DC "timestamp" (ISO string, {"epochSecond","nano"} or number).
 *
 * A body that is not JSON, is cut off, or has no events array is an error
 * with a bounded message (what, at which byte, the first bytes of the body
 * quoted as printable ASCII). A body rejected only for nesting too deep is
 * read again leniently: each event on its own, one the scanner refuses
 * is kept as the text it was sent as (unparsed: mmconfluence makes it a
 * pipeline_error document), so one bad event does not hold the page's
 * good ones back. Nothing here follows or trusts a link.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_PAGE_H
#define CFL_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_flavor.h"
#include "cfl_status.h"

#define CFL_TS_NONE INT64_MIN

typedef struct cfl_page_event {
	const char *json; /* compact event JSON, NUL-terminated, in the page's arena */
	size_t len;
	int64_t ts_ms; /* CFL_TS_NONE if the event has no readable time */
	int excluded;  /* its action matched an exclude entry */
	int repeat;    /* set by the poller: a repeat caused by offset paging */
	int odd_time;  /* set by the poller: its time was outside the sane range (ts_ms is then CFL_TS_NONE) */
	int unparsed;  /* not JSON the scanner takes (nested too deep): json is the text as sent, no time */
} cfl_page_event_t;

typedef struct cfl_page {
	cfl_page_event_t *ev; /* in server order (newest first) */
	size_t n;
	int has_more;      /* the server says another page follows */
	int has_links;     /* Cloud: an _links object was present */
	long limit;        /* Cloud: the page's "limit" (the server may cap ours); -1 if absent */
	char *next_cursor; /* DC: nextPageCursor (or pageCursor of nextPageLink); NULL if none */
	char *next_link;   /* Cloud _links.next / DC nextPageLink as sent; NULL if none */
	size_t n_untimed;  /* events without a readable time */
	size_t n_unparsed; /* events kept as sent (see unparsed) */
	char *rest;        /* lenient read: the page without its events array (owns what root spans point to) */
	char *arena;       /* owns the event texts */
} cfl_page_t;

/* Parses body[0..len). exclude is a NULL-terminated list of action names
 * (DC type.actionI18nKey or type.action, Cloud summary), or NULL. On
 * success pg owns its memory (cfl_page_free). On failure pg is empty. */
cfl_rc_t cfl_page_parse(cfl_flavor_t flavor, const char *body, size_t len, const char *const *exclude, cfl_page_t *pg,
                        cfl_errbuf_t *err);
/* The same, refusing (CFL_ELIMIT) a page of more than
 * max_events events (0: no limit) before anything is allocated for them:
 * a server sending more than the limit asked for (20 million "{}" in a
 * 60 MB body) would otherwise cost ~100 bytes of bookkeeping per event. */
cfl_rc_t cfl_page_parse_max(cfl_flavor_t flavor, const char *body, size_t len, const char *const *exclude,
                            size_t max_events, cfl_page_t *pg, cfl_errbuf_t *err);
void cfl_page_free(cfl_page_t *pg);

#endif
