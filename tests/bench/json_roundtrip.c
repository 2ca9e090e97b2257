/* json_roundtrip -- the baseline of contrib/bench-core.sh: read JSON lines
 * (files or stdin), parse each with libfastjson and serialize it back, one
 * line out per line in. It does the I/O and the JSON work every mapping of
 * the same lines must also do, and nothing else, so confluence2ecs's events/s
 * divided by this program's is the price of the mapping itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json.h>

static void roundtrip(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, f)) != -1) {
		struct json_object *obj = json_tokener_parse(line);

		if (obj == NULL)
			continue;
		fputs(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN), stdout);
		putchar('\n');
		json_object_put(obj);
	}
	free(line);
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	int i;

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (argc < 2) {
		roundtrip(stdin);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");

		if (f == NULL) {
			perror(argv[i]);
			return 2;
		}
		roundtrip(f);
		fclose(f);
	}
	return 0;
}
