/* overroot run by hand in the booted system (not PID 1): `overroot --version` and the
 * commands for living with the overlay: status, reset, chroot, boot-ok, boot-bad, restore. */
#ifndef OVERROOT_CLI_H
#define OVERROOT_CLI_H

#include <stdio.h>
#include "overroot/statusfile.h"
#include "overroot/sys.h"

#define CLI_RW_MOUNT "/overlay"		/* the rw partition in the booted system */
#define CLI_LOWER "/rofs"		/* the original root in the booted system */

/* Exit statuses: status says 0 only for a persistent overlay. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* argv as main() got it; returns the exit status. */
int cli_main(const struct sys_ops *sys, int argc, char **argv);
/* The same, writing to out and err (the tests' seam). */
int cli_run(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err);

/* The commands: argv[0] is the command's name. */
int cli_status(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err);
int cli_reset(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err);
int cli_chroot(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err);
/* Boot counting and the set-aside uppers (cli_heal.c, cli_aside.c). */
int cli_boot_ok(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err);
int cli_boot_bad(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err);
int cli_restore(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err);
/* overroot status's lines on them (json: its keys, each after a comma). */
void cli_aside_list(const struct sys_ops *sys, const struct status_file *st, FILE *out,
		    bool json);

#endif
