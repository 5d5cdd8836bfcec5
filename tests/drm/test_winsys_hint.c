/* SPDX-License-Identifier: MIT */
/*
 * The re-import hint (src/drm/bo_hint.c): an fd number that gives the same
 * object twice in a row is answered by one identity question against a
 * reference fd the table holds. It must never outlive the truth: an fd
 * number recycled for another dma-buf gets that buffer's object, and the
 * reference fds go with their objects.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <fdid/identity.h>
#include <fdid/winsys.h>

#include "fdid_test.h"
#include "test_winsys_util.h"

struct pair {
   struct two_cards t;
   struct fdid_bo *x, *y;   /* two buffers on a */
   int x_fd, y_fd;          /* their dma-bufs */
   uint64_t size;
};

static void
pair_setup(struct pair *p)
{
   p->t = two_cards_open();
   p->x = bo_dumb(p->t.a, 0xa1, &p->size);
   p->y = bo_dumb(p->t.a, 0xa2, &p->size);
   p->x_fd = bo_export(p->x);
   p->y_fd = bo_export(p->y);
}

static void
pair_teardown(struct pair *p)
{
   fdid_bo_unref(p->x);
   fdid_bo_unref(p->y);
   close(p->x_fd);
   close(p->y_fd);
   two_cards_close(&p->t);
}

/* Re-imports through one fd: the same object every time; while the hint
 * is armed the table holds one reference fd, and the object's last
 * release closes it. */
FDID_TEST(same_fd_reimport)
{
   struct pair p;
   pair_setup(&p);
   int before = open_fd_count();
   struct fdid_bo *got[5];
   for (int i = 0; i < 5; i++) {
      got[i] = bo_import(p.t.b, p.x_fd);
      CHECK(got[i] == got[0]);
   }
   CHECK(bo_check(got[0], p.size, 0xa1));
   bool one_method = fdid_probe() & (FDID_METHOD_DUPFD_QUERY | FDID_METHOD_KCMP);
   CHECK_EQ(open_fd_count(), before + (one_method ? 1 : 0));
   for (int i = 0; i < 5; i++)
      fdid_bo_unref(got[i]);
   CHECK_EQ(open_fd_count(), before);
   pair_teardown(&p);
}

/* The fd number of an armed hint, closed and reused for another dma-buf,
 * imports that other buffer; and back again. */
FDID_TEST(recycled_fd_number)
{
   struct pair p;
   pair_setup(&p);
   int n = CHECK_SYS(fcntl(p.x_fd, F_DUPFD_CLOEXEC, 100));
   struct fdid_bo *x1 = bo_import(p.t.b, n);
   struct fdid_bo *x2 = bo_import(p.t.b, n);
   struct fdid_bo *x3 = bo_import(p.t.b, n);
   CHECK(x1 == x2 && x2 == x3);

   CHECK_SYS(dup3(p.y_fd, n, O_CLOEXEC));
   struct fdid_bo *y1 = bo_import(p.t.b, n);
   CHECK(y1 != x1);
   CHECK(bo_check(y1, p.size, 0xa2));
   struct fdid_bo *y2 = bo_import(p.t.b, n);
   struct fdid_bo *y3 = bo_import(p.t.b, n);
   CHECK(y2 == y1 && y3 == y1);

   /* Not a dma-buf any more: the fd's own answer, not the hint's. */
   close(n);
   int pipe_fds[2];
   CHECK_SYS(pipe2(pipe_fds, O_CLOEXEC));
   CHECK_SYS(dup3(pipe_fds[0], n, O_CLOEXEC));
   struct fdid_bo *none = NULL;
   CHECK_EQ(fdid_bo_import(p.t.b, n, &none), -EBADFD);
   close(n);
   CHECK_EQ(fdid_bo_import(p.t.b, n, &none), -EBADF);
   CHECK(none == NULL);

   CHECK_SYS(dup3(p.x_fd, n, O_CLOEXEC));
   struct fdid_bo *x4 = bo_import(p.t.b, n);
   CHECK(x4 == x1);
   CHECK(bo_check(x4, p.size, 0xa1));

   struct fdid_bo *all[] = { x1, x2, x3, x4, y1, y2, y3 };
   for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
      fdid_bo_unref(all[i]);
   close(n);
   close(pipe_fds[0]);
   close(pipe_fds[1]);
   pair_teardown(&p);
}

/* An armed hint whose object was released: the next import through that
 * fd number is a fresh object, never the freed one. */
FDID_TEST(hint_of_released_object)
{
   struct pair p;
   pair_setup(&p);
   struct fdid_bo *x1 = bo_import(p.t.b, p.x_fd);
   struct fdid_bo *x2 = bo_import(p.t.b, p.x_fd);
   uint32_t h = fdid_bo_handle(x1);
   fdid_bo_unref(x1);
   fdid_bo_unref(x2);
   check_handle_closed(p.t.b_fd, h);
   struct fdid_bo *again = bo_import(p.t.b, p.x_fd);
   CHECK(bo_check(again, p.size, 0xa1));
   CHECK(gem_handle_alive(p.t.b_fd, fdid_bo_handle(again)));
   fdid_bo_unref(again);
   pair_teardown(&p);
}

/* fd numbers that share a slot take turns; both stay right. */
FDID_TEST(shared_slot)
{
   struct pair p;
   pair_setup(&p);
   int f1 = CHECK_SYS(fcntl(p.x_fd, F_DUPFD_CLOEXEC, 300));
   int f2 = CHECK_SYS(dup3(p.y_fd, f1 + 16, O_CLOEXEC));
   struct fdid_bo *got[12];
   for (int i = 0; i < 12; i++) {
      /* Two in a row of each, so that each arms the slot in turn. */
      got[i] = bo_import(p.t.b, (i / 2) % 2 ? f2 : f1);
      CHECK(bo_check(got[i], p.size, (i / 2) % 2 ? 0xa2 : 0xa1));
   }
   for (int i = 0; i < 12; i++)
      fdid_bo_unref(got[i]);
   close(f1);
   close(f2);
   pair_teardown(&p);
}

/* With only the epoll trick allowed the hint would cost more than the
 * fstat it saves: no reference fd, same answers. */
FDID_TEST(no_hint_without_one_call_method)
{
   fdid_set_allowed_methods(FDID_METHOD_EPOLL);
   struct pair p;
   pair_setup(&p);
   int before = open_fd_count();
   struct fdid_bo *got[4];
   for (int i = 0; i < 4; i++) {
      got[i] = bo_import(p.t.b, p.x_fd);
      CHECK(got[i] == got[0]);
   }
   CHECK_EQ(open_fd_count(), before);
   for (int i = 0; i < 4; i++)
      fdid_bo_unref(got[i]);
   pair_teardown(&p);
}

/* A device released with armed hints closes their reference fds (the
 * harness fails the subtest on any fd left open). */
FDID_TEST(device_release_with_armed_hints)
{
   struct pair p;
   pair_setup(&p);
   struct fdid_bo *x1 = bo_import(p.t.b, p.x_fd);
   struct fdid_bo *x2 = bo_import(p.t.b, p.x_fd);
   struct fdid_bo *y1 = bo_import(p.t.b, p.y_fd);
   struct fdid_bo *y2 = bo_import(p.t.b, p.y_fd);
   int before = open_fd_count();
   fdid_device_unref(p.t.b);
   CHECK(open_fd_count() < before);
   fdid_bo_unref(x1);
   fdid_bo_unref(x2);
   fdid_bo_unref(y1);
   fdid_bo_unref(y2);
   p.t.b = NULL;
   pair_teardown(&p);
}

FDID_TEST_MAIN()
