/* dm-verity's text inputs: meta-security's env file, systemd.verity_root_options, a
 * superblock, and a table line as the kernel prints it (verity.c). Input: env \0 options \0
 * table line \0 superblock (the rest, NULs and all). Whatever they say, what is accepted is a configuration
 * the kernel can take, the table line is well formed, and parsing is a function (the same
 * text, the same result). */
#include <errno.h>
#include <string.h>
#include "fuzz.h"
#include "overroot/verity.h"

static void warn(const char *msg)
{
	FUZZ_CHECK(!strncmp(msg, "systemd.verity_root_options: unknown option ", 44));
}

static bool lower_hex(const char *s)
{
	return s[strspn(s, "0123456789abcdef")] == '\0' && strlen(s) % 2 == 0;
}

static void check_cfg(const struct verity_cfg *c)
{
	unsigned b[2] = { c->data_block_size, c->hash_block_size };

	for (int i = 0; i < 2; i++)
		FUZZ_CHECK(b[i] >= 512 && b[i] <= 65536 && !(b[i] & (b[i] - 1)));
	FUZZ_CHECK(lower_hex(c->root_hash) && lower_hex(c->salt));
	FUZZ_CHECK(c->format <= 1 && c->alg[0] && c->hash_offset % 512 == 0);
	FUZZ_CHECK(c->on_corruption <= VERITY_IGNORE);
}

static void check_table(const struct verity_cfg *c)
{
	char line[1200];
	uint64_t sectors = 0;
	struct verity_state st;

	int r = verity_table(c, "/dev/vda2", "254:3", line, sizeof(line), &sectors);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
	if (r < 0)
		return;
	FUZZ_CHECK(c->root_hash[0] && c->data_blocks && sectors == c->data_blocks *
		   (c->data_block_size / 512));
	/* what the kernel would print back reads as what was given */
	memset(&st, 0, sizeof(st));
	FUZZ_CHECK(verity_parse_table(line, &st) == 0);
	FUZZ_CHECK(!strcmp(st.data, "/dev/vda2") && !strcmp(st.hash, "254:3"));
	FUZZ_CHECK(!strcmp(st.root_hash, c->root_hash) && st.on_corruption == c->on_corruption);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_parts in;
	static struct verity_cfg c, again;
	unsigned char sb[VERITY_SB_SIZE] = { 0 };
	char err[256], err2[256];
	struct verity_state st;

	fuzz_split(data, size, '\0', &in);
	verity_defaults(&c);
	int r = verity_parse_env(&c, in.part[0], err, sizeof(err));
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	verity_defaults(&again);
	FUZZ_CHECK(verity_parse_env(&again, in.part[0], err2, sizeof(err2)) == r);
	FUZZ_CHECK(!memcmp(&c, &again, sizeof(c)) && (r == 0 || !strcmp(err, err2)));
	if (r == 0)
		check_cfg(&c);
	else
		verity_defaults(&c);
	r = verity_parse_options(&c, in.part[1], warn, err, sizeof(err));
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r == 0 && verity_set_hash(&c, c.root_hash[0] ? c.root_hash : "ab") == 0) {
		check_cfg(&c);
		check_table(&c);
		size_t at = in.len[0] + in.len[1] + in.len[2] + 3;
		if (at < size)
			memcpy(sb, data + at, size - at < sizeof(sb) ? size - at : sizeof(sb));
		r = verity_check_sb(&c, sb, err, sizeof(err));
		FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENODATA);
		if (r == 0) {
			check_cfg(&c);
			check_table(&c);
		}
	}
	memset(&st, 0, sizeof(st));
	if (verity_parse_table(in.part[2], &st) == 0)
		FUZZ_CHECK(lower_hex(st.root_hash) && st.root_hash[0]);
	fuzz_parts_free(&in);
	return 0;
}
