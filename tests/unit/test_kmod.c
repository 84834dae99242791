/* kmod: index parsing, and the order finit_module is called in, against the fake sys layer. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"
#include "overroot/kmod.h"
#include "suites.h"

#define MODDIR "/lib/modules/6.1.0-test"
#define FINIT "finit_module " MODDIR "/"

static const char dep_txt[] =
	"kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko kernel/fs/mbcache.ko kernel/lib/crc16.ko\n"
	"kernel/fs/jbd2/jbd2.ko:\n"
	"kernel/fs/mbcache.ko:\n"
	"kernel/lib/crc16.ko:\n"
	"kernel/fs/overlayfs/overlay.ko:\n"
	"kernel/drivers/md/dm-mod.ko:\n"
	"kernel/drivers/virtio/virtio_mmio.ko:\n"
	"kernel/drivers/block/virtio_blk.ko:\n"
	"kernel/fs/vfat/vfat.ko: kernel/fs/fat/fat.ko\n";

static const char alias_txt[] =
	"# Aliases extracted from modules themselves.\n"
	"alias fs-ext4 ext4\n"
	"alias fs-ext3 ext4\n"
	"alias fs-overlay overlay\n"
	"alias virtio:d00000002v* virtio_blk\n"
	"alias virtio:d0000000?v* virtio_mmio\n"
	"alias fs-vfat vfat\n";

static const char builtin_txt[] =
	"kernel/fs/squashfs/squashfs.ko\n"
	"kernel/drivers/block/loop.ko\n";

static const char *const kos[] = {
	"kernel/fs/ext4/ext4.ko", "kernel/fs/jbd2/jbd2.ko", "kernel/fs/mbcache.ko",
	"kernel/lib/crc16.ko", "kernel/fs/overlayfs/overlay.ko", "kernel/drivers/md/dm-mod.ko",
	"kernel/drivers/block/virtio_blk.ko", "kernel/fs/vfat/vfat.ko",
	/* virtio_mmio.ko is missing on purpose, and fat.ko is not in modules.dep. */
	"kernel/fs/fat/fat.ko",
};

#define EXT4_CHAIN FINIT "kernel/lib/crc16.ko\n" FINIT "kernel/fs/mbcache.ko\n" \
	FINIT "kernel/fs/jbd2/jbd2.ko\n" FINIT "kernel/fs/ext4/ext4.ko\n"

static struct kmod_ctx k;

/* Make every directory above path, then the file. */
static void add_file(const char *path, const char *content)
{
	char dir[256];

	for (const char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(p - path), path);
		if (!fake_exists(dir))
			fake_dir(dir);
	}
	fake_file(path, content, 0644);
}

static void setup(void)
{
	char path[256];

	fake_reset();
	fake_initramfs();
	add_file(MODDIR "/modules.dep", dep_txt);
	add_file(MODDIR "/modules.alias", alias_txt);
	add_file(MODDIR "/modules.builtin", builtin_txt);
	for (size_t i = 0; i < sizeof(kos) / sizeof(kos[0]); i++) {
		snprintf(path, sizeof(path), MODDIR "/%s", kos[i]);
		add_file(path, "\177ELF");
	}
	fake_file("/proc/filesystems", "nodev\tsysfs\nnodev\tproc\nnodev\ttmpfs\n\tsquashfs\n"
		  "nodev\toverlayx\n", 0444);
	memset(&k, 0, sizeof(k));
}

static void teardown(void)
{
	kmod_close(&k);
}

static void open_ok(void)
{
	ck_assert_int_eq(kmod_open(&k, &fake_sys, MODDIR), 0);
}

START_TEST(test_normalise)
{
	char name[] = "dm-mod-x_y";

	kmod_normalise(name);
	ck_assert_str_eq(name, "dm_mod_x_y");
}
END_TEST

START_TEST(test_dep_find)
{
	const char *l = kmod_dep_find(dep_txt, "ext4");

	ck_assert_ptr_eq(l, dep_txt);
	ck_assert_ptr_eq(kmod_dep_find(dep_txt, "jbd2"),
			 strstr(dep_txt, "kernel/fs/jbd2/jbd2.ko:\n"));
	ck_assert_ptr_eq(kmod_dep_find(dep_txt, "dm_mod"), strstr(dep_txt, "kernel/drivers/md"));
	ck_assert_ptr_eq(kmod_dep_find(dep_txt, "dm-mod"), strstr(dep_txt, "kernel/drivers/md"));
	ck_assert_ptr_eq(kmod_dep_find(dep_txt, "virtio-blk"), strstr(dep_txt, "kernel/drivers/b"));
	/* Names match whole: no prefixes, no suffixes, and a dependency is not a line. */
	ck_assert_ptr_null(kmod_dep_find(dep_txt, "ext"));
	ck_assert_ptr_null(kmod_dep_find(dep_txt, "ext4x"));
	ck_assert_ptr_null(kmod_dep_find(dep_txt, "ext4.ko"));
	ck_assert_ptr_null(kmod_dep_find(dep_txt, "fat"));
	ck_assert_ptr_null(kmod_dep_find(dep_txt, ""));
	ck_assert_ptr_null(kmod_dep_find(NULL, "ext4"));
	/* modules.builtin has the same paths without the colon. */
	ck_assert_ptr_eq(kmod_dep_find(builtin_txt, "loop"), strstr(builtin_txt, "kernel/drivers"));
}
END_TEST

START_TEST(test_dep_find_compressed)
{
	static const char txt[] = "a/x.ko.xz: a/y.ko.zst\na/y.ko.zst:\na/z.ko.gz:\n";

	ck_assert_ptr_eq(kmod_dep_find(txt, "x"), txt);
	ck_assert_ptr_eq(kmod_dep_find(txt, "y"), strstr(txt, "a/y.ko.zst:"));
	ck_assert_ptr_eq(kmod_dep_find(txt, "z"), strstr(txt, "a/z"));
	ck_assert_ptr_null(kmod_dep_find(txt, "x.ko"));
}
END_TEST

START_TEST(test_alias_find)
{
	char mod[64];

	ck_assert_int_eq(kmod_alias_find(alias_txt, "fs-ext4", mod, sizeof(mod)), 0);
	ck_assert_str_eq(mod, "ext4");
	ck_assert_int_eq(kmod_alias_find(alias_txt, "fs-ext3", mod, sizeof(mod)), 0);
	ck_assert_str_eq(mod, "ext4");
	/* A glob, and the first of two matching patterns wins. */
	ck_assert_int_eq(kmod_alias_find(alias_txt, "virtio:d00000002v00001AF4", mod, sizeof(mod)),
			 0);
	ck_assert_str_eq(mod, "virtio_blk");
	ck_assert_int_eq(kmod_alias_find(alias_txt, "virtio:d00000001v00001AF4", mod, sizeof(mod)),
			 0);
	ck_assert_str_eq(mod, "virtio_mmio");
	ck_assert_int_eq(kmod_alias_find(alias_txt, "fs-btrfs", mod, sizeof(mod)), -ENOENT);
	ck_assert_int_eq(kmod_alias_find(alias_txt, "ext4", mod, sizeof(mod)), -ENOENT);
	ck_assert_int_eq(kmod_alias_find(alias_txt, "Aliases", mod, sizeof(mod)), -ENOENT);
	ck_assert_int_eq(kmod_alias_find(NULL, "fs-ext4", mod, sizeof(mod)), -ENOENT);
	ck_assert_int_eq(kmod_alias_find(alias_txt, "fs-ext4", mod, 4), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_alias_find_malformed)
{
	static const char txt[] = "alias\nalias fs-x\naliasfs-y y\n  alias\tfs-z   z  \n";
	char mod[64];

	ck_assert_int_eq(kmod_alias_find(txt, "fs-x", mod, sizeof(mod)), -ENOENT);
	ck_assert_int_eq(kmod_alias_find(txt, "fs-y", mod, sizeof(mod)), -ENOENT);
	ck_assert_int_eq(kmod_alias_find(txt, "fs-z", mod, sizeof(mod)), 0);
	ck_assert_str_eq(mod, "z");
}
END_TEST

static void collect(const char *name, void *arg)
{
	char *buf = arg;

	strcat(buf, name);
	strcat(buf, "|");
}

START_TEST(test_conf_each)
{
	static const char conf[] = "# modules for the root\n"
				   "ext4\n"
				   "\n"
				   "   overlay  \n"
				   "; old style comment\n"
				   "\t# indented comment\n"
				   "virtio-blk # inline comment\n"
				   "  \t \n"
				   "dm_mod";
	char copy[sizeof(conf)], got[256] = "";

	memcpy(copy, conf, sizeof(conf));
	kmod_conf_each(conf, collect, got);
	ck_assert_str_eq(got, "ext4|overlay|virtio-blk|dm_mod|");
	ck_assert_str_eq(conf, copy);
	got[0] = '\0';
	kmod_conf_each("", collect, got);
	kmod_conf_each(NULL, collect, got);
	ck_assert_str_eq(got, "");
}
END_TEST

START_TEST(test_open_missing_dep)
{
	ck_assert_int_eq(kmod_open(&k, &fake_sys, "/lib/modules/nope"), -ENOENT);
	ck_assert_ptr_null(k.dep);
	/* A context whose open failed can still be asked: nothing is found. */
	ck_assert_int_eq(kmod_load(&k, "ext4"), -ENOENT);
	ck_assert_uint_eq(fake_count("finit_module"), 0);
}
END_TEST

START_TEST(test_open_optional_missing)
{
	fake_dir("/lib/modules/min");
	fake_file("/lib/modules/min/modules.dep", "crc16.ko:\n", 0644);
	fake_file("/lib/modules/min/crc16.ko", "", 0644);
	ck_assert_int_eq(kmod_open(&k, &fake_sys, "/lib/modules/min"), 0);
	ck_assert_ptr_null(k.alias);
	ck_assert_ptr_null(k.builtin);
	ck_assert_str_eq(k.dep, "crc16.ko:\n");
	ck_assert_int_eq(kmod_load(&k, "crc16"), 0);
	ck_assert_str_eq(fake_log(), "finit_module /lib/modules/min/crc16.ko\n");
	ck_assert_int_eq(kmod_load_fs(&k, "ext4"), -ENOENT);
}
END_TEST

START_TEST(test_open_reads_dep_only)
{
	/* a boot that names modules modules.dep has never reads the other indexes */
	open_ok();
	ck_assert_str_eq(k.dir, MODDIR);
	ck_assert_str_eq(k.dep, dep_txt);
	ck_assert_int_eq(kmod_load(&k, "ext4"), 0);
	ck_assert_ptr_null(k.alias);
	ck_assert_ptr_null(k.builtin);
	ck_assert_uint_eq(k.failed, 0);
	/* a name it lacks: built in, or an alias */
	ck_assert_int_eq(kmod_load(&k, "squashfs"), 0);
	ck_assert_str_eq(k.builtin, builtin_txt);
	ck_assert_int_eq(kmod_load_fs(&k, "overlay"), 0);
	ck_assert_str_eq(k.alias, alias_txt);
}
END_TEST

START_TEST(test_load_order)
{
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "ext4"), 0);
	ck_assert_str_eq(fake_log(), EXT4_CHAIN);
	ck_assert_uint_eq(k.loaded, 4);
	ck_assert_uint_eq(k.failed, 0);
}
END_TEST

START_TEST(test_load_dedupe)
{
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "ext4"), 0);
	ck_assert_int_eq(kmod_load(&k, "ext4"), 0);
	ck_assert_int_eq(kmod_load(&k, "jbd2"), 0);
	ck_assert_str_eq(fake_log(), EXT4_CHAIN);
	ck_assert_uint_eq(k.loaded, 4);
}
END_TEST

START_TEST(test_load_dep_first)
{
	/* A dependency loaded on its own first is not loaded again for ext4. */
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "mbcache"), 0);
	ck_assert_int_eq(kmod_load(&k, "ext4"), 0);
	ck_assert_str_eq(fake_log(), FINIT "kernel/fs/mbcache.ko\n" FINIT "kernel/lib/crc16.ko\n"
			 FINIT "kernel/fs/jbd2/jbd2.ko\n" FINIT "kernel/fs/ext4/ext4.ko\n");
}
END_TEST

START_TEST(test_load_builtin)
{
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "squashfs"), 0);
	ck_assert_int_eq(kmod_load(&k, "loop"), 0);
	ck_assert_uint_eq(fake_count("finit_module"), 0);
	ck_assert_uint_eq(k.loaded, 0);
	ck_assert_uint_eq(k.failed, 0);
}
END_TEST

START_TEST(test_load_sys_module_when_full)
{
	/* With room in the done list a loaded module costs one finit_module (EEXIST) and no
	 * stat; once it is full, /sys/module stops a second walk of the dependencies. */
	fake_dir("/sys/module");
	fake_dir("/sys/module/jbd2");
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "ext4"), 0);
	ck_assert_str_eq(fake_log(), EXT4_CHAIN);
	k.ndone = KMOD_MAX_DONE;
	ck_assert_int_eq(kmod_load(&k, "jbd2"), 0);
	ck_assert_str_eq(fake_log(), EXT4_CHAIN);	/* nothing more */
}
END_TEST

START_TEST(test_load_eexist)
{
	fake_fail("finit_module", 1, EEXIST);
	fake_fail("finit_module", 4, EEXIST);
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "ext4"), 0);
	ck_assert_str_eq(fake_log(), EXT4_CHAIN);
	ck_assert_uint_eq(k.loaded, 2);
	ck_assert_uint_eq(k.failed, 0);
	/* Already-there counts as loaded: not tried again. */
	ck_assert_int_eq(kmod_load(&k, "crc16"), 0);
	ck_assert_uint_eq(fake_count("finit_module"), 4);
}
END_TEST

START_TEST(test_load_unknown)
{
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "nosuch"), -ENOENT);
	ck_assert_uint_eq(fake_count("finit_module"), 0);
	ck_assert_uint_eq(k.failed, 1);
}
END_TEST

START_TEST(test_load_missing_file)
{
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "virtio_mmio"), -ENOENT);
	ck_assert_str_eq(fake_log(), FINIT "kernel/drivers/virtio/virtio_mmio.ko\n");
	ck_assert_uint_eq(k.failed, 1);
	ck_assert_uint_eq(k.loaded, 0);
	/* A failure is not remembered as loaded: asking again tries again. */
	ck_assert_int_eq(kmod_load(&k, "virtio_mmio"), -ENOENT);
	ck_assert_uint_eq(fake_count("finit_module"), 2);
	ck_assert_uint_eq(k.failed, 2);
}
END_TEST

START_TEST(test_load_dep_unknown)
{
	/* vfat needs fat, which modules.dep has no line for: vfat is not tried. */
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "vfat"), -ENOENT);
	ck_assert_uint_eq(fake_count("finit_module"), 0);
	ck_assert_uint_eq(k.failed, 1);
}
END_TEST

START_TEST(test_load_dep_fails)
{
	/* mbcache fails: jbd2 and ext4 are not tried, the error is ext4's result. */
	fake_fail("finit_module", 2, ENOEXEC);
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "ext4"), -ENOEXEC);
	ck_assert_str_eq(fake_log(), FINIT "kernel/lib/crc16.ko\n" FINIT "kernel/fs/mbcache.ko\n");
	ck_assert_uint_eq(k.loaded, 1);
	ck_assert_uint_eq(k.failed, 1);
}
END_TEST

START_TEST(test_load_dash_underscore)
{
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "dm_mod"), 0);
	ck_assert_int_eq(kmod_load(&k, "dm-mod"), 0);
	ck_assert_int_eq(kmod_load(&k, "virtio-blk"), 0);
	ck_assert_int_eq(kmod_load(&k, "virtio_blk"), 0);
	ck_assert_str_eq(fake_log(), FINIT "kernel/drivers/md/dm-mod.ko\n"
			 FINIT "kernel/drivers/block/virtio_blk.ko\n");
}
END_TEST

START_TEST(test_load_alias)
{
	open_ok();
	ck_assert_int_eq(kmod_load(&k, "fs-overlay"), 0);
	ck_assert_int_eq(kmod_load(&k, "virtio:d00000002v00001AF4"), 0);
	ck_assert_str_eq(fake_log(), FINIT "kernel/fs/overlayfs/overlay.ko\n"
			 FINIT "kernel/drivers/block/virtio_blk.ko\n");
}
END_TEST

START_TEST(test_load_compressed)
{
	fake_dir("/lib/modules/z");
	fake_file("/lib/modules/z/modules.dep", "zz.ko.zst: yy.ko.xz\nyy.ko.xz:\n", 0644);
	fake_file("/lib/modules/z/zz.ko.zst", "", 0644);
	fake_file("/lib/modules/z/yy.ko.xz", "", 0644);
	ck_assert_int_eq(kmod_open(&k, &fake_sys, "/lib/modules/z"), 0);
	ck_assert_int_eq(kmod_load(&k, "zz"), 0);
	ck_assert_str_eq(fake_log(), "finit_module /lib/modules/z/yy.ko.xz\n"
			 "finit_module /lib/modules/z/zz.ko.zst\n");
}
END_TEST

START_TEST(test_load_cycle)
{
	fake_dir("/lib/modules/c");
	fake_file("/lib/modules/c/modules.dep", "a.ko: b.ko\nb.ko: a.ko\n", 0644);
	fake_file("/lib/modules/c/a.ko", "", 0644);
	fake_file("/lib/modules/c/b.ko", "", 0644);
	ck_assert_int_eq(kmod_open(&k, &fake_sys, "/lib/modules/c"), 0);
	ck_assert_int_eq(kmod_load(&k, "a"), -ELOOP);
	ck_assert_uint_eq(fake_count("finit_module"), 0);
}
END_TEST

START_TEST(test_load_name_too_long)
{
	char name[200];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	open_ok();
	ck_assert_int_eq(kmod_load(&k, name), -ENAMETOOLONG);
	ck_assert_uint_eq(k.failed, 1);
}
END_TEST

START_TEST(test_load_list)
{
	open_ok();
	ck_assert_int_eq(kmod_load_list(&k, "ext4,nosuch,, overlay ,ext4"), 1);
	ck_assert_str_eq(fake_log(), EXT4_CHAIN FINIT "kernel/fs/overlayfs/overlay.ko\n");
	ck_assert_int_eq(kmod_load_list(&k, ""), 0);
	ck_assert_int_eq(kmod_load_list(&k, "virtio_mmio,vfat"), 2);
}
END_TEST

START_TEST(test_conf_dir)
{
	/* Created out of order: the listing is in creation order, loading is by name. */
	fake_dir("/etc/modules-load.d");
	fake_file("/etc/modules-load.d/20-b.conf", "overlay\n", 0644);
	fake_file("/etc/modules-load.d/README", "virtio_blk\n", 0644);
	fake_file("/etc/modules-load.d/10-a.conf", "# root\next4 # for /\n", 0644);
	fake_file("/etc/modules-load.d/30-c.conf", "nosuch\n;dm_mod\ndm-mod\n", 0644);
	fake_file("/etc/modules-load.d/.conf", "virtio_blk\n", 0644);
	fake_dir("/etc/modules-load.d/99-dir.conf");
	open_ok();
	/* nosuch, and the unreadable directory named like a file. */
	ck_assert_int_eq(kmod_load_conf_dir(&k, "/etc/modules-load.d"), 2);
	ck_assert_str_eq(fake_log(), EXT4_CHAIN FINIT "kernel/fs/overlayfs/overlay.ko\n"
			 FINIT "kernel/drivers/md/dm-mod.ko\n");
}
END_TEST

START_TEST(test_conf_dir_missing)
{
	open_ok();
	ck_assert_int_eq(kmod_load_conf_dir(&k, "/etc/modules-load.d"), 0);
	ck_assert_int_eq(kmod_load_conf_dir(&k, "/nonexistent/dir"), 0);
	ck_assert_uint_eq(fake_count("finit_module"), 0);
}
END_TEST

START_TEST(test_conf_dir_unreadable)
{
	fake_dir("/etc/modules-load.d");
	fake_fail_path("listdir", "/etc/modules-load.d", EACCES);
	open_ok();
	ck_assert_int_eq(kmod_load_conf_dir(&k, "/etc/modules-load.d"), 1);
}
END_TEST

START_TEST(test_fs_listed)
{
	open_ok();
	ck_assert_int_eq(kmod_load_fs(&k, "squashfs"), 0);
	ck_assert_int_eq(kmod_load_fs(&k, "tmpfs"), 0);
	ck_assert_uint_eq(fake_count("finit_module"), 0);
}
END_TEST

START_TEST(test_fs_alias)
{
	open_ok();
	ck_assert_int_eq(kmod_load_fs(&k, "ext4"), 0);
	ck_assert_str_eq(fake_log(), EXT4_CHAIN);
	/* "overlayx" is listed, "overlay" is not: whole names only. */
	ck_assert_int_eq(kmod_load_fs(&k, "overlay"), 0);
	ck_assert_str_eq(fake_log(), EXT4_CHAIN FINIT "kernel/fs/overlayfs/overlay.ko\n");
}
END_TEST

START_TEST(test_fs_no_alias)
{
	open_ok();
	ck_assert_int_eq(kmod_load_fs(&k, "btrfs"), -ENOENT);
	ck_assert_uint_eq(fake_count("finit_module"), 0);
}
END_TEST

START_TEST(test_fs_no_proc)
{
	/* Without /proc/filesystems the alias is still loaded; loading twice is harmless. */
	fake_fail_path("read_file", "/proc/filesystems", ENOENT);
	open_ok();
	ck_assert_int_eq(kmod_load_fs(&k, "ext3"), 0);
	ck_assert_int_eq(kmod_load_fs(&k, "ext4"), 0);
	ck_assert_str_eq(fake_log(), EXT4_CHAIN);
}
END_TEST

Suite *kmod_suite(void)
{
	Suite *s = suite_create("kmod");
	TCase *p = tcase_create("parse");
	TCase *l = tcase_create("load");

	tcase_add_test(p, test_normalise);
	tcase_add_test(p, test_dep_find);
	tcase_add_test(p, test_dep_find_compressed);
	tcase_add_test(p, test_alias_find);
	tcase_add_test(p, test_alias_find_malformed);
	tcase_add_test(p, test_conf_each);
	suite_add_tcase(s, p);

	tcase_add_checked_fixture(l, setup, teardown);
	tcase_add_test(l, test_open_missing_dep);
	tcase_add_test(l, test_open_optional_missing);
	tcase_add_test(l, test_open_reads_dep_only);
	tcase_add_test(l, test_load_order);
	tcase_add_test(l, test_load_dedupe);
	tcase_add_test(l, test_load_dep_first);
	tcase_add_test(l, test_load_builtin);
	tcase_add_test(l, test_load_sys_module_when_full);
	tcase_add_test(l, test_load_eexist);
	tcase_add_test(l, test_load_unknown);
	tcase_add_test(l, test_load_missing_file);
	tcase_add_test(l, test_load_dep_unknown);
	tcase_add_test(l, test_load_dep_fails);
	tcase_add_test(l, test_load_dash_underscore);
	tcase_add_test(l, test_load_alias);
	tcase_add_test(l, test_load_compressed);
	tcase_add_test(l, test_load_cycle);
	tcase_add_test(l, test_load_name_too_long);
	tcase_add_test(l, test_load_list);
	tcase_add_test(l, test_conf_dir);
	tcase_add_test(l, test_conf_dir_missing);
	tcase_add_test(l, test_conf_dir_unreadable);
	tcase_add_test(l, test_fs_listed);
	tcase_add_test(l, test_fs_alias);
	tcase_add_test(l, test_fs_no_alias);
	tcase_add_test(l, test_fs_no_proc);
	suite_add_tcase(s, l);
	return s;
}
