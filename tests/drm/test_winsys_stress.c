/* SPDX-License-Identifier: MIT */
/*
 * Eight threads import, export, bridge and release the same and different
 * dma-bufs for a few seconds, on two descriptions, while taking and
 * dropping device references. Every object a thread gets is checked by
 * content through its own handle, so a handle closed under it (the
 * revived-object race) or one naming another buffer fails the test; at the
 * end the kernel must hold no handle on either description.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include <fdid/winsys.h>

#include "fdid_test.h"
#include "test_winsys_util.h"

enum { THREADS = 8, BUFFERS = 6, HELD = 3, SECONDS = 3 };

static int a_fd, b_fd;
static struct fdid_device *dev_a, *dev_b;
static struct fdid_bo *src[BUFFERS];
static int exported[BUFFERS];
static uint64_t bo_size;
static atomic_bool stop;
static atomic_long ops;

static uint32_t
seed_of(int i)
{
   return 0x9000u + (uint32_t)i;
}

struct held {
   struct fdid_bo *bo;
   int index;
};

/* An object for buffer i on dev, checked: self-imports on the exporter
 * must be the source object itself. */
static struct fdid_bo *
import_checked(struct fdid_device *dev, int fd, int i)
{
   struct fdid_bo *bo = bo_import(dev, fd);
   if (dev == dev_a)
      CHECK(bo == src[i]);
   CHECK(bo_check(bo, bo_size, seed_of(i)));
   return bo;
}

static void *
worker(void *arg)
{
   unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u;
   struct held held[HELD] = { { 0 } };
   long n = 0;

   while (!atomic_load(&stop)) {
      int i = (int)(rand_r(&seed) % BUFFERS);
      int slot = (int)(rand_r(&seed) % HELD);
      struct held *h = &held[slot];
      switch (rand_r(&seed) % 6) {
      case 0: /* import (or re-import) into a slot */
      case 1:
         if (h->bo)
            fdid_bo_unref(h->bo);
         h->bo = import_checked(rand_r(&seed) % 4 ? dev_b : dev_a, exported[i], i);
         h->index = i;
         break;
      case 2: /* release, racing other threads' re-imports */
         fdid_bo_unref(h->bo);
         h->bo = NULL;
         break;
      case 3: { /* export what we hold; the import of that fd is it */
         if (!h->bo)
            break;
         int fd = bo_export(h->bo);
         struct fdid_bo *again = bo_import(fdid_bo_device(h->bo), fd);
         CHECK(again == h->bo);
         CHECK(bo_check(again, bo_size, seed_of(h->index)));
         fdid_bo_unref(again);
         close(fd);
         break;
      }
      case 4: { /* the bridge from the source to b */
         struct fdid_bo *copy = NULL;
         CHECK_EQ(fdid_bo_import_on(src[i], dev_b, &copy), 0);
         CHECK(bo_check(copy, bo_size, seed_of(i)));
         fdid_bo_unref(copy);
         break;
      }
      case 5: { /* device references come and go; the entry stays one */
         struct fdid_device *d = dev_acquire(b_fd);
         CHECK(d == dev_b);
         fdid_device_unref(d);
         break;
      }
      }
      n++;
   }
   for (int s = 0; s < HELD; s++) {
      if (held[s].bo) {
         CHECK(bo_check(held[s].bo, bo_size, seed_of(held[s].index)));
         fdid_bo_unref(held[s].bo);
      }
   }
   atomic_fetch_add(&ops, n);
   return NULL;
}

FDID_TEST(threads_import_export_release)
{
   a_fd = open_card();
   b_fd = open_card();
   dev_a = dev_acquire(a_fd);
   dev_b = dev_acquire(b_fd);
   for (int i = 0; i < BUFFERS; i++) {
      src[i] = bo_dumb(dev_a, seed_of(i), &bo_size);
      exported[i] = bo_export(src[i]);
   }

   pthread_t t[THREADS];
   for (int k = 0; k < THREADS; k++)
      CHECK_EQ(pthread_create(&t[k], NULL, worker, (void *)(uintptr_t)(k + 1)), 0);
   sleep(SECONDS);
   atomic_store(&stop, true);
   for (int k = 0; k < THREADS; k++)
      CHECK_EQ(pthread_join(t[k], NULL), 0);
   printf("# %ld operations in %d s\n", atomic_load(&ops), SECONDS);
   CHECK(atomic_load(&ops) > THREADS);

   /* What the bridges cached goes with the sources. */
   for (int i = 0; i < BUFFERS; i++) {
      fdid_bo_unref(src[i]);
      close(exported[i]);
   }
   check_no_gem_left(b_fd);
   fdid_device_unref(dev_b);
   fdid_device_unref(dev_a);
   check_no_gem_left(a_fd);
   check_no_gem_left(b_fd);
   close(a_fd);
   close(b_fd);
}

FDID_TEST_MAIN()
