/* SPDX-License-Identifier: MIT */
/*
 * IGT's prime_self_import scenarios, redone through the winsys with vgem
 * dumb buffers: the kernel gives one handle per dma-buf per description,
 * and the table must give one object per handle, whichever fd of the
 * dma-buf comes in. Every subtest ends with the kernel-side leak check on
 * each description it used.
 */
#include <errno.h>
#include <unistd.h>
#include <xf86drm.h>

#include <fdid/winsys.h>

#include "fdid_test.h"
#include "test_winsys_util.h"

/* Re-import on the importing description: the same object, through the
 * same fd, a dup of it, and a second export of the same buffer. */
FDID_TEST(reimport_same_object)
{
   struct two_cards t = two_cards_open();
   CHECK(t.a != t.b);

   uint64_t size;
   struct fdid_bo *src = bo_dumb(t.a, 0x51, &size);
   int dmabuf = bo_export(src);
   struct fdid_bo *first = bo_import(t.b, dmabuf);
   CHECK(fdid_bo_handle(first) != 0);

   struct fdid_bo *again = bo_import(t.b, dmabuf);
   CHECK(again == first);
   int dup_fd = CHECK_SYS(dup(dmabuf));
   struct fdid_bo *via_dup = bo_import(t.b, dup_fd);
   CHECK(via_dup == first);
   int second_export = bo_export(src);
   struct fdid_bo *via_export = bo_import(t.b, second_export);
   CHECK(via_export == first);
   CHECK(bo_check(first, size, 0x51));

   /* The kernel agrees: its import on that description is our handle. */
   CHECK_EQ(prime_import(t.b_fd, dmabuf), fdid_bo_handle(first));

   fdid_bo_unref(via_export);
   fdid_bo_unref(via_dup);
   fdid_bo_unref(again);
   CHECK(gem_handle_alive(t.b_fd, fdid_bo_handle(first)));
   uint32_t h = fdid_bo_handle(first);
   fdid_bo_unref(first);
   check_handle_closed(t.b_fd, h);
   fdid_bo_unref(src);

   close(second_export);
   close(dup_fd);
   close(dmabuf);
   two_cards_close(&t);
}

/* Self-import on the exporting description gives the original object,
 * also when the export was made behind the table's back on the same
 * description (the handle map catches it). */
FDID_TEST(self_import_returns_original)
{
   struct one_card c = one_card_open();
   uint64_t size;
   struct fdid_bo *bo = bo_dumb(c.dev, 0x52, &size);

   int dmabuf = bo_export(bo);
   struct fdid_bo *self = bo_import(c.dev, dmabuf);
   CHECK(self == bo);
   fdid_bo_unref(self);

   /* Made without fdid through the caller's fd (same description): the
    * table has never seen this dma-buf's inode, yet it is our buffer. */
   struct fdid_bo *bo2 = bo_dumb(c.dev, 0x53, &size);
   int raw = prime_export(c.fd, fdid_bo_handle(bo2));
   struct fdid_bo *self2 = bo_import(c.dev, raw);
   CHECK(self2 == bo2);
   CHECK(bo_check(self2, size, 0x53));
   /* ... and it is known by inode from now on. */
   struct fdid_bo *self3 = bo_import(c.dev, raw);
   CHECK(self3 == bo2);

   fdid_bo_unref(self3);
   fdid_bo_unref(self2);
   fdid_bo_unref(bo2);
   fdid_bo_unref(bo);
   close(raw);
   close(dmabuf);
   one_card_close(&c);
}

/* Closing the dma-buf fd, then the exporter's reference, leaves the
 * importer's object valid: the contents read back through its mapping. */
FDID_TEST(importer_outlives_exporter)
{
   struct two_cards t = two_cards_with_buffer(0x54);
   struct fdid_bo *imp = bo_import(t.b, t.dmabuf);

   close(t.dmabuf);
   t.dmabuf = -1;
   CHECK(bo_check(imp, t.size, 0x54));
   uint32_t src_handle = fdid_bo_handle(t.src);
   fdid_bo_unref(t.src);
   t.src = NULL;
   check_handle_closed(t.a_fd, src_handle);
   CHECK(bo_check(imp, t.size, 0x54));
   /* Still writable, and re-exportable from the importer. */
   bo_fill(imp, t.size, 0x55);
   int again = bo_export(imp);
   struct fdid_bo *same = bo_import(t.b, again);
   CHECK(same == imp);
   struct fdid_bo *back_on_a = bo_import(t.a, again);
   CHECK(bo_check(back_on_a, t.size, 0x55));

   fdid_bo_unref(back_on_a);
   fdid_bo_unref(same);
   fdid_bo_unref(imp);
   close(again);
   two_cards_close(&t);
}

/* IGT's with_fd_dup: the original dma-buf fd closed, a dup imports. */
FDID_TEST(dup_dmabuf_fd)
{
   struct two_cards t = two_cards_with_buffer(0x56);
   int dup_fd = CHECK_SYS(dup(t.dmabuf));
   close(t.dmabuf);
   t.dmabuf = -1;
   struct fdid_bo *imp = bo_import(t.b, dup_fd);
   CHECK(bo_check(imp, t.size, 0x56));
   struct fdid_bo *self = bo_import(t.a, dup_fd);
   CHECK(self == t.src);

   fdid_bo_unref(self);
   fdid_bo_unref(imp);
   close(dup_fd);
   two_cards_close(&t);
}

/* IGT's with_two_bos: two buffers in turn keep their own objects; the
 * first one gone, the second is still found; the first comes back as a
 * new object with the right contents. */
FDID_TEST(two_bos_in_turn)
{
   struct two_cards t = two_cards_open();
   uint64_t size;
   struct fdid_bo *src1 = bo_dumb(t.a, 0x57, &size);
   struct fdid_bo *src2 = bo_dumb(t.a, 0x58, &size);
   int fd1 = bo_export(src1), fd2 = bo_export(src2);

   struct fdid_bo *imp1 = bo_import(t.b, fd1);
   struct fdid_bo *imp2 = bo_import(t.b, fd2);
   CHECK(imp1 != imp2);
   CHECK(fdid_bo_handle(imp1) != fdid_bo_handle(imp2));

   uint32_t h1 = fdid_bo_handle(imp1);
   fdid_bo_unref(imp1);
   check_handle_closed(t.b_fd, h1);
   struct fdid_bo *imp2b = bo_import(t.b, fd2);
   CHECK(imp2b == imp2);
   struct fdid_bo *imp1b = bo_import(t.b, fd1);
   CHECK(imp1b != imp2);
   CHECK(bo_check(imp1b, size, 0x57));
   CHECK(bo_check(imp2b, size, 0x58));

   fdid_bo_unref(imp1b);
   fdid_bo_unref(imp2b);
   fdid_bo_unref(imp2);
   fdid_bo_unref(src1);
   fdid_bo_unref(src2);
   close(fd1);
   close(fd2);
   two_cards_close(&t);
}

/* A render node imports (it cannot make dumb buffers). */
FDID_TEST(render_node_imports)
{
   int card_fd = open_card(), render_fd = open_render();
   struct fdid_device *card = dev_acquire(card_fd), *render = dev_acquire(render_fd);
   CHECK_EQ(fdid_device_node_type(card), DRM_NODE_PRIMARY);
   CHECK_EQ(fdid_device_node_type(render), DRM_NODE_RENDER);

   struct fdid_bo *nope = NULL;
   uint64_t size;
   CHECK_EQ(fdid_bo_create_dumb(render, BO_W, BO_H, 32, &nope, NULL, &size), -EACCES);
   CHECK(nope == NULL);

   struct fdid_bo *src = bo_dumb(card, 0x59, &size);
   int dmabuf = bo_export(src);
   struct fdid_bo *r1 = bo_import(render, dmabuf);
   struct fdid_bo *r2 = bo_import(render, dmabuf);
   CHECK(r1 == r2);
   uint32_t h = fdid_bo_handle(r1);
   fdid_bo_unref(r1);
   CHECK(gem_handle_alive(render_fd, h));
   fdid_bo_unref(r2);
   check_handle_closed(render_fd, h);

   fdid_bo_unref(src);
   close(dmabuf);
   fdid_device_unref(card);
   fdid_device_unref(render);
   check_no_gem_left(card_fd);
   check_no_gem_left(render_fd);
   close(card_fd);
   close(render_fd);
}

FDID_TEST_MAIN()
