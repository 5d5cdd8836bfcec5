/* SPDX-License-Identifier: MIT */
/*
 * lsfd's ENDPOINTS for pipes and FIFOs: the other ends of a pipe are the
 * other open file descriptions of its inode (a pipe's read end and write
 * end are two descriptions of one inode; a FIFO opened twice is two more),
 * held by any process scanned. For UNIX sockets, the descriptions of the
 * peer's inode (sock_diag names it). For ptys, a multiplexer's (/dev/ptmx,
 * its fdinfo's tty-index) terminal /dev/pts/N, and a terminal's
 * multiplexer. Indexes made once per listing find them without a pass
 * over every description.
 */
#ifndef FDID_CLI_ENDPOINTS_H
#define FDID_CLI_ENDPOINTS_H

#include <stddef.h>

#include "group.h"

struct endpoints {
   const struct description **pipes; /* sorted by (dev, ino) */
   size_t n_pipes;
   const struct description **sockets; /* sorted by inode (one sockfs) */
   size_t n_sockets;
   const struct description **ptys; /* ptys' ends, sorted by pty, pts first */
   long *pty_numbers;                /* ... and their pty numbers */
   size_t n_ptys;
};

/* 0 or -ENOMEM. */
int endpoints_index(struct endpoints *ep, const struct grouping *g);
void endpoints_finish(struct endpoints *ep);

/* The pipe descriptions of d's inode, d among them, or a pty end's other
 * ends: *first and the count (0 when d is neither). Reads a multiplexer's
 * fdinfo (its tty-index) when the index is made. */
size_t endpoints_of(const struct endpoints *ep, const struct description *d,
                    const struct description *const **first);

/* The socket descriptions of inode ino (a UNIX socket's peer, from
 * sock_diag): *first and the count. */
size_t endpoints_socket(const struct endpoints *ep, unsigned long long ino,
                        const struct description *const **first);

#endif
