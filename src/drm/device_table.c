/* SPDX-License-Identifier: MIT */
/*
 * The process-wide table of DRM device entries, one per open file
 * description.
 *
 * fstat() gives a key that every fd of one description shares (the node's
 * st_dev, st_ino), so the hash finds the bucket of that node in O(1); the
 * bucket holds this process's descriptions of the node, sorted in kcmp's
 * order, and a binary search with fdid_compare_file_description() finds the
 * description. Where kcmp is not allowed the bucket falls back on
 * equality (fdid_same_file_description()) in a scan of that node's entries
 * only, never of all devices.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drm/winsys_private.h"
#include "util/identity_private.h"
#include "util/refcount.h"

struct fdid_bucket {
   struct fdid_hnode node;
   struct fdid_device **devs;
   size_t count, cap;
   bool unordered;    /* an entry went in without a kcmp order */
   pid_t owner;       /* the process whose entries these are */
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fdid_hmap buckets;
static bool fork_handlers_set;

/*
 * fork() while another thread holds a winsys lock would leave the child's
 * copy locked for ever: take them all around the fork. The order is the
 * usual one, table lock first.
 */
static void
fork_prepare(void)
{
   pthread_mutex_lock(&table_lock);
   fdid_hmap_foreach(&buckets, n) {
      struct fdid_bucket *b = fdid_container_of(n, struct fdid_bucket, node);
      for (size_t i = 0; i < b->count; i++)
         pthread_mutex_lock(&b->devs[i]->lock);
   }
}

static void
fork_done(void)
{
   fdid_hmap_foreach(&buckets, n) {
      struct fdid_bucket *b = fdid_container_of(n, struct fdid_bucket, node);
      for (size_t i = 0; i < b->count; i++)
         pthread_mutex_unlock(&b->devs[i]->lock);
   }
   pthread_mutex_unlock(&table_lock);
}

/* The table is made on first use, under the table lock, and a failure
 * (no memory) is retried by the next acquire rather than remembered. */
static int
table_setup_locked(void)
{
   fdid_assert_locked(&table_lock);
   if (likely(fork_handlers_set))
      return 0;
   if (!buckets.heads && fdid_hmap_init(&buckets) != 0)
      return -ENOMEM;
   if (pthread_atfork(fork_prepare, fork_done, fork_done) != 0)
      return -ENOMEM;
   fork_handlers_set = true;
   return 0;
}

/*
 * A child inherits its parent's entries with fork(); they stay usable for
 * release, but they are the parent's and are never found here again. The
 * whole bucket changes hands at once: every entry in it was made by the
 * bucket's owner.
 */
static void
bucket_disown_inherited(struct fdid_bucket *b, pid_t self)
{
   if (likely(b->owner == self))
      return;
   for (size_t i = 0; i < b->count; i++)
      b->devs[i]->bucket = NULL;
   b->count = 0;
   b->unordered = false;
   b->owner = self;
}

/*
 * Where fd's description is in the bucket: 1 and *pos its index, 0 and
 * *pos where it would go, or a negative errno from the identity question.
 */
static int
bucket_find(struct fdid_bucket *b, int fd, size_t *pos)
{
   if (!b->unordered) {
      size_t lo = 0, hi = b->count;
      while (lo < hi) {
         size_t mid = lo + (hi - lo) / 2;
         int c = fdid_compare_file_description(fd, b->devs[mid]->fd);
         if (c == 0) {
            *pos = mid;
            return 1;
         }
         if (c == -ENOTSUP)
            goto by_equality;
         if (c < 0)
            return c;
         if (c == 1)
            hi = mid;
         else
            lo = mid + 1;
      }
      *pos = lo;
      return 0;
   }

by_equality:
   for (size_t i = 0; i < b->count; i++) {
      int c = fdid_same_file_description(fd, b->devs[i]->fd);
      if (c == 0) {
         *pos = i;
         return 1;
      }
      if (c < 0)
         return c;
   }
   /* No order to keep: from now on this bucket is searched by equality. */
   b->unordered = true;
   *pos = b->count;
   return 0;
}

static int
bucket_insert(struct fdid_bucket *b, size_t pos, struct fdid_device *dev)
{
   if (b->count == b->cap) {
      size_t cap = b->cap ? b->cap * 2 : 4;
      struct fdid_device **devs = realloc(b->devs, cap * sizeof(*devs));
      if (!devs)
         return -ENOMEM;
      b->devs = devs;
      b->cap = cap;
   }
   memmove(&b->devs[pos + 1], &b->devs[pos], (b->count - pos) * sizeof(*b->devs));
   b->devs[pos] = dev;
   b->count++;
   dev->bucket = b;
   return 0;
}

static void
bucket_remove(struct fdid_device *dev)
{
   struct fdid_bucket *b = dev->bucket;
   if (!b)
      return;
   for (size_t i = 0; i < b->count; i++) {
      if (b->devs[i] == dev) {
         memmove(&b->devs[i], &b->devs[i + 1], (b->count - i - 1) * sizeof(*b->devs));
         b->count--;
         break;
      }
   }
   dev->bucket = NULL;
   if (b->count == 0) {
      fdid_hmap_remove(&buckets, &b->node);
      free(b->devs);
      free(b);
   }
}

static struct fdid_bucket *
bucket_of(const struct stat *st, bool create)
{
   struct fdid_hnode *n = fdid_hmap_find(&buckets, st->st_dev, st->st_ino);
   if (n)
      return fdid_container_of(n, struct fdid_bucket, node);
   if (!create)
      return NULL;
   struct fdid_bucket *b = calloc(1, sizeof(*b));
   if (!b)
      return NULL;
   b->owner = fdid_self_pid();
   fdid_hmap_insert(&buckets, &b->node, st->st_dev, st->st_ino);
   return b;
}

/*
 * The existing entry for fd's description, with a new user reference:
 * 1 found, 0 none, or a negative errno. With `insert`, an entry not found
 * is inserted in its place (0). Table lock held.
 */
static int
lookup_locked(int fd, const struct stat *st, struct fdid_device **out,
              struct fdid_device *insert)
{
   fdid_assert_locked(&table_lock);
   struct fdid_bucket *b = bucket_of(st, insert != NULL);
   if (!b)
      return insert ? -ENOMEM : 0;
   bucket_disown_inherited(b, fdid_self_pid());

   size_t pos;
   int r = bucket_find(b, fd, &pos);
   if (r == 1) {
      if (fdid_ref_get(&b->devs[pos]->users))
         *out = b->devs[pos];
      else
         r = -EOVERFLOW;
   } else if (r == 0 && insert) {
      r = bucket_insert(b, pos, insert);
      if (r == 0)
         *out = insert;
   }
   if (b->count == 0) {
      /* Made for an insert that failed. */
      fdid_hmap_remove(&buckets, &b->node);
      free(b->devs);
      free(b);
   }
   return r;
}

FDID_PUBLIC int
fdid_device_acquire(int fd, struct fdid_device **out)
{
   if (!out)
      return -EINVAL;
   if (fd < 0)
      return -EBADF;
   struct stat st;
   if (fdid_fstat(fd, &st) != 0)
      return -errno;
   if (!S_ISCHR(st.st_mode))
      return -ENOTTY;
   /* An entry belongs to the process that made it (fork_prepare): one
    * whose pid a sandbox will not say cannot be told from a fork's copy. */
   if (fdid_self_pid() <= 0)
      return -EPERM;

   pthread_mutex_lock(&table_lock);
   int r = table_setup_locked();
   if (r == 0)
      r = lookup_locked(fd, &st, out, NULL);
   pthread_mutex_unlock(&table_lock);
   if (r != 0)
      return r < 0 ? r : 0;

   /* A new description: learn about it without the lock (sysfs reads),
    * then look again, as another thread may have raced us to it. */
   struct fdid_device *dev;
   r = fdid_device_create(fd, &st, &dev);
   if (r < 0)
      return r;

   pthread_mutex_lock(&table_lock);
   r = lookup_locked(fd, &st, out, dev);
   pthread_mutex_unlock(&table_lock);

   if (r != 0 || *out != dev) {
      /* Not used: found in the second look, or an error. */
      close(dev->fd);
      fdid_device_memory_unref(dev);
   }
   return r < 0 ? r : 0;
}

FDID_PUBLIC struct fdid_device *
fdid_device_ref(struct fdid_device *dev)
{
   return dev && fdid_ref_get(&dev->users) ? dev : NULL;
}

FDID_PUBLIC void
fdid_device_unref(struct fdid_device *dev)
{
   if (!dev)
      return;

   /* Not the last reference: no lock needed to go down from above one. */
   unsigned users = atomic_load(&dev->users);
   while (users > 1) {
      if (atomic_compare_exchange_weak(&dev->users, &users, users - 1))
         return;
   }

   pthread_mutex_lock(&table_lock);
   if (atomic_fetch_sub(&dev->users, 1) != 1) {
      pthread_mutex_unlock(&table_lock);
      return;
   }
   /* The handles close before the table lock goes: an acquire of the same
    * description must not make a new entry, import a dma-buf and be given
    * a handle number that this teardown is about to close. */
   bucket_remove(dev);
   struct fdid_bridge *bridges = fdid_device_teardown(dev);
   pthread_mutex_unlock(&table_lock);

   fdid_bridges_release(bridges);
   fdid_device_memory_unref(dev);
}
