#ifndef FIXTURE_H
#define FIXTURE_H

#include "overroot/boot.h"

extern struct boot_ctx ctx;
extern const struct blkinfo root_info, data_info;

/* A fresh fake machine booted with this kernel command line. */
void boot_setup(const char *cmdline);
void boot_teardown(void);
/* Run every stage; returns stages_run's result. */
int boot(const struct stage **failed);
/* From now on until boot_teardown(), the log goes to a file boot_kmsg() reads back. */
void boot_capture_log(void);
const char *boot_kmsg(void);
/* Each of the NULL-terminated lines appears in the fake's log, in this order. */
void assert_in_order(const char *const *lines);
/* The fake's log has no line containing s. */
void assert_absent(const char *s);

#endif
