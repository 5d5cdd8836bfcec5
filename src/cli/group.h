/* SPDX-License-Identifier: MIT */
/*
 * Grouping fds into open file descriptions, in CRIU's spirit: bucket by
 * (st_dev, st_ino); only inside a bucket of several fds does fdid ask the
 * kernel, sorting by kcmp order (n log n questions at most, n - 1 when
 * the bucket is one description, never all pairs). A group only ever
 * forms on the kernel's "same".
 *
 * Unlike CRIU, fdid does not split buckets by file position and flags from
 * fdinfo: CRIU reads them from frozen tasks, fdid from live ones, where a
 * shared description's position moves between the reads of two holders'
 * fdinfo and would split a true group.
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
   unsigned long fds_vanished; /* closed between the scan and the question */
   unsigned procs_unverifiable;
};

int group_descriptions(struct scan *s, struct grouping *out);
void grouping_free(struct grouping *g);

#endif
