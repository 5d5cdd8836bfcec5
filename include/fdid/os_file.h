/* SPDX-License-Identifier: MIT */
/*
 * Mesa-compatible entry point: code written against Mesa's util/os_file.h
 * switches to fdid by including this header instead.
 *
 * os_same_file_description(fd1, fd2):
 *   0   same open file description
 *   >0  different (1 or 2 with an order, 3 without)
 *   <0  cannot tell (a negative errno, see fdid/identity.h)
 *
 * Unlike Mesa's, it falls back at run time when kcmp is blocked, and it
 * never claims an order it does not have (Mesa's F_DUPFD_QUERY path
 * answers 1 for every "different").
 *
 * Defined inline so that it never clashes with a copy of Mesa's symbol in
 * the same process.
 */
#ifndef FDID_OS_FILE_H
#define FDID_OS_FILE_H

#include <fdid/identity.h>

static inline int
os_same_file_description(int fd1, int fd2)
{
   return fdid_same_file_description(fd1, fd2);
}

#endif /* FDID_OS_FILE_H */
