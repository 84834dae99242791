/* One suite a module; add yours here and to SUITES. */
#ifndef SUITES_H
#define SUITES_H
#include <check.h>

Suite *cmdline_suite(void);
Suite *mountopts_suite(void);
Suite *kmod_suite(void);
Suite *devspec_suite(void);
Suite *log_suite(void);
Suite *params_suite(void);
Suite *stages_suite(void);
Suite *fake_suite(void);
Suite *overlayroot_suite(void);
Suite *docs_suite(void);
Suite *resolve_suite(void);
Suite *shutdown_suite(void);
Suite *cli_suite(void);
Suite *sweep_suite(void);
Suite *rootid_suite(void);
Suite *noinitramfs_suite(void);
Suite *dm_suite(void);
Suite *verity_suite(void);

#define SUITES cmdline_suite(), mountopts_suite(), kmod_suite(), devspec_suite(), \
	log_suite(), params_suite(), stages_suite(), fake_suite(), overlayroot_suite(), \
	docs_suite(), resolve_suite(), shutdown_suite(), \
	cli_suite(), sweep_suite(), rootid_suite(), noinitramfs_suite(), \
	dm_suite(), verity_suite()

#endif
