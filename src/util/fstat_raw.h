/* SPDX-License-Identifier: MIT */
#ifndef FDID_UTIL_FSTAT_RAW_H
#define FDID_UTIL_FSTAT_RAW_H

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * fstat() in one system call. glibc >= 2.33 implements fstat() as
 * newfstatat(fd, "", AT_EMPTY_PATH), which kernels before 6.11 treat as a
 * path walk (copy the empty name from user memory, look it up): about 7x
 * the fstat system call on 6.1, measured in the guest. On x86-64 (not x32)
 * the kernel's struct stat is glibc's, so the raw call fills the same
 * structure; elsewhere glibc's fstat() is used.
 */
static inline int
fdid_fstat(int fd, struct stat *st)
{
#if defined(__x86_64__) && !defined(__ILP32__) && defined(SYS_fstat)
   _Static_assert(sizeof(struct stat) == 144, "x86-64 kernel struct stat");
   return (int)syscall(SYS_fstat, fd, st);
#else
   return fstat(fd, st);
#endif
}

#endif /* FDID_UTIL_FSTAT_RAW_H */
