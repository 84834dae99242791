/* overroot as a command in the booted system (not PID 1): the initramfs copy is gone after
 * the hand-over, so the root filesystem carries the same program as /usr/sbin/overroot.
 * Every command starts from /run/overroot/status, what the boot did. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "overroot/cli.h"
#include "overroot/config.h"

static const char usage[] =
	"usage: overroot status [--json]   what the boot did; exit 0 only with a persistent overlay\n"
	"       overroot reset [--cancel]  start the next boot from an empty upper (or not)\n"
	"       overroot chroot [COMMAND...]  the original root read-write, for one command\n"
	"       overroot boot-ok           this boot is good (rootrwtries=: the count is cleared)\n"
	"       overroot boot-bad          this boot is bad: the next boot sets the upper aside\n"
	"       overroot restore ID|--cancel  the next boot brings set-aside upper ID back\n"
	"       overroot --version\n";

int cli_run(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err)
{
	static const struct {
		const char *name;
		int (*fn)(const struct sys_ops *, int, char **, FILE *, FILE *);
	} cmds[] = { { "status", cli_status }, { "reset", cli_reset }, { "chroot", cli_chroot },
		     { "boot-ok", cli_boot_ok }, { "boot-bad", cli_boot_bad },
		     { "restore", cli_restore } };

	if (argc > 1 && !strcmp(argv[1], "--version")) {
		fputs("overroot " OVERROOT_VERSION "\n", out);
		return CLI_OK;
	}
	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(sys, argc - 1, argv + 1, out, err);
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, out);
		return CLI_OK;
	}
	if (argc > 1)
		fprintf(err, "overroot: unknown command '%s'\n", argv[1]);
	fputs(usage, err);
	return CLI_USAGE;
}

int cli_main(const struct sys_ops *sys, int argc, char **argv)
{
	return cli_run(sys, argc, argv, stdout, stderr);
}
