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
#include "util/dmabuf_count.h"
#include "util/fd_util.h"
#include "util/hash_map.h"
#include "util/lock.h"
#include "util/macros.h"
#include "util/refcount.h"

struct entry {
   struct fdid_hnode by_key, by_obj;
   struct entry *next_doomed; /* lists of entries to destroy unlocked */
   struct entry *idle_prev, *idle_next; /* the idle list while refs == 0 */
   struct fdid_image key;  /* plane and object fds are the entry's dups */
   /* Per object, the dma-buf's file references that the entry and its
    * driver object account for (the count after the miss less the count
    * before it); 0 unknown. A count down to it means that nothing else
    * holds the buffer any more: the cache is its last holder. */
   uint64_t own_count[FDID_IMAGE_MAX_PLANES];
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
   /* Entries no caller holds, kept for the next acquire of their buffer:
    * least recently released at the head. */
   struct entry *idle_head, *idle_tail;
   size_t n_idle, idle_limit;
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
idle_push_locked(struct fdid_import_cache *c, struct entry *e)
{
   fdid_assert_locked(&c->lock);
   e->idle_prev = c->idle_tail;
   e->idle_next = NULL;
   if (c->idle_tail)
      c->idle_tail->idle_next = e;
   else
      c->idle_head = e;
   c->idle_tail = e;
   c->n_idle++;
}

static void
idle_remove_locked(struct fdid_import_cache *c, struct entry *e)
{
   fdid_assert_locked(&c->lock);
   if (e->idle_prev)
      e->idle_prev->idle_next = e->idle_next;
   else
      c->idle_head = e->idle_next;
   if (e->idle_next)
      e->idle_next->idle_prev = e->idle_prev;
   else
      c->idle_tail = e->idle_prev;
   e->idle_prev = e->idle_next = NULL;
   c->n_idle--;
}

/* Does the cache hold the last references to every buffer of e (the
 * producer freed them)? One fdinfo read per object; false when unknown. */
static bool
entry_is_last_holder(const struct entry *e)
{
   for (unsigned i = 0; i < e->key.n_objects; i++) {
      uint64_t now;
      if (!e->own_count[i] || e->key.objects[i].fd < 0 ||
          fdid_dmabuf_file_count(e->key.objects[i].fd, &now) < 0 || now > e->own_count[i])
         return false;
   }
   return true;
}

/* Takes idle entry e out of the cache onto the end of a list to destroy
 * (in the order chosen). */
static void
doom_locked(struct fdid_import_cache *c, struct entry *e, struct entry ***tail)
{
   idle_remove_locked(c, e);
   unlink_locked(c, e);
   e->next_doomed = NULL;
   **tail = e;
   *tail = &e->next_doomed;
}

/* How many of the least recently released entries eviction asks the
 * kernel about. A buffer its producer freed is never acquired again, so
 * its entry drifts to the head of the idle list: the oldest few are where
 * to look, and the cost of looking stays bounded when every frame misses. */
#define LAST_HOLDER_SCAN 4

/*
 * Unlinks idle entries until `keep` are left and returns them as a list
 * (next_doomed) for the caller to destroy unlocked: first, among the
 * LAST_HOLDER_SCAN oldest, those whose buffers the cache alone still
 * holds; then the least recently released. The first kind is asked of the
 * kernel (an fdinfo read per object of each entry looked at), and only
 * when something must go.
 */
static struct entry *
evict_locked(struct fdid_import_cache *c, size_t keep, size_t *n_evicted)
{
   fdid_assert_locked(&c->lock);
   struct entry *doomed = NULL, **tail = &doomed;
   size_t n = 0;
   unsigned asked = 0;
   for (struct entry *e = c->idle_head, *next;
        e && c->n_idle > keep && asked < LAST_HOLDER_SCAN; e = next, asked++) {
      next = e->idle_next;
      if (!entry_is_last_holder(e))
         continue;
      doom_locked(c, e, &tail);
      n++;
   }
   while (c->n_idle > keep) {
      doom_locked(c, c->idle_head, &tail);
      n++;
   }
   if (n_evicted)
      *n_evicted = n;
   return doomed;
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
   c->idle_limit = FDID_IMPORT_CACHE_IDLE_DEFAULT;
   *out = c;
   return 0;
}

/* Destroys a list evict_locked() made, without the lock. */
static void
destroy_list(struct fdid_import_cache *c, struct entry *doomed)
{
   for (struct entry *e = doomed, *next; e; e = next) {
      next = e->next_doomed;
      c->destroy(c->context, e->object);
      entry_destroy(e);
   }
}

/* Each object's file count now, into counts (0 where unknown). */
static void
read_counts(const struct fdid_image *img, const int *fds, uint64_t *counts)
{
   for (unsigned i = 0; i < img->n_objects; i++) {
      if (fds[i] < 0 || fdid_dmabuf_file_count(fds[i], &counts[i]) < 0)
         counts[i] = 0;
   }
}

/* A reference for an acquire: an idle entry leaves the idle list. */
static bool
take_locked(struct fdid_import_cache *c, struct entry *e)
{
   fdid_assert_locked(&c->lock);
   if (e->refs == 0) {
      idle_remove_locked(c, e);
      e->refs = 1;
      return true;
   }
   return fdid_ref_get_locked(&e->refs);
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
   bool taken = e && take_locked(c, e);
   if (taken)
      *object = e->object;
   bool counted = !(c->flags & FDID_IMPORT_CACHE_OBJECT_HOLDS_BUFFERS) && c->idle_limit > 0;
   pthread_mutex_unlock(&c->lock);
   if (e)
      return taken ? 0 : -EOVERFLOW;

   /* What the buffers' files count before the import, to learn what the
    * entry adds (its dups, the driver's imports). */
   uint64_t before[FDID_IMAGE_MAX_PLANES] = { 0 };
   int caller_fds[FDID_IMAGE_MAX_PLANES];
   for (unsigned i = 0; i < img->n_objects; i++)
      caller_fds[i] = img->objects[i].fd;
   if (counted)
      read_counts(img, caller_fds, before);

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
   if (counted) {
      int dups[FDID_IMAGE_MAX_PLANES];
      uint64_t after[FDID_IMAGE_MAX_PLANES] = { 0 };
      for (unsigned i = 0; i < img->n_objects; i++)
         dups[i] = fresh->key.objects[i].fd;
      read_counts(img, dups, after);
      for (unsigned i = 0; i < img->n_objects; i++)
         fresh->own_count[i] = before[i] && after[i] > before[i] ? after[i] - before[i] : 0;
   }

   pthread_mutex_lock(&c->lock);
   e = find_key_locked(c, img, h);
   if (e) {
      /* Another thread imported it meanwhile: one object per image. */
      if (take_locked(c, e))
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

/* One more reference to object's entry, or one less; the last one makes
 * it idle, and what the idle bound cannot keep is destroyed outside the
 * lock (the destroy callback may be slow or reenter). 0, -EINVAL,
 * -ENOENT (not in the cache, or idle: no caller holds it), -EOVERFLOW. */
static int
change_refs(struct fdid_import_cache *c, void *object, bool more)
{
   if (!c || !object)
      return -EINVAL;
   pthread_mutex_lock(&c->lock);
   struct entry *e = find_obj_locked(c, object);
   int r = e && e->refs ? 0 : -ENOENT;
   struct entry *doomed = NULL;
   if (r == 0 && more) {
      r = fdid_ref_get_locked(&e->refs) ? 0 : -EOVERFLOW;
   } else if (r == 0 && --e->refs == 0) {
      idle_push_locked(c, e);
      doomed = evict_locked(c, c->idle_limit, NULL);
   }
   pthread_mutex_unlock(&c->lock);
   destroy_list(c, doomed);
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

FDID_PUBLIC size_t
fdid_import_cache_idle_count(struct fdid_import_cache *c)
{
   if (!c)
      return 0;
   pthread_mutex_lock(&c->lock);
   size_t n = c->n_idle;
   pthread_mutex_unlock(&c->lock);
   return n;
}

FDID_PUBLIC int
fdid_import_cache_set_idle_limit(struct fdid_import_cache *c, size_t limit)
{
   if (!c)
      return -EINVAL;
   pthread_mutex_lock(&c->lock);
   c->idle_limit = limit;
   struct entry *doomed = evict_locked(c, limit, NULL);
   pthread_mutex_unlock(&c->lock);
   destroy_list(c, doomed);
   return 0;
}

FDID_PUBLIC size_t
fdid_import_cache_trim(struct fdid_import_cache *c, size_t keep)
{
   if (!c)
      return 0;
   size_t n;
   pthread_mutex_lock(&c->lock);
   struct entry *doomed = evict_locked(c, keep, &n);
   pthread_mutex_unlock(&c->lock);
   destroy_list(c, doomed);
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
   destroy_list(c, all);
   pthread_mutex_destroy(&c->lock);
   fdid_hmap_fini(&c->by_key);
   fdid_hmap_fini(&c->by_obj);
   free(c);
}
