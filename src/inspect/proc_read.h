/* SPDX-License-Identifier: MIT */
/* Reading /proc files, which change while read and may be long. */
#ifndef FDID_INSPECT_PROC_READ_H
#define FDID_INSPECT_PROC_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One read() of at most len bytes: the count, or -1 with errno. */
ssize_t proc_read_file(const char *path, char *buf, size_t len);

/* All of a file (an fdinfo: an epoll set's has a line per target) into a
 * malloc'ed buffer of *len bytes (not NUL-terminated). NULL with errno
 * when it cannot be read, and with EFBIG when it is longer than 64 MiB:
 * a text cut short is never handed out as if it were whole. */
char *proc_read_whole(const char *path, size_t *len);

/* The same for a file that is one seq_file record (an fd's fdinfo, however
 * many lines): the kernel makes a record whole before copying it out, so a
 * read shorter than the room given is its end, and no last read is made
 * to see 0 (one system call less per fd). path is relative to the
 * directory fd dir (AT_FDCWD: as open() takes it). */
char *proc_read_record_at(int dir, const char *path, size_t *len);

/*
 * A file read line by line, however long (a process's maps has a line per
 * mapping: a process with many mappings makes it as long as it likes),
 * in memory of a fixed size. Calls line(text, len, whole, arg) for each
 * line that ends with a newline, without it; a line longer than the
 * buffer (64 KiB) is given by its first part, `whole` false. A non-zero
 * return from line() ends the read with that value.
 *
 * 0 once every line was given; -EBADMSG when the text does not end with a
 * newline (cut short: the last part is not given); a negative errno when
 * it cannot be opened or read.
 */
int proc_read_lines(const char *path, int (*line)(const char *text, size_t len, bool whole,
                                                  void *arg),
                    void *arg);

#endif
