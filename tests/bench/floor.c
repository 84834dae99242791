/* The bench's floor: the least a /init can do for the same boot as overroot, so that
 * overroot's time can be compared with what the kernel itself costs. Only the system calls the
 * boot cannot do without: no parsing, no probing, no checks, no logging, nothing freed.
 *
 * Built by tests/bench/run.sh, static for aarch64 with musl, with
 *   -DFLOOR_MODULES='"/lib/modules/.../a.ko", "/lib/modules/.../b.ko"'  (dependency order)
 *   -DFLOOR_ROOT='"/dev/vda2"' -DFLOOR_ROOT_TYPE='"ext4"'
 *   -DFLOOR_RW='"/dev/vda3"' -DFLOOR_RW_TYPE='"ext4"'   (leave FLOOR_RW out: plain read-only root)
 * The end state matches overroot's: the overlay (or the root) on /, the root read-only on /rofs,
 * the rw device on /overlay, /dev /proc /sys /run moved over, /sbin/init exec'd. */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *const modules[] = { FLOOR_MODULES };

/* Mount, retrying every millisecond while the device is not there yet (10 s at most). */
static void mount_wait(const char *dev, const char *dir, const char *type, unsigned long flags)
{
	const struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < 10000; i++) {
		if (mount(dev, dir, type, flags, NULL) == 0)
			return;
		nanosleep(&ms, NULL);
	}
}

int main(int argc, char **argv)
{
	static const char *const api[] = { "dev", "proc", "sys", "run" };
	char path[16];

	(void)argc;
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL);
	mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");

	for (unsigned i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		int fd = open(modules[i], O_RDONLY | O_CLOEXEC);

		syscall(SYS_finit_module, fd, "", 0);
		close(fd);
	}

	mount_wait(FLOOR_ROOT, "/rootfs", FLOOR_ROOT_TYPE, MS_RDONLY);
#ifdef FLOOR_RW
	mount_wait(FLOOR_RW, "/overlay", FLOOR_RW_TYPE, MS_NOATIME);
	mkdir("/overlay/upper", 0755);
	mkdir("/overlay/work", 0755);
	mkdir("/overlay/rofs", 0755);
	/* A bind of a read-only mount is read-only: no remount needed. */
	mount("/rootfs", "/overlay/rofs", NULL, MS_BIND, NULL);
	/* Stacked on the root's mount on /rootfs (hidden below it from then on). */
	mount("overlay", "/rootfs", "overlay", 0,
	      "lowerdir=/overlay/rofs,upperdir=/overlay/upper,workdir=/overlay/work");
	mount("/overlay/rofs", "/rootfs/rofs", NULL, MS_MOVE, NULL);
	mount("/overlay", "/rootfs/overlay", NULL, MS_MOVE, NULL);
#endif
	for (unsigned i = 0; i < sizeof(api) / sizeof(api[0]); i++) {
		char *p = path;

		for (const char *s = "/rootfs/"; *s; s++)
			*p++ = *s;
		for (const char *s = api[i]; *s; s++)
			*p++ = *s;
		*p = 0;
		mount(path + 7, path, NULL, MS_MOVE, NULL);
	}
	chdir("/rootfs");
	mount(".", "/", NULL, MS_MOVE, NULL);
	chroot(".");
	chdir("/");
	argv[0] = "/sbin/init";
	execv("/sbin/init", argv);
	for (;;)
		pause();
}
