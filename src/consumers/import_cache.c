/* SPDX-License-Identifier: MIT */
/*
 * Per-context import caches: one set of entries in two maps of the one
 * hash map (util/hash_map.h), by image (lookup on import) and by object
 * (ref and unref).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdid/import_cache.h"
#include "image_key.h"
#include "import_cache_private.h"
#include "util/buffer_id.h"
#include "util/fd_util.h"
#include "util/hash_map.h"
#include "util/lock.h"
#include "util/macros.h"
#include "util/refcount.h"

struct entry {
   struct fdid_hnode by_key, by_obj;
   struct entry *next_doomed; /* fdid_import_cache_destroy()'s list */
   struct fdid_image key;  /* plane and object fds are the entry's dups */
   void *object;
   unsigned refs;
};

struct fdid_import_cache {
   pthread_mutex_t lock;
   void *context;
   unsigned flags;          /* FDID_IMPORT_CACHE_* (import_cache_private.h) */
   fdid_import_fn import;
   fdid_destroy_fn destroy;
   struct fdid_hmap by_key, by_obj;
};

static struct entry *
find_key_locked(struct fdid_import_cache *c, const struct fdid_image *img, uint64_t h)
{
   fdid_assert_locked(&c->lock);
   for (struct fdid_hnode *n = fdid_hmap_find(&c->by_key, h, 0); n; n = fdid_hmap_next_match(n)) {
      struct entry *e = fdid_container_of(n, struct entry, by_key);
      if (fdid_image_key_equal(&e->key, img))
         return e;
   }
   return NULL;
}

static struct entry *
find_obj_locked(struct fdid_import_cache *c, const void *object)
{
   fdid_assert_locked(&c->lock);
   struct fdid_hnode *n = fdid_hmap_find(&c->by_obj, (uint64_t)(uintptr_t)object, 0);
   return n ? fdid_container_of(n, struct entry, by_obj) : NULL;
}

/* Never fails: the maps were made with room and only chain longer when
 * they cannot grow. */
static void
link_locked(struct fdid_import_cache *c, struct entry *e, uint64_t h)
{
   fdid_assert_locked(&c->lock);
   fdid_hmap_insert(&c->by_key, &e->by_key, h, 0);
   fdid_hmap_insert(&c->by_obj, &e->by_obj, (uint64_t)(uintptr_t)e->object, 0);
}

static void
unlink_locked(struct fdid_import_cache *c, struct entry *e)
{
   fdid_assert_locked(&c->lock);
   fdid_hmap_remove(&c->by_key, &e->by_key);
   fdid_hmap_remove(&c->by_obj, &e->by_obj);
}

static void
entry_destroy(struct entry *e)
{
   for (unsigned i = 0; i < e->key.n_objects; i++) {
      if (e->key.objects[i].fd >= 0)
         close(e->key.objects[i].fd);
   }
   free(e);
}

/* The entry for img, its fds dup'ed so the key outlives the caller's
 * (unless the object holds the buffers itself: no fds then). */
static int
entry_create(const struct fdid_image *img, void *object, unsigned flags, struct entry **out)
{
   struct entry *e = calloc(1, sizeof(*e));
   if (!e)
      return -ENOMEM;
   e->key = *img;
   for (unsigned i = 0; i < img->n_objects; i++)
      e->key.objects[i].fd = -1;
   for (unsigned i = 0; !(flags & FDID_IMPORT_CACHE_OBJECT_HOLDS_BUFFERS) && i < img->n_objects;
        i++) {
      int fd = fdid_dup_cloexec(img->objects[i].fd);
      if (fd < 0) {
         entry_destroy(e);
         return fd;
      }
      e->key.objects[i].fd = fd;
      /* The key is the buffer the image resolved: an fd number that holds
       * another one now (dup2 over it) would file that buffer's object
       * under this key. One fstat per object, on a miss only. */
      struct fdid_buffer_id id;
      if (fdid_buffer_id_of(fd, &id) != 1 || id.dev != img->objects[i].dev ||
          id.ino != img->objects[i].ino) {
         entry_destroy(e);
         return -ESTALE;
      }
   }
   for (unsigned p = 0; p < img->n_planes; p++)
      e->key.planes[p].fd = e->key.objects[img->planes[p].object].fd;
   e->object = object;
   e->refs = 1;
   *out = e;
   return 0;
}

FDID_PUBLIC int
fdid_import_cache_create(void *context, fdid_import_fn import, fdid_destroy_fn destroy,
                         struct fdid_import_cache **out)
{
   return fdid_import_cache_create_with(context, import, destroy, 0, out);
}

int
fdid_import_cache_create_with(void *context, fdid_import_fn import, fdid_destroy_fn destroy,
                              unsigned flags, struct fdid_import_cache **out)
{
   if (!import || !destroy || !out)
      return -EINVAL;
   struct fdid_import_cache *c = calloc(1, sizeof(*c));
   if (!c)
      return -ENOMEM;
   if (fdid_hmap_init(&c->by_key) != 0 || fdid_hmap_init(&c->by_obj) != 0) {
      fdid_hmap_fini(&c->by_key);
      fdid_hmap_fini(&c->by_obj);
      free(c);
      return -ENOMEM;
   }
   pthread_mutex_init(&c->lock, NULL);
   c->context = context;
   c->flags = flags;
   c->import = import;
   c->destroy = destroy;
   *out = c;
   return 0;
}

FDID_PUBLIC int
fdid_import_cache_acquire(struct fdid_import_cache *c, const struct fdid_image *img, void **object,
                          bool *created)
{
   if (!c || !object || !fdid_image_is_resolved(img))
      return -EINVAL;
   if (created)
      *created = false;
   uint64_t h = fdid_image_key_hash(img);

   pthread_mutex_lock(&c->lock);
   struct entry *e = find_key_locked(c, img, h);
   bool taken = e && fdid_ref_get_locked(&e->refs);
   if (taken)
      *object = e->object;
   pthread_mutex_unlock(&c->lock);
   if (e)
      return taken ? 0 : -EOVERFLOW;

   /* The API call runs unlocked: it can be slow, and may reenter. */
   void *made = NULL;
   int r = c->import(c->context, img, &made);
   if (r < 0)
      return r;
   if (!made)
      return -EINVAL;
   struct entry *fresh = NULL;
   r = entry_create(img, made, c->flags, &fresh);
   if (r < 0) {
      c->destroy(c->context, made);
      return r;
   }

   pthread_mutex_lock(&c->lock);
   e = find_key_locked(c, img, h);
   if (e) {
      /* Another thread imported it meanwhile: one object per image. */
      if (fdid_ref_get_locked(&e->refs))
         *object = e->object;
      else
         r = -EOVERFLOW;
   } else {
      link_locked(c, fresh, h);
      *object = made;
   }
   pthread_mutex_unlock(&c->lock);
   if (e) {
      c->destroy(c->context, made);
      entry_destroy(fresh);
   } else if (created) {
      *created = true;
   }
   return r;
}

/* One more reference to object's entry, or one less; the last one
 * destroys it, outside the lock (the destroy callback may be slow or
 * reenter). 0, -EINVAL, -ENOENT (not in the cache), -EOVERFLOW. */
static int
change_refs(struct fdid_import_cache *c, void *object, bool more)
{
   if (!c || !object)
      return -EINVAL;
   pthread_mutex_lock(&c->lock);
   struct entry *e = find_obj_locked(c, object);
   int r = e ? 0 : -ENOENT;
   bool last = false;
   if (e && more)
      r = fdid_ref_get_locked(&e->refs) ? 0 : -EOVERFLOW;
   else if (e)
      last = --e->refs == 0;
   if (last)
      unlink_locked(c, e);
   pthread_mutex_unlock(&c->lock);
   if (last) {
      c->destroy(c->context, e->object);
      entry_destroy(e);
   }
   return r;
}

FDID_PUBLIC int
fdid_import_cache_hold(struct fdid_import_cache *c, void *object)
{
   return change_refs(c, object, true);
}

FDID_PUBLIC int
fdid_import_cache_release(struct fdid_import_cache *c, void *object)
{
   return change_refs(c, object, false);
}

FDID_PUBLIC size_t
fdid_import_cache_count(struct fdid_import_cache *c)
{
   if (!c)
      return 0;
   pthread_mutex_lock(&c->lock);
   size_t n = c->by_key.count;
   pthread_mutex_unlock(&c->lock);
   return n;
}

FDID_PUBLIC void
fdid_import_cache_destroy(struct fdid_import_cache *c)
{
   if (!c)
      return;
   /* Collected first: the map may not change while it is walked. */
   struct entry *all = NULL;
   fdid_hmap_foreach(&c->by_obj, n) {
      struct entry *e = fdid_container_of(n, struct entry, by_obj);
      e->next_doomed = all;
      all = e;
   }
   for (struct entry *e = all, *next; e; e = next) {
      next = e->next_doomed;
      c->destroy(c->context, e->object);
      entry_destroy(e);
   }
   pthread_mutex_destroy(&c->lock);
   fdid_hmap_fini(&c->by_key);
   fdid_hmap_fini(&c->by_obj);
   free(c);
}
