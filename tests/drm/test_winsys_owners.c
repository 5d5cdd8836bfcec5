/* SPDX-License-Identifier: MIT */
/*
 * One owner per GEM handle. The kernel hands the same handle to every
 * import of one dma-buf on one description and does not count them; two
 * owners that each close it would free a number the kernel reuses. Through
 * the table, two owners share one object, released in either order, and
 * the handle goes exactly once, with the last: the kernel confirms it
 * (GEM_CLOSE fails with EINVAL, the next buffer gets that number back).
 */
#include <errno.h>
#include <unistd.h>

#include <fdid/winsys.h>

#include "fdid_test.h"
#include "test_winsys_util.h"

/* The kernel fact the table exists for, checked on this kernel. */
FDID_TEST(kernel_gives_one_handle_per_dmabuf)
{
   int a_fd = open_card(), b_fd = open_card();
   struct dumb d = dumb_create(a_fd, BO_W, BO_H);
   int dmabuf = prime_export(a_fd, d.handle);
   int dup_fd = CHECK_SYS(dup(dmabuf));
   uint32_t h1 = prime_import(b_fd, dmabuf);
   uint32_t h2 = prime_import(b_fd, dup_fd);
   CHECK_EQ(h1, h2);
   /* One close kills it for both "owners". */
   gem_close(b_fd, h1);
   CHECK(!gem_handle_alive(b_fd, h2));
   gem_close(a_fd, d.handle);
   close(dup_fd);
   close(dmabuf);
   check_no_gem_left(a_fd);
   check_no_gem_left(b_fd);
   close(a_fd);
   close(b_fd);
}

/* Two owners on the importing side; `first_goes_first` picks the order. */
static void
two_owners(bool first_goes_first, bool second_via_dup)
{
   int a_fd = open_card(), b_fd = open_card();
   struct fdid_device *a = dev_acquire(a_fd);
   /* Each owner acquires the device for itself, as two consumers do. */
   struct fdid_device *b1 = dev_acquire(b_fd);
   struct fdid_device *b2 = dev_acquire(b_fd);
   CHECK(b1 == b2);

   uint64_t size;
   struct fdid_bo *src = bo_dumb(a, 0x61, &size);
   int dmabuf = bo_export(src);
   int other_fd = second_via_dup ? CHECK_SYS(dup(dmabuf)) : bo_export(src);

   struct fdid_bo *owner1 = bo_import(b1, dmabuf);
   struct fdid_bo *owner2 = bo_import(b2, other_fd);
   CHECK(owner1 == owner2);
   uint32_t h = fdid_bo_handle(owner1);
   /* The exporter's side goes first: the importers keep the buffer. */
   fdid_bo_unref(src);
   close(dmabuf);
   close(other_fd);

   struct fdid_bo *stays = first_goes_first ? owner2 : owner1;
   fdid_bo_unref(first_goes_first ? owner1 : owner2);
   CHECK(gem_handle_alive(b_fd, h));
   CHECK_EQ(fdid_bo_handle(stays), h);
   CHECK(bo_check(stays, size, 0x61));

   fdid_bo_unref(stays);
   check_handle_closed(b_fd, h);
   /* The lowest free number comes back for the next buffer: nothing below
    * it is held either. */
   struct fdid_bo *next = bo_dumb(b1, 0x62, &size);
   CHECK_EQ(fdid_bo_handle(next), h);
   fdid_bo_unref(next);

   fdid_device_unref(b2);
   fdid_device_unref(b1);
   fdid_device_unref(a);
   check_no_gem_left(a_fd);
   check_no_gem_left(b_fd);
   close(a_fd);
   close(b_fd);
}

FDID_TEST(two_owners_first_releases_first)
{
   two_owners(true, false);
}

FDID_TEST(two_owners_second_releases_first)
{
   two_owners(false, false);
}

FDID_TEST(two_owners_through_dup_either_order)
{
   two_owners(true, true);
   two_owners(false, true);
}

/* The exporting side has two owners too: the creator and a self-import. */
FDID_TEST(creator_and_self_import_either_order)
{
   for (int order = 0; order < 2; order++) {
      struct one_card c = one_card_open();
      uint64_t size;
      struct fdid_bo *made = bo_dumb(c.dev, 0x63, &size);
      int dmabuf = bo_export(made);
      struct fdid_bo *imported = bo_import(c.dev, dmabuf);
      CHECK(imported == made);
      uint32_t h = fdid_bo_handle(made);
      close(dmabuf);

      fdid_bo_unref(order ? imported : made);
      CHECK(gem_handle_alive(c.fd, h));
      CHECK(bo_check(order ? made : imported, size, 0x63));
      fdid_bo_unref(order ? made : imported);
      check_handle_closed(c.fd, h);

      one_card_close(&c);
   }
}

/* The last device reference closes every handle the table still owns,
 * and the buffers still held own nothing afterwards. */
FDID_TEST(device_release_closes_handles)
{
   int a_fd = open_card(), b_fd = open_card();
   struct fdid_device *a = dev_acquire(a_fd), *b = dev_acquire(b_fd);
   uint64_t size;
   struct fdid_bo *src = bo_dumb(a, 0x64, &size);
   int dmabuf = bo_export(src);
   struct fdid_bo *imp = bo_import(b, dmabuf);
   struct fdid_bo *extra = bo_dumb(b, 0x65, &size);
   uint32_t h_imp = fdid_bo_handle(imp), h_extra = fdid_bo_handle(extra);

   fdid_device_unref(b);
   check_handle_closed(b_fd, h_imp);
   check_handle_closed(b_fd, h_extra);
   CHECK_EQ(fdid_bo_handle(imp), 0);
   int out = -1;
   CHECK_EQ(fdid_bo_export(imp, &out), -ENODEV);
   CHECK_EQ(out, -1);
   fdid_bo_unref(imp);
   fdid_bo_unref(extra);
   check_no_gem_left(b_fd);

   /* The same description comes back as a fresh entry. */
   struct fdid_device *b_again = dev_acquire(b_fd);
   struct fdid_bo *imp2 = bo_import(b_again, dmabuf);
   CHECK(bo_check(imp2, size, 0x64));
   fdid_bo_unref(imp2);
   fdid_device_unref(b_again);

   fdid_bo_unref(src);
   close(dmabuf);
   fdid_device_unref(a);
   check_no_gem_left(a_fd);
   check_no_gem_left(b_fd);
   close(a_fd);
   close(b_fd);
}

FDID_TEST_MAIN()
