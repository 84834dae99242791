/* dm-verity's configuration, from systemd's parameters and options and from
 * meta-security's env file; the verity superblock; the table line. Pure functions from text
 * to a struct (fuzzed by tests/fuzz/fuzz_verity.c); the stage is src/boot/stage_verity.c. */
#ifndef OVERROOT_VERITY_H
#define OVERROOT_VERITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VERITY_ENV "/usr/share/misc/dm-verity.env"	/* dm-verity-image-initramfs's */
#define VERITY_NAME "root"				/* systemd's volume name */
#define VERITY_DEV "/dev/mapper/" VERITY_NAME
#define VERITY_SB_SIZE 512

enum verity_corruption { VERITY_EIO, VERITY_RESTART, VERITY_PANIC, VERITY_IGNORE };
enum verity_mode { VERITY_OFF, VERITY_OVERROOT, VERITY_KERNEL };

/* What was given (so a superblock fills the rest and must agree with these). */
#define VG_FORMAT	1u
#define VG_DBS		2u
#define VG_HBS		4u
#define VG_BLOCKS	8u
#define VG_ALG		16u
#define VG_SALT		32u
#define VG_OFFSET	64u

struct verity_cfg {
	char root_hash[129];		/* hex, lower case */
	char salt[513];			/* hex; "" for none */
	char alg[32];
	unsigned format;		/* hash type: 1 normal, 0 Chrome OS */
	unsigned data_block_size, hash_block_size;
	uint64_t data_blocks;
	uint64_t hash_offset;		/* bytes, on the hash device */
	bool superblock;
	bool separate_hash;		/* env: SEPARATE_HASH=1 */
	char root_uuid[40], rhash_uuid[40];	/* env: the devices' PARTUUIDs */
	enum verity_corruption on_corruption;
	bool ignore_zero_blocks, check_at_most_once;
	unsigned given;			/* VG_* */
};

/* What the boot set up, for the status file (stage_status.c). */
struct verity_state {
	enum verity_mode mode;
	char device[64];		/* /dev/mapper/root, /dev/dm-0 */
	char data[256], hash[256];
	char root_hash[129];
	enum verity_corruption on_corruption;
	bool corrupted;			/* the target said C */
};

typedef void (*verity_warn_fn)(const char *msg);

/* veritysetup's defaults: format 1, sha256, 4096-byte blocks, a superblock. */
void verity_defaults(struct verity_cfg *c);
/* The env file's text into c (its DATA_BLOCK_SIZE default is 1024). -EINVAL with the reason
 * in err ("line 3: not KEY=VALUE"). */
int verity_parse_env(struct verity_cfg *c, const char *text, char *err, size_t size);
/* systemd.verity_root_options=; an unknown option goes to warn, a bad value is -EINVAL. */
int verity_parse_options(struct verity_cfg *c, const char *opts, verity_warn_fn warn,
			 char *err, size_t size);
/* A root hash as typed: hex, 2..128 digits, even. */
int verity_set_hash(struct verity_cfg *c, const char *hex);
/* The superblock read at the hash offset: fills what was not given, checks what was.
 * -ENODATA: no superblock there; -EINVAL: it disagrees (err says how). */
int verity_check_sb(struct verity_cfg *c, const unsigned char sb[VERITY_SB_SIZE], char *err,
		    size_t size);
/* The verity target's table line for data and hash, and its length in sectors. */
int verity_table(const struct verity_cfg *c, const char *data, const char *hash, char *ret,
		 size_t size, uint64_t *ret_sectors);
/* A verity table line (as the kernel prints it) into st's devices, hash and mode. */
int verity_parse_table(const char *line, struct verity_state *st);
/* systemd's discovery: the first (or last) 128 bits of the root hash as a PARTUUID. */
int verity_partuuid(const char *hex, bool last, char ret[37]);
const char *verity_corruption_name(enum verity_corruption c);

#endif
