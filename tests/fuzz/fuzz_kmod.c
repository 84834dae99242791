/* Kernel modules: the index files and modules-load.d lists, parsed directly and then loaded
 * on the fake sys layer. Input, cut at NUL bytes:
 *   modules.dep \0 modules.alias \0 modules.builtin \0 modules-load.d/a.conf \0 b.conf \0
 *   rd.modules-load list \0 filesystem type \0 /proc/filesystems \0 loaded modules (lines)
 * Every path before a ':' in modules.dep gets a .ko file unless it contains "missing".
 * The fake's files hold at most 4095 bytes, so longer parts are cut there when loading
 * (the direct calls see them whole). Loading must end (KMOD_MAX_DEPTH), load each module at
 * most once while the done list has room, and free everything (LeakSanitizer). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "fake_sys.h"
#include "fuzz.h"
#include "overroot/kmod.h"

#define MODDIR "/lib/modules/6.1.0-rpi7-rpi-v8"
#define CONFDIR "/etc/modules-load.d"
#define MAX_KO 200		/* the fake holds 512 nodes: .ko files + /sys/module entries */
#define MAX_LOADED 200

enum { P_DEP, P_ALIAS, P_BUILTIN, P_CONF_A, P_CONF_B, P_LIST, P_FSTYPE, P_FILESYSTEMS,
       P_SYSMODULE };

static struct kmod_ctx k;
static char ok_paths[MAX_LOADED][300];
static size_t n_ok, n_success, n_fail, n_sysmodule;

/* The module name a path gives, as /sys/module spells it. */
static void module_name(const char *path, char *ret, size_t size)
{
	static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t l = strlen(suffixes[i]);
		if (len > l && !strcmp(base + len - l, suffixes[i])) {
			len -= l;
			break;
		}
	}
	snprintf(ret, size, "%.*s", (int)len, base);
	kmod_normalise(ret);
}

/* The kernel: a module loaded shows in /sys/module, as kmod_load.c relies on. */
static int fuzz_finit_module(const char *path, const char *params)
{
	int r = fake_sys.finit_module(path, params);
	char name[256], dir[300];

	FUZZ_CHECK(params && !strcmp(params, ""));
	FUZZ_CHECK(!strncmp(path, MODDIR "/", sizeof(MODDIR)));
	if (r < 0) {
		n_fail++;
		return r;
	}
	for (size_t i = 0; i < n_ok; i++)	/* one finit_module per module */
		FUZZ_CHECK(strcmp(ok_paths[i], path) || k.ndone >= KMOD_MAX_DONE);
	n_success++;
	if (n_ok < MAX_LOADED)
		snprintf(ok_paths[n_ok++], sizeof(ok_paths[0]), "%s", path);
	module_name(path, name, sizeof(name));
	snprintf(dir, sizeof(dir), "/sys/module/%s", name);
	if (n_sysmodule < MAX_LOADED && *name && !strchr(name, '/') && !fake_exists(dir)) {
		fake_dir(dir);
		n_sysmodule++;
	}
	return 0;
}

static struct sys_ops fuzz_sys;

/* A .ko file for every path in modules.dep (the part before each ':'). */
static void add_kos(const char *dep)
{
	size_t n = 0;

	for (const char *line = dep; *line && n < MAX_KO;) {
		size_t len = strcspn(line, "\n");
		size_t plen = strcspn(line, ":\n");
		char path[300];

		if (plen && plen < 200) {
			snprintf(path, sizeof(path), MODDIR "/%.*s", (int)plen, line);
			if (!strstr(path, "missing") && !fake_exists(path)) {
				fake_file(path, "\177ELF", 0644);
				n++;
			}
		}
		line += len;
		if (*line)
			line++;
	}
}

static size_t count_char(const char *s, char ch)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == ch;
	return n;
}

static void make_machine(const struct fuzz_parts *in)
{
	fake_reset();
	fake_initramfs();
	fake_dir("/lib/modules");
	fake_dir(MODDIR);
	fake_file(MODDIR "/modules.dep", in->part[P_DEP], 0644);
	if (in->n > P_ALIAS)
		fake_file(MODDIR "/modules.alias", in->part[P_ALIAS], 0644);
	if (in->n > P_BUILTIN)
		fake_file(MODDIR "/modules.builtin", in->part[P_BUILTIN], 0644);
	fake_dir(CONFDIR);
	fake_file(CONFDIR "/README", "not-a-module\n", 0644);	/* not *.conf: skipped */
	if (in->n > P_CONF_B)
		fake_file(CONFDIR "/b.conf", in->part[P_CONF_B], 0644);
	if (in->n > P_CONF_A)
		fake_file(CONFDIR "/a.conf", in->part[P_CONF_A], 0644);
	fake_file("/proc/filesystems", in->n > P_FILESYSTEMS ? in->part[P_FILESYSTEMS]
			 : "nodev\tsysfs\nnodev\tproc\nnodev\ttmpfs\n\tvfat\n", 0444);
	fake_dir("/sys/module");
	n_sysmodule = 0;
	for (const char *s = in->part[P_SYSMODULE]; *s && n_sysmodule < 64;) {
		size_t len = strcspn(s, "\n");
		char path[300];

		if (len && len < 100 && !memchr(s, '/', len)) {
			snprintf(path, sizeof(path), "/sys/module/%.*s", (int)len, s);
			if (!fake_exists(path)) {
				fake_dir(path);
				n_sysmodule++;
			}
		}
		s += len;
		if (*s)
			s++;
	}
	add_kos(in->part[P_DEP]);
}

struct conf_check {
	unsigned calls;
};

static void check_conf_name(const char *name, void *arg)
{
	struct conf_check *c = arg;
	size_t len = strnlen(name, 256);

	FUZZ_CHECK(len > 0 && len < 256);
	FUZZ_CHECK(!strpbrk(name, "\n#;"));
	FUZZ_CHECK(!isspace((unsigned char)name[0]) && !isspace((unsigned char)name[len - 1]));
	c->calls++;
}

static void check_dep_find(const char *dep, const char *name)
{
	const char *line = kmod_dep_find(dep, name);

	if (!line)
		return;
	FUZZ_CHECK(line >= dep && line < dep + strlen(dep));
	FUZZ_CHECK(line == dep || line[-1] == '\n');
	FUZZ_CHECK(*name);
}

static void check_alias_find(const char *alias_txt, const char *alias)
{
	static const size_t sizes[] = { 1, 5, KMOD_NAME_MAX, 256 };
	char ret[256];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(ret, 'X', sizeof(ret));
		int r = kmod_alias_find(alias_txt, alias, ret, sizes[i]);
		FUZZ_CHECK(r == 0 || r == -ENOENT || r == -ENAMETOOLONG);
		if (r == 0) {
			size_t len = strnlen(ret, sizes[i]);
			FUZZ_CHECK(len > 0 && len < sizes[i]);
			for (size_t j = 0; j < len; j++)
				FUZZ_CHECK(!isspace((unsigned char)ret[j]));
		} else {
			FUZZ_CHECK(ret[0] == 'X');	/* untouched */
		}
	}
}

/* Every word of the list and of the conf text, looked up in the raw index texts. */
static void direct_calls(const struct fuzz_parts *in)
{
	static const char *const names[] = { "ext4", "jbd2", "crc16", "overlay", "dm-mod",
					     "dm_mod", "", "fs-ext4" };
	struct conf_check cc = { 0 };
	char word[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		check_dep_find(in->part[P_DEP], names[i]);
		check_dep_find(in->part[P_BUILTIN], names[i]);
		check_alias_find(in->part[P_ALIAS], names[i]);
	}
	FUZZ_CHECK(kmod_dep_find(NULL, "ext4") == NULL);
	FUZZ_CHECK(kmod_alias_find(NULL, "fs-ext4", word, sizeof(word)) == -ENOENT);
	for (const char *s = in->part[P_LIST]; *s;) {
		size_t len = strcspn(s, ",");
		snprintf(word, sizeof(word), "%.*s", (int)len, s);
		check_dep_find(in->part[P_DEP], word);
		check_alias_find(in->part[P_ALIAS], word);
		kmod_normalise(word);
		FUZZ_CHECK(!strchr(word, '-'));
		s += len;
		if (*s)
			s++;
	}
	snprintf(word, sizeof(word), "fs-%s", in->part[P_FSTYPE]);
	check_alias_find(in->part[P_ALIAS], word);
	kmod_conf_each(in->part[P_CONF_A], check_conf_name, &cc);
	FUZZ_CHECK(cc.calls <= count_char(in->part[P_CONF_A], '\n') + 1);
	kmod_conf_each(NULL, check_conf_name, &cc);
	kmod_conf_each("", check_conf_name, &cc);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	fuzz_sys = fake_sys;
	fuzz_sys.finit_module = fuzz_finit_module;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_parts in;

	fuzz_split(data, size, '\0', &in);
	direct_calls(&in);

	make_machine(&in);
	n_ok = n_success = n_fail = 0;
	int r = kmod_open(&k, &fuzz_sys, MODDIR);
	FUZZ_CHECK(r == 0);
	/* modules.alias and modules.builtin are read on first use only; once read, they are
	 * there exactly when the machine has them */
	FUZZ_CHECK(k.dep && !k.alias && !k.builtin);
	int failed = kmod_load_conf_dir(&k, CONFDIR);
	FUZZ_CHECK(failed >= 0);
	failed += kmod_load_list(&k, in.part[P_LIST]);
	r = kmod_load_fs(&k, in.part[P_FSTYPE]);
	FUZZ_CHECK(r <= 0);
	FUZZ_CHECK(!k.alias_read || (in.n > P_ALIAS) == !!k.alias);
	FUZZ_CHECK(!k.builtin_read || (in.n > P_BUILTIN) == !!k.builtin);
	failed += r < 0;
	/* every failing finit_module ends the load it was part of: at most one per name asked */
	size_t asked = count_char(in.part[P_CONF_A], '\n') + count_char(in.part[P_CONF_B], '\n') +
		       count_char(in.part[P_LIST], ',') + 4;
	FUZZ_CHECK(n_fail <= asked);
	FUZZ_CHECK(k.ndone <= KMOD_MAX_DONE && k.loaded == n_success);
	kmod_close(&k);
	FUZZ_CHECK(!k.dep && !k.alias && !k.builtin);
	kmod_close(&k);	/* twice is harmless */

	/* no modules.dep: nothing loads, and nothing leaks */
	fake_remove(MODDIR "/modules.dep");
	FUZZ_CHECK(kmod_open(&k, &fuzz_sys, MODDIR) == -ENOENT);
	kmod_close(&k);
	fuzz_parts_free(&in);
	return 0;
}
