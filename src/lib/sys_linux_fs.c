/* The real sys_ops, mounts and files: mount, paths, reading and writing files, listing and
 * removing trees, sync, free space. Every function returns 0 (or a count) or -errno. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "sys_linux.h"

int sysl_mount(const char *src, const char *target, const char *type, unsigned long flags,
		   const char *data)
{
	return NEG(mount(src, target, type, flags, data));
}

int sysl_umount(const char *target, int flags)
{
	return NEG(umount2(target, flags));
}

int sysl_mkdir(const char *path, mode_t mode)
{
	return NEG(mkdir(path, mode));
}

int sysl_rmdir(const char *path)
{
	return NEG(rmdir(path));
}

int sysl_rename(const char *from, const char *to)
{
	return NEG(rename(from, to));
}

int sysl_stat(const char *path, struct stat *ret)
{
	return NEG(stat(path, ret));
}

int sysl_lstat(const char *path, struct stat *ret)
{
	return NEG(lstat(path, ret));
}

int sysl_access(const char *path, int mode)
{
	return NEG(access(path, mode));
}

ssize_t sysl_readlink(const char *path, char *buf, size_t size)
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

int sysl_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int sysl_fs_magic(const char *path, unsigned long *ret)
{
	struct statfs st;

	if (statfs(path, &st) < 0)
		return -errno;
	*ret = (unsigned long)st.f_type;
	return 0;
}

ssize_t sysl_read_file(const char *path, char *buf, size_t size)
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

int sysl_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return -errno;
	int r = write_all(fd, data, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int sysl_copy_file(const char *from, const char *to, mode_t mode)
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

int sysl_listdir(const char *path, sys_dirent_fn fn, void *arg)
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

int sysl_remove_tree(const char *dir)
{
	dev_t dev;
	int fd = open_dir(dir, &dev);

	return fd < 0 ? fd : remove_below(fd, dev);
}

int sysl_spawn_remove_tree(const char *dir)
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

int sysl_unlink(const char *path)
{
	return NEG(unlink(path));
}

int sysl_symlink(const char *target, const char *path)
{
	return NEG(symlink(target, path));
}

int sysl_fsync(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	int r = NEG(fsync(fd));
	close(fd);
	return r;
}

int sysl_fallocate(const char *path, uint64_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	int r = -posix_fallocate(fd, 0, (off_t)len);	/* returns the error, not -1 */
	if (r == 0)
		r = NEG(fsync(fd));
	close(fd);
	return r;
}

int sysl_fs_usage(const char *path, uint64_t *ret_size, uint64_t *ret_free,
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
