/*
 * fuzz.h: what the libFuzzer harnesses in tests/fuzz/ share.
 *
 * Each fuzz_<name>.c feeds libFuzzer's bytes to one parser of input tally
 * does not control, built with ASan and UBSan so any overflow, use of
 * freed or uninitialised memory or undefined arithmetic stops the run with
 * the input that caused it. A harness must not leak (LeakSanitizer checks
 * each input), exit, or keep state from one input to the next.
 * scripts/run-fuzzers runs them; docs/TESTING.md says how.
 */
#ifndef TL_FUZZ_H
#define TL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Once before the first input, for state that lives the whole run. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a NUL-terminated string (the parsers under test take C
 * strings); NULL when out of memory. The caller frees. */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A property the parser promises broke: a crash libFuzzer reports with the
 * input, like any sanitizer finding. */
#define FUZZ_ASSERT(cond)                                                        \
	do {                                                                     \
		if (!(cond))                                                     \
			__builtin_trap();                                        \
	} while (0)

#endif
