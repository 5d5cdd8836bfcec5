/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: a signal storm over every operation (EINTR), and no fd
 * left (RLIMIT_NOFILE) where the winsys needs one:
 * the table's dup of a new description, an export, a bridge, the re-import
 * hint's reference fd. Each says -EMFILE or does without; nothing leaks in
 * the process or in the kernel; nothing is closed that is not ours.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/time.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fdid/winsys.h>

#include "faults.h"
#include "fdid_test.h"
#include "test_winsys_util.h"

enum { MAX_FILL = 4096 };
static int fill[MAX_FILL];
static int filled;

/* Take every fd left under a lowered limit. */
static void
exhaust_fds(void)
{
   struct rlimit rl;
   CHECK_SYS(getrlimit(RLIMIT_NOFILE, &rl));
   rl.rlim_cur = 256;
   CHECK_SYS(setrlimit(RLIMIT_NOFILE, &rl));
   filled = fill_fds(fill, MAX_FILL);
   CHECK(filled < MAX_FILL); /* the table is full */
}

static void
give_back_fds(void)
{
   close_fds(fill, filled);
   filled = 0;
}

FDID_TEST(acquire_without_fds)
{
   int fd = open_card();
   exhaust_fds();
   struct fdid_device *dev = NULL;
   CHECK_EQ(fdid_device_acquire(fd, &dev), -EMFILE);
   CHECK(dev == NULL);
   give_back_fds();

   /* Nothing half-made stayed in the table. */
   dev = dev_acquire(fd);
   uint64_t size;
   struct fdid_bo *bo = bo_dumb(dev, 0xb1, &size);
   fdid_bo_unref(bo);
   fdid_device_unref(dev);
   check_no_gem_left(fd);
   close(fd);
}

FDID_TEST(export_and_bridge_without_fds)
{
   struct two_cards t = two_cards_open();
   uint64_t size;
   struct fdid_bo *src = bo_dumb(t.a, 0xb2, &size);

   exhaust_fds();
   int out = -1;
   CHECK_EQ(fdid_bo_export(src, &out), -EMFILE);
   CHECK_EQ(out, -1);
   struct fdid_bo *copy = NULL;
   CHECK_EQ(fdid_bo_import_on(src, t.b, &copy), -EMFILE);
   CHECK(copy == NULL);
   give_back_fds();

   /* Both work again, and the kernel holds only what they made. */
   copy = NULL;
   CHECK_EQ(fdid_bo_import_on(src, t.b, &copy), 0);
   CHECK(bo_check(copy, size, 0xb2));
   fdid_bo_unref(copy);
   fdid_bo_unref(src);
   two_cards_close(&t);
}

/* The hint cannot get its reference fd: the imports stay right, on the
 * fstat path. */
FDID_TEST(hint_without_fds)
{
   struct two_cards t = two_cards_with_buffer(0xb3);

   exhaust_fds();
   struct fdid_bo *got[4];
   for (int i = 0; i < 4; i++) {
      got[i] = bo_import(t.b, t.dmabuf);
      CHECK(got[i] == got[0]);
   }
   give_back_fds();
   CHECK(bo_check(got[0], t.size, 0xb3));
   for (int i = 0; i < 4; i++)
      fdid_bo_unref(got[i]);

   two_cards_close(&t);
}

/* Import, re-import, export, bridge and release under a SIGALRM storm:
 * every call succeeds (libdrm's drmIoctl() restarts on EINTR and EAGAIN),
 * content checks hold and the kernel is left with no handle. */
FDID_TEST(signal_storm)
{
   struct two_cards t = two_cards_open();
      signal_storm(true);
   for (int i = 0; i < 200; i++) {
      uint64_t size;
      struct fdid_bo *src = bo_dumb(t.a, 0x5100 + (uint32_t)i, &size);
      int fd = bo_export(src);
      struct fdid_bo *x = bo_import(t.b, fd), *y = bo_import(t.b, fd), *copy;
      CHECK(x == y);
      CHECK_EQ(fdid_bo_import_on(src, t.b, &copy), 0);
      CHECK(copy == x);
      CHECK(bo_check(src, size, 0x5100 + (uint32_t)i));
      fdid_bo_unref(copy);
      fdid_bo_unref(y);
      fdid_bo_unref(x);
      close(fd);
      fdid_bo_unref(src);
   }
   signal_storm(false);
   printf("# %ld signals during the operations\n", signal_storm_hits());
   CHECK(signal_storm_hits() > 10);
   two_cards_close(&t);
}

FDID_TEST_MAIN()
