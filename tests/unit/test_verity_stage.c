/* The verity stage on the fake: both conventions, both layouts, discovery by PARTUUID, and
 * every fatal path, none of which ever mounts the raw data device. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/stages.h"
#include "overroot/verity.h"
#include "verity_fixture.h"

#define OFFSET 67108864ull
/* the options last, so that a test can add some */
#define SYSTEMD_SAME "roothash=" VF_HASH " root=/dev/mapper/root rootrw=/dev/vda3 " \
	"systemd.verity_root_data=/dev/vda2 systemd.verity_root_hash=/dev/vda2 " \
	"systemd.verity_root_options=hash-offset=67108864"

static void le(unsigned char *p, unsigned long long v, int bytes)
{
	for (int i = 0; i < bytes; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

void vf_superblock(unsigned char sb[512], unsigned dbs, unsigned hbs, unsigned long long blocks)
{
	memset(sb, 0, 512);
	memcpy(sb, "verity\0\0", 8);
	le(sb + 8, 1, 4);
	le(sb + 12, 1, 4);
	memcpy(sb + 32, "sha256", 6);
	le(sb + 64, dbs, 4);
	le(sb + 68, hbs, 4);
	le(sb + 72, blocks, 8);
	le(sb + 80, 2, 2);
	sb[88] = 0x5e;
	sb[89] = 0xed;
}

static void sb_at(const char *dev, unsigned long long at, unsigned dbs, unsigned long long n)
{
	unsigned char sb[512];

	vf_superblock(sb, dbs, 4096, n);
	fake_dm_bytes(dev, at, sb, sizeof(sb));
}

static void setup_with(const char *cmdline)
{
	boot_setup(cmdline);
	boot_capture_log();
	fake_dm_good_hash(VF_HASH);
}

static const char *status(void)
{
	return fake_content("/run/overroot/status");
}

/* Never the raw data device: not mounted, not even tried. */
static void raw_never_mounted(const char *raw)
{
	char line[64];

	snprintf(line, sizeof(line), "mount %s ", raw);
	assert_absent(line);
}

START_TEST(test_systemd_same_device)
{
	const struct stage *failed;

	setup_with(SYSTEMD_SAME);
	sb_at("/dev/vda2", OFFSET, 1024, 65536);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = {
		"blk_set_ro /dev/vda2 1",
		"read_at /dev/vda2 67108864 512",
		"dm create root",
		"dm load root ro 131072 verity 1 /dev/vda2 /dev/vda2 1024 4096 65536 16385 sha256 "
		VF_HASH " " VF_SALT,
		"dm resume root",
		"mknod /dev/mapper/root 253:0",
		"read_at /dev/mapper/root 0 1024",
		"dm status root",
		"mount /dev/mapper/root /rootfs ext4 0x1 \"noload\"",
		"mount /dev/vda3 /overlay ext4",
		"mount /rootfs /overlay/rofs",
		"execv /sbin/init",
		NULL };
	assert_in_order(want);
	raw_never_mounted("/dev/vda2");
	ck_assert_ptr_nonnull(strstr(status(), "verity=overroot\nverity_device=/dev/mapper/root\n"
		"verity_data_device=/dev/vda2\nverity_hash_device=/dev/vda2\nverity_root_hash="
		VF_HASH "\nverity_on_corruption=eio\nverity_status=verified\n"));
	ck_assert_ptr_nonnull(strstr(status(), "root_device=/dev/mapper/root\n"));
	ck_assert_ptr_nonnull(strstr(status(), "mode=overlay\n"));
}
END_TEST

START_TEST(test_meta_security_same_partition)
{
	const struct stage *failed;

	setup_with("root=/dev/vda2 rootrw=/dev/vda3");
	fake_file(VERITY_ENV, VF_ENV_SAME, 0644);
	sb_at("/dev/vda2", OFFSET, 1024, 65536);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(fake_log(), "dm load root ro 131072 verity 1 /dev/vda2 "
				     "/dev/vda2 1024 4096 65536 16385 sha256"));
	ck_assert_ptr_nonnull(strstr(fake_log(), "mount /dev/mapper/root /rootfs ext4 0x1"));
	raw_never_mounted("/dev/vda2");
	ck_assert_ptr_nonnull(strstr(status(), "verity=overroot\n"));
	/* the root's identity is read from the verified device */
	ck_assert_ptr_nonnull(strstr(fake_log(), "probe /dev/mapper/root"));
	assert_absent("probe /dev/vda2 1");
}
END_TEST

START_TEST(test_meta_security_separate_hash)
{
	const struct stage *failed;
	static const struct blkinfo hash_info = { .partuuid = VF_RHASH_UUID };

	setup_with("root=/dev/vda2 rootrw=/dev/vda3");
	fake_blk("vda4", 254, 4, &hash_info);
	fake_file(VERITY_ENV, VF_ENV_SEPARATE, 0644);
	sb_at("/dev/vda4", 0, 4096, 16384);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = {
		"blk_set_ro /dev/vda2 1", "blk_set_ro /dev/vda4 1", "read_at /dev/vda4 0 512",
		"dm load root ro 131072 verity 1 /dev/vda2 /dev/vda4 4096 4096 16384 1 sha256",
		"mount /dev/mapper/root /rootfs ext4 0x1 \"noload\"", NULL };
	assert_in_order(want);
	ck_assert_ptr_nonnull(strstr(status(), "verity_hash_device=/dev/vda4\n"));
}
END_TEST

START_TEST(test_partuuid_discovery)
{
	const struct stage *failed;
	static const struct blkinfo data = { .type = "ext4", .uuid = "5555",
					     .partuuid = VF_ROOT_UUID };
	static const struct blkinfo hash = { .partuuid = VF_RHASH_UUID };

	setup_with("roothash=" VF_HASH " rootrw=/dev/vda3 systemd.verity_root_options="
		   "restart-on-corruption,fec-roots=2");
	fake_blk("vdb1", 254, 17, &data);
	fake_blk("vdb2", 254, 18, &hash);
	sb_at("/dev/vdb2", 0, 4096, 16384);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(fake_log(), "dm load root ro 131072 verity 1 /dev/vdb1 "
				     "/dev/vdb2 4096 4096 16384 1 sha256 " VF_HASH " " VF_SALT
				     " 1 restart_on_corruption"));
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "data device PARTUUID=" VF_ROOT_UUID
				     " (roothash's first 128 bits) is /dev/vdb1"));
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "systemd.verity_root_options: unknown option "
				     "fec-roots=2: ignored"));
	ck_assert_ptr_nonnull(strstr(status(), "verity_on_corruption=restart\n"));
	raw_never_mounted("/dev/vdb1");
}
END_TEST

START_TEST(test_wrong_hash_is_fatal)
{
	const struct stage *failed = NULL;

	setup_with("rootrwfallback=tmpfs " SYSTEMD_SAME);
	sb_at("/dev/vda2", OFFSET, 1024, 65536);
	fake_dm_good_hash(VF_BAD_HASH);	/* the data is another image's */
	ck_assert_int_lt(boot(&failed), 0);
	ck_assert_ptr_eq(failed, &stage_verity);
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "roothash=" VF_HASH ": root hash mismatch: "
				     "/dev/mapper/root (data /dev/vda2, hash /dev/vda2) does not "
				     "read: Input/output error: not booting it unverified"));
	ck_assert_ptr_nonnull(strstr(fake_log(), "dm remove root"));
	raw_never_mounted("/dev/vda2");
	raw_never_mounted("/dev/mapper/root");
	assert_absent("execv");
}
END_TEST

START_TEST(test_env_wrong_hash_names_the_file)
{
	const struct stage *failed;

	setup_with("root=/dev/vda2 rootrw=/dev/vda3");
	fake_file(VERITY_ENV, VF_ENV_SAME, 0644);
	sb_at("/dev/vda2", OFFSET, 1024, 65536);
	fake_dm_good_hash(VF_BAD_HASH);
	ck_assert_int_lt(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), VERITY_ENV ": ROOT_HASH=" VF_HASH
				     ": root hash mismatch"));
	raw_never_mounted("/dev/vda2");
}
END_TEST

START_TEST(test_corruption_seen_is_fatal_at_boot)
{
	const struct stage *failed;

	setup_with(SYSTEMD_SAME);
	sb_at("/dev/vda2", OFFSET, 1024, 65536);
	fake_dm_corrupt(true);
	ck_assert_int_lt(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "root hash mismatch: /dev/mapper/root (data "
				     "/dev/vda2, hash /dev/vda2) reads, but the kernel saw "
				     "corruption"));
	raw_never_mounted("/dev/vda2");
}
END_TEST

START_TEST(test_missing_hash_device_waits_then_fatal)
{
	const struct stage *failed;

	setup_with("roothash=" VF_HASH " root=/dev/vda2 systemd.verity_root_hash=/dev/vdz9 "
		   "roottimeout=2 rootrw=/dev/vda3 rootrwfallback=ro");
	uint64_t t0 = fake_now();
	ck_assert_int_lt(boot(&failed), 0);
	ck_assert_ptr_eq(failed, &stage_verity);
	ck_assert_uint_ge(fake_now() - t0, 2000);
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "hash device /dev/vdz9 (systemd.verity_root_hash) "
				     "not found after 2 s: the root cannot be verified: not "
				     "booting it unverified; block devices present:"));
	raw_never_mounted("/dev/vda2");
	assert_absent("dm create");
}
END_TEST

START_TEST(test_malformed_env_is_fatal)
{
	const struct stage *failed;

	setup_with("root=/dev/vda2 rootrw=/dev/vda3");
	fake_file(VERITY_ENV, "ROOT_HASH=" VF_HASH "\nDATA_SIZE=4096\nDATA_BLOCK_SIZE=abc\n",
		  0644);
	ck_assert_int_lt(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "malformed " VERITY_ENV ": line 3: "
				     "DATA_BLOCK_SIZE=abc is not a valid number: not booting it "
				     "unverified"));
	raw_never_mounted("/dev/vda2");
}
END_TEST

START_TEST(test_superblock_disagrees_is_fatal)
{
	const struct stage *failed;

	setup_with(SYSTEMD_SAME ",data-block-size=4096");
	sb_at("/dev/vda2", OFFSET, 1024, 65536);
	ck_assert_int_lt(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "verity superblock on /dev/vda2 at 67108864: "
				     "data block size 1024, not 4096: not booting it unverified"));
	boot_teardown();
	setup_with(SYSTEMD_SAME);	/* no superblock there */
	ck_assert_int_lt(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "no verity superblock on /dev/vda2 at "
				     "67108864"));
	raw_never_mounted("/dev/vda2");
}
END_TEST

START_TEST(test_no_superblock_needs_data_blocks)
{
	const struct stage *failed;

	setup_with(SYSTEMD_SAME ",superblock=no,data-blocks=16384");
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(fake_log(), "dm load root ro 131072 verity 1 /dev/vda2 "
				     "/dev/vda2 4096 4096 16384 16384 sha256 " VF_HASH " -"));
	assert_absent("read_at /dev/vda2");
	boot_teardown();
	setup_with(SYSTEMD_SAME ",superblock=no");
	ck_assert_int_lt(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "the number of data blocks is unknown"));
}
END_TEST

START_TEST(test_verity_no_says_not_verified)
{
	const struct stage *failed;

	setup_with("roothash=" VF_HASH " root=/dev/vda2 rootrw=/dev/vda3 rd.systemd.verity=no");
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "<4>overroot: [verity] systemd.verity=no: "
				     "dm-verity is NOT set up: the root is NOT verified"));
	ck_assert_ptr_nonnull(strstr(fake_log(), "mount /dev/vda2 /rootfs"));
	ck_assert_ptr_nonnull(strstr(status(), "verity=off\n"));
	assert_absent("dm create");
}
END_TEST

START_TEST(test_no_verity_asked_costs_one_read)
{
	const struct stage *failed;

	setup_with("root=/dev/vda2 rootrw=/dev/vda3");
	ck_assert_int_eq(boot(&failed), 0);
	assert_absent("dm ");
	ck_assert_ptr_nonnull(strstr(status(), "verity=off\n"));
}
END_TEST

#define KTABLE "1 254:2 254:4 4096 4096 256 1 sha256 " VF_HASH " - 1 panic_on_corruption"

START_TEST(test_kernel_dm_mod_create)
{
	const struct stage *failed;
	static const struct blkinfo dm_info = { .type = "ext4", .uuid = "1111" };

	boot_setup_noinitramfs("root=/dev/dm-0 rootrw=/dev/vda3 init=/usr/sbin/overroot "
			       "dm-mod.create=\"vroot,,,ro,0 2048 verity " KTABLE "\"", false);
	fake_kernel_root(253, 0, false);
	fake_blk("vda4", 254, 4, NULL);
	fake_dm_kernel_dev("vroot", 0, KTABLE);
	*fake_blk_node("/dev/dm-0", 0, 0, false) = dm_info;
	fake_dm_good_hash(VF_HASH);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "dm status dev 253", "blk_set_ro /dev/vda2 1",
		"blk_set_ro /dev/vda4 1", "dm status dev 253", "blk_set_ro /dev/dm-0 1",
		"execv /sbin/init", NULL };
	assert_in_order(want);
	ck_assert_ptr_nonnull(strstr(status(), "verity=kernel\nverity_device=/dev/dm-0\n"
		"verity_data_device=/dev/vda2\nverity_hash_device=/dev/vda4\nverity_root_hash="
		VF_HASH "\nverity_on_corruption=panic\nverity_status=verified\n"));
	assert_absent("dm create");
}
END_TEST

START_TEST(test_cli_asks_the_kernel)
{
	booted("mode=overlay\nverity=overroot\nverity_device=/dev/mapper/root\n"
	       "verity_data_device=/dev/vda2\nverity_hash_device=/dev/vda2\n"
	       "verity_root_hash=" VF_HASH "\nverity_on_corruption=eio\nverity_status=verified\n");
	fake_dm_kernel_dev("root", 0, KTABLE);
	fake_blk_node("/dev/mapper/root", 253, 0, true);
	fake_dm_good_hash(VF_HASH);
	ck_assert_int_eq(run_cli("status", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out_text, "verity:   verified (dm-verity by overroot on "
				     "/dev/mapper/root: data /dev/vda2, hash /dev/vda2, root hash "
				     VF_HASH ", bad blocks: eio)\n"));
	fake_dm_corrupt(true);	/* a bad block read since boot */
	ck_assert_int_eq(run_cli("status", "--json", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out_text, "\"verity_status\":\"corrupted\""));
	fake_remove("/dev/mapper/root");
	ck_assert_int_eq(run_cli("status", "--json", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out_text, "\"verity_status\":\"unknown\""));
}
END_TEST

void verity_stage_tests(Suite *s)
{
	TCase *t = tcase_create("stage");

	tcase_add_checked_fixture(t, NULL, boot_teardown);
	tcase_add_test(t, test_systemd_same_device);
	tcase_add_test(t, test_meta_security_same_partition);
	tcase_add_test(t, test_meta_security_separate_hash);
	tcase_add_test(t, test_partuuid_discovery);
	tcase_add_test(t, test_wrong_hash_is_fatal);
	tcase_add_test(t, test_env_wrong_hash_names_the_file);
	tcase_add_test(t, test_corruption_seen_is_fatal_at_boot);
	tcase_add_test(t, test_missing_hash_device_waits_then_fatal);
	tcase_add_test(t, test_malformed_env_is_fatal);
	tcase_add_test(t, test_superblock_disagrees_is_fatal);
	tcase_add_test(t, test_no_superblock_needs_data_blocks);
	tcase_add_test(t, test_verity_no_says_not_verified);
	tcase_add_test(t, test_no_verity_asked_costs_one_read);
	tcase_add_test(t, test_kernel_dm_mod_create);
	tcase_add_test(t, test_cli_asks_the_kernel);
	suite_add_tcase(s, t);
}
