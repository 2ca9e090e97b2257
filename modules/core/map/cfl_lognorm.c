/* cfl_lognorm.c: liblognorm wrapper of the mapping core (see the header for
 * the marker scheme). Loading checks the rulebase harder than liblognorm does:
 * liblognorm reports rule errors through a callback but still returns success,
 * and silently falls back to its v1 engine without a "version=2" first line,
 * so both are turned into load errors here, plus a small self-test that the
 * uri| and url| rules the mapper depends on still work.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <liblognorm.h>
#include <xxhash.h>

#include "cfl_lognorm.h"

#define MARKER_LEN 4   /* "msg|", "uri|", "url|" */
#define STACK_BUF 1024 /* URIs and URLs fit; longer messages go to the heap */
#define USERNAME_KEY "?username="

struct cfl_lognorm {
	ln_ctx ctx;
	uint64_t gen; /* unique per loaded rulebase: keys the per-thread memos */
};

/* Per-thread memo of recent results. Audit streams repeat the same handful of
 * user URIs and one service.address over and over, and a memo hit costs a
 * hash and a memcmp instead of ln_normalize()'s ~250 ns and allocations.
 * Fixed-size arrays in thread-local storage: nothing to free at thread exit,
 * and the mapper itself stays read-only. Misses on strings that do not fit. */
#define MEMO_SLOTS 16
#define MEMO_KEY 200
#define MEMO_VAL 120

struct uri_memo_slot {
	uint64_t gen; /* 0 = empty */
	uint32_t klen;
	uint32_t vlen; /* 0 = "no match" is remembered too */
	char key[MEMO_KEY];
	char val[MEMO_VAL];
};

struct memo {
	struct uri_memo_slot slot[MEMO_SLOTS];
};

static __thread struct memo uri_memo;
static __thread struct memo url_memo;
static uint64_t next_gen; /* atomic */

struct load_errors {
	cfl_errbuf_t *err;
	int count;
};

/* "rulebase file F[N]: text" -> "F:N: text", liblognorm's location made
 * compiler-style like every other load error of the core. */
static void err_cb(void *cookie, const char *msg, size_t len)
{
	static const char lead[] = "rulebase file ";
	struct load_errors *le = cookie;
	const char *open, *close;

	if (le->count++ > 0)
		return; /* the first error is the one to fix */
	open = strchr(msg, '[');
	close = open != NULL ? strstr(open, "]: ") : NULL;
	if (strncmp(msg, lead, sizeof(lead) - 1) == 0 && close != NULL) {
		const char *file = msg + sizeof(lead) - 1;

		cfl_err_set(le->err, CFL_EPARSE, "%.*s:%.*s: %s", (int)(open - file), file, (int)(close - open - 1),
		            open + 1, close + 3);
	} else {
		cfl_err_set(le->err, CFL_EPARSE, "%.*s", (int)len, msg);
	}
}

static void quiet_cb(void *cookie, const char *msg, size_t len)
{
	(void)cookie;
	(void)msg;
	(void)len;
}

static cfl_rc_t check_version_line(const char *path, cfl_errbuf_t *err)
{
	char line[64];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return cfl_err_set(err, errno == ENOENT ? CFL_ENOENT : CFL_EIO, "%s: cannot open rulebase: %s", path,
		                   strerror(errno));
	if (fgets(line, sizeof(line), f) == NULL || strcmp(line, "version=2\n") != 0) {
		fclose(f);
		return cfl_err_set(err, CFL_EPARSE,
		                   "%s:1: first line must be exactly \"version=2\" "
		                   "(liblognorm would otherwise read the file with its v1 engine)",
		                   path);
	}
	fclose(f);
	return CFL_OK;
}

/* Runs ln_normalize on marker + s and returns the string field `field` of the
 * result, copied into out. Returns its length, or 0. */
static size_t normalize_field(const cfl_lognorm_t *l, const char *marker, const char *s, size_t len, const char *field,
                              char *out, size_t outsz)
{
	char stackbuf[STACK_BUF];
	char *buf = stackbuf;
	struct json_object *res = NULL, *v;
	size_t n = 0;

	if (len + MARKER_LEN + 1 > sizeof(stackbuf)) {
		buf = malloc(len + MARKER_LEN + 1);
		if (buf == NULL)
			return 0;
	}
	memcpy(buf, marker, MARKER_LEN);
	memcpy(buf + MARKER_LEN, s, len);
	buf[MARKER_LEN + len] = '\0'; /* see cfl_lognorm_find_json */
	if (ln_normalize(l->ctx, buf, len + MARKER_LEN, &res) == 0 && json_object_object_get_ex(res, field, &v) &&
	    json_object_is_type(v, json_type_string)) {
		n = (size_t)json_object_get_string_len(v);
		if (n < outsz)
			memcpy(out, json_object_get_string(v), n + 1);
		else
			n = 0;
	}
	json_object_put(res);
	if (buf != stackbuf)
		free(buf);
	return n;
}

static cfl_rc_t self_test(const cfl_lognorm_t *l, const char *path, cfl_errbuf_t *err)
{
	static const char url[] = "http://h.example:8090/x";
	static const char uri[] = "/u/view.action?username=ab";
	char out[64];

	if (cfl_lognorm_url_host(l, url, sizeof(url) - 1, out, sizeof(out)) == 0 || strcmp(out, "h.example") != 0)
		return cfl_err_set(err, CFL_EINVAL,
		                   "%s: rulebase self-test failed: the url| rules do not give "
		                   "host \"h.example\" for \"http://h.example:8090/x\"",
		                   path);
	if (cfl_lognorm_uri_username(l, uri, sizeof(uri) - 1, out, sizeof(out)) == 0 || strcmp(out, "ab") != 0)
		return cfl_err_set(err, CFL_EINVAL,
		                   "%s: rulebase self-test failed: the uri| rules do not give "
		                   "username \"ab\" for \"/u/view.action?username=ab\"",
		                   path);
	return CFL_OK;
}

cfl_rc_t cfl_lognorm_load(const char *path, cfl_lognorm_t **out, cfl_errbuf_t *err)
{
	struct load_errors le = { err, 0 };
	cfl_lognorm_t *l;
	cfl_rc_t rc;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return cfl_err_set(err, CFL_EINVAL, "no rulebase given (confluence-audit.rulebase)");
	if ((rc = check_version_line(path, err)) != CFL_OK)
		return rc;
	l = calloc(1, sizeof(*l));
	if (l != NULL)
		l->gen = __atomic_add_fetch(&next_gen, 1, __ATOMIC_RELAXED);
	if (l == NULL || (l->ctx = ln_initCtx()) == NULL) {
		free(l);
		return cfl_err_set(err, CFL_ENOMEM, "%s: cannot create a liblognorm context", path);
	}
	/* liblognorm 2.0.6 hands the error callback the *debug* cookie, so set
	 * both (debug output itself stays off: no debug callback) */
	ln_setDebugCB(l->ctx, NULL, &le);
	ln_setErrMsgCB(l->ctx, err_cb, &le);
	if (ln_loadSamples(l->ctx, path) != 0 && le.count == 0) {
		cfl_err_set(err, CFL_EPARSE, "%s: liblognorm could not load the rulebase", path);
		le.count++;
	}
	ln_setErrMsgCB(l->ctx, quiet_cb, NULL);
	ln_setDebugCB(l->ctx, NULL, NULL);
	rc = le.count > 0 ? CFL_EPARSE : self_test(l, path, err);
	if (rc == CFL_OK)
		*out = l;
	else
		cfl_lognorm_free(l);
	return rc;
}

void cfl_lognorm_free(cfl_lognorm_t *l)
{
	if (l == NULL)
		return;
	if (l->ctx != NULL)
		ln_exitCtx(l->ctx);
	free(l);
}

int cfl_lognorm_find_json(const cfl_lognorm_t *l, const char *msg, size_t len, size_t *json_off)
{
	char stackbuf[STACK_BUF];
	char *buf = stackbuf;
	struct json_object *res = NULL, *v;
	int rc = -1;

	/* NUL-terminated although the length is passed: liblognorm 2.0.6 builds
	 * "originalmsg" with strlen() when no rule matches (found by valgrind) */
	if (len + MARKER_LEN + 1 > sizeof(stackbuf) && (buf = malloc(len + MARKER_LEN + 1)) == NULL)
		return -1;
	memcpy(buf, "msg|", MARKER_LEN);
	memcpy(buf + MARKER_LEN, msg, len);
	buf[MARKER_LEN + len] = '\0';
	if (ln_normalize(l->ctx, buf, len + MARKER_LEN, &res) == 0 && json_object_object_get_ex(res, "json", &v) &&
	    json_object_is_type(v, json_type_string)) {
		size_t jl = (size_t)json_object_get_string_len(v);

		/* %json:rest% makes the capture a suffix of the message; anything else
		 * (a rule capturing a middle part) is not something we can point into */
		if (jl <= len && memcmp(msg + len - jl, json_object_get_string(v), jl) == 0) {
			*json_off = len - jl;
			rc = 0;
		}
	}
	json_object_put(res);
	if (buf != stackbuf)
		free(buf);
	return rc;
}

static int is_username_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

static struct uri_memo_slot *memo_slot(struct memo *mm, const cfl_lognorm_t *l, const char *key, size_t len)
{
	return &mm->slot[XXH3_64bits_withSeed(key, len, l->gen) & (MEMO_SLOTS - 1)];
}

/* Copies a remembered result for key into out: its length, or -1 on a miss. */
static long memo_get(struct memo *mm, const cfl_lognorm_t *l, const char *key, size_t len, char *out, size_t outsz)
{
	const struct uri_memo_slot *s;

	if (len > MEMO_KEY)
		return -1;
	s = memo_slot(mm, l, key, len);
	if (s->gen != l->gen || s->klen != len || memcmp(s->key, key, len) != 0 || s->vlen >= outsz)
		return -1;
	memcpy(out, s->val, s->vlen);
	out[s->vlen] = '\0';
	return (long)s->vlen;
}

static void memo_put(struct memo *mm, const cfl_lognorm_t *l, const char *key, size_t len, const char *val, size_t vlen)
{
	struct uri_memo_slot *s;

	if (len > MEMO_KEY || vlen >= MEMO_VAL)
		return;
	s = memo_slot(mm, l, key, len);
	s->gen = l->gen;
	s->klen = (uint32_t)len;
	s->vlen = (uint32_t)vlen;
	memcpy(s->key, key, len);
	memcpy(s->val, val, vlen);
}

/* ln_normalize()'s username, finished: the rule matched the FIRST
 * "?username=" but the contract wants the URI's end, so keep what follows the
 * last one, and only if it is all [A-Za-z0-9._-]. */
static size_t finish_username(char *out, size_t n)
{
	const char *name = out, *p;
	size_t i;

	if (n == 0)
		return 0;
	while ((p = strstr(name, USERNAME_KEY)) != NULL)
		name = p + sizeof(USERNAME_KEY) - 1;
	n -= (size_t)(name - out);
	for (i = 0; i < n; i++) {
		if (!is_username_char(name[i]))
			return 0;
	}
	memmove(out, name, n + 1);
	return n;
}

size_t cfl_lognorm_uri_username(const cfl_lognorm_t *l, const char *uri, size_t len, char *out, size_t outsz)
{
	long hit = memo_get(&uri_memo, l, uri, len, out, outsz);
	size_t n;

	if (hit >= 0)
		return (size_t)hit;
	n = finish_username(out, normalize_field(l, "uri|", uri, len, "username", out, outsz));
	memo_put(&uri_memo, l, uri, len, out, n);
	return n;
}

size_t cfl_lognorm_url_host(const cfl_lognorm_t *l, const char *url, size_t len, char *out, size_t outsz)
{
	long hit = memo_get(&url_memo, l, url, len, out, outsz);
	size_t n;

	if (hit >= 0)
		return (size_t)hit;
	n = normalize_field(l, "url|", url, len, "host", out, outsz);
	memo_put(&url_memo, l, url, len, out, n);
	return n;
}
