/* Verity test data shared by test_verity*.c and the failure sweep: a root hash, its salt,
 * meta-security env files for both layouts, a superblock as cryptsetup writes it. */
#ifndef VERITY_FIXTURE_H
#define VERITY_FIXTURE_H

#include <check.h>

#define VF_HASH "0123456789abcdef00112233445566778899aabbccddeeff0f1e2d3c4b5a6978"
#define VF_BAD_HASH "ff23456789abcdef00112233445566778899aabbccddeeff0f1e2d3c4b5a6978"
#define VF_SALT "5eed"
/* its first and last 128 bits, as PARTUUIDs */
#define VF_ROOT_UUID "01234567-89ab-cdef-0011-223344556677"
#define VF_RHASH_UUID "8899aabb-ccdd-eeff-0f1e-2d3c4b5a6978"
/* dm-verity-img.bbclass's, tree in the same partition (cryptsetup 2.6) */
#define VF_ENV_SAME "UUID=2d7c3b6e-0000-4000-8000-000000000001\nHASH_TYPE=1\n" \
	"DATA_BLOCKS=65536\nDATA_BLOCK_SIZE=1024\nHASH_BLOCK_SIZE=4096\nHASH_ALGORITHM=sha256\n" \
	"SALT=" VF_SALT "\nROOT_HASH=" VF_HASH "\nDATA_SIZE=67108864\nSEPARATE_HASH=0\n"
/* and with a separate hash partition, sizes as cryptsetup 2.8 prints them */
#define VF_ENV_SEPARATE "UUID=2d7c3b6e-0000-4000-8000-000000000001\nHASH_TYPE=1\n" \
	"DATA_BLOCKS=16384\nDATA_BLOCK_SIZE=4096 [bytes]\nHASH_BLOCK_SIZE=4096[bytes]\n" \
	"HASH_ALGORITHM=sha256\nSALT=" VF_SALT "\nROOT_HASH=" VF_HASH "\n" \
	"DATA_SIZE=67108864[bytes]\nSEPARATE_HASH=1\nROOT_UUID=" VF_ROOT_UUID "\n" \
	"RHASH_UUID=" VF_RHASH_UUID "\n"

/* cryptsetup's superblock for sha256, salt VF_SALT */
void vf_superblock(unsigned char sb[512], unsigned dbs, unsigned hbs, unsigned long long blocks);
/* The stage's tests (test_verity_stage.c), added to the verity suite. */
void verity_stage_tests(Suite *s);

#endif
