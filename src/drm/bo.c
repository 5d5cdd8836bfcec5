/* SPDX-License-Identifier: MIT */
/*
 * Buffer objects: the per-device table of GEM handles, by dma-buf inode and
 * by handle.
 *
 * Why a dma-buf's (st_dev, st_ino) is a safe key for as long as the object
 * is in the table: every fd of one dma-buf shares its one struct file, and
 * that file's inode belongs to the dma-buf alone. Since Linux 5.15 (stable)
 * and 5.18 the inode number comes from a 64-bit counter and is never reused
 * in a boot. On older kernels it could be reused once the dma-buf is freed;
 * but the dma-buf cannot be freed while our GEM handle exists: the kernel's
 * PRIME import and export both record (dma-buf, handle) in the drm_file's
 * lookup cache, which takes a dma-buf reference (drm_prime_add_buf_handle()
 * calls get_dma_buf()) that is dropped only when the handle is closed
 * (drm_gem_remove_prime_handles()). An import also holds one through the
 * GEM object's attachment, and an export through obj->dma_buf. So while the
 * table holds the handle, the inode it is keyed by names this dma-buf and
 * no other, and the key leaves the table with the handle.
 *
 * A buffer the device made (dumb, adopted) has no dma-buf until its first
 * export; the export records the inode, so a later import of that dma-buf
 * is a table hit. An import that misses the inode map but gets a handle the
 * table already owns (our own buffer, exported by someone sharing this
 * description) is the same object too: the handle map catches it.
 */
#include <errno.h>
#include <stdlib.h>

#include "drm/winsys_private.h"
#include "util/buffer_id.h"
#include "util/refcount.h"

static struct fdid_bo *
bo_by_id(struct fdid_device *dev, const struct fdid_buffer_id *id)
{
   struct fdid_hnode *n = fdid_hmap_find(&dev->by_ino, id->dev, id->ino);
   return n ? fdid_container_of(n, struct fdid_bo, by_ino) : NULL;
}

static struct fdid_bo *
bo_by_handle(struct fdid_device *dev, uint32_t handle)
{
   struct fdid_hnode *n = fdid_hmap_find(&dev->by_handle, handle, 0);
   return n ? fdid_container_of(n, struct fdid_bo, by_handle) : NULL;
}

static void
bo_set_id(struct fdid_bo *bo, const struct fdid_buffer_id *id)
{
   struct fdid_device *dev = bo->dev;
   /* One dma-buf per GEM object while it has a handle (see above), so a
    * second key cannot happen; if it did, the first one stays. */
   if (bo->has_ino || bo_by_id(dev, id))
      return;
   fdid_hmap_insert(&dev->by_ino, &bo->by_ino, id->dev, id->ino);
   bo->has_ino = true;
}

/* A new object owning `handle`, in the handle map. dev->lock held. */
static struct fdid_bo *
bo_create_locked(struct fdid_device *dev, uint32_t handle)
{
   fdid_assert_locked(&dev->lock);
   /* dev->keep counts buffer structs: bounded by memory long before it
    * could reach its limit, but it is a count like any other. */
   struct fdid_bo *bo = calloc(1, sizeof(*bo));
   if (!bo || !fdid_ref_get(&dev->keep)) {
      free(bo);
      return NULL;
   }
   bo->dev = dev;
   bo->handle = handle;
   bo->ref_fd = -1;
   atomic_init(&bo->refs, 1);
   fdid_hmap_insert(&dev->by_handle, &bo->by_handle, handle, 0);
   return bo;
}

static void
close_handle(struct fdid_device *dev, uint32_t handle)
{
   /* In a fork child the handle is the parent's as much as ours. */
   if (fdid_device_owned_here(dev))
      drmCloseBufferHandle(dev->fd, handle);
}

/* Is bo the buffer `id` names? (An object without a dma-buf yet is none.) */
static bool
bo_is(const struct fdid_bo *bo, const struct fdid_buffer_id *id)
{
   return bo->has_ino && bo->by_ino.k1 == (uint64_t)id->dev && bo->by_ino.k2 == (uint64_t)id->ino;
}

FDID_PUBLIC int
fdid_bo_import(struct fdid_device *dev, int dmabuf_fd, struct fdid_bo **out)
{
   return fdid_bo_import_expecting(dev, dmabuf_fd, NULL, out);
}

int
fdid_bo_import_expecting(struct fdid_device *dev, int dmabuf_fd,
                         const struct fdid_buffer_id *expect, struct fdid_bo **out)
{
   if (!dev || !out)
      return -EINVAL;
   if (dmabuf_fd < 0)
      return -EBADF;

   /* Everything under the lock: a release of the same dma-buf's object
    * either finished its GEM_CLOSE before this import or starts after it,
    * so no import is ever handed a handle about to be closed. */
   pthread_mutex_lock(&dev->lock);
   int r = 0;
   if (unlikely(atomic_load_explicit(&dev->dead, memory_order_relaxed))) {
      r = -ENODEV;
      goto out;
   }

   /* The same fd as the last imports: one identity question (bo_hint.c). */
   struct fdid_bo *bo = fdid_hint_lookup(dev, dmabuf_fd);
   if (bo && expect && !bo_is(bo, expect)) {
      r = -ESTALE;
      goto out;
   }
   if (bo) {
      if (fdid_ref_get(&bo->refs))
         *out = bo;
      else
         r = -EOVERFLOW;
      goto out;
   }

   /* A dma-buf we hold, found by its identity (util/buffer_id.h). A file
    * that is no dma-buf is refused without a PRIME ioctl. */
   struct fdid_buffer_id id;
   r = fdid_buffer_id_of(dmabuf_fd, &id);
   if (r <= 0) {
      r = r < 0 ? r : -EBADFD;
      goto out;
   }
   if (expect && (id.dev != expect->dev || id.ino != expect->ino)) {
      r = -ESTALE; /* the fd number holds another buffer now */
      goto out;
   }
   r = 0;
   bo = bo_by_id(dev, &id);
   if (likely(bo)) {
      if (!fdid_ref_get(&bo->refs)) {
         r = -EOVERFLOW;
         goto out;
      }
   } else {
      uint32_t handle;
      if (drmPrimeFDToHandle(dev->fd, dmabuf_fd, &handle) != 0) {
         r = -errno;
         goto out;
      }
      bo = bo_by_handle(dev, handle);
      if (bo) {
         /* The handle is the table's: nothing to close on a refusal. */
         if (!fdid_ref_get(&bo->refs)) {
            r = -EOVERFLOW;
            goto out;
         }
      } else {
         bo = bo_create_locked(dev, handle);
         if (!bo) {
            /* A handle not in the table is the one we were just given. */
            close_handle(dev, handle);
            r = -ENOMEM;
            goto out;
         }
      }
      bo_set_id(bo, &id);
   }
   fdid_hint_note(dev, dmabuf_fd, bo);
   *out = bo;
out:
   pthread_mutex_unlock(&dev->lock);
   return r;
}

FDID_PUBLIC uint32_t
fdid_bo_handle(const struct fdid_bo *bo)
{
   return bo ? bo->handle : 0;
}

FDID_PUBLIC struct fdid_device *
fdid_bo_device(const struct fdid_bo *bo)
{
   return bo ? bo->dev : NULL;
}

FDID_PUBLIC struct fdid_bo *
fdid_bo_ref(struct fdid_bo *bo)
{
   return bo && fdid_ref_get(&bo->refs) ? bo : NULL;
}

int
fdid_bo_export_locked(struct fdid_bo *bo, int *out_fd)
{
   struct fdid_device *dev = bo->dev;
   fdid_assert_locked(&dev->lock);
   if (!bo->handle)
      return -ENODEV;

   int fd;
   if (drmPrimeHandleToFD(dev->fd, bo->handle, DRM_CLOEXEC | DRM_RDWR, &fd) != 0) {
      /* DRM_RDWR is Linux 4.6+; older kernels refuse the flag. */
      if (errno != EINVAL ||
          drmPrimeHandleToFD(dev->fd, bo->handle, DRM_CLOEXEC, &fd) != 0)
         return -errno;
   }
   struct fdid_buffer_id id;
   if (!bo->has_ino && fdid_buffer_id_of(fd, &id) == 1)
      bo_set_id(bo, &id);
   *out_fd = fd;
   return 0;
}

FDID_PUBLIC int
fdid_bo_export(struct fdid_bo *bo, int *out_fd)
{
   if (!bo || !out_fd)
      return -EINVAL;
   pthread_mutex_lock(&bo->dev->lock);
   int r = fdid_bo_export_locked(bo, out_fd);
   pthread_mutex_unlock(&bo->dev->lock);
   return r;
}

FDID_PUBLIC void
fdid_bo_unref(struct fdid_bo *bo)
{
   if (!bo)
      return;

   /* Above one, going down cannot reach zero: no lock. */
   unsigned refs = atomic_load_explicit(&bo->refs, memory_order_relaxed);
   while (refs > 1) {
      if (atomic_compare_exchange_weak(&bo->refs, &refs, refs - 1))
         return;
   }

   struct fdid_device *dev = bo->dev;
   pthread_mutex_lock(&dev->lock);
   if (atomic_fetch_sub(&bo->refs, 1) != 1) {
      /* Revived by a lookup between our load and the lock. */
      pthread_mutex_unlock(&dev->lock);
      return;
   }
   fdid_hint_forget(dev, bo);
   if (bo->handle) {
      if (bo->has_ino)
         fdid_hmap_remove(&dev->by_ino, &bo->by_ino);
      fdid_hmap_remove(&dev->by_handle, &bo->by_handle);
      close_handle(dev, bo->handle);
      bo->handle = 0;
   }
   struct fdid_bridge *bridges = bo->bridges;
   bo->bridges = NULL;
   pthread_mutex_unlock(&dev->lock);

   fdid_bridges_release(bridges);
   free(bo);
   fdid_device_memory_unref(dev);
}

int
fdid_bo_adopt_locked(struct fdid_device *dev, uint32_t handle, struct fdid_bo **out)
{
   fdid_assert_locked(&dev->lock);
   if (atomic_load_explicit(&dev->dead, memory_order_relaxed))
      return -ENODEV;
   if (bo_by_handle(dev, handle))
      return -EEXIST;
   struct fdid_bo *bo = bo_create_locked(dev, handle);
   if (!bo)
      return -ENOMEM;
   *out = bo;
   return 0;
}

FDID_PUBLIC int
fdid_bo_adopt_handle(struct fdid_device *dev, uint32_t handle, struct fdid_bo **out)
{
   if (!dev || !out || handle == 0)
      return -EINVAL;
   pthread_mutex_lock(&dev->lock);
   int r = fdid_bo_adopt_locked(dev, handle, out);
   pthread_mutex_unlock(&dev->lock);
   return r;
}

struct fdid_bridge *
fdid_device_teardown(struct fdid_device *dev)
{
   struct fdid_bridge *bridges = NULL;

   pthread_mutex_lock(&dev->lock);
   fdid_hmap_foreach(&dev->by_handle, n) {
      struct fdid_bo *bo = fdid_container_of(n, struct fdid_bo, by_handle);
      fdid_hint_forget(dev, bo);
      close_handle(dev, bo->handle);
      bo->handle = 0;
      bo->has_ino = false;
      /* The copies on other devices go with this side. */
      struct fdid_bridge **tail = &bo->bridges;
      while (*tail)
         tail = &(*tail)->next;
      *tail = bridges;
      bridges = bo->bridges;
      bo->bridges = NULL;
   }
   fdid_hmap_clear(&dev->by_handle);
   fdid_hmap_clear(&dev->by_ino);
   close(dev->fd);
   dev->fd = -1;
   atomic_store(&dev->dead, true);
   pthread_mutex_unlock(&dev->lock);
   return bridges;
}
