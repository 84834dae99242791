/* The real sys_ops: the only file that makes system calls with side effects. Every
 * function returns 0 (or a count) or -errno. */
#define _GNU_SOURCE	/* unshare(2) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "overroot/config.h"
#include "overroot/sys.h"

int sys_linux_probe(const char *devpath, unsigned what, struct blkinfo *ret);	/* probe_blkid.c */

#define NEG(expr) ((expr) < 0 ? -errno : 0)

static int l_mount(const char *src, const char *target, const char *type, unsigned long flags,
		   const char *data)
{
	return NEG(mount(src, target, type, flags, data));
}

static int l_umount(const char *target, int flags)
{
	return NEG(umount2(target, flags));
}

static int l_mkdir(const char *path, mode_t mode)
{
	return NEG(mkdir(path, mode));
}

static int l_rmdir(const char *path)
{
	return NEG(rmdir(path));
}

static int l_rename(const char *from, const char *to)
{
	return NEG(rename(from, to));
}

static int l_stat(const char *path, struct stat *ret)
{
	return NEG(stat(path, ret));
}

static int l_lstat(const char *path, struct stat *ret)
{
	return NEG(lstat(path, ret));
}

static int l_access(const char *path, int mode)
{
	return NEG(access(path, mode));
}

static ssize_t l_readlink(const char *path, char *buf, size_t size)
{
	if (!size)
		return -ENAMETOOLONG;
	ssize_t n = readlink(path, buf, size);

	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return n;
}

static int l_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int l_fs_magic(const char *path, unsigned long *ret)
{
	struct statfs st;

	if (statfs(path, &st) < 0)
		return -errno;
	*ret = (unsigned long)st.f_type;
	return 0;
}

static ssize_t l_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (size)
		buf[len] = '\0';
	return (ssize_t)len;
}

/* All of len bytes to fd, through EINTR and short writes. */
static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int l_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return -errno;
	int r = write_all(fd, data, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int l_copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[16384];
	int in = open(from, O_RDONLY | O_CLOEXEC), out, r = 0;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : 0;
			break;
		}
		if ((r = write_all(out, buf, (size_t)n)) < 0)
			break;
	}
	close(in);
	if (r == 0)
		r = NEG(fchmod(out, mode));	/* the umask must not take the x bits */
	if (close(out) < 0 && r == 0)
		r = -errno;
	return r;
}

static int l_listdir(const char *path, sys_dirent_fn fn, void *arg)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && fn(e->d_name, arg))
			break;
	closedir(d);
	return 0;
}

static int l_finit_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	int r = NEG(syscall(SYS_finit_module, fd, params ? params : "", 0));
	close(fd);
	return r;
}

static int l_blk_set_ro(const char *devpath, bool ro)
{
	int fd = open(devpath, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int on = ro;

	if (fd < 0)
		return -errno;
	int r = NEG(ioctl(fd, BLKROSET, &on));
	close(fd);
	return r;
}

static int l_uevent_open(void)
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

static int l_uevent_wait(int fd, int timeout_ms)
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

static void l_close(int fd)
{
	close(fd);
}

/* Delete what is below the directory fd, staying on device dev. readdir's d_type saves a
 * stat per file: only directories are opened and checked for another filesystem (a
 * mount point), and a file that is a bind-mount target refuses unlinking with EBUSY. */
static int remove_below(int dfd, dev_t dev)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int first = 0;

	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		bool is_dir = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			is_dir = S_ISDIR(st.st_mode);
		}
		if (is_dir) {
			int cfd = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0 || fstat(cfd, &st) < 0 || st.st_dev != dev) {
				if (cfd >= 0)
					close(cfd);
				continue;	/* another filesystem: not ours to delete */
			}
			int r = remove_below(cfd, dev);
			if (r && !first)
				first = r;
		}
		if (unlinkat(dirfd(d), e->d_name, is_dir ? AT_REMOVEDIR : 0) < 0 && !first)
			first = -errno;
	}
	closedir(d);
	return first;
}

/* Open dir (never through a symlink) and tell which filesystem it is on. */
static int open_dir(const char *dir, dev_t *ret_dev)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	*ret_dev = st.st_dev;
	return fd;
}

static int l_remove_tree(const char *dir)
{
	dev_t dev;
	int fd = open_dir(dir, &dev);

	return fd < 0 ? fd : remove_below(fd, dev);
}

static int l_spawn_remove_tree(const char *dir)
{
	dev_t dev;
	int fd = open_dir(dir, &dev);

	if (fd < 0)
		return fd;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (pid == 0) {
		/* idle I/O class (IOPRIO_CLASS_IDLE << 13) and lowest CPU priority: the boot
		 * and the real system come first */
		syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, 3 << 13);
		(void)!nice(19);
		_exit(remove_below(fd, dev) < 0);
	}
	close(fd);
	return 0;
}

static int l_pivot_root(const char *new_root, const char *put_old)
{
	return NEG(syscall(SYS_pivot_root, new_root, put_old));
}

static int l_chroot(const char *path)
{
	return NEG(chroot(path));
}

static int l_chdir(const char *path)
{
	return NEG(chdir(path));
}

static int l_open_console(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (int i = 0; i < 3; i++)
		if (fd != i && dup2(fd, i) < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
	if (fd > 2)
		close(fd);
	return 0;
}

static int l_execv(const char *path, char *const argv[], char *const envp[])
{
	execve(path, argv, envp);
	return -errno;
}

static int l_run_shell(const char *path)
{
	int status;

	if (!CONFIG_SHELL_FALLBACK)
		return -ENOSYS;	/* SHELL_FALLBACK=0: no path to a shell, not even by mistake */
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* A session of its own with the console as controlling tty: job control works. */
		setsid();
		ioctl(0, TIOCSCTTY, 1);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int l_reboot(int cmd)
{
	sync();
	return NEG(reboot(cmd));
}

static int l_getpid(void)
{
	return (int)getpid();
}

static uint64_t l_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void l_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* --- the overroot command (cli.c) --- */

static int l_geteuid(void)
{
	return (int)geteuid();
}

static int l_unlink(const char *path)
{
	return NEG(unlink(path));
}

static int l_symlink(const char *target, const char *path)
{
	return NEG(symlink(target, path));
}

static int l_fsync(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	int r = NEG(fsync(fd));
	close(fd);
	return r;
}

static int l_fs_usage(const char *path, uint64_t *ret_size, uint64_t *ret_free,
		      uint64_t *ret_avail)
{
	struct statvfs st;

	if (statvfs(path, &st) < 0)
		return -errno;
	*ret_size = (uint64_t)st.f_blocks * st.f_frsize;
	*ret_free = (uint64_t)st.f_bfree * st.f_frsize;
	*ret_avail = (uint64_t)st.f_bavail * st.f_frsize;
	return 0;
}

static int l_blk_get_ro(const char *devpath)
{
	int fd = open(devpath, O_RDONLY | O_CLOEXEC | O_NONBLOCK), ro = 0;

	if (fd < 0)
		return -errno;
	int r = NEG(ioctl(fd, BLKROGET, &ro));
	close(fd);
	return r < 0 ? r : ro != 0;
}

static int l_unshare(int flags)
{
	return NEG(unshare(flags));
}

static int l_run(const char *root, char *const argv[])
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	int status;

	/* Ctrl-C in the command's terminal is for the command, not for the parent that must
	 * make the root read-only again afterwards. */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid_t pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		if (chroot(root) < 0 || chdir("/") < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	int r = pid < 0 ? -errno : 0;
	while (r == 0 && waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			r = -errno;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (r < 0)
		return r;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const struct sys_ops sys_linux = {
	.mount = l_mount, .umount = l_umount, .mkdir = l_mkdir, .rmdir = l_rmdir,
	.rename = l_rename, .stat = l_stat, .lstat = l_lstat, .access = l_access,
	.readlink = l_readlink, .copy_file = l_copy_file,
	.open = l_open, .fs_magic = l_fs_magic,
	.read_file = l_read_file, .write_file = l_write_file, .listdir = l_listdir,
	.finit_module = l_finit_module, .probe = sys_linux_probe, .blk_set_ro = l_blk_set_ro,
	.uevent_open = l_uevent_open, .uevent_wait = l_uevent_wait, .close = l_close,
	.remove_tree = l_remove_tree,
	.spawn_remove_tree = l_spawn_remove_tree, .pivot_root = l_pivot_root, .chroot = l_chroot,
	.chdir = l_chdir, .open_console = l_open_console, .execv = l_execv,
	.run_shell = l_run_shell, .reboot = l_reboot, .getpid = l_getpid, .now_ms = l_now_ms,
	.sleep_ms = l_sleep_ms,
	/* the overroot command (cli.c) */
	.geteuid = l_geteuid, .unlink = l_unlink, .symlink = l_symlink, .fsync = l_fsync,
	.fs_usage = l_fs_usage, .blk_get_ro = l_blk_get_ro, .unshare = l_unshare, .run = l_run,
};
