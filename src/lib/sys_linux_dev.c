/* The real sys_ops, devices and ioctls: kernel modules, the block devices' read-only flag,
 * kernel uevents. Every function returns 0 (or a count) or -errno. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "sys_linux.h"

int sysl_finit_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	int r = NEG(syscall(SYS_finit_module, fd, params ? params : "", 0));
	close(fd);
	return r;
}

int sysl_blk_set_ro(const char *devpath, bool ro)
{
	int fd = open(devpath, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int on = ro;

	if (fd < 0)
		return -errno;
	int r = NEG(ioctl(fd, BLKROSET, &on));
	close(fd);
	return r;
}

int sysl_uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 /* kernel events */ };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int sysl_uevent_wait(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r < 0 ? -errno : 0;
	/* Drain: the caller rescans once for a whole burst of events. ENOBUFS (overrun)
	 * is also "something happened". */
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
	return 1;
}

void sysl_close(int fd)
{
	close(fd);
}

int sysl_blk_get_ro(const char *devpath)
{
	int fd = open(devpath, O_RDONLY | O_CLOEXEC | O_NONBLOCK), ro = 0;

	if (fd < 0)
		return -errno;
	int r = NEG(ioctl(fd, BLKROGET, &ro));
	close(fd);
	return r < 0 ? r : ro != 0;
}

/* dm-verity: device-mapper's control node, made by devtmpfs (misc 10:236); one open per
 * request, as there are four or five a boot. */
int sysl_dm_ioctl(unsigned long cmd, struct dm_ioctl *io)
{
	int fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	int r = NEG(ioctl(fd, cmd, io));
	close(fd);
	return r;
}

int sysl_mknod_blk(const char *path, unsigned major, unsigned minor)
{
	return NEG(mknod(path, S_IFBLK | 0600, makedev(major, minor)));
}

ssize_t sysl_read_at(const char *path, uint64_t offset, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ssize_t n;
	do
		n = pread(fd, buf, len, (off_t)offset);
	while (n < 0 && errno == EINTR);
	int e = errno;
	close(fd);
	return n < 0 ? -e : n;
}
