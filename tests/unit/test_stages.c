/* The boot as a whole, on the fake sys layer: the exact sequence of side effects, and
 * every failure path of rootfs and switchroot (nothing deleted before the checks pass). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/boot.h"
#include "overroot/log.h"
#include "overroot/stages.h"
#include "suites.h"

START_TEST(test_boot_readonly_sequence)
{
	const struct stage *failed;

	boot_setup("console=ttyAMA0 root=/dev/vda2 quiet\n");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = {
		"mount proc /proc proc 0xe \"\"",
		"mount sysfs /sys sysfs 0xe \"\"",
		"mount devtmpfs /dev devtmpfs 0x2 \"mode=0755\"",
		"mount tmpfs /run tmpfs 0x1000006 \"mode=0755\"",	/* +strictatime */
		"open_console /dev/console",
		"write_file /proc/sys/kernel/printk_devkmsg 3",
		"finit_module /lib/modules/6.1.0-test/kernel/virtio_blk.ko",
		"mount /dev/vda2 /rootfs ext4 0x1 \"\"",
		"mount /dev /rootfs/dev - 0x2000 \"\"",
		"mount /proc /rootfs/proc - 0x2000 \"\"",
		"mount /sys /rootfs/sys - 0x2000 \"\"",
		"mount /run /rootfs/run - 0x2000 \"\"",
		"chdir /rootfs",
		"remove_tree /",
		"pivot_root . .",
		"umount . 0x2",
		"chdir /",
		"open_console /dev/console",
		"write_file /proc/sys/kernel/printk_devkmsg 10",
		"execv /sbin/init [/sbin/init] [one] [two words]",
		NULL };
	assert_in_order(want);
	assert_absent("uevent_open");	/* the device was there: no listener */
	ck_assert_str_eq(ctx.root_dev, "/dev/vda2");
	ck_assert_str_eq(ctx.root_type, "ext4");
	/* no rootrw: no overlayroot, and no handback (nothing for systemd to take apart) */
	ck_assert_uint_eq(ctx.stages_done, stages_count - 2);
	ck_assert_str_eq(ctx.stage_names[0], "early");
}
END_TEST

START_TEST(test_boot_by_label_with_rootflags)
{
	const struct stage *failed;

	boot_setup("root=LABEL=root rootflags=noatime,data=ordered rootfstype=ext4 init=/bin/sh");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = {
		"mount /dev/vda2 /rootfs ext4 0x401 \"data=ordered\"",
		"execv /bin/sh [/bin/sh] [one] [two words]", NULL };
	assert_in_order(want);
}
END_TEST

START_TEST(test_rw_without_overlay)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rw");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "mount /dev/vda2 /rootfs ext4 0x0 \"\"", NULL };
	assert_in_order(want);
}
END_TEST

START_TEST(test_no_root)
{
	const struct stage *failed;

	boot_setup("console=ttyAMA0");
	ck_assert_int_eq(boot(&failed), -EINVAL);
	ck_assert_str_eq(failed->name, "rootfs");
	ck_assert_ptr_null(strstr(fake_log(), "/rootfs ext4"));
	ck_assert_ptr_null(strstr(fake_log(), "remove_tree"));
}
END_TEST

START_TEST(test_bad_root_spec)
{
	const struct stage *failed;

	boot_setup("root=FOO=bar");
	ck_assert_int_eq(boot(&failed), -EINVAL);
	ck_assert_str_eq(failed->name, "rootfs");
	ck_assert_uint_eq(fake_count("uevent_wait"), 0);
}
END_TEST

START_TEST(test_missing_root_times_out)
{
	const struct stage *failed;

	boot_setup("root=/dev/vdz9 roottimeout=2");
	uint64_t t0 = fake_now();
	ck_assert_int_eq(boot(&failed), -ENODEV);
	ck_assert_str_eq(failed->name, "rootfs");
	ck_assert_uint_ge(fake_now() - t0, 2000);
	ck_assert_uint_lt(fake_now() - t0, 2100);
	ck_assert_ptr_null(strstr(fake_log(), "remove_tree"));
}
END_TEST

START_TEST(test_root_mount_fails)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2");
	fake_fail_path("mount", "/rootfs", EINVAL);
	ck_assert_int_eq(boot(&failed), -EINVAL);
	ck_assert_str_eq(failed->name, "rootfs");
	assert_absent("probe /dev/vda2 1\nprobe");	/* a probed type is not probed again */
}
END_TEST

START_TEST(test_wrong_rootfstype_says_what_is_there)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootfstype=xfs");
	fake_fail_path("mount", "/rootfs", ENODEV);
	ck_assert_int_eq(boot(&failed), -ENODEV);
	/* the type was typed: no probe before the mount, one after it failed */
	static const char *const want[] = { "mount /dev/vda2 /rootfs xfs", "probe /dev/vda2 1",
					    NULL };
	assert_in_order(want);
	ck_assert_uint_eq(fake_count("probe"), 1);
}
END_TEST

START_TEST(test_root_without_filesystem)
{
	const struct stage *failed;
	struct blkinfo blank = { 0 };

	boot_setup("root=/dev/vda3");
	fake_blk("vda3", 254, 3, &blank);
	ck_assert_int_eq(boot(&failed), -ENOMEDIUM);
	ck_assert_ptr_null(strstr(fake_log(), "mount /dev/vda3"));
}
END_TEST

START_TEST(test_missing_init_keeps_initramfs)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 init=/sbin/nope");
	ck_assert_int_eq(boot(&failed), -ENOENT);
	ck_assert_str_eq(failed->name, "switchroot");
	ck_assert_ptr_null(strstr(fake_log(), "remove_tree"));
	ck_assert_ptr_null(strstr(fake_log(), "MS_MOVE"));
	ck_assert_ptr_null(strstr(fake_log(), "0x2000"));
	ck_assert_uint_eq(fake_count("execv"), 0);
}
END_TEST

START_TEST(test_init_not_executable)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2");
	fake_file("/rootfs/sbin/init", "", 0644);
	ck_assert_int_eq(boot(&failed), -EACCES);
	ck_assert_ptr_null(strstr(fake_log(), "remove_tree"));
}
END_TEST

START_TEST(test_init_is_a_directory)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 init=/sbin");
	ck_assert_int_eq(boot(&failed), -EISDIR);
	ck_assert_ptr_null(strstr(fake_log(), "remove_tree"));
}
END_TEST

START_TEST(test_not_pid1)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2");
	fake_set_pid(42);
	ck_assert_int_eq(boot(&failed), -EPERM);
	ck_assert_ptr_null(strstr(fake_log(), "remove_tree"));
}
END_TEST

START_TEST(test_pivot_root_refused_falls_back)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2");
	fake_fail("pivot_root", 1, EINVAL);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "remove_tree /", "pivot_root . .",
					    "mount . / - 0x2000 \"\"", "chroot .", "chdir /",
					    "execv /sbin/init", NULL };
	assert_in_order(want);
}
END_TEST

START_TEST(test_readonly_root_without_run)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2");
	fake_remove("/rootfs/run");
	ck_assert_int_eq(boot(&failed), 0);
	/* the root is read-only: no mkdir there, /run is let go, the boot goes on */
	static const char *const want[] = { "mkdir /rootfs/run 0755", "umount /run 0x2",
					    "remove_tree /", "execv /sbin/init", NULL };
	assert_in_order(want);
	ck_assert(!fake_exists("/rootfs/run"));
	ck_assert_ptr_null(strstr(fake_log(), "mount /run /rootfs/run"));
}
END_TEST

START_TEST(test_root_without_dev_is_fatal_before_wipe)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2");
	fake_remove("/rootfs/dev");
	ck_assert_int_eq(boot(&failed), -EROFS);
	ck_assert_ptr_null(strstr(fake_log(), "remove_tree"));
}
END_TEST

START_TEST(test_modules_missing_is_not_fatal)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rd.modules-load=nosuchmod");
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(fake_log(), "execv /sbin/init"));
}
END_TEST

START_TEST(test_early_mount_failure_is_fatal)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2");
	fake_fail_path("mount", "/dev", ENODEV);
	ck_assert_int_eq(boot(&failed), -ENODEV);
	ck_assert_str_eq(failed->name, "early");
}
END_TEST

START_TEST(test_early_mkdir_only_when_missing)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2");
	fake_remove("/run");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "mount tmpfs /run tmpfs", "mkdir /run 0755",
					    "mount tmpfs /run tmpfs", NULL };
	assert_in_order(want);
	assert_absent("mkdir /proc");
	assert_absent("mkdir /dev");
}
END_TEST

START_TEST(test_early_run_failure_is_not_fatal)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2");
	fake_fail_path("mount", "/run", ENOMEM);
	ck_assert_int_eq(boot(&failed), 0);
}
END_TEST

START_TEST(test_fatal_reboot)
{
	boot_setup("init_fatal_reboot");
	ctx.p.fatal_reboot = true;
	boot_fatal_once(&ctx, "test");
	ck_assert_ptr_nonnull(strstr(fake_log(), "reboot 0x1234567"));
	ck_assert_uint_eq(fake_count("run_shell"), 0);
}
END_TEST

START_TEST(test_fatal_shell)
{
	boot_setup("");
	ctx.p.fatal_sh = true;
	boot_fatal_once(&ctx, "test");
	ck_assert_uint_eq(fake_count("run_shell"), 0);	/* the initramfs has no /bin/sh */
	fake_dir("/bin");
	fake_file("/bin/sh", "", 0755);
	boot_fatal_once(&ctx, "test");
	ck_assert_ptr_nonnull(strstr(fake_log(), "run_shell /bin/sh"));
	ck_assert_uint_eq(fake_count("reboot"), 0);
}
END_TEST

START_TEST(test_shell_breakpoint)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 shell");
	ck_assert_int_eq(boot(&failed), 0);
	assert_absent("run_shell");		/* the initramfs has no /bin/sh */
	boot_teardown();
	boot_setup("root=/dev/vda2 shell");
	fake_dir("/bin");
	fake_file("/bin/sh", "", 0755);
	ck_assert_int_eq(boot(&failed), 0);
	/* after every check, before the API mounts move and anything is deleted */
	static const char *const want[] = { "mount /dev/vda2 /rootfs", "run_shell /bin/sh",
					    "mount /dev /rootfs/dev", "remove_tree /",
					    "execv /sbin/init", NULL };
	assert_in_order(want);
}
END_TEST

static int failing_run(struct boot_ctx *c)
{
	return -EIO;
}

static int ok_run(struct boot_ctx *c)
{
	c->sys->sleep_ms(7);
	return 0;
}

static bool never(const struct boot_ctx *c)
{
	return false;
}

START_TEST(test_stage_policies)
{
	const struct stage warn = { "warn", NULL, failing_run, STAGE_WARN };
	const struct stage ok = { "ok", NULL, ok_run, STAGE_FATAL };
	const struct stage off = { "off", never, failing_run, STAGE_FATAL };
	const struct stage fatal = { "fatal", NULL, failing_run, STAGE_FATAL };
	const struct stage *const table[] = { &warn, &off, &ok, &fatal, &ok };
	const struct stage *failed = NULL;

	boot_setup("");
	ck_assert_int_eq(stages_run(&ctx, table, 5, &failed), -EIO);
	ck_assert_ptr_eq(failed, &fatal);
	ck_assert_uint_eq(ctx.stages_done, 3);	/* warn, ok, fatal: "off" never ran */
	ck_assert_str_eq(ctx.stage_names[1], "ok");
	ck_assert_uint_eq(ctx.stage_ms[1], 7);
}
END_TEST

/* A kernel with everything built in and an initramfs without modules (make kernel's bundled
 * Image): one quiet line, no warning; a module asked for all the same is a warning. */
static const char *boot_kmsg(const char *cmdline, bool with_conf)
{
	static char text[16384];
	const struct stage *failed;
	FILE *f = tmpfile();

	boot_setup(cmdline);
	fake_remove("/lib/modules/6.1.0-test/kernel/virtio_blk.ko");
	fake_remove("/lib/modules/6.1.0-test/modules.dep");
	if (!with_conf)
		fake_remove("/etc/modules-load.d/bench.conf");
	log_setup(fileno(f), LOG_LVL_DEBUG);
	ck_assert_int_eq(boot(&failed), 0);
	fflush(f);
	rewind(f);
	text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
	fclose(f);
	return text;
}

START_TEST(test_kmod_builtin_kernel)
{
	const char *log = boot_kmsg("root=/dev/vda2", false);

	ck_assert_ptr_nonnull(strstr(log, "<6>overroot: [kmod] no modules asked for and none in "
				     "/lib/modules/6.1.0-test: the kernel has what the boot needs "
				     "built in"));
	ck_assert_ptr_null(strstr(log, "<4>overroot: [kmod]"));
	assert_absent("finit_module");

	log = boot_kmsg("root=/dev/vda2", true);
	ck_assert_ptr_nonnull(strstr(log, "<4>overroot: [kmod] read /lib/modules/6.1.0-test/"
				     "modules.dep: No such file or directory: no modules will be "
				     "loaded"));
	log = boot_kmsg("root=/dev/vda2 rd.modules-load=ext4", false);
	ck_assert_ptr_nonnull(strstr(log, "no modules will be loaded"));
}
END_TEST

Suite *stages_suite(void)
{
	Suite *s = suite_create("stages");
	TCase *t = tcase_create("boot");

	tcase_add_checked_fixture(t, NULL, boot_teardown);
	tcase_add_test(t, test_boot_readonly_sequence);
	tcase_add_test(t, test_boot_by_label_with_rootflags);
	tcase_add_test(t, test_rw_without_overlay);
	tcase_add_test(t, test_no_root);
	tcase_add_test(t, test_bad_root_spec);
	tcase_add_test(t, test_missing_root_times_out);
	tcase_add_test(t, test_root_mount_fails);
	tcase_add_test(t, test_wrong_rootfstype_says_what_is_there);
	tcase_add_test(t, test_root_without_filesystem);
	tcase_add_test(t, test_missing_init_keeps_initramfs);
	tcase_add_test(t, test_init_not_executable);
	tcase_add_test(t, test_init_is_a_directory);
	tcase_add_test(t, test_not_pid1);
	tcase_add_test(t, test_pivot_root_refused_falls_back);
	tcase_add_test(t, test_readonly_root_without_run);
	tcase_add_test(t, test_root_without_dev_is_fatal_before_wipe);
	tcase_add_test(t, test_modules_missing_is_not_fatal);
	tcase_add_test(t, test_early_mount_failure_is_fatal);
	tcase_add_test(t, test_early_run_failure_is_not_fatal);
	tcase_add_test(t, test_early_mkdir_only_when_missing);
	tcase_add_test(t, test_fatal_reboot);
	tcase_add_test(t, test_fatal_shell);
	tcase_add_test(t, test_stage_policies);
	tcase_add_test(t, test_shell_breakpoint);
	tcase_add_test(t, test_kmod_builtin_kernel);
	suite_add_tcase(s, t);
	return s;
}
