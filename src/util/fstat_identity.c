/* SPDX-License-Identifier: MIT */
/*
 * What fstat alone can say. One description has one inode, so different
 * (st_dev, st_ino) prove different descriptions; the same inode proves
 * nothing (/dev/null opened twice, the two ends of a pipe).
 */
#include <errno.h>
#include <sys/stat.h>

#include "util/fstat_raw.h"
#include "util/identity_private.h"

int
fdid_same_inode(int fd1, int fd2)
{
   struct stat a, b;
   if (fdid_fstat(fd1, &a) != 0 || fdid_fstat(fd2, &b) != 0)
      return -errno;
   return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
fdid_fstat_same(int fd1, int fd2)
{
   int same_inode = fdid_same_inode(fd1, fd2);
   if (same_inode < 0)
      return same_inode;
   if (!same_inode)
      return 3;
   /* One open fd number is one description. */
   if (fd1 == fd2)
      return 0;
   return FDID_ANSWER_CANNOT;
}
