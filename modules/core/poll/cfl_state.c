/* cfl_state.c: the per-input state file (format and guarantees in
 * cfl_state.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#define _GNU_SOURCE /* mkostemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfl_time.h"
#include "cfl_jscan.h"
#include "cfl_sbuf.h"
#include "cfl_state.h"

/* ---- serialising ------------------------------------------------------ */

/* The version-2 members (organization), after "fingerprints". */
static void serialize_v2(cfl_sbuf_t *b, const cfl_state_t *st)
{
	size_t i;

	cfl_sbuf_str(b, ",\"api_cursor\":");
	if (st->api_cursor != NULL)
		cfl_sbuf_json_string(b, st->api_cursor);
	else
		cfl_sbuf_str(b, "null");
	cfl_sbuf_str(b, ",\"walk_to\":");
	if (st->has_walk_to)
		cfl_sbuf_i64(b, st->walk_to_ms);
	else
		cfl_sbuf_str(b, "null");
	cfl_sbuf_str(b, ",\"ids\":[");
	for (i = 0; i < st->n_ids; i++) {
		cfl_sbuf_str(b, i ? ",[" : "[");
		cfl_sbuf_json_string(b, st->ids[i].id);
		cfl_sbuf_add(b, ",", 1);
		cfl_sbuf_i64(b, st->ids[i].ts_ms);
		cfl_sbuf_add(b, "]", 1);
	}
	cfl_sbuf_str(b, "]");
}

char *cfl_state_serialize(const cfl_state_t *st, size_t *len)
{
	cfl_sbuf_t b;
	char iso[CFL_TIME_ISO_LEN], fp[40];
	size_t i;

	cfl_sbuf_heap(&b);
	cfl_sbuf_str(&b, st->org ? "{\"version\":2,\"base_url\":" : "{\"version\":1,\"base_url\":");
	cfl_sbuf_json_string(&b, st->base_url);
	cfl_sbuf_str(&b, ",\"flavor\":");
	cfl_sbuf_json_string(&b, st->flavor);
	cfl_sbuf_str(&b, ",\"cursor\":");
	if (st->has_cursor) {
		cfl_sbuf_i64(&b, st->cursor_ms);
		cfl_time_format_ms(st->cursor_ms, iso, sizeof(iso));
		cfl_sbuf_str(&b, ",\"cursor_time\":\"");
		cfl_sbuf_str(&b, iso);
		cfl_sbuf_str(&b, "\",\"low\":");
		cfl_sbuf_i64(&b, st->low_ms);
	} else {
		cfl_sbuf_str(&b, "null,\"cursor_time\":null,\"low\":null");
	}
	cfl_sbuf_str(&b, ",\"fingerprints\":[");
	for (i = 0; i < st->n_fps; i++) {
		snprintf(fp, sizeof(fp), "%s[\"%016" PRIx64 "\",", i ? "," : "", st->fps[i].fp);
		cfl_sbuf_str(&b, fp);
		cfl_sbuf_i64(&b, st->fps[i].ts_ms);
		cfl_sbuf_add(&b, ",", 1);
		cfl_sbuf_i64(&b, st->fps[i].count);
		cfl_sbuf_add(&b, "]", 1);
	}
	cfl_sbuf_str(&b, "]");
	if (st->org)
		serialize_v2(&b, st);
	cfl_sbuf_str(&b, "}\n");
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/* ---- parsing ---------------------------------------------------------- */

static cfl_rc_t corrupt(cfl_errbuf_t *err, const char *why)
{
	return cfl_err_set(err, CFL_ECORRUPT, "%s", why);
}

static int parse_hex64(cfl_span_t v, uint64_t *out)
{
	char buf[20];
	char *end;

	if (cfl_jscan_string(v, buf, sizeof(buf)) != 16)
		return 0;
	if (strspn(buf, "0123456789abcdefABCDEF") != 16)
		return 0;
	*out = strtoull(buf, &end, 16);
	return *end == '\0';
}

static cfl_rc_t parse_fps(cfl_span_t arr, cfl_state_t *st, cfl_errbuf_t *err)
{
	cfl_jiter_t it, fit;
	cfl_span_t v, f[3];
	size_t n = 0, k;
	int64_t cnt;

	if (cfl_jscan_type(arr) != CFL_JARRAY)
		return corrupt(err, "\"fingerprints\" is not an array");
	cfl_jscan_arr_begin(arr, &it);
	while (cfl_jscan_arr_next(&it, &v))
		n++;
	if (n > 0 && (st->fps = calloc(n, sizeof(*st->fps))) == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory reading %zu fingerprints", n);
	cfl_jscan_arr_begin(arr, &it);
	while (cfl_jscan_arr_next(&it, &v)) {
		cfl_state_fp_t *e = &st->fps[st->n_fps];
		if (!cfl_jscan_arr_begin(v, &fit))
			return cfl_err_set(err, CFL_ECORRUPT, "fingerprint %zu is not an array", st->n_fps);
		for (k = 0; k < 3 && cfl_jscan_arr_next(&fit, &f[k]); k++)
			;
		if (k != 3 || cfl_jscan_arr_next(&fit, &v) || !parse_hex64(f[0], &e->fp) ||
		    !cfl_jscan_int64(f[1], &e->ts_ms) || !cfl_jscan_int64(f[2], &cnt) || cnt < 1 || cnt > UINT32_MAX)
			return cfl_err_set(err, CFL_ECORRUPT,
			                   "fingerprint %zu is not [\"<16 hex digits>\", <ms>, <count >= 1>]",
			                   st->n_fps);
		e->count = (uint32_t)cnt;
		st->n_fps++;
	}
	return CFL_OK;
}

static cfl_rc_t parse_cursor(cfl_span_t root, cfl_state_t *st, cfl_errbuf_t *err)
{
	cfl_span_t c, l;

	if (!cfl_jscan_member(root, "cursor", &c))
		return corrupt(err, "no \"cursor\" member");
	if (cfl_jscan_type(c) == CFL_JNULL)
		return CFL_OK;
	if (!cfl_jscan_int64(c, &st->cursor_ms))
		return corrupt(err, "\"cursor\" is neither null nor an integer (epoch ms)");
	if (!cfl_jscan_member(root, "low", &l) || !cfl_jscan_int64(l, &st->low_ms))
		return corrupt(err, "\"low\" is missing or not an integer (epoch ms)");
	if (st->low_ms > st->cursor_ms)
		return corrupt(err, "\"low\" is after \"cursor\"");
	st->has_cursor = 1;
	return CFL_OK;
}

static char *string_member(cfl_span_t root, const char *name);

static cfl_rc_t parse_ids(cfl_span_t arr, cfl_state_t *st, cfl_errbuf_t *err)
{
	cfl_jiter_t it, fit;
	cfl_span_t v, f[2];
	size_t n = 0, k;

	if (cfl_jscan_type(arr) != CFL_JARRAY)
		return corrupt(err, "\"ids\" is not an array");
	cfl_jscan_arr_begin(arr, &it);
	while (cfl_jscan_arr_next(&it, &v))
		n++;
	if (n > 0 && (st->ids = calloc(n, sizeof(*st->ids))) == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory reading %zu ids", n);
	cfl_jscan_arr_begin(arr, &it);
	while (cfl_jscan_arr_next(&it, &v)) {
		cfl_state_id_t *e = &st->ids[st->n_ids];
		if (!cfl_jscan_arr_begin(v, &fit))
			return cfl_err_set(err, CFL_ECORRUPT, "id %zu is not an array", st->n_ids);
		for (k = 0; k < 2 && cfl_jscan_arr_next(&fit, &f[k]); k++)
			;
		if (k != 2 || cfl_jscan_arr_next(&fit, &v) || cfl_jscan_type(f[0]) != CFL_JSTRING ||
		    !cfl_jscan_int64(f[1], &e->ts_ms))
			return cfl_err_set(err, CFL_ECORRUPT, "id %zu is not [\"<id>\", <ms>]", st->n_ids);
		if ((e->id = malloc(f[0].len)) == NULL)
			return cfl_err_set(err, CFL_ENOMEM, "out of memory reading %zu ids", n);
		st->n_ids++;
		if (cfl_jscan_string(f[0], e->id, f[0].len) <= 0)
			return cfl_err_set(err, CFL_ECORRUPT, "id %zu is empty", st->n_ids - 1);
	}
	return CFL_OK;
}

/* api_cursor, walk_to and ids of a version-2 state. */
static cfl_rc_t parse_v2(cfl_span_t root, cfl_state_t *st, cfl_errbuf_t *err)
{
	cfl_span_t v;

	st->org = 1;
	if (!cfl_jscan_member(root, "api_cursor", &v))
		return corrupt(err, "no \"api_cursor\" member");
	if (cfl_jscan_type(v) != CFL_JNULL && (st->api_cursor = string_member(root, "api_cursor")) == NULL)
		return corrupt(err, "\"api_cursor\" is neither null nor a string");
	if (!cfl_jscan_member(root, "walk_to", &v))
		return corrupt(err, "no \"walk_to\" member");
	if (cfl_jscan_type(v) != CFL_JNULL) {
		if (!cfl_jscan_int64(v, &st->walk_to_ms))
			return corrupt(err, "\"walk_to\" is neither null nor an integer (epoch ms)");
		st->has_walk_to = 1;
	}
	if (!cfl_jscan_member(root, "ids", &v))
		return corrupt(err, "no \"ids\" member");
	return parse_ids(v, st, err);
}

static char *string_member(cfl_span_t root, const char *name)
{
	cfl_span_t v;
	char *s;

	if (!cfl_jscan_member(root, name, &v) || cfl_jscan_type(v) != CFL_JSTRING || (s = malloc(v.len)) == NULL)
		return NULL;
	if (cfl_jscan_string(v, s, v.len) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

cfl_rc_t cfl_state_parse(const char *buf, size_t len, cfl_state_t *st, cfl_errbuf_t *err)
{
	cfl_errbuf_t jerr;
	cfl_span_t root, v;
	int64_t version;
	cfl_rc_t rc;

	memset(st, 0, sizeof(*st));
	if (cfl_jscan_document(buf, len, &root, &jerr) != CFL_OK) {
		rc = cfl_err_set(err, CFL_ECORRUPT, "not valid JSON (%s)", jerr.msg);
		goto done;
	}
	if (cfl_jscan_type(root) != CFL_JOBJECT) {
		rc = corrupt(err, "not a JSON object");
		goto done;
	}
	if (!cfl_jscan_member(root, "version", &v) || !cfl_jscan_int64(v, &version)) {
		rc = corrupt(err, "no integer \"version\" member");
		goto done;
	}
	if (version != CFL_STATE_VERSION && version != CFL_STATE_VERSION_ORG) {
		rc = cfl_err_set(err, CFL_ECORRUPT, "version %" PRId64 " is not %d or %d (written by another release?)",
		                 version, CFL_STATE_VERSION, CFL_STATE_VERSION_ORG);
		goto done;
	}
	if ((st->base_url = string_member(root, "base_url")) == NULL ||
	    (st->flavor = string_member(root, "flavor")) == NULL) {
		rc = corrupt(err, "\"base_url\" or \"flavor\" is missing or not a string");
		goto done;
	}
	if ((rc = parse_cursor(root, st, err)) != CFL_OK)
		goto done;
	if (!cfl_jscan_member(root, "fingerprints", &v)) {
		rc = corrupt(err, "no \"fingerprints\" member");
		goto done;
	}
	if ((rc = parse_fps(v, st, err)) == CFL_OK && version == CFL_STATE_VERSION_ORG)
		rc = parse_v2(root, st, err);
done:
	if (rc != CFL_OK)
		cfl_state_free(st);
	return rc;
}

/* ---- files ------------------------------------------------------------ */

cfl_rc_t cfl_state_load(const char *path, cfl_state_t *st, cfl_errbuf_t *err)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	ssize_t r;
	cfl_errbuf_t perr;
	cfl_rc_t rc = CFL_OK;
	int fd;

	memset(st, 0, sizeof(*st));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return cfl_err_set(err, CFL_ENOENT, "state file %s does not exist", path);
		return cfl_err_set(err, CFL_EIO, "cannot open state file %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		rc = cfl_err_set(err, CFL_EIO, "state file %s is not a regular file", path);
		goto done;
	}
	if ((size_t)sb.st_size > CFL_STATE_MAX_BYTES) {
		rc = cfl_err_set(err, CFL_ECORRUPT, "state file %s is %lld bytes, more than the %u a state can have",
		                 path, (long long)sb.st_size, CFL_STATE_MAX_BYTES);
		goto done;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		rc = cfl_err_set(err, CFL_ENOMEM, "out of memory reading state file %s", path);
		goto done;
	}
	while (got < (size_t)sb.st_size) {
		r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != (size_t)sb.st_size) {
		rc = cfl_err_set(err, CFL_EIO, "cannot read state file %s: %s", path, strerror(errno));
		goto done;
	}
	if ((rc = cfl_state_parse(buf, got, st, &perr)) != CFL_OK)
		rc = cfl_err_set(err, rc, "state file %s: %s", path, perr.msg);
done:
	free(buf);
	close(fd);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Directory part of path ("." if none) into dir. */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

static int fsync_dir(const char *path)
{
	char dir[4096];
	int fd, rc;

	dir_of(path, dir, sizeof(dir));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

cfl_rc_t cfl_state_save(const char *path, const cfl_state_t *st, cfl_errbuf_t *err)
{
	char tmp[4096];
	const char *step = "write";
	size_t len;
	char *buf;
	int fd, e;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp))
		return cfl_err_set(err, CFL_EINVAL, "state file path is too long");
	if ((buf = cfl_state_serialize(st, &len)) == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory writing state file %s", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		e = errno;
		free(buf);
		return cfl_err_set(err, CFL_EIO, "cannot create %s: %s", tmp, strerror(e));
	}
	if (write_all(fd, buf, len) != 0 || (step = "fsync", fsync(fd) != 0)) {
		e = errno;
		close(fd);
		goto fail;
	}
	step = "close";
	if (close(fd) != 0) {
		e = errno;
		goto fail;
	}
	step = "rename";
	if (rename(tmp, path) != 0) {
		e = errno;
		goto fail;
	}
	free(buf);
	/* the rename is durable only once the directory entry is */
	if (fsync_dir(path) != 0)
		return cfl_err_set(err, CFL_EIO, "state file %s written, but fsync of its directory failed: %s", path,
		                   strerror(errno));
	return CFL_OK;
fail:
	unlink(tmp);
	free(buf);
	return cfl_err_set(err, CFL_EIO,
	                   "cannot write state file %s (%s of the temp file failed: %s); "
	                   "the previous state is kept",
	                   path, step, strerror(e));
}

int cfl_state_remove_temps(const char *path)
{
	char dir[4096], prefix[1024], full[8192];
	const char *base = strrchr(path, '/');
	struct dirent *de;
	size_t pl;
	DIR *d;
	int n = 0;

	base = base ? base + 1 : path;
	if ((size_t)snprintf(prefix, sizeof(prefix), "%s.tmp.", base) >= sizeof(prefix))
		return 0;
	pl = strlen(prefix);
	dir_of(path, dir, sizeof(dir));
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, pl) != 0 || strlen(de->d_name) != pl + 6)
			continue;
		snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
		if (unlink(full) == 0)
			n++;
	}
	closedir(d);
	return n;
}

void cfl_state_free(cfl_state_t *st)
{
	size_t i;

	for (i = 0; i < st->n_ids; i++)
		free(st->ids[i].id);
	free(st->ids);
	free(st->api_cursor);
	free(st->base_url);
	free(st->flavor);
	free(st->fps);
	memset(st, 0, sizeof(*st));
}
