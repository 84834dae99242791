/* The boot counting commands on the fake (cli_heal.c, cli_aside.c): boot-ok, boot-bad,
 * restore and --cancel, their refusals and exit statuses, each write whole or not at all, and
 * the set-aside uppers in `overroot status` and its --json. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/aside.h"
#include "overroot/bootcount.h"
#include "overroot/cli.h"
#include "suites.h"

#define TRIES "/overlay/" BOOTCOUNT_NAME
#define A1 ASIDE_DIR "/1"

static void assert_has(const char *text, const char *s)
{
	ck_assert_msg(strstr(text, s) != NULL, "\"%s\" missing from:\n%s", s, text);
}

/* A booted system counting with rootrwtries=3, two boots unconfirmed, one upper set aside. */
void heal_booted(const char *tries)
{
	char status[1024];

	snprintf(status, sizeof(status), "%stries=%s\n", status_overlay, tries);
	booted(status);
	fake_file(TRIES, "overroot boot 5, unconfirmed 2\n", 0644);
	fake_dir(ASIDE_DIR);
	fake_dir(A1);
	fake_dir(A1 "/upper");
	fake_file(A1 "/upper/big", "0123456789", 0644);
	fake_file(A1 "/" ASIDE_INFO_NAME, "reason=3 unconfirmed boots (rootrwtries=3)\n"
		  "time=1764763200\nboot=4\nfrom=/overlay\n", 0644);
	fake_file(A1 "/.overroot-root", "overroot upper made on root: uuid=1111\n", 0644);
}

START_TEST(test_boot_ok_confirms_once)
{
	heal_booted("2/3");
	ck_assert_int_eq(run_cli("boot-ok", NULL), CLI_OK);
	assert_has(out_text, "overroot boot-ok: boot confirmed: the count of boots in a row not "
		   "confirmed goes from 2 to 0 (of 3)");
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 5, unconfirmed 0\n");
	assert_in_order((const char *const[]){ "write_file " TRIES ".tmp", "fsync " TRIES ".tmp",
					       "rename " TRIES ".tmp " TRIES, "fsync /overlay",
					       NULL });
	ck_assert_int_eq(run_cli("boot-ok", NULL), CLI_OK);
	assert_has(out_text, "overroot boot-ok: already confirmed");
	ck_assert_int_eq(run_cli("boot-ok", "now", NULL), CLI_USAGE);
}
END_TEST

START_TEST(test_boot_ok_refusals)
{
	char status[1024];

	snprintf(status, sizeof(status), "%s", status_overlay);
	*strstr(status, "mode=overlay") = '\0';
	strcat(status, "mode=tmpfs\nupper=/overlay/upper\ntries=tmpfs\n");
	booted(status);
	ck_assert_int_eq(run_cli("boot-ok", NULL), CLI_FAIL);
	assert_has(err_text, "overroot boot-ok: no persistent overlay (mode=tmpfs): nothing to "
		   "confirm");
	booted(NULL);
	ck_assert_int_eq(run_cli("boot-ok", NULL), CLI_USAGE);
	assert_has(err_text, "was this system booted by overroot?");
	heal_booted("2/3");
	fake_cli_set(1000, 1, 0);
	ck_assert_int_eq(run_cli("boot-ok", NULL), CLI_FAIL);
	assert_has(err_text, "only root can do this");
	/* not counted: nothing to do, and that is fine */
	heal_booted("off");
	ck_assert_int_eq(run_cli("boot-ok", NULL), CLI_OK);
	assert_has(out_text, "this boot is not counted (rootrwtries= is not set)");
	ck_assert_int_eq(run_cli("boot-bad", NULL), CLI_FAIL);
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 5, unconfirmed 2\n");
}
END_TEST

START_TEST(test_boot_bad_then_not_ok)
{
	heal_booted("2/3");
	ck_assert_int_eq(run_cli("boot-bad", NULL), CLI_OK);
	assert_has(out_text, "the next boot sets the upper aside");
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 5, unconfirmed 2 bad\n");
	ck_assert_int_eq(run_cli("boot-ok", NULL), CLI_FAIL);
	assert_has(err_text, "this boot was declared bad (overroot boot-bad): not confirmed");
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 5, unconfirmed 2 bad\n");
	ck_assert_int_eq(run_cli("boot-bad", NULL), CLI_OK);
	assert_has(out_text, "already declared bad");
}
END_TEST

START_TEST(test_boot_ok_write_is_whole_or_nothing)
{
	static const char *const kinds[] = { "write_file", "fsync", "rename" };

	for (size_t i = 0; i < 3; i++) {
		heal_booted("2/3");
		fake_fail(kinds[i], 1, EIO);
		ck_assert_int_eq(run_cli("boot-ok", NULL), CLI_FAIL);
		assert_has(err_text, "overroot boot-ok: write /overlay/" BOOTCOUNT_NAME ": "
			   "Input/output error");
		/* the old count, whole (a temporary file left behind is never read) */
		ck_assert_str_eq(fake_content(TRIES), "overroot boot 5, unconfirmed 2\n");
	}
}
END_TEST

/* A data partition full for root too: what the next boot's count keeps in reserve is given
 * back for the confirmation and the restore mark, each written whole; without a reserve the
 * write fails and says why. */
START_TEST(test_full_partition_gives_the_reserve_back)
{
	heal_booted("2/3");
	fake_file(BOOTCOUNT_RESERVE, "reserve 65536", 0600);
	fake_fail("write_file", 1, ENOSPC);
	ck_assert_int_eq(run_cli("boot-ok", NULL), CLI_OK);
	assert_in_order((const char *const[]){ "write_file " TRIES ".tmp",
					       "unlink " BOOTCOUNT_RESERVE, "fsync /overlay",
					       "write_file " TRIES ".tmp", "rename " TRIES ".tmp " TRIES,
					       NULL });
	assert_has(out_text, "the data partition is full: reserve " BOOTCOUNT_RESERVE " given back");
	assert_has(out_text, "boot confirmed");
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 5, unconfirmed 0\n");
	ck_assert(!fake_exists(BOOTCOUNT_RESERVE));

	heal_booted("2/3");
	fake_fail("write_file", 1, ENOSPC);	/* and no reserve left to give back */
	ck_assert_int_eq(run_cli("restore", "1", NULL), CLI_FAIL);
	assert_has(err_text, "write " ASIDE_RESTORE ": No space left on device");
	ck_assert(!fake_exists(ASIDE_RESTORE));
}
END_TEST

START_TEST(test_restore_marks_and_cancels)
{
	heal_booted("2/3");
	ck_assert_int_eq(run_cli("restore", "1", NULL), CLI_OK);
	assert_has(out_text, "the next boot brings back the upper set aside in " A1);
	ck_assert_str_eq(fake_content(ASIDE_RESTORE), ASIDE_RESTORE_HEAD "1\n");
	ck_assert_int_eq(run_cli("status", NULL), CLI_OK);
	assert_has(out_text, "restore:  pending: the next boot brings back " A1);
	ck_assert_int_eq(run_cli("restore", "--cancel", NULL), CLI_OK);
	assert_has(out_text, "cancelled");
	ck_assert(!fake_exists(ASIDE_RESTORE));
	ck_assert_int_eq(run_cli("restore", "--cancel", NULL), CLI_OK);
	assert_has(out_text, "no restore pending");
	ck_assert_int_eq(run_cli("restore", "7", NULL), CLI_FAIL);
	assert_has(err_text, "no set-aside upper 7");
	ck_assert_int_eq(run_cli("restore", "../1", NULL), CLI_USAGE);
	ck_assert_int_eq(run_cli("restore", NULL), CLI_USAGE);
	ck_assert(!fake_exists(ASIDE_RESTORE));
}
END_TEST

START_TEST(test_status_lists_set_aside_uppers)
{
	heal_booted("2/3");
	fake_dir("/overlay/" ROOTID_SLOTS_NAME);
	fake_dir("/overlay/" ROOTID_SLOTS_NAME "/00000000000000ab");
	fake_file("/overlay/" ROOTID_SLOTS_NAME "/00000000000000ab/.overroot-root",
		  "overroot upper made on root: uuid=2222\n", 0644);
	fake_dir(ASIDE_DIR "/2");	/* from before infos: a changed root */
	fake_file(ASIDE_DIR "/2/.overroot-root", "overroot upper made on root: uuid=9\x01\n",
		  0644);
	ck_assert_int_eq(run_cli("status", NULL), CLI_OK);
	assert_has(out_text, "tries:    2/3: boots in a row not confirmed");
	assert_has(out_text, "set aside (" ASIDE_DIR ", 'overroot restore ID' brings one back):\n"
		   "  1: 3 unconfirmed boots (rootrwtries=3); 2025-12-03 12:00 UTC (the clock may "
		   "be wrong), boot 4; root uuid=1111; 1 KiB\n");
	assert_has(out_text, "  2: root changed (rootrwonchange=aside); boot not counted; root "
		   "uuid=9?; 0 KiB\n");
	assert_has(out_text, "other slots' uppers (/overlay/.overroot-slots):\n  slot "
		   "00000000000000ab: a slot: another root's own upper (rootrwonchange=slot)");
	ck_assert_int_eq(run_cli("status", "--json", NULL), CLI_OK);
	assert_has(out_text, "\"set_aside\":[{\"id\":\"1\",\"reason\":\"3 unconfirmed boots "
		   "(rootrwtries=3)\",\"time\":1764763200,\"boot\":4,\"root\":\"uuid=1111\","
		   "\"bytes\":1536}");
	assert_has(out_text, "{\"id\":\"slot/00000000000000ab\"");
	assert_has(out_text, "\"restore\":\"none\",\"restore_id\":0,\"reset\":\"none\"}\n");
	assert_has(out_text, "\"tries\":\"2/3\"");
}
END_TEST

START_TEST(test_status_warns_when_low)
{
	heal_booted("1/3");
	fake_set_usage(20 << 20, 1 << 20, 0);
	ck_assert_int_eq(run_cli("status", NULL), CLI_OK);
	assert_has(out_text, "warning:  the data partition is low");
	ck_assert_int_eq(run_cli("status", "--json", NULL), CLI_OK);
	assert_has(out_text, "\"data_low\":true");
}
END_TEST

Suite *heal_cli_suite(void)
{
	Suite *s = suite_create("heal_cli");
	TCase *t = tcase_create("heal_cli");

	tcase_add_test(t, test_boot_ok_confirms_once);
	tcase_add_test(t, test_boot_ok_refusals);
	tcase_add_test(t, test_boot_bad_then_not_ok);
	tcase_add_test(t, test_full_partition_gives_the_reserve_back);
	tcase_add_test(t, test_boot_ok_write_is_whole_or_nothing);
	tcase_add_test(t, test_restore_marks_and_cancels);
	tcase_add_test(t, test_status_lists_set_aside_uppers);
	tcase_add_test(t, test_status_warns_when_low);
	suite_add_tcase(s, t);
	return s;
}
