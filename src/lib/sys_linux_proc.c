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

int sysl_run_shell(const char *root, const char *path)
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
		if (root && (chroot(root) < 0 || chdir("/") < 0))
			_exit(127);
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

/* --- a helper program with a time limit (fsck.c) --- */

int sysl_spawn(const char *path, char *const argv[], const char *outpath)
{
	int p[2], e = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY), out = open(outpath, O_WRONLY | O_CREAT |
								 O_TRUNC | O_NOCTTY, 0644);
		if (in >= 0)
			dup2(in, 0);
		if (out >= 0) {
			dup2(out, 1);
			dup2(out, 2);
		}
		execv(path, argv);
		e = errno;
		/* the pipe closes at exec: anything read from it is the exec's errno */
		if (write(p[1], &e, sizeof(e)) < 0)
			e = 0;
		_exit(127);
	}
	if (pid < 0)
		e = errno;
	close(p[1]);
	while (pid > 0 && read(p[0], &e, sizeof(e)) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (pid > 0 && e)
		waitpid(pid, NULL, 0);
	return e ? -e : pid;
}

/* SIGCHLD is blocked and waited for with sigtimedwait: no handler in PID 1, and no poll
 * loop adding its period to a clean check. A child that ended before the block is found by
 * the first waitpid(WNOHANG); one that ends after leaves SIGCHLD pending (blocked signals
 * are kept even when their action is to ignore them). */
int sysl_wait_child(int pid, int timeout_ms, int *ret_status)
{
	sigset_t set, old;
	uint64_t end = sysl_now_ms() + (uint64_t)timeout_ms;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (;;) {
		pid_t w = waitpid(pid, ret_status, WNOHANG);
		uint64_t now = sysl_now_ms();
		if ((r = w < 0 && errno != EINTR ? -errno : w == pid ? 0 : 1) <= 0)
			break;
		if (timeout_ms >= 0 && now >= end) {
			r = -ETIMEDOUT;
			break;
		}
		uint64_t left = timeout_ms >= 0 ? end - now : 60000;
		struct timespec ts = { .tv_sec = (time_t)(left / 1000),
				       .tv_nsec = (long)(left % 1000) * 1000000 };
		sigtimedwait(&set, NULL, &ts);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

int sysl_kill(int pid, int sig)
{
	return NEG(kill(pid, sig));
}
