/* SPDX-License-Identifier: MIT */
/*
 * Processes a benchmark forks to hold fds while it scans them: each sets
 * up what it holds, says so, and waits to be released. The benchmark's
 * world is then the holders and itself (pids[], the caller last).
 */
#ifndef FDID_BENCH_HOLDERS_H
#define FDID_BENCH_HOLDERS_H

#include <stddef.h>
#include <sys/types.h>

struct holders {
   pid_t *pids;          /* the holders, then (after holders_wait) the caller */
   size_t n_pids;
   int ready[2], release[2];
};

/* Room for max holders, and the pipes. Exits on failure. */
void holders_begin(struct holders *h, size_t max);

/* Forks one holder: 0 in the holder (which sets up, then calls
 * holder_ready()), its pid in the caller. Exits on failure. */
pid_t holders_fork(struct holders *h);

/* In a holder: set up; tell the caller, wait for the release, exit. */
__attribute__((noreturn)) void holder_ready(const struct holders *h);

/* In the caller: every holder is set up (exits if one failed, `what`
 * saying what it was making); then the caller joins pids[]. */
void holders_wait(struct holders *h, const char *what);

/* Releases the holders and reaps them. */
void holders_end(struct holders *h);

#endif
