/* overroot run by hand in the booted system (not PID 1): `overroot --version` and the
 * commands for living with the overlay. */
#ifndef OVERROOT_CLI_H
#define OVERROOT_CLI_H

#include "overroot/sys.h"

/* argv as main() got it; returns the exit status. */
int cli_main(const struct sys_ops *sys, int argc, char **argv);

#endif
