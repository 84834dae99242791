# overroot: one GNU Makefile. `make` builds for the host, `make ARCH=aarch64` cross-builds;
# every output lives under build/<arch>/. V=1 shows the commands.
ARCH ?= $(shell uname -m)
SHELL_FALLBACK ?= 1
# A locked-down build (no path to a shell) lives apart, so both can be tested side by side.
BUILD := build/$(ARCH)$(if $(filter 0,$(SHELL_FALLBACK)),-noshell)
BLKID_DIR := build/$(ARCH)/blkid
HOSTBUILD := build/host
TOP := $(CURDIR)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# --- the musl toolchain (a Yocto build passes its own CC and is used as is) --------------
ifeq ($(origin CC),default)
  # Our own toolchain: check the host has it. A build that passes CC (Yocto) brings
  # everything itself and must never run the host installer.
  HOSTDEPS := hostdeps
  ifeq ($(ARCH),aarch64)
    CC := aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs
    STRIP := aarch64-linux-gnu-strip
    SIZE := aarch64-linux-gnu-size
  else ifeq ($(ARCH),x86_64)
    CC := musl-gcc
  else
    $(error ARCH=$(ARCH): overroot's own toolchain set-up knows x86_64 and aarch64; pass CC=)
  endif
  # musl's specs hide the kernel headers: a directory with only linux/ asm/ asm-generic/.
  KHEADERS := $(BLKID_DIR)/kheaders
  KHEADERS_CFLAGS := -isystem $(KHEADERS)
endif
STRIP ?= strip
SIZE ?= size

# --- libblkid: given (Yocto: BLKID_CFLAGS/BLKID_LIBS or PKGCONFIG_BLKID=1) or built --------
ifeq ($(PKGCONFIG_BLKID),1)
  BLKID_CFLAGS ?= $(shell pkg-config --cflags blkid)
  BLKID_LIBS ?= $(shell pkg-config --static --libs blkid)
endif
ifeq ($(BLKID_LIBS),)
  BLKID_LIB := $(BLKID_DIR)/lib/libblkid.a
  BLKID_CFLAGS := -I$(BLKID_DIR)/include
  BLKID_LIBS := $(BLKID_LIB)
  BLKID_DEP := $(BLKID_LIB)
endif

WERROR := $(if $(CI),-Werror,)
# snprintf truncating a log line or a reason is the intent, not a bug: no warning for it.
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-format-truncation $(WERROR)
CFLAGS ?= -Os
# No unwind tables: C without exceptions never reads them, and they were 8% of /init.
CFLAGS += -std=gnu11 $(WARN) -Iinclude -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-DCONFIG_SHELL_FALLBACK=$(SHELL_FALLBACK)
# aarch64's linker aligns segments for 64 KiB pages, padding /init by ~20 KiB. The Pi 4's
# kernel (and Debian's) uses 4 KiB pages; for a 16 KiB-page kernel (Pi 5) set PAGE_SIZE=16384.
PAGE_SIZE ?= 4096
LDFLAGS += -static -Wl,--gc-sections -Wl,--build-id=none \
	-Wl,-z,max-page-size=$(PAGE_SIZE),-z,common-page-size=$(PAGE_SIZE)

SRC := $(wildcard src/*.c src/*/*.c)
OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRC))

.PHONY: all init check unit qemu-test qemu hostdeps clean size initramfs install lockdown-check bench soak \
	kernel
all: init
init: $(BUILD)/init

$(BUILD)/obj/%.o: src/%.c $(wildcard include/overroot/*.h) $(BLKID_DEP) | $(HOSTDEPS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(KHEADERS_CFLAGS) $(BLKID_CFLAGS) -c $< -o $@

# /init's size budget, stripped: 320 KiB. It was 256 KiB while /init was only the boot, 288 KiB
# once it was also the shutdown systemd hands back to (src/shutdown/) and the booted system's
# overroot command (src/cli/), about 20 KiB together. 320 KiB since three features that keep a
# device alive in the field: dm-verity's client (about 16 KiB: the device-mapper ioctls, both
# conventions' parsers, the superblock check), boot counting and the set-aside uppers in view
# (about 12 KiB) and the data partition's e2fsck as a child with a time limit (about 4 KiB).
SIZE_BUDGET := 327680
# STRIP_INIT=0 leaves /init unstripped (Yocto strips and splits the debug info itself).
STRIP_INIT ?= 1
$(BUILD)/init: $(OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@.unstripped $(OBJ) $(BLKID_LIBS)
ifeq ($(STRIP_INIT),1)
	$(Q)$(STRIP) -o $@ $@.unstripped
	@echo "  SIZE    $@: $$(stat -c %s $@) bytes stripped (budget $(SIZE_BUDGET))"
else
	$(Q)cp $@.unstripped $@
endif

$(BLKID_LIB): mk/libblkid.sh | $(HOSTDEPS)
	$(Q)sh mk/libblkid.sh $(ARCH) $(BLKID_DIR)

# The initramfs from initramfs.list (gen_init_cpio format), without root. KMODULES="overlay
# ext4" KMODDIR=<staged lib/modules/RELEASE> adds modules, their dependencies and a
# modules-load.d entry. With e2fsck for the rw device's check (initramfs-e2fsck.list): Debian's
# e2fsck-static for ARCH by default (mk/e2fsck.sh, fetched once into build/ARCH/e2fsck/),
# E2FSCK=path another one, E2FSCK= none.
E2FSCK ?= debian
e2fsck_path = $(if $(filter debian,$(E2FSCK)),$$(sh mk/e2fsck.sh $(1) build/$(1)/e2fsck),$(E2FSCK))
initramfs: $(BUILD)/init
	$(Q)e2fsck=$(call e2fsck_path,$(ARCH)) && \
	ARCH=$(ARCH) KMODULES="$(KMODULES)" KMODDIR="$(KMODDIR)" E2FSCK="$$e2fsck" \
		sh mk/initramfs.sh initramfs.list $(if $(E2FSCK),initramfs-e2fsck.list) \
		$(BUILD)/initramfs.cpio.gz

# The kernel the Pi boots: Debian's linux-source-6.1, allnoconfig + mk/kernel.config, out of tree
# under build/kernel/ (mk/kernel.sh): Image (no initramfs), Image-overroot (initramfs.list
# bundled as CONFIG_INITRAMFS_SOURCE, the documented way: overroot alone), Image-overroot-fsck
# (initramfs.list and initramfs-e2fsck.list: with Debian's e2fsck-static, or E2FSCK=path;
# E2FSCK= builds none), dtbs/. Only the first run compiles.
KERNEL_DIR := build/kernel
kernel: | $(HOSTDEPS)
	$(Q)$(MAKE) --no-print-directory ARCH=aarch64 init
	$(Q)e2fsck=$(call e2fsck_path,aarch64) && \
	OVERROOT=$(TOP) E2FSCK="$$e2fsck" \
	BUNDLE_KEY="$$(cat build/aarch64/init $$e2fsck mk/e2fsck.conf | sha256sum | cut -c1-16)" \
		sh mk/kernel.sh $(KERNEL_DIR) overroot=initramfs.list \
		$(if $(E2FSCK),overroot-fsck=initramfs.list+initramfs-e2fsck.list)

# For packagers: /init, the man page, and the same program as the booted system's overroot
# command (overroot status, reset, chroot: the initramfs copy is gone after the hand-over).
# Boot counting's confirmation (rootrwtries=): the systemd unit, enabled in DESTDIR as
# `systemctl enable` would (its WantedBy), and the rc script for sysvinit and busybox init.
MANDIR ?= /usr/share/man
SBINDIR ?= /usr/sbin
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= /lib/systemd/system
install: $(BUILD)/init
	install -D -m 0755 $(BUILD)/init $(DESTDIR)/init
	install -D -m 0755 $(BUILD)/init $(DESTDIR)$(SBINDIR)/overroot
	install -D -m 0644 docs/overroot.8 $(DESTDIR)$(MANDIR)/man8/overroot.8
	install -D -m 0644 contrib/systemd/overroot-boot-ok.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/overroot-boot-ok.service
	install -d $(DESTDIR)$(SYSCONFDIR)/systemd/system/multi-user.target.wants
	ln -sfn $(SYSTEMDUNITDIR)/overroot-boot-ok.service \
		$(DESTDIR)$(SYSCONFDIR)/systemd/system/multi-user.target.wants/overroot-boot-ok.service
	install -D -m 0755 contrib/sysv/overroot-boot-ok $(DESTDIR)$(SYSCONFDIR)/init.d/overroot-boot-ok

size: $(BUILD)/init
	$(Q)$(SIZE) $(OBJ) | sort -n | tail -n +1

# --- host tools: install what is missing from Debian's packages --------------------------
# (HOSTDEPS: only with our own toolchain, set at the top.)
HOST_TOOLS := gcc clang pkg-config musl-gcc aarch64-linux-gnu-gcc qemu-system-aarch64 mkfs.ext4 \
	sfdisk depmod mkfs.vfat mcopy bsdtar dpkg-source file flex bison bc fdtput lz4 zstd lzop python3
hostdeps:
	$(Q)missing=""; for t in $(HOST_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	[ -f /usr/lib/aarch64-linux-musl/musl-gcc.specs ] || missing="$$missing musl-dev:arm64"; \
	[ -f /usr/src/linux-source-6.1.tar.xz ] || missing="$$missing linux-source-6.1"; \
	qemu-system-aarch64 -machine help 2>/dev/null | grep -q '^raspi4b' || \
		missing="$$missing qemu-system-arm(raspi4b)"; \
	pkg-config --exists check 2>/dev/null || missing="$$missing check"; \
	dpkg-query -W -f='$${Status}' libclang-rt-dev 2>/dev/null | grep -q "ok installed" || \
		missing="$$missing libclang-rt-dev"; \
	if [ -n "$$missing" ]; then \
		echo "overroot: missing host tools:$$missing; running tools/setup-host.sh"; \
		sh tools/setup-host.sh || { echo "overroot: host set-up failed (see above)"; exit 1; }; \
	fi

# --- unit tests: host compiler, check, sanitizers ----------------------------------------
UNIT_SRC := $(filter-out src/main.c src/lib/probe_blkid.c,$(SRC)) $(wildcard tests/unit/*.c)
UNIT_CFLAGS := -std=gnu11 -g -O1 $(WARN) -Iinclude -Itests/unit -fsanitize=address,undefined \
	-fno-omit-frame-pointer -DCONFIG_SHELL_FALLBACK=1 -DOVERROOT_DOCS
$(HOSTBUILD)/unit: $(UNIT_SRC) $(wildcard include/overroot/*.h tests/unit/*.h) | hostdeps
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)gcc $(UNIT_CFLAGS) -o $@ $(UNIT_SRC) $$(pkg-config --cflags --libs check)

unit: $(HOST_BUILD) $(HOSTBUILD)/unit
	$(Q)UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ./$(HOSTBUILD)/unit

# --- QEMU boot scenarios ----------------------------------------------------------------
qemu-test:
	$(Q)$(MAKE) --no-print-directory ARCH=aarch64 init
	$(Q)bash tests/qemu/run.sh $(SCENARIOS)

# SHELL_FALLBACK=0 must leave no way to a shell in /init: not even the string.
lockdown-check:
	$(Q)$(MAKE) --no-print-directory ARCH=aarch64 SHELL_FALLBACK=0 init
	$(Q)if grep -aq /bin/sh build/aarch64-noshell/init; then \
		echo "FAIL lockdown: build/aarch64-noshell/init still names /bin/sh"; exit 1; fi
	$(Q)grep -aq "disabled in this build (SHELL_FALLBACK=0)" build/aarch64-noshell/init || \
		{ echo "FAIL lockdown: init_fatal_sh does not say it is disabled"; exit 1; }
	@echo "PASS lockdown: SHELL_FALLBACK=0 build has no path to a shell"

# libFuzzer on every parser: make check replays the corpus and runs FUZZ_RUNS from a fixed seed;
# `make fuzz FUZZ_SECONDS=600` explores at random, `make fuzz-merge` keeps what it found.
include mk/fuzz.mk
fuzz-tools: hostdeps

check: unit lockdown-check fuzz-check qemu-test

# Many power-cut rounds (make check runs 5 of each).
SOAK_ROUNDS ?= 50
soak:
	$(Q)$(MAKE) --no-print-directory ARCH=aarch64 init
	$(Q)ROUNDS=$(SOAK_ROUNDS) bash tests/qemu/run.sh @powercut

# Speed and size against the floor, the shell way and tiny-initramfs: docs/bench.md.
bench:
	$(Q)$(MAKE) --no-print-directory ARCH=aarch64 init
	$(Q)bash tests/bench/run.sh

qemu:
	$(Q)$(MAKE) --no-print-directory ARCH=aarch64 init
	$(Q)bash tests/qemu/demo.sh

clean:
	rm -rf $(BUILD) build/x86_64 build/aarch64 build/x86_64-noshell build/aarch64-noshell build/host
