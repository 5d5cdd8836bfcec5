/* SPDX-License-Identifier: MIT */
/* /proc/PID/fdinfo/N, the fields the inspector uses. */
#ifndef FDID_INSPECT_FDINFO_H
#define FDID_INSPECT_FDINFO_H

#include <stdbool.h>
#include <stddef.h>

/* The texts of an fd's fdinfo: only DRM clients, dma-bufs and tun/tap
 * fds have them, so they live apart from struct fdinfo (an inspector
 * holds one per listed description). */
struct fdinfo_names {
   char tun_iface[17];      /* a tun/tap fd's interface ("iff:"): a name a
                             * process chose */
   /* DRM (generic from Linux 6.5; absent on 6.1 vgem), read by
    * drm_usage.h's parser, the one reader of drm- keys */
   char drm_driver[32];
   char drm_client_id[24];  /* the number, in decimal */
   char exp_name[32];       /* a dma-buf's exporter */
   char buf_name[64];       /* its DMA_BUF_SET_NAME: up to 32 bytes of any value */
};

struct fdinfo {
   bool has_pos, has_flags, has_ino, has_mnt_id, has_pidfd_pid, has_tty_index;
   bool is_dmabuf;          /* has exp_name: (its size is the inode's: fstat,
                             * never this text) */
   bool has_buf_name;       /* DMA_BUF_SET_NAME was called */
   bool has_eventfd_id;
   unsigned flags;          /* octal in the file; O_CLOEXEC is per fd */
   long long pos;
   unsigned long long ino;  /* the file's inode (Linux 5.14+) */
   int mnt_id;              /* the mount the file is on */
   int pidfd_pid;           /* a pidfd's process ("Pid:"; -1 once it exited) */
   int tty_index;           /* a /dev/ptmx fd's pty ("tty-index:") */
   int eventfd_id;          /* an eventfd's context, one per eventfd() call
                             * ("eventfd-id:", Linux 5.19+) */
   /* Allocated by fdinfo_parse() at the first text it keeps; NULL when
    * there is none (or no memory for them: the texts are then empty). */
   struct fdinfo_names *names;
};

/* Parses fdinfo text (not NUL-terminated: len bytes). Unknown lines are
 * ignored, malformed values leave their field unset, a key's second line
 * is ignored (the kernel prints each once, before any text a process
 * controls), and a dma-buf's "name:" takes the rest of the text. Never
 * fails. */
void fdinfo_parse(const char *text, size_t len, struct fdinfo *out);

/* Frees what fdinfo_parse() allocated; out is then empty. */
void fdinfo_finish(struct fdinfo *i);

/* The texts, "" when the fdinfo gave none. */
const char *fdinfo_tun_iface(const struct fdinfo *i);
const char *fdinfo_drm_driver(const struct fdinfo *i);
const char *fdinfo_drm_client_id(const struct fdinfo *i);
const char *fdinfo_exp_name(const struct fdinfo *i);
const char *fdinfo_buf_name(const struct fdinfo *i);

/* One target of an epoll set, from an epoll fd's fdinfo. */
struct epoll_target {
   int tfd;                 /* the fd number it was added with */
   unsigned toff;           /* rank among targets with that number */
   unsigned long long ino;
   unsigned sdev;           /* the kernel's dev_t: major << 20 | minor */
};

/* The "tfd:" lines of an epoll fd's fdinfo, in the kernel's order, into a
 * malloc'ed array (free() it). Malformed lines are skipped. 0 or -ENOMEM. */
int fdinfo_parse_epoll(const char *text, size_t len, struct epoll_target **out,
                       size_t *n_out);

#endif
