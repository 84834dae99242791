/* The failure sweep (test_sweep*.c): run a case once to count its calls, then again with
 * call k failing, for every k, with each error that call can return that matters. */
#ifndef SWEEP_H
#define SWEEP_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#define SWEEP_ERRS_MAX 4

/* The errors of one kind of call that the sweep tries: at most SWEEP_ERRS_MAX, 0-ended. */
const int *sweep_errors(const char *kind);

/* One kind of case: setup makes a fresh machine for a row (fresh: the rw partition's files
 * too, else they are kept, as across a reboot), run runs it and returns its outcome in one
 * number, check checks the invariants after a run with call k (of kind) failing with err,
 * given the outcome of the run where nothing failed (base). */
struct sweep_case {
	const char *name;
	const char *rows;	/* what a row is: "command lines", "cases" */
	void (*setup)(const void *row, bool fresh);
	int (*run)(const void *row);
	void (*check)(const void *row, int base, int outcome, unsigned k, const char *kind,
		      int err);
};

/* Sweep every call of rows[0..n) (each elem bytes), say how many calls and failure points
 * (call x error) that was on stdout, and fail the test if any broke an invariant. */
void sweep(const struct sweep_case *c, const void *rows, size_t n, size_t elem);

/* The log overroot wrote to /dev/kmsg during the last run, and whether a line of it at
 * error, warning or notice level names err. */
const char *sweep_kmsg(void);
bool sweep_kmsg_names(int err);
/* Route overroot's log (and the fake's /dev/kmsg) to the capture, emptied. */
int sweep_capture(void);

/* A broken invariant: said on stdout (the first one with the logs), counted, and the sweep
 * goes on, so that one run lists them all; sweep() fails the test at the end if any. */
#define SWEEP_CHECK(cond, ...)							\
	do {									\
		if (!(cond))							\
			sweep_broken(__FILE__, __LINE__, __VA_ARGS__);		\
	} while (0)
void sweep_broken(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "row name, call k (kind) failing with EIO" for the messages of failed checks. */
const char *sweep_where(const char *row, unsigned k, const char *kind, int err);

/* The shutdown mode's and the overroot command's sweeps (test_sweep_cli.c). */
void sweep_cli_tests(TCase *t);

#endif
