/* SPDX-License-Identifier: MIT */
/*
 * The device table: one entry per open file description, whichever way the
 * fd arrived (dup, SCM_RIGHTS from another process, fork); another open is
 * another entry on the same GPU; anything that is not a DRM node is
 * refused with the documented errors; fork children leave the parent's
 * handles alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fdid/identity.h>
#include <fdid/winsys.h>

#include "fd_passing.h"
#include "fdid_test.h"
#include "test_winsys_util.h"

/* dup, fork and SCM_RIGHTS: one description, one entry. */
FDID_TEST(one_description_one_entry)
{
   int fd = open_card();
   struct fdid_device *dev = dev_acquire(fd);

   int dup_fd = CHECK_SYS(fcntl(fd, F_DUPFD_CLOEXEC, 0));
   struct fdid_device *via_dup = dev_acquire(dup_fd);
   CHECK(via_dup == dev);
   /* The table's own fd is the same description too. */
   struct fdid_device *via_table_fd = dev_acquire(fdid_device_fd(dev));
   CHECK(via_table_fd == dev);

   /* A child, which inherited fd through fork, sends it back. */
   int sv[2];
   CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
   pid_t pid = CHECK_SYS(fork());
   if (pid == 0) {
      close(sv[0]);
      send_fd(sv[1], fd);
      _exit(0);
   }
   close(sv[1]);
   int received = recv_fd(sv[0]);
   CHECK_EQ(wait_child(pid), 0);
   CHECK(received != fd);
   struct fdid_device *via_scm = dev_acquire(received);
   CHECK(via_scm == dev);

   /* Every reference counts: the entry outlives all but the last. */
   fdid_device_unref(via_scm);
   fdid_device_unref(via_table_fd);
   fdid_device_unref(via_dup);
   uint64_t size;
   struct fdid_bo *bo = bo_dumb(dev, 0x71, &size);
   CHECK(bo_check(bo, size, 0x71));
   fdid_bo_unref(bo);
   fdid_device_unref(dev);

   close(sv[0]);
   close(received);
   close(dup_fd);
   check_no_gem_left(fd);
   close(fd);
}

/* In a fork child, fds of one description still make one entry there. */
FDID_TEST(one_entry_in_fork_child)
{
   int fd = open_card();
   pid_t pid = CHECK_SYS(fork());
   if (pid == 0) {
      struct fdid_device *d1 = dev_acquire(fd);
      int dup_fd = CHECK_SYS(dup(fd));
      struct fdid_device *d2 = dev_acquire(dup_fd);
      CHECK(d1 == d2);
      fdid_device_unref(d2);
      fdid_device_unref(d1);
      close(dup_fd);
      _exit(0);
   }
   CHECK_EQ(wait_child(pid), 0);
   check_no_gem_left(fd);
   close(fd);
}

/* Another open() is another description: its own entry, its own GEM
 * namespace, the same GPU. */
FDID_TEST(second_open_second_entry)
{
   struct two_cards t = two_cards_open();
   CHECK(t.a != t.b);
   CHECK(fdid_device_same_gpu(t.a, t.b));
   CHECK(fdid_device_fd(t.a) != fdid_device_fd(t.b));

   /* Separate namespaces: a buffer of a is not an object of b. */
   uint64_t size;
   struct fdid_bo *src = bo_dumb(t.a, 0x72, &size);
   int dmabuf = bo_export(src);
   struct fdid_bo *on_b = bo_import(t.b, dmabuf);
   CHECK(on_b != src);
   CHECK(bo_check(on_b, size, 0x72));

   fdid_bo_unref(on_b);
   fdid_bo_unref(src);
   close(dmabuf);
   two_cards_close(&t);
}

/* Many descriptions of one node share a bucket: each fd, and a dup of
 * each, finds its own entry, in kcmp's order or, where only equality is
 * allowed, by a scan of that node's entries. */
static void
many_descriptions(unsigned methods)
{
   enum { N = 9 };
   fdid_set_allowed_methods(methods);
   int fds[N], dups[N];
   struct fdid_device *devs[N];
   for (int i = 0; i < N; i++) {
      fds[i] = open_card();
      devs[i] = dev_acquire(fds[i]);
      for (int j = 0; j < i; j++)
         CHECK(devs[j] != devs[i]);
   }
   for (int i = N - 1; i >= 0; i--) {
      dups[i] = CHECK_SYS(fcntl(fds[i], F_DUPFD_CLOEXEC, 0));
      struct fdid_device *again = dev_acquire(dups[i]);
      CHECK(again == devs[i]);
      fdid_device_unref(again);
   }
   /* Out of the middle, then back: the others are still found. */
   fdid_device_unref(devs[N / 2]);
   devs[N / 2] = dev_acquire(dups[N / 2]);
   for (int i = 0; i < N; i++) {
      struct fdid_device *again = dev_acquire(fds[i]);
      CHECK(again == devs[i]);
      fdid_device_unref(again);
   }
   for (int i = 0; i < N; i++) {
      fdid_device_unref(devs[i]);
      close(dups[i]);
      close(fds[i]);
   }
}

FDID_TEST(many_descriptions_kcmp_order)
{
   many_descriptions(FDID_METHOD_ALL);
}

FDID_TEST(many_descriptions_equality_only)
{
   many_descriptions(FDID_METHOD_EPOLL);
}

FDID_TEST(card_and_render_same_gpu)
{
   int card_fd = open_card(), render_fd = open_render();
   struct fdid_device *card = dev_acquire(card_fd), *render = dev_acquire(render_fd);
   CHECK(card != render);
   CHECK(fdid_device_same_gpu(card, render));
   CHECK(fdid_device_same_gpu(render, card));
   CHECK(fdid_device_same_gpu(card, card));
   CHECK(!fdid_device_same_gpu(card, NULL));
   fdid_device_unref(card);
   fdid_device_unref(render);
   close(card_fd);
   close(render_fd);
}

static void
check_refused(int fd, int expected)
{
   struct fdid_device *dev = (struct fdid_device *)&dev;
   CHECK_EQ(fdid_device_acquire(fd, &dev), expected);
   /* *out is untouched on error. */
   CHECK(dev == (struct fdid_device *)&dev);
}

FDID_TEST(non_drm_fds_refused)
{
   int card_fd = open_card();   /* skips outside the guest */
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   check_refused(p[0], -ENOTTY);

   char path[] = "/tmp/fdid-winsys-XXXXXX";
   int file = CHECK_SYS(mkostemp(path, O_CLOEXEC));
   unlink(path);
   check_refused(file, -ENOTTY);

   /* A character device that is not DRM: refused without a DRM ioctl. */
   int null = CHECK_SYS(open("/dev/null", O_RDWR | O_CLOEXEC));
   check_refused(null, -ENOTTY);

   int sv[2];
   CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
   check_refused(sv[0], -ENOTTY);

   check_refused(-1, -EBADF);
   int closed = CHECK_SYS(dup(p[0]));
   close(closed);
   check_refused(closed, -EBADF);
   CHECK_EQ(fdid_device_acquire(card_fd, NULL), -EINVAL);

   /* The refusals left nothing in the way of a real device. */
   struct fdid_device *dev = dev_acquire(card_fd);
   fdid_device_unref(dev);

   close(sv[0]);
   close(sv[1]);
   close(null);
   close(file);
   close(p[0]);
   close(p[1]);
   close(card_fd);
}

/* Not a dma-buf: EBADFD, as image.h says it (no PRIME ioctl is sent); a
 * closed fd: EBADF. Nothing is left behind in the kernel. */
FDID_TEST(non_dmabuf_import_refused)
{
   int card_fd = open_card();
   struct fdid_device *dev = dev_acquire(card_fd);
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   char path[] = "/tmp/fdid-winsys-XXXXXX";
   int file = CHECK_SYS(mkostemp(path, O_CLOEXEC));
   unlink(path);

   struct fdid_bo *bo = (struct fdid_bo *)&bo;
   CHECK_EQ(fdid_bo_import(dev, p[0], &bo), -EBADFD);
   CHECK_EQ(fdid_bo_import(dev, file, &bo), -EBADFD);
   /* A DRM fd is not a dma-buf either. */
   CHECK_EQ(fdid_bo_import(dev, card_fd, &bo), -EBADFD);
   CHECK_EQ(fdid_bo_import(dev, -1, &bo), -EBADF);
   int closed = CHECK_SYS(dup(p[0]));
   close(closed);
   CHECK_EQ(fdid_bo_import(dev, closed, &bo), -EBADF);
   CHECK(bo == (struct fdid_bo *)&bo);
   CHECK_EQ(fdid_bo_import(NULL, p[0], &bo), -EINVAL);
   CHECK_EQ(fdid_bo_import(dev, p[0], NULL), -EINVAL);
   CHECK_EQ(fdid_bo_export(NULL, &closed), -EINVAL);

   /* The same refusals through the allocation hook and dumb buffers. */
   CHECK_EQ(fdid_bo_adopt_handle(dev, 0, &bo), -EINVAL);
   CHECK_EQ(fdid_bo_create_dumb(dev, 0, 4, 32, &bo, NULL, NULL), -EINVAL);

   fdid_device_unref(dev);
   check_no_gem_left(card_fd);
   close(file);
   close(p[0]);
   close(p[1]);
   close(card_fd);
}

/*
 * A fork child inherits the parent's entries, and shares their GEM
 * handles in the kernel: releasing them in the child must close nothing
 * (only its copy of the table's fd), and the child's own acquire makes an
 * entry of its own.
 */
FDID_TEST(fork_child_leaves_parent_handles)
{
   struct one_card c = one_card_open();
   uint64_t size;
   struct fdid_bo *bo = bo_dumb(c.dev, 0x73, &size);
   uint32_t h = fdid_bo_handle(bo);

   pid_t pid = CHECK_SYS(fork());
   if (pid == 0) {
      struct fdid_device *mine = dev_acquire(c.fd);
      CHECK(mine != c.dev);
      fdid_device_unref(mine);
      fdid_bo_unref(bo);
      fdid_device_unref(c.dev);
      _exit(0);
   }
   CHECK_EQ(wait_child(pid), 0);
   CHECK(gem_handle_alive(c.fd, h));
   CHECK_EQ(fdid_bo_handle(bo), h);
   CHECK(bo_check(bo, size, 0x73));

   fdid_bo_unref(bo);
   check_handle_closed(c.fd, h);
   one_card_close(&c);
}

FDID_TEST_MAIN()
