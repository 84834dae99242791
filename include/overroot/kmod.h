/* Kernel modules: modules-load.d + rd.modules-load + modules.dep, loaded with finit_module,
 * dependencies first. Paths are relative to the module directory /lib/modules/<release>. */
#ifndef OVERROOT_KMOD_H
#define OVERROOT_KMOD_H

#include <stdbool.h>
#include <stddef.h>
#include "overroot/sys.h"

#define KMOD_MAX_DEPTH 16
#define KMOD_NAME_MAX 64
#ifndef KMOD_MAX_DONE
#define KMOD_MAX_DONE 128
#endif

/* Normalise a module name in place: '-' becomes '_'. */
void kmod_normalise(char *name);

/* Find name in the text of modules.dep ("kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko ...").
 * Returns a pointer to the start of its line, or NULL. */
const char *kmod_dep_find(const char *dep, const char *name);

/* Find the module an alias maps to in modules.alias text ("alias fs-ext4 ext4");
 * copies the module name into ret. Returns 0 or -ENOENT. Glob patterns are matched with
 * fnmatch. */
int kmod_alias_find(const char *alias_txt, const char *alias, char *ret, size_t size);

/* Call fn for every module name in a modules-load.d file's text (one per line, '#' and
 * ';' start comments, blanks ignored). */
void kmod_conf_each(const char *conf, void (*fn)(const char *name, void *arg), void *arg);

struct kmod_ctx {
	const struct sys_ops *sys;
	char dir[256];		/* /lib/modules/<release> */
	char *dep;		/* modules.dep text, NULL when missing */
	char *alias;		/* modules.alias text, read on first use (kmod_alias_txt) */
	char *builtin;		/* modules.builtin text, read on first use */
	bool alias_read, builtin_read;
	unsigned loaded, failed;
	/* found loaded or built in: a dependency shared by several modules costs one
	 * finit_module; when full, later ones are merely tried again (EEXIST is cheap) */
	char done[KMOD_MAX_DONE][KMOD_NAME_MAX];
	unsigned ndone;
};

/* Read the index files from dir. Returns 0 or -errno (no modules.dep: nothing can load). */
int kmod_open(struct kmod_ctx *k, const struct sys_ops *sys, const char *dir);
void kmod_close(struct kmod_ctx *k);

/* Load name and its dependencies (deepest first). Already loaded or built in is 0.
 * A missing module is -ENOENT; every failure is logged here, naming the module. */
int kmod_load(struct kmod_ctx *k, const char *name);

/* Load the fs-<type> alias when /proc/filesystems does not list type yet. */
int kmod_load_fs(struct kmod_ctx *k, const char *type);

/* Load every module of a comma-separated list (rd.modules-load=a,b). Returns how many failed. */
int kmod_load_list(struct kmod_ctx *k, const char *list);

/* Call fn for every module named by the *.conf files of dir, files in lexical order of name.
 * Returns how many files could not be read; a missing dir is 0. */
int kmod_conf_dir_each(const struct sys_ops *sys, const char *dir,
		       void (*fn)(const char *name, void *arg), void *arg);

/* Load the modules named by every *.conf file in dir (modules-load.d), files in lexical order
 * of name. Returns how many modules (or unreadable files) failed; a missing dir is 0. */
int kmod_load_conf_dir(struct kmod_ctx *k, const char *dir);

#endif
