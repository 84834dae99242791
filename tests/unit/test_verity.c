/* verity.c's parsers and the table line; the stage on the fake is test_verity_stage.c. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "overroot/verity.h"
#include "suites.h"
#include "verity_fixture.h"

static char err[256], warned[1024];

static void warn(const char *msg)
{
	snprintf(warned + strlen(warned), sizeof(warned) - strlen(warned), "%s\n", msg);
}

START_TEST(test_env_meta_security)
{
	struct verity_cfg c;
	char table[1024];
	uint64_t sectors;

	verity_defaults(&c);
	ck_assert_int_eq(verity_parse_env(&c, VF_ENV_SAME, err, sizeof(err)), 0);
	ck_assert_str_eq(c.root_hash, VF_HASH);
	ck_assert_uint_eq(c.data_block_size, 1024);
	ck_assert_uint_eq(c.data_blocks, 65536);
	ck_assert_uint_eq(c.hash_offset, 67108864);
	ck_assert(!c.separate_hash);
	ck_assert_int_eq(verity_table(&c, "/dev/vda2", "/dev/vda2", table, sizeof(table),
				      &sectors), 0);
	/* the tree after the data: (67108864 + 512) / 4096 rounded up */
	ck_assert_str_eq(table, "1 /dev/vda2 /dev/vda2 1024 4096 65536 16385 sha256 " VF_HASH
			 " " VF_SALT);
	ck_assert_uint_eq(sectors, 131072);
}
END_TEST

START_TEST(test_env_separate_bytes_suffix)
{
	struct verity_cfg c;
	char table[1024];
	uint64_t sectors;

	verity_defaults(&c);
	ck_assert_int_eq(verity_parse_env(&c, VF_ENV_SEPARATE, err, sizeof(err)), 0);
	ck_assert(c.separate_hash);
	ck_assert_uint_eq(c.data_block_size, 4096);	/* "4096 [bytes]" */
	ck_assert_uint_eq(c.hash_block_size, 4096);	/* "4096[bytes]" */
	ck_assert_str_eq(c.rhash_uuid, VF_RHASH_UUID);
	ck_assert_str_eq(c.root_uuid, VF_ROOT_UUID);
	ck_assert_int_eq(verity_table(&c, "/dev/vda2", "/dev/vda4", table, sizeof(table),
				      &sectors), 0);
	ck_assert_str_eq(table, "1 /dev/vda2 /dev/vda4 4096 4096 16384 1 sha256 " VF_HASH " "
			 VF_SALT);
}
END_TEST

START_TEST(test_env_default_block_size_and_crlf)
{
	struct verity_cfg c;

	verity_defaults(&c);
	ck_assert_int_eq(verity_parse_env(&c, "# made by hand\r\nROOT_HASH=" VF_HASH "\r\n"
					  "DATA_SIZE=1048576\r\n\r\nHASH_BLOCKS=9\n", err,
					  sizeof(err)), 0);
	ck_assert_uint_eq(c.data_block_size, 1024);
	ck_assert_uint_eq(c.given & VG_DBS, 0);	/* the superblock's then */
}
END_TEST

START_TEST(test_env_malformed)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "ROOT_HASH=" VF_HASH "\nDATA_SIZE=4096\njunk\n", "line 3: not KEY=VALUE" },
		{ "root_hash=" VF_HASH "\n", "line 1: not KEY=VALUE" },
		{ " ROOT_HASH=" VF_HASH "\n", "line 1: not KEY=VALUE" },
		{ "ROOT_HASH=xyz\n", "line 1: ROOT_HASH=xyz is not a hex root hash" },
		{ "ROOT_HASH=" VF_HASH "\nDATA_BLOCK_SIZE=abc\n",
		  "line 2: DATA_BLOCK_SIZE=abc is not a valid number" },
		{ "DATA_BLOCK_SIZE=1000\n", "line 1: DATA_BLOCK_SIZE=1000 is not a valid number" },
		{ "DATA_SIZE=4096 [kbytes]\n", "line 1: DATA_SIZE=4096 [kbytes] is not a valid number" },
		{ "DATA_SIZE=100\n", "line 1: DATA_SIZE=100 is not a valid number" },
		{ "SALT=-\nSEPARATE_HASH=yes\n", "line 2: SEPARATE_HASH=yes is not 0 or 1" },
		{ "RHASH_UUID=1234\n", "line 1: RHASH_UUID=1234 is not a UUID" },
		{ "DATA_SIZE=4096\n", "no ROOT_HASH" },
		{ "ROOT_HASH=" VF_HASH "\n", "no DATA_SIZE (the hash offset) and no SEPARATE_HASH=1" },
		{ "ROOT_HASH=" VF_HASH "\nSEPARATE_HASH=1\n", "SEPARATE_HASH=1 without RHASH_UUID" },
		{ "", "no ROOT_HASH" },
	};
	struct verity_cfg c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		verity_defaults(&c);
		err[0] = '\0';
		ck_assert_int_eq(verity_parse_env(&c, bad[i].text, err, sizeof(err)), -EINVAL);
		ck_assert_str_eq(err, bad[i].why);
	}
}
END_TEST

START_TEST(test_options)
{
	struct verity_cfg c;
	char table[1024];
	uint64_t sectors;

	verity_defaults(&c);
	warned[0] = '\0';
	ck_assert_int_eq(verity_parse_options(&c, "superblock=no,format=1,data-block-size=4096,"
		"hash-block-size=4096,data-blocks=256,hash-offset=1048576,salt=-,hash=sha256,"
		"panic-on-corruption,ignore-zero-blocks,check-at-most-once,,fec-roots=2,uuid=x,"
		"ignore-zero-blocks=1", warn, err, sizeof(err)), 0);
	ck_assert_str_eq(warned, "systemd.verity_root_options: unknown option fec-roots=2: ignored\n"
			 "systemd.verity_root_options: unknown option uuid=x: ignored\n"
			 "systemd.verity_root_options: unknown option ignore-zero-blocks=1: ignored\n");
	ck_assert(!c.superblock);
	ck_assert_int_eq(c.on_corruption, VERITY_PANIC);
	ck_assert_int_eq(verity_set_hash(&c, VF_HASH), 0);
	ck_assert_int_eq(verity_table(&c, "/dev/vda2", "/dev/vda2", table, sizeof(table),
				      &sectors), 0);
	ck_assert_str_eq(table, "1 /dev/vda2 /dev/vda2 4096 4096 256 256 sha256 " VF_HASH " - "
			 "3 panic_on_corruption ignore_zero_blocks check_at_most_once");
	ck_assert_uint_eq(sectors, 2048);
	verity_defaults(&c);
	ck_assert_int_eq(verity_parse_options(&c, "restart-on-corruption", warn, err,
					      sizeof(err)), 0);
	ck_assert_int_eq(c.on_corruption, VERITY_RESTART);
	ck_assert_int_eq(verity_parse_options(&c, "ignore-corruption", warn, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "ignore-corruption: only one of the *-corruption options");
	static const char *const bad[] = { "data-block-size=4095", "superblock=maybe",
		"hash-offset=513", "format=2", "salt=zz", "hash=SHA 256", "data-blocks=0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		verity_defaults(&c);
		ck_assert_int_eq(verity_parse_options(&c, bad[i], warn, err, sizeof(err)), -EINVAL);
		ck_assert(strstr(err, "bad value"));
	}
}
END_TEST

START_TEST(test_superblock)
{
	struct verity_cfg c;
	unsigned char sb[VERITY_SB_SIZE];

	verity_defaults(&c);
	vf_superblock(sb, 1024, 4096, 65536);
	ck_assert_int_eq(verity_check_sb(&c, sb, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.data_block_size, 1024);
	ck_assert_uint_eq(c.data_blocks, 65536);
	ck_assert_str_eq(c.salt, VF_SALT);
	/* what was given must agree */
	verity_defaults(&c);
	ck_assert_int_eq(verity_parse_options(&c, "data-block-size=4096", NULL, err, sizeof(err)),
			 0);
	ck_assert_int_eq(verity_check_sb(&c, sb, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "data block size 1024, not 4096");
	verity_defaults(&c);
	ck_assert_int_eq(verity_parse_options(&c, "salt=00", NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(verity_check_sb(&c, sb, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "salt " VF_SALT ", not 00");
	verity_defaults(&c);
	ck_assert_int_eq(verity_parse_options(&c, "hash=sha1", NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(verity_check_sb(&c, sb, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "hash sha256, not sha1");
	sb[8] = 2;
	ck_assert_int_eq(verity_check_sb(&c, sb, err, sizeof(err)), -EINVAL);
	sb[0] = 'V';
	ck_assert_int_eq(verity_check_sb(&c, sb, err, sizeof(err)), -ENODATA);
}
END_TEST

START_TEST(test_partuuid_and_kernel_table)
{
	char uuid[37];
	struct verity_state st;

	ck_assert_int_eq(verity_partuuid(VF_HASH, false, uuid), 0);
	ck_assert_str_eq(uuid, VF_ROOT_UUID);
	ck_assert_int_eq(verity_partuuid(VF_HASH, true, uuid), 0);
	ck_assert_str_eq(uuid, VF_RHASH_UUID);
	ck_assert_int_eq(verity_partuuid("abcd", false, uuid), -EINVAL);
	ck_assert_int_eq(verity_parse_table("1 254:2 254:3 4096 4096 256 1 sha256 " VF_HASH " - 2 "
					    "ignore_zero_blocks restart_on_corruption", &st), 0);
	ck_assert_str_eq(st.data, "254:2");
	ck_assert_str_eq(st.hash, "254:3");
	ck_assert_str_eq(st.root_hash, VF_HASH);
	ck_assert_int_eq(st.on_corruption, VERITY_RESTART);
	ck_assert_int_eq(verity_parse_table("0 254:2 254:3 4096", &st), -EINVAL);
	ck_assert_int_eq(verity_parse_table("2 a b 1 1 1 1 sha256 " VF_HASH " -", &st), -EINVAL);
}
END_TEST

Suite *verity_suite(void)
{
	Suite *s = suite_create("verity");
	TCase *t = tcase_create("parse");

	tcase_add_test(t, test_env_meta_security);
	tcase_add_test(t, test_env_separate_bytes_suffix);
	tcase_add_test(t, test_env_default_block_size_and_crlf);
	tcase_add_test(t, test_env_malformed);
	tcase_add_test(t, test_options);
	tcase_add_test(t, test_superblock);
	tcase_add_test(t, test_partuuid_and_kernel_table);
	suite_add_tcase(s, t);
	verity_stage_tests(s);
	return s;
}
