#ifndef FIXTURE_H
#define FIXTURE_H

#include <stdbool.h>

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
/* From now on until boot_teardown(), the log goes to a file boot_kmsg() reads back. */
void boot_capture_log(void);
const char *boot_kmsg(void);
/* Each of the NULL-terminated lines appears in the fake's log, in this order. */
void assert_in_order(const char *const *lines);
/* The fake's log has no line containing s. */
void assert_absent(const char *s);

/* The booted system as overroot leaves it (the overroot command's suites): /rofs on vda2,
 * /overlay, and status, if not NULL, as /run/overroot/status. */
extern const char status_overlay[];
void booted(const char *status);
/* booted(status_overlay) with the mount points `overroot chroot` binds. */
#define CHROOT_DIR "/run/overroot/chroot"
void chroot_ready(void);
/* Run `overroot ARGS...` (NULL-terminated); out_text and err_text get what it printed. */
extern char out_text[8192], err_text[8192];
int run_cli(const char *arg, ...);

/* booted(status_overlay) counting boots (tries=TRIES in the status, two unconfirmed) with
 * one upper set aside (test_heal_cli.c). */
void heal_booted(const char *tries);

/* What systemd-shutdown leaves (the shutdown mode's suites): our root is /run/initramfs,
 * the old one on /oldroot with the overlay, and below it what systemd could not unmount. */
#define STATUS_OVERLAY "version=0.1.0\nmode=overlay\nrw_device=/dev/vda3\nrw_type=ext4\n"
void oldroot(bool with_rw_mount, const char *status);

/* Fail the nth call of each kind with each error the failure sweep tries for that kind
 * (sweep.c), for nth 1..max, one boot each (setup() makes the machine): every boot ends in
 * the overlay, a fallback that says why, or a fatal stop with no hand-over, and untouched()
 * finds the root unwritten. Returns how many boots a failure hit (call x error). */
unsigned assert_every_failure_point(void (*setup)(void), const char *const *kinds,
				    size_t nkinds, unsigned max, void (*untouched)(void));

#endif
