/* The kernel command line -> parameters. The rules follow the kernel's lib/cmdline.c
 * next_arg(), with these choices where it is silent or odd:
 * - the name ends at the first '=' of the word, quoted or not (next_arg does the same), so
 *   "a=b c" and a="b c" both give a = "b c";
 * - every '"' toggles quoting and is removed, wherever it is in the word (next_arg only strips
 *   a quote at the start of the word or of the value and one at its end; systemd removes
 *   them all, and a value that keeps a stray quote helps nobody);
 * - NUL ends a word even inside quotes: no C string can carry it past that point;
 * - whitespace is ' ' and \t\n\v\f\r, not the kernel's Latin-1 NBSP (0xa0), which would cut
 *   UTF-8 values such as LABEL=à in two;
 * - an empty word ("") is skipped silently; a word whose name is empty is skipped with a
 *   warning. Nothing is evaluated, nothing is allocated: names and values live in c->buf. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "overroot/cmdline.h"

#define PIECE_MAX 40	/* bytes of an offending word quoted in a warning */

static bool is_sep(unsigned char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r') || ch == '\0';
}

/* Render raw input for a message, optionally in "..." with \" and \\: '?' for anything
 * unprintable (a log line must stay one readable line), cut at PIECE_MAX bytes. */
static void quote_piece(char *dst, size_t size, const char *s, size_t n, bool quotes)
{
	size_t o = 0;

	if (quotes)
		dst[o++] = '"';
	for (size_t i = 0; i < n && i < PIECE_MAX && o + 6 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (quotes && (ch == '"' || ch == '\\'))
			dst[o++] = '\\';
		dst[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	if (n > PIECE_MAX)
		o += (size_t)snprintf(dst + o, size - o, "...");
	if (quotes)
		dst[o++] = '"';
	dst[o] = '\0';
}

static void warnf(struct cmdline *c, cmdline_warn_fn warn, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	c->warnings++;
	if (!warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn(msg);
}

void cmdline_normalise(char *name)
{
	for (; *name; name++)
		if (*name == '-' || *name == '.')
			*name = '_';
}

/* Copy one word from text[*pos] into c->buf[*out], dropping quotes, and NUL-terminate it.
 * The copy never outgrows what it consumed plus one byte, so buf (CMDLINE_MAX + 1) holds
 * every word of an input of at most CMDLINE_MAX bytes. Returns true if a quote was left open. */
static bool copy_word(struct cmdline *c, const char *text, size_t len, size_t *pos, size_t *out)
{
	bool quoted = false;
	size_t i = *pos, o = *out;

	for (; i < len && text[i] != '\0'; i++) {
		if (text[i] == '"') {
			quoted = !quoted;
			continue;
		}
		if (!quoted && is_sep((unsigned char)text[i]))
			break;
		c->buf[o++] = text[i];
	}
	c->buf[o++] = '\0';
	*pos = i;
	*out = o;
	return quoted;
}

void cmdline_parse(struct cmdline *c, const char *text, size_t len, cmdline_warn_fn warn)
{
	char piece[2 * PIECE_MAX + 8], name[PIECE_MAX + 8];
	size_t pos = 0, out = 0;

	c->count = 0;
	c->warnings = 0;
	c->buf[0] = '\0';
	if (!text)
		len = 0;
	if (len > CMDLINE_MAX) {
		warnf(c, warn, "command line is %zu bytes, longer than %d: the rest is ignored",
		      len, CMDLINE_MAX);
		len = CMDLINE_MAX;
	}
	while (pos < len) {
		if (is_sep((unsigned char)text[pos])) {
			pos++;
			continue;
		}
		size_t start = pos, word_at = out;
		bool open = copy_word(c, text, len, &pos, &out);
		char *word = c->buf + word_at;
		char *eq = strchr(word, '=');

		quote_piece(piece, sizeof(piece), text + start, pos - start, true);
		/* The rest of the line is init's: the kernel's parse_args() stops here too. */
		if (strcmp(word, "--") == 0)
			break;
		if (word[0] == '\0' || eq == word) {
			if (eq == word || open)
				warnf(c, warn, "%s in %s (skipped)",
				      eq == word ? "empty name" : "unterminated quote", piece);
			out = word_at;	/* reuse the space */
			continue;
		}
		if (c->count == CMDLINE_MAX_PARAMS) {
			warnf(c, warn, "more than %d parameters: %s and the rest are ignored",
			      CMDLINE_MAX_PARAMS, piece);
			break;
		}
		if (eq)
			*eq = '\0';
		cmdline_normalise(word);
		if (open) {
			quote_piece(name, sizeof(name), word, strlen(word), false);
			warnf(c, warn, "unterminated quote in %s (kept as %s)", piece, name);
		}
		c->params[c->count].name = word;
		c->params[c->count].value = eq ? eq + 1 : NULL;
		c->count++;
	}
}

/* Names compare as if the query were normalised too, so "rd.modules-load" finds the
 * parameter the user typed that way. */
static bool name_eq(const char *param, const char *query)
{
	for (;; param++, query++) {
		char q = (*query == '-' || *query == '.') ? '_' : *query;

		if (*param != q)
			return false;
		if (!q)
			return true;
	}
}

int cmdline_index(const struct cmdline *c, const char *name)
{
	for (size_t i = c->count; i-- > 0;)
		if (name_eq(c->params[i].name, name))
			return (int)i;
	return -1;
}

const char *cmdline_get(const struct cmdline *c, const char *name)
{
	int i = cmdline_index(c, name);

	return i < 0 ? NULL : c->params[i].value;
}

bool cmdline_has(const struct cmdline *c, const char *name)
{
	return cmdline_index(c, name) >= 0;
}

int cmdline_parse_uint(const char *s, unsigned max, unsigned *ret)
{
	unsigned v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*s - '0');
		if (d > max || v > (max - d) / 10)
			return -EINVAL;	/* v * 10 + d > max, tested without overflowing */
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}
