/* SPDX-License-Identifier: MIT */
/*
 * FFmpeg's DRM PRIME frames through fdid into GL and Vulkan, the way
 * players get them: libavdevice's kmsgrab (the guest's own FFmpeg,
 * unmodified) captures a scene that shows a ring of 3 buffers on
 * virtio-gpu, a different one every frame; each frame comes as an
 * AVDRMFrameDescriptor with fresh dma-buf fds. The consumer is written as
 * players write it: per frame, acquire the frame's object, draw with it,
 * release it; nothing is held past the frame.
 *
 * Through av_drm.h and an import cache that keeps idle entries, N frames
 * cost K imports (one per buffer of the ring: eglCreateImageKHR, or a
 * vkAllocateMemory with an import, counted in the import callbacks); the
 * per-frame pattern of mpv's GL interop and FFmpeg's hwmap (import, draw,
 * destroy, every frame) costs N, run side by side in the same subtest and
 * timed. The scene moves in step with the consumer, so each frame's
 * pixels are known: every frame drawn must be the colour on screen, and
 * one object must always be one buffer of the ring. The cache pins one dup
 * per buffer; fds are flat over 1000 frames and back after.
 *
 * EGL: Mesa on virtio-gpu's card node (kms_swrast), both guests. Vulkan:
 * lavapipe, which imports dma-bufs on Debian 13 (Debian 12's cannot: it
 * skips there, saying so). On a GPU machine (the piglit profile),
 * FDID_INTEROP_DRIVER names its KMS driver ("i915", "amdgpu"): the scene,
 * kmsgrab and EGL run on its real driver, and Vulkan on the device that
 * imports; the display must be free (no compositor as DRM master).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fdid/av_drm.h>
#include <fdid/egl_dmabuf.h>
#include <fdid/import_cache.h>

#include "fdid_test.h"
#include "ffmpeg_pipeline.h"
#include "fourccs.h"
#include "gl_context.h"
#ifdef FDID_HAVE_VULKAN_LOADER
#include "vk_context.h"
#endif

static unsigned
frames_wanted(unsigned fallback)
{
   const char *s = getenv("FDID_INTEROP_FRAMES");
   return s && atoi(s) > 0 ? (unsigned)atoi(s) : fallback;
}

static double
now_s(void)
{
   struct timespec t;
   clock_gettime(CLOCK_MONOTONIC, &t);
   return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- what every consumer checks of a frame's colour ---------------------- */

/* The ring's mark (red) each object showed: one object, one buffer. */
struct marks {
   const void *object[16];
   uint32_t red[16];
   unsigned n;
};

static void
check_mark(struct marks *m, const void *object, uint32_t rgb)
{
   uint32_t red = rgb >> 16;
   CHECK(red == 0x40 || red == 0x80 || red == 0xc0);
   for (unsigned i = 0; i < m->n; i++) {
      if (m->object[i] == object) {
         CHECK_EQ(m->red[i], red);
         return;
      }
   }
   CHECK(m->n < 16);
   m->object[m->n] = object;
   m->red[m->n++] = red;
}

/* ---- EGL: Mesa on the interop driver's card ----------------------------- */

struct egl {
   struct gl_context gl;
   struct gl_sampler sampler;
   int imports, destroys;
};

static int
egl_import(void *context, const struct fdid_image *img, void **object)
{
   struct egl *e = context;
   EGLint attribs[FDID_EGL_ATTRIBS_MAX];
   int n = fdid_image_to_egl_attribs(img, NULL, attribs, FDID_EGL_ATTRIBS_MAX);
   if (n < 0)
      return n;
   EGLImageKHR image = e->gl.create_image(e->gl.dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT,
                                          NULL, attribs);
   if (image == EGL_NO_IMAGE_KHR)
      return -EIO;
   e->imports++;
   *object = image;
   return 0;
}

static void
egl_destroy(void *context, void *object)
{
   struct egl *e = context;
   e->gl.destroy_image(e->gl.dpy, object);
   e->destroys++;
}

/* Draws with the image: its colour, 0x00RRGGBB. */
static uint32_t
egl_draw(struct egl *e, void *image)
{
   GLuint tex;
   glGenTextures(1, &tex);
   glBindTexture(GL_TEXTURE_2D, tex);
   e->gl.image_target_texture(GL_TEXTURE_2D, image);
   CHECK_EQ(glGetError(), GL_NO_ERROR);
   unsigned char rgba[2 * 2 * 4];
   gl_sampler_draw(&e->sampler, tex, rgba);
   glDeleteTextures(1, &tex);
   return (uint32_t)rgba[0] << 16 | (uint32_t)rgba[1] << 8 | rgba[2];
}

/* A consumer's frame: draws with the frame's descriptor, returns the colour
 * drawn and (for the cached path) the object drawn with. */
typedef uint32_t (*frame_fn)(void *consumer, struct fdid_import_cache *cache,
                             const struct scene *sc, const AVDRMFrameDescriptor *d,
                             void **object);

struct run {
   unsigned frames;
   double consumer_s; /* time in the consumer's frame, capture left out */
};

/* `frames` frames: the scene shows the next buffer, kmsgrab captures it,
 * the consumer draws it; every frame's colour must be the one on screen. */
static struct run
play(void *consumer, frame_fn frame, struct fdid_import_cache *cache, struct scene *sc,
     struct ffmpeg_source *src, unsigned frames, struct marks *marks)
{
   struct run r = { frames, 0 };
   for (unsigned f = 0; f < frames; f++) {
      uint32_t shown = scene_next(sc);
      const AVDRMFrameDescriptor *d = ffmpeg_source_next(src);
      double t = now_s();
      void *obj = NULL;
      uint32_t rgb = frame(consumer, cache, sc, d, &obj);
      r.consumer_s += now_s() - t;
      ffmpeg_source_release(src);
      CHECK_EQ(rgb, shown);
      if (marks && obj)
         check_mark(marks, obj, rgb);
      if (cache)
         CHECK(fdid_import_cache_idle_count(cache) <= FDID_IMPORT_CACHE_IDLE_DEFAULT);
   }
   return r;
}

static void
report(const char *api, const struct run *cached, unsigned cached_imports,
       const struct run *per_frame, unsigned per_frame_imports)
{
   double a = cached->consumer_s * 1e3 / cached->frames;
   double b = per_frame->consumer_s * 1e3 / per_frame->frames;
   printf("# %s: fdid %u frames, %u imports, %.3f ms/frame; per-frame import %u frames, "
          "%u imports, %.3f ms/frame; per-frame / fdid %.2fx (TCG, software driver)\n",
          api, cached->frames, cached_imports, a, per_frame->frames, per_frame_imports, b,
          b / a);
   /* For bench/run (FDID_BENCH_TABLE=1): the per-frame import is the
    * baseline; the consumer's time per frame, capture left out. */
   if (getenv("FDID_BENCH_TABLE")) {
      printf("operation  ns/op  ratio\n");
      printf("%s per-frame import  %.0f  1.00\n", api, b * 1e6);
      printf("%s fdid cache (K imports)  %.0f  %.2f\n", api, a * 1e6, a / b);
   }
}

static uint32_t
egl_frame_cached(void *consumer, struct fdid_import_cache *cache, const struct scene *sc,
                 const AVDRMFrameDescriptor *d, void **object)
{
   struct egl *e = consumer;
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_av_drm(d, 0, sc->width, sc->height, &img), 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, object, NULL), 0);
   uint32_t rgb = egl_draw(e, *object);
   CHECK_EQ(fdid_import_cache_release(cache, *object), 0);
   return rgb;
}

/* As mpv's GL interop does it: import, draw, destroy. */
static uint32_t
egl_frame_per_frame(void *consumer, struct fdid_import_cache *cache, const struct scene *sc,
                    const AVDRMFrameDescriptor *d, void **object)
{
   struct egl *e = consumer;
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_av_drm(d, 0, sc->width, sc->height, &img), 0);
   void *image;
   CHECK_EQ(egl_import(e, &img, &image), 0);
   uint32_t rgb = egl_draw(e, image);
   egl_destroy(e, image);
   return rgb;
}

static void
egl_begin(struct egl *e, struct scene *sc, struct ffmpeg_source *src)
{
   scene_start(sc);
   memset(e, 0, sizeof(*e));
   gl_context_init_on(&e->gl, interop_driver());
   gl_sampler_init(&e->sampler, 2, 2);
   ffmpeg_source_open(src);
   printf("# %s: kmsgrab of a %ux%u ring of %d on %s\n", src->version, sc->width,
          sc->height, SCENE_RING, interop_driver());
}

static void
egl_end(struct egl *e, struct scene *sc, struct ffmpeg_source *src)
{
   ffmpeg_source_close(src);
   gl_sampler_fini(&e->sampler);
   gl_context_fini(&e->gl);
   scene_end(sc);
}

FDID_TEST(egl_k_imports_for_n_frames_beside_the_per_frame_import)
{
   struct scene sc;
   struct egl e;
   struct ffmpeg_source src;
   egl_begin(&e, &sc, &src);
   /* The per-frame pattern first: it warms Mesa up (its first draw
    * compiles) and leaves nothing behind. */
   unsigned n = frames_wanted(1000), m = n / 5 > 20 ? n / 5 : 20;
   struct run per_frame = play(&e, egl_frame_per_frame, NULL, &sc, &src, m, NULL);
   CHECK_EQ(e.imports, (int)m);
   CHECK_EQ(e.destroys, (int)m);
   int fds_start = open_fd_count();

   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&e, egl_import, egl_destroy, &cache), 0);
   struct marks marks = { 0 };
   play(&e, egl_frame_cached, cache, &sc, &src, SCENE_RING, &marks);
   /* The cache pins each buffer of the ring with one dup, and no more. */
   int fds_ring = open_fd_count();
   CHECK_EQ(fds_ring, fds_start + SCENE_RING);
   struct run cached = play(&e, egl_frame_cached, cache, &sc, &src, n, &marks);
   /* K, not N: one import per buffer of the ring, every frame's pixels
    * the frame's, fds flat. */
   CHECK_EQ(marks.n, SCENE_RING);
   CHECK_EQ(e.imports - (int)m, SCENE_RING);
   CHECK_EQ(e.destroys, (int)m);
   CHECK_EQ(fdid_import_cache_count(cache), SCENE_RING);
   CHECK_EQ(open_fd_count(), fds_ring);
   report("EGL (Mesa, kms_swrast)", &cached, SCENE_RING, &per_frame, m);

   fdid_import_cache_destroy(cache);
   CHECK_EQ(e.destroys, e.imports);
   CHECK_EQ(open_fd_count(), fds_start);
   egl_end(&e, &sc, &src);
}

/* An idle bound of 0: the cache is what it was before idle entries, and a
 * player releasing every frame imports every frame. */
FDID_TEST(egl_idle_bound_zero_imports_every_frame)
{
   struct scene sc;
   struct egl e;
   struct ffmpeg_source src;
   egl_begin(&e, &sc, &src);
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&e, egl_import, egl_destroy, &cache), 0);
   CHECK_EQ(fdid_import_cache_set_idle_limit(cache, 0), 0);
   enum { N = 12 };
   play(&e, egl_frame_cached, cache, &sc, &src, N, NULL);
   CHECK_EQ(e.imports, N);
   CHECK_EQ(e.destroys, N);
   CHECK_EQ(fdid_import_cache_count(cache), 0);
   fdid_import_cache_destroy(cache);
   egl_end(&e, &sc, &src);
}

#ifdef FDID_HAVE_VULKAN_LOADER
/* ---- Vulkan: lavapipe ---------------------------------------------------- */

/* The frame's image as Vulkan takes it: virtio-gpu takes no modifiers
 * (kmsgrab says DRM_FORMAT_MOD_INVALID), and its dumb buffers are linear,
 * as a player on this device knows. */
static void
vk_image_of(const struct scene *sc, const AVDRMFrameDescriptor *d, struct fdid_image *img)
{
   CHECK_EQ(fdid_image_from_av_drm(d, 0, sc->width, sc->height, img), 0);
   if (img->modifier == FDID_MODIFIER_NONE)
      img->modifier = FDID_MODIFIER_LINEAR;
}

static uint32_t
vk_draw(struct vk *v, const struct vk_object *o)
{
   uint32_t px[4];
   vk_read_back(v, o->image, 2, 2, px);
   return px[0] & 0xffffff; /* B8G8R8A8 in memory: 0xAARRGGBB */
}

static uint32_t
vk_frame_cached(void *consumer, struct fdid_import_cache *cache, const struct scene *sc,
                const AVDRMFrameDescriptor *d, void **object)
{
   struct fdid_image img;
   vk_image_of(sc, d, &img);
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, object, NULL), 0);
   uint32_t rgb = vk_draw(consumer, *object);
   CHECK_EQ(fdid_import_cache_release(cache, *object), 0);
   return rgb;
}

/* As FFmpeg's hwmap to Vulkan does it: import, use, destroy. */
static uint32_t
vk_frame_per_frame(void *consumer, struct fdid_import_cache *cache, const struct scene *sc,
                   const AVDRMFrameDescriptor *d, void **object)
{
   struct fdid_image img;
   vk_image_of(sc, d, &img);
   void *o;
   CHECK_EQ(vk_import(consumer, &img, &o), 0);
   uint32_t rgb = vk_draw(consumer, o);
   vk_destroy(consumer, o);
   return rgb;
}

FDID_TEST(vulkan_k_imports_for_n_frames_beside_the_per_frame_import)
{
   struct scene sc;
   scene_start(&sc);
   struct vk v;
   vk_init(&v, NULL);
   struct ffmpeg_source src;
   ffmpeg_source_open(&src);
   unsigned n = frames_wanted(1000), m = n / 5 > 20 ? n / 5 : 20;
   struct run per_frame = play(&v, vk_frame_per_frame, NULL, &sc, &src, m, NULL);
   CHECK_EQ(v.imports, (int)m);
   int fds_start = open_fd_count();

   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&v, vk_import, vk_destroy, &cache), 0);
   struct marks marks = { 0 };
   play(&v, vk_frame_cached, cache, &sc, &src, SCENE_RING, &marks);
   /* Per buffer: the cache's dup, and lavapipe's own (it keeps a dup of
    * what it imports, and closes it with the memory). */
   int fds_ring = open_fd_count();
   CHECK(fds_ring >= fds_start + SCENE_RING);
   struct run cached = play(&v, vk_frame_cached, cache, &sc, &src, n, &marks);
   CHECK_EQ(marks.n, SCENE_RING);
   CHECK_EQ(v.imports - (int)m, SCENE_RING);
   CHECK_EQ(open_fd_count(), fds_ring);
   report("Vulkan (lavapipe)", &cached, SCENE_RING, &per_frame, m);

   fdid_import_cache_destroy(cache);
   CHECK_EQ(open_fd_count(), fds_start);
   ffmpeg_source_close(&src);
   vk_fini(&v);
   scene_end(&sc);
}
#endif

FDID_TEST_MAIN()
