/* SPDX-License-Identifier: MIT */
/*
 * Facts about the file behind an fd that lsfd shows and that fdid reads
 * from what the scan already has (the name, the stat, the process):
 * NS.TYPE of a namespace fd, USER of a process.
 */
#ifndef FDID_CLI_FD_FACTS_H
#define FDID_CLI_FD_FACTS_H

#include <stddef.h>
#include <sys/types.h>

#include "scan.h"

/* A namespace fd's type ("net", "mnt", "pid_for_children"...), from the
 * kernel's name of it ("net:[4026531840]"), into buf; NULL for any other
 * file. A path a process chose always starts with "/", so no file name
 * can pass for one. */
const char *fd_facts_ns_type(struct fd_entry *e, char *buf, size_t len);

/* The user's name (the system's user database), else the number, into
 * buf; "?" for (uid_t)-1 (not known). */
const char *fd_facts_user(uid_t uid, char *buf, size_t len);

#endif
