/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/magic.h>
#include <stdatomic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/buffer_id.h"
#include "util/fstat_raw.h"
#include "util/linux_abi.h"


/* The dma-buf file system's st_dev; 0 until learned. An st_dev names one
 * superblock, so a match needs no fstatfs(). */
static _Atomic dev_t dmabuf_dev;

int
fdid_stat_is_dmabuf(int fd, const struct stat *st)
{
   dev_t known = atomic_load_explicit(&dmabuf_dev, memory_order_relaxed);
   if (known && st->st_dev == known)
      return 1;
   struct statfs sfs;
   if (fstatfs(fd, &sfs) != 0)
      return -errno;
   if (!fdid_statfs_is_dmabuf(&sfs))
      return 0;
   atomic_store_explicit(&dmabuf_dev, st->st_dev, memory_order_relaxed);
   return 1;
}

int
fdid_buffer_id_of(int fd, struct fdid_buffer_id *id)
{
   struct stat st;
   if (fd < 0)
      return -EBADF;
   if (fdid_fstat(fd, &st) != 0)
      return -errno;
   int is = fdid_stat_is_dmabuf(fd, &st);
   if (is <= 0)
      return is;
   off_t size = st.st_size;
   if (size <= 0 && (size = lseek(fd, 0, SEEK_END)) < 0)
      return -errno;
   *id = (struct fdid_buffer_id){ st.st_dev, st.st_ino, (uint64_t)size };
   return 1;
}
