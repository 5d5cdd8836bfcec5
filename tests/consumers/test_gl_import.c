/* SPDX-License-Identifier: MIT */
/*
 * Real GL in the vgem guest: Mesa's EGL (GBM platform, software rendering)
 * imports a vgem dumb buffer through fdid's EGL translator and import
 * cache. The buffer arriving again as a dup, as a fresh export and as a
 * second attribute list with the same layout gives the one EGLImage made
 * first; sampling it returns what the CPU wrote through mmap; rendering
 * into it is what the CPU reads back.
 *
 * The buffer lives on fdid's own description of card0 and Mesa works on
 * another: each has its own GEM namespace, so neither closes the other's
 * handle (on one description, Mesa's import would return fdid's handle).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fdid/egl_device.h>
#include <fdid/egl_dmabuf.h>
#include <fdid/import_cache.h>
#include <fdid/winsys.h>

#include "fdid_test.h"
#include "fourccs.h"
#include "gl_context.h"
#include "test_winsys_util.h"

enum { W = 64, H = 64 };

struct buffer {
   int card;
   struct fdid_device *dev;
   struct fdid_bo *bo;
   uint32_t pitch;
   uint64_t size;
   uint32_t *map;
};

static uint32_t
pattern(int x, int y)
{
   return 0xff000000u | (uint32_t)(x * 4) << 16 | (uint32_t)(y * 4) << 8 | (uint32_t)((x + y) & 0xff);
}

static void
buffer_init(struct buffer *b)
{
   b->card = open_card();
   b->dev = dev_acquire(b->card);
   CHECK_EQ(fdid_bo_create_dumb(b->dev, W, H, 32, &b->bo, &b->pitch, &b->size), 0);
   uint64_t offset;
   CHECK_EQ(fdid_bo_map_dumb_offset(b->bo, &offset), 0);
   b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fdid_device_fd(b->dev),
                 (off_t)offset);
   CHECK(b->map != MAP_FAILED);
   for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++)
         b->map[y * (b->pitch / 4) + x] = pattern(x, y);
   }
}

static void
buffer_fini(struct buffer *b)
{
   munmap(b->map, b->size);
   fdid_bo_unref(b->bo);
   fdid_device_unref(b->dev);
   check_no_gem_left(b->card);
   close(b->card);
}

/* ---- the EGL side of the cache ----------------------------------------- */

struct egl_ctx {
   struct gl_context *gl;
   int imports, destroys;
};

static int
egl_import(void *context, const struct fdid_image *img, void **object)
{
   struct egl_ctx *c = context;
   EGLint attribs[FDID_EGL_ATTRIBS_MAX];
   int n = fdid_image_to_egl_attribs(img, NULL, attribs, FDID_EGL_ATTRIBS_MAX);
   if (n < 0)
      return n;
   EGLImageKHR image = c->gl->create_image(c->gl->dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT,
                                           NULL, attribs);
   if (image == EGL_NO_IMAGE_KHR)
      return -EIO;
   c->imports++;
   *object = image;
   return 0;
}

static void
egl_destroy(void *context, void *object)
{
   struct egl_ctx *c = context;
   c->gl->destroy_image(c->gl->dpy, object);
   c->destroys++;
}

/* The image the caller's attribute list describes. */
static void
image_from_fd(struct fdid_image *img, int fd, uint32_t pitch)
{
   const EGLint attribs[] = {
      EGL_WIDTH, W, EGL_HEIGHT, H, EGL_LINUX_DRM_FOURCC_EXT, (EGLint)XR24,
      EGL_DMA_BUF_PLANE0_FD_EXT, fd, EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
      EGL_DMA_BUF_PLANE0_PITCH_EXT, (EGLint)pitch, EGL_NONE,
   };
   CHECK_EQ(fdid_image_from_egl_attribs(attribs, img, NULL), 0);
}

static GLuint
texture_of(struct gl_context *gl, void *image)
{
   GLuint tex;
   glGenTextures(1, &tex);
   glBindTexture(GL_TEXTURE_2D, tex);
   gl->image_target_texture(GL_TEXTURE_2D, image);
   CHECK_EQ(glGetError(), GL_NO_ERROR);
   return tex;
}

/* A GL context, a buffer, and an EGL import cache on the context: each
 * subtest's scene. */
struct scene {
   struct gl_context gl;
   struct buffer b;
   struct egl_ctx ec;
   struct fdid_import_cache *cache;
};

static void
scene_begin(struct scene *sc)
{
   gl_context_init(&sc->gl);
   buffer_init(&sc->b);
   sc->ec = (struct egl_ctx){ &sc->gl, 0, 0 };
   CHECK_EQ(fdid_import_cache_create(&sc->ec, egl_import, egl_destroy, &sc->cache), 0);
   CHECK_EQ(fdid_import_cache_set_idle_limit(sc->cache, 0), 0); /* the last release destroys */
}

/* The cache is destroyed, whatever it still holds; then GL and the
 * buffer. */
static void
scene_end(struct scene *sc)
{
   fdid_import_cache_destroy(sc->cache);
   gl_context_fini(&sc->gl);
   buffer_fini(&sc->b);
}

FDID_TEST(one_eglimage_per_buffer_and_it_samples_the_cpu_pattern)
{
   struct scene sc;
   scene_begin(&sc);

   /* First import, then the same buffer through a dup, a second export
    * (GEM hands out the same dma-buf again) and the first fd again. */
   int fd1, fd3;
   CHECK_EQ(fdid_bo_export(sc.b.bo, &fd1), 0);
   int fd2 = CHECK_SYS(dup(fd1));
   CHECK_EQ(fdid_bo_export(sc.b.bo, &fd3), 0);
   int fds[] = { fd1, fd2, fd3, fd1 };
   void *images[4];
   for (int i = 0; i < 4; i++) {
      struct fdid_image img;
      image_from_fd(&img, fds[i], sc.b.pitch);
      bool created;
      CHECK_EQ(fdid_import_cache_acquire(sc.cache, &img, &images[i], &created), 0);
      CHECK_EQ(created, i == 0);
      CHECK(images[i] == images[0]);
   }
   CHECK_EQ(sc.ec.imports, 1);
   CHECK_EQ(fdid_import_cache_count(sc.cache), 1);

   /* The caller's fds can go: the entry keeps the buffer's identity. */
   close(fd1);
   close(fd2);
   close(fd3);

   /* Sampling the EGLImage gives the pattern written through mmap. */
   GLuint tex = texture_of(&sc.gl, images[0]);
   static unsigned char rgba[W * H * 4];
   gl_sample_texture(tex, W, H, rgba);
   for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
         uint32_t p = pattern(x, y);
         const unsigned char *px = &rgba[(y * W + x) * 4];
         if (px[0] != ((p >> 16) & 0xff) || px[1] != ((p >> 8) & 0xff) || px[2] != (p & 0xff))
            fdid_test_fail(__FILE__, __LINE__, "pixel %d,%d: %02x%02x%02x, wrote %06x", x, y,
                           px[0], px[1], px[2], p & 0xffffff);
      }
   }
   glDeleteTextures(1, &tex);

   /* Three of four references dropped: the EGLImage stays. */
   for (int i = 0; i < 3; i++)
      CHECK_EQ(fdid_import_cache_release(sc.cache, images[i]), 0);
   CHECK_EQ(sc.ec.destroys, 0);
   CHECK_EQ(fdid_import_cache_release(sc.cache, images[3]), 0);
   CHECK_EQ(sc.ec.destroys, 1);
   CHECK_EQ(fdid_import_cache_count(sc.cache), 0);
   CHECK_EQ(fdid_import_cache_release(sc.cache, images[3]), -ENOENT);
   scene_end(&sc);
}

FDID_TEST(rendering_into_the_eglimage_is_seen_by_the_cpu)
{
   struct scene sc;
   scene_begin(&sc);
   int fd;
   CHECK_EQ(fdid_bo_export(sc.b.bo, &fd), 0);
   struct fdid_image img;
   image_from_fd(&img, fd, sc.b.pitch);
   void *image;
   CHECK_EQ(fdid_import_cache_acquire(sc.cache, &img, &image, NULL), 0);
   close(fd);

   GLuint tex = texture_of(&sc.gl, image), fbo;
   glGenFramebuffers(1, &fbo);
   glBindFramebuffer(GL_FRAMEBUFFER, fbo);
   glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex, 0);
   if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
      SKIP("this driver cannot render into an XR24 EGLImage");
   glViewport(0, 0, W, H);
   glClearColor(0.0f, 1.0f, 0.0f, 1.0f);
   glClear(GL_COLOR_BUFFER_BIT);
   glFinish();
   CHECK_EQ(glGetError(), GL_NO_ERROR);
   for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
         uint32_t p = sc.b.map[y * (sc.b.pitch / 4) + x] & 0xffffff;
         if (p != 0x00ff00)
            fdid_test_fail(__FILE__, __LINE__, "pixel %d,%d: %06x after a green clear", x, y, p);
      }
   }
   glBindFramebuffer(GL_FRAMEBUFFER, 0);
   glDeleteFramebuffers(1, &fbo);
   glDeleteTextures(1, &tex);

   /* Teardown with a reference still held destroys the EGLImage. */
   fdid_import_cache_destroy(sc.cache);
   sc.cache = NULL;
   CHECK_EQ(sc.ec.destroys, 1);
   scene_end(&sc);
}

/* The DRM device behind the EGLDisplay, through the winsys: the display's
 * description when EGL hands out its fd, and in any case the GPU of a
 * buffer made on another description of card0. */
FDID_TEST(egl_display_device_through_the_winsys)
{
   struct gl_context gl;
   gl_context_init(&gl);
   struct fdid_device *edev = NULL;
   bool same = false;
   int r = fdid_egl_display_device(gl.dpy, &edev, &same);
   if (r == -ENOTSUP) {
      /* Mesa files a kms_swrast GBM display under its software device,
       * which names no DRM node. A device-platform display on vgem's
       * EGLDevice does (it cannot render here, but it can be asked). */
      printf("# the GBM display has no DRM device: asking a device display\n");
      PFNEGLQUERYDEVICESEXTPROC query_devices =
         (PFNEGLQUERYDEVICESEXTPROC)eglGetProcAddress("eglQueryDevicesEXT");
      PFNEGLQUERYDEVICESTRINGEXTPROC query_string =
         (PFNEGLQUERYDEVICESTRINGEXTPROC)eglGetProcAddress("eglQueryDeviceStringEXT");
      EGLDeviceEXT devices[8];
      EGLint n = 0;
      if (!query_devices || !query_string || !query_devices(8, devices, &n))
         SKIP("no EGL_EXT_device_enumeration");
      EGLDisplay ddpy = EGL_NO_DISPLAY;
      for (EGLint i = 0; i < n && ddpy == EGL_NO_DISPLAY; i++) {
         const char *file = query_string(devices[i], EGL_DRM_DEVICE_FILE_EXT);
         if (file && strcmp(file, "/dev/dri/card0") == 0)
            ddpy = eglGetPlatformDisplay(EGL_PLATFORM_DEVICE_EXT, devices[i], NULL);
      }
      if (ddpy == EGL_NO_DISPLAY)
         SKIP("no EGLDevice names /dev/dri/card0");
      if (!eglInitialize(ddpy, NULL, NULL))
         SKIP("the device display of card0 cannot be initialized");
      r = fdid_egl_display_device(ddpy, &edev, &same);
      eglTerminate(ddpy);
   }
   CHECK_EQ(r, 0);
   struct fdid_device *mesa = dev_acquire(gl.card);
   if (same)
      CHECK(edev == mesa); /* one description, one entry */
   else
      CHECK(edev != mesa);
   CHECK(fdid_device_same_gpu(edev, mesa));
   int own = open_card();
   struct fdid_device *mine = dev_acquire(own);
   CHECK(mine != edev && mine != mesa);
   CHECK(fdid_device_same_gpu(edev, mine));
   printf("# EGL gave %s\n", same ? "its own fd (the display's description)"
                                   : "a device file (fdid's own description)");
   fdid_device_unref(mine);
   fdid_device_unref(mesa);
   fdid_device_unref(edev);
   close(own);
   CHECK_EQ(fdid_egl_display_device(EGL_NO_DISPLAY, &edev, NULL), -EINVAL);
   gl_context_fini(&gl);
}

FDID_TEST_MAIN()
