/* SPDX-License-Identifier: MIT */
/*
 * Allocation failure in the winsys: every allocation of acquire, import,
 * dumb creation, export and the bridge fails in turn (tests/lib/alloc_fail).
 * Each run returns -ENOMEM or succeeds, leaves no allocation behind and,
 * the kernel says, no GEM handle on any description the test used.
 */
#include <errno.h>
#include <unistd.h>

#include <fdid/winsys.h>

#include "alloc_fail.h"
#include "fdid_test.h"
#include "test_winsys_util.h"

struct ctx {
   struct two_cards t;         /* two descriptions of card0, held across runs */
   struct fdid_bo *src;        /* a buffer of a */
   int dmabuf;                 /* its dma-buf */
   /* made by one run, undone by cleanup */
   struct fdid_device *dev;
   struct fdid_bo *bo;
   struct fdid_bo *src2;       /* a bridge's source, made per run */
   int fd;
};

static void
setup(struct ctx *c)
{
   c->t = two_cards_open();
   uint64_t size;
   c->src = bo_dumb(c->t.a, 0xa11c, &size);
   c->dmabuf = bo_export(c->src);
   c->fd = -1;
}

static void
teardown(struct ctx *c)
{
   close(c->dmabuf);
   fdid_bo_unref(c->src);
   two_cards_close(&c->t);
}

/* After each run: what it made is undone, and b's description (where the
 * runs import) holds no GEM handle. */
static void
undo(void *arg, int result)
{
   struct ctx *c = arg;
   fdid_bo_unref(c->bo);
   c->bo = NULL;
   /* The bridge's cache holds the copy until its source goes. */
   fdid_bo_unref(c->src2);
   c->src2 = NULL;
   fdid_device_unref(c->dev);
   c->dev = NULL;
   if (c->fd >= 0)
      close(c->fd);
   c->fd = -1;
   check_no_handles(c->t.b_fd, 64);
}

static int
op_acquire(void *arg)
{
   struct ctx *c = arg;
   /* A third description: a new entry with everything it allocates. */
   int fd = open_card();
   int r = fdid_device_acquire(fd, &c->dev);
   close(fd);
   return r;
}

static int
op_import(void *arg)
{
   struct ctx *c = arg;
   return fdid_bo_import(c->t.b, c->dmabuf, &c->bo);
}

static int
op_create_dumb(void *arg)
{
   struct ctx *c = arg;
   uint32_t pitch;
   uint64_t size;
   return fdid_bo_create_dumb(c->t.b, 32, 32, 32, &c->bo, &pitch, &size);
}

static int
op_export(void *arg)
{
   struct ctx *c = arg;
   return fdid_bo_export(c->src, &c->fd);
}

static int
op_bridge(void *arg)
{
   struct ctx *c = arg;
   uint32_t pitch;
   uint64_t size;
   int r = fdid_bo_create_dumb(c->t.a, 16, 16, 32, &c->src2, &pitch, &size);
   return r < 0 ? r : fdid_bo_import_on(c->src2, c->t.b, &c->bo);
}

static void
each(int (*op)(void *arg), const char *what)
{
   struct ctx c = { 0 };
   setup(&c);
   long sites = alloc_fail_each(op, undo, &c);
   printf("# %s: %ld allocations failed in turn\n", what, sites);
   teardown(&c);
}

/* The very first acquire of a process sets the table up: a failure there
 * is reported and the next acquire succeeds (it used to stay -ENOMEM for
 * the life of the process). Each subtest is a fresh child of a process
 * that never touched the winsys. */
FDID_TEST(first_acquire_of_the_process)
{
   if (!alloc_fail_available())
      SKIP("allocation failures cannot be injected under a sanitizer");
   int fd = open_card();
   struct fdid_device *dev = NULL;
   alloc_fail_arm(0);
   CHECK_EQ(fdid_device_acquire(fd, &dev), -ENOMEM);
   CHECK(alloc_fail_disarm());
   CHECK(dev == NULL);
   CHECK_EQ(fdid_device_acquire(fd, &dev), 0);
   fdid_device_unref(dev);
   check_no_gem_left(fd);
   close(fd);
}

FDID_TEST(acquire)
{
   each(op_acquire, "acquire");
}

FDID_TEST(first_import)
{
   each(op_import, "import");
}

FDID_TEST(create_dumb)
{
   each(op_create_dumb, "create_dumb");
}

FDID_TEST(export)
{
   each(op_export, "export");
}

FDID_TEST(bridge)
{
   each(op_bridge, "bridge");
}

FDID_TEST_MAIN()
