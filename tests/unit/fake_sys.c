/* The fake sys layer: see fake_sys.h. Small and strict enough that code which forgets a
 * mkdir, writes to a read-only mount or mounts twice shows it. */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include "fake_sys.h"

#define MAX_NODES 512
#define MAX_MOUNTS 64
#define MAX_FAILS 16

enum node_type { N_DIR, N_FILE, N_BLK, N_LNK };	/* N_LNK: content is the target */

struct node {
	char path[256];
	enum node_type type;
	mode_t mode;
	char content[4096];
	struct blkinfo info;
	unsigned major, minor;
};

struct mnt {
	char target[256];
	unsigned long flags;
	dev_t dev;
	unsigned long magic;
};

struct fail {
	char kind[32];
	char path[256];
	unsigned nth;
	int err;
};

static struct node nodes[MAX_NODES];
static size_t n_nodes;
static struct mnt mounts[MAX_MOUNTS];
static size_t n_mounts;
static dev_t next_dev;
static struct fail fails[MAX_FAILS];
static size_t n_fails;
static struct { char kind[32]; unsigned n; } counts[64];
static size_t n_counts;
/* every call in order, as an index into counts[], and the failure the sweep injects */
static unsigned char call_kinds[8192];
static unsigned n_calls, fail_nth;
static int fail_err;
static struct { bool fired; char kind[32]; char path[256]; } injected;
static int kmsg_fd = -1;
static struct { char dev[64]; int ro; } ro_flags[8];
static size_t n_ro_flags;
static struct node saved[64];
static size_t n_saved;
static char log_buf[65536];
static size_t log_len;
static void (*on_wait)(unsigned nth);
static unsigned waits;
static int pid = 1;
static uint64_t clock_ms;
static char cwd[256];
/* the overroot command's (cli.c): see fake_cli_set() */
static int euid, blk_ro, run_status;
static uint64_t usage[3];
static void (*on_run)(void);

static void vrecord(const char *fmt, va_list ap)
{
	int n = vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len, fmt, ap);

	if (n > 0 && log_len + (size_t)n + 1 < sizeof(log_buf)) {
		log_len += (size_t)n;
		log_buf[log_len++] = '\n';
		log_buf[log_len] = '\0';
	}
}

static void record(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(fmt, ap);
	va_end(ap);
}

void fake_record(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(fmt, ap);
	va_end(ap);
}

/* Count a call of kind and return the injected -errno for it, or 0. */
static int hit(const char *kind, const char *path)
{
	size_t i;

	for (i = 0; i < n_counts && strcmp(counts[i].kind, kind); i++)
		;
	if (i == n_counts && n_counts < 64)
		snprintf(counts[n_counts++].kind, sizeof(counts[0].kind), "%s", kind);
	unsigned n = i < 64 ? ++counts[i].n : 0;
	if (n_calls < sizeof(call_kinds))
		call_kinds[n_calls] = (unsigned char)i;
	if (++n_calls == fail_nth) {
		injected.fired = true;
		snprintf(injected.kind, sizeof(injected.kind), "%s", kind);
		snprintf(injected.path, sizeof(injected.path), "%s", path ? path : "");
		return -fail_err;
	}
	for (size_t f = 0; f < n_fails; f++) {
		if (strcmp(fails[f].kind, kind))
			continue;
		if (fails[f].nth && fails[f].nth == n)
			return -fails[f].err;
		if (!fails[f].nth && path && !strcmp(fails[f].path, path))
			return -fails[f].err;
	}
	return 0;
}

static const char *follow(const char *path, char *buf, size_t size);

static struct node *find(const char *path)
{
	for (size_t i = 0; i < n_nodes; i++)
		if (!strcmp(nodes[i].path, path))
			return &nodes[i];
	return NULL;
}

static void parent_of(const char *path, char *ret, size_t size)
{
	snprintf(ret, size, "%s", path);
	char *s = strrchr(ret, '/');
	if (s == ret)
		s[1] = '\0';
	else if (s)
		*s = '\0';
}

static struct node *add(const char *path, enum node_type type, mode_t mode)
{
	struct node *n = find(path);

	if (!n) {
		if (n_nodes == MAX_NODES)
			abort();
		n = &nodes[n_nodes++];
	}
	memset(n, 0, sizeof(*n));
	snprintf(n->path, sizeof(n->path), "%s", path);
	n->type = type;
	n->mode = mode;
	return n;
}

/* The mount a path lives on: the longest mount target that prefixes it. */
static const struct mnt *mount_of(const char *path)
{
	const struct mnt *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < n_mounts; i++) {
		size_t l = strlen(mounts[i].target);
		bool under = !strcmp(mounts[i].target, "/") ||
			     (!strncmp(path, mounts[i].target, l) && (path[l] == '/' || !path[l]));
		if (under && l >= best_len) {
			best = &mounts[i];
			best_len = l;
		}
	}
	return best;
}

static int writable(const char *path)
{
	const struct mnt *m = mount_of(path);

	return m && (m->flags & MS_RDONLY) ? -EROFS : 0;
}

int fake_hit(const char *kind, const char *path)
{
	return hit(kind, path);
}

int fake_writable(const char *path)
{
	return writable(path);
}

void fake_reset(void)
{
	n_nodes = n_mounts = n_fails = n_counts = log_len = 0;
	n_calls = fail_nth = 0;
	memset(&injected, 0, sizeof(injected));
	kmsg_fd = -1;
	n_ro_flags = 0;
	log_buf[0] = '\0';
	memset(counts, 0, sizeof(counts));
	on_wait = NULL;
	waits = 0;
	pid = 1;
	clock_ms = 1000;
	fake_cli_set(0, 1, 0);
	fake_set_usage(0, 0, 0);
	on_run = NULL;
	snprintf(cwd, sizeof(cwd), "/");
	next_dev = 2;
	fake_dm_reset();
	add("/", N_DIR, 0755);
	snprintf(mounts[0].target, sizeof(mounts[0].target), "/");
	mounts[0].dev = 1;
	mounts[0].magic = 0x858458f6;	/* RAMFS_MAGIC: the kernel's rootfs */
	n_mounts = 1;
}

void fake_kernel_root(unsigned major, unsigned minor, bool rw)
{
	mounts[0].dev = makedev(major, minor);
	mounts[0].magic = 0xef53;
	mounts[0].flags = rw ? 0 : MS_RDONLY;
}

void fake_set_root_magic(unsigned long magic)
{
	mounts[0].magic = magic;
}

void fake_initramfs(void)
{
	static const char *const dirs[] = { "/proc", "/sys", "/dev", "/run", "/rootfs",
					    "/overlay", "/etc", "/lib", "/sys/class",
					    "/sys/class/block" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		fake_dir(dirs[i]);
	fake_file("/dev/console", "", 0600);
	fake_file("/init", "", 0755);
}

void fake_dir(const char *path)
{
	add(path, N_DIR, 0755);
}

void fake_remove(const char *path)
{
	struct node *n = find(path);

	if (n)
		*n = nodes[--n_nodes];
}

void fake_file(const char *path, const char *content, mode_t mode)
{
	struct node *n = add(path, N_FILE, mode);

	snprintf(n->content, sizeof(n->content), "%s", content);
}

void fake_link(const char *path, const char *target)
{
	struct node *n = add(path, N_LNK, 0777);

	snprintf(n->content, sizeof(n->content), "%s", target);
}

void fake_blk(const char *name, unsigned major, unsigned minor, const struct blkinfo *info)
{
	char path[256];

	snprintf(path, sizeof(path), "/dev/%s", name);
	struct node *n = add(path, N_BLK, 0600);
	if (info)
		n->info = *info;
	n->major = major;
	n->minor = minor;
	snprintf(path, sizeof(path), "/sys/class/block/%s", name);
	fake_dir(path);
	char dev[32];
	snprintf(dev, sizeof(dev), "%u:%u\n", major, minor);
	snprintf(path, sizeof(path), "/sys/class/block/%s/dev", name);
	fake_file(path, dev, 0444);
}

struct blkinfo *fake_blk_node(const char *path, unsigned major, unsigned minor, bool make)
{
	struct node *n = make ? add(path, N_BLK, 0600) : find(path);

	if (!n || n->type != N_BLK)
		return NULL;
	if (make) {
		n->major = major;
		n->minor = minor;
	}
	return &n->info;
}

bool fake_blk_num(const char *path, unsigned *ret_major, unsigned *ret_minor)
{
	char buf[256];
	struct node *n = find(follow(path, buf, sizeof(buf)));

	if (!n || n->type != N_BLK)
		return false;
	*ret_major = n->major;
	*ret_minor = n->minor;
	return true;
}

void fake_fail(const char *kind, unsigned nth, int err)
{
	if (n_fails < MAX_FAILS) {
		snprintf(fails[n_fails].kind, sizeof(fails[0].kind), "%s", kind);
		fails[n_fails].path[0] = '\0';
		fails[n_fails].nth = nth;
		fails[n_fails++].err = err;
	}
}

void fake_fail_path(const char *kind, const char *path, int err)
{
	if (n_fails < MAX_FAILS) {
		snprintf(fails[n_fails].kind, sizeof(fails[0].kind), "%s", kind);
		snprintf(fails[n_fails].path, sizeof(fails[0].path), "%s", path);
		fails[n_fails].nth = 0;
		fails[n_fails++].err = err;
	}
}

void fake_fail_call(unsigned nth, int err)
{
	fail_nth = nth;
	fail_err = err;
}

unsigned fake_calls(void)
{
	return n_calls;
}

const char *fake_call_kind(unsigned nth)
{
	return nth >= 1 && nth <= n_calls && nth <= sizeof(call_kinds) ?
	       counts[call_kinds[nth - 1]].kind : NULL;
}

const char *fake_failed_kind(const char **ret_path)
{
	if (ret_path)
		*ret_path = injected.path;
	return injected.fired ? injected.kind : NULL;
}

void fake_set_kmsg(int fd)
{
	kmsg_fd = fd;
}

int fake_blk_ro_flag(const char *devpath)
{
	for (size_t i = 0; i < n_ro_flags; i++)
		if (!strcmp(ro_flags[i].dev, devpath))
			return ro_flags[i].ro;
	return -1;
}

void fake_save(const char *prefix)
{
	size_t l = strlen(prefix), max = sizeof(saved) / sizeof(saved[0]);

	n_saved = 0;
	for (size_t i = 0; i < n_nodes; i++)
		if (!strncmp(nodes[i].path, prefix, l) && n_saved < max)
			saved[n_saved++] = nodes[i];
}

void fake_restore(void)
{
	for (size_t i = 0; i < n_saved; i++)
		*add(saved[i].path, saved[i].type, saved[i].mode) = saved[i];
}

unsigned fake_find(const char *prefix, const char *suffix, char *ret, size_t size)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	unsigned n = 0;

	for (size_t i = 0; i < n_nodes; i++) {
		const char *p = nodes[i].path;
		size_t l = strlen(p);
		if (strncmp(p, prefix, pl) || l < sl || strcmp(p + l - sl, suffix))
			continue;
		if (!n++ && ret)
			snprintf(ret, size, "%s", p);
	}
	return n;
}

void fake_on_wait(void (*fn)(unsigned nth))
{
	on_wait = fn;
}

void fake_set_pid(int p)
{
	pid = p;
}

const char *fake_log(void)
{
	return log_buf;
}

unsigned fake_count(const char *kind)
{
	for (size_t i = 0; i < n_counts; i++)
		if (!strcmp(counts[i].kind, kind))
			return counts[i].n;
	return 0;
}

int fake_exists(const char *path)
{
	return find(path) != NULL;
}

const char *fake_content(const char *path)
{
	struct node *n = find(path);

	return n ? n->content : NULL;
}

uint64_t fake_now(void)
{
	return clock_ms;
}

const char *fake_mountinfo(char *buf, size_t size)
{
	/* made from the mount table, in mount order, as the kernel lists it */
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n_mounts && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len,
					"%zu 1 0:%u / %s %s - fake fake rw\n", 20 + i, (unsigned)mounts[i].dev, mounts[i].target,
					mounts[i].flags & MS_RDONLY ? "ro" : "rw");
	return buf;
}

/* --- the ops ------------------------------------------------------------------------- */

static int f_mount(const char *src, const char *target, const char *type, unsigned long flags,
		   const char *data)
{
	record("mount %s %s %s 0x%lx \"%s\"", src ? src : "-", target, type ? type : "-", flags,
	       data ? data : "");
	int r = hit("mount", target);
	if (r)
		return r;
	struct node *t = find(target);
	if (!t || t->type != N_DIR)
		return -ENOENT;
	if (flags & MS_MOVE) {
		struct mnt *m = NULL;
		if (!strcmp(src, "."))
			src = cwd;
		for (size_t i = 0; i < n_mounts; i++)
			if (!strcmp(mounts[i].target, src))
				m = &mounts[i];
		if (!m)
			return -EINVAL;
		size_t l = strlen(src);
		for (size_t i = 0; i < n_mounts; i++) {
			char *p = mounts[i].target;
			if (!strncmp(p, src, l) && (p[l] == '/' || !p[l])) {
				char moved[256];
				snprintf(moved, sizeof(moved), "%s%s", target, p + l);
				snprintf(p, sizeof(mounts[i].target), "%s", moved);
			}
		}
		return 0;
	}
	if (flags & (MS_PRIVATE | MS_SHARED | MS_SLAVE | MS_UNBINDABLE)) {
		for (size_t i = 0; i < n_mounts; i++)
			if (!strcmp(mounts[i].target, target))
				return 0;
		return -EINVAL;
	}
	if (flags & MS_REMOUNT) {
		for (size_t i = n_mounts; i-- > 0;)
			if (!strcmp(mounts[i].target, target)) {
				mounts[i].flags = flags;
				return 0;
			}
		return -EINVAL;
	}
	if (n_mounts == MAX_MOUNTS)
		return -ENOMEM;
	struct mnt *m = &mounts[n_mounts++];
	snprintf(m->target, sizeof(m->target), "%s", target);
	m->flags = flags;
	m->dev = next_dev++;
	m->magic = type && !strcmp(type, "tmpfs") ? 0x01021994 : 0xef53;
	return 0;
}

static int f_umount(const char *target, int flags)
{
	record("umount %s 0x%x", target, flags);
	int r = hit("umount", target);
	if (r)
		return r;
	size_t l = strlen(target);
	for (size_t i = 1; i < n_mounts && !(flags & MNT_DETACH); i++)
		if (!strncmp(mounts[i].target, target, l) && mounts[i].target[l] == '/')
			return -EBUSY;	/* a mount below it: the kernel refuses */
	for (size_t i = n_mounts; i-- > 1;)
		if (!strcmp(mounts[i].target, target)) {
			memmove(&mounts[i], &mounts[i + 1], (n_mounts - i - 1) * sizeof(mounts[0]));
			n_mounts--;
			return 0;
		}
	return -EINVAL;
}

static int f_mkdir(const char *path, mode_t mode)
{
	char parent[256];

	record("mkdir %s 0%o", path, (unsigned)mode);
	int r = hit("mkdir", path);
	if (r)
		return r;
	if (find(path))
		return -EEXIST;
	parent_of(path, parent, sizeof(parent));
	if (!find(parent))
		return -ENOENT;
	if ((r = writable(path)))
		return r;
	add(path, N_DIR, mode);
	return 0;
}

static int f_rmdir(const char *path)
{
	record("rmdir %s", path);
	int r = hit("rmdir", path);
	if (r)
		return r;
	struct node *n = find(path);
	if (!n)
		return -ENOENT;
	if ((r = writable(path)))
		return r;
	*n = nodes[--n_nodes];
	return 0;
}

static int f_rename(const char *from, const char *to)
{
	record("rename %s %s", from, to);
	int r = hit("rename", from);
	if (r)
		return r;
	if (!find(from))
		return -ENOENT;
	if ((r = writable(from)))
		return r;
	/* as rename(2): a file replaces what was at to, in one step */
	struct node *old = find(to);
	if (old && old->type == N_DIR && find(from)->type != N_DIR)
		return -EISDIR;
	if (old && old->type != N_DIR)
		*old = nodes[--n_nodes];
	size_t l = strlen(from);
	for (size_t i = 0; i < n_nodes; i++) {
		char *p = nodes[i].path;
		if (!strncmp(p, from, l) && (p[l] == '/' || !p[l])) {
			char moved[256];
			snprintf(moved, sizeof(moved), "%s%s", to, p + l);
			snprintf(p, sizeof(nodes[i].path), "%s", moved);
		}
	}
	return 0;
}

static int fill_stat(const char *path, struct stat *ret)
{
	struct node *n = find(path);

	if (!n)
		return -ENOENT;
	memset(ret, 0, sizeof(*ret));
	ret->st_mode = n->mode | (n->type == N_DIR ? S_IFDIR : n->type == N_BLK ? S_IFBLK :
				  n->type == N_LNK ? S_IFLNK : S_IFREG);
	ret->st_dev = mount_of(path)->dev;
	ret->st_rdev = makedev(n->major, n->minor);
	ret->st_size = (off_t)strlen(n->content);
	return 0;
}

/* Follow a link in the last component as the kernel would from where the caller is: an
 * absolute target is looked up in the fake's one namespace (the initramfs). */
static const char *follow(const char *path, char *buf, size_t size)
{
	for (int hops = 0; hops < 8; hops++) {
		struct node *n = find(path);
		if (!n || n->type != N_LNK)
			return path;
		if (n->content[0] == '/') {
			snprintf(buf, size, "%s", n->content);
		} else {
			char parent[256];
			parent_of(path, parent, sizeof(parent));
			snprintf(buf, size, "%s/%s", strcmp(parent, "/") ? parent : "", n->content);
		}
		path = buf;
	}
	return path;
}

static int f_stat(const char *path, struct stat *ret)
{
	char buf[256];
	int r = hit("stat", path);

	return r ? r : fill_stat(follow(path, buf, sizeof(buf)), ret);
}

static ssize_t f_readlink(const char *path, char *buf, size_t size)
{
	int r = hit("readlink", path);
	if (r)
		return r;
	struct node *n = find(path);
	if (!n)
		return -ENOENT;
	if (n->type != N_LNK)
		return -EINVAL;
	if (strlen(n->content) >= size)
		return -ENAMETOOLONG;
	snprintf(buf, size, "%s", n->content);
	return (ssize_t)strlen(buf);
}

static int f_copy_file(const char *from, const char *to, mode_t mode)
{
	char parent[256];

	record("copy_file %s %s 0%o", from, to, (unsigned)mode);
	int r = hit("copy_file", to);
	if (r)
		return r;
	struct node *src = find(from);
	if (!src || src->type != N_FILE)
		return -ENOENT;
	parent_of(to, parent, sizeof(parent));
	if (!find(parent))
		return -ENOENT;
	if ((r = writable(to)))
		return r;
	char content[sizeof(src->content)];
	snprintf(content, sizeof(content), "%s", src->content);
	struct node *n = add(to, N_FILE, mode);
	snprintf(n->content, sizeof(n->content), "%s", content);
	return 0;
}

static int f_lstat(const char *path, struct stat *ret)
{
	int r = hit("lstat", path);

	return r ? r : fill_stat(path, ret);
}

static int f_access(const char *path, int mode)
{
	char buf[256];
	int r = hit("access", path);
	if (r)
		return r;
	struct node *n = find(follow(path, buf, sizeof(buf)));
	if (!n)
		return -ENOENT;
	if ((mode & 1) && !(n->mode & 0111))
		return -EACCES;
	return 0;
}

static int f_open(const char *path, int flags)
{
	record("open %s 0x%x", path, (unsigned)flags);
	int r = hit("open", path);
	if (r)
		return r;
	if (kmsg_fd >= 0 && !strcmp(path, "/dev/kmsg"))
		return kmsg_fd;
	return find(path) ? 100 + (int)fake_count("open") : -ENOENT;
}

static int f_fs_magic(const char *path, unsigned long *ret)
{
	int r = hit("fs_magic", path);
	if (r)
		return r;
	*ret = mount_of(path)->magic;
	return 0;
}

static ssize_t f_read_file(const char *path, char *buf, size_t size)
{
	int r = hit("read_file", path);
	if (r)
		return r;
	struct node *n = find(path);
	if (!n && !strcmp(path, "/proc/self/mountinfo"))
		return (ssize_t)strlen(fake_mountinfo(buf, size));
	if (!n)
		return -ENOENT;
	if (n->type != N_FILE)
		return -EISDIR;
	snprintf(buf, size, "%s", n->content);
	return (ssize_t)strlen(buf);
}

static int f_write_file(const char *path, const void *data, size_t len)
{
	record("write_file %s %zu", path, len);
	int r = hit("write_file", path);
	if (r)
		return r;
	char parent[256];
	parent_of(path, parent, sizeof(parent));
	if (!find(parent))
		return -ENOENT;
	if ((r = writable(path)))
		return r;
	struct node *n = add(path, N_FILE, 0644);
	snprintf(n->content, sizeof(n->content), "%.*s", (int)len, (const char *)data);
	return 0;
}

static int f_listdir(const char *path, sys_dirent_fn fn, void *arg)
{
	int r = hit("listdir", path);
	if (r)
		return r;
	struct node *d = find(path);
	if (!d)
		return -ENOENT;
	if (d->type != N_DIR)
		return -ENOTDIR;
	size_t l = strlen(path);
	for (size_t i = 0; i < n_nodes; i++) {
		const char *p = nodes[i].path;
		if (strncmp(p, path, l) || p[l] != '/' || !p[l + 1] || strchr(p + l + 1, '/'))
			continue;
		if (fn(p + l + 1, arg))
			break;
	}
	return 0;
}

static int f_finit_module(const char *path, const char *params)
{
	record("finit_module %s", path);
	int r = hit("finit_module", path);
	if (r)
		return r;
	return find(path) ? 0 : -ENOENT;
}

static int f_probe(const char *devpath, unsigned what, struct blkinfo *ret)
{
	record("probe %s %u", devpath, what);
	int r = hit("probe", devpath);
	if (r)
		return r;
	struct node *n = find(devpath);
	if (!n || n->type != N_BLK)
		return -ENOENT;
	/* like libblkid: only the fields of what was asked, so a caller that asks for the
	 * wrong part finds nothing */
	memset(ret, 0, sizeof(*ret));
	if (what & PROBE_FS) {
		memcpy(ret->type, n->info.type, sizeof(ret->type));
		memcpy(ret->label, n->info.label, sizeof(ret->label));
		memcpy(ret->uuid, n->info.uuid, sizeof(ret->uuid));
	}
	if (what & PROBE_PART) {
		memcpy(ret->partuuid, n->info.partuuid, sizeof(ret->partuuid));
		memcpy(ret->partlabel, n->info.partlabel, sizeof(ret->partlabel));
		memcpy(ret->pttype, n->info.pttype, sizeof(ret->pttype));
	}
	return 0;
}

static int f_blk_set_ro(const char *devpath, bool ro)
{
	record("blk_set_ro %s %d", devpath, ro);
	int r = hit("blk_set_ro", devpath);
	if (r)
		return r;
	size_t i;
	for (i = 0; i < n_ro_flags && strcmp(ro_flags[i].dev, devpath); i++)
		;
	if (i == n_ro_flags && n_ro_flags < sizeof(ro_flags) / sizeof(ro_flags[0]))
		snprintf(ro_flags[n_ro_flags++].dev, sizeof(ro_flags[0].dev), "%s", devpath);
	if (i < n_ro_flags)
		ro_flags[i].ro = ro;
	return 0;
}

static int f_uevent_open(void)
{
	record("uevent_open");
	int r = hit("uevent_open", NULL);
	return r ? r : 42;
}

static int f_uevent_wait(int fd, int timeout_ms)
{
	int r = hit("uevent_wait", NULL);
	if (r)
		return r;
	waits++;
	size_t before = n_nodes;
	if (on_wait)
		on_wait(waits);
	if (n_nodes != before) {
		clock_ms += 10;
		return 1;
	}
	clock_ms += timeout_ms < 0 ? 3600000 : (uint64_t)timeout_ms;
	return 0;
}

static void f_close(int fd)
{
	record("close %d", fd);
}

static int f_remove_tree(const char *dir)
{
	record("remove_tree %s", dir);
	return hit("remove_tree", dir);
}

static int f_spawn_remove_tree(const char *dir)
{
	record("spawn_remove_tree %s", dir);
	return hit("spawn_remove_tree", dir);
}

static bool below(const char *path, const char *dir)
{
	size_t l = strlen(dir);

	return !strncmp(path, dir, l) && path[l] == '/';
}

/* Where a path of the old namespace is after pivot_root(new_root, put_old): under new_root
 * it loses that prefix, elsewhere it goes under put_old (as the new root names it). */
static void pivoted(const char *path, const char *new_root, const char *old_at, char *ret,
		    size_t size)
{
	if (below(path, new_root))
		snprintf(ret, size, "%s", path + strlen(new_root));
	else
		snprintf(ret, size, "%s%s", old_at, strcmp(path, "/") ? path : "");
}

static int pivot(const char *new_root, const char *put_old)
{
	const char *old_at = put_old + strlen(new_root);	/* put_old in the new root */
	char to[256];
	size_t m = 0;

	while (m < n_mounts && strcmp(mounts[m].target, new_root))
		m++;
	if (m == n_mounts || !below(put_old, new_root) || !find(put_old))
		return -EINVAL;
	fake_remove(put_old);	/* the old root's own "/" takes its place */
	for (size_t i = 0; i < n_nodes; i++) {
		char *p = nodes[i].path;
		if (below(p, "/proc") || below(p, "/sys") || below(p, "/dev"))
			continue;	/* the kernel's view: see fake_kernel_root() */
		pivoted(p, new_root, old_at, to, sizeof(to));
		snprintf(p, sizeof(nodes[i].path), "%s", to);
	}
	for (size_t i = 0; i < n_mounts; i++) {
		if (i == m)
			snprintf(to, sizeof(to), "/");
		else
			pivoted(mounts[i].target, new_root, old_at, to, sizeof(to));
		snprintf(mounts[i].target, sizeof(mounts[i].target), "%s", to);
	}
	/* the fake keeps the namespace's root mount first */
	struct mnt root = mounts[m];
	mounts[m] = mounts[0];
	mounts[0] = root;
	fake_dir("/");
	return 0;
}

static int f_pivot_root(const char *new_root, const char *put_old)
{
	record("pivot_root %s %s", new_root, put_old);
	int r = hit("pivot_root", new_root);
	/* pivot_root(".", ".") from the initramfs: only recorded, as before */
	return r ? r : strcmp(new_root, ".") ? pivot(new_root, put_old) : 0;
}

static int f_chroot(const char *path)
{
	record("chroot %s", path);
	return hit("chroot", path);
}

static int f_chdir(const char *path)
{
	record("chdir %s", path);
	int r = hit("chdir", path);
	if (!r && path[0] == '/')
		snprintf(cwd, sizeof(cwd), "%s", path);
	return r;
}

static int f_open_console(const char *path)
{
	record("open_console %s", path);
	return hit("open_console", path);
}

static int f_execv(const char *path, char *const argv[], char *const envp[])
{
	char line[1024];
	size_t n = (size_t)snprintf(line, sizeof(line), "execv %s", path);

	for (size_t i = 0; argv && argv[i] && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " [%s]", argv[i]);
	record("%s", line);
	return hit("execv", path);
}

static int f_run_shell(const char *path)
{
	record("run_shell %s", path);
	return hit("run_shell", path);
}

static int f_reboot(int cmd)
{
	record("reboot 0x%x", (unsigned)cmd);
	return hit("reboot", NULL);
}

static int f_getpid(void)
{
	return pid;
}

static uint64_t f_now_ms(void)
{
	return clock_ms;
}

static void f_sleep_ms(unsigned ms)
{
	clock_ms += ms;
}

/* --- the overroot command (cli.c) --- */

void fake_cli_set(int uid, int ro, int status)
{
	euid = uid;
	blk_ro = ro;
	run_status = status;
}

void fake_on_run(void (*fn)(void))
{
	on_run = fn;
}

void fake_set_usage(uint64_t size, uint64_t free_bytes, uint64_t avail)
{
	usage[0] = size;
	usage[1] = free_bytes;
	usage[2] = avail;
}

static int f_geteuid(void)
{
	return euid;
}

static int f_unlink(const char *path)
{
	record("unlink %s", path);
	int r = hit("unlink", path);
	if (r)
		return r;
	struct node *n = find(path);
	if (!n)
		return -ENOENT;
	if (n->type == N_DIR)
		return -EISDIR;
	if ((r = writable(path)))
		return r;
	*n = nodes[--n_nodes];
	return 0;
}

static int f_symlink(const char *target, const char *path)
{
	char parent[256];

	record("symlink %s %s", target, path);
	int r = hit("symlink", path);
	if (r)
		return r;
	parent_of(path, parent, sizeof(parent));
	if (!find(parent))
		return -ENOENT;
	if (find(path))
		return -EEXIST;
	if ((r = writable(path)))
		return r;
	fake_link(path, target);
	return 0;
}

static int f_fsync(const char *path)
{
	record("fsync %s", path);
	int r = hit("fsync", path);
	return r ? r : find(path) ? 0 : -ENOENT;
}

static int f_fs_usage(const char *path, uint64_t *ret_size, uint64_t *ret_free,
		      uint64_t *ret_avail)
{
	int r = hit("fs_usage", path);
	if (r)
		return r;
	*ret_size = usage[0];
	*ret_free = usage[1];
	*ret_avail = usage[2];
	return 0;
}

static int f_blk_get_ro(const char *devpath)
{
	int r = hit("blk_get_ro", devpath);
	if (r)
		return r;
	struct node *n = find(devpath);
	return !n ? -ENOENT : n->type != N_BLK ? -ENOTTY : blk_ro;
}

static int f_unshare(int flags)
{
	record("unshare 0x%x", (unsigned)flags);
	return hit("unshare", NULL);
}

static int f_run(const char *root, char *const argv[])
{
	char line[1024];
	size_t n = (size_t)snprintf(line, sizeof(line), "run %s", root);

	for (size_t i = 0; argv[i] && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " [%s]", argv[i]);
	record("%s", line);
	int r = hit("run", root);
	if (!r && on_run)
		on_run();
	return r ? r : run_status;
}

const struct sys_ops fake_sys = {
	.mount = f_mount, .umount = f_umount, .mkdir = f_mkdir, .rmdir = f_rmdir,
	.rename = f_rename, .stat = f_stat, .lstat = f_lstat, .access = f_access,
	.readlink = f_readlink, .copy_file = f_copy_file,
	.open = f_open, .fs_magic = f_fs_magic,
	.read_file = f_read_file, .write_file = f_write_file, .listdir = f_listdir,
	.finit_module = f_finit_module, .probe = f_probe, .blk_set_ro = f_blk_set_ro,
	.uevent_open = f_uevent_open, .uevent_wait = f_uevent_wait, .close = f_close,
	.remove_tree = f_remove_tree,
	.spawn_remove_tree = f_spawn_remove_tree, .pivot_root = f_pivot_root, .chroot = f_chroot,
	.chdir = f_chdir, .open_console = f_open_console, .execv = f_execv,
	.run_shell = f_run_shell, .reboot = f_reboot, .getpid = f_getpid, .now_ms = f_now_ms,
	.sleep_ms = f_sleep_ms,
	/* the overroot command (cli.c) */
	.geteuid = f_geteuid, .unlink = f_unlink, .symlink = f_symlink, .fsync = f_fsync,
	.fs_usage = f_fs_usage, .blk_get_ro = f_blk_get_ro, .unshare = f_unshare, .run = f_run,
	/* dm-verity: fake_dm.c */
	.dm_ioctl = fake_dm_ioctl, .mknod_blk = fake_mknod_blk, .read_at = fake_read_at,
};
