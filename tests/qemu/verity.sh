# shellcheck shell=bash
# Sourced (bash) by run.sh: the verified root's keys (issue 23, dm-verity), kept apart.
# corrupt PATH   between two boots: one byte of the first data block of PATH (a file of the
#                root filesystem, found with debugfs's bmap) is changed in the root partition,
#                as a rotting card or a tampered one would; the root's expected sha256 becomes
#                the changed one. dm-verity must then refuse that block (EIO), and only it.
# A disk with a hash partition (vhash, systemd-vhash: HASH_* in its .env) has that partition
# checked like the root: never written.
# shellcheck disable=SC2154 # part_out and part_sha come from run.sh

# verity_corrupt DISK ENV PATH: change that byte; print what was changed.
verity_corrupt() {
	local tmp off bs blk pos b
	tmp=$(dirname "$1")/corrupt.part
	off=$(sed -n 's/^ROOT_OFFSET=//p' "$2")
	part_out "$1" "$2" ROOT "$tmp" || return 1
	bs=$(dumpe2fs -h "$tmp" 2>/dev/null | sed -n 's/^Block size: *//p')
	blk=$(debugfs -R "bmap $3 0" "$tmp" 2>/dev/null)
	rm -f "$tmp"
	if ! [[ $blk =~ ^[1-9][0-9]*$ && $bs =~ ^[0-9]+$ ]]; then
		echo "corrupt $3: no data block in the root filesystem (debugfs bmap: '$blk')"
		return 1
	fi
	# 100 bytes in: inside the block, whatever the verity block size (1 KiB here)
	pos=$((off + blk * bs + 100))
	b=$(od -An -tu1 -j "$pos" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the byte
	printf "\\$(printf %03o $((b ^ 255)))" |
		dd of="$1" bs=1 seek="$pos" conv=notrunc status=none || return 1
	echo "corrupt $3: byte $pos ($b -> $((b ^ 255))), fs block $blk of $bs bytes"
}

# verity_hash_sha DISK ENV: the hash partition's sha256, "" on a disk without one.
verity_hash_sha() {
	grep -q '^HASH_OFFSET=' "$2" && part_sha "$1" "$2" HASH
}
