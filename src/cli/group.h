/* SPDX-License-Identifier: MIT */
/*
 * Grouping fds into open file descriptions, in CRIU's spirit: bucket by
 * (st_dev, st_ino), then by file position and status flags from fdinfo;
 * only inside a bucket of several fds does fdid ask the kernel, sorting by
 * kcmp order (n log n questions, not n^2) and joining neighbours that kcmp
 * calls equal. A group only ever forms on the kernel's "same".
 */
#ifndef FDID_CLI_GROUP_H
#define FDID_CLI_GROUP_H

#include "scan.h"

struct description {
   struct fd_entry **holders;
   size_t n_holders;
   /* false: this fd shares its inode with others but its process may not
    * be inspected (kcmp EPERM), so whether it shares a description with
    * them is unknown; it is listed alone. */
   bool verified;
};

struct grouping {
   struct description *descs;
   size_t n_descs;
   struct fd_entry **members; /* storage behind every holders array */
   unsigned long questions;   /* identity questions asked (kcmp calls) */
   unsigned procs_unverifiable;
};

int group_descriptions(struct scan *s, struct grouping *out);
void grouping_free(struct grouping *g);

#endif
