/* SPDX-License-Identifier: MIT */
/*
 * A cached EGL import against a fresh one, in the vgem guest (Mesa's EGL on
 * GBM, software rendering): the same dma-buf arriving again as an EGL
 * attribute list, either imported again (eglCreateImageKHR, then
 * eglDestroyImageKHR when done: what a consumer without a cache does) or
 * found in fdid's import cache (parse, look up, drop the reference). Times
 * in one run, and the exact system calls per operation under ptrace.
 */
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <errno.h>
#include <fcntl.h>
#include <gbm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include <fdid/egl_dmabuf.h>
#include <fdid/import_cache.h>

#include "syscall_count.h"
#include "util/clock.h"
#include "drm_node.h"

enum { W = 256, H = 256, REPEATS = 5 };
static long rounds = 2000;

struct state {
   int mesa_card, own_card, dmabuf;
   uint32_t pitch;
   struct gbm_device *gbm;
   EGLDisplay dpy;
   PFNEGLCREATEIMAGEKHRPROC create;
   PFNEGLDESTROYIMAGEKHRPROC destroy;
   struct fdid_import_cache *cache;
   void *held; /* the cache's entry stays while the bench holds it */
};
static struct state st;

static void
die(const char *what)
{
   fprintf(stderr, "bench_egl_import: %s (%s)\n", what, strerror(errno));
   exit(1);
}

static void
attribs_of(EGLint *a)
{
   const EGLint list[] = {
      EGL_WIDTH, W, EGL_HEIGHT, H, EGL_LINUX_DRM_FOURCC_EXT, 0x34325258 /* XR24 */,
      EGL_DMA_BUF_PLANE0_FD_EXT, st.dmabuf, EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
      EGL_DMA_BUF_PLANE0_PITCH_EXT, (EGLint)st.pitch, EGL_NONE,
   };
   memcpy(a, list, sizeof(list));
}

static int
egl_import(void *ctx, const struct fdid_image *img, void **object)
{
   EGLint a[FDID_EGL_ATTRIBS_MAX];
   int n = fdid_image_to_egl_attribs(img, NULL, a, FDID_EGL_ATTRIBS_MAX);
   if (n < 0)
      return n;
   EGLImageKHR image = st.create(st.dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, a);
   if (image == EGL_NO_IMAGE_KHR)
      return -EIO;
   *object = image;
   return 0;
}

static void
egl_destroy(void *ctx, void *object)
{
   st.destroy(st.dpy, object);
}

/* Everything, in whichever process measures. */
static void
setup(void *arg)
{
   setenv("GALLIUM_DRIVER", "softpipe", 0);
   setenv("MESA_SHADER_CACHE_DISABLE", "true", 0);
   st.mesa_card = drm_open_driver("vgem", false);
   st.own_card = drm_open_driver("vgem", false);
   if (st.mesa_card < 0 || st.own_card < 0)
      die("vgem's node (run in the guest)");
   struct drm_mode_create_dumb req = { .width = W, .height = H, .bpp = 32 };
   if (drmIoctl(st.own_card, DRM_IOCTL_MODE_CREATE_DUMB, &req) ||
       drmPrimeHandleToFD(st.own_card, req.handle, DRM_CLOEXEC | DRM_RDWR, &st.dmabuf))
      die("dumb buffer");
   st.pitch = req.pitch;
   st.gbm = gbm_create_device(st.mesa_card);
   st.dpy = st.gbm ? eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR, st.gbm, NULL) : EGL_NO_DISPLAY;
   if (st.dpy == EGL_NO_DISPLAY || !eglInitialize(st.dpy, NULL, NULL))
      die("EGL on GBM");
   st.create = (PFNEGLCREATEIMAGEKHRPROC)eglGetProcAddress("eglCreateImageKHR");
   st.destroy = (PFNEGLDESTROYIMAGEKHRPROC)eglGetProcAddress("eglDestroyImageKHR");
   if (fdid_import_cache_create(NULL, egl_import, egl_destroy, &st.cache))
      die("cache");
   EGLint a[16];
   attribs_of(a);
   struct fdid_image img;
   if (fdid_image_from_egl_attribs(a, &img, NULL) ||
       fdid_import_cache_acquire(st.cache, &img, &st.held, NULL))
      die("first import");
}

static void
loop_fresh(void *arg, long n)
{
   EGLint a[16];
   attribs_of(a);
   for (long i = 0; i < n; i++) {
      EGLImageKHR image = st.create(st.dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, a);
      if (image == EGL_NO_IMAGE_KHR)
         die("eglCreateImageKHR");
      st.destroy(st.dpy, image);
   }
}

static void
loop_cached(void *arg, long n)
{
   EGLint a[16];
   attribs_of(a);
   for (long i = 0; i < n; i++) {
      struct fdid_image img;
      void *object;
      if (fdid_image_from_egl_attribs(a, &img, NULL) ||
          fdid_import_cache_acquire(st.cache, &img, &object, NULL))
         die("cached import");
      fdid_import_cache_release(st.cache, object);
   }
}

static double
best_ns(void (*loop)(void *, long), long n)
{
   double best = 0;
   for (int r = 0; r < REPEATS; r++) {
      double t0 = fdid_now_ns();
      loop(NULL, n);
      double t = (fdid_now_ns() - t0) / (double)n;
      if (r == 0 || t < best)
         best = t;
   }
   return best;
}

int
main(void)
{
   const char *env = getenv("FDID_BENCH_ROUNDS");
   if (env)
      rounds = atol(env);
   setup(NULL);
   double fresh = best_ns(loop_fresh, rounds / 10 ? rounds / 10 : 1);
   double cached = best_ns(loop_cached, rounds);
   double fresh_calls = syscalls_per_round(setup, loop_fresh, NULL, 20);
   double cached_calls = syscalls_per_round(setup, loop_cached, NULL, 200);

   printf("# fdid EGL import cache: %dx%d XRGB8888 vgem buffer, Mesa %s, best of %d\n", W, H,
          eglQueryString(st.dpy, EGL_VERSION), REPEATS);
   printf("%-28s %10s %10s %10s  %s\n", "operation", "ns/op", "x fresh", "syscalls", "note");
   printf("%-28s %10.1f %10.2f %10.2f  %s\n", "EGL import, fresh", fresh, 1.0, fresh_calls,
          "eglCreateImageKHR + eglDestroyImageKHR");
   printf("%-28s %10.1f %10.4f %10.2f  %s\n", "EGL import, fdid cache", cached, cached / fresh,
          cached_calls, "parse (one fstat) + lookup + put");
   printf("# cached import %.0fx faster than a fresh one\n", fresh / cached);
   fdid_import_cache_release(st.cache, st.held);
   fdid_import_cache_destroy(st.cache);
   eglTerminate(st.dpy);
   return 0;
}
