/* SPDX-License-Identifier: MIT */
/*
 * A device entry's own facts: is the fd a DRM node at all, which node,
 * which GPU is behind it. Made once per entry, outside the table lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "drm/winsys_private.h"
#include "util/fd_util.h"
#include "util/identity_private.h"
#include "util/sysfs_device.h"

int
fdid_device_create(int fd, const struct stat *st, struct fdid_device **out)
{
   /* libdrm's test: a character device with a drm directory in sysfs.
    * Anything else (EINVAL from libdrm) is not a DRM node, and we never
    * send it a DRM ioctl: another driver could read the number as its own. */
   errno = 0;
   int node_type = drmGetNodeTypeFromFd(fd);
   if (node_type < 0)
      return errno == EBADF ? -EBADF : -ENOTTY;

   struct fdid_device *dev = calloc(1, sizeof(*dev));
   if (!dev)
      return -ENOMEM;
   int r = -ENOMEM;
   if (fdid_hmap_init(&dev->by_ino) != 0 || fdid_hmap_init(&dev->by_handle) != 0)
      goto fail;
   dev->gpu = calloc(1, sizeof(*dev->gpu));
   if (!dev->gpu)
      goto fail;
   pthread_mutex_init(&dev->gpu->lock, NULL);

   /* Above the standard streams: a process that closed stdin must not find
    * its next "stdin" to be our DRM fd. */
   dev->fd = fdid_dup_cloexec(fd);
   if (dev->fd < 0) {
      r = dev->fd;
      goto fail;
   }
   pthread_mutex_init(&dev->lock, NULL);
   atomic_init(&dev->users, 1);
   atomic_init(&dev->keep, 1);
   atomic_init(&dev->dead, false);
   dev->owner = fdid_self_pid();
   dev->st_dev = st->st_dev;
   dev->st_rdev = st->st_rdev;
   dev->st_ino = st->st_ino;
   dev->node_type = node_type;
   for (int i = 0; i < FDID_HINT_SLOTS; i++)
      dev->hints[i].fd = -1;

   /* An optional fact: without it fdid_device_same_gpu() falls back on
    * libdrm's, so a failure here is not an error. libdrm's description is
    * made on first use instead (device_drm_info()). */
   dev->sysfs_device = fdid_sysfs_device_path(st->st_rdev);

   *out = dev;
   return 0;

fail:
   if (dev->gpu)
      pthread_mutex_destroy(&dev->gpu->lock);
   free(dev->gpu);
   fdid_hmap_fini(&dev->by_ino);
   fdid_hmap_fini(&dev->by_handle);
   free(dev);
   return r;
}

void
fdid_device_memory_unref(struct fdid_device *dev)
{
   if (atomic_fetch_sub(&dev->keep, 1) != 1)
      return;
   pthread_mutex_destroy(&dev->lock);
   fdid_hmap_fini(&dev->by_ino);
   fdid_hmap_fini(&dev->by_handle);
   if (dev->gpu->drm)
      drmFreeDevice(&dev->gpu->drm);
   pthread_mutex_destroy(&dev->gpu->lock);
   free(dev->gpu);
   free(dev->sysfs_device);
   free(dev);
}

bool
fdid_device_owned_here(const struct fdid_device *dev)
{
   return dev->owner == fdid_self_pid();
}

/*
 * libdrm's description of the device, made on first use and kept in the
 * device's gpu info. Not made in acquire: it reads sysfs and allocates,
 * and libdrm 2.4.114 (Debian 12) dereferences NULL when one of those
 * allocations fails; tests/drm/test_winsys_alloc.c fails every allocation
 * of fdid_device_acquire() in turn.
 */
static drmDevicePtr
device_drm_info(const struct fdid_device *dev)
{
   struct fdid_gpu_info *gpu = dev->gpu;
   pthread_mutex_lock(&gpu->lock);
   if (!gpu->tried) {
      gpu->tried = true;
      if (drmGetDevice2(dev->fd, 0, &gpu->drm) != 0)
         gpu->drm = NULL;
   }
   drmDevicePtr info = gpu->drm;
   pthread_mutex_unlock(&gpu->lock);
   return info;
}

FDID_PUBLIC bool
fdid_device_same_gpu(const struct fdid_device *a, const struct fdid_device *b)
{
   if (!a || !b)
      return false;
   if (a == b || a->st_rdev == b->st_rdev)
      return true;
   /* libdrm's answer (bus info), where it can describe both; drmDevicesEqual()
    * does not write through its arguments. */
   drmDevicePtr da = device_drm_info(a), db = device_drm_info(b);
   if (da && db)
      return drmDevicesEqual(da, db) != 0;
   if (a->sysfs_device && b->sysfs_device)
      return strcmp(a->sysfs_device, b->sysfs_device) == 0;
   return false;
}

FDID_PUBLIC int
fdid_device_fd(const struct fdid_device *dev)
{
   return dev ? dev->fd : -1;
}

FDID_PUBLIC int
fdid_device_node_type(const struct fdid_device *dev)
{
   return dev ? dev->node_type : -1;
}
