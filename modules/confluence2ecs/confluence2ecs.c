/* confluence2ecs -- command-line twin of the mmconfluence rsyslog action:
 * Confluence audit messages in (one per line, from files or stdin), ECS JSON
 * documents out (one per line), through the same mapping core (cfl_map.h) and
 * with the same options. It is to mmconfluence what lognormalizer is to
 * mmnormalize: a way to try a rulebase, a categories file or a whole audit log
 * without running rsyslogd.
 *
 * Output per message: the ECS document; a pipeline_error document for a
 * message that cannot be mapped; nothing for an empty API envelope or a blank
 * line. Exit status: 0, or 2 for a setup error (options, rulebase, categories,
 * GeoIP databases, unreadable input). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_map.h"

#define EXIT_SETUP 2
#define MAX_TAGS 64

#ifndef CFL_PACKAGE_VERSION
#error "CFL_PACKAGE_VERSION (rsyslog-confluence's version) is not defined by the build"
#endif
#ifndef CFL_PKGDATADIR
#define CFL_PKGDATADIR "/usr/share/rsyslog-confluence"
#endif

struct cli {
	cfl_map_opts_t opts;
	const char *tags[MAX_TAGS];
	const char *input_type;
	const char *input_product;
	char *rulebase_default;
	char *categories_default;
};

/* One table drives getopt and --help, so they cannot disagree. */
static const struct option_doc {
	struct option opt;
	const char *arg;
	const char *help;
} options[] = {
	{ { "rulebase", required_argument, NULL, 'r' },
	  "FILE",
	  "liblognorm rulebase (default: confluence-audit.rulebase in $CFL_RULEBASES, else in " CFL_PKGDATADIR ")" },
	{ { "categories", required_argument, NULL, 'c' },
	  "FILE",
	  "categorization table (default: confluence-categories.json in $CFL_RULEBASES, else in " CFL_PKGDATADIR ")" },
	{ { "org-categories", required_argument, NULL, 'o' },
	  "FILE",
	  "organization audit log's categorization table (default: atlassian-cloud-categories.json "
	  "beside the categories file, else in " CFL_PKGDATADIR ")" },
	{ { "product", required_argument, NULL, 'P' },
	  "NAME",
	  "confluence, jira or bitbucket: the product of events nothing else attributes (default: confluence)" },
	{ { "product-detect", no_argument, NULL, 'D' },
	  NULL,
	  "let an event's product-owned i18n key (jira., bitbucket., audit.logging.) decide its product" },
	{ { "jira-categories", required_argument, NULL, 'J' },
	  "FILE",
	  "Jira's categorization table (default: jira-categories.json beside the categories file)" },
	{ { "bitbucket-categories", required_argument, NULL, 'B' },
	  "FILE",
	  "Bitbucket's categorization table (default: bitbucket-categories.json beside the categories file)" },
	{ { "input-product", required_argument, NULL, 'I' },
	  "NAME",
	  "the product the input says it polled (as imconfluence's $!metadata!product)" },
	{ { "geoip-city", required_argument, NULL, 'g' }, "FILE", "MaxMind City database for source.geo.*" },
	{ { "geoip-asn", required_argument, NULL, 'a' }, "FILE", "MaxMind ASN database for source.as.*" },
	{ { "namespace", required_argument, NULL, 'n' }, "NS", "data_stream.namespace (default: default)" },
	{ { "preserve-original", no_argument, NULL, 'p' },
	  NULL,
	  "keep the event text in event.original, tag preserve_original_event" },
	{ { "tag", required_argument, NULL, 't' }, "TAG", "add TAG to tags (repeatable)" },
	{ { "event-id", no_argument, NULL, 'e' }, NULL, "set event.id to the XXH3-128 hash of the event text" },
	{ { "input-type", required_argument, NULL, 'i' }, "NAME", "input.type (as rsyslog's $inputname)" },
	{ { "help", no_argument, NULL, 'h' }, NULL, "show this help" },
	{ { "version", no_argument, NULL, 'V' },
	  NULL,
	  "show the version (rsyslog-confluence " CFL_PACKAGE_VERSION ")" },
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
	        "usage: confluence2ecs [OPTION]... [FILE]...\n"
	        "Map Confluence, Jira and Bitbucket audit events (JSON lines; stdin if no FILE) to ECS JSON lines.\n\n");
	for (i = 0; i < NOPTIONS; i++) {
		char left[40];

		snprintf(left, sizeof(left), "-%c, --%s%s%s", options[i].opt.val, options[i].opt.name,
		         options[i].arg ? " " : "", options[i].arg ? options[i].arg : "");
		fprintf(out, "  %-26s %s\n", left, options[i].help);
	}
	fprintf(out, "\nExit status: 0, or 2 on a setup error.\n");
}

static char *default_path(const char *file)
{
	const char *dir = getenv("CFL_RULEBASES");
	size_t n;
	char *p;

	if (dir == NULL || *dir == '\0')
		dir = CFL_PKGDATADIR;
	n = strlen(dir) + strlen(file) + 2;
	p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, file);
	return p;
}

static int parse_args(int argc, char **argv, struct cli *c)
{
	struct option longopts[NOPTIONS + 1];
	char shortopts[2 * NOPTIONS + 1], *so = shortopts; /* from the table: one letter, ':' if it takes a value */
	size_t i;
	int ch;

	for (i = 0; i < NOPTIONS; i++) {
		longopts[i] = options[i].opt;
		*so++ = (char)options[i].opt.val;
		if (options[i].opt.has_arg == required_argument)
			*so++ = ':';
	}
	*so = '\0';
	memset(&longopts[NOPTIONS], 0, sizeof(longopts[NOPTIONS]));
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': c->opts.rulebase = optarg; break;
		case 'c': c->opts.categories = optarg; break;
		case 'o': c->opts.org_categories = optarg; break;
		case 'g': c->opts.geoip_city = optarg; break;
		case 'a': c->opts.geoip_asn = optarg; break;
		case 'n': c->opts.ns = optarg; break;
		case 'p': c->opts.preserve_original = 1; break;
		case 'e': c->opts.event_id = 1; break;
		case 'i': c->input_type = optarg; break;
		case 'P': c->opts.product = optarg; break;
		case 'D': c->opts.product_detect = 1; break;
		case 'J': c->opts.jira_categories = optarg; break;
		case 'B': c->opts.bitbucket_categories = optarg; break;
		case 'I': c->input_product = optarg; break;
		case 't':
			if (c->opts.ntags == MAX_TAGS) {
				fprintf(stderr, "confluence2ecs: at most %d --tag options\n", MAX_TAGS);
				return -1;
			}
			c->tags[c->opts.ntags++] = optarg;
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("confluence2ecs (rsyslog-confluence) %s\n", CFL_PACKAGE_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	c->opts.tags = c->tags;
	if (c->opts.rulebase == NULL)
		c->opts.rulebase = c->rulebase_default = default_path("confluence-audit.rulebase");
	if (c->opts.categories == NULL)
		c->opts.categories = c->categories_default = default_path("confluence-categories.json");
	return 0;
}

static void emit(struct json_object *doc)
{
	const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);

	fputs(s, stdout);
	putchar('\n');
}

static int is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	}
	return 1;
}

/* Maps every line of f; path (NULL for stdin) goes to log.file.path together
 * with the line's byte offset, as imfile's metadata would. */
static void map_stream(const cfl_mapper_t *m, FILE *f, const char *path, const struct cli *c)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t offset = 0;

	while ((n = getline(&line, &cap, f)) != -1) {
		cfl_map_input_t in = { line, (size_t)n, c->input_type, path, offset, path != NULL };
		cfl_map_result_t res;

		in.product = c->input_product;
		offset += n;
		if (n > 0 && line[n - 1] == '\n')
			in.len--;
		if (is_blank(in.text, in.len))
			continue;
		if (cfl_map_event(m, &in, &res) != CFL_MAP_EMPTY && res.doc != NULL) {
			emit(res.doc);
			json_object_put(res.doc);
		}
	}
	free(line);
}

static int map_files(const cfl_mapper_t *m, int n, char **paths, const struct cli *c)
{
	int i;

	if (n == 0) {
		map_stream(m, stdin, NULL, c);
		return 0;
	}
	for (i = 0; i < n; i++) {
		FILE *f = strcmp(paths[i], "-") == 0 ? stdin : fopen(paths[i], "r");

		if (f == NULL) {
			fprintf(stderr, "confluence2ecs: %s: %s\n", paths[i], strerror(errno));
			return -1;
		}
		map_stream(m, f, f == stdin ? NULL : paths[i], c);
		if (f != stdin)
			fclose(f);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct cli c;
	cfl_mapper_t *m = NULL;
	cfl_errbuf_t err;
	int rc = EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (parse_args(argc, argv, &c) != 0)
		goto done;
	if (c.opts.rulebase == NULL || c.opts.categories == NULL) {
		fprintf(stderr, "confluence2ecs: out of memory\n");
		goto done;
	}
	if (cfl_mapper_new(&c.opts, &m, &err) != CFL_OK) {
		fprintf(stderr, "confluence2ecs: %s\n", err.msg);
		goto done;
	}
	if (map_files(m, argc - optind, argv + optind, &c) == 0)
		rc = 0;
done:
	fflush(stdout);
	cfl_mapper_free(m);
	free(c.rulebase_default);
	free(c.categories_default);
	return rc;
}
