/* Logging: one kernel-log record per message, "<pri>overroot: [stage] text". */
#ifndef OVERROOT_LOG_H
#define OVERROOT_LOG_H

#include <stddef.h>

/* syslog levels, as the kernel's printk prefix uses them */
enum log_level {
	LOG_LVL_EMERG = 0, LOG_LVL_ALERT, LOG_LVL_CRIT, LOG_LVL_ERR,
	LOG_LVL_WARN, LOG_LVL_NOTICE, LOG_LVL_INFO, LOG_LVL_DEBUG,
};

/* Where records go: fd (kmsg, or stderr before /dev exists); messages above max_level are
 * dropped. The kernel echoes kmsg records to the console by their level: errors show
 * even with "quiet" (console_loglevel 4). */
void log_setup(int fd, enum log_level max_level);
enum log_level log_max_level(void);

/* Format one record into buf (no trailing NUL counted); returns its length. */
size_t log_format(char *buf, size_t size, enum log_level lvl, const char *stage,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

void log_msg(enum log_level lvl, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(stage, ...)	log_msg(LOG_LVL_ERR, stage, __VA_ARGS__)
#define log_warn(stage, ...)	log_msg(LOG_LVL_WARN, stage, __VA_ARGS__)
#define log_notice(stage, ...)	log_msg(LOG_LVL_NOTICE, stage, __VA_ARGS__)
#define log_info(stage, ...)	log_msg(LOG_LVL_INFO, stage, __VA_ARGS__)
#define log_debug(stage, ...)	log_msg(LOG_LVL_DEBUG, stage, __VA_ARGS__)

#endif
