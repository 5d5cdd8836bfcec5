/* SPDX-License-Identifier: MIT */
/*
 * fdid import cache: one per API context (an EGLDisplay, a VkDevice, a
 * VADisplay), so one buffer imported again, through any fd of it, returns
 * the driver object made the first time (EGLImage, VkDeviceMemory,
 * VASurfaceID) instead of a second one.
 *
 * Entries are keyed by the image (fdid_image_equal(): format, size,
 * modifier, and each plane's object by dma-buf identity, offset and
 * pitch). Identity is (st_dev, st_ino) from fstat(), which is sound only
 * because every plane fd has been checked to be a dma-buf: a dma-buf has
 * exactly one open file description and one inode of its own on the
 * dma-buf file system, so every fd, dup and re-export of it shows the same
 * pair and no other live buffer does (since 5.15/5.18 the inode number
 * comes from a 64-bit counter, never reused in a boot). For files in
 * general the pair names the inode, not the open file: /dev/null opened
 * twice, or the two ends of a pipe, share it; it could not key a cache.
 * An entry keeps a dup of each of its dma-bufs for its lifetime:
 * the key stays this buffer's even on kernels that reuse dma-buf inode
 * numbers once a buffer is freed (before 5.15), and the driver object's
 * buffer cannot go away under it. Entries are refcounted.
 *
 * Idle entries: players acquire a frame's object, draw, and release it,
 * holding nothing past the frame, and get the same few surfaces again as
 * fresh fds. So an entry whose last reference is released is kept, idle,
 * for the next acquire of its buffer, up to a bound of idle entries
 * (FDID_IMPORT_CACHE_IDLE_DEFAULT, fdid_import_cache_set_idle_limit());
 * past it one is destroyed: first, among the 4 least recently released,
 * one whose buffers the cache is the last holder of (their producer freed
 * them), then the least recently released. An idle entry pins its buffers
 * (its dups) and its driver object: the bound is the memory the caller
 * agrees to keep. A bound of 0 destroys an object with its last release.
 * fdid_import_cache_trim() drops idle entries on memory pressure, and
 * fdid_import_cache_destroy() destroys all (the context is going away).
 *
 * The cost of knowing the last holder: the kernel tells a dma-buf's
 * reference count only in its fdinfo (`count:`). A miss reads it before
 * and after the import (what the entry and the driver's import add: two
 * fdinfo reads per object); choosing what to drop reads it once per object
 * of each of the 4 oldest idle entries. A hit and a release that drops
 * nothing ask nothing of the kernel. Where /proc cannot be read, the order
 * is least recently released alone.
 *
 * Thread-safe: one mutex per cache. The import and destroy callbacks run
 * without it held, so they may call back into the cache of another
 * context; two threads importing one new image at once both call import,
 * and the loser's object is destroyed at once (the result is still one
 * object per image).
 */
#ifndef FDID_IMPORT_CACHE_H
#define FDID_IMPORT_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include <fdid/image.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fdid_import_cache;

/* The API import: make a driver object from img (resolved; fds are the
 * caller's, valid during the call). 0 and *object, or a negative errno.
 * `object` is opaque to the cache and must not be NULL. */
typedef int (*fdid_import_fn)(void *context, const struct fdid_image *img, void **object);
/* The API destroy of an object made by import. */
typedef void (*fdid_destroy_fn)(void *context, void *object);

/* Errors: -EINVAL (a callback or out is NULL), -ENOMEM. */
int fdid_import_cache_create(void *context, fdid_import_fn import, fdid_destroy_fn destroy,
                             struct fdid_import_cache **out);

/*
 * The object for img, with one reference for the caller: the cached one,
 * or a new one from import. img must be resolved (fdid_image_resolve()).
 * *created (may be NULL) says whether import was called for it.
 *
 * Errors: -EINVAL (an argument NULL, img not resolved), -EMFILE/-ENFILE
 * (no fd for the entry's dups), -ESTALE (an object's fd holds another
 * buffer than the one img resolved: dup2() over it since; the object
 * import made is destroyed), -ENOMEM, -EOVERFLOW (the entry holds
 * 2^32 - 1 references: refused, never wrapped), or import's own error
 * (nothing is cached then).
 */
int fdid_import_cache_acquire(struct fdid_import_cache *cache, const struct fdid_image *img,
                              void **object, bool *created);

/* Another reference to an object the caller holds from this cache (the
 * API's object, named with its cache: hold and release, where fdid's own
 * objects have _ref and _unref). 0, -EINVAL, -ENOENT when the cache does
 * not know it, -EOVERFLOW when it holds 2^32 - 1 references (refused,
 * never wrapped). */
int fdid_import_cache_hold(struct fdid_import_cache *cache, void *object);

/* Drops a reference; the last one makes the entry idle (see above), or,
 * with an idle bound of 0, destroys the object and the entry's dups.
 * 0, -EINVAL, or -ENOENT when the cache does not know the object or it is
 * idle (no reference of it is held). */
int fdid_import_cache_release(struct fdid_import_cache *cache, void *object);

/* Entries (distinct objects), held and idle. */
size_t fdid_import_cache_count(struct fdid_import_cache *cache);

/* The idle bound a new cache has: 16 entries, as many surfaces as a video
 * decoder's pool or a compositor's clients' swapchains commonly have. */
#define FDID_IMPORT_CACHE_IDLE_DEFAULT 16

/* Sets the bound of idle entries kept, destroying what passes it now.
 * 0 or -EINVAL (cache NULL). */
int fdid_import_cache_set_idle_limit(struct fdid_import_cache *cache, size_t limit);

/* Entries no caller holds, kept for a next acquire. */
size_t fdid_import_cache_idle_count(struct fdid_import_cache *cache);

/* Memory pressure: destroys idle entries until at most `keep` are left (in
 * the order above) and returns how many it destroyed. The bound is not
 * changed. NULL: 0. */
size_t fdid_import_cache_trim(struct fdid_import_cache *cache, size_t keep);

/* The context is going away: destroys every object still cached, whatever
 * its references, then the cache. NULL is a no-op. */
void fdid_import_cache_destroy(struct fdid_import_cache *cache);

#ifdef __cplusplus
}
#endif

#endif /* FDID_IMPORT_CACHE_H */
