/* SPDX-License-Identifier: MIT */
/* Helpers shared by the identity tests. */
#ifndef FDID_TEST_UTIL_H
#define FDID_TEST_UTIL_H

#include <stdbool.h>

#include "fd_passing.h"

/* pidfd_open() and pidfd_getfd() work here (Linux 5.6+, and not under
 * valgrind 3.19, which does not know them): without them and without kcmp,
 * cross-process questions are -ENOTSUP by contract. */
bool pidfd_getfd_works(void);

/* seccomp filters with SCMP_ACT_KILL_PROCESS can be installed. */
bool seccomp_kill_process_works(void);

#endif
