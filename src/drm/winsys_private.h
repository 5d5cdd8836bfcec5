/* SPDX-License-Identifier: MIT */
/*
 * Internals of the winsys: the device entry, the buffer object, and the
 * rules that keep one owner per GEM handle.
 *
 * Locks: the process-wide table lock (device_table.c) protects the device
 * buckets and the users count reaching zero; each device's `lock` protects
 * its buffer maps, its buffers' handles and bridges, and every decrement of
 * a buffer's refcount to zero. Order: table lock, then one device lock;
 * never two device locks at once (the bridge works one device at a time).
 *
 * Refcounts:
 * - dev->users: fdid_device_acquire()/fdid_device_ref() references. Goes up
 *   under the table lock (a lookup) or from a holder; reaches zero only
 *   under the table lock, which then tears the entry down before any other
 *   acquire can look: a new entry for the same description never overlaps
 *   with the old one's GEM handles.
 * - dev->keep: the memory of the struct: 1 while users > 0, plus one per
 *   fdid_bo struct, so that buffers held past the device stay safe to
 *   release.
 * - bo->refs: callers' references plus one per bridge cache entry. Goes up
 *   under the device lock (a table lookup) or from a holder of a reference;
 *   reaches zero only under the device lock, together with the removal from
 *   the maps and the GEM_CLOSE. So a lookup never finds an object whose
 *   handle is closed or about to be (the "revived object" race).
 */
#ifndef FDID_DRM_WINSYS_PRIVATE_H
#define FDID_DRM_WINSYS_PRIVATE_H

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <xf86drm.h>

#include "fdid/winsys.h"
#include "util/hash_map.h"
#include "util/lock.h"
#include "util/macros.h"
#include "util/fstat_raw.h"

struct fdid_bucket;
struct fdid_bridge;
struct fdid_bo;

/* The re-import hint (bo_hint.c): which object fd number `fd` gave last;
 * armed, it is checked by identity instead of fstat. */
enum { FDID_HINT_SLOTS = 16 };
struct fdid_hint {
   int fd;
   struct fdid_bo *bo;
   bool armed;
};

/* libdrm's description of a device, made on first use. */
struct fdid_gpu_info {
   pthread_mutex_t lock;
   bool tried;                /* drm was asked for (under lock) */
   drmDevicePtr drm;          /* NULL when libdrm has none */
};

struct fdid_device {
   pthread_mutex_t lock;
   atomic_uint users;
   atomic_uint keep;
   atomic_bool dead;          /* the last user is gone; set under lock */

   int fd;                    /* the table's dup; -1 once dead */
   pid_t owner;               /* the process whose entry this is */
   dev_t st_dev, st_rdev;     /* the node: fstat of the description */
   ino_t st_ino;
   int node_type;             /* DRM_NODE_* */
   /* What fdid_device_same_gpu() learns on first use. Apart, with its own
    * lock, so that a device the caller holds as const can fill it. */
   struct fdid_gpu_info *gpu;
   char *sysfs_device;        /* realpath of the node's sysfs device, or NULL */

   struct fdid_hmap by_ino;     /* fdid_bo.by_ino: dma-buf (st_dev, st_ino) */
   struct fdid_hmap by_handle;  /* fdid_bo.by_handle: (GEM handle, 0) */

   struct fdid_hint hints[FDID_HINT_SLOTS];

   struct fdid_bucket *bucket;  /* under the table lock */
};

struct fdid_bo {
   struct fdid_hnode by_ino;      /* in dev->by_ino when has_ino */
   struct fdid_hnode by_handle;   /* in dev->by_handle while handle != 0 */
   struct fdid_device *dev;
   atomic_uint refs;
   uint32_t handle;               /* 0 once the device is gone */
   bool has_ino;
   struct fdid_bridge *bridges;   /* copies on other devices, under dev->lock */
   int ref_fd;                    /* own fd of the dma-buf while a hint is armed */
   uint32_t hint_slots;           /* dev->hints that name this object */
   uint32_t armed_slots;          /* ... and those of them armed */
};

/* One bridge cache entry: `copy` is bo on another device, and this entry
 * holds one of its references. */
struct fdid_bridge {
   struct fdid_bridge *next;
   struct fdid_bo *copy;
};

/* device_info.c: what the entry knows about its node. */
int fdid_device_create(int fd, const struct stat *st, struct fdid_device **out);
void fdid_device_memory_unref(struct fdid_device *dev);

/* bo.c */
/* Closes every GEM handle and the dup of a device whose last user is gone
 * (table lock held; takes the device lock). Returns its bridges, to
 * release once no lock is held. */
struct fdid_bridge *fdid_device_teardown(struct fdid_device *dev);
/* Releases the references held by a list of bridges, and frees it. */
void fdid_bridges_release(struct fdid_bridge *list);
/* Export with dev->lock held; records the dma-buf inode on first export. */
int fdid_bo_export_locked(struct fdid_bo *bo, int *out_fd);
/* fdid_bo_adopt_handle() with dev->lock held. */
int fdid_bo_adopt_locked(struct fdid_device *dev, uint32_t handle, struct fdid_bo **out);

/* fdid_bo_import() of the buffer `expect` names (NULL: any): -ESTALE when
 * dmabuf_fd holds another one now. The identity check costs nothing more:
 * the import's own fstat, or the hint's question. */
struct fdid_buffer_id;
int fdid_bo_import_expecting(struct fdid_device *dev, int dmabuf_fd,
                             const struct fdid_buffer_id *expect, struct fdid_bo **out);

/* bo_hint.c, all with dev->lock held. */
struct fdid_bo *fdid_hint_lookup(struct fdid_device *dev, int fd);
void fdid_hint_note(struct fdid_device *dev, int fd, struct fdid_bo *bo);
void fdid_hint_forget(struct fdid_device *dev, struct fdid_bo *bo);

/* Whether this process may close the device's GEM handles: not in a child
 * that inherited the entry through fork(). */
bool fdid_device_owned_here(const struct fdid_device *dev);

#endif /* FDID_DRM_WINSYS_PRIVATE_H */
