#ifndef FIXTURE_H
#define FIXTURE_H

#include "overroot/boot.h"

extern struct boot_ctx ctx;
extern const struct blkinfo root_info, data_info;

/* A fresh fake machine booted with this kernel command line. */
void boot_setup(const char *cmdline);
/* No initramfs: the same machine, but the kernel mounted vda2 on / itself (read-write with
 * rw) with its devtmpfs on /dev, and runs init=/usr/sbin/overroot from it. */
void boot_setup_noinitramfs(const char *cmdline, bool rw);
void boot_teardown(void);
/* Run every stage of the table stages_for() picks; returns stages_run's result. */
int boot(const struct stage **failed);
/* Each of the NULL-terminated lines appears in the fake's log, in this order. */
void assert_in_order(const char *const *lines);
/* The fake's log has no line containing s. */
void assert_absent(const char *s);

#endif
