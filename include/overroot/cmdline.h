/* The kernel command line, parsed with the kernel's own rules (lib/cmdline.c next_arg):
 * words split on whitespace; double quotes may surround a value or a whole name=value and
 * are removed; there are no escapes; a bare "--" ends the kernel's part (the rest is for
 * init). Names are normalised: '-' and '.' become '_'. A word without '=' is a flag.
 * The last occurrence of a name wins. Nothing is ever evaluated. */
#ifndef OVERROOT_CMDLINE_H
#define OVERROOT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_MAX 4096	/* bytes kept; the kernel's COMMAND_LINE_SIZE on arm64 is 2048 */
#define CMDLINE_MAX_PARAMS 256

struct cmdline_param {
	const char *name;	/* normalised, NUL-terminated, inside cmdline.buf */
	const char *value;	/* NULL for a bare flag; "" for "name=" */
};

struct cmdline {
	char buf[CMDLINE_MAX + 1];
	struct cmdline_param params[CMDLINE_MAX_PARAMS];
	size_t count;
	unsigned warnings;	/* malformed pieces reported through the warn callback */
};

typedef void (*cmdline_warn_fn)(const char *msg);

/* Parse len bytes of text (any bytes, NULs included). Never fails: malformed pieces
 * (unterminated quote, empty name, over-long input, too many words) are reported
 * through warn (may be NULL) and parsing goes on with the rest. */
void cmdline_parse(struct cmdline *c, const char *text, size_t len, cmdline_warn_fn warn);

/* Last value of name (normalised form, e.g. "rd_modules_load"); NULL when absent or a
 * bare flag. */
const char *cmdline_get(const struct cmdline *c, const char *name);

/* True when name occurs at all (as a flag or with a value). */
bool cmdline_has(const struct cmdline *c, const char *name);

/* Index in c->params of the last occurrence of name, or -1: tells which of ro/rw came last. */
int cmdline_index(const struct cmdline *c, const char *name);

/* Normalise a name in place: '-' and '.' become '_'. */
void cmdline_normalise(char *name);

/* Parse a non-negative decimal number of seconds into *ret; -EINVAL on anything else
 * (sign, junk, overflow past max). */
int cmdline_parse_uint(const char *s, unsigned max, unsigned *ret);

#endif
