/* SPDX-License-Identifier: MIT */
/*
 * The bridge: one buffer used on another device entry (another description
 * of the GPU, or another GPU), by export here and import there, cached on
 * the source object per destination entry.
 *
 * The cache lives on the source object under the source device's lock and
 * holds a reference on the copy. No path holds two device locks: the export
 * happens under the source's lock, the import under the destination's,
 * one after the other.
 */
#include <errno.h>
#include <stdlib.h>

#include "drm/winsys_private.h"

void
fdid_bridges_release(struct fdid_bridge *list)
{
   while (list) {
      struct fdid_bridge *next = list->next;
      fdid_bo_unref(list->copy);
      free(list);
      list = next;
   }
}

/*
 * The cached copy of bo on `other`, with a new reference, or NULL. Entries
 * whose device is gone are unlinked into *stale. bo->dev->lock held.
 * The entry's own reference keeps the copy above zero, so taking one more
 * needs no lock of the copy's device.
 */
static struct fdid_bo *
cached_copy_locked(struct fdid_bo *bo, const struct fdid_device *other,
                   struct fdid_bridge **stale)
{
   fdid_assert_locked(&bo->dev->lock);
   struct fdid_bridge **link = &bo->bridges;
   while (*link) {
      struct fdid_bridge *e = *link;
      if (atomic_load(&e->copy->dev->dead)) {
         *link = e->next;
         e->next = *stale;
         *stale = e;
         continue;
      }
      if (e->copy->dev == other)
         return fdid_bo_ref(e->copy);
      link = &e->next;
   }
   return NULL;
}

FDID_PUBLIC int
fdid_bo_import_on(struct fdid_bo *bo, struct fdid_device *other, struct fdid_bo **out)
{
   if (!bo || !other || !out)
      return -EINVAL;
   if (bo->dev == other) {
      *out = fdid_bo_ref(bo);
      return *out ? 0 : -EOVERFLOW;
   }

   struct fdid_device *dev = bo->dev;
   struct fdid_bridge *stale = NULL;
   int fd = -1;

   pthread_mutex_lock(&dev->lock);
   struct fdid_bo *copy = cached_copy_locked(bo, other, &stale);
   int r = copy ? 0 : fdid_bo_export_locked(bo, &fd);
   pthread_mutex_unlock(&dev->lock);
   fdid_bridges_release(stale);
   stale = NULL;
   if (r < 0)
      return r;
   if (copy) {
      *out = copy;
      return 0;
   }

   r = fdid_bo_import(other, fd, &copy);
   close(fd);
   if (r < 0)
      return r;

   /* Cache it, unless a racing call did (then both hold the same object:
    * one dma-buf on one entry is one object) or this side is gone. */
   struct fdid_bridge *e = malloc(sizeof(*e));
   pthread_mutex_lock(&dev->lock);
   struct fdid_bo *cached = cached_copy_locked(bo, other, &stale);
   if (e && !cached && bo->handle && (e->copy = fdid_bo_ref(copy))) {
      e->next = bo->bridges;
      bo->bridges = e;
      e = NULL;
   }
   pthread_mutex_unlock(&dev->lock);
   fdid_bo_unref(cached);
   fdid_bridges_release(stale);
   free(e);

   *out = copy;
   return 0;
}
