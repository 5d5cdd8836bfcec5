/* SPDX-License-Identifier: MIT */
/* Faults the tests inflict: a full fd table, a storm of signals. Failures
 * fail the subtest. */
#ifndef FDID_TEST_FAULTS_H
#define FDID_TEST_FAULTS_H

#include <stdbool.h>

/* Opens eventfds into fds[] until the table is full (EMFILE) or max are
 * open; returns how many. */
int fill_fds(int *fds, int max);
void close_fds(const int *fds, int n);

/* The fd table squeezed: RLIMIT_NOFILE lowered to 64 and every slot under
 * it taken but `keep_free` (dups of `fd`). end() gives them back and
 * restores the limit. */
struct fd_squeeze {
   long old_limit;
   int fill[64];
   int n;
};
void fd_squeeze_begin(struct fd_squeeze *s, int fd, int keep_free);
void fd_squeeze_end(struct fd_squeeze *s);

/* On: a SIGALRM every 50 µs to a handler installed without SA_RESTART, so
 * that every interruptible call sees EINTR. Off: the timer stopped and the
 * signal ignored. */
void signal_storm(bool on);
/* Signals handled since the storm was turned on. */
long signal_storm_hits(void);

#endif
