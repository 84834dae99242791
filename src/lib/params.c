/* Every command-line word overroot reads: the table below is parsing and documentation
 * at once, so the man page, the README and the code cannot disagree (tests check it). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "overroot/config.h"
#include "overroot/params.h"

#define OFF(f) offsetof(struct params, f)
/* The descriptions feed README.md, overroot(8) and their drift tests, not /init: the
 * target build leaves them out (2.5 KiB). */
#ifdef OVERROOT_DOCS
#define DOC(meaning, also) meaning, also
#else
#define DOC(meaning, also) NULL, NULL
#endif
#define S(x) #x
#define STR(x) S(x)

const struct param_def params_table[] = {
	{ "root", PARAM_STR, OFF(root), "none",
	  DOC("root device: /dev/NAME, UUID=, PARTUUID=, LABEL=, PARTLABEL= or MAJ:MIN",
	      "kernel; framework, all versions (tags only with udev)") },
	{ "rootfstype", PARAM_STR, OFF(rootfstype), "probed",
	  DOC("filesystem type of root",
	      "kernel; framework, all versions (kirkstone applied it to rootrw too)") },
	{ "rootflags", PARAM_STR, OFF(rootflags), "none",
	  DOC("mount options for root, as mount(8) -o",
	      "kernel; framework, all versions (kirkstone applied it to rootrw too)") },
	{ "ro", PARAM_RO, OFF(rw), "ro",
	  DOC("mount root read-only (the default)",
	      "kernel; framework, all versions") },
	{ "rw", PARAM_RW, OFF(rw), "ro",
	  DOC("mount root read-write (without rootrw only; the last of ro/rw wins)",
	      "kernel (the framework ignores it)") },
	{ "rootwait", PARAM_ROOTWAIT, OFF(root_timeout_s), "off",
	  DOC("wait for root forever; rootwait=N waits N seconds",
	      "kernel (the framework ignores it)") },
	{ "roottimeout", PARAM_SECONDS, OFF(root_timeout_s), STR(CONFIG_ROOT_TIMEOUT_S),
	  DOC("seconds to wait for root on kernel events; the last of rootwait/roottimeout wins",
	      "framework, all versions") },
	{ "rootdelay", PARAM_SECONDS, OFF(rootdelay_s), "0",
	  DOC("seconds to sleep before looking for root, for devices that announce themselves "
	  "before they work (not a poll interval as in the framework)",
	      "kernel; framework, all versions (as a poll interval)") },
	{ "init", PARAM_STR, OFF(init), CONFIG_DEFAULT_INIT,
	  DOC("the real init, run with the arguments the kernel gave /init",
	      "kernel; framework, all versions (arguments forwarded from 6.0)") },
	{ "rootinit", PARAM_STR, OFF(rootinit), CONFIG_DEFAULT_INIT,
	  DOC("without an initramfs (init=/usr/sbin/overroot): the real init, run with the "
	  "arguments the kernel gave overroot",
	      "meta-readonly-rootfs-overlay") },
	{ "rootrw", PARAM_STR, OFF(rootrw), "none",
	  DOC("overlay upper device (any root= form), or tmpfs[:size=N]; none: no overlay",
	      "framework kirkstone (later: legacy name); meta-readonly-rootfs-overlay") },
	{ "overlayrootrwdev", PARAM_STR, OFF(rootrw), "none",
	  DOC("same as rootrw (rootrw wins when both are given)",
	      "framework scarthgap and later") },
	{ "rootrwfstype", PARAM_STR, OFF(rootrwfstype), "probed",
	  DOC("filesystem type of the rw device",
	      "meta-readonly-rootfs-overlay") },
	{ "overlayrootfstype", PARAM_STR, OFF(rootrwfstype), "probed",
	  DOC("same as rootrwfstype",
	      "framework scarthgap and later") },
	{ "rootrwoptions", PARAM_STR, OFF(rootrwoptions), "rw,noatime",
	  DOC("mount options for the rw device (tmpfs-only mode=/size= dropped for block devices)",
	      "meta-readonly-rootfs-overlay") },
	{ "overlayrootfsflags", PARAM_STR, OFF(rootrwoptions), "rw,noatime",
	  DOC("same as rootrwoptions",
	      "framework scarthgap and later") },
	{ "rootrwreset", PARAM_YESNO, OFF(rootrwreset), "no",
	  DOC("yes: start from an empty upper (crash-safe)",
	      "meta-readonly-rootfs-overlay") },
	{ "rootrwtimeout", PARAM_SECONDS, OFF(rootrw_timeout_s), "roottimeout's number",
	  DOC("seconds to wait for the rw device",
	      "overroot") },
	{ "rootrwfallback", PARAM_FALLBACK, OFF(rootrwfallback), "ro",
	  DOC("when the overlay cannot be set up: ro (boot the root read-only), tmpfs (volatile "
	  "upper) or fatal",
	      "overroot") },
	{ "rootrwonchange", PARAM_ONCHANGE, OFF(rootrwonchange), "aside",
	  DOC("when the upper was made on another root (an update, the other A/B slot): aside "
	  "(keep the old upper in /overlay/.overroot-aside/N, start a fresh one), keep (the old "
	  "upper on the new root, said at every boot) or slot (each root its own upper)",
	      "overroot") },
	{ "rootlock", PARAM_YESNO, OFF(rootro_lock), "yes",
	  DOC("set the root block device read-only in the kernel (BLKROSET) under an overlay",
	      "overroot") },
	{ "roothash", PARAM_STR, OFF(roothash), "none",
	  DOC("dm-verity: the root hash (hex) of the verified root; the root is then "
	  "/dev/mapper/root, root= optional (see systemd.verity_root_data)",
	      "systemd-veritysetup-generator (systemd and dracut initrds)") },
	{ "systemd.verity_root_data", PARAM_STR, OFF(verity_data), "root=, else PARTUUID=",
	  DOC("dm-verity: the data device (any root= form); without it and without root=, the "
	  "partition whose PARTUUID is the first 128 bits of roothash",
	      "systemd-veritysetup-generator") },
	{ "systemd.verity_root_hash", PARAM_STR, OFF(verity_hash), "the data device, else PARTUUID=",
	  DOC("dm-verity: the hash device (any root= form); without it and without a data device, "
	  "the partition whose PARTUUID is the last 128 bits of roothash; with a data device only, "
	  "the hash tree is on it at hash-offset=",
	      "systemd-veritysetup-generator") },
	{ "systemd.verity_root_options", PARAM_STR, OFF(verity_options), "none",
	  DOC("dm-verity: comma-separated superblock=, format=, data-block-size=, "
	  "hash-block-size=, data-blocks=, hash-offset=, salt=, hash=, ignore-corruption, "
	  "restart-on-corruption, panic-on-corruption, ignore-zero-blocks, check-at-most-once; "
	  "another option is a warning that names it",
	      "systemd-veritysetup-generator (as veritysetup's /etc/veritytab options)") },
	{ "systemd.verity", PARAM_YESNO, OFF(verity), "yes",
	  DOC("no: do not set up dm-verity (roothash= and the env file are ignored, the root is "
	  "NOT verified, said at warning level); the last of systemd.verity/rd.systemd.verity wins",
	      "systemd-veritysetup-generator") },
	{ "rd.systemd.verity", PARAM_YESNO, OFF(verity), "yes",
	  DOC("same as systemd.verity (systemd reads both in the initrd, the last wins)",
	      "systemd-veritysetup-generator") },
	{ "rd.modules-load", PARAM_STR, OFF(modules_load), "none",
	  DOC("more kernel modules to load, comma-separated",
	      "dracut, systemd") },
	{ "debug", PARAM_FLAG, OFF(debug), "off",
	  DOC("log every step, and every system call with its arguments, result and duration",
	      "kernel; framework, all versions") },
	{ "quiet", PARAM_FLAG, OFF(quiet), "off",
	  DOC("log warnings and errors only",
	      "kernel; framework, all versions") },
	{ "init_fatal_reboot", PARAM_FLAG, OFF(fatal_reboot), "off",
	  DOC("on a fatal error, reboot",
	      "framework, all versions") },
	{ "init_fatal_sh", PARAM_FLAG, OFF(fatal_sh), "off",
	  DOC("on a fatal error, run " CONFIG_SHELL " when the initramfs has one",
	      "framework, all versions") },
	{ "shell", PARAM_FLAG, OFF(shell), "off",
	  DOC("run " CONFIG_SHELL " just before the hand-over, when the initramfs has one",
	      "framework's debug module, all versions") },};

const size_t params_count = sizeof(params_table) / sizeof(params_table[0]);

static int parse_yesno(const char *v, bool *ret)
{
	static const char *const yes[] = { "yes", "1", "true", "on", "y" };
	static const char *const no[] = { "no", "0", "false", "off", "n" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(v, yes[i]))
			return *ret = true, 0;
		if (!strcmp(v, no[i]))
			return *ret = false, 0;
	}
	return -EINVAL;
}

/* The index of v in the NULL-terminated names, or -1. */
static int choice(const char *v, const char *const *names)
{
	for (int i = 0; v && names[i]; i++)
		if (!strcmp(v, names[i]))
			return i;
	return -1;
}

static void warnf(params_warn_fn warn, const char *fmt, const char *name, const char *val,
		  const char *what)
{
	char msg[256];

	if (!warn)
		return;
	snprintf(msg, sizeof(msg), fmt, name, val, what);
	warn(msg);
}

static void set_one(struct params *p, const struct param_def *d, const char *v,
		    params_warn_fn warn)
{
	char *field = (char *)p + d->offset;
	unsigned n;
	bool b;

	switch (d->type) {
	case PARAM_STR:
		if (v)
			*(const char **)field = v;
		else
			warnf(warn, "%s needs a value (%s%s): ignored", d->name, "", "");
		break;
	case PARAM_FLAG:
		*(bool *)field = true;
		break;
	case PARAM_RO:
	case PARAM_RW:
		*(bool *)field = d->type == PARAM_RW;
		break;
	case PARAM_ROOTWAIT:
		if (v && cmdline_parse_uint(v, 86400, &n) == 0) {
			*(unsigned *)field = n;
			break;
		}
		if (v)
			warnf(warn, "%s=%s is not a number of seconds: %s", d->name, v,
			      "waiting forever");
		*(unsigned *)field = PARAM_FOREVER;
		break;
	case PARAM_SECONDS:
		if (v && cmdline_parse_uint(v, 86400, &n) == 0)
			*(unsigned *)field = n;
		else
			warnf(warn, "%s=%s is not a number of seconds (0..86400): using %s",
			      d->name, v ? v : "", d->def);
		break;
	case PARAM_YESNO:
		if (!v)
			*(bool *)field = true;
		else if (parse_yesno(v, &b) == 0)
			*(bool *)field = b;
		else
			warnf(warn, "%s=%s is not yes or no: using %s", d->name, v, d->def);
		break;
	case PARAM_FALLBACK:
	case PARAM_ONCHANGE: {
		/* in the order of the enums */
		static const char *const fallback[] = { "ro", "tmpfs", "fatal", NULL };
		static const char *const onchange[] = { "aside", "keep", "slot", NULL };
		bool fb = d->type == PARAM_FALLBACK;
		int i = choice(v, fb ? fallback : onchange);
		if (i >= 0 && fb)
			p->rootrwfallback = (enum rw_fallback)i;
		else if (i >= 0)
			p->rootrwonchange = (enum rw_onchange)i;
		else
			warnf(warn, fb ? "%s=%s is not ro, tmpfs or fatal: using %s" :
			      "%s=%s is not aside, keep or slot: using %s", d->name, v ? v : "",
			      d->def);
		break;
	}
	}
}

/* Does path have a ".." component? */
static bool has_dotdot(const char *path)
{
	for (const char *c = path; (c = strstr(c, "..")); c += 2)
		if ((c == path || c[-1] == '/') && (c[2] == '/' || !c[2]))
			return true;
	return false;
}

void params_from_cmdline(struct params *p, const struct cmdline *c, params_warn_fn warn)
{
	/* First find the word that wins each field, then apply only the winners: the last
	 * word typed wins among ro/rw and rootwait/roottimeout, the first-listed alias wins
	 * among rootrw/overlayrootrwdev (the framework's rule), and a bad value that a
	 * later word overrides is not worth a warning. */
	const struct param_def *win[sizeof(struct params)] = { 0 };
	int at[sizeof(struct params)];
	char norm[64];

	memset(p, 0, sizeof(*p));
	memset(at, -1, sizeof(at));
	p->root_timeout_s = CONFIG_ROOT_TIMEOUT_S;
	p->init = CONFIG_DEFAULT_INIT;
	p->rootro_lock = true;
	p->verity = true;
	for (size_t i = 0; i < params_count; i++) {
		const struct param_def *d = &params_table[i];
		snprintf(norm, sizeof(norm), "%s", d->name);
		cmdline_normalise(norm);
		int idx = cmdline_index(c, norm);
		if (idx < 0)
			continue;
		const struct param_def *had = win[d->offset];
		if (had && had->type == PARAM_STR) {
			const char *v = c->params[idx].value, *hv = c->params[at[d->offset]].value;
			if (v && hv && strcmp(v, hv)) {
				char what[96];
				snprintf(what, sizeof(what),
					 "%s=%s names the same setting and wins", had->name, hv);
				warnf(warn, "%s=%s ignored: %s", d->name, v, what);
			}
			continue;
		}
		if (at[d->offset] > idx)
			continue;
		win[d->offset] = d;
		at[d->offset] = idx;
	}
	for (size_t off = 0; off < sizeof(struct params); off++)
		if (win[off])
			set_one(p, win[off], c->params[at[off]].value, warn);
	/* rootrw waits as long as root= would, but a bare rootwait (common on the Pi's
	 * cmdline.txt) must not make a missing data partition hang the boot forever. */
	if (!win[OFF(rootrw_timeout_s)])
		p->rootrw_timeout_s = p->root_timeout_s == PARAM_FOREVER ? CONFIG_ROOT_TIMEOUT_S
									  : p->root_timeout_s;
	/* An empty value means "not given" for the optional strings. */
	if (p->root && !*p->root)
		p->root = NULL;
	if (p->rootrw && !*p->rootrw)
		p->rootrw = NULL;
	if (p->roothash && !*p->roothash)
		p->roothash = NULL;
	/* init is checked inside the new root before the initramfs is deleted: a relative
	 * path or one with ".." could be checked in one root and executed in another. */
	if (p->init[0] != '/' || has_dotdot(p->init)) {
		warnf(warn, "%s=%s is not an absolute path without '..': using %s", "init",
		      p->init, CONFIG_DEFAULT_INIT);
		p->init = CONFIG_DEFAULT_INIT;
	}
	if (p->rootinit && (p->rootinit[0] != '/' || has_dotdot(p->rootinit))) {
		warnf(warn, "%s=%s is not an absolute path without '..': using %s", "rootinit",
		      p->rootinit, CONFIG_DEFAULT_INIT);
		p->rootinit = NULL;
	}
}
