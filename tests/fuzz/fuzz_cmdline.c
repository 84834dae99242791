/* The kernel command line: cmdline_parse on any bytes (NULs, no terminator, past
 * CMDLINE_MAX), the lookups, cmdline_parse_uint, and params_from_cmdline on the result. */
#include <stdbool.h>
#include <string.h>
#include "fuzz.h"
#include "overroot/cmdline.h"
#include "overroot/params.h"

static unsigned warn_count;

/* cmdline's warnings quote the input through quote_piece: one printable line each. */
static void check_cmdline_warn(const char *msg)
{
	size_t n = strnlen(msg, 192);

	FUZZ_CHECK(n < 192);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(msg[i] >= 0x20 && msg[i] < 0x7f);
	warn_count++;
}

static void check_params_warn(const char *msg)
{
	FUZZ_CHECK(strnlen(msg, 256) < 256);
}

static bool in_buf(const struct cmdline *c, const char *p)
{
	return p >= c->buf && p < c->buf + sizeof(c->buf);
}

/* A NUL between p and the end of buf: the string never runs off it. */
static bool terminated(const struct cmdline *c, const char *p)
{
	return memchr(p, '\0', (size_t)(c->buf + sizeof(c->buf) - p)) != NULL;
}

static void check_parsed(const struct cmdline *c, size_t len)
{
	const char *prev_end = c->buf;

	FUZZ_CHECK(c->count <= CMDLINE_MAX_PARAMS);
	if (len > CMDLINE_MAX)
		FUZZ_CHECK(c->warnings >= 1);
	for (size_t i = 0; i < c->count; i++) {
		const struct cmdline_param *p = &c->params[i];

		FUZZ_CHECK(p->name && in_buf(c, p->name) && terminated(c, p->name));
		/* words are laid out in order and never overlap */
		FUZZ_CHECK(p->name >= prev_end);
		FUZZ_CHECK(p->name[0] != '\0');
		/* quoted whitespace may stay in a name ("a b"=c), as in the kernel */
		FUZZ_CHECK(strpbrk(p->name, "-.=\"") == NULL);
		prev_end = p->name + strlen(p->name) + 1;
		if (p->value) {
			FUZZ_CHECK(in_buf(c, p->value) && terminated(c, p->value));
			FUZZ_CHECK(p->value == prev_end);	/* right after name's NUL (was '=') */
			FUZZ_CHECK(strchr(p->value, '"') == NULL);
			prev_end = p->value + strlen(p->value) + 1;
		}
		FUZZ_CHECK(prev_end <= c->buf + sizeof(c->buf));
	}
}

/* Two parses of the same bytes give the same words at the same offsets. */
static void check_same(const struct cmdline *a, const struct cmdline *b)
{
	FUZZ_CHECK(a->count == b->count && a->warnings == b->warnings);
	for (size_t i = 0; i < a->count; i++) {
		const struct cmdline_param *x = &a->params[i], *y = &b->params[i];

		FUZZ_CHECK(x->name - a->buf == y->name - b->buf);
		FUZZ_CHECK(!strcmp(x->name, y->name));
		FUZZ_CHECK(!x->value == !y->value);
		if (x->value) {
			FUZZ_CHECK(x->value - a->buf == y->value - b->buf);
			FUZZ_CHECK(!strcmp(x->value, y->value));
		}
	}
}

/* A parameter is found under its own name and under a spelling with '-' and '.'. The first
 * and last few are checked: every lookup is linear, and all of them would be quadratic. */
static void check_lookups(const struct cmdline *c)
{
	char alt[CMDLINE_MAX + 1];

	for (size_t i = 0; i < c->count; i++) {
		if (i == 12 && c->count > 24)
			i = c->count - 12;
		const char *name = c->params[i].name;
		int idx = cmdline_index(c, name);

		FUZZ_CHECK(idx >= (int)i && (size_t)idx < c->count);
		FUZZ_CHECK(!strcmp(c->params[idx].name, name));
		for (size_t j = (size_t)idx + 1; j < c->count; j++)
			FUZZ_CHECK(strcmp(c->params[j].name, name) != 0);	/* the last wins */
		FUZZ_CHECK(cmdline_has(c, name));
		FUZZ_CHECK(cmdline_get(c, name) == c->params[idx].value);
		snprintf(alt, sizeof(alt), "%s", name);
		for (char *s = alt; *s; s++)
			if (*s == '_')
				*s = (s - alt) % 2 ? '-' : '.';
		FUZZ_CHECK(cmdline_index(c, alt) == idx);
	}
	static const char *const names[] = { "root", "rootrw", "rd.modules-load",
					     "rd_modules_load", "ro", "rw", "rootwait", "",
					     "8250.nr_uarts", "--", "init" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int idx = cmdline_index(c, names[i]);

		FUZZ_CHECK(idx >= -1 && idx < (int)c->count);
		FUZZ_CHECK(cmdline_has(c, names[i]) == (idx >= 0));
		FUZZ_CHECK(cmdline_get(c, names[i]) == (idx < 0 ? NULL : c->params[idx].value));
	}
}

/* cmdline_parse_uint against a slow but obvious reading of the same text. */
static void check_uint(const char *s, unsigned max)
{
	unsigned v = 12345;
	int r = cmdline_parse_uint(s, max, &v);
	unsigned long long want = 0;
	bool ok = *s != '\0';

	for (const char *p = s; ok && *p; p++) {
		ok = *p >= '0' && *p <= '9';
		want = want * 10 + (unsigned)(*p - '0');
		if (want > max)
			ok = false;
	}
	FUZZ_CHECK((r == 0) == ok);
	FUZZ_CHECK(r == 0 || v == 12345);	/* untouched on failure */
	if (ok)
		FUZZ_CHECK(v == want);
}

static bool str_in(const struct cmdline *c, const char *s)
{
	return s && in_buf(c, s) && terminated(c, s);
}

static void check_params(const struct params *p, const struct cmdline *c)
{
	FUZZ_CHECK(!p->root || (str_in(c, p->root) && *p->root));
	FUZZ_CHECK(!p->rootrw || (str_in(c, p->rootrw) && *p->rootrw));
	FUZZ_CHECK(!p->rootfstype || str_in(c, p->rootfstype));
	FUZZ_CHECK(!p->rootflags || str_in(c, p->rootflags));
	FUZZ_CHECK(!p->rootrwfstype || str_in(c, p->rootrwfstype));
	FUZZ_CHECK(!p->rootrwoptions || str_in(c, p->rootrwoptions));
	FUZZ_CHECK(!p->modules_load || str_in(c, p->modules_load));
	FUZZ_CHECK(p->init && *p->init);
	FUZZ_CHECK(p->root_timeout_s <= 86400 || p->root_timeout_s == PARAM_FOREVER);
	FUZZ_CHECK(p->rootdelay_s <= 86400);
	FUZZ_CHECK(p->rootrw_timeout_s <= 86400);
	FUZZ_CHECK(p->rootrwfallback == RW_FALLBACK_RO || p->rootrwfallback == RW_FALLBACK_TMPFS ||
		   p->rootrwfallback == RW_FALLBACK_FATAL);
	/* the last of ro/rw wins */
	int ro = cmdline_index(c, "ro"), rw = cmdline_index(c, "rw");
	FUZZ_CHECK(p->rw == (rw > ro));
	/* rootrw wins over its alias whenever it has a non-empty value */
	const char *rootrw = cmdline_get(c, "rootrw");
	if (rootrw && *rootrw)
		FUZZ_CHECK(p->rootrw == rootrw);
	const char *root = cmdline_get(c, "root");
	FUZZ_CHECK(p->root == (root && *root ? root : NULL));
}

/* Whatever follows a bare "--" is init's: appending one and more words changes nothing,
 * as long as no quote is left open (it would swallow the "--"). */
static void check_dashdash(const struct cmdline *a, const uint8_t *data, size_t size)
{
	static const char tail[] = " -- root=/dev/evil rootrw=tmpfs init=/bin/sh";
	static char text[CMDLINE_MAX + 1];
	static struct cmdline c;
	size_t quotes = 0;

	if (size + sizeof(tail) > CMDLINE_MAX || memchr(data, '\0', size))
		return;
	for (size_t i = 0; i < size; i++)
		quotes += data[i] == '"';
	if (quotes % 2)
		return;
	memcpy(text, data, size);
	memcpy(text + size, tail, sizeof(tail) - 1);
	cmdline_parse(&c, text, size + sizeof(tail) - 1, NULL);
	check_same(a, &c);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmdline a, b;
	static struct params p, q;

	/* straight from libFuzzer's buffer: no terminator, so a read past len is caught */
	warn_count = 0;
	cmdline_parse(&a, (const char *)data, size, check_cmdline_warn);
	FUZZ_CHECK(warn_count == a.warnings);
	check_parsed(&a, size);
	/* garbage left in the struct must not matter */
	memset(&b, 0xa5, sizeof(b));
	cmdline_parse(&b, (const char *)data, size, NULL);
	FUZZ_CHECK(b.warnings == a.warnings);
	check_same(&a, &b);
	check_lookups(&a);
	check_dashdash(&a, data, size);
	for (size_t i = 0; i < a.count; i++)
		if (a.params[i].value)
			check_uint(a.params[i].value, i % 2 ? 86400 : (unsigned)-1 - (unsigned)i);

	params_from_cmdline(&p, &a, check_params_warn);
	check_params(&p, &a);
	params_from_cmdline(&q, &a, NULL);
	FUZZ_CHECK(!memcmp(&p, &q, sizeof(p)));	/* no padding holes: memset by the callee */
	return 0;
}
