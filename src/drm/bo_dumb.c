/* SPDX-License-Identifier: MIT */
/*
 * Dumb buffers: the device's own allocation, entered in the same table as
 * imports, so that exporting one and importing it back returns it.
 */
#include <errno.h>

#include "drm/winsys_private.h"

FDID_PUBLIC int
fdid_bo_create_dumb(struct fdid_device *dev, uint32_t width, uint32_t height,
                    uint32_t bpp, struct fdid_bo **out, uint32_t *pitch,
                    uint64_t *size)
{
   if (!dev || !out || width == 0 || height == 0 || bpp == 0)
      return -EINVAL;

   pthread_mutex_lock(&dev->lock);
   int r = -ENODEV;
   struct drm_mode_create_dumb create = { .width = width, .height = height, .bpp = bpp };
   if (atomic_load_explicit(&dev->dead, memory_order_relaxed))
      goto out;
   if (drmIoctl(dev->fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) != 0) {
      r = -errno;
      goto out;
   }
   /* A fresh handle cannot be in the table unless someone sharing the
    * description closed one of ours behind our back; then the table's
    * object owns this number already and must be the one to close it. */
   r = fdid_bo_adopt_locked(dev, create.handle, out);
   if (r == -ENOMEM)
      drmCloseBufferHandle(dev->fd, create.handle);
out:
   pthread_mutex_unlock(&dev->lock);
   if (r < 0)
      return r;
   if (pitch)
      *pitch = create.pitch;
   if (size)
      *size = create.size;
   return 0;
}

FDID_PUBLIC int
fdid_bo_map_dumb_offset(const struct fdid_bo *bo, uint64_t *offset)
{
   if (!bo || !offset)
      return -EINVAL;
   struct fdid_device *dev = bo->dev;
   int r = 0;
   pthread_mutex_lock(&dev->lock);
   struct drm_mode_map_dumb map = { .handle = bo->handle };
   if (!bo->handle)
      r = -ENODEV;
   else if (drmIoctl(dev->fd, DRM_IOCTL_MODE_MAP_DUMB, &map) != 0)
      r = -errno;
   else
      *offset = map.offset;
   pthread_mutex_unlock(&dev->lock);
   return r;
}
