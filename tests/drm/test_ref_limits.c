/* SPDX-License-Identifier: MIT */
/*
 * Every reference count at its limit: a device entry, a buffer object, an
 * import-cache entry and a KMS framebuffer. A count at its largest value
 * refuses one more reference (NULL from a _ref that returns its object,
 * -EOVERFLOW otherwise) and never wraps to zero, which would free the
 * object under its holders: after the refusal every reference taken still
 * holds it, and only the last unref releases it (the kernel says when the
 * GEM handle closes).
 *
 * This program is linked against a build of the library whose counts stop
 * at FDID_REF_MAX = 8 (tests/drm/meson.build), so the limit is reached in
 * a few calls; the real limit, UINT_MAX, is the same code, tested on its
 * own in tests/util/test_refcount.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <fdid/image.h>
#include <fdid/import_cache.h>
#include <fdid/kms.h>
#include <xf86drmMode.h>

#include "fdid_test.h"
#include "fourccs.h"
#include "test_winsys_util.h"

#ifndef FDID_REF_MAX
#error "built with the library's FDID_REF_MAX"
#endif
enum { LIMIT = FDID_REF_MAX };

FDID_TEST(device_refs_stop_at_the_limit)
{
   struct one_card c = one_card_open();
   struct fdid_device *held[LIMIT];
   unsigned n = 0;
   struct fdid_device *x;
   while (n < LIMIT && (x = fdid_device_ref(c.dev)))
      held[n++] = x;
   CHECK_EQ(n, LIMIT - 1);
   struct fdid_device *again = NULL;
   CHECK_EQ(fdid_device_acquire(c.fd, &again), -EOVERFLOW);
   CHECK(again == NULL);
   /* Every reference still holds the entry: it makes buffers. */
   for (unsigned i = 0; i < n; i++)
      fdid_device_unref(held[i]);
   uint64_t size;
   struct fdid_bo *bo = bo_dumb(c.dev, 7, &size);
   CHECK(bo_check(bo, size, 7));
   fdid_bo_unref(bo);
   CHECK_EQ(fdid_device_acquire(c.fd, &again), 0);
   CHECK(again == c.dev);
   fdid_device_unref(again);
   one_card_close(&c);
}

FDID_TEST(buffer_refs_stop_at_the_limit)
{
   struct one_card c = one_card_open();
   uint64_t size;
   struct fdid_bo *bo = bo_dumb(c.dev, 3, &size);
   int exported = bo_export(bo);
   uint32_t handle = fdid_bo_handle(bo);
   unsigned n = 1;
   while (n < LIMIT + 1 && fdid_bo_ref(bo))
      n++;
   CHECK_EQ(n, LIMIT);
   /* A re-import, through the export and through a dup of it (the hint
    * and the inode paths): refused, nothing taken. */
   struct fdid_bo *again = NULL;
   CHECK_EQ(fdid_bo_import(c.dev, exported, &again), -EOVERFLOW);
   int dup_fd = CHECK_SYS(dup(exported));
   CHECK_EQ(fdid_bo_import(c.dev, dup_fd, &again), -EOVERFLOW);
   CHECK(again == NULL);
   struct fdid_bo *copy = NULL;
   CHECK_EQ(fdid_bo_import_on(bo, c.dev, &copy), -EOVERFLOW);
   /* Only the last of the n references closes the handle. */
   for (unsigned i = 1; i < n; i++) {
      fdid_bo_unref(bo);
      CHECK(gem_handle_alive(c.fd, handle));
   }
   CHECK(bo_check(bo, size, 3));
   fdid_bo_unref(bo);
   CHECK(!gem_handle_alive(c.fd, handle));
   close(dup_fd);
   close(exported);
   one_card_close(&c);
}

struct made {
   unsigned imports, destroys;
};

static int
count_import(void *context, const struct fdid_image *img, void **object)
{
   (void)img;
   struct made *m = context;
   m->imports++;
   *object = malloc(1);
   return *object ? 0 : -ENOMEM;
}

static void
count_destroy(void *context, void *object)
{
   struct made *m = context;
   m->destroys++;
   free(object);
}

FDID_TEST(import_cache_entry_refs_stop_at_the_limit)
{
   struct buf b = buf_create(64, 64, 32);
   struct fdid_image img;
   fdid_image_init(&img, XR24, 64, 64);
   CHECK_EQ(fdid_image_add_plane(&img, b.fd, 0, b.pitch), 0);
   CHECK_EQ(fdid_image_resolve(&img), 0);
   struct made m = { 0 };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&m, count_import, count_destroy, &cache), 0);
   CHECK_EQ(fdid_import_cache_set_idle_limit(cache, 0), 0); /* the last release destroys */
   void *obj = NULL, *again = NULL;
   bool created = false;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &obj, &created), 0);
   CHECK(created);
   unsigned n = 1;
   while (n < LIMIT + 1 && fdid_import_cache_hold(cache, obj) == 0)
      n++;
   CHECK_EQ(n, LIMIT);
   CHECK_EQ(fdid_import_cache_hold(cache, obj), -EOVERFLOW);
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &again, &created), -EOVERFLOW);
   CHECK(!created);
   CHECK_EQ(m.imports, 1);
   for (unsigned i = 1; i < n; i++)
      CHECK_EQ(fdid_import_cache_release(cache, obj), 0);
   CHECK_EQ(m.destroys, 0);
   CHECK_EQ(fdid_import_cache_release(cache, obj), 0);
   CHECK_EQ(m.destroys, 1);
   CHECK_EQ(fdid_import_cache_count(cache), 0);
   fdid_import_cache_destroy(cache);
   buf_destroy(&b);
}

FDID_TEST(kms_framebuffer_refs_stop_at_the_limit)
{
   int fd = open_kms();
   struct fdid_device *dev = dev_acquire(fd);
   struct fdid_kms *kms;
   CHECK_EQ(fdid_kms_create(dev, 0, &kms), 0);
   CHECK_EQ(fdid_kms_set_idle_limit(kms, 0), 0); /* the last unref removes */
   /* The buffer on a client's description of its own. */
   int client = open_kms();
   struct dumb d = dumb_create(client, 64, 64);
   int dmabuf = prime_export(client, d.handle);
   struct fdid_image img;
   fdid_image_init(&img, XR24, 64, 64);
   CHECK_EQ(fdid_image_add_plane(&img, dmabuf, 0, d.pitch), 0);
   CHECK_EQ(fdid_image_resolve(&img), 0);
   struct fdid_kms_fb *fb, *again;
   CHECK_EQ(fdid_kms_fb_acquire(kms, &img, &fb, NULL), 0);
   uint32_t id = fdid_kms_fb_id(fb);
   unsigned n = 1;
   while (n < LIMIT + 1 && fdid_kms_fb_ref(fb))
      n++;
   CHECK_EQ(n, LIMIT);
   CHECK_EQ(fdid_kms_fb_acquire(kms, &img, &again, NULL), -EOVERFLOW);
   for (unsigned i = 1; i < n; i++)
      fdid_kms_fb_unref(fb);
   /* Still there: the kernel knows the framebuffer (and hands us a handle
    * of its buffer, ours to close). */
   drmModeFBPtr info = drmModeGetFB(fd, id);
   CHECK(info != NULL);
   if (info->handle)
      gem_close(fd, info->handle);
   drmModeFreeFB(info);
   fdid_kms_fb_unref(fb);
   CHECK_EQ(fdid_kms_fb_count(kms), 0);
   CHECK(drmModeGetFB(fd, id) == NULL);
   fdid_kms_destroy(kms);
   /* The cache's reference of the device was one of LIMIT: it could be
    * taken, and is given back. */
   fdid_device_unref(dev);
   close(dmabuf);
   gem_close(client, d.handle);
   close(client);
   check_no_handles(fd, 64);
   close(fd);
}

FDID_TEST_MAIN()
