/* SPDX-License-Identifier: MIT */
/*
 * FFmpeg's DRM PRIME frames into EGL, per frame, in the guests: the
 * guest's own FFmpeg (kmsgrab) captures a ring of 3 buffers on virtio-gpu
 * (tests/consumers/ffmpeg_pipeline.c), and Mesa's EGL draws each frame
 * either through fdid (av_drm.h, an import cache keeping idle entries: 3
 * imports in all) or as mpv's GL interop and FFmpeg's hwmap do (import,
 * draw, destroy, every frame). Times per frame in one run, with the
 * per-frame import as the baseline; exact system calls per frame under
 * ptrace, the capture's own (timed and counted alone, the first row) taken
 * off the other rows. Software
 * drivers under TCG: on hardware an import also costs a GEM object, a
 * buffer object and its GPU mapping.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fdid/av_drm.h>
#include <fdid/egl_dmabuf.h>
#include <fdid/import_cache.h>

#include "ffmpeg_pipeline.h"
#include "gl_context.h"
#include "syscall_count.h"
#include "util/clock.h"

static long frames = 300;

struct consumer {
   struct scene *sc;
   struct ffmpeg_source src;
   struct gl_context gl;
   struct gl_sampler sampler;
   struct fdid_import_cache *cache;
   long imports;
};
static struct scene scene;
static struct consumer st;

static int
egl_import(void *context, const struct fdid_image *img, void **object)
{
   EGLint attribs[FDID_EGL_ATTRIBS_MAX];
   int n = fdid_image_to_egl_attribs(img, NULL, attribs, FDID_EGL_ATTRIBS_MAX);
   if (n < 0)
      return n;
   EGLImageKHR image =
      st.gl.create_image(st.gl.dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, attribs);
   if (image == EGL_NO_IMAGE_KHR)
      return -EIO;
   st.imports++;
   *object = image;
   return 0;
}

static void
egl_destroy(void *context, void *object)
{
   st.gl.destroy_image(st.gl.dpy, object);
}

static void
draw(void *image)
{
   GLuint tex;
   glGenTextures(1, &tex);
   glBindTexture(GL_TEXTURE_2D, tex);
   st.gl.image_target_texture(GL_TEXTURE_2D, image);
   unsigned char rgba[16];
   gl_sampler_draw(&st.sampler, tex, rgba);
   glDeleteTextures(1, &tex);
}

static void
image_of(const AVDRMFrameDescriptor *d, struct fdid_image *img)
{
   if (fdid_image_from_av_drm(d, 0, st.sc->width, st.sc->height, img) != 0) {
      fprintf(stderr, "bench_ffmpeg_interop: a frame fdid refuses\n");
      exit(1);
   }
}

/* The three loops: capture alone, capture and the per-frame import,
 * capture and fdid's cache. */
static void
loop_capture(void *arg, long n)
{
   for (long i = 0; i < n; i++) {
      scene_next(st.sc);
      ffmpeg_source_next(&st.src);
      ffmpeg_source_release(&st.src);
   }
}

static void
loop_per_frame(void *arg, long n)
{
   for (long i = 0; i < n; i++) {
      scene_next(st.sc);
      struct fdid_image img;
      image_of(ffmpeg_source_next(&st.src), &img);
      void *image;
      if (egl_import(NULL, &img, &image) != 0)
         exit(1);
      draw(image);
      egl_destroy(NULL, image);
      ffmpeg_source_release(&st.src);
   }
}

static void
loop_cached(void *arg, long n)
{
   for (long i = 0; i < n; i++) {
      scene_next(st.sc);
      struct fdid_image img;
      image_of(ffmpeg_source_next(&st.src), &img);
      void *image;
      if (fdid_import_cache_acquire(st.cache, &img, &image, NULL) != 0)
         exit(1);
      draw(image);
      fdid_import_cache_release(st.cache, image);
      ffmpeg_source_release(&st.src);
   }
}

/* The consumer, warmed up: Mesa's first draw compiles, and the cache has
 * met every buffer of the ring. */
static void
setup(void *arg)
{
   st.sc = &scene;
   gl_context_init_on(&st.gl, interop_driver());
   gl_sampler_init(&st.sampler, 2, 2);
   ffmpeg_source_open(&st.src);
   if (fdid_import_cache_create(NULL, egl_import, egl_destroy, &st.cache) != 0)
      exit(1);
   loop_per_frame(NULL, 2);
   loop_cached(NULL, SCENE_RING);
}

static void
teardown(void)
{
   fdid_import_cache_destroy(st.cache);
   ffmpeg_source_close(&st.src);
   gl_sampler_fini(&st.sampler);
   gl_context_fini(&st.gl);
}

static const struct bench_subject subjects[] = {
   { "capture alone (kmsgrab)", loop_capture, "" },
   { "per-frame import (mpv, hwmap)", loop_per_frame, "baseline" },
   { "fdid: av_drm + import cache", loop_cached, "3 imports in all" },
};
enum { N_SUBJECTS = sizeof(subjects) / sizeof(subjects[0]) };

static double
time_once(const struct bench_subject *s)
{
   uint64_t t0 = fdid_now_ns_u64();
   s->loop(NULL, frames);
   return (double)(fdid_now_ns_u64() - t0) / (double)frames;
}

int
main(void)
{
   /* llvmpipe's threads would keep their system calls from the count
    * (ptrace follows the main thread): draw on the main thread. */
   setenv("LP_NUM_THREADS", "0", 1);
   const char *env = getenv("FDID_BENCH_FRAMES");
   if (env && atol(env) > 0)
      frames = atol(env);
   scene_start(&scene);
   setup(NULL);
   long imports_before = st.imports;
   double ns[N_SUBJECTS];
   bench_best_of(subjects, N_SUBJECTS, 3, time_once, ns);
   long cached_imports = st.imports - imports_before - 3 * frames; /* per-frame's are N */
   printf("# %s, %ux%u ring of %d, %ld frames per timing, best of 3\n", st.src.version,
          scene.width, scene.height, SCENE_RING, frames);
   teardown();

   double calls[N_SUBJECTS];
   for (int i = 0; i < N_SUBJECTS; i++)
      calls[i] = syscalls_per_round(setup, bench_run_subject, (void *)&subjects[i], 50);
   printf("operation  ns/op  ratio  syscalls\n");
   for (int i = 0; i < N_SUBJECTS; i++) {
      /* The consumer's own: what the capture alone costs taken off. */
      double own_ns = i ? ns[i] - ns[0] : ns[0];
      double own_calls = i && calls[0] >= 0 ? calls[i] - calls[0] : calls[i];
      if (i == 0)
         printf("%s  %.0f  -  %.1f\n", subjects[i].name, own_ns, own_calls);
      else
         printf("%s  %.0f  %.2f  %.1f\n", subjects[i].name, own_ns,
                own_ns / (ns[1] - ns[0]), own_calls);
   }
   printf("# the cached path made %ld imports over %d timings of %ld frames\n",
          cached_imports, 3, frames);
   scene_end(&scene);
   return 0;
}
