/* SPDX-License-Identifier: MIT */
/*
 * What the inspector does per type of file, in one table (lsfd keeps a
 * class per file type the same way): its name, what its INFO cell and
 * its JSON object add (which fdinfo a type needs is scan.h's). Adding a type is adding a
 * row to fd_class.c.
 */
#ifndef FDID_CLI_FD_CLASS_H
#define FDID_CLI_FD_CLASS_H

#include <stdbool.h>
#include <stdio.h>

#include "cell.h"
#include "group.h"

struct fd_class {
   const char *name;
   bool dmabuf;          /* SIZE and EXPORTER apply */
   /* The INFO cell's type-specific words (may be NULL); returns whether it
    * wrote any. */
   bool (*info)(struct cell *c, const struct description *d);
   /* Members after the common ones of the description's JSON object. */
   void (*json)(FILE *f, const struct description *d);
};

const struct fd_class *fd_class_of(enum fd_type t);
/* "drm", "dmabuf", ... to the type; -1 when unknown. */
int fd_type_from_name(const char *name);
/* "drm, dmabuf, ..., other": every name, for help texts. */
const char *fd_type_names(void);

/*
 * An anonymous inode's class, as lsfd's AINODECLASS names it: the kernel's
 * name of the file ("anon_inode:[eventfd]", "anon_inode:inotify") without
 * its prefix and brackets, into buf; NULL for a file that is none (a
 * dma-buf named by its holder is "dmabuf").
 */
const char *fd_ainode_class(const struct fd_entry *e, char *buf, size_t len);
/* Is name a class the kernel gives anonymous inodes (eventfd, pidfd,
 * timerfd, signalfd, inotify, fanotify, io_uring, bpf-map, ...)? For -t. */
bool fd_ainode_class_known(const char *name);
/* Those classes, comma-separated, for help texts. */
const char *fd_ainode_class_names(void);

#endif
