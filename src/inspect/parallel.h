/* SPDX-License-Identifier: MIT */
/*
 * The inspector's work spread over the machine's CPUs. A scan is mostly
 * system calls on /proc (a stat per fd, a kcmp per shared inode, an
 * fdinfo per description), each independent of the others: on a machine
 * of N CPUs, N threads finish them in about 1/N of the time.
 */
#ifndef FDID_INSPECT_PARALLEL_H
#define FDID_INSPECT_PARALLEL_H

#include <stddef.h>

/* Work on items [begin, end): called concurrently on disjoint ranges. */
typedef void (*parallel_fn)(void *ctx, size_t begin, size_t end);

/* Lets parallel_for() use the CPUs this process may run on (at most 8;
 * FDID_THREADS=N overrides, 1: everything on the caller's thread). The
 * command calls it; until then everything runs on the caller's thread,
 * so that a program embedding the scan (in a sandbox that allows no
 * thread, say) makes no system call for threads. */
void parallel_use_cpus(void);

/* How many threads parallel_for() uses: 1 until parallel_use_cpus(). */
unsigned parallel_threads(void);

/*
 * Calls fn over [0, n) in ranges of `chunk` items, taken in turn by the
 * caller and up to parallel_threads() - 1 helper threads; returns when all
 * are done. Fewer than two chunks (or one thread) run on the caller alone,
 * as does everything when no thread can be started: never an error.
 */
void parallel_for(size_t n, size_t chunk, parallel_fn fn, void *ctx);

#endif
