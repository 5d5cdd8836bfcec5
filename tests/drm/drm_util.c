/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xf86drm.h>

#include "drm_node.h"
#include "drm_util.h"
#include "fdid_test.h"

/* vgem's node, found by driver name (the guests also have virtio-gpu). */
static int
open_vgem(bool render)
{
   int fd = drm_open_driver("vgem", render);
   if (fd < 0)
      SKIP("no vgem %s node (run in the guest): %s", render ? "render" : "primary",
           strerror(errno));
   return fd;
}

int
open_card(void)
{
   return open_vgem(false);
}

int
open_render(void)
{
   return open_vgem(true);
}

FILE *
screendump_open(unsigned *w, unsigned *h)
{
   const char *dir = getenv("FDID_SCREEN_DIR");
   if (!dir)
      return NULL;
   /* An id of our own: the guest only adds requests, the runner only adds
    * answers (run-in-vm says why). */
   static unsigned counter;
   char req[512], shot[512];
   snprintf(req, sizeof(req), "%s/req-%d-%u", dir, (int)getpid(), counter);
   snprintf(shot, sizeof(shot), "%s/out/%d-%u.ppm", dir, (int)getpid(), counter++);
   close(CHECK_SYS(open(req, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644)));
   for (int i = 0; i < 400 && access(shot, F_OK) != 0; i++)
      usleep(50000);
   FILE *f = fopen(shot, "rb");
   if (!f)
      fdid_test_fail(__FILE__, __LINE__, "no screendump at %s: %s", shot, strerror(errno));
   unsigned maxval;
   CHECK_EQ(fscanf(f, "P6 %u %u %u", w, h, &maxval), 3);
   CHECK_EQ(maxval, 255);
   fgetc(f); /* the one whitespace after the header */
   return f;
}

/* Does this process hold the display (and so may take DRM master)? */
static bool display_held;

int
display_lock(void)
{
   int fd = CHECK_SYS(open("/run/fdid-display.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600));
   while (flock(fd, LOCK_EX) != 0)
      CHECK_EQ(errno, EINTR);
   display_held = true;
   return fd;
}

void
display_unlock(int lock)
{
   display_held = false;
   close(lock);
}

int
open_kms(void)
{
   int fd = drm_open_driver("virtio_gpu", false);
   if (fd < 0)
      SKIP("no virtio_gpu node (run in the guest): %s", strerror(errno));
   return fd;
}

int
open_kms_master(void)
{
   CHECK(display_held);
   int fd = open_kms();
   CHECK_SYS(drm_take_master(fd));
   return fd;
}

static struct dumb
dumb_create_bpp(int fd, uint32_t width, uint32_t height, uint32_t bpp)
{
   struct drm_mode_create_dumb c = { .width = width, .height = height, .bpp = bpp };
   CHECK_SYS(drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c));
   return (struct dumb){ c.handle, c.pitch, c.size };
}

struct dumb
dumb_create(int fd, uint32_t width, uint32_t height)
{
   return dumb_create_bpp(fd, width, height, 32);
}

uint32_t *
gem_map(int fd, uint32_t handle, uint64_t size)
{
   struct drm_mode_map_dumb m = { .handle = handle };
   CHECK_SYS(drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m));
   void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
   CHECK(p != MAP_FAILED);
   return p;
}

void
gem_fill(int fd, uint32_t handle, uint64_t size, uint32_t seed)
{
   uint32_t *p = gem_map(fd, handle, size);
   for (uint64_t i = 0; i < size / 4; i++)
      p[i] = seed ^ (uint32_t)(i * 2654435761u);
   munmap(p, size);
}

bool
gem_check(int fd, uint32_t handle, uint64_t size, uint32_t seed)
{
   uint32_t *p = gem_map(fd, handle, size);
   bool ok = true;
   for (uint64_t i = 0; i < size / 4 && ok; i++)
      ok = p[i] == (seed ^ (uint32_t)(i * 2654435761u));
   munmap(p, size);
   return ok;
}

int
prime_export(int fd, uint32_t handle)
{
   int dmabuf = -1;
   CHECK_SYS(drmPrimeHandleToFD(fd, handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf));
   return dmabuf;
}

uint32_t
prime_import(int fd, int dmabuf)
{
   uint32_t handle = 0;
   CHECK_SYS(drmPrimeFDToHandle(fd, dmabuf, &handle));
   return handle;
}

bool
gem_handle_alive(int fd, uint32_t handle)
{
   /* Exporting a dead handle fails with ENOENT; a live one gives an fd. */
   int dmabuf = -1;
   int r = drmPrimeHandleToFD(fd, handle, DRM_CLOEXEC, &dmabuf);
   if (r == 0) {
      close(dmabuf);
      return true;
   }
   CHECK_EQ(errno, ENOENT);
   return false;
}

void
gem_close(int fd, uint32_t handle)
{
   CHECK_SYS(drmCloseBufferHandle(fd, handle));
}

void
check_no_handles(int fd, uint32_t below)
{
   for (uint32_t h = 1; h < below; h++) {
      if (gem_handle_alive(fd, h))
         fdid_test_fail(__FILE__, __LINE__, "GEM handle %u still open", h);
   }
}

unsigned
count_handles(int fd, uint32_t below)
{
   unsigned n = 0;
   for (uint32_t h = 1; h < below; h++)
      n += gem_handle_alive(fd, h);
   return n;
}

struct buf
buf_create(uint32_t width, uint32_t height, uint32_t bpp)
{
   struct buf b;
   b.card = open_card();
   struct dumb d = dumb_create_bpp(b.card, width, height, bpp);
   b.handle = d.handle;
   b.pitch = d.pitch;
   b.size = d.size;
   b.fd = prime_export(b.card, b.handle);
   return b;
}

void
buf_destroy(struct buf *b)
{
   close(b->fd);
   gem_close(b->card, b->handle);
   close(b->card);
}

bool
fd_is_open(int fd)
{
   return fcntl(fd, F_GETFD) >= 0;
}

bool
same_dmabuf(int a, int b)
{
   struct stat sa, sb;
   CHECK_SYS(fstat(a, &sa));
   CHECK_SYS(fstat(b, &sb));
   return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
