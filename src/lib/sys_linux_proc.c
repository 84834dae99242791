/* The real sys_ops, processes: the root and the working directory, the console, exec, child
 * processes, reboot, time. Every function returns 0 (or a count) or -errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "sys_linux.h"

int sysl_pivot_root(const char *new_root, const char *put_old)
{
	return NEG(syscall(SYS_pivot_root, new_root, put_old));
}

int sysl_chroot(const char *path)
{
	return NEG(chroot(path));
}

int sysl_chdir(const char *path)
{
	return NEG(chdir(path));
}

int sysl_open_console(const char *path)
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

int sysl_execv(const char *path, char *const argv[], char *const envp[])
{
	execve(path, argv, envp);
	return -errno;
}

int sysl_run_shell(const char *path)
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

int sysl_reboot(int cmd)
{
	sync();
	return NEG(reboot(cmd));
}

int sysl_getpid(void)
{
	return (int)getpid();
}

uint64_t sysl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t sysl_wall_s(void)
{
	return (uint64_t)time(NULL);
}

void sysl_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int sysl_geteuid(void)
{
	return (int)geteuid();
}

int sysl_unshare(int flags)
{
	return NEG(unshare(flags));
}

int sysl_run(const char *root, char *const argv[])
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
