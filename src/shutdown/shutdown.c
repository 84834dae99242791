/* The shutdown mode: systemd-shutdown has killed every process, unmounted what it could and
 * pivoted into /run/initramfs, leaving the old root on /oldroot, and runs us as PID 1 with
 * the verb. What is left is what it could not take apart from inside: the overlay it ran
 * on, and the rw filesystem under it (ext4 keeps needs_recovery until its last mount goes).
 * Every mount below /oldroot goes, deepest first, in passes while any goes (a mount frees
 * its parent); what refuses is made read-only; then sync and the verb. PID 1 never exits:
 * main() waits when even the reboot fails. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include "overroot/log.h"
#include "overroot/shutdown.h"
#include "overroot/statusfile.h"

#define MOUNTS_MAX 128
#define PASSES_MAX 8
#define ALIAS "/overroot-rw"	/* the rw device mounted again, in our own root */
#ifndef RB_KEXEC
#define RB_KEXEC 0x45584543
#endif

struct mounts {
	char path[MOUNTS_MAX][256];
	size_t n;
};

bool shutdown_is_argv0(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	return !strcmp(base ? base + 1 : argv0, "shutdown");
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static size_t depth(const char *path)
{
	size_t d = 0;

	for (; *path; path++)
		d += *path == '/';
	return d;
}

/* Every mount point at or below /oldroot, deepest first; among equals the later mounted
 * first (a mount stacked on another is listed after it). */
static int list_oldroot(const struct sys_ops *sys, struct mounts *ret)
{
	static char buf[65536];
	ssize_t len = sys->read_file("/proc/self/mountinfo", buf, sizeof(buf));

	ret->n = 0;
	if (len < 0)
		return (int)len;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* id parent maj:min root MOUNTPOINT options ... */
		char *mp = line;
		for (int field = 0; field < 4 && mp; field++) {
			mp = strchr(mp, ' ');
			if (mp)
				mp++;
		}
		if (!mp)
			continue;
		mp[strcspn(mp, " ")] = '\0';
		unescape(mp);
		size_t l = strlen(OLDROOT);
		if (strncmp(mp, OLDROOT, l) || (mp[l] && mp[l] != '/') || ret->n == MOUNTS_MAX ||
		    strlen(mp) >= sizeof(ret->path[0]))
			continue;
		/* insert before the first one that is not deeper */
		size_t i = 0;
		while (i < ret->n && depth(ret->path[i]) > depth(mp))
			i++;
		memmove(ret->path[i + 1], ret->path[i], (ret->n - i) * sizeof(ret->path[0]));
		snprintf(ret->path[i], sizeof(ret->path[0]), "%s", mp);
		ret->n++;
	}
	return 0;
}

/* The overlay would not go, so the rw filesystem's superblock is still alive, perhaps with
 * no mount of its own left (systemd unmounted /overlay): mounting the device again gives
 * that same superblock, and a read-only remount of it commits the journal. */
static void seal_rw(const struct sys_ops *sys, const char *dev, const char *type)
{
	int r = sys->mkdir(ALIAS, 0755);

	if (r == 0 || r == -EEXIST)
		r = sys->mount(dev, ALIAS, type, 0, NULL);
	if (r == 0) {
		r = sys->mount(NULL, ALIAS, NULL, MS_REMOUNT | MS_RDONLY, NULL);
		sys->umount(ALIAS, MNT_DETACH);
	}
	if (r < 0)
		log_err("shutdown", "the rw filesystem %s stays writable (%s): its journal will be "
			"replayed at the next boot", dev, strerror(-r));
	else
		log_info("shutdown", "the rw filesystem %s is read-only: its journal is clean", dev);
}

static int verb_cmd(const char *verb)
{
	static const struct { const char *verb; int cmd; } verbs[] = {
		{ "reboot", RB_AUTOBOOT }, { "poweroff", RB_POWER_OFF },
		{ "halt", RB_HALT_SYSTEM }, { "kexec", RB_KEXEC },
	};

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verb, verbs[i].verb))
			return verbs[i].cmd;
	log_warn("shutdown", "unknown verb '%s': rebooting", verb);
	return RB_AUTOBOOT;
}

int shutdown_run(const struct sys_ops *sys, const char *verb)
{
	static struct mounts m;
	static struct status_file status;	/* the boot's /run/overroot/status */
	int fd = sys->open("/dev/kmsg", O_WRONLY | O_NOCTTY);

	if (fd >= 0)
		log_setup(fd, LOG_LVL_INFO);
	log_info("shutdown", "systemd handed back for %s: taking the old root apart", verb);
	int cmd = verb_cmd(verb);
	int r = status_file_load(sys, &status);
	if (r < 0)
		log_warn("shutdown", "read " STATUS_FILE ": %s: the rw device is unknown",
			 strerror(-r));
	const char *rw_dev = status_file_get(&status, "rw_device");
	const char *rw_type = status_file_get(&status, "rw_type");
	/* Our unmounts must not reach other namespaces, nor theirs come to us. */
	sys->mount(NULL, OLDROOT, NULL, MS_REC | MS_PRIVATE, NULL);

	bool progress = true;
	for (int pass = 0; pass < PASSES_MAX && progress; pass++) {
		progress = false;
		if ((r = list_oldroot(sys, &m)) < 0) {
			log_err("shutdown", "read /proc/self/mountinfo: %s", strerror(-r));
			break;
		}
		for (size_t i = 0; i < m.n; i++)
			if (sys->umount(m.path[i], 0) == 0) {
				log_info("shutdown", "unmounted %s", m.path[i]);
				progress = true;
			}
	}
	r = list_oldroot(sys, &m);
	if (r < 0)
		log_err("shutdown", "read /proc/self/mountinfo: %s", strerror(-r));
	for (size_t i = 0; i < m.n; i++) {
		r = sys->mount(NULL, m.path[i], NULL, MS_REMOUNT | MS_RDONLY, NULL);
		if (r < 0)
			log_err("shutdown", "%s cannot be unmounted or made read-only: %s",
				m.path[i], strerror(-r));
		else
			log_warn("shutdown", "%s cannot be unmounted: made read-only", m.path[i]);
	}
	if ((r < 0 || m.n) && rw_dev[0] && strcmp(rw_type, "tmpfs"))
		seal_rw(sys, rw_dev, rw_type[0] ? rw_type : NULL);
	else if (r == 0 && !m.n)
		log_info("shutdown", "every filesystem of the old root is unmounted");
	log_info("shutdown", "%s", verb);
	return sys->reboot(cmd);
}
