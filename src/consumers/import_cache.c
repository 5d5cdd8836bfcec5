/* SPDX-License-Identifier: MIT */
/*
 * Per-context import caches: two chained hash tables over one set of
 * entries, by image (lookup on import) and by object (ref and put).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdid/import_cache.h"
#include "util/macros.h"

struct entry {
   struct entry *next_key, *next_obj;
   uint64_t key_hash;
   struct fdid_image key;  /* plane and object fds are the entry's dups */
   void *object;
   unsigned refs;
};

struct fdid_import_cache {
   pthread_mutex_t lock;
   void *context;
   fdid_import_fn import;
   fdid_destroy_fn destroy;
   struct entry **by_key, **by_obj;
   size_t mask, count;
};

static uint64_t
mix(uint64_t h, uint64_t v)
{
   h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
   return h;
}

/* Over what fdid_image_equal() compares. */
static uint64_t
image_hash(const struct fdid_image *img)
{
   uint64_t h = mix(mix(mix(img->fourcc, img->width), img->height), img->modifier);
   for (unsigned p = 0; p < img->n_planes; p++) {
      const struct fdid_image_plane *pl = &img->planes[p];
      const struct fdid_image_object *o = &img->objects[pl->object];
      h = mix(mix(mix(mix(h, (uint64_t)o->dev), (uint64_t)o->ino), pl->offset), pl->pitch);
   }
   return h;
}

static size_t
ptr_slot(const struct fdid_import_cache *c, const void *p)
{
   return (size_t)mix(0, (uint64_t)(uintptr_t)p) & c->mask;
}

static struct entry *
find_key_locked(struct fdid_import_cache *c, const struct fdid_image *img, uint64_t h)
{
   for (struct entry *e = c->by_key[h & c->mask]; e; e = e->next_key) {
      if (e->key_hash == h && fdid_image_equal(&e->key, img))
         return e;
   }
   return NULL;
}

static struct entry *
find_obj_locked(struct fdid_import_cache *c, const void *object)
{
   for (struct entry *e = c->by_obj[ptr_slot(c, object)]; e; e = e->next_obj) {
      if (e->object == object)
         return e;
   }
   return NULL;
}

static void
link_locked(struct fdid_import_cache *c, struct entry *e)
{
   size_t k = e->key_hash & c->mask, o = ptr_slot(c, e->object);
   e->next_key = c->by_key[k];
   c->by_key[k] = e;
   e->next_obj = c->by_obj[o];
   c->by_obj[o] = e;
   c->count++;
}

static void
unlink_locked(struct fdid_import_cache *c, struct entry *e)
{
   struct entry **p = &c->by_key[e->key_hash & c->mask];
   while (*p != e)
      p = &(*p)->next_key;
   *p = e->next_key;
   p = &c->by_obj[ptr_slot(c, e->object)];
   while (*p != e)
      p = &(*p)->next_obj;
   *p = e->next_obj;
   c->count--;
}

/* Twice the slots when the tables fill: a failure only keeps chains long. */
static void
grow_locked(struct fdid_import_cache *c)
{
   if (c->count < c->mask + 1)
      return;
   size_t slots = (c->mask + 1) * 2;
   struct entry **k = calloc(slots, sizeof(*k)), **o = calloc(slots, sizeof(*o));
   if (!k || !o) {
      free(k);
      free(o);
      return;
   }
   struct entry *all = NULL;
   for (size_t i = 0; i <= c->mask; i++) {
      for (struct entry *e = c->by_key[i], *next; e; e = next) {
         next = e->next_key;
         e->next_key = all;
         all = e;
      }
   }
   free(c->by_key);
   free(c->by_obj);
   c->by_key = k;
   c->by_obj = o;
   c->mask = slots - 1;
   c->count = 0;
   for (struct entry *e = all, *next; e; e = next) {
      next = e->next_key;
      link_locked(c, e);
   }
}

static void
entry_free(struct entry *e)
{
   for (unsigned i = 0; i < e->key.n_objects; i++) {
      if (e->key.objects[i].fd >= 0)
         close(e->key.objects[i].fd);
   }
   free(e);
}

/* The entry for img, its fds dup'ed so the key outlives the caller's. */
static int
entry_new(const struct fdid_image *img, void *object, struct entry **out)
{
   struct entry *e = calloc(1, sizeof(*e));
   if (!e)
      return -ENOMEM;
   e->key = *img;
   for (unsigned i = 0; i < img->n_objects; i++)
      e->key.objects[i].fd = -1;
   for (unsigned i = 0; i < img->n_objects; i++) {
      int fd = fcntl(img->objects[i].fd, F_DUPFD_CLOEXEC, 3);
      if (fd < 0) {
         int r = -errno;
         entry_free(e);
         return r;
      }
      e->key.objects[i].fd = fd;
   }
   for (unsigned p = 0; p < img->n_planes; p++)
      e->key.planes[p].fd = e->key.objects[img->planes[p].object].fd;
   e->key_hash = image_hash(img);
   e->object = object;
   e->refs = 1;
   *out = e;
   return 0;
}

FDID_PUBLIC int
fdid_import_cache_create(void *context, fdid_import_fn import, fdid_destroy_fn destroy,
                         struct fdid_import_cache **out)
{
   if (!import || !destroy || !out)
      return -EINVAL;
   struct fdid_import_cache *c = calloc(1, sizeof(*c));
   if (!c)
      return -ENOMEM;
   c->mask = 15;
   c->by_key = calloc(c->mask + 1, sizeof(*c->by_key));
   c->by_obj = calloc(c->mask + 1, sizeof(*c->by_obj));
   if (!c->by_key || !c->by_obj) {
      free(c->by_key);
      free(c->by_obj);
      free(c);
      return -ENOMEM;
   }
   pthread_mutex_init(&c->lock, NULL);
   c->context = context;
   c->import = import;
   c->destroy = destroy;
   *out = c;
   return 0;
}

FDID_PUBLIC int
fdid_import_cache_get(struct fdid_import_cache *c, const struct fdid_image *img, void **object,
                      int *created)
{
   if (!c || !object || !fdid_image_is_finished(img))
      return -EINVAL;
   if (created)
      *created = 0;
   uint64_t h = image_hash(img);

   pthread_mutex_lock(&c->lock);
   struct entry *e = find_key_locked(c, img, h);
   if (e) {
      e->refs++;
      *object = e->object;
   }
   pthread_mutex_unlock(&c->lock);
   if (e)
      return 0;

   /* The API call runs unlocked: it can be slow, and may reenter. */
   void *made = NULL;
   int r = c->import(c->context, img, &made);
   if (r < 0)
      return r;
   if (!made)
      return -EINVAL;
   struct entry *fresh = NULL;
   r = entry_new(img, made, &fresh);
   if (r < 0) {
      c->destroy(c->context, made);
      return r;
   }

   pthread_mutex_lock(&c->lock);
   e = find_key_locked(c, img, h);
   if (e) {
      /* Another thread imported it meanwhile: one object per image. */
      e->refs++;
      *object = e->object;
   } else {
      grow_locked(c);
      link_locked(c, fresh);
      *object = made;
   }
   pthread_mutex_unlock(&c->lock);
   if (e) {
      c->destroy(c->context, made);
      entry_free(fresh);
   } else if (created) {
      *created = 1;
   }
   return 0;
}

FDID_PUBLIC int
fdid_import_cache_ref(struct fdid_import_cache *c, void *object)
{
   if (!c || !object)
      return -EINVAL;
   pthread_mutex_lock(&c->lock);
   struct entry *e = find_obj_locked(c, object);
   if (e)
      e->refs++;
   pthread_mutex_unlock(&c->lock);
   return e ? 0 : -ENOENT;
}

FDID_PUBLIC int
fdid_import_cache_put(struct fdid_import_cache *c, void *object)
{
   if (!c || !object)
      return -EINVAL;
   pthread_mutex_lock(&c->lock);
   struct entry *e = find_obj_locked(c, object);
   bool last = e && --e->refs == 0;
   if (last)
      unlink_locked(c, e);
   pthread_mutex_unlock(&c->lock);
   if (!e)
      return -ENOENT;
   if (last) {
      c->destroy(c->context, e->object);
      entry_free(e);
   }
   return 0;
}

FDID_PUBLIC size_t
fdid_import_cache_count(struct fdid_import_cache *c)
{
   if (!c)
      return 0;
   pthread_mutex_lock(&c->lock);
   size_t n = c->count;
   pthread_mutex_unlock(&c->lock);
   return n;
}

FDID_PUBLIC void
fdid_import_cache_destroy(struct fdid_import_cache *c)
{
   if (!c)
      return;
   for (size_t i = 0; i <= c->mask; i++) {
      for (struct entry *e = c->by_key[i], *next; e; e = next) {
         next = e->next_key;
         c->destroy(c->context, e->object);
         entry_free(e);
      }
   }
   pthread_mutex_destroy(&c->lock);
   free(c->by_key);
   free(c->by_obj);
   free(c);
}
