/* dm-verity's configuration as text: systemd's options, meta-security's env file, the
 * superblock cryptsetup writes, and the table line of the kernel's verity target
 * (Documentation/admin-guide/device-mapper/verity.rst). Strict: anything not understood is an
 * error the caller reports, never a guess, since a wrong guess boots an unverified root. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "overroot/verity.h"

static const char *const corruption_names[] = { "eio", "restart", "panic", "ignore" };
/* the kernel's option for each, in the table */
static const char *const corruption_opts[] = { NULL, "restart_on_corruption",
					       "panic_on_corruption", "ignore_corruption" };

const char *verity_corruption_name(enum verity_corruption c)
{
	return corruption_names[c];
}

void verity_defaults(struct verity_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->format = 1;
	c->data_block_size = c->hash_block_size = 4096;
	snprintf(c->alg, sizeof(c->alg), "sha256");
	c->superblock = true;
}

static bool is_hex(const char *s, size_t max)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return !s[n] && n % 2 == 0 && n <= max;
}

static void lower_copy(char *dst, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

int verity_set_hash(struct verity_cfg *c, const char *hex)
{
	if (!*hex || !is_hex(hex, 128))
		return -EINVAL;
	lower_copy(c->root_hash, sizeof(c->root_hash), hex);
	return 0;
}

/* A decimal number, with cryptsetup 2.8's " [bytes]" (spaces stripped or not). */
static int parse_u64(const char *s, uint64_t *ret)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end == ' ')
		end++;
	if (errno || (*end && strcmp(end, "[bytes]")))
		return -EINVAL;
	*ret = v;
	return 0;
}

/* A block size the kernel can take: a power of two, 512 bytes up to 64 KiB. */
static int block_size(uint64_t v, unsigned *ret)
{
	if (v < 512 || v > 65536 || (v & (v - 1)))
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int parse_bs(const char *s, unsigned *ret)
{
	uint64_t v;

	return parse_u64(s, &v) < 0 ? -EINVAL : block_size(v, ret);
}

static int set_salt(struct verity_cfg *c, const char *v)
{
	if (!strcmp(v, "-"))
		v = "";
	if (!is_hex(v, 512))
		return -EINVAL;
	lower_copy(c->salt, sizeof(c->salt), v);
	return 0;
}

static int set_alg(struct verity_cfg *c, const char *v)
{
	size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-_");

	if (!n || v[n] || n >= sizeof(c->alg))
		return -EINVAL;
	memcpy(c->alg, v, n + 1);
	return 0;
}

/* A setting both sources share, by its index in keys below; -EINVAL on a bad value. */
enum { K_DBS, K_HBS, K_BLOCKS, K_OFFSET, K_SALT, K_ALG, K_FORMAT, K_N };

static int set_common(struct verity_cfg *c, int k, const char *v)
{
	static const unsigned given[K_N] = { VG_DBS, VG_HBS, VG_BLOCKS, VG_OFFSET, VG_SALT,
					     VG_ALG, VG_FORMAT };
	uint64_t n = 0;
	int r;

	switch (k) {
	case K_DBS:
		r = parse_bs(v, &c->data_block_size);
		break;
	case K_HBS:
		r = parse_bs(v, &c->hash_block_size);
		break;
	case K_BLOCKS:
	case K_OFFSET:
		r = parse_u64(v, &n);
		if (!r && k == K_BLOCKS)
			c->data_blocks = n;
		else if (!r)
			c->hash_offset = n;
		/* cryptsetup wants the offset on a 512-byte boundary */
		if (!r && ((k == K_BLOCKS && !n) || (k == K_OFFSET && n % 512)))
			r = -EINVAL;
		break;
	case K_SALT:
		r = set_salt(c, v);
		break;
	case K_ALG:
		r = set_alg(c, v);
		break;
	default:
		r = parse_u64(v, &n) < 0 || n > 1 ? -EINVAL : 0;
		c->format = (unsigned)n;
		break;
	}
	c->given |= r ? 0 : given[k];
	return r;
}

static int key_index(const char *key, size_t len, const char *const *keys, int n)
{
	for (int i = 0; i < n; i++)
		if (strlen(keys[i]) == len && !strncmp(key, keys[i], len))
			return i;
	return -1;
}

static int set_uuid(char *dst, const char *v)
{
	size_t n = strspn(v, "0123456789abcdefABCDEF-");

	if (n != 36 || v[n])
		return -EINVAL;
	lower_copy(dst, 40, v);
	return 0;
}

/* veritysetup's output (less its first line), "Data block size: 4096" as
 * DATA_BLOCK_SIZE=4096, plus the class's DATA_SIZE, SEPARATE_HASH, ROOT_UUID, RHASH_UUID. */
int verity_parse_env(struct verity_cfg *c, const char *text, char *err, size_t size)
{
	static const char *const keys[] = { "DATA_BLOCK_SIZE", "HASH_BLOCK_SIZE", "DATA_BLOCKS",
		"DATA_SIZE", "SALT", "HASH_ALGORITHM", "HASH_TYPE", "ROOT_HASH", "SEPARATE_HASH",
		"ROOT_UUID", "RHASH_UUID" };
	char line[640];
	unsigned lineno = 0;

	c->data_block_size = 1024;	/* DM_VERITY_IMAGE_DATA_BLOCK_SIZE's default */
	while (*text) {
		size_t len = strcspn(text, "\n");
		lineno++;
		if (len >= sizeof(line))
			return snprintf(err, size, "line %u: too long", lineno), -EINVAL;
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (text[len] == '\n');
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		char *eq = strchr(line, '=');
		size_t klen = eq ? strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") : 0;
		if (!eq || !klen || line + klen != eq)
			return snprintf(err, size, "line %u: not KEY=VALUE", lineno), -EINVAL;
		const char *v = eq + 1;
		int k = key_index(line, klen, keys, (int)(sizeof(keys) / sizeof(keys[0]))), r = 0;
		if (k < 0)
			continue;	/* UUID, HASH_BLOCKS... and what later versions add */
		if (k < K_N)
			r = set_common(c, k, v);
		else if (k == K_N)
			r = verity_set_hash(c, v);
		else if (k == K_N + 1)
			r = !strcmp(v, "1") ? (c->separate_hash = true, 0) :
			    !*v || !strcmp(v, "0") ? 0 : -EINVAL;
		else
			r = set_uuid(k == K_N + 2 ? c->root_uuid : c->rhash_uuid, v);
		if (r < 0)
			return snprintf(err, size, "line %u: %s=%s is not %s", lineno, keys[k], v,
					k == K_N ? "a hex root hash" : k == K_SALT ? "hex" :
					k >= K_N + 2 ? "a UUID" : k == K_ALG ? "a hash name" :
					k == K_N + 1 ? "0 or 1" : "a valid number"), -EINVAL;
	}
	if (!c->root_hash[0])
		return snprintf(err, size, "no ROOT_HASH"), -EINVAL;
	if (!c->separate_hash && !(c->given & VG_OFFSET))
		return snprintf(err, size, "no DATA_SIZE (the hash offset) and no SEPARATE_HASH=1"),
		       -EINVAL;
	if (c->separate_hash && !c->rhash_uuid[0])
		return snprintf(err, size, "SEPARATE_HASH=1 without RHASH_UUID"), -EINVAL;
	/* DATA_SIZE is the data's size either way; only in the same partition is it where the
	 * tree (and its superblock) starts */
	if (c->separate_hash)
		c->hash_offset = 0;
	return 0;
}

/* systemd's veritytab options (systemd-veritysetup(8)), names as typed there. */
int verity_parse_options(struct verity_cfg *c, const char *opts, verity_warn_fn warn,
			 char *err, size_t size)
{
	static const char *const keys[] = { "data-block-size", "hash-block-size", "data-blocks",
		"hash-offset", "salt", "hash", "format", "superblock", "ignore-corruption",
		"restart-on-corruption", "panic-on-corruption", "ignore-zero-blocks",
		"check-at-most-once" };
	char opt[640];

	for (const char *s = opts; *s; s += *s == ',') {
		size_t len = strcspn(s, ",");
		snprintf(opt, sizeof(opt), "%.*s", (int)len, s);
		s += len;
		if (!*opt)
			continue;
		char *eq = strchr(opt, '=');
		const char *v = eq ? eq + 1 : NULL;
		int k = key_index(opt, eq ? (size_t)(eq - opt) : strlen(opt), keys,
				  (int)(sizeof(keys) / sizeof(keys[0])));
		int r = 0;
		if (k < 0 || (k < K_N + 1) != !!v) {
			char msg[700];
			snprintf(msg, sizeof(msg), "systemd.verity_root_options: unknown option %s: "
				 "ignored", opt);
			if (warn)
				warn(msg);
			continue;
		}
		if (k < K_N) {
			r = set_common(c, k, v);
		} else if (k == K_N) {
			r = !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") ? 1 :
			    !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") ? 0 : -EINVAL;
			c->superblock = r == 1;
		} else if (k <= K_N + 3) {
			enum verity_corruption m = (enum verity_corruption)(k == K_N + 1 ?
				VERITY_IGNORE : k - K_N - 1);
			r = c->on_corruption && c->on_corruption != m ? -EINVAL : 0;
			c->on_corruption = m;
		} else if (k == K_N + 4) {
			c->ignore_zero_blocks = true;
		} else {
			c->check_at_most_once = true;
		}
		if (r < 0)
			return snprintf(err, size, "%s: %s", opt, k > K_N ?
					"only one of the *-corruption options" : "bad value"),
			       -EINVAL;
	}
	return 0;
}

static uint64_t le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/* cryptsetup's struct verity_sb (lib/verity/verity.c): "verity\0\0", version, hash_type,
 * uuid[16], algorithm[32], data_block_size, hash_block_size, data_blocks, salt_size,
 * _pad[6], salt[256], _pad[168]; little-endian. */
int verity_check_sb(struct verity_cfg *c, const unsigned char sb[VERITY_SB_SIZE], char *err,
		    size_t size)
{
	char alg[33], salt[513];
	uint64_t v[4] = { le(sb + 12, 4), le(sb + 64, 4), le(sb + 68, 4), le(sb + 72, 8) };
	unsigned salt_size = (unsigned)le(sb + 80, 2);
	static const unsigned bit[4] = { VG_FORMAT, VG_DBS, VG_HBS, VG_BLOCKS };
	static const char *const what[4] = { "hash type", "data block size", "hash block size",
					     "data blocks" };
	uint64_t have[4] = { c->format, c->data_block_size, c->hash_block_size, c->data_blocks };

	if (memcmp(sb, "verity\0\0", 8))
		return snprintf(err, size, "no verity superblock"), -ENODATA;
	if (le(sb + 8, 4) != 1 || salt_size > 256 || v[0] > 1)
		return snprintf(err, size, "superblock version %u, salt size %u: not what "
				"cryptsetup writes", (unsigned)le(sb + 8, 4), salt_size), -EINVAL;
	snprintf(alg, sizeof(alg), "%.32s", (const char *)sb + 32);
	for (unsigned i = 0; i < salt_size; i++)
		snprintf(salt + 2 * i, 3, "%02x", sb[88 + i]);
	salt[2 * salt_size] = '\0';
	for (int i = 0; i < 4; i++)
		if ((c->given & bit[i]) && have[i] != v[i])
			return snprintf(err, size, "%s %" PRIu64 ", not %" PRIu64, what[i], v[i],
					have[i]), -EINVAL;
	if ((c->given & VG_ALG) && strcasecmp(alg, c->alg))
		return snprintf(err, size, "hash %s, not %s", alg, c->alg), -EINVAL;
	if ((c->given & VG_SALT) && strcmp(salt, c->salt))
		return snprintf(err, size, "salt %s, not %s", salt, c->salt), -EINVAL;
	c->format = (unsigned)v[0];
	if (set_alg(c, alg) < 0 || block_size(v[1], &c->data_block_size) < 0 ||
	    block_size(v[2], &c->hash_block_size) < 0 || !v[3])
		return snprintf(err, size, "superblock values the kernel cannot take"), -EINVAL;
	c->data_blocks = v[3];
	memcpy(c->salt, salt, sizeof(salt));
	return 0;
}

int verity_table(const struct verity_cfg *c, const char *data, const char *hash, char *ret,
		 size_t size, uint64_t *ret_sectors)
{
	/* the hash tree starts after the superblock, in hash blocks (cryptsetup's
	 * VERITY_hash_offset_block) */
	uint64_t start = c->superblock ? (c->hash_offset + VERITY_SB_SIZE + c->hash_block_size - 1) /
					 c->hash_block_size : c->hash_offset / c->hash_block_size;
	const char *opt[3] = { corruption_opts[c->on_corruption],
			       c->ignore_zero_blocks ? "ignore_zero_blocks" : NULL,
			       c->check_at_most_once ? "check_at_most_once" : NULL };
	unsigned nopt = !!opt[0] + !!opt[1] + !!opt[2];

	if (!c->root_hash[0] || !c->data_blocks || c->data_blocks > UINT64_MAX / 65536 ||
	    (!c->superblock && c->hash_offset % c->hash_block_size))
		return -EINVAL;
	int n = snprintf(ret, size, "%u %s %s %u %u %" PRIu64 " %" PRIu64 " %s %s %s", c->format,
			 data, hash, c->data_block_size, c->hash_block_size, c->data_blocks, start,
			 c->alg, c->root_hash, c->salt[0] ? c->salt : "-");
	if (nopt && n > 0 && (size_t)n < size)
		n += snprintf(ret + n, size - (size_t)n, " %u", nopt);
	for (int i = 0; i < 3; i++)
		if (opt[i] && n > 0 && (size_t)n < size)
			n += snprintf(ret + n, size - (size_t)n, " %s", opt[i]);
	*ret_sectors = c->data_blocks * (c->data_block_size / 512);
	return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

int verity_parse_table(const char *line, struct verity_state *st)
{
	char f[10][256];
	int n = 0, used = 0;

	/* "1 254:2 254:3 4096 4096 N START sha256 DIGEST SALT [#opts opts]" */
	while (n < 10 && sscanf(line, " %255s%n", f[n], &used) == 1) {
		line += used;
		n++;
	}
	if (n < 10 || (strcmp(f[0], "1") && strcmp(f[0], "0")) || !is_hex(f[8], 128))
		return -EINVAL;
	snprintf(st->data, sizeof(st->data), "%s", f[1]);
	snprintf(st->hash, sizeof(st->hash), "%s", f[2]);
	lower_copy(st->root_hash, sizeof(st->root_hash), f[8]);
	st->on_corruption = VERITY_EIO;
	for (int m = 1; m < 4; m++)
		if (strstr(line, corruption_opts[m]))
			st->on_corruption = (enum verity_corruption)m;
	return 0;
}

int verity_partuuid(const char *hex, bool last, char ret[37])
{
	size_t len = strlen(hex);

	if (len < 32 || !is_hex(hex, 128))
		return -EINVAL;
	const char *h = last ? hex + len - 32 : hex;
	snprintf(ret, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
	lower_copy(ret, 37, ret);
	return 0;
}
