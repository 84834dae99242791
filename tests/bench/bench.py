#!/usr/bin/env python3
"""Boot the bench's contenders under qemu-system-aarch64, interleaved, and keep the logs.

    bench.py boot --rounds N [--only NAME,...]   boots into build/bench/run/NAME/roundR.log
    bench.py parse                               prints what the logs say (one line a boot)

run.sh calls `boot`, then report.py reads the logs. Every boot gets a fresh copy of the
pristine disk (build/bench/disk-mbr.img), so every contender starts from the same empty
data partition. QEMU runs with transparent huge pages off (tests/qemu/nothp.c): see
/work/shared/reference/boot-facts.md section 4.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(TOP, "build", "bench")
RUN = os.path.join(OUT, "run")

RW = "root=/dev/vda2 rootrw=/dev/vda3"
RO = "root=/dev/vda2"
# The disk is hot-plugged this many seconds after the kernel starts /init (modules loaded by
# then); roottimeout=30 keeps overroot and the shell way waiting (the floor waits 60 s).
HOTPLUG_DELAY = float(os.environ.get("BENCH_HOTPLUG_DELAY", "3"))
HP = RW + " roottimeout=30"

# name: (initramfs, kernel command line, hot-plugged disk?)
CONTENDERS = {
    "overroot": ("overroot", RW, False),
    "overroot-fstype": ("overroot", RW + " rootfstype=ext4 rootrwfstype=ext4", False),
    "floor": ("floor", RW, False),
    "shell": ("shell", RW, False),
    "overroot-ro": ("overroot", RO, False),
    "tiny-ro": ("tiny", RO, False),
    "floor-ro": ("floor-ro", RO, False),
    "overroot-hotplug": ("overroot", HP, True),
    "floor-hotplug": ("floor", HP, True),
    "shell-hotplug": ("shell", HP, True),
}

# On overroot's own kernel (make kernel: build/kernel/, every driver built in, no modules), the
# initramfs bundled in the Image as Yocto's INITRAMFS_IMAGE_BUNDLE does (tests/bench/build.sh
# bundles them): name -> (Image file in build/kernel/, command line). Timed from kernel start.
COMPRESSIONS = ["gzip", "xz", "lz4", "zstd", "lzo", "lzma", "bzip2", "none"]
OVR = "Image-bench-overroot-gzip"
KERNEL = {
    "k-none-ro": ("Image", RO),
    "k-overroot-ro": (OVR, RO),
    "k-init-ro": ("Image", RO + " init=/usr/sbin/overroot"),
    "k-overroot": (OVR, RW),
    "k-floor": ("Image-bench-floor", RW),
    "k-shell": ("Image-bench-shell", RW),
    "k-init": ("Image", RW + " init=/usr/sbin/overroot"),
    # The rw device's check (issue 25): make kernel's Image-overroot-fsck (e2fsck bundled too),
    # the clean partition checked, and the same Image with the check skipped: the pair's
    # difference is the check alone, the unpack of the larger initramfs being in both; against
    # make kernel's Image-overroot (overroot alone), the skip shows what carrying e2fsck costs.
    "k-fsck": ("Image-overroot-fsck", RW),
    "k-fsck-skip": ("Image-overroot-fsck", RW + " fsck.mode=skip"),
    "k-nofsck": ("Image-overroot", RW),
}
# The unpack of each compression: overroot bundled, unpacked before the other initcalls
# (initramfs_async=0), populate_rootfs timed by initcall_debug (icount only: no disk involved).
for _c in COMPRESSIONS:
    KERNEL["kc-" + _c] = ("Image-bench-overroot-" + _c,
                          RO + " initramfs_async=0 initcall_debug loglevel=8")
# A verified root (issue 23): the same overlay boot on the verity disk (mkdisk.sh verity: the
# hash tree after the root filesystem), unverified, verified by overroot (systemd's parameters),
# and as init= unverified and verified by the kernel's dm-mod.create=. @KEY@ from the disk's
# .env. The kernel hashes in software (sha256-generic), as the Pi 4's Cortex-A72 must.
VDISK = "disk-verity.img"
VERITY = ("roothash=@VERITY_ROOT_HASH@ systemd.verity_root_data=/dev/vda2 "
          "systemd.verity_root_hash=/dev/vda2 "
          "systemd.verity_root_options=hash-offset=@VERITY_HASH_OFFSET@ rootrw=/dev/vda3")
DMINIT = ("root=/dev/dm-0 rootrw=/dev/vda3 init=/usr/sbin/overroot dm-mod.create=\"root,,,ro,0 "
          "@VERITY_DATA_SECTORS@ verity 1 /dev/vda2 /dev/vda2 1024 4096 @VERITY_DATA_BLOCKS@ "
          "@VERITY_HASH_START@ sha256 @VERITY_ROOT_HASH@ @VERITY_SALT@\"")
KERNEL.update({
    "kv-plain": (OVR, RW),
    "kv-verity": (OVR, VERITY),
    "kv-init": ("Image", RW + " init=/usr/sbin/overroot"),
    "kv-dminit": ("Image", DMINIT),
})
DISK = {n: VDISK for n in KERNEL if n.startswith("kv-")}  # the others: disk-mbr.img
for _n, (_img, _cmd) in KERNEL.items():
    CONTENDERS[_n] = (None, _cmd, False)
KDIR = os.path.join(TOP, "build", "kernel")


def env_file(path):
    d = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                d[k] = v.strip('"')
    return d


def nothp():
    exe = os.path.join(TOP, "build", "qemu", "nothp")
    if not os.access(exe, os.X_OK):
        os.makedirs(os.path.dirname(exe), exist_ok=True)
        subprocess.run(["cc", "-O2", "-o", exe, os.path.join(TOP, "tests", "qemu", "nothp.c")],
                       check=True)
    return exe


def monitor_send(sock_path, line, timeout=5.0):
    end = time.time() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock_path)
            break
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.05)
    s.settimeout(2)
    try:
        s.recv(4096)  # the banner
    except socket.timeout:
        pass
    s.sendall(line.encode() + b"\n")
    time.sleep(0.2)
    try:
        reply = s.recv(4096).decode(errors="replace")
    except socket.timeout:
        reply = ""
    s.close()
    return reply


# The two clocks of a boot (the kernel's timestamps follow QEMU's virtual clock):
#   tcg     plain emulation: guest time is host time, so the translation of code that runs once
#           and every emulated instruction cost what they cost on this host.
#   icount  QEMU's instruction counter, `-icount shift=0,sleep=on`: one guest instruction is
#           1 ns of guest time whatever it costs the host to emulate it (a CPU doing 1
#           instruction a ns, no translation cost: the hardware-like figure). While the guest is
#           idle (waiting for the disk, sleeping) guest time follows host time. Not sleep=off:
#           that skips idle time by jumping to the guest's next timer, so a wait for a disk read
#           (completed by the host in real time) costs the time to the next timer, 0 ms to
#           seconds (with NO_HZ idle): the slow rounds of the first icount runs.
# Logs: roundNN.log (tcg), icount-roundNN.log (icount). The hot-plug boots run on both: their
# monitor command is sent in host time, but from the kernel's [vda] line on all is guest time.
CLOCKS = {
    "tcg": [],
    "icount": ["-icount", os.environ.get("BENCH_ICOUNT", "shift=0,sleep=on")],
}
LOGNAME = {"tcg": "round%02d.log", "icount": "icount-round%02d.log"}

# The disk copies live in RAM (boot-facts section 6): under icount's sleep=on a read the guest
# waits for costs host time, and a disk image just copied to the host's disk adds its I/O.
SHM = "/dev/shm" if os.path.isdir("/dev/shm") else None
DISKDIR = None


def boot(name, log, timeout=60, append="", clock="tcg"):
    """One guest; returns (seconds, how it ended)."""
    img, cmdline, hotplug = CONTENDERS[name]
    cmdline = (cmdline + " " + append).strip()
    kenv = env_file(os.path.join(TOP, "build", "qemu", "kernel.env"))
    global DISKDIR
    if DISKDIR is None:
        DISKDIR = tempfile.mkdtemp(prefix="overroot-bench-", dir=SHM or RUN)
    disk = os.path.join(DISKDIR, "disk.img")
    src = os.path.join(OUT, DISK.get(name, "disk-mbr.img"))
    subprocess.run(["cp", "--sparse=always", src, disk], check=True)
    for k, v in env_file(src + ".env").items():
        cmdline = cmdline.replace("@%s@" % k, v)
    if name in KERNEL:
        kernel, initrd = [os.path.join(KDIR, KERNEL[name][0])], []
    else:
        kernel = [kenv["VMLINUZ"]]
        initrd = ["-initrd", os.path.join(OUT, "initramfs-%s.cpio.gz" % img)]
    cmd = [nothp(), "qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72", "-m", "512",
           "-nographic", "-no-reboot", "-nic", "none", "-kernel"] + kernel + initrd + [
           "-append", "console=ttyAMA0 panic=-1 tinit=report " + cmdline,
           "-serial", "file:" + log] + CLOCKS[clock]
    mon = None
    if hotplug:
        mon = os.path.join(RUN, "monitor.sock")
        if os.path.exists(mon):
            os.unlink(mon)
        cmd += ["-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1",
                "-drive", "file=%s,if=none,format=raw,id=hd0" % disk,
                "-monitor", "unix:%s,server=on,wait=off" % mon]
    else:
        cmd += ["-drive", "file=%s,if=none,format=raw,id=d0" % disk,
                "-device", "virtio-blk-device,drive=d0", "-monitor", "none"]
    open(log, "w").close()
    t0 = time.time()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=open(log + ".qemu", "w"))
    how = "exit"
    plugged = not hotplug
    seen_init = None
    while p.poll() is None:
        now = time.time()
        if not plugged:
            if seen_init is None:
                with open(log, "rb") as f:
                    if b"Run /init as init process" in f.read():
                        seen_init = now
            elif now - seen_init >= HOTPLUG_DELAY:
                r = monitor_send(mon, "device_add virtio-blk-pci,drive=hd0,bus=rp1,id=vblk0")
                if "rror" in r:
                    print("bench.py: device_add: " + r.strip(), file=sys.stderr)
                plugged = True
        if now - t0 > timeout:
            how = "timeout"
            p.kill()
            break
        time.sleep(0.02)
    p.wait()
    return time.time() - t0, how


TS = re.compile(r"^\[\s*(\d+\.\d+)\]")


def parse(log):
    """What one console log says: times in ms, memory, overroot's stages."""
    r = {"ok": False}
    stages = {}
    mounts = []
    with open(log, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            m = TS.match(line)
            t = float(m.group(1)) * 1000 if m else None
            if t is not None and "Run /init as init process" in line:
                r["t_init"] = t
            elif t is not None and "Trying to unpack rootfs image as initramfs" in line:
                r["t_unpack"] = t
            elif t is not None and "Freeing initrd memory" in line:
                r["t_unpacked"] = t
            elif t is not None and "populate_rootfs" in line and "returned" in line:
                u = re.search(r"after (\d+) usecs", line)
                if u:
                    r["populate_us"] = int(u.group(1))
            elif t is not None and re.search(r"Run /\S+ as init process", line):
                r.setdefault("t_run", t)
            elif t is not None and "testinit: start" in line:
                r.setdefault("t_real", t)
            elif t is not None and "[vda]" in line:
                r.setdefault("t_vda", t)
            elif t is not None and " overroot: [" in line:
                s = re.search(r"overroot: \[(\w+)\] done in (\d+) ms", line)
                if s:
                    stages[s.group(1)] = int(s.group(2))
            elif line.startswith("memavailable_kb="):
                r["memavail_kb"] = int(line.split("=", 1)[1] or 0)
            elif line.startswith("mount: "):
                mounts.append(line[7:])
    r["stages"] = stages
    root = [m for m in mounts if m.split()[1:2] == ["/"]]
    r["root_fs"] = root[-1].split()[2] if root else None
    if "t_init" in r and "t_real" in r:
        r["total"] = r["t_real"] - r["t_init"]
        r["ok"] = True
    if "t_real" in r:
        r["from_start"] = r["t_real"]  # kernel start is 0.000000
    if "t_unpack" in r and "t_unpacked" in r:
        r["unpack"] = r["t_unpacked"] - r["t_unpack"]
    if "t_vda" in r and "t_real" in r:
        r["after_vda"] = r["t_real"] - r["t_vda"]
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["boot", "parse"])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--only", default="")
    ap.add_argument("--clocks", default="tcg,icount", help="tcg, icount or both (tcg,icount)")
    ap.add_argument("--append", default="", help="more kernel parameters (e.g. debug)")
    ap.add_argument("--run", default=None, help="where the logs go (build/bench/run)")
    a = ap.parse_args()
    global RUN
    RUN = a.run or RUN
    names = [n for n in CONTENDERS if not a.only or n in a.only.split(",")]
    clocks = [c for c in CLOCKS if c in a.clocks.split(",")]
    if a.cmd == "boot":
        for n in names:
            shutil.rmtree(os.path.join(RUN, n), ignore_errors=True)
            os.makedirs(os.path.join(RUN, n))
        for rnd in range(a.rounds):
            # Interleaved, and each round starts one contender later, so that no contender
            # always follows the same one.
            order = names[rnd % len(names):] + names[:rnd % len(names)]
            for n in order:
                for c in clocks:
                    # The unpack boots count instructions only (nothing host-timed in them).
                    if c == "tcg" and n.startswith("kc-"):
                        continue
                    log = os.path.join(RUN, n, LOGNAME[c] % rnd)
                    secs, how = boot(n, log, append=a.append, clock=c)
                    r = parse(log)
                    print("round %2d %-17s %-6s %5.1fs %-7s init->real %s ms, start->real %s"
                          % (rnd + 1, n, c, secs, how,
                             "%.1f" % r["total"] if "total" in r else "-",
                             "%.1f" % r["from_start"] if "from_start" in r else "FAILED"), flush=True)
        if DISKDIR and DISKDIR.startswith("/dev/shm/"):
            shutil.rmtree(DISKDIR, ignore_errors=True)
    else:
        for n in names:
            d = os.path.join(RUN, n)
            for lf in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                if lf.endswith(".log"):
                    print(n, lf, parse(os.path.join(d, lf)))


if __name__ == "__main__":
    main()
