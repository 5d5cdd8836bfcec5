/* SPDX-License-Identifier: MIT */
/*
 * Which buffer a dma-buf fd names, with one fstat().
 *
 * Every fd and every export of one dma-buf share its one struct file, whose
 * inode belongs to that dma-buf alone on the kernel's dma-buf file system
 * (one superblock, mounted once at boot): (st_dev, st_ino) is the buffer
 * while any fd of it is open. Once one fstatfs() has shown which st_dev
 * that file system has, fstat() alone says "dma-buf" for every later fd.
 * Images (consumers) and the winsys key buffers by this.
 */
#ifndef FDID_UTIL_BUFFER_ID_H
#define FDID_UTIL_BUFFER_ID_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include "util/linux_abi.h"

struct fdid_buffer_id {
   dev_t dev;
   ino_t ino;
   uint64_t size;   /* bytes: the inode's size */
};

/*
 * 1: fd is a dma-buf, *id its identity and size; 0: fd is open but another
 * file (*id unset); a negative errno (-EBADF). The first dma-buf a process
 * meets costs one fstatfs() more; a kernel whose inodes carry no size (4.x
 * anonymous inodes) one lseek(SEEK_END), which a dma-buf answers with its
 * size without moving the file position.
 */
int fdid_buffer_id_of(int fd, struct fdid_buffer_id *id);

/* The same test for a stat already made of fd: 1, 0 or a negative errno. */
int fdid_stat_is_dmabuf(int fd, const struct stat *st);

/* Is a file system the dma-buf one? From fstatfs() of one's own fd, or
 * statfs() of another process's file through /proc (the inspector). */
static inline bool
fdid_statfs_is_dmabuf(const struct statfs *fs)
{
   return fs->f_type == DMA_BUF_MAGIC;
}

/* The order of (st_dev, st_ino) pairs, files by their inode: -1, 0 or 1,
 * for sorts that bring one buffer's (one inode's) entries together. */
static inline int
fdid_inode_cmp(dev_t dev_a, ino_t ino_a, dev_t dev_b, ino_t ino_b)
{
   if (dev_a != dev_b)
      return dev_a < dev_b ? -1 : 1;
   return ino_a < ino_b ? -1 : ino_a > ino_b;
}

#endif /* FDID_UTIL_BUFFER_ID_H */
