/* SPDX-License-Identifier: MIT */
/* The scene and FFmpeg's kmsgrab (ffmpeg_pipeline.h). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "drm_node.h"
#include "drm_util.h"
#include "fdid_test.h"
#include "ffmpeg_pipeline.h"

const char *
interop_driver(void)
{
   const char *d = getenv("FDID_INTEROP_DRIVER");
   return d && *d ? d : "virtio_gpu";
}

/* A primary node of the interop driver; skips where there is none. */
static int
open_scene_card(void)
{
   int fd = drm_open_driver(interop_driver(), false);
   if (fd < 0)
      SKIP("no %s node (FDID_INTEROP_DRIVER names another)", interop_driver());
   return fd;
}

/* ---- the scene: a KMS master, in its own process ------------------------ */

struct ring_buffer {
   struct dumb dumb;
   uint32_t *map, fb;
   int shared; /* the buffer's dma-buf, exported read-write */
};

static void
fill(struct ring_buffer *b, uint32_t w, uint32_t h, uint32_t color)
{
   for (uint32_t y = 0; y < h; y++) {
      uint32_t *row = b->map + (size_t)y * (b->dumb.pitch / 4);
      for (uint32_t x = 0; x < w; x++)
         row[x] = color;
   }
}

/* The smallest mode of the first connected connector: fewer pixels to
 * fill per frame under emulation. */
static void
pick_output(int fd, uint32_t *crtc, uint32_t *connector, drmModeModeInfo *mode)
{
   drmModeResPtr res = drmModeGetResources(fd);
   CHECK(res && res->count_crtcs > 0);
   *crtc = res->crtcs[0];
   *connector = 0;
   for (int i = 0; i < res->count_connectors && !*connector; i++) {
      drmModeConnectorPtr k = drmModeGetConnector(fd, res->connectors[i]);
      if (k && k->connection == DRM_MODE_CONNECTED && k->count_modes > 0) {
         *connector = k->connector_id;
         *mode = k->modes[0];
         for (int m = 1; m < k->count_modes; m++) {
            if ((uint64_t)k->modes[m].hdisplay * k->modes[m].vdisplay <
                (uint64_t)mode->hdisplay * mode->vdisplay)
               *mode = k->modes[m];
         }
      }
      drmModeFreeConnector(k);
   }
   drmModeFreeResources(res);
   CHECK(*connector != 0);
}

/* The scene's process: for each 'n' it reads, shows the next buffer of
 * the ring, filled with the next frame's colour (scene_color()), and
 * answers that colour once it is on screen (SetCrtc returns when the plane
 * shows it); at 'e' it frees everything and exits. */
static void
scene_main(int in, int out)
{
   int fd = open_scene_card();
   CHECK_SYS(drm_take_master(fd)); /* drm_open_driver() gave it back */
   uint32_t crtc, connector;
   drmModeModeInfo mode;
   pick_output(fd, &crtc, &connector, &mode);
   uint32_t w = mode.hdisplay, h = mode.vdisplay;
   struct ring_buffer ring[SCENE_RING];
   for (unsigned i = 0; i < SCENE_RING; i++) {
      ring[i].dumb = dumb_create(fd, w, h);
      ring[i].map = gem_map(fd, ring[i].dumb.handle, ring[i].dumb.size);
      fill(&ring[i], w, h, scene_color(i, 0));
      /* A GEM object has one dma-buf file, made by its first export:
       * kmsgrab exports O_RDONLY, and lavapipe maps what it imports
       * read-write. The scene exports each buffer read-write first, as a
       * compositor that shares its buffers does. */
      CHECK_EQ(drmPrimeHandleToFD(fd, ring[i].dumb.handle, DRM_CLOEXEC | DRM_RDWR,
                                  &ring[i].shared), 0);
      uint32_t handles[4] = { ring[i].dumb.handle }, pitches[4] = { ring[i].dumb.pitch },
               offsets[4] = { 0 };
      CHECK_EQ(drmModeAddFB2(fd, w, h, 0x34325258 /* XR24 */, handles, pitches, offsets,
                             &ring[i].fb, 0), 0);
   }
   CHECK_EQ(drmModeSetCrtc(fd, crtc, ring[0].fb, 0, 0, &connector, 1, &mode), 0);
   uint32_t size[2] = { w, h };
   CHECK_EQ(write(out, size, sizeof(size)), (ssize_t)sizeof(size));
   char c;
   for (unsigned frame = 1; read(in, &c, 1) == 1 && c == 'n'; frame++) {
      unsigned i = frame % SCENE_RING;
      uint32_t color = scene_color(i, frame);
      fill(&ring[i], w, h, color);
      CHECK_EQ(drmModeSetCrtc(fd, crtc, ring[i].fb, 0, 0, &connector, 1, &mode), 0);
      CHECK_EQ(write(out, &color, sizeof(color)), (ssize_t)sizeof(color));
   }
   drmModeSetCrtc(fd, crtc, 0, 0, 0, NULL, 0, NULL);
   for (unsigned i = 0; i < SCENE_RING; i++) {
      drmModeRmFB(fd, ring[i].fb);
      munmap(ring[i].map, ring[i].dumb.size);
      close(ring[i].shared);
      gem_close(fd, ring[i].dumb.handle);
   }
   close(fd);
   _exit(0);
}

void
scene_start(struct scene *s)
{
   int probe = open_scene_card();
   close(probe);
   s->display = display_lock();
   int to[2], from[2];
   CHECK_SYS(pipe2(to, O_CLOEXEC));
   CHECK_SYS(pipe2(from, O_CLOEXEC));
   s->pid = CHECK_SYS(fork());
   if (s->pid == 0) {
      close(to[1]);
      close(from[0]);
      scene_main(to[0], from[1]);
   }
   close(to[0]);
   close(from[1]);
   s->to_scene = to[1];
   s->from_scene = from[0];
   uint32_t size[2];
   CHECK_EQ(read(s->from_scene, size, sizeof(size)), (ssize_t)sizeof(size));
   s->width = size[0];
   s->height = size[1];
}

uint32_t
scene_next(struct scene *s)
{
   uint32_t color;
   CHECK_EQ(write(s->to_scene, "n", 1), 1);
   CHECK_EQ(read(s->from_scene, &color, sizeof(color)), (ssize_t)sizeof(color));
   return color;
}

void
scene_end(struct scene *s)
{
   CHECK_EQ(write(s->to_scene, "e", 1), 1);
   int status;
   CHECK_EQ(waitpid(s->pid, &status, 0), s->pid);
   CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
   close(s->to_scene);
   close(s->from_scene);
   display_unlock(s->display);
}

/* ---- FFmpeg, loaded by soname ------------------------------------------ */

struct ffmpeg_calls {
   unsigned (*avdevice_version)(void);
   __typeof__(&avdevice_register_all) register_all;
   __typeof__(&av_find_input_format) find_input_format;
   __typeof__(&avformat_open_input) open_input;
   __typeof__(&avformat_close_input) close_input;
   __typeof__(&av_read_frame) read_frame;
   __typeof__(&av_packet_alloc) packet_alloc;
   __typeof__(&av_packet_unref) packet_unref;
   __typeof__(&av_packet_free) packet_free;
   __typeof__(&av_dict_set) dict_set;
   __typeof__(&av_dict_free) dict_free;
   __typeof__(&av_log_set_level) log_set_level;
};

static void *
need(void *lib, const char *name)
{
   void *f = dlsym(lib, name);
   if (!f)
      fdid_test_fail(__FILE__, __LINE__, "FFmpeg has no %s", name);
   return f;
}

/* dlsym's object pointer into a function pointer (ISO C has no cast
 * between the two; POSIX makes them the same size). */
#define LOAD(field, name)                                                     \
   do {                                                                       \
      void *sym_ = need(src->lib, name);                                      \
      memcpy(&f->field, &sym_, sizeof(sym_));                                 \
   } while (0)

void
ffmpeg_source_open(struct ffmpeg_source *src)
{
   memset(src, 0, sizeof(*src));
   static const char *const sonames[] = { "libavdevice.so.61", "libavdevice.so.60",
                                          "libavdevice.so.59", "libavdevice.so.58" };
   for (size_t i = 0; i < sizeof(sonames) / sizeof(sonames[0]) && !src->lib; i++)
      src->lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
   if (!src->lib)
      SKIP("FFmpeg's libavdevice is not installed here");
   struct ffmpeg_calls *f = calloc(1, sizeof(*f));
   CHECK(f != NULL);
   src->calls = f;
   LOAD(avdevice_version, "avdevice_version");
   LOAD(register_all, "avdevice_register_all");
   LOAD(find_input_format, "av_find_input_format");
   LOAD(open_input, "avformat_open_input");
   LOAD(close_input, "avformat_close_input");
   LOAD(read_frame, "av_read_frame");
   LOAD(packet_alloc, "av_packet_alloc");
   LOAD(packet_unref, "av_packet_unref");
   LOAD(packet_free, "av_packet_free");
   LOAD(dict_set, "av_dict_set");
   LOAD(dict_free, "av_dict_free");
   LOAD(log_set_level, "av_log_set_level");
   unsigned v = f->avdevice_version();
   snprintf(src->version, sizeof(src->version), "libavdevice %u.%u", v >> 16, (v >> 8) & 0xff);

   f->log_set_level(AV_LOG_ERROR);
   f->register_all();
   const AVInputFormat *kmsgrab = f->find_input_format("kmsgrab");
   if (!kmsgrab)
      SKIP("this FFmpeg has no kmsgrab");
   char card[64];
   if (!drm_node_of(interop_driver(), false, card, sizeof(card)))
      SKIP("no %s node", interop_driver());
   AVDictionary *opts = NULL;
   f->dict_set(&opts, "device", card, 0);
   f->dict_set(&opts, "framerate", "1000", 0); /* kmsgrab paces to it: as fast as we go */
   AVFormatContext *fmt = NULL;
   int r = f->open_input(&fmt, "-", kmsgrab, &opts);
   f->dict_free(&opts);
   if (r < 0)
      fdid_test_fail(__FILE__, __LINE__, "kmsgrab on %s: error %d", card, r);
   src->fmt = fmt;
   src->packet = f->packet_alloc();
   CHECK(src->packet != NULL);
}

/* kmsgrab's packets carry an AVFrame (wrapped_avframe) whose data[0] is
 * the descriptor: AVPacket.data and AVFrame.data[0] sit where they sit in
 * every FFmpeg from 4 to 7. */
const AVDRMFrameDescriptor *
ffmpeg_source_next(struct ffmpeg_source *src)
{
   CHECK(!src->holding);
   AVPacket *pkt = src->packet;
   int r = src->calls->read_frame(src->fmt, pkt);
   if (r < 0)
      fdid_test_fail(__FILE__, __LINE__, "kmsgrab: av_read_frame error %d", r);
   src->holding = true;
   const AVFrame *frame = (const AVFrame *)pkt->data;
   CHECK(frame != NULL && pkt->size > 0);
   return (const AVDRMFrameDescriptor *)frame->data[0];
}

void
ffmpeg_source_release(struct ffmpeg_source *src)
{
   if (src->holding)
      src->calls->packet_unref(src->packet);
   src->holding = false;
}

void
ffmpeg_source_close(struct ffmpeg_source *src)
{
   ffmpeg_source_release(src);
   AVPacket *pkt = src->packet;
   src->calls->packet_free(&pkt);
   AVFormatContext *fmt = src->fmt;
   src->calls->close_input(&fmt);
   free(src->calls);
   /* FFmpeg stays loaded: its libraries keep what avdevice_register_all()
    * and the formats set up for the life of the process. */
}
