/* Logging to the kernel log: one writev per record, "<pri>overroot: [stage] text\n".
 * /dev/kmsg turns the <pri> prefix into the record's level, and the kernel echoes records
 * above console_loglevel to the console, so the same line reaches dmesg and the screen. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>
#include "overroot/log.h"

#define LOG_LINE_MAX 1024

static int log_fd = 2;
static enum log_level log_max = LOG_LVL_INFO;

void log_setup(int fd, enum log_level max_level)
{
	log_fd = fd;
	log_max = max_level;
}

enum log_level log_max_level(void)
{
	return log_max;
}

static size_t vformat(char *buf, size_t size, enum log_level lvl, const char *stage,
		      const char *fmt, va_list ap)
{
	int n = snprintf(buf, size, "<%d>overroot: [%s] ", (int)lvl, stage ? stage : "-");

	if (n < 0 || (size_t)n >= size)
		return 0;
	int m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > size - 2)
		len = size - 2;	/* truncated: keep room for the newline */
	/* One record is one line: a newline inside a message would split it in the log. */
	for (size_t i = (size_t)n; i < len; i++)
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

size_t log_format(char *buf, size_t size, enum log_level lvl, const char *stage,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	size_t len = vformat(buf, size, lvl, stage, fmt, ap);
	va_end(ap);
	return len;
}

void log_msg(enum log_level lvl, const char *stage, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;

	if (lvl > log_max)
		return;
	va_start(ap, fmt);
	size_t len = vformat(buf, sizeof(buf), lvl, stage, fmt, ap);
	va_end(ap);
	if (!len)
		return;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	if (writev(log_fd, &iov, 1) < 0 && log_fd != 2) {
		/* kmsg refused (rate limit, closed): the console must still see it */
		iov.iov_base = buf + 3;
		iov.iov_len = len - 3;
		(void)!writev(2, &iov, 1);
	}
}
