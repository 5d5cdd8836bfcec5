/* SPDX-License-Identifier: MIT */
/*
 * Files a process holds without an fd: its executable, its working and
 * root directories, and the files it maps (lsfd's exe, cwd, rtd and mem
 * associations). Each pins a file (an inode), not an open file
 * description: they are listed beside the descriptions, never merged into
 * one.
 *
 * exe, cwd and root are one stat() each of the /proc/PID magic link (the
 * kernel's inode, whatever the name says); mappings come from
 * /proc/PID/maps' device and inode fields, which the kernel prints before
 * the path (maps_parse_line()), read as a stream whatever its length, each
 * file once per process. A maps text cut short is an error: nothing of it
 * is taken. On overlayfs a mapping names the file underneath (its device
 * and inode), so it matches no fd of the overlay's.
 */
#ifndef FDID_INSPECT_ASSOC_H
#define FDID_INSPECT_ASSOC_H

#include <stddef.h>
#include <sys/types.h>

#include "scan.h"

enum assoc_kind { ASSOC_EXE, ASSOC_CWD, ASSOC_ROOT, ASSOC_MEM };

struct assoc {
   struct process *proc;
   enum assoc_kind kind;
   dev_t dev;
   ino_t ino;
   char *name; /* exe, cwd, root: the link's text; mem: the maps line's path */
};

struct assoc_list {
   struct assoc *v;    /* sorted by file (dev, ino), then pid and kind */
   size_t n, cap;
   unsigned procs_unreadable; /* their links or maps: no permission, or gone */
};

/* The associations of every process of the scan (its own file table's
 * entry: threads share them). 0 or -ENOMEM; a process that cannot be read
 * is counted, not fatal. */
int assoc_scan(const struct scan *sc, struct assoc_list *out);

/* "exe", "cwd", "root", "mem". */
const char *assoc_kind_name(enum assoc_kind k);

void assoc_finish(struct assoc_list *l);

#endif
