/* SPDX-License-Identifier: MIT */
/* Every fd of the processes the caller may inspect, from /proc. */
#ifndef FDID_INSPECT_SCAN_H
#define FDID_INSPECT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "fdinfo.h"

enum fd_type {
   FD_OTHER, FD_FILE, FD_DIR, FD_PIPE, FD_SOCKET, FD_CHR, FD_BLK,
   FD_DRM, FD_DMABUF, FD_EPOLL, FD_ANON,
};

/* One file table of a process: its own, or one of its threads' that is
 * not (unshare(CLONE_FILES), or every thread's once the main thread has
 * exited): a process may have several entries, one per table. */
struct process {
   pid_t pid;
   pid_t tid;     /* the table's thread: pid for the process's own table */
   size_t index;  /* in scan.procs */
   size_t owner;  /* index of the process's first entry (its own index) */
   char comm[17];
   uid_t uid;     /* the owner of /proc/PID/fd: the process's user */
   int fd_dir;    /* its /proc/TID/fd, kept open for names and fdinfo read
                   * relative to it (no walk from /); -1 past the budget */
   int info_dir;  /* its /proc/TID/fdinfo (one component less per fdinfo
                   * than "../fdinfo/N"); -1 past the budget */
   /* kcmp may be used on it (checked only when one of its fds shares an
    * inode with another fd). -1 unknown, 0 no, 1 yes. */
   int kcmp_ok;
   bool denied;  /* its fds could not be read: none of them is listed */
   bool self;    /* the scanning process itself */
};

/* One per fd of a listing, up to a million of them: small (the fdinfo's
 * texts live apart, the flags together). */
struct fd_entry {
   struct process *proc;
   int fd;
   enum fd_type type;
   bool unlinked;         /* a regular file with no name left (st_nlink 0) */
   bool name_too_long;    /* longer than PATH_MAX: the kernel gives none */
   bool has_info;         /* fdinfo was read */
   dev_t dev, rdev;
   ino_t ino;
   long long size;        /* st_size: a dma-buf's or file's size, from the kernel */
   char *name;            /* readlink of /proc/PID/fd/N; NULL until read */
   struct fdinfo info;
   struct epoll_target *targets; /* epoll fds: what the set watches */
   size_t n_targets;
};

/* A process whose fds are not listed, and why. */
struct skipped_process {
   pid_t pid;
   char comm[17];
   const char *reason;      /* "denied", "vanished" */
};

struct scan {
   unsigned dir_fds_kept;   /* process entries' fd_dir and info_dir open now */
   int kept_fds[256];       /* ... their numbers: not our own fds to list */
   struct process **procs;
   size_t n_procs;          /* file tables: processes and their threads' own */
   size_t n_thread_tables;  /* ... of which threads' (n_procs less these: processes) */
   struct fd_entry *fds;
   size_t n_fds, cap_fds;
   /* Counted, never fatal. */
   unsigned procs_denied;   /* no permission to list its fds */
   unsigned procs_vanished; /* exited during the scan */
   unsigned fds_vanished;   /* closed during the scan */
   struct skipped_process *skipped;
   size_t n_skipped;
};

/* Scans the given processes (thread-group ids: see scan_tgid), or every
 * process when n_pids is 0; a pid given twice is scanned once. Returns 0
 * or a negative errno for a failure of the scan itself (no /proc, no
 * memory). */
int scan_processes(const pid_t *pids, size_t n_pids, struct scan *out);

/* The thread group (process) of a pid or thread id, or -ESRCH. */
int scan_tgid(pid_t pid);

/* Which fdinfo a type of file needs read to be described. */
enum fdinfo_need {
   FDINFO_NONE,
   FDINFO_EVERY_HOLDER, /* DRM and dma-buf details, per fd */
   FDINFO_FIRST_SHOWN,  /* an epoll set's targets: the first holder of a
                         * listed description (all holders share the set) */
};
enum fdinfo_need scan_fdinfo_need(enum fd_type t);

/* Reads fdinfo for an entry if not done yet: false when the fd is gone. */
bool scan_read_fdinfo(struct fd_entry *e);

/* The fd's name (path or kind), read on first use and checked against
 * the scan's inode; "(closed during the scan)" when it is gone, "(name too
 * long)" when it is longer than the kernel shows (PATH_MAX). Raw bytes a
 * process chose: escape them for output (escape.h). */
const char *scan_name(struct fd_entry *e);

/* scan_name() and scan_read_fdinfo() together, a stat less: the fdinfo,
 * read after the name, shows by its ino: line whether the fd number still
 * holds the scanned file, for the name too. */
void scan_name_and_fdinfo(struct fd_entry *e);

void scan_finish(struct scan *s);


#endif
