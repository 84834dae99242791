#!/bin/bash
# run.sh [NAME | @TAG | !NAME | !@TAG]...
# Run the boot scenarios of tests/qemu/scenarios.txt (all, or those named or tagged, minus the
# ! ones) and print "PASS name (N.Ns)" or "FAIL name: reason" plus the end of the console log,
# then "N passed, N failed". Exit status 1 if any failed, 2 if the bench could not be set up.
# Environment:
#   INIT=path          the overroot binary for /init (default build/aarch64/init)
#   JOBS=N             scenarios run at the same time (default 2)
#   BOOT_TIMEOUT=S     default per-boot timeout in seconds (default 120)
#   SCENARIO_FILE=file the scenario file (default tests/qemu/scenarios.txt)
#   INITRAMFS_EXTRA=dir  extra files for the initramfs (see mkinitramfs.sh)
#   ROUNDS=N           every "rounds" line of the scenarios says N (a short or a long soak)
# Each scenario's logs are kept in build/qemu/run/NAME/ (bootN.log, result).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$top/tests/qemu/lib.sh"
# shellcheck source=verity.sh
. "$top/tests/qemu/verity.sh"
scenarios=${SCENARIO_FILE:-$qdir/scenarios.txt}
jobs=${JOBS:-2}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
# Lines no boot may show, whatever the scenario says.
always_reject=('Kernel panic' 'Attempted to kill init')

# stanza NAME: the key/value lines of scenario NAME, without comments and blank lines.
stanza() {
	awk -v want="[$1]" '
		/^[ \t]*(#|$)/ { next }
		/^\[/ { on = ($0 == want); next }
		on { sub(/^[ \t]+/, ""); print }' "$scenarios"
}

# expand NAME: stanza NAME with its rounds unrolled: the lines after "rounds N" are repeated
# N times (ROUNDS=N overrides N), with @ROUND@ replaced by the round's number.
expand() {
	stanza "$1" | awk -v force="${ROUNDS:-}" '
		r { body[++nb] = $0; next }
		$1 == "rounds" {
			r = 1; n = force != "" ? force : $2
			if (n !~ /^[0-9]+$/) { print "rounds-error " n; n = 0 }
			next
		}
		{ print }
		END {
			for (k = 1; k <= n; k++)
				for (j = 1; j <= nb; j++) { l = body[j]; gsub(/@ROUND@/, k, l); print l }
		}'
}

# words BYTES: about BYTES bytes of command-line words from a fixed-seed generator (the same
# words on every run and every awk): names start with Q (no kernel or overroot parameter
# does), values carry = , ; : / $() ` ' and balanced double quotes around spaces, no "--" and
# no "@". Exactly 8 bare words (init's arguments) and 8 name=value words without a dot (init's
# environment) come first among dotted module-style words, which the kernel ignores: the kernel
# refuses more than 32 of either.
words() {
	awk -v want="$1" '
		function rnd(n) { x = (x * 48271) % 2147483647; return x % n }
		function pick(set, n,   o, i) {
			o = ""
			for (i = 0; i < n; i++) o = o substr(set, rnd(length(set)) + 1, 1)
			return o
		}
		function name() { return "Q" pick(alnum, 2 + rnd(7)) }
		function value(   k) {
			k = rnd(5)
			if (k == 0) return "\"" pick(vchars, 1 + rnd(6)) " " pick(vchars, 1 + rnd(6)) " " pick(alnum, 2) "\""
			if (k == 1) return pick(vchars, 1 + rnd(5)) "=" pick(vchars, 1 + rnd(5))
			if (k == 2) return pick(alnum, 2) "\"" pick(vchars, 2) " " pick(vchars, 3) "\"" pick(alnum, 2)
			if (k == 3) return "$(" pick(alnum, 3) ")`" pick(alnum, 2) "`"
			return pick(vchars, 1 + rnd(12))
		}
		BEGIN {
			x = 20261124
			alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
			vchars = alnum ",:/.+%^~!?*&|;#<>[]{}'\''"
			out = ""; bare = 0; env = 0
			while (1) {
				k = rnd(10)
				if (k < 2 && bare < 8) { w = name(); bare++ }
				else if (k < 4 && env < 8) { w = name() "=" value(); env++ }
				else if (k == 4) w = name() "." name()
				else if (k == 5) w = "\"" name() "." name() "=" pick(vchars, 3) " " pick(vchars, 4) "\""
				else w = name() "." name() "=" value()
				if (length(out) + 1 + length(w) > want) break
				out = out (out == "" ? "" : " ") w
			}
			if (bare < 8 || env < 8) { print "words: " want " bytes too few for 8+8 words" > "/dev/stderr"; exit 1 }
			print out
		}'
}

all_names() { sed -n 's/^\[\(.*\)\]$/\1/p' "$scenarios"; }

has_tag() { # NAME TAG
	stanza "$1" | awk -v t="$2" '$1 == "tags" { for (i = 2; i <= NF; i++) if ($i == t) f = 1 }
		END { exit !f }'
}

# select_names ARG...: the scenarios to run, in file order.
select_names() {
	local name arg pos=0 inc exc
	for arg in "$@"; do
		case $arg in !*) ;; *) pos=1 ;; esac
		case $arg in
		@* | !@*) ;;
		*) all_names | grep -qxF -- "${arg#!}" || { echo "run.sh: no scenario '${arg#!}'" >&2; return 1; } ;;
		esac
	done
	for name in $(all_names); do
		inc=$((1 - pos)) exc=0
		for arg in "$@"; do
			case $arg in
			!@*) has_tag "$name" "${arg#!@}" && exc=1 ;;
			!*) [ "$name" = "${arg#!}" ] && exc=1 ;;
			@*) has_tag "$name" "${arg#@}" && inc=1 ;;
			*) [ "$name" = "$arg" ] && inc=1 ;;
			esac
		done
		[ "$inc" = 1 ] && [ "$exc" = 0 ] && echo "$name"
	done
	return 0
}

# part_sha DISK ENV ROOT|DATA: sha256 of that partition.
part_sha() {
	local off size
	off=$(sed -n "s/^$3_OFFSET=//p" "$2") size=$(sed -n "s/^$3_SIZE=//p" "$2")
	dd if="$1" iflag=skip_bytes,count_bytes skip="$off" count="$size" bs=1M \
		status=none | sha256sum | cut -d' ' -f1
}

# part_out DISK ENV ROOT|DATA FILE: copy that partition into FILE.
part_out() {
	local off size
	off=$(sed -n "s/^$3_OFFSET=//p" "$2") size=$(sed -n "s/^$3_SIZE=//p" "$2")
	dd if="$1" of="$4" iflag=skip_bytes,count_bytes skip="$off" count="$size" bs=1M status=none
}

# prepare_data DISK ENV blank|vfat|errors|repairable|unrepairable: replace the data partition's
# content, or (errors) mark its ext4 as having had errors, as the kernel does on a detected
# corruption (state "clean with errors", one error counted). repairable, unrepairable (issue 25):
# upper/persist.txt ("kept by fsck") written first, then errors set and, repairable, that file's
# block marked free in the block bitmap (e2fsck -p fixes it: exit 1), unrepairable, the root
# directory's inode made a regular file (e2fsck -p stops: exit 4, UNEXPECTED INCONSISTENCY).
prepare_data() {
	local off size tmp
	off=$(sed -n 's/^DATA_OFFSET=//p' "$2") size=$(sed -n 's/^DATA_SIZE=//p' "$2")
	tmp=$(dirname "$1")/data.part
	case $3 in
	blank) truncate -s 0 "$tmp" && truncate -s "$size" "$tmp" ;;
	vfat) truncate -s "$size" "$tmp" && mkfs.vfat -n DATA "$tmp" >/dev/null ;;
	errors)
		part_out "$1" "$2" DATA "$tmp" &&
			debugfs -w -R "ssv state 3" "$tmp" >/dev/null 2>&1 &&
			debugfs -w -R "ssv error_count 1" "$tmp" >/dev/null 2>&1 &&
			dumpe2fs -h "$tmp" 2>/dev/null | grep -q '^Filesystem state: *clean with errors$' ||
			return 1
		;;
	repairable | unrepairable) fsck_damage "$1" "$2" "$tmp" "$3" || return 1 ;;
	*) return 1 ;;
	esac
	dd if="$tmp" of="$1" bs=1M oflag=seek_bytes seek="$off" conv=notrunc status=none
	rm -f "$tmp"
}

# data_sha DISK ENV on|fsck: the data partition's sha256; fsck: without the fields of the ext4
# superblock e2fsck rewrites at every run that opened it read-write, even one that refused to
# repair (exit 4; seen with cmp): s_wtime (the last write time, 4 bytes at 0x30, and its high
# byte at 0x274), s_kbytes_written (lifetime writes, 8 at 0x178) and s_checksum (4 at 0x3fc),
# zeroed in a copy first (the superblock starts 1024 bytes into the partition).
data_sha() {
	local tmp
	[ "$3" = fsck ] || { part_sha "$1" "$2" DATA; return; }
	tmp=$(dirname "$1")/datasha.part
	part_out "$1" "$2" DATA "$tmp" &&
		head -c 4 /dev/zero | dd of="$tmp" bs=1 seek=$((1024 + 0x30)) conv=notrunc status=none &&
		head -c 1 /dev/zero | dd of="$tmp" bs=1 seek=$((1024 + 0x274)) conv=notrunc status=none &&
		head -c 8 /dev/zero | dd of="$tmp" bs=1 seek=$((1024 + 0x178)) conv=notrunc status=none &&
		head -c 4 /dev/zero | dd of="$tmp" bs=1 seek=$((1024 + 0x3fc)) conv=notrunc status=none &&
		sha256sum "$tmp" | cut -d' ' -f1
	rm -f "$tmp"
}

# fsck_damage DISK ENV PART repairable|unrepairable: see prepare_data; PART gets the partition.
fsck_damage() {
	local blk dbg=(debugfs -w -R)
	part_out "$1" "$2" DATA "$3" && printf 'kept by fsck\n' >"$3.txt" &&
		"${dbg[@]}" "mkdir upper" "$3" >/dev/null 2>&1 &&
		"${dbg[@]}" "write $3.txt upper/persist.txt" "$3" >/dev/null 2>&1 || return 1
	rm -f "$3.txt"
	if [ "$4" = repairable ]; then
		blk=$(debugfs -R "bmap upper/persist.txt 0" "$3" 2>/dev/null)
		[ -n "$blk" ] && "${dbg[@]}" "freeb $blk" "$3" >/dev/null 2>&1 || return 1
	else
		"${dbg[@]}" "sif <2> mode 0100644" "$3" >/dev/null 2>&1 || return 1
	fi
	"${dbg[@]}" "ssv state 3" "$3" >/dev/null 2>&1 && "${dbg[@]}" "ssv error_count 1" "$3" \
		>/dev/null 2>&1 && ! e2fsck -fn "$3" >/dev/null 2>&1
}

# fsck_parts DISK ENV OUT PART...: e2fsck -fn each partition (root, data) from a copy; true when
# every one is clean: exit 0, and nothing found at all (e2fsck -n exits 0 with a journal it did
# not replay, or with wrong free counts it was told not to fix). The output goes to OUT.
fsck_parts() {
	local img=$1 envf=$2 outf=$3 part tmp st ok=0
	shift 3
	tmp=$(dirname "$img")/fsck.part
	: >"$outf"
	for part in "$@"; do
		part_out "$img" "$envf" "${part^^}" "$tmp" || { ok=1; continue; }
		e2fsck -fn "$tmp" >"$tmp.out" 2>&1
		st=$?
		cat "$tmp.out" >>"$outf"
		echo "e2fsck -fn $part: exit $st" >>"$outf"
		[ "$st" = 0 ] || ok=1
		if grep -qE '\? no$|skipping journal recovery' "$tmp.out"; then
			echo "e2fsck -fn $part: it found something (a journal to replay, or a fix declined)" >>"$outf"
			ok=1
		fi
	done
	rm -f "$tmp" "$tmp.out"
	return $ok
}

# cut_ms NAME I MIN MAX: the delay of boot I's power cut, from MIN to MAX ms, the same on every
# run (a hash of the scenario's name and the boot's number).
cut_ms() {
	local h
	h=$(printf '%s/%s' "$1" "$2" | cksum | cut -d' ' -f1)
	echo $(($3 + h % ($4 - $3 + 1)))
}

# --- the root under the upper (issue 19): additive keys, kept together here -----------------
# reroot rebuilt   between two boots: the root partition is rewritten with the disk's rebuilt
#                  root (OUT.img.root2 from mkdisk.sh: another UUID, another /etc), as an update
#                  would; the root's expected sha256 becomes the new one's.
# An A/B disk (disk ab) has a second root, p3: it is checked like the first, never written.

# rootid_reroot DISK ENV VALUE: write the rebuilt root over the root partition.
rootid_reroot() {
	local off size src=$out/disk-$(sed -n 's/^LAYOUT=//p' "$2").img.root2
	[ "$3" = rebuilt ] || { echo "reroot '$3': only 'rebuilt'"; return 1; }
	off=$(sed -n 's/^ROOT_OFFSET=//p' "$2") size=$(sed -n 's/^ROOT_SIZE=//p' "$2")
	[ -f "$src" ] && [ "$(stat -c %s "$src")" -le "$size" ] ||
		{ echo "no rebuilt root $src (tests/qemu/mkdisk.sh), or larger than the partition"; return 1; }
	dd if="$src" of="$1" bs=1M oflag=seek_bytes seek="$off" conv=notrunc status=none
}

# rootid_rootb_sha DISK ENV: the second root's sha256 on an A/B disk, "" on others.
rootid_rootb_sha() {
	grep -q '^ROOTB_OFFSET=' "$2" && part_sha "$1" "$2" ROOTB
}

# run_scenario NAME: run it; write "PASS ..." or "FAIL ..." to build/qemu/run/NAME/result and the
# log to show on failure to .../faillog.
run_scenario() {
	local name=$1 dir=$out/run/$1
	local disk=mbr rootsha=on datasha=off data='' n=0 key val i t0 envf='' img='' sha0 sha re
	local dsha0 line log st pat ms dopt pre post machine=virt rdefault=default kernel=debian
	local kimg='' dtb='' cdefault=console=ttyAMA0
	local -a cmdline initrd end timeout expect reject compare drive console fsck cutopt clean
	local -a rootchange=() reroot=() corrupt=()
	local rd shab0 shah0
	rm -rf "$dir"
	mkdir -p "$dir"
	t0=$(date +%s%3N)
	result() { # PASS|FAIL TEXT [LOG]
		echo "$1 $name$2" >"$dir/result"
		[ -n "${3:-}" ] && echo "$3" >"$dir/faillog"
	}

	while read -r key val; do
		case $key in
		tags) ;;
		disk) disk=$val ;;
		rootsha) rootsha=$val ;;
		datasha) datasha=$val ;;
		data) data=$val ;;
		compare) compare+=("$val") ;;
		machine)
			# raspi3b: the disk is the SD card (padded to a power of two), initramfs raspi
			[ "$n" = 0 ] || { result FAIL ": 'machine' after a 'boot' line"; return; }
			case $val in
			virt) ;;
			raspi3b) [ "$kernel" = debian ] && rdefault=raspi ;;
			# QEMU's raspi4b with the mainline kernel: clk_ignore_unused stands where the
			# Pi's firmware puts its words, in front of cmdline.txt (mkdtb.sh, boot-facts §6)
			raspi4b) cdefault="console=ttyAMA0 clk_ignore_unused" ;;
			*) result FAIL ": unknown machine '$val' (virt, raspi3b or raspi4b)"; return ;;
			esac
			machine=$val
			;;
		kernel)
			# kernel plain|bundled: make kernel's Image (no initramfs unless one is named)
			# or Image-overroot (overroot inside it); debian: Debian's, with -initrd
			[ "$n" = 0 ] || { result FAIL ": 'kernel' after a 'boot' line"; return; }
			case $val in
			debian) kimg='' ;;
			plain) kimg=$kdir/Image ;;
			bundled) kimg=$kdir/Image-overroot ;;
			bundled-fsck) kimg=$kdir/Image-overroot-fsck ;;	# with e2fsck (issue 25)
			*) result FAIL ": unknown kernel '$val' (debian, plain, bundled or bundled-fsck)"
				return ;;
			esac
			kernel=$val
			[ "$kernel" = debian ] || rdefault=none
			;;
		boot)
			n=$((n + 1))
			cmdline[n]=$val initrd[n]=$rdefault end[n]=poweroff timeout[n]=$BOOT_TIMEOUT
			expect[n]='' reject[n]='' drive[n]=rw console[n]=$cdefault fsck[n]='' clean[n]=''
			;;
		initramfs | end | timeout | expect | reject | drive | console | fsck | clean)
			[ "$n" -gt 0 ] || { result FAIL ": '$key' before the first 'boot' line"; return; }
			case $key in
			initramfs) initrd[n]=$val ;;
			end) end[n]=$val ;;
			timeout) timeout[n]=$val ;;
			expect) expect[n]+=$val$'\n' ;;
			reject) reject[n]+=$val$'\n' ;;
			drive) drive[n]=$val ;;
			console) console[n]=$val ;;
			fsck) fsck[n]=$val ;;
			clean) clean[n]=$val ;;
			esac
			;;
		rootchange)	# rootchange yes: this boot must change the root partition (see scenarios.txt)
			[ "$n" -gt 0 ] || { result FAIL ": 'rootchange' before the first 'boot' line"; return; }
			rootchange[n]=$val
			;;
		reroot) reroot[n + 1]=$val ;;	# before the next boot (issue 19, see above)
		corrupt) corrupt[n + 1]=$val ;;	# before the next boot (issue 23, verity.sh)
		rounds-error) result FAIL ": 'rounds $val': not a number"; return ;;
		*) result FAIL ": unknown key '$key' in $scenarios"; return ;;
		esac
	done < <(expand "$name")
	[ "$n" -gt 0 ] || { result FAIL ": no 'boot' line"; return; }
	if [ "$machine" = raspi4b ] && [ "$kernel" = debian ]; then
		result FAIL ": machine raspi4b needs 'kernel plain' or 'kernel bundled'"
		return
	fi
	case $machine:$kernel in
	raspi4b:*) dtb=$kdir/dtbs/bcm2711-rpi-4-b-qemu.dtb ;;
	raspi3b:plain | raspi3b:bundled) dtb=$kdir/dtbs/bcm2837-rpi-3-b.dtb ;;
	esac

	if [ "$disk" != none ]; then
		envf=$out/disk-$disk.img.env img=$dir/disk.img
		if [ ! -f "$envf" ]; then
			result FAIL ": disk '$disk' could not be built (see above: tests/qemu/mkdisk.sh)"
			return
		fi
		cp --sparse=always "$out/disk-$disk.img" "$img"
		[ "$machine" = virt ] || sd_pad "$img"
		if [ -n "$data" ] && ! prepare_data "$img" "$envf" "$data"; then
			result FAIL ": cannot make the data partition '$data'"
			return
		fi
		sha0=$(part_sha "$img" "$envf" ROOT)
		dsha0=$(data_sha "$img" "$envf" "$datasha")
		shab0=$(rootid_rootb_sha "$img" "$envf")
		shah0=$(verity_hash_sha "$img" "$envf")
	fi

	for ((i = 1; i <= n; i++)); do
		log=$dir/boot$i.log
		if [ -n "${reroot[i]:-}" ]; then
			if ! val=$(rootid_reroot "$img" "$envf" "${reroot[i]}"); then
				result FAIL ": before boot $i: $val"
				return
			fi
			sha0=$(part_sha "$img" "$envf" ROOT)
		fi
		if [ -n "${corrupt[i]:-}" ]; then
			if ! val=$(verity_corrupt "$img" "$envf" "${corrupt[i]}"); then
				result FAIL ": before boot $i: $val"
				return
			fi
			echo "before boot $i: $val" >>"$dir/notes"
			sha0=$(part_sha "$img" "$envf" ROOT)
		fi
		# Fill @KEY@ placeholders from the disk's .env, in the cmdline and the expects.
		line=${cmdline[i]}
		if [ -n "$envf" ]; then
			while IFS='=' read -r key val; do
				[ -n "$val" ] || continue
				line=${line//@$key@/$val}
				expect[i]=${expect[i]//@$key@/$val}
			done <"$envf"
		fi
		if [[ $line =~ @[A-Z_]+@ ]]; then
			result FAIL ": boot $i: no value for ${BASH_REMATCH[0]} (disk $disk)"
			return
		fi
		# @WORDSn@: n bytes of generated words (after the .env: they must not be looked at).
		while [[ $line =~ ^(.*)@WORDS([0-9]+)@(.*)$ ]]; do
			pre=${BASH_REMATCH[1]} post=${BASH_REMATCH[3]}
			if ! val=$(words "${BASH_REMATCH[2]}"); then
				result FAIL ": boot $i: cannot generate ${BASH_REMATCH[2]} bytes of words"
				return
			fi
			line=$pre$val$post
		done
		pat='' cutopt=()
		case ${end[i]} in
		poweroff | reboot | exit) ;;
		kill\ *) pat=${end[i]#kill } ;;
		cut\ *)
			# cut RE MIN-MAX: SIGKILL (a power cut) MIN..MAX ms after RE shows
			if ! [[ ${end[i]} =~ ^cut\ (.+)\ ([0-9]+)-([0-9]+)$ ]] ||
				[ "${BASH_REMATCH[2]}" -gt "${BASH_REMATCH[3]}" ]; then
				result FAIL ": boot $i: bad end '${end[i]}' (cut RE MIN-MAX)"
				return
			fi
			pat=${BASH_REMATCH[1]}
			ms=$(cut_ms "$name" "$i" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}")
			cutopt=(-9 -g "$((ms / 1000)).$(printf %03d $((ms % 1000)))")
			echo "boot $i: power cut $ms ms after '$pat'" >>"$dir/notes"
			;;
		*) result FAIL ": boot $i: bad end '${end[i]}'"; return ;;
		esac
		case ${drive[i]} in
		rw) dopt=-d ;;
		readonly) dopt=-R ;;
		*) result FAIL ": boot $i: bad drive '${drive[i]}' (rw or readonly)"; return ;;
		esac
		if [ "${kernel#bundled}" != "$kernel" ] && [ "${initrd[i]}" != none ]; then
			result FAIL ": boot $i: 'kernel bundled' has its initramfs inside: no 'initramfs'"
			return
		fi
		rd=$out/initramfs-${initrd[i]}.cpio.gz
		[ "${initrd[i]}" = none ] && rd=none
		echo "$line" >"$dir/boot$i.cmdline"
		"$qdir/boot.sh" -i "$rd" ${kimg:+-K "$kimg"} ${dtb:+-D "$dtb"} ${img:+"$dopt" "$img"} \
			-c "${console[i]}" -a "$line" -l "$log" -t "${timeout[i]}" ${pat:+-k "$pat"} \
			-M "$machine" "${cutopt[@]}" >"$dir/boot$i.end" 2>"$dir/boot$i.err"
		st=$?
		case $st:${end[i]} in
		124:*) result FAIL ": boot $i: guest still running after ${timeout[i]} s" "$log"; return ;;
		3:kill\ * | 3:cut\ *) ;;
		0:kill\ *)
			result FAIL ": boot $i: QEMU exited, expected PID 1 to wait after '$pat'" "$log"
			return
			;;
		0:cut\ *)
			result FAIL ": boot $i: QEMU exited before the power cut after '$pat'" "$log"
			return
			;;
		0:*) ;;
		*) result FAIL ": boot $i: boot.sh failed ($st): $(tail -n 3 "$dir/boot$i.err")" "$log"
			return ;;
		esac
		while IFS= read -r re; do
			[ -n "$re" ] || continue
			if line=$(grep -m1 -E -- "$re" "$log"); then
				result FAIL ": boot $i: log shows '$re': $line" "$log"
				return
			fi
		done < <(printf '%s\n' "${always_reject[@]}"; printf '%s' "${reject[i]}")
		case ${end[i]} in
		poweroff) re='reboot: Power down' ;;
		reboot) re='reboot: Restarting system' ;;
		*) re= ;;
		esac
		if [ -n "$re" ] && ! grep -qF -- "$re" "$log"; then
			result FAIL ": boot $i: did not end by ${end[i]} ('$re' not in the log)" "$log"
			return
		fi
		while IFS= read -r re; do
			[ -n "$re" ] || continue
			if ! grep -qE -- "$re" "$log"; then
				result FAIL ": boot $i: log lacks '$re'" "$log"
				return
			fi
		done <<<"${expect[i]}"
		if [ -n "$img" ] && [ "$rootsha" = on ]; then
			sha=$(part_sha "$img" "$envf" ROOT)
			if [ "${rootchange[i]:-}" = yes ]; then
				if [ "$sha" = "$sha0" ]; then
					result FAIL ": boot $i did not change the root partition (rootchange yes)" "$log"
					return
				fi
				sha0=$sha	# the new root: later boots must leave it as it is now
			elif [ "$sha" != "$sha0" ]; then
				result FAIL ": boot $i changed the root partition (sha256 $sha0 -> $sha)" "$log"
				return
			fi
		fi
		if [ -n "$img" ] && [ "$rootsha" = on ] && [ "$(rootid_rootb_sha "$img" "$envf")" != "$shab0" ]; then
			result FAIL ": boot $i changed the second root partition (p3, disk ab)" "$log"
			return
		fi
		if [ -n "$img" ] && [ "$rootsha" = on ] && [ "$(verity_hash_sha "$img" "$envf")" != "$shah0" ]; then
			result FAIL ": boot $i changed the verity hash partition (p4)" "$log"
			return
		fi
		if [ -n "$img" ] && [ "$datasha" != off ]; then
			sha=$(data_sha "$img" "$envf" "$datasha")
			if [ "$sha" != "$dsha0" ]; then
				result FAIL ": boot $i changed the data partition (sha256 $dsha0 -> $sha)" "$log"
				return
			fi
		fi
		if [ -n "${fsck[i]}" ]; then
			if [ -z "$img" ]; then result FAIL ": boot $i: fsck without a disk"; return; fi
			for key in ${fsck[i]}; do
				case $key in root | data) ;; *) result FAIL ": boot $i: bad fsck '$key'"; return ;; esac
			done
			# shellcheck disable=SC2086 # a list of partitions
			if ! fsck_parts "$img" "$envf" "$dir/boot$i.fsck" ${fsck[i]}; then
				result FAIL ": boot $i: e2fsck -fn found problems: $(grep -m1 -vE '^(e2fsck |Pass )' \
					"$dir/boot$i.fsck")" "$dir/boot$i.fsck"
				return
			fi
		fi
		# clean PART...: the shutdown left each journal empty (no needs_recovery).
		for key in ${clean[i]}; do
			case $key in root | data) ;; *) result FAIL ": boot $i: bad clean '$key'"; return ;; esac
			[ -n "$img" ] || { result FAIL ": boot $i: clean without a disk"; return; }
			part_out "$img" "$envf" "${key^^}" "$dir/clean.part"
			dumpe2fs -h "$dir/clean.part" >"$dir/boot$i.dumpe2fs-$key" 2>&1
			rm -f "$dir/clean.part"
			echo "boot $i: $key: $(grep -E '^Filesystem (state|features):' \
				"$dir/boot$i.dumpe2fs-$key" | tr -s ' \n' ' ')" >>"$dir/notes"
			if grep -q '^Filesystem features:.*needs_recovery' "$dir/boot$i.dumpe2fs-$key"; then
				result FAIL ": boot $i: $key partition not clean after the shutdown$(
					) (dumpe2fs -h: needs_recovery)" "$log"
				return
			fi
		done
	done

	# compare A B TOL RE: the numbers RE captures in boots A and B differ by at most TOL.
	local a b tol va vb
	for line in "${compare[@]}"; do
		read -r a b tol re <<<"$line"
		va=$(sed -nE "s/$re/\\1/p" "$dir/boot$a.log" | head -n 1)
		vb=$(sed -nE "s/$re/\\1/p" "$dir/boot$b.log" | head -n 1)
		if [ -z "$va" ] || [ -z "$vb" ]; then
			result FAIL ": compare '$re': no value in boot $a or $b ('$va', '$vb')" "$dir/boot$b.log"
			return
		fi
		if [ $((va > vb ? va - vb : vb - va)) -gt "$tol" ]; then
			result FAIL ": compare '$re': boot $a $va, boot $b $vb, differ by more than $tol" \
				"$dir/boot$b.log"
			return
		fi
		echo "compare '$re': boot $a $va, boot $b $vb" >>"$dir/notes"
	done
	t0=$(($(date +%s%3N) - t0))
	result PASS " ($((t0 / 1000)).$((t0 % 1000 / 100))s)"
}

# --- select, build what is missing, run -----------------------------------------------------
names=$(select_names "$@") || exit 2
[ -n "$names" ] || { echo "run.sh: no scenario selected" >&2; exit 2; }
need_init || exit 2
ensure_kernel || exit 2
for v in $(for name in $names; do stanza "$name"; done |
	awk '$1 == "disk" && $2 != "none" { print "disk " $2 }
		$1 == "initramfs" && $2 != "none" { print "initramfs " $2 }
		$1 == "machine" && $2 == "raspi3b" { print "initramfs raspi" }
		$1 == "kernel" && $2 != "debian" { print "kernel built" }
		END { print "disk mbr"; print "initramfs default" }' | sort -u | tr ' ' ':'); do
	case $v in
	disk:mbr | disk:gpt | disk:ab | disk:verity | disk:vhash) ensure_disk "${v#disk:}" || exit 2 ;;
	disk:*)
		# a real root (mkrealroot.sh): its scenarios FAIL, the others still run
		ensure_disk "${v#disk:}" ||
			echo "run.sh: disk '${v#disk:}' could not be built: its scenarios FAIL" >&2
		;;
	initramfs:*) ensure_initramfs "${v#initramfs:}" || exit 2 ;;
	kernel:built) ensure_builtkernel || exit 2 ;;
	esac
done

pass=0 fail=0
# report NAME: print the result of a finished scenario.
report() {
	local dir=$out/run/$1 r
	r=$(cat "$dir/result" 2>/dev/null || echo "FAIL $1: no result (runner crashed?)")
	echo "$r"
	case $r in
	PASS*) pass=$((pass + 1)) ;;
	*)
		fail=$((fail + 1))
		if [ -f "$dir/faillog" ]; then
			echo "--- last 40 lines of $(cat "$dir/faillog")"
			tail -n 40 "$(cat "$dir/faillog")" | sed 's/^/  | /'
		fi
		;;
	esac
}

# Run JOBS scenarios at once, and print the results in file order as they complete.
declare -A pid
mapfile -t order <<<"$names"
next=0
for name in "${order[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	run_scenario "$name" &
	pid[$name]=$!
	while [ "$next" -lt "${#order[@]}" ] && ! kill -0 "${pid[${order[next]}]:-0}" 2>/dev/null &&
		[ -n "${pid[${order[next]}]:-}" ]; do
		wait "${pid[${order[next]}]}"
		report "${order[next]}"
		next=$((next + 1))
	done
done
for ((; next < ${#order[@]}; next++)); do
	wait "${pid[${order[next]}]}"
	report "${order[next]}"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
