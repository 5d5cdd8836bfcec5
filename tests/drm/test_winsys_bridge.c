/* SPDX-License-Identifier: MIT */
/*
 * A buffer of one entry used on another (the bridge), cached per (buffer,
 * entry) and cleaned up with either side; and the allocation hook that
 * brings a driver's own buffers into the table.
 */
#include <errno.h>
#include <unistd.h>
#include <xf86drm.h>

#include <fdid/winsys.h>

#include "fdid_test.h"
#include "test_winsys_util.h"

static struct fdid_bo *
bridge(struct fdid_bo *bo, struct fdid_device *other)
{
   struct fdid_bo *copy = NULL;
   int r = fdid_bo_import_on(bo, other, &copy);
   if (r != 0)
      fdid_test_fail(__FILE__, __LINE__, "fdid_bo_import_on: %s", strerror(-r));
   CHECK(copy && fdid_bo_device(copy) == other);
   return copy;
}

/* The copy is other's ordinary object for that dma-buf, and it is cached:
 * the second bridge and a plain import give the same object. */
FDID_TEST(bridge_is_cached_and_shared)
{
   struct two_cards t = two_cards_open();
   uint64_t size;
   struct fdid_bo *src = bo_dumb(t.a, 0x81, &size);

   struct fdid_bo *c1 = bridge(src, t.b);
   CHECK(c1 != src);
   CHECK(bo_check(c1, size, 0x81));
   struct fdid_bo *c2 = bridge(src, t.b);
   CHECK(c2 == c1);
   int dmabuf = bo_export(src);
   struct fdid_bo *plain = bo_import(t.b, dmabuf);
   CHECK(plain == c1);
   /* Onto its own device: the buffer itself. */
   struct fdid_bo *self = bridge(src, t.a);
   CHECK(self == src);

   fdid_bo_unref(self);
   fdid_bo_unref(plain);
   fdid_bo_unref(c2);
   fdid_bo_unref(c1);
   /* The cache still holds the copy while the source lives. */
   uint32_t h = fdid_bo_handle(c1);
   CHECK(gem_handle_alive(t.b_fd, h));
   struct fdid_bo *c3 = bridge(src, t.b);
   CHECK(c3 == c1);
   fdid_bo_unref(c3);

   /* The source's last reference takes the cached copy with it. */
   fdid_bo_unref(src);
   check_handle_closed(t.b_fd, h);
   close(dmabuf);
   two_cards_close(&t);
}

/* The destination released first: its handles close with it, and the
 * next bridge to a new entry of that description makes a fresh copy. */
FDID_TEST(bridge_destination_released_first)
{
   int a_fd = open_card(), b_fd = open_card();
   struct fdid_device *a = dev_acquire(a_fd), *b = dev_acquire(b_fd);
   uint64_t size;
   struct fdid_bo *src = bo_dumb(a, 0x82, &size);
   struct fdid_bo *copy = bridge(src, b);
   uint32_t h = fdid_bo_handle(copy);
   fdid_bo_unref(copy);

   fdid_device_unref(b);
   check_handle_closed(b_fd, h);
   check_no_gem_left(b_fd);

   struct fdid_device *b2 = dev_acquire(b_fd);
   struct fdid_bo *fresh = bridge(src, b2);
   CHECK(fdid_bo_handle(fresh) != 0);
   CHECK(bo_check(fresh, size, 0x82));
   fdid_bo_unref(fresh);
   fdid_device_unref(b2);
   check_no_gem_left(b_fd);

   fdid_bo_unref(src);
   fdid_device_unref(a);
   check_no_gem_left(a_fd);
   close(a_fd);
   close(b_fd);
}

/* The source's device released first: the copies it cached go with it. */
FDID_TEST(bridge_source_device_released_first)
{
   int a_fd = open_card(), b_fd = open_card(), r_fd = open_render();
   struct fdid_device *a = dev_acquire(a_fd), *b = dev_acquire(b_fd);
   struct fdid_device *r = dev_acquire(r_fd);
   uint64_t size;
   struct fdid_bo *src = bo_dumb(a, 0x83, &size);
   struct fdid_bo *on_b = bridge(src, b);
   struct fdid_bo *on_r = bridge(src, r);
   uint32_t hb = fdid_bo_handle(on_b), hr = fdid_bo_handle(on_r);
   fdid_bo_unref(on_b);
   fdid_bo_unref(on_r);

   fdid_device_unref(a);
   CHECK_EQ(fdid_bo_handle(src), 0);
   check_handle_closed(b_fd, hb);
   check_handle_closed(r_fd, hr);
   struct fdid_bo *none = NULL;
   CHECK_EQ(fdid_bo_import_on(src, b, &none), -ENODEV);
   CHECK(none == NULL);
   fdid_bo_unref(src);

   fdid_device_unref(b);
   fdid_device_unref(r);
   check_no_gem_left(a_fd);
   check_no_gem_left(b_fd);
   check_no_gem_left(r_fd);
   close(a_fd);
   close(b_fd);
   close(r_fd);
}

/* A driver's own allocation, handed over: one owner from then on. */
FDID_TEST(adopted_handle_has_one_owner)
{
   struct one_card c = one_card_open();
   struct dumb d = dumb_create(fdid_device_fd(c.dev), BO_W, BO_H);
   gem_fill(c.fd, d.handle, d.size, 0x84);

   struct fdid_bo *bo = NULL;
   CHECK_EQ(fdid_bo_adopt_handle(c.dev, d.handle, &bo), 0);
   CHECK_EQ(fdid_bo_handle(bo), d.handle);
   struct fdid_bo *twice = NULL;
   CHECK_EQ(fdid_bo_adopt_handle(c.dev, d.handle, &twice), -EEXIST);
   CHECK(twice == NULL);

   int dmabuf = bo_export(bo);
   struct fdid_bo *self = bo_import(c.dev, dmabuf);
   CHECK(self == bo);
   CHECK(bo_check(self, d.size, 0x84));
   fdid_bo_unref(self);
   fdid_bo_unref(bo);
   check_handle_closed(c.fd, d.handle);

   close(dmabuf);
   one_card_close(&c);
}

FDID_TEST_MAIN()
