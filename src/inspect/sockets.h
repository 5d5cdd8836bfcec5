/* SPDX-License-Identifier: MIT */
/*
 * Sockets, for the inspector's socket columns: what the kernel says of
 * each socket inode. UNIX sockets from NETLINK_SOCK_DIAG (binary: their
 * path is any bytes a process bound, and /proc/net/unix prints it raw, a
 * newline included, so a path there could forge a line); TCP and UDP from
 * /proc/PID/net/{tcp,tcp6,udp,udp6} (numbers only) of a holder's network
 * namespace. sock_diag answers for fdid's own network namespace: a UNIX
 * socket of another one is not found (its columns stay empty).
 */
#ifndef FDID_INSPECT_SOCKETS_H
#define FDID_INSPECT_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct socket_info {
   uint64_t ino;
   const char *proto;       /* "UNIX-STREAM", "TCP", "UDPv6"... (static) */
   const char *state;       /* "connected", "listen", "established"... (static) */
   char *local, *remote;    /* a UNIX path (any bytes; "@name" abstract), or addr:port */
   uint64_t peer;           /* a UNIX socket's peer inode; 0 none */
};

struct socket_table {
   struct socket_info *v;   /* sorted by inode */
   size_t n;
   bool unix_read;          /* sock_diag answered */
};

/* Reads the UNIX sockets (sock_diag) and the TCP and UDP ones of pid's
 * network namespace. 0 or -ENOMEM; a source that cannot be read is left
 * out (unix_read says whether sock_diag was). */
int sockets_read(struct socket_table *t, pid_t netns_of);
void sockets_finish(struct socket_table *t);
const struct socket_info *sockets_find(const struct socket_table *t, uint64_t ino);

/* For the tests: one /proc/net/{tcp,udp}[6] text into t (appended,
 * unsorted until sockets_sort()). 0 or -ENOMEM; malformed lines skipped. */
int sockets_parse_inet(struct socket_table *t, const char *text, size_t len, bool tcp,
                       bool v6);
void sockets_sort(struct socket_table *t);

#endif
