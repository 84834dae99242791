/* Shared by the libFuzzer targets: invariant checks, log set-up, and cutting one input into
 * NUL-terminated parts, each in its own allocation so that AddressSanitizer sees a read past
 * the end of any of them. */
#ifndef FUZZ_H
#define FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "overroot/log.h"

/* An invariant that does not hold is a crash libFuzzer keeps, with the reason on stderr. */
#define FUZZ_CHECK(cond)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz: invariant broken at %s:%d: %s\n", __FILE__,  \
				__LINE__, #cond);                                          \
			__builtin_trap();                                                  \
		}                                                                          \
	} while (0)

#define FUZZ_MAX_PARTS 16

struct fuzz_parts {
	char *part[FUZZ_MAX_PARTS];	/* every one non-NULL, possibly "" */
	size_t len[FUZZ_MAX_PARTS];
	size_t n;			/* how many the input really had */
};

/* Messages are formatted (every argument is read) but go to /dev/null. */
static inline void fuzz_log_init(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	log_setup(fd < 0 ? 2 : fd, LOG_LVL_DEBUG);
}

/* Cut data at each sep byte into up to FUZZ_MAX_PARTS parts (the last takes the rest, seps
 * included); the parts the input does not have are "". */
static inline void fuzz_split(const uint8_t *data, size_t size, uint8_t sep,
			      struct fuzz_parts *ret)
{
	size_t i = 0;

	memset(ret, 0, sizeof(*ret));
	for (size_t k = 0; k < FUZZ_MAX_PARTS; k++) {
		size_t n = 0;

		if (i < size || (k == 0)) {
			const uint8_t *end = k == FUZZ_MAX_PARTS - 1 ? NULL
					     : memchr(data + i, sep, size - i);
			n = end ? (size_t)(end - (data + i)) : size - i;
			ret->n = k + 1;
		}
		ret->part[k] = malloc(n + 1);
		if (!ret->part[k])
			abort();
		if (n)
			memcpy(ret->part[k], data + i, n);
		ret->part[k][n] = '\0';
		ret->len[k] = n;
		i += n + 1;
		if (i > size)
			i = size + 1;
	}
}

static inline void fuzz_parts_free(struct fuzz_parts *p)
{
	for (size_t k = 0; k < FUZZ_MAX_PARTS; k++)
		free(p->part[k]);
}

#endif
