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
 * fdinfo and would split a true group. It splits them only by what never
 * changes while a file or description lives: an anonymous inode's name,
 * and (GROUP_READS_FDINFO) a description's access mode and an eventfd's id.
 */
#ifndef FDID_INSPECT_GROUP_H
#define FDID_INSPECT_GROUP_H

#include "scan.h"

struct description {
   struct fd_entry **holders;
   size_t n_holders;
   /* false: the group may be incomplete. Its fd shares an inode with
    * other fds, but whether they share its description is unknown: its
    * process may not be inspected (EPERM), or no allowed method could
    * compare them (-ENOTSUP). Such fds are listed alone, never guessed. */
   bool verified;
   /* Epoll descriptions: for each target of the first holder's set, the
    * 1-based index of the watched description in descs, 0 when it is not
    * among the scanned fds. Filled by group_link_epoll_targets(). */
   size_t *target_ids;
};

struct grouping {
   struct description *descs;
   size_t n_descs;
   struct fd_entry **members; /* storage behind the holders arrays */
   struct fd_entry **loose;   /* ... and behind those of unplaced fds */
   unsigned long questions;   /* identity questions asked (kcmp calls) */
   unsigned long fds_vanished; /* closed between the scan and the question */
   unsigned procs_unverifiable;
   /* Epoll targets left unlinked when the search for those whose fd
    * number moved ran out of its budget (group_link_epoll_targets). */
   unsigned long targets_unsearched;
};

/* Groups the scan's fds into descriptions (in inode order), on several
 * threads (parallel.h). 0 or -ENOMEM. */
int group_descriptions(struct scan *s, struct grouping *out);

enum {
   /* The caller reads fdinfo of the descriptions' first holders anyway:
    * the grouping may read it for the fds of a pipe or eventfd, and tell
    * descriptions apart by what it says that never changes (a pipe end's
    * access, an eventfd's id) instead of a question each. */
   GROUP_READS_FDINFO = 1u << 0,
};
int group_descriptions_with(struct scan *s, unsigned flags, struct grouping *out);
/* Matches the targets of every epoll description in the given ones to
 * the descriptions they watch (kcmp KCMP_EPOLL_TFD), so a target whose fd
 * number its process has closed is still found. Needs the holders' fdinfo
 * read. A target still at its fd number costs one question; the others
 * are searched among the descriptions of their inode, within a budget of
 * 4096 questions plus one per target in all (each question walks the set
 * in the kernel): past it a target stays unlinked, counted in
 * targets_unsearched. Only the descriptions `wanted` says yes to (NULL:
 * all). 0 or -ENOMEM. */
int group_link_epoll_targets(struct grouping *g, bool (*wanted)(const struct description *d,
                                                            const void *arg),
                         const void *arg);

void grouping_finish(struct grouping *g);

#endif
