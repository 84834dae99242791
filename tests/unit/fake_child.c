/* The fake's helper program (sys_ops spawn, wait_child, kill): a child whose end is
 * scripted (an exit status after some milliseconds of the fake clock, a signal, or a hang
 * until it is killed), recorded as one line a call, each call able to fail like any other. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "fake_sys.h"

static struct {
	char how[8];		/* exit, signal, hang */
	int value;
	unsigned ms;
	int pid;		/* the running child, 0 none */
	bool killed;
} child;

void fake_child(const char *how, int value, unsigned ms)
{
	snprintf(child.how, sizeof(child.how), "%s", how);
	child.value = value;
	child.ms = ms;
}

void fake_child_reset(void)
{
	memset(&child, 0, sizeof(child));
	fake_child("exit", 0, 20);
}

int fake_spawn(const char *path, char *const argv[], const char *outpath)
{
	char line[512];
	size_t n = (size_t)snprintf(line, sizeof(line), "spawn %s", path);

	for (size_t i = 1; argv[i] && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " [%s]", argv[i]);
	fake_record("%s >%s", line, outpath);
	int r = fake_hit("spawn", path);
	if (r)
		return r;
	if (!fake_exists(path))
		return -ENOENT;	/* the exec's error, as the pipe reports it */
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", outpath);
	*strrchr(dir, '/') = '\0';
	if (fake_exists(dir))
		fake_file(outpath, line, 0644);
	child.killed = false;
	return child.pid = 4242;
}

int fake_wait_child(int pid, int timeout_ms, int *ret_status)
{
	fake_record("wait_child %d %d", pid, timeout_ms);
	int r = fake_hit("wait_child", NULL);
	if (r)
		return r;
	if (pid != child.pid)
		return -ECHILD;
	if (child.killed) {
		*ret_status = SIGKILL;	/* WIFSIGNALED, WTERMSIG 9 */
	} else if (!strcmp(child.how, "hang") ||
		   (timeout_ms >= 0 && child.ms > (unsigned)timeout_ms)) {
		fake_sys.sleep_ms((unsigned)timeout_ms);
		return -ETIMEDOUT;
	} else {
		fake_sys.sleep_ms(child.ms);
		bool sig = !strcmp(child.how, "signal");
		*ret_status = sig ? child.value : (child.value & 0xff) << 8;
	}
	child.pid = 0;
	return 0;
}

int fake_kill(int pid, int sig)
{
	fake_record("kill %d %d", pid, sig);
	int r = fake_hit("kill", NULL);
	if (!r && pid == child.pid && sig == SIGKILL)
		child.killed = true;
	return r;
}
