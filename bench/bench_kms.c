/* SPDX-License-Identifier: MIT */
/*
 * The per-frame cost of getting a client's buffer to a framebuffer id, on
 * virtio-gpu in the guests, the commit aside: a compositor receives the
 * frame's dma-buf fd and needs the framebuffer to show.
 *
 *   fdid cache:      the image resolved (one fstat) and the framebuffer
 *                    found in fdid's cache (kms.h);
 *   player, naive:   PRIME import, AddFB2, and after the frame RmFB and
 *                    GEM_CLOSE (what players that do not cache do);
 *   player, table:   PRIME import and a lookup of the player's own handle ->
 *                    framebuffer table (the handle is the key, so the ioctl
 *                    is paid every frame).
 *
 * Each loop runs ROUNDS frames of the same buffer; the baseline is the
 * naive path timed in the same run. System calls are counted exactly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include <fdid/kms.h>
#include <fdid/winsys.h>

#include "drm_node.h"
#include "syscall_count.h"
#include "util/clock.h"

enum { ROUNDS = 2000, REPEATS = 5, W = 256, H = 256, XR24 = 0x34325258 };

static struct {
   int client, compositor; /* two opens of virtio-gpu */
   uint32_t client_handle, pitch;
   int dmabuf;
   struct fdid_device *dev;
   struct fdid_kms *kms;
   struct fdid_kms_fb *held;
   /* the player's table: one entry, by handle */
   uint32_t table_handle, table_fb;
} st;

static void
die(const char *what, int err)
{
   fprintf(stderr, "bench_kms: %s: %s\n", what, strerror(err));
   exit(1);
}

static void
setup(void *arg)
{
   (void)arg;
   st.client = drm_open_driver("virtio_gpu", false);
   st.compositor = drm_open_driver("virtio_gpu", false);
   if (st.client < 0 || st.compositor < 0)
      die("virtio_gpu's node (run in the guest)", errno);
   struct drm_mode_create_dumb c = { .width = W, .height = H, .bpp = 32 };
   if (drmIoctl(st.client, DRM_IOCTL_MODE_CREATE_DUMB, &c))
      die("CREATE_DUMB", errno);
   st.client_handle = c.handle;
   st.pitch = c.pitch;
   if (drmPrimeHandleToFD(st.client, c.handle, DRM_CLOEXEC, &st.dmabuf))
      die("PRIME export", errno);
   int r = fdid_device_acquire(st.compositor, &st.dev);
   if (r == 0)
      r = fdid_kms_create(st.dev, 0, &st.kms);
   if (r < 0)
      die("fdid_kms_create", -r);
   /* The buffer is the client's for the whole run: one reference held, as
    * a compositor holds one per client buffer. */
   struct fdid_image img;
   fdid_image_init(&img, XR24, W, H);
   fdid_image_add_plane(&img, st.dmabuf, 0, st.pitch);
   if ((r = fdid_image_resolve(&img)) < 0 ||
       (r = fdid_kms_fb_acquire(st.kms, &img, &st.held, NULL)) < 0)
      die("fdid_kms_fb_acquire", -r);
   /* The player's table, filled by the first frame. */
   if (drmPrimeFDToHandle(st.compositor, st.dmabuf, &st.table_handle))
      die("PRIME import", errno);
   uint32_t handles[4] = { st.table_handle }, pitches[4] = { st.pitch }, offsets[4] = { 0 };
   if (drmModeAddFB2(st.compositor, W, H, XR24, handles, pitches, offsets, &st.table_fb, 0))
      die("AddFB2", errno);
}

static void
loop_fdid(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++) {
      struct fdid_image img;
      fdid_image_init(&img, XR24, W, H);
      fdid_image_add_plane(&img, st.dmabuf, 0, st.pitch);
      struct fdid_kms_fb *fb;
      if (fdid_image_resolve(&img) < 0 || fdid_kms_fb_acquire(st.kms, &img, &fb, NULL) < 0 ||
          fdid_kms_fb_id(fb) == 0)
         die("fdid per frame", EIO);
      fdid_kms_fb_unref(fb);
   }
}

static void
loop_naive(void *arg, long rounds)
{
   /* On a description of its own: the table's handle must not be reused. */
   static int fd = -1;
   if (fd < 0)
      fd = drm_open_driver("virtio_gpu", false);
   for (long i = 0; i < rounds; i++) {
      uint32_t h, fb;
      if (drmPrimeFDToHandle(fd, st.dmabuf, &h))
         die("PRIME import", errno);
      uint32_t handles[4] = { h }, pitches[4] = { st.pitch }, offsets[4] = { 0 };
      if (drmModeAddFB2(fd, W, H, XR24, handles, pitches, offsets, &fb, 0))
         die("AddFB2", errno);
      drmModeRmFB(fd, fb);
      drmCloseBufferHandle(fd, h);
   }
}

static void
loop_table(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++) {
      uint32_t h;
      if (drmPrimeFDToHandle(st.compositor, st.dmabuf, &h))
         die("PRIME import", errno);
      if (h != st.table_handle || st.table_fb == 0)
         die("player's table", EIO);
   }
}

static double
time_once(const struct bench_subject *s)
{
   double t0 = fdid_now_ns();
   s->loop(NULL, ROUNDS);
   return (fdid_now_ns() - t0) / ROUNDS;
}

int
main(void)
{
   const struct bench_subject subjects[] = {
      { "per frame: import+AddFB2+RmFB+close", loop_naive, "baseline: no cache" },
      { "per frame: import + own table", loop_table, "PRIME ioctl every frame" },
      { "per frame: fdid framebuffer cache", loop_fdid, "fstat, cache hit" },
   };
   enum { N = sizeof(subjects) / sizeof(subjects[0]) };
   double ns[N], calls[N];
   setup(NULL);
   bench_best_of(subjects, N, REPEATS, time_once, ns);
   for (int i = 0; i < N; i++)
      calls[i] = syscalls_per_round(setup, bench_run_subject, (void *)&subjects[i], 200);

   printf("# fdid KMS per-frame benchmark: %d frames of one %dx%d buffer, best of %d "
          "taking turns, virtio-gpu\n", ROUNDS, W, H, REPEATS);
   printf("%-38s %10s %10s %10s  %s\n", "operation", "ns/op", "x naive", "syscalls", "note");
   for (int i = 0; i < N; i++)
      printf("%-38s %10.1f %10.3f %10.2f  %s\n", subjects[i].name, ns[i], ns[i] / ns[0],
             calls[i], subjects[i].note);
   printf("# fdid's cached path: %.1fx faster than the naive path, %.2fx the player's "
          "table, %.0f system call(s) per frame\n", ns[0] / ns[2], ns[1] / ns[2], calls[2]);
   return 0;
}
