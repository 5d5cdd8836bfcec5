/* SPDX-License-Identifier: MIT */
/*
 * Images meet the winsys (image_bos.h), on vgem in the guests: a resolved
 * image's objects become the device's buffers, one per object, shared with
 * every other import of the same buffer on that description, each handle
 * closed exactly once (the kernel is asked).
 */
#include <errno.h>
#include <unistd.h>

#include <fdid/image_bos.h>
#include <fdid/import_cache.h>

#include "fdid_test.h"
#include "fourccs.h"
#include "test_images.h"
#include "test_winsys_util.h"

/* Two objects (luma and chroma buffers): two buffers, one handle each, the
 * very handles the kernel gives that description for those dma-bufs. */
FDID_TEST(one_bo_per_object)
{
   struct two_objects t;
   two_objects_create(&t, NV12, FDID_MODIFIER_LINEAR);
   struct one_card c = one_card_open();
   struct fdid_image_bos bos;
   CHECK_EQ(fdid_image_import_bos(&t.img, c.dev, &bos), 0);
   CHECK_EQ(bos.n_bos, 2);
   uint32_t y = fdid_image_bos_plane_handle(&bos, &t.img, 0);
   uint32_t uv = fdid_image_bos_plane_handle(&bos, &t.img, 1);
   CHECK(y != 0 && uv != 0 && y != uv);
   CHECK_EQ(fdid_image_bos_plane_handle(&bos, &t.img, 2), 0);
   /* The kernel's answer on that description is the table's handle. */
   CHECK_EQ(prime_import(c.fd, t.y.fd), y);
   CHECK_EQ(prime_import(c.fd, t.uv.fd), uv);
   fdid_image_bos_finish(&bos);
   CHECK_EQ(bos.n_bos, 0);
   check_handle_closed(c.fd, y);
   check_handle_closed(c.fd, uv);
   fdid_image_bos_finish(&bos); /* twice: nothing more */
   fdid_image_bos_finish(NULL);
   one_card_close(&c);
   two_objects_destroy(&t);
}

/* Both planes on one buffer: one bo, one handle for both. */
FDID_TEST(planes_on_one_object_share_one_bo)
{
   struct buf b = buf_create(W, H * 3 / 2, 8);
   struct fdid_image img;
   fdid_image_init(&img, NV12, W, H);
   img.modifier = FDID_MODIFIER_LINEAR;
   int dup_fd = CHECK_SYS(dup(b.fd));
   CHECK_EQ(fdid_image_add_plane(&img, b.fd, 0, b.pitch), 0);
   CHECK_EQ(fdid_image_add_plane(&img, dup_fd, b.pitch * H, b.pitch), 0);
   CHECK_EQ(fdid_image_resolve(&img), 0);
   struct one_card c = one_card_open();
   struct fdid_image_bos bos;
   CHECK_EQ(fdid_image_import_bos(&img, c.dev, &bos), 0);
   CHECK_EQ(bos.n_bos, 1);
   CHECK_EQ(fdid_image_bos_plane_handle(&bos, &img, 0),
            fdid_image_bos_plane_handle(&bos, &img, 1));
   fdid_image_bos_finish(&bos);
   close(dup_fd);
   one_card_close(&c);
   buf_destroy(&b);
}

/* The image's buffer and a plain import of the same dma-buf are one object
 * of the table: the handle lives until the last of them goes. */
FDID_TEST(shared_with_other_importers)
{
   struct fdid_image img;
   struct buf b = xr24_image(&img, FDID_MODIFIER_LINEAR);
   struct one_card c = one_card_open();
   struct fdid_image_bos bos;
   CHECK_EQ(fdid_image_import_bos(&img, c.dev, &bos), 0);
   int again = CHECK_SYS(dup(b.fd));
   struct fdid_bo *other = bo_import(c.dev, again);
   CHECK(other == bos.bos[0]);
   uint32_t h = fdid_bo_handle(other);
   fdid_image_bos_finish(&bos);
   CHECK(gem_handle_alive(c.fd, h));
   fdid_bo_unref(other);
   check_handle_closed(c.fd, h);
   close(again);
   one_card_close(&c);
   buf_destroy(&b);
}

/* Refusals: nothing kept, *out empty, the caller's fds open. */
FDID_TEST(refusals_keep_nothing)
{
   struct fdid_image img;
   struct buf b = xr24_image(&img, FDID_MODIFIER_LINEAR);
   struct one_card c = one_card_open();
   struct fdid_image_bos bos;
   CHECK_EQ(fdid_image_import_bos(NULL, c.dev, &bos), -EINVAL);
   CHECK_EQ(bos.n_bos, 0);
   CHECK_EQ(fdid_image_import_bos(&img, NULL, &bos), -EINVAL);
   CHECK_EQ(fdid_image_import_bos(&img, c.dev, NULL), -EINVAL);
   struct fdid_image stale = img;
   stale.n_objects = 0; /* as a failed resolve leaves it */
   CHECK_EQ(fdid_image_import_bos(&stale, c.dev, &bos), -EINVAL);
   /* A second object whose fd is closed: the first import is undone. */
   struct buf other = buf_create(W, H, 32);
   struct fdid_image two;
   fdid_image_init(&two, NV12, W, H);
   two.modifier = FDID_MODIFIER_LINEAR;
   CHECK_EQ(fdid_image_add_plane(&two, b.fd, 0, b.pitch), 0);
   int gone = CHECK_SYS(dup(other.fd));
   CHECK_EQ(fdid_image_add_plane(&two, gone, 0, other.pitch), 0);
   CHECK_EQ(fdid_image_resolve(&two), 0);
   close(gone);
   CHECK_EQ(fdid_image_import_bos(&two, c.dev, &bos), -EBADF);
   CHECK_EQ(bos.n_bos, 0);
   CHECK(fd_is_open(b.fd));
   buf_destroy(&other);
   one_card_close(&c); /* the kernel: no handle left of the undone import */
   buf_destroy(&b);
}

static int
count_import(void *context, const struct fdid_image *img, void **object)
{
   (void)img;
   (*(int *)context)++;
   *object = context;
   return 0;
}

static void
count_destroy(void *context, void *object)
{
   (void)object;
   (*(int *)context)--;
}

/*
 * An image resolved on buffer A, then its fd number made B's by dup2(): the
 * table imports neither (it used to import B, and a cache keyed by A's
 * identity kept B's framebuffer under A's key for ever), and an import
 * cache keeps nothing of what its import made of B. Resolved again, the
 * image is B's and is taken.
 */
FDID_TEST(an_fd_number_given_to_another_buffer_is_refused)
{
   struct fdid_image img;
   struct buf a = xr24_image(&img, FDID_MODIFIER_LINEAR);
   struct buf b = buf_create(W, H, 32);
   struct one_card c = one_card_open();
   CHECK_SYS(dup2(b.fd, a.fd));
   struct fdid_image_bos bos;
   CHECK_EQ(fdid_image_import_bos(&img, c.dev, &bos), -ESTALE);
   CHECK_EQ(bos.n_bos, 0);

   int live = 0;
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&live, count_import, count_destroy, &cache), 0);
   void *obj = NULL;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &obj, NULL), -ESTALE);
   CHECK_EQ(live, 0);
   CHECK_EQ(fdid_import_cache_count(cache), 0);

   CHECK_EQ(fdid_image_resolve(&img), 0);
   CHECK(img.objects[0].ino != 0);
   CHECK_EQ(fdid_image_import_bos(&img, c.dev, &bos), 0);
   CHECK_EQ(fdid_image_bos_plane_handle(&bos, &img, 0), prime_import(c.fd, b.fd));
   fdid_image_bos_finish(&bos);
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &obj, NULL), 0);
   CHECK_EQ(live, 1);
   fdid_import_cache_destroy(cache);
   one_card_close(&c);
   buf_destroy(&b);
   buf_destroy(&a);
}

FDID_TEST_MAIN()
