/* SPDX-License-Identifier: MIT */
/* Reading /proc files, which change while read and may be long. */
#ifndef FDID_CLI_PROC_READ_H
#define FDID_CLI_PROC_READ_H

#include <stddef.h>
#include <sys/types.h>

/* One read() of at most len bytes: the count, or -1 with errno. */
ssize_t proc_read_file(const char *path, char *buf, size_t len);

/* All of a file (an epoll set's fdinfo has a line per target, a process'
 * maps a line per mapping), up to 64 MiB, into a malloc'ed buffer of *len
 * bytes (not NUL-terminated). NULL with errno when it cannot be read. */
char *proc_read_whole(const char *path, size_t *len);

#endif
