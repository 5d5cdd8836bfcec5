/* SPDX-License-Identifier: MIT */
/* fdid ls --summary: lsfd's VALUE COUNTER table over the rows shown. */
#ifndef FDID_CLI_LS_COUNTERS_H
#define FDID_CLI_LS_COUNTERS_H

#include <stdbool.h>
#include <stdio.h>

#include "group.h"

/* Counts the descriptions `shown` keeps (and their fds and processes) by
 * access mode (fdinfo flags, when read) and by type, and prints them. 0 or
 * -ENOMEM. */
int ls_print_counters(FILE *f, const struct grouping *g,
                      bool (*shown)(const struct description *d, const void *arg),
                      const void *arg);

#endif
