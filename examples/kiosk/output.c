/* SPDX-License-Identifier: MIT */
/*
 * The screen: one connector, its CRTC and primary plane, a mode of the
 * size asked for (from the connector's list, else one made for it), and
 * page flips. Three frames at most: the one shown, the one in flight, and
 * the latest one committed since (an older queued frame is dropped: its
 * buffer released unshown, its callbacks carried to the newer one).
 *
 * A frame's buffer is released, and its framebuffer reference dropped,
 * when the flip that replaced it completes: only then does the display
 * stop reading it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include <fdid/image.h>

#include "kiosk.h"

#define XRGB8888 0x34325258u /* DRM_FORMAT_XRGB8888 */

/* A mode of w x h at 60 Hz. virtio-gpu (and most virtual displays) take
 * any size; the timings only need to be consistent. */
static void
mode_make(drmModeModeInfo *m, uint32_t w, uint32_t h)
{
   memset(m, 0, sizeof(*m));
   m->hdisplay = (uint16_t)w;
   m->hsync_start = (uint16_t)(w + 16);
   m->hsync_end = (uint16_t)(w + 48);
   m->htotal = (uint16_t)(w + 160);
   m->vdisplay = (uint16_t)h;
   m->vsync_start = (uint16_t)(h + 3);
   m->vsync_end = (uint16_t)(h + 6);
   m->vtotal = (uint16_t)(h + 30);
   m->vrefresh = 60;
   m->clock = (uint32_t)((uint64_t)m->htotal * m->vtotal * 60 / 1000);
   m->type = DRM_MODE_TYPE_USERDEF;
   snprintf(m->name, sizeof(m->name), "%ux%u", w, h);
}

/* The first connected connector, a CRTC its encoders reach, that CRTC's
 * primary plane, and the mode. */
static int
pick_output(struct kiosk_output *o, uint32_t want_w, uint32_t want_h)
{
   drmModeResPtr res = drmModeGetResources(o->fd);
   if (!res)
      return -errno;
   int ret = -ENOENT;
   int crtc_index = -1;
   for (int i = 0; i < res->count_connectors && crtc_index < 0; i++) {
      drmModeConnectorPtr c = drmModeGetConnector(o->fd, res->connectors[i]);
      if (!c)
         continue;
      if (c->connection == DRM_MODE_CONNECTED && c->count_modes > 0) {
         for (int e = 0; e < c->count_encoders && crtc_index < 0; e++) {
            drmModeEncoderPtr enc = drmModeGetEncoder(o->fd, c->encoders[e]);
            for (int j = 0; enc && j < res->count_crtcs; j++) {
               if (enc->possible_crtcs & (1u << j)) {
                  crtc_index = j;
                  break;
               }
            }
            drmModeFreeEncoder(enc);
         }
         if (crtc_index >= 0) {
            o->connector_id = c->connector_id;
            o->crtc_id = res->crtcs[crtc_index];
            o->mode = c->modes[0];
            for (int m = 0; m < c->count_modes; m++)
               if (c->modes[m].type & DRM_MODE_TYPE_PREFERRED)
                  o->mode = c->modes[m];
            if (want_w) {
               mode_make(&o->mode, want_w, want_h);
               for (int m = 0; m < c->count_modes; m++)
                  if (c->modes[m].hdisplay == want_w && c->modes[m].vdisplay == want_h) {
                     o->mode = c->modes[m];
                     break;
                  }
            }
         }
      }
      drmModeFreeConnector(c);
   }
   drmModeFreeResources(res);
   if (crtc_index < 0)
      return ret;
   o->width = o->mode.hdisplay;
   o->height = o->mode.vdisplay;

   /* The primary plane of that CRTC (universal planes were set by
    * fdid_kms_create()). */
   drmModePlaneResPtr planes = drmModeGetPlaneResources(o->fd);
   for (uint32_t i = 0; planes && i < planes->count_planes && !o->plane_id; i++) {
      drmModeObjectPropertiesPtr props =
         drmModeObjectGetProperties(o->fd, planes->planes[i], DRM_MODE_OBJECT_PLANE);
      drmModePlanePtr p = drmModeGetPlane(o->fd, planes->planes[i]);
      for (uint32_t j = 0; props && p && j < props->count_props; j++) {
         drmModePropertyPtr prop = drmModeGetProperty(o->fd, props->props[j]);
         if (prop && !strcmp(prop->name, "type") &&
             props->prop_values[j] == DRM_PLANE_TYPE_PRIMARY &&
             (p->possible_crtcs & (1u << crtc_index)))
            o->plane_id = p->plane_id;
         drmModeFreeProperty(prop);
      }
      drmModeFreePlane(p);
      drmModeFreeObjectProperties(props);
   }
   drmModeFreePlaneResources(planes);
   if (!o->plane_id)
      return -ENOENT;
   /* Its formats, for every client's zwp_linux_dmabuf_v1 (the modifiers
    * each takes come from fdid's cache, which read them once too). */
   drmModePlanePtr p = drmModeGetPlane(o->fd, o->plane_id);
   if (!p)
      return -errno;
   o->formats = malloc((p->count_formats ? p->count_formats : 1) * sizeof(*o->formats));
   if (o->formats) {
      memcpy(o->formats, p->formats, p->count_formats * sizeof(*o->formats));
      o->n_formats = p->count_formats;
   }
   drmModeFreePlane(p);
   return o->formats ? 0 : -ENOMEM;
}

/* A black dumb buffer of the mode's size, mapped, and its framebuffer
 * from the cache (through an image of its export, as any buffer). */
static int
dumb_create(struct kiosk_output *o, struct kiosk_dumb *d)
{
   int ret = fdid_bo_create_dumb(o->dev, o->width, o->height, 32, &d->bo, &d->pitch, &d->size);
   if (ret < 0)
      return ret;
   uint64_t offset;
   ret = fdid_bo_map_dumb_offset(d->bo, &offset);
   if (ret < 0)
      return ret;
   void *p = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd, (off_t)offset);
   if (p == MAP_FAILED)
      return -errno;
   d->pixels = p;
   memset(p, 0, d->size);
   int fd;
   ret = fdid_bo_export(d->bo, &fd);
   if (ret < 0)
      return ret;
   struct fdid_image img;
   fdid_image_init(&img, XRGB8888, o->width, o->height);
   img.modifier = FDID_MODIFIER_LINEAR;
   fdid_image_add_plane(&img, fd, 0, d->pitch);
   ret = fdid_image_resolve(&img);
   if (ret == 0)
      ret = fdid_kms_fb_acquire(o->kms, &img, &d->fb, NULL);
   close(fd);
   return ret;
}

static void
dumb_destroy(struct kiosk_dumb *d)
{
   if (d->pixels)
      munmap(d->pixels, d->size);
   fdid_kms_fb_unref(d->fb);
   fdid_bo_unref(d->bo);
   memset(d, 0, sizeof(*d));
}

static void
frame_init(struct kiosk_frame *f)
{
   f->fb = NULL;
   f->buffer = NULL;
   f->used = false;
   wl_list_init(&f->callbacks);
}

/* Answers the frame's callbacks: it is on screen. */
static void
frame_done(struct kiosk_frame *f, uint32_t msec)
{
   struct wl_resource *cb, *tmp;
   wl_resource_for_each_safe(cb, tmp, &f->callbacks) {
      wl_callback_send_done(cb, msec);
      wl_resource_destroy(cb);
   }
   wl_list_init(&f->callbacks);
}

/* The frame left the screen (or never reached it). */
static void
frame_retire(struct kiosk_frame *f)
{
   fdid_kms_fb_unref(f->fb);
   if (f->buffer)
      kiosk_buffer_release(f->buffer);
   frame_init(f);
}

static uint32_t
now_msec(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint32_t)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void flip_next(struct kiosk_output *o);

static void
page_flip_done(int fd, unsigned seq, unsigned sec, unsigned usec, void *data)
{
   struct kiosk_output *o = data;
   o->flip_pending = false;
   o->stats->flips++;
   frame_retire(&o->shown);
   o->shown = o->flipping;
   wl_list_init(&o->shown.callbacks);
   wl_list_insert_list(&o->shown.callbacks, &o->flipping.callbacks);
   frame_init(&o->flipping);
   frame_done(&o->shown, sec * 1000 + usec / 1000);
   if (o->queued.used)
      flip_next(o);
   else if (!o->client_shown)
      /* The background alone is on screen: no framebuffer of a client
       * that left is needed any more (their handles close with them). */
      fdid_kms_trim(o->kms, 0);
}

static int
drm_readable(int fd, uint32_t mask, void *data)
{
   drmEventContext ev = {
      .version = 2,
      .page_flip_handler = page_flip_done,
   };
   drmHandleEvent(fd, &ev);
   return 0;
}

/* Flips to the queued frame. An shm buffer is copied now, into the dumb
 * buffer not on screen, and released at once. */
static void
flip_next(struct kiosk_output *o)
{
   struct kiosk_frame f = o->queued;
   wl_list_init(&f.callbacks);
   wl_list_insert_list(&f.callbacks, &o->queued.callbacks);
   frame_init(&o->queued);

   if (!f.buffer || f.buffer->shm) {
      struct kiosk_dumb *d = &o->dumb[!o->dumb_shown];
      if (f.buffer) {
         memset(d->pixels, 0, d->size);
         kiosk_buffer_copy_shm(f.buffer, d, o->width, o->height);
         o->stats->shm_copies++;
         kiosk_buffer_release(f.buffer);
         f.buffer = NULL;
      } else {
         memset(d->pixels, 0, d->size);
      }
      o->dumb_shown = !o->dumb_shown;
      f.fb = fdid_kms_fb_ref(d->fb);
   } else {
      f.fb = fdid_kms_fb_ref(f.buffer->fb);
   }
   o->client_shown = f.buffer != NULL;

   if (!f.fb || drmModePageFlip(o->fd, o->crtc_id, fdid_kms_fb_id(f.fb),
                                DRM_MODE_PAGE_FLIP_EVENT, o) != 0) {
      /* Not shown: say so to no one, but let the client go on. */
      fprintf(stderr, "fdid-kiosk: page flip: %s\n", strerror(errno));
      o->stats->flip_errors++;
      frame_done(&f, now_msec());
      frame_retire(&f);
      return;
   }
   o->flipping = f;
   wl_list_init(&o->flipping.callbacks);
   wl_list_insert_list(&o->flipping.callbacks, &f.callbacks);
   o->flip_pending = true;
}

void
kiosk_output_present(struct kiosk_output *o, struct kiosk_buffer *buf, struct wl_list *callbacks)
{
   struct wl_list carried;
   wl_list_init(&carried);
   if (o->queued.used) {
      /* Replaced before it was shown. */
      wl_list_insert_list(&carried, &o->queued.callbacks);
      wl_list_init(&o->queued.callbacks);
      frame_retire(&o->queued);
   }
   o->queued.used = true;
   o->queued.buffer = buf;
   if (buf)
      kiosk_buffer_hold(buf);
   wl_list_insert_list(&o->queued.callbacks, &carried);
   if (callbacks) {
      wl_list_insert_list(&o->queued.callbacks, callbacks);
      wl_list_init(callbacks);
   }
   if (!o->flip_pending)
      flip_next(o);
}

void
kiosk_output_clear(struct kiosk_output *o)
{
   kiosk_output_present(o, NULL, NULL);
}

int
kiosk_output_init(struct kiosk *k, const char *device, uint32_t want_w, uint32_t want_h)
{
   struct kiosk_output *o = &k->output;
   o->stats = &k->stats;
   frame_init(&o->shown);
   frame_init(&o->flipping);
   frame_init(&o->queued);
   int fd = open(device, O_RDWR | O_CLOEXEC);
   if (fd < 0) {
      fprintf(stderr, "fdid-kiosk: %s: %s\n", device, strerror(errno));
      return -errno;
   }
   /* The table keeps a dup: one description, master as the first opener. */
   int ret = fdid_device_acquire(fd, &o->dev);
   close(fd);
   if (ret < 0) {
      fprintf(stderr, "fdid-kiosk: %s: not a DRM device: %s\n", device, strerror(-ret));
      return ret;
   }
   o->fd = fdid_device_fd(o->dev);
   /* The first opener is DRM master; if another process held it as we
    * opened, take it once it lets go (root may), for a few seconds. */
   for (int i = 0; drmSetMaster(o->fd) != 0; i++) {
      if (i == 100) {
         fprintf(stderr, "fdid-kiosk: %s: another process is DRM master: %s\n", device,
                 strerror(errno));
         return -EBUSY;
      }
      usleep(20000);
   }
   ret = fdid_kms_create(o->dev, 0, &o->kms);
   if (ret < 0) {
      fprintf(stderr, "fdid-kiosk: %s: no KMS: %s\n", device, strerror(-ret));
      return ret;
   }
   ret = pick_output(o, want_w, want_h);
   if (ret < 0) {
      fprintf(stderr, "fdid-kiosk: %s: no connected output with a primary plane\n", device);
      return ret;
   }
   for (int i = 0; i < 2; i++) {
      ret = dumb_create(o, &o->dumb[i]);
      if (ret < 0) {
         fprintf(stderr, "fdid-kiosk: dumb buffer: %s\n", strerror(-ret));
         return ret;
      }
   }
   if (drmModeSetCrtc(o->fd, o->crtc_id, fdid_kms_fb_id(o->dumb[0].fb), 0, 0,
                      &o->connector_id, 1, &o->mode) != 0) {
      ret = -errno;
      fprintf(stderr, "fdid-kiosk: mode %s: %s\n", o->mode.name, strerror(errno));
      return ret;
   }
   o->dumb_shown = 0;
   o->drm_source = wl_event_loop_add_fd(wl_display_get_event_loop(k->display), o->fd,
                                        WL_EVENT_READABLE, drm_readable, o);
   return o->drm_source ? 0 : -ENOMEM;
}

void
kiosk_output_finish(struct kiosk_output *o)
{
   if (o->drm_source)
      wl_event_source_remove(o->drm_source);
   /* A flip in flight still completes in the kernel: wait for it, so that
    * its framebuffer is not removed under the display. */
   if (o->flip_pending) {
      drmEventContext ev = { .version = 2, .page_flip_handler = page_flip_done };
      o->queued.used = false;
      while (o->flip_pending && drmHandleEvent(o->fd, &ev) == 0)
         ;
   }
   frame_retire(&o->queued);
   frame_retire(&o->flipping);
   frame_retire(&o->shown);
   for (int i = 0; i < 2; i++)
      dumb_destroy(&o->dumb[i]);
   fdid_kms_destroy(o->kms);
   fdid_device_unref(o->dev);
   free(o->formats);
}
