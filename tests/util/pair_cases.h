/* SPDX-License-Identifier: MIT */
/*
 * Pairs of fds whose relation is known by construction: the ground truth
 * the identity tests check every method against.
 */
#ifndef FDID_TEST_PAIR_CASES_H
#define FDID_TEST_PAIR_CASES_H

#include <stdbool.h>
#include <stddef.h>

struct pair {
   int fd1, fd2;
   int owned[4]; /* closed by pair_close() */
   int n_owned;
};

struct pair_case {
   const char *name;
   bool same;
   /* The epoll trick can decide (both files pollable). */
   bool pollable;
   void (*make)(struct pair *p);
};

extern const struct pair_case pair_cases[];
extern const size_t pair_case_count;

void pair_close(struct pair *p);

#endif /* FDID_TEST_PAIR_CASES_H */
