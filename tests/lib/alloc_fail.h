/* SPDX-License-Identifier: MIT */
/*
 * Allocation-failure injection for tests: malloc, calloc and realloc of the
 * whole process (libfdid's and libc's internal ones included) are replaced
 * in the test program, so one chosen allocation fails with ENOMEM, and live
 * allocations are counted, so a test sees a leak without a sanitizer.
 *
 * Not available under AddressSanitizer or ThreadSanitizer (they own
 * malloc): alloc_fail_available() is then false and tests skip. Keep these
 * tests out of valgrind runs, which replace malloc as well.
 */
#ifndef FDID_TEST_ALLOC_FAIL_H
#define FDID_TEST_ALLOC_FAIL_H

#include <stdbool.h>

bool alloc_fail_available(void);

/* The n-th allocation from now (0: the next) fails, once. */
void alloc_fail_arm(long n);
/* Stop failing; true when the armed failure happened. */
bool alloc_fail_disarm(void);

/* Allocations made and not yet freed, in this process. */
long alloc_live(void);

/*
 * Runs op() with the n-th allocation failing, for n = 0, 1, 2, ... until a
 * run completes without reaching its armed failure. A run whose failure
 * fired must return -ENOMEM (or, where op documents it, succeed anyway);
 * after every run, cleanup() undoes what op made and no allocation may be
 * left live. Returns how many allocation sites were failed.
 */
long alloc_fail_each(int (*op)(void *arg), void (*cleanup)(void *arg, int result), void *arg);

#endif
