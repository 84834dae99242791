/* Tunables: compile-time defaults, each overridable with -D. */
#ifndef OVERROOT_CONFIG_H
#define OVERROOT_CONFIG_H

#ifndef OVERROOT_VERSION
#define OVERROOT_VERSION "0.1.0"
#endif

/* Seconds to wait for root= (initramfs-framework's roottimeout default). */
#ifndef CONFIG_ROOT_TIMEOUT_S
#define CONFIG_ROOT_TIMEOUT_S 5
#endif

#ifndef CONFIG_DEFAULT_INIT
#define CONFIG_DEFAULT_INIT "/sbin/init"
#endif

/* Where the root is mounted inside the initramfs (the framework's name). */
#ifndef CONFIG_ROOTFS_DIR
#define CONFIG_ROOTFS_DIR "/rootfs"
#endif

/* 0 removes every path to a shell (init_fatal_sh, shell break-point). */
#ifndef CONFIG_SHELL_FALLBACK
#define CONFIG_SHELL_FALLBACK 1
#endif

#ifndef CONFIG_SHELL
#define CONFIG_SHELL "/bin/sh"
#endif

/* While waiting after a fatal error, the message is repeated this often. */
#ifndef CONFIG_FATAL_REPEAT_S
#define CONFIG_FATAL_REPEAT_S 30
#endif

/* Seconds e2fsck may take on the rw device before it is killed (rootrwfscktimeout=). */
#ifndef CONFIG_FSCK_TIMEOUT_S
#define CONFIG_FSCK_TIMEOUT_S 300
#endif

#endif
