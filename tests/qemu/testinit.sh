#!/bin/sh
# The bench's /sbin/init on the root disk (busybox sh). Started by overroot after switch_root.
# tinit unset: interactive demo shell. tinit=a,b,c: run those actions in order, then power off.
# Every output line starts with a fixed prefix (name= or name: ) so tests can grep it.
# Actions:
#   report     pid, args, mounts, status file, marker, env, overroot's dmesg, cmdline length
#   status     pid= and the status file as status: lines (a short report)
#   write      append "write N" to /persist.txt, sync; readback: print it (and /rofs's)
#   kmsg       one summary line to /dev/kmsg (pid, mode, what / is), for a console that
#              shows nothing (console=null): the kernel log still reaches the serial port
#   fill       write /fill.bin until the rw fs is full (ENOSPC), sync: fill=...
#   writeprobe try to write 64 KiB to a new file: writeprobe=ok or writeprobe=FAILED: why
#   unfill     remove /fill.bin, sync
#   churn      write /synced/sN (N = files there + 1) and its sha256, sync, print
#              "testinit: churning", then create/append/rename/delete files forever (syncs now
#              and then): for power cuts, the runner kills the guest
#   synced     check every /synced/sN against its sha256: synced_count=N synced_bad=N
#   abc        write /abc/a, b, c and /abc/bulk/0..399, sync: abc=written
#   abccheck   "abc=all bulk=400" or "abc=none bulk=0" when the whole tree is there or gone,
#              else abc=partial:N bulk=M (N of a, b, c with their content, M bulk files)
#   savelog    save the kernel log and where fds 0-2 point to /saved.log (on the overlay), sync;
#   showsaved  print it as saved: lines (saved=MISSING): a boot with no console tells the next
#   idle       print "testinit: idle" and wait forever (for power cuts during a boot)
#   idlesync   the same, but sync every 0.2 s (what reaches the disk is what was done)
#   shutdown   what a real init does last: kill every other process, sync, remount / and
#              /overlay read-only (the rw fs is then clean, its journal empty): shutdown: ...
#   clistatus  `overroot status` and `overroot status --json` as cli: lines, then
#              "cli: status exit=N"
#   clichroot  `overroot chroot` writes /etc/overroot-chroot-change into the original root:
#              its lines as cli: lines, "cli: chroot exit=N", then rofs_change=... (as /rofs
#              shows it) and rofs_mount=ro|rw
#   clireset   `overroot reset`: cli: lines, "cli: reset exit=N"; clicancel: reset --cancel
#   clicheck   mark=present|MISSING (/overlay/.overroot-reset), rofs_change= and root_change=
#              (the file through /rofs and through the overlay), MISSING when absent
# The root under the upper (issue 19):
#   etcchange  write "changed on the device" into /etc/overroot-test-root (a file the rebuilt
#              root changes too), sync; etc: etc_marker=<that file as / shows it>
#   fscklog    the rw device's check (issue 25): /run/overroot/fsck.log as fscklog: lines
#              (fscklog=MISSING when there is none)
#   asidecheck what the last set-aside upper holds: aside_n=N (the highest, or none),
#              aside_marker= (its /etc/overroot-test-root), aside_persist=, aside_abc= (as
#              abccheck), aside_unfinished=<dirs without their .overroot-root record>
# A verified root (issue 23):
#   victim     read /usr/share/overroot-test/victim (the verity disks' file a `corrupt` line
#              changes): victim=ok lines=N, or victim=FAILED: <cat's error> (EIO: I/O error)

# First, for the speed bench: the time at which the real init started, in the kernel log.
{ echo "testinit: start" >/dev/kmsg; } 2>/dev/null || echo "testinit: start (no /dev/kmsg)"

export PATH=/bin:/sbin:/usr/bin:/usr/sbin

# overroot should hand over /proc /sys /dev /run mounted; if one is missing, say so and mount it
# so the actions still work.
selfmount=
for m in proc:proc sys:sysfs dev:devtmpfs run:tmpfs; do
	d=/${m%%:*}
	if ! grep -q "^[^ ]* $d " /proc/mounts 2>/dev/null; then
		mount -t "${m#*:}" "${m%%:*}" "$d" 2>/dev/null && selfmount="$selfmount ${d#/}"
	fi
done
[ -n "$selfmount" ] && echo "testinit: mounted itself:$selfmount"

lines() { # PREFIX FILE: print each line of FILE as PREFIX: line
	sed "s|^|$1: |" "$2"
}

act_report() {
	echo "=== TESTINIT REPORT ==="
	echo "pid=$$"
	echo "args=$*"
	echo "argc=$#"
	lines mount /proc/mounts
	echo "memavailable_kb=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
	echo "ls_root=$(ls -a / | tr '\n' ' ')"
	[ -d /rofs ] && echo "ls_rofs=$(ls -a /rofs | tr '\n' ' ')"
	if [ -f /run/overroot/status ]; then
		lines status /run/overroot/status
	else
		echo "status=MISSING"
	fi
	if [ -r /etc/overroot-test-root ]; then
		echo "marker=$(cat /etc/overroot-test-root)"
	else
		echo "marker=UNREADABLE"
	fi
	env | sort | sed 's/^/env: /'
	echo "cmdline_bytes=$(wc -c </proc/cmdline)"
	dmesg 2>/dev/null | grep overroot | sed 's/^/dmesg: /'
	echo "=== END REPORT ==="
}

act_fscklog() {
	if [ -f /run/overroot/fsck.log ]; then lines fscklog /run/overroot/fsck.log
	else echo "fscklog=MISSING"; fi
}

act_status() {
	echo "pid=$$"
	if [ -f /run/overroot/status ]; then
		lines status /run/overroot/status
	else
		echo "status=MISSING"
	fi
}

act_write() {
	n=1
	[ -f /persist.txt ] && n=$(($(wc -l </persist.txt) + 1))
	echo "write $n" >>/persist.txt
	sync
	echo "persist=$(tr '\n' ';' </persist.txt)"
}

act_readback() {
	if [ -f /persist.txt ]; then
		echo "persist=$(tr '\n' ';' </persist.txt)"
	else
		echo "persist=MISSING"
	fi
	if [ -f /rofs/persist.txt ]; then
		echo "rofs_persist=$(tr '\n' ';' </rofs/persist.txt)"
	else
		echo "rofs_persist=MISSING"
	fi
}

act_kmsg() {
	mode=$(sed -n 's/^mode=//p' /run/overroot/status 2>/dev/null)
	rootline=$(grep -m1 '^[^ ]* / ' /proc/mounts | cut -d' ' -f1-3)
	echo "testinit: kmsg pid=$$ mode=${mode:-none} root=$rootline" >/dev/kmsg
}

act_fill() {
	dd if=/dev/zero of=/fill.bin bs=64k 2>/run/fill.err
	echo "fill=$(grep -m1 -i error /run/fill.err)"
	sync
	df -k /overlay 2>/dev/null | tail -n 1 | sed 's/^/df: /'
}

act_writeprobe() {
	if out=$(dd if=/dev/zero of=/writeprobe.bin bs=64k count=1 2>&1 && sync); then
		echo "writeprobe=ok"
	else
		echo "writeprobe=FAILED: $(echo "$out" | grep -m1 -i error)"
	fi
	rm -f /writeprobe.bin
}

act_unfill() {
	rm -f /fill.bin
	sync
	echo "unfill=done"
}

act_churn() {
	mkdir -p /synced /churn
	rm -rf /churn/*
	n=1
	while [ -f /synced/s$n ]; do n=$((n + 1)); done
	i=0
	while [ $i -lt 300 ]; do
		echo "synced file $n, line $i: the quick brown fox jumps over the lazy dog"
		i=$((i + 1))
	done >/synced/s$n
	(cd /synced && sha256sum s$n >s$n.sha)
	sync
	echo "testinit: churning (synced /synced/s$n)"
	i=0
	while :; do
		i=$((i + 1))
		echo "append $i" >>/churn/log$((i % 7))
		dd if=/dev/urandom of=/churn/tmp bs=4k count=$((i % 5 + 1)) 2>/dev/null
		mv /churn/tmp /churn/r$((i % 11))
		echo "$i" >/synced/.tmp$((i % 3))
		[ $((i % 4)) = 0 ] && rm -f /churn/log$(((i + 3) % 7)) /synced/.tmp$(((i + 1) % 3))
		[ $((i % 6)) = 0 ] && mkdir -p /churn/d$((i % 5)) && echo x >/churn/d$((i % 5))/f$i
		[ $((i % 9)) = 0 ] && rm -rf /churn/d$(((i + 2) % 5))
		[ $((i % 10)) = 0 ] && sync
	done
}

act_synced() {
	count=0 bad=0
	for f in /synced/s*.sha; do
		[ -f "$f" ] || continue
		count=$((count + 1))
		(cd /synced && sha256sum -c "${f##*/}" >/dev/null 2>&1) || { bad=$((bad + 1)); echo "synced: BAD ${f%.sha}"; }
	done
	echo "synced_count=$count"
	echo "synced_bad=$bad"
}

act_abc() {
	mkdir -p /abc/bulk
	for f in a b c; do echo "file $f" >/abc/$f; done
	i=0
	while [ $i -lt 400 ]; do echo "bulk $i" >/abc/bulk/$i; i=$((i + 1)); done
	sync
	echo "abc=written"
}

abc_in() { # DIR: "all|none|partial:N bulk=M" for DIR/abc
	n=0
	for f in a b c; do [ "$(cat "$1/abc/$f" 2>/dev/null)" = "file $f" ] && n=$((n + 1)); done
	m=0
	for f in "$1"/abc/bulk/*; do [ -f "$f" ] && m=$((m + 1)); done
	case $n in 3) r=all ;; 0) r=none ;; *) r=partial:$n ;; esac
	echo "$r bulk=$m"
}

act_abccheck() { echo "abc=$(abc_in "")"; }

act_savelog() {
	{
		for fd in 0 1 2; do echo "fd$fd=$(readlink /proc/$$/fd/$fd || echo closed)"; done
		echo "pid=$$"
		echo "mode=$(sed -n 's/^mode=//p' /run/overroot/status 2>/dev/null)"
		dmesg
	} >/saved.log 2>&1
	sync
}

act_showsaved() {
	if [ -f /saved.log ]; then sed 's/^/saved: /' /saved.log; else echo "saved=MISSING"; fi
}

act_idle() {
	echo "testinit: idle"
	while :; do sleep 1000; done
}

act_idlesync() {
	echo "testinit: idle, syncing"
	while :; do sync; sleep 0.2; done
}

act_shutdown() {
	kill -KILL -1 2>/dev/null
	sleep 0.2
	sync
	for m in / /overlay; do
		grep -q "^[^ ]* $m [^ ]* rw[, ]" /proc/mounts || continue
		t=0
		until mount -o remount,ro "$m" 2>/run/remount.err; do
			t=$((t + 1))
			[ $t -ge 20 ] && break
			sleep 0.5
		done
		if [ $t -ge 20 ]; then
			echo "shutdown: $m still rw: $(cat /run/remount.err)"
		else
			echo "shutdown: $m read-only"
		fi
	done
}

cli() { # NAME ARGS...: run `overroot ARGS...`, print its lines and "cli: NAME exit=N"
	name=$1
	shift
	out=$(overroot "$@" 2>&1)
	st=$?
	echo "$out" | sed 's/^/cli: /'
	echo "cli: $name exit=$st"
}

act_clistatus() {
	cli status status --json
	cli status status
}

act_clichroot() {
	cli chroot chroot sh -c 'echo "changed through overroot chroot" >/etc/overroot-chroot-change'
	echo "rofs_change=$(cat /rofs/etc/overroot-chroot-change 2>/dev/null || echo MISSING)"
	echo "rofs_mount=$(sed -n 's|^[^ ]* /rofs [^ ]* \(r[ow]\).*|\1|p' /proc/mounts)"
}

act_clireset() { cli reset reset; }
act_clicancel() { cli reset reset --cancel; }

act_clicheck() {
	if [ -e /overlay/.overroot-reset ]; then echo "mark=present"; else echo "mark=MISSING"; fi
	echo "rofs_change=$(cat /rofs/etc/overroot-chroot-change 2>/dev/null || echo MISSING)"
	echo "root_change=$(cat /etc/overroot-chroot-change 2>/dev/null || echo MISSING)"
}

act_etcchange() {
	echo "changed on the device" >/etc/overroot-test-root
	sync
	echo "etcchange=done"
}

act_etc() { echo "etc_marker=$(cat /etc/overroot-test-root 2>/dev/null || echo MISSING)"; }

act_asidecheck() {
	a=/overlay/.overroot-aside n=0 unfinished=0
	for d in "$a"/*; do
		[ -d "$d" ] || continue
		k=${d##*/}
		[ "$k" -gt "$n" ] 2>/dev/null && n=$k
		[ -f "$d/.overroot-root" ] || unfinished=$((unfinished + 1))
	done
	[ "$n" = 0 ] && { echo "aside_n=none"; return; }
	u=$a/$n/upper
	echo "aside_n=$n"
	echo "aside_marker=$(cat "$u/etc/overroot-test-root" 2>/dev/null || echo MISSING)"
	echo "aside_persist=$(tr '\n' ';' <"$u/persist.txt" 2>/dev/null || echo MISSING)"
	echo "aside_abc=$(abc_in "$u")"
	echo "aside_unfinished=$unfinished"
}

act_victim() {
	f=/usr/share/overroot-test/victim
	if err=$(cat "$f" 2>&1 >/dev/null); then
		echo "victim=ok lines=$(wc -l <"$f")"
	else
		echo "victim=FAILED: $err"
	fi
}

if [ -z "${tinit+set}" ]; then
	hostname -F /etc/hostname 2>/dev/null
	echo
	echo "overroot QEMU demo: PID $$, args: $*"
	cat /proc/mounts
	echo "Exit the shell to power off."
	setsid cttyhack sh -l
else
	echo "testinit: actions $tinit"
	IFS=,
	for a in $tinit; do
		IFS=' '
		case $a in
		report | status | write | readback | kmsg | fill | writeprobe | unfill | churn | synced | abc | \
			abccheck | savelog | showsaved | idle | idlesync | shutdown) "act_$a" "$@" ;;
		clistatus | clichroot | clireset | clicancel | clicheck) "act_$a" ;;
		etcchange | etc | asidecheck | fscklog) "act_$a" ;;
		victim) "act_$a" ;;
		*) echo "testinit: unknown action '$a'" ;;
		esac
	done
	IFS=' '
	echo "testinit: done"
fi
sync
poweroff -f
# PID 1 must not exit (the kernel would panic): wait if poweroff failed.
while :; do sleep 1000; done
