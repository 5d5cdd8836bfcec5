/* SPDX-License-Identifier: MIT */
/*
 * The test bed is real: on vgem, fdid's identity answers agree with what
 * the kernel's GEM handle namespace shows. A dup shares the namespace (an
 * import returns the exporter's own handle); a second open does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <xf86drm.h>

#include <fdid/identity.h>

#include "drm_util.h"
#include "fdid_test.h"

FDID_TEST(identity_agrees_with_gem_namespace)
{
   int a = open_card();
   int a_dup = CHECK_SYS(dup(a));
   int b = open_card();

   CHECK_EQ(fdid_same_file_description(a, a_dup), 0);
   int r = fdid_same_file_description(a, b);
   CHECK(r >= 1 && r <= 3);
   CHECK_EQ(fdid_compare_file_description(a, a_dup), 0);
   r = fdid_compare_file_description(a, b);
   CHECK(r == 1 || r == 2);

   struct dumb d = dumb_create(a, 64, 64);
   gem_fill(a, d.handle, d.size, 0x1234);
   int dmabuf = prime_export(a, d.handle);

   /* Same description: the import is the exporter's own handle. */
   CHECK_EQ(prime_import(a_dup, dmabuf), d.handle);
   /* Another description: its own handle, to the same memory. */
   uint32_t hb = prime_import(b, dmabuf);
   CHECK(gem_check(b, hb, d.size, 0x1234));
   /* Closing through the dup closes it for the original too: one namespace. */
   gem_close(a_dup, d.handle);
   CHECK(!gem_handle_alive(a, d.handle));
   CHECK(gem_handle_alive(b, hb));
   gem_close(b, hb);

   check_no_handles(a, 8);
   check_no_handles(b, 8);
   close(dmabuf);
   close(a);
   close(a_dup);
   close(b);
}

/* The default method follows the kernel: F_DUPFD_QUERY where it exists
 * (6.10+, Debian 13's guest), kcmp before (6.1, Debian 12's). */
FDID_TEST(default_method_follows_the_kernel)
{
   int fd = open_card();
   bool has_query = fcntl(fd, 1027 /* F_DUPFD_QUERY */, fd) == 1;
   close(fd);
   CHECK_EQ(!!(fdid_probe() & FDID_METHOD_DUPFD_QUERY), has_query);
   CHECK_EQ(fdid_default_method(), has_query ? FDID_METHOD_DUPFD_QUERY : FDID_METHOD_KCMP);
}

/* Every method this kernel has, alone, on DRM fds and dma-bufs: a dup and
 * a second export are the same description, a second open and another
 * buffer are not. (F_DUPFD_QUERY is asked only where the kernel has it:
 * Debian 13's guest.) */
FDID_TEST(each_method_on_drm_fds_and_dmabufs)
{
   int a = open_card();
   int a_dup = CHECK_SYS(dup(a));
   int b = open_card();
   struct dumb d1 = dumb_create(a, 16, 16), d2 = dumb_create(a, 16, 16);
   int x = prime_export(a, d1.handle), x_again = prime_export(a, d1.handle);
   int y = prime_export(a, d2.handle);
   unsigned here = fdid_probe();
   static const unsigned methods[] = { FDID_METHOD_DUPFD_QUERY, FDID_METHOD_KCMP,
                                       FDID_METHOD_EPOLL };
   int asked = 0;
   for (unsigned i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
      if (!(here & methods[i]))
         continue;
      fdid_set_allowed_methods(methods[i]);
      CHECK_EQ(fdid_default_method(), methods[i]);
      CHECK_EQ(fdid_same_file_description(a, a_dup), 0);
      CHECK(fdid_same_file_description(a, b) > 0);
      CHECK_EQ(fdid_same_file_description(x, x_again), 0);
      CHECK(fdid_same_file_description(x, y) > 0);
      asked++;
   }
   printf("# %d methods asked (probe mask %#x)\n", asked, here);
   CHECK(asked >= 2); /* kcmp and the epoll trick, on every kernel here */
   fdid_set_allowed_methods(FDID_METHOD_ALL);
   close(x);
   close(x_again);
   close(y);
   gem_close(a, d1.handle);
   gem_close(a, d2.handle);
   close(a);
   close(a_dup);
   close(b);
}

/* Primary and render nodes of one device are different descriptions, and
 * a dma-buf crosses between them. */
FDID_TEST(card_and_render_node)
{
   int card = open_card();
   int render = open_render();
   int r = fdid_same_file_description(card, render);
   CHECK(r >= 1 && r <= 3);

   struct dumb d = dumb_create(card, 32, 32);
   gem_fill(card, d.handle, d.size, 77);
   int dmabuf = prime_export(card, d.handle);
   uint32_t h = prime_import(render, dmabuf);
   /* The dma-buf's every fd is one description. */
   int again = prime_export(card, d.handle);
   CHECK_EQ(fdid_same_file_description(dmabuf, again), 0);
   gem_close(render, h);
   gem_close(card, d.handle);
   close(again);
   close(dmabuf);
   close(render);
   close(card);
}

FDID_TEST_MAIN()
