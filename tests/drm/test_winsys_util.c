/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <unistd.h>
#include <xf86drm.h>

#include "fdid_test.h"
#include "test_winsys_util.h"

struct fdid_device *
dev_acquire(int fd)
{
   struct fdid_device *dev = NULL;
   int r = fdid_device_acquire(fd, &dev);
   if (r != 0)
      fdid_test_fail(__FILE__, __LINE__, "fdid_device_acquire: %s", strerror(-r));
   CHECK(dev != NULL);
   return dev;
}

struct fdid_bo *
bo_dumb(struct fdid_device *dev, uint32_t seed, uint64_t *size)
{
   struct fdid_bo *bo = NULL;
   uint32_t pitch = 0;
   int r = fdid_bo_create_dumb(dev, BO_W, BO_H, 32, &bo, &pitch, size);
   if (r != 0)
      fdid_test_fail(__FILE__, __LINE__, "fdid_bo_create_dumb: %s", strerror(-r));
   CHECK(pitch >= BO_W * 4);
   CHECK(*size >= (uint64_t)pitch * BO_H);
   CHECK(fdid_bo_handle(bo) != 0);
   bo_fill(bo, *size, seed);
   return bo;
}

struct fdid_bo *
bo_import(struct fdid_device *dev, int dmabuf)
{
   struct fdid_bo *bo = NULL;
   int r = fdid_bo_import(dev, dmabuf, &bo);
   if (r != 0)
      fdid_test_fail(__FILE__, __LINE__, "fdid_bo_import: %s", strerror(-r));
   CHECK(bo != NULL && fdid_bo_handle(bo) != 0);
   CHECK(fdid_bo_device(bo) == dev);
   return bo;
}

int
bo_export(struct fdid_bo *bo)
{
   int fd = -1;
   int r = fdid_bo_export(bo, &fd);
   if (r != 0)
      fdid_test_fail(__FILE__, __LINE__, "fdid_bo_export: %s", strerror(-r));
   CHECK(fd >= 0);
   return fd;
}

void
bo_fill(struct fdid_bo *bo, uint64_t size, uint32_t seed)
{
   gem_fill(fdid_device_fd(fdid_bo_device(bo)), fdid_bo_handle(bo), size, seed);
}

bool
bo_check(struct fdid_bo *bo, uint64_t size, uint32_t seed)
{
   return gem_check(fdid_device_fd(fdid_bo_device(bo)), fdid_bo_handle(bo), size, seed);
}

void
check_handle_closed(int fd, uint32_t handle)
{
   errno = 0;
   CHECK(drmCloseBufferHandle(fd, handle) != 0);
   CHECK_EQ(errno, EINVAL);
}

void
check_no_gem_left(int fd)
{
   check_no_handles(fd, 64);
   if (drmGetNodeTypeFromFd(fd) != DRM_NODE_PRIMARY)
      return;
   struct dumb d = dumb_create(fd, 4, 4);
   CHECK_EQ(d.handle, 1);
   gem_close(fd, d.handle);
}

/* One open of card0 and its device; the kernel-side check on the way out. */
static struct fdid_device *
card_open(int *fd)
{
   *fd = open_card();
   return dev_acquire(*fd);
}

static void
card_close(struct fdid_device *dev, int fd)
{
   fdid_device_unref(dev);
   check_no_gem_left(fd);
   close(fd);
}

struct two_cards
two_cards_open(void)
{
   struct two_cards t = { .dmabuf = -1 };
   t.a = card_open(&t.a_fd);
   t.b = card_open(&t.b_fd);
   return t;
}

struct two_cards
two_cards_with_buffer(uint32_t seed)
{
   struct two_cards t = two_cards_open();
   t.src = bo_dumb(t.a, seed, &t.size);
   t.dmabuf = bo_export(t.src);
   return t;
}

void
two_cards_close(struct two_cards *t)
{
   fdid_bo_unref(t->src);
   if (t->dmabuf >= 0)
      close(t->dmabuf);
   card_close(t->a, t->a_fd);
   card_close(t->b, t->b_fd);
}

struct one_card
one_card_open(void)
{
   struct one_card c;
   c.dev = card_open(&c.fd);
   return c;
}

void
one_card_close(struct one_card *c)
{
   card_close(c->dev, c->fd);
}
