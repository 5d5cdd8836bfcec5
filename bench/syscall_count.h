/* SPDX-License-Identifier: MIT */
/* Exact system-call counts: run a function in a ptrace'd child and count
 * the system calls it enters. */
#ifndef FDID_BENCH_SYSCALL_COUNT_H
#define FDID_BENCH_SYSCALL_COUNT_H

/*
 * Runs setup(arg) untraced, then fn(arg, rounds) traced, in a forked child;
 * returns the number of system calls fn made per round (the cost of
 * starting and stopping the count is measured with zero rounds and taken
 * off), or a negative number when tracing is not possible here.
 */
double syscalls_per_round(void (*setup)(void *arg), void (*fn)(void *arg, long rounds),
                          void *arg, long rounds);

#endif
