/* The shutdown mode: systemd's initrd interface hands the machine back to
 * /run/initramfs/shutdown (a copy of overroot left there at boot) at the very end. */
#ifndef OVERROOT_SHUTDOWN_H
#define OVERROOT_SHUTDOWN_H

#include <stdbool.h>
#include "overroot/sys.h"

#define SHUTDOWN_DIR "/run/initramfs"
#define SHUTDOWN_PATH SHUTDOWN_DIR "/shutdown"
#define OLDROOT "/oldroot"	/* where systemd-shutdown leaves the old root */

/* Is argv0 the name systemd execs us by ("/shutdown")? */
bool shutdown_is_argv0(const char *argv0);

/* Take the old root apart (every mount below /oldroot, deepest first; read-only where an
 * unmount is refused), sync, and do verb: reboot, poweroff, halt or kexec (anything else
 * reboots). Returns only when the final reboot(2) failed, with its -errno. */
int shutdown_run(const struct sys_ops *sys, const char *verb);

#endif
