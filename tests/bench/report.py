#!/usr/bin/env python3
"""Turn the bench's console logs (build/bench/run/NAME/roundNN.log) into docs/bench.md and
docs/bench-initramfs.svg (Debian's kernel; docs/bench.svg is kreport.py's), and print the
tables. Called by run.sh after bench.py boot; can be rerun on the same logs:  python3 tests/bench/report.py [--rounds N] [--command 'make bench']
"""
import argparse
import datetime
import glob
import gzip
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

TOP = bench.TOP
OUT = bench.OUT
RUN = bench.RUN
DOCS = os.path.join(TOP, "docs")

LABEL = {
    "overroot": "overroot, overlay",
    "overroot-fstype": "overroot, overlay, types given",
    "floor": "floor, overlay",
    "shell": "shell way (busybox), overlay",
    "overroot-ro": "overroot, read-only root",
    "tiny-ro": "tiny-initramfs, read-only root",
    "floor-ro": "floor, read-only root",
    "overroot-hotplug": "overroot, disk hot-plugged",
    "floor-hotplug": "floor, disk hot-plugged",
    "shell-hotplug": "shell way, disk hot-plugged",
}
FLOOR = {"overroot": "floor", "overroot-fstype": "floor", "shell": "floor",
         "overroot-ro": "floor-ro", "tiny-ro": "floor-ro",
         "overroot-hotplug": "floor-hotplug", "shell-hotplug": "floor-hotplug"}
SPEED = ["overroot", "overroot-fstype", "floor", "shell", "overroot-ro", "tiny-ro", "floor-ro"]
HOTPLUG = ["overroot-hotplug", "floor-hotplug", "shell-hotplug"]
STAGES = ["early", "cmdline", "kmod", "rootfs", "overlayroot", "handback", "status", "switchroot"]
# Targets on the hardware-like clock (icount, median of the per-round differences), ms.
TARGETS = [("overroot", "floor", 10, "overroot within 10 ms of the floor with the overlay"),
           ("overroot-ro", "tiny-ro", 5, "overroot within 5 ms of tiny-initramfs, read-only root")]
# Which initramfs each contender boots, for the unpack table.
IMAGE = {"overroot": "overroot", "floor": "floor", "floor-ro": "floor-ro", "shell": "shell",
         "tiny-ro": "tiny"}


def quantile(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(xs):
    return {"n": len(xs), "med": quantile(xs, 0.5), "q1": quantile(xs, 0.25),
            "q3": quantile(xs, 0.75), "min": min(xs) if xs else float("nan"),
            "max": max(xs) if xs else float("nan")}


PHASE = re.compile(r"^\[\s*(\d+\.\d+)\]")


def phases(log):
    """Kernel lines every contender produces: the split of the boot by what the kernel did."""
    t = {}
    with open(log, errors="replace") as f:
        for line in f:
            m = PHASE.match(line)
            if not m:
                continue
            ms = float(m.group(1)) * 1000
            if "Run /init as init process" in line:
                t["init"] = ms
            elif "[vda]" in line:
                t.setdefault("vda", ms)
            elif "EXT4-fs (vda2): mounted" in line:
                t.setdefault("root", ms)
            elif "EXT4-fs (vda3): mounted" in line:
                t.setdefault("rw", ms)
            elif "overroot: [" in line:
                s = re.search(r"overroot: \[(\w+)\] done in", line)
                if s:
                    t["last_stage"] = ms
            elif "testinit: start" in line:
                t.setdefault("real", ms)
    return t


def collect(clock="tcg"):
    res = {}
    pat = bench.LOGNAME[clock].replace("%02d", "*")
    for n in bench.CONTENDERS:
        logs = sorted(glob.glob(os.path.join(RUN, n, pat)))
        boots = []
        for lf in logs:
            r = bench.parse(lf)
            r["phases"] = phases(lf)
            r["round"] = int(re.search(r"round(\d+)", lf).group(1))
            boots.append(r)
        res[n] = boots
    return res


def ok(boots):
    return [b for b in boots if b["ok"]]


def paired(res, a, b, key):
    """Median over rounds of (a - b) for the same round: the figure least hurt by noise."""
    bb = {x["round"]: x for x in ok(res.get(b, [])) if key in x}
    d = [x[key] - bb[x["round"]][key] for x in ok(res.get(a, [])) if key in x and x["round"] in bb]
    return summary(d) if d else None


# --- sizes ------------------------------------------------------------------------------
def initramfs_sizes():
    rows = []
    for name in ["overroot", "floor", "floor-ro", "shell", "tiny"]:
        img = os.path.join(OUT, "initramfs-%s.cpio.gz" % name)
        if not os.path.exists(img):
            continue
        with gzip.open(img) as f:
            raw = len(f.read())
        init = os.path.getsize(os.path.join(OUT, "init-%s" % name))
        rows.append((name, os.path.getsize(img), raw, init))
    return rows


def link_map():
    """Relink build/aarch64/init.unstripped with -Wl,-Map (same command as the Makefile's) and
    sum the bytes that each origin puts into the file: overroot's objects, libblkid, musl."""
    try:
        lines = subprocess.run(["make", "-s", "-n", "-B", "ARCH=aarch64", "V=1",
                                "build/aarch64/init"], cwd=TOP, capture_output=True, text=True,
                               check=True).stdout.splitlines()
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        return None, "make -n failed: %s" % e
    link = [line for line in lines if "-o build/aarch64/init.unstripped" in line]
    if not link:
        return None, "no link command in make -n"
    words = shlex.split(link[0])
    exe = os.path.join(OUT, "init.map-build")
    mapf = os.path.join(OUT, "init.map")
    words[words.index("-o") + 1] = exe
    words.append("-Wl,-Map=" + mapf)
    r = subprocess.run(words, cwd=TOP, capture_output=True, text=True)
    if r.returncode != 0:
        return None, "relink failed: " + r.stderr[-300:]
    subprocess.run(["aarch64-linux-gnu-strip", exe], check=True)
    sums = {}
    in_map = False
    out_sec = None
    pending = None
    keep = re.compile(r"^\.(text|rodata|data|bss|tdata|tbss|init|fini|init_array|fini_array|"
                      r"got|got\.plt|data\.rel\.ro|eh_frame|gcc_except_table|preinit_array)")
    with open(mapf) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("Linker script and memory map"):
                in_map = True
                continue
            if not in_map:
                continue
            if line and not line[0].isspace():
                out_sec = line.split()[0]
                continue
            if not out_sec or not keep.match(out_sec):
                continue
            parts = line.split()
            if pending is not None:
                parts = [pending] + parts
                pending = None
            if len(parts) == 1 and parts[0].startswith("."):
                pending = parts[0]
                continue
            if len(parts) < 4 or not parts[1].startswith("0x") or not parts[2].startswith("0x"):
                continue
            if parts[0] == "*fill*":
                continue
            size = int(parts[2], 16)
            src = " ".join(parts[3:])
            if "build/aarch64/obj/" in src:
                who = "overroot (src/*.c)"
            elif "libblkid" in src:
                who = "libblkid"
            elif "musl" in src:
                who = "musl libc"
            elif "libgcc" in src:
                who = "libgcc"
            else:
                who = "other"
            kind = "bss" if out_sec.startswith((".bss", ".tbss")) else "file"
            sums.setdefault(who, {"file": 0, "bss": 0})[kind] += size
    return {"sums": sums, "stripped": os.path.getsize(exe),
            "init": os.path.getsize(os.path.join(TOP, "build", "aarch64", "init"))}, None


# --- machine ------------------------------------------------------------------------------
def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    q = subprocess.run(["qemu-system-aarch64", "--version"], capture_output=True,
                       text=True).stdout.splitlines()
    benv = bench.env_file(os.path.join(OUT, "build.env"))
    # qemu-system-aarch64 on another architecture always emulates (TCG): KVM cannot run it.
    if platform.machine() in ("aarch64", "arm64") and os.path.exists("/dev/kvm"):
        kvm = "available to QEMU, but the bench does not ask for it (TCG)"
    else:
        kvm = "no: TCG emulation (%s host)" % platform.machine()
    return {"nproc": os.cpu_count(), "cpu": cpu, "qemu": q[0] if q else "?",
            "host": "%s %s" % (platform.system(), platform.release()),
            "os": distro(), "guest": benv.get("KVER", "?"), "kvm": kvm,
            "kernel_deb": benv.get("KERNEL_DEB", "?"), "busybox_deb": benv.get("BUSYBOX_DEB", "?"),
            "tiny_deb": benv.get("TINY_DEB", "?"), "modules": benv.get("MODULES", "?")}


def distro():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


# --- the SVG chart ---------------------------------------------------------------------------
def colour(name):
    return "#2a7ab0" if "overroot" in name else "#999" if (
        "floor" in name or "none" in name) else "#c0603a"


def draw(panels, path, who, same_axis=False):
    """panels: [(title, [(label, colour, summary)])]; a summary has med, min, max and, when the
    boots are there, q1 and q3 (the box). same_axis: one scale for every panel. Used by
    kreport.py too."""
    W, left, right, bar = 760, 250, 70, 22
    y = 40
    out = []
    box = False
    for title, rs in panels:
        if not rs:
            continue
        hi = max(s["max"] for _, _, s in (sum((r for _, r in panels), []) if same_axis
                                           else rs)) * 1.08
        scale = (W - left - right) / hi
        out.append('<text x="10" y="%d" class="t">%s</text>' % (y, title))
        y += 14
        step = 10 if hi < 150 else 20 if hi < 300 else 100 if hi < 1500 else 250 if hi < 4000 \
            else 1000
        top = y
        at = len(out)  # the grid goes in here, under the bars
        y += 6
        for label, fill, s in rs:
            out.append('<text x="%d" y="%d" class="l">%s</text>' % (left - 8, y + 15, label))
            out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>' % (
                left, y, s["med"] * scale, bar, fill))
            # min-max whisker, and the interquartile box when the boots are there
            out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" class="w"/>' % (
                left + s["min"] * scale, left + s["max"] * scale, y + bar / 2, y + bar / 2))
            if "q1" in s:
                box = True
                out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" class="iqr"/>' % (
                    left + s["q1"] * scale, y + 5, max((s["q3"] - s["q1"]) * scale, 1),
                    bar - 10))
            out.append('<text x="%.1f" y="%d" class="v">%.*f</text>' % (
                left + s["max"] * scale + 6, y + 15, 1 if hi < 300 else 0, s["med"]))
            y += bar + 8
        t, grid = 0, []
        while t <= hi:
            x = left + t * scale
            grid.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" class="g"/>' % (x, x, top, y))
            grid.append('<text x="%.1f" y="%d" class="a">%d</text>' % (x, y + 14, t))
            t += step
        out[at:at] = grid
        y += 44
    body = "\n".join(out)
    doc = ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif">\n<style>.t{font-size:14px;font-weight:bold}'
           '.l{font-size:12px;text-anchor:end}.v{font-size:11px}.a{font-size:10px;'
           'text-anchor:middle;fill:#555}.g{stroke:#ddd;stroke-width:1}'
           '.w{stroke:#222;stroke-width:1.2}.iqr{fill:none;stroke:#222;stroke-width:1.2}'
           '</style>\n<rect width="100%%" height="100%%" fill="white"/>\n%s\n'
           '<text x="10" y="%d" class="a" style="text-anchor:start">bar: median; %sline: min '
           'to max. Generated by %s.</text>\n</svg>\n') % (
               W, y, body, y - 20, "box: interquartile range; " if box else "", who)
    with open(path, "w") as f:
        f.write(doc)


def svg(res, resi, path):
    def rows(r, names, key="total"):
        out = []
        for n in names:
            v = [b[key] for b in ok(r.get(n, [])) if key in b]
            if v:
                out.append((LABEL[n], colour(n), summary(v)))
        return out
    draw([("icount (1 instruction = 1 ns): Run /init -> real init's first line (ms)",
           rows(resi, SPEED)),
          ("TCG wall clock: Run /init -> real init's first line (ms)", rows(res, SPEED)),
          ("Disk hot-plugged: [vda] -> real init's first line (ms)",
           rows(res, HOTPLUG, "after_vda"))], path, "tests/bench/report.py")


# --- the report ------------------------------------------------------------------------------
def fmt_short(s, nd=1):
    if s is None:
        return "n/a"
    f = "%%.%df" % nd
    return (f + " (" + f + "-" + f + ")") % (s["med"], s["min"], s["max"])


def fmt(s, nd=0):
    if s is None:
        return "n/a"
    f = "%%.%df" % nd
    return (f + " (" + f + "-" + f + ", IQR " + f + "-" + f + ")") % (
        s["med"], s["min"], s["max"], s["q1"], s["q3"])


def build_report(res, resi, command, rounds):
    m = machine()
    lines = []
    p = lines.append
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    p("# overroot: speed and size")
    p("")
    p("Generated by `%s` (tests/bench/run.sh) on %s. Regenerate the page from the same logs "
      "with `python3 tests/bench/report.py`." % (command, now))
    p("")
    p("**Machine.** %s, %s CPUs (`nproc`), %s (%s); KVM: %s. %s. Guest: Debian's arm64 kernel "
      "%s (`%s`) under `qemu-system-aarch64 -M virt -cpu cortex-a72 -m 512`, transparent huge "
      "pages off for QEMU, console on the emulated PL011 at the kernel's default log level." % (
          m["cpu"], m["nproc"], m["os"], m["host"], m["kvm"], m["qemu"], m["guest"],
          m["kernel_deb"]))
    p("")
    p("**What is timed.** From the kernel's `Run /init as init process` to the real init's "
      "first kernel-log line (`testinit: start`, written to /dev/kmsg by the root disk's "
      "/sbin/init first thing), both kernel timestamps from the console log. %d rounds; in each "
      "round every contender boots once, in turn (the first contender moves by one each round), "
      "each from a fresh copy of the same disk (tests/qemu/mkdisk.sh, MBR: vda2 root ext4, vda3 "
      "data ext4, empty). Same kernel, disk and modules for all: %s (plain .ko, loaded "
      "dependencies first). Figures: median (min-max, interquartile range), in ms. "
      "Differences to the floor are the median of the per-round differences." % (
          rounds, m["modules"]))
    p("")
    p("Contenders:")
    p("")
    p("- **overroot**: build/aarch64/init, `root=/dev/vda2 rootrw=/dev/vda3` (or `root=/dev/vda2` "
      "alone), no other parameter: probes the type, locks the root (BLKROSET), frees the "
      "initramfs, writes /run/overroot/status, logs one line a stage. *types given*: the "
      "same with `rootfstype=ext4 rootrwfstype=ext4`, so that libblkid probes nothing.")
    p("- **floor**: tests/bench/floor.c, only the system calls this boot cannot do without "
      "(mounts, finit_module, the root mount retried every 1 ms, mkdir upper/work/rofs, bind, "
      "overlay, moves, exec); no parsing, probing, checks or logging, nothing freed.")
    p("- **shell way**: Debian's %s (static busybox) with tests/bench/shellinit.sh as /init: "
      "the steps of OpenEmbedded's initramfs-framework, one busybox process per "
      "mount/mkdir/insmod step, the root polled once a second, busybox `switch_root`." %
      m["busybox_deb"].replace("%3a", ":"))
    p("- **tiny-initramfs**: Debian's %s, its `init-static` as /init, the same modules at the "
      "top of the initramfs listed in `/modules` (its documented format, load order, no "
      "dependency resolution), `root=/dev/vda2`." % m["tiny_deb"])
    p("")

    p("## Boot time, Run /init -> real init, on two clocks")
    p("")
    p("Every boot runs twice a round, once on each clock (the kernel's timestamps follow "
      "QEMU's virtual clock):")
    p("")
    p("- **icount, the hardware-like figure**: `-icount shift=0,sleep=on`, QEMU's instruction "
      "counter. One guest instruction is 1 ns of guest time, whatever it costs this host to "
      "emulate it, so the translation of code that runs once (which a Cortex-A72 never pays) "
      "drops out: the figure is what the guest's own instructions take on a CPU doing one a "
      "ns (about a Pi 4's Cortex-A72 at 1.5 GHz doing 0.7 per cycle), plus the time it waits "
      "idle (the disk), which follows host time.")
    p("- **TCG wall clock**: plain emulation, guest time is host time: every emulated "
      "instruction, translation and page fault at this host's cost, and any load on the host.")
    p("")
    p("| contender | icount: median (min-max) ms | icount: minus floor | TCG: median (min-max, "
      "IQR) ms | TCG: minus floor | x floor (TCG) | memory available after hand-over, MiB |")
    p("|---|---|---|---|---|---|---|")
    for n in SPEED:
        b = ok(res.get(n, []))
        bi = ok(resi.get(n, []))
        if not b and not bi:
            continue
        s = summary([x["total"] for x in b]) if b else None
        si = summary([x["total"] for x in bi]) if bi else None
        d = paired(res, n, FLOOR[n], "total") if n in FLOOR else None
        di = paired(resi, n, FLOOR[n], "total") if n in FLOOR else None
        mem = summary([x["memavail_kb"] / 1024 for x in b + bi if "memavail_kb" in x])
        fb = ok(res.get(FLOOR.get(n, n), []))
        ratio = s["med"] / summary([x["total"] for x in fb])["med"] if fb and s else None
        p("| %s | %s | %s | %s | %s | %s | %.1f |" % (
            LABEL[n], fmt_short(si), "%+.1f" % di["med"] if di else "-", fmt(s),
            "%+.0f" % d["med"] if d else "-", "%.2f" % ratio if ratio else "-", mem["med"]))
    bad = sum(len(r.get(n, [])) - len(ok(r.get(n, []))) for n in SPEED + HOTPLUG
              for r in (res, resi))
    p("")
    p("Boots that did not reach the real init: %d. Memory: MemAvailable from the real init's "
      "report (`tinit=report`), guest with 512 MiB. \"minus floor\": the median of the "
      "per-round differences to the floor of the same kind (overlay, read-only, hot-plug)." % bad)
    p("")
    p("**Targets** (icount, medians of the per-round differences):")
    p("")
    for a, b, lim, what in TARGETS:
        d = paired(resi, a, b, "total")
        if not d:
            p("- %s: not measured in this run." % what)
            continue
        fa = min(x["total"] for x in ok(resi[a]))
        fb = min(x["total"] for x in ok(resi[b]))
        p("- %s: **%+.1f ms** (spread of the differences %+.1f to %+.1f, IQR %+.1f to %+.1f): "
          "%s; the fastest boots differ by %+.1f ms." % (
              what, d["med"], d["min"], d["max"], d["q1"], d["q3"],
              "met" if d["med"] <= lim else "missed by %.1f ms" % (d["med"] - lim), fa - fb))
    p("")
    p("On icount the instructions are counted exactly: two boots of the same image give the "
      "same timestamps to the microsecond until the first wait for the disk. Only the idle "
      "waits (disk reads, sleeps) follow host time, so a busy host can only add to a boot, "
      "never take away: the spread above is that, and the fastest boot of each contender is "
      "the closest to its own cost.")
    p("")

    p("## The cost of carrying an initramfs: unpacking it")
    p("")
    p("From the kernel's `Trying to unpack rootfs image as initramfs...` to its `Freeing initrd "
      "memory` line (the kernel decompresses the gzip cpio and writes its files into the "
      "rootfs tmpfs; Debian's kernel does it in a worker while other initcalls run, and waits "
      "for it before `Run /init`). Medians, ms; sizes as in the Size section below.")
    p("")
    p("| initramfs (contender) | compressed | icount: unpack, median (min-max) | TCG: unpack, "
      "median (min-max) |")
    p("|---|---|---|---|")
    for n, img in IMAGE.items():
        f = os.path.join(OUT, "initramfs-%s.cpio.gz" % img)
        u = [x["unpack"] for x in res.get(n, []) if "unpack" in x]
        ui = [x["unpack"] for x in resi.get(n, []) if "unpack" in x]
        if not u and not ui:
            continue
        p("| %s (%s) | %s KiB | %s | %s |" % (
            img, LABEL[n], (os.path.getsize(f) + 1023) // 1024 if os.path.exists(f) else "?",
            fmt_short(summary(ui)) if ui else "-", fmt_short(summary(u)) if u else "-"))
    p("")
    p("Most of every image is the same kernel modules (about 2.3 MiB uncompressed, see Size): "
      "overroot's /init adds what the difference to the floor's image shows. A kernel that "
      "builds its disk, filesystem and overlay drivers in could boot without an initramfs and "
      "save the whole unpack, but not the work overroot does (find the root without udev, "
      "lock it, the overlay) that the kernel's own root= cannot.")
    p("")

    p("## Root device appearing late (hot-plug)")
    p("")
    p("The disk is not there at boot: it is hot-plugged (QEMU monitor `device_add "
      "virtio-blk-pci,drive=hd0,bus=rp1` onto a `pcie-root-port`) %.0f s after the kernel "
      "starts /init, once the modules are loaded (virtio_pci is a module in Debian's kernel; "
      "PCIe native hot-plug is built in). Timed from the kernel's `[vda]` line (virtio_blk "
      "found the disk) to the real init's first line. Command line: `%s`." % (
          bench.HOTPLUG_DELAY, bench.HP))
    p("")
    p("| contender | [vda] -> real init, median (min-max, IQR) ms | minus floor, ms | x floor |")
    p("|---|---|---|---|")
    for n in HOTPLUG:
        b = [x for x in ok(res.get(n, [])) if "after_vda" in x]
        if not b:
            continue
        s = summary([x["after_vda"] for x in b])
        d = paired(res, n, FLOOR[n], "after_vda") if n in FLOOR else None
        fb = [x["after_vda"] for x in ok(res.get(FLOOR.get(n, n), [])) if "after_vda" in x]
        ratio = s["med"] / quantile(fb, 0.5) if fb else None
        p("| %s | %s | %s | %s |" % (LABEL[n], fmt(s), "%+.0f" % d["med"] if d else "-",
                                    "%.2f" % ratio if ratio else "-"))
    p("")

    p("## Where the time goes")
    p("")
    p("Kernel log lines that every contender causes split each boot into phases (medians, ms): "
      "`[vda]` (virtio_blk found the disk: early mounts and the first modules done), "
      "`EXT4-fs (vda2): mounted` (the rest of the modules, finding and mounting root), "
      "`EXT4-fs (vda3): mounted` (the rw device), then to the real init (overlay, hand-over).")
    p("")
    p("| contender | /init -> [vda] | [vda] -> root mounted | root -> rw mounted | "
      "-> real init | total |")
    p("|---|---|---|---|---|---|")
    for n in SPEED:
        b = ok(res.get(n, []))
        if not b:
            continue
        ph = [x["phases"] for x in b]

        def med(f):
            v = [f(t) for t in ph if all(k in t for k in ("init", "vda", "root", "real"))]
            return "%.0f" % quantile(v, 0.5) if v else "-"
        has_rw = all("rw" in t for t in ph)
        p("| %s | %s | %s | %s | %s | %s |" % (
            LABEL[n], med(lambda t: t["vda"] - t["init"]), med(lambda t: t["root"] - t["vda"]),
            med(lambda t: t["rw"] - t["root"]) if has_rw else "-",
            med(lambda t: t["real"] - (t["rw"] if has_rw else t["root"])),
            med(lambda t: t["real"] - t["init"])))
    p("")
    p("overroot's own stage times (`overroot: [stage] done in N ms` in the kernel log, the same "
      "numbers as `time_<stage>_ms=` in /run/overroot/status); `switchroot` is from the last "
      "stage's line to the real init's first line (checks, moves, freeing the initramfs, exec), "
      "medians in ms:")
    p("")
    seen = set(st for r in (res, resi) for n in r for x in ok(r[n]) for st in x["stages"])
    stages = [st for st in STAGES if st in seen or st == "switchroot"]
    p("| run | clock | " + " | ".join(stages) + " |")
    p("|---|---|" + "---|" * len(stages))
    for n in ["overroot", "overroot-fstype", "overroot-ro", "overroot-hotplug"]:
        for clock, r in (("icount", resi), ("TCG", res)):
            b = ok(r.get(n, []))
            if not b:
                continue
            cells = []
            for st in stages:
                if st == "switchroot":
                    v = [x["phases"]["real"] - x["phases"]["last_stage"] for x in b
                         if "last_stage" in x["phases"]]
                else:
                    v = [x["stages"][st] for x in b if st in x["stages"]]
                cells.append("%.0f" % quantile(v, 0.5) if v else "-")
            p("| %s | %s | %s |" % (LABEL[n], clock, " | ".join(cells)))
    p("")

    p("## Size")
    p("")
    p("| initramfs | compressed (gzip -9) | uncompressed | /init |")
    p("|---|---|---|---|")
    for name, gz, raw, init in initramfs_sizes():
        p("| %s | %d KiB | %d KiB | %d bytes (%.1f KiB) |" % (
            name, (gz + 1023) // 1024, (raw + 1023) // 1024, init, init / 1024))
    p("")
    p("Every image holds the same modules (%s); the shell way adds busybox (%d KiB)." % (
        m["modules"], os.path.getsize(os.path.join(OUT, "busybox")) // 1024))
    p("")
    lm, err = link_map()
    if lm:
        # the Makefile's SIZE_BUDGET, the one number the build prints too
        with open(os.path.join(TOP, "Makefile")) as f:
            budget = int(re.search(r"^SIZE_BUDGET := (\d+)", f.read(), re.M).group(1))
        p("overroot's /init for aarch64: **%d bytes stripped** (budget %d, %s by %d bytes). "
          "What is in it, from the linker map of the same link (`-Wl,-Map`; bytes of the "
          "sections kept after `--gc-sections`, before the ELF headers and alignment that make "
          "up the rest of the file):" % (lm["init"], budget,
                                         "under" if lm["init"] <= budget else "OVER",
                                         abs(budget - lm["init"])))
        p("")
        p("| origin | in the file (text, rodata, data) | bss |")
        p("|---|---|---|")
        tot = 0
        for who in ["overroot (src/*.c)", "libblkid", "musl libc", "libgcc", "other"]:
            s = lm["sums"].get(who)
            if s:
                tot += s["file"]
                p("| %s | %d (%.1f KiB) | %d |" % (who, s["file"], s["file"] / 1024, s["bss"]))
        p("| total | %d (%.1f KiB) | |" % (tot, tot / 1024))
    else:
        p("(link map not available: %s)" % err)
    p("")
    p("![boot times on Debian's kernel](bench-initramfs.svg)")
    p("")
    p("## Running it")
    p("")
    p("    make bench                      # build, %d rounds, this page and its charts" % 15)
    p("    BENCH_CLOCKS=icount make bench  # the icount clock only (tcg, icount or tcg,icount)")
    p("    BENCH_ROUNDS=5 make bench       # fewer rounds")
    p("    BENCH_ONLY=overroot,floor make bench")
    p("    python3 tests/bench/report.py   # this page again from the last run's logs")
    p("")
    p("Files: `tests/bench/run.sh` (the driver), `build.sh` (the floor, the five initramfs "
      "images, the disk; downloads tiny-initramfs-core:arm64 with `apt-get download`, and "
      "through tests/qemu/fetch.sh the kernel and busybox-static), `bench.py` (the boots), "
      "`report.py` (this page), `floor.c`, `shellinit.sh`, `trace.py` (where overroot's time "
      "goes, from boots with `debug`). Logs: `build/bench/run/NAME/roundNN.log`.")
    p("")
    p("Under TCG every guest instruction is emulated: system calls, page faults and the first "
      "run of any code (translation) cost far more than on a Cortex-A72, so the absolute "
      "figures are much larger than on a Raspberry Pi 4, and code that runs once (parsing, "
      "probing) is penalised most. Boots on a busy host are slower and more spread: compare "
      "contenders within one run, by their medians and per-round differences. The icount "
      "figures do not depend on the host's speed or load, except for the idle waits.")
    p("")
    p("**Why icount with sleep=on.** With `-icount shift=0,sleep=off` (idle time skipped) some "
      "rounds were far slower (overlayroot 104 ms instead of 5-13 ms in one boot of six here, "
      "and the real init's first line 5.7 s late in the same boot). sleep=off moves guest "
      "time, whenever every vCPU is idle, straight to the guest's next timer; the disk's "
      "reads complete in host time (QEMU's I/O threads), so a read the guest sleeps on costs "
      "whatever is left to its next timer: nothing when the host answered first, up to "
      "seconds with the kernel's idle tick off (NO_HZ). With sleep=on idle time follows host "
      "time instead, a read costs what the host took (well under a millisecond from its page "
      "cache), and six boots gave overlayroot 2-7 ms, totals within 13 ms of each other.")
    p("")
    return "\n".join(lines)


FSCK_BEGIN = "<!-- fsck cost: begin -->"
FSCK_END = "<!-- fsck cost: end -->"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--rounds", type=int, default=0)
    a = ap.parse_args()
    res = collect("tcg")
    resi = collect("icount")
    rounds = a.rounds or max((len(v) for r in (res, resi) for v in r.values()), default=0)
    os.makedirs(DOCS, exist_ok=True)
    md = build_report(res, resi, a.command, rounds)
    # The data partition's check (issue 25) is measured by hand (docs/bench.md says how): its
    # section is kept as it is, before "## Running it".
    path = os.path.join(DOCS, "bench.md")
    old = open(path).read() if os.path.exists(path) else ""
    b, e = old.find(FSCK_BEGIN), old.find(FSCK_END)
    if 0 <= b < e and "## Running it" in md:
        keep = old[b:e + len(FSCK_END)] + "\n\n"
        md = md.replace("## Running it", keep + "## Running it", 1)
    with open(path, "w") as f:
        f.write(md)
    svg(res, resi, os.path.join(DOCS, "bench-initramfs.svg"))
    print(md)


if __name__ == "__main__":
    main()
