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

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

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

#endif /* FDID_UTIL_BUFFER_ID_H */
