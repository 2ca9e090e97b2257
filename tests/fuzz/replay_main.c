/* replay_main.c: runs a libFuzzer target without libFuzzer.
 *
 * `make check` links each fuzz target (tests/fuzz/fuzz_<name>.c, listed in
 * tests/registry.txt) with this file as tests/fuzz/replay_<name> and feeds
 * it every file of the corpus directories (or files) given as arguments, by
 * default its own committed corpus, $top_srcdir/tests/fuzz/corpus/<name>/:
 * a regression suite on every build, with gcc, valgrind or the sanitizers.
 * contrib/fuzz.sh builds the same targets with clang -fsanitize=fuzzer for
 * the real, time-bounded fuzzing. Prints TAP: one line per corpus directory.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* 0 ok, -1 unreadable */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int rc = -1;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto done;
	/* a private, exact-size copy, so ASan/valgrind see any overread */
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (buf == NULL || (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len))
		goto done;
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	rc = 0;
done:
	free(buf);
	fclose(f);
	return rc;
}

/* returns the number of inputs replayed, -1 on error */
static long replay_path(const char *path)
{
	struct stat st;
	struct dirent **names = NULL;
	long count = 0;
	int n, i;
	char full[4096];

	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) == 0 ? 1 : -1;
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && count >= 0) {
			snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
			if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
				count = replay_file(full) == 0 ? count + 1 : -1;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

/* $top_srcdir/tests/fuzz/corpus/<name> for a program named replay_<name>
 * (top_srcdir from the environment `make check` sets, else this tree) */
static char *own_corpus(const char *argv0)
{
	const char *top = getenv("top_srcdir");
	const char *base = strrchr(argv0, '/');
	static char path[4096];

	base = base != NULL ? base + 1 : argv0;
	if (strncmp(base, "lt-", 3) == 0)
		base += 3;
	if (strncmp(base, "replay_", 7) == 0)
		base += 7;
#ifdef CFL_TOP_SRCDIR
	if (top == NULL || *top == '\0')
		top = CFL_TOP_SRCDIR;
#endif
	if (top == NULL || *top == '\0')
		top = ".";
	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/%s", top, base);
	return path;
}

int main(int argc, char **argv)
{
	int i, failed = 0;
	char *own[3];

	if (argc < 2) {
		own[0] = argv[0];
		own[1] = own_corpus(argv[0]);
		own[2] = NULL;
		argc = 2;
		argv = own;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		long n = replay_path(argv[i]);
		if (n > 0) {
			printf("ok %d - replayed %ld inputs from %s without a crash\n", i, n, argv[i]);
		} else {
			printf("not ok %d - %s: %s\n", i, argv[i], n == 0 ? "empty corpus" : "unreadable");
			failed = 1;
		}
	}
	printf("1..%d\n", argc - 1);
	return failed;
}
