/* SPDX-License-Identifier: MIT */
/*
 * Client buffers. A dma-buf wl_buffer is made by dmabuf.c around a
 * framebuffer of fdid's cache, acquired once when the buffer is made: each
 * commit after costs no import and no AddFB. An shm wl_buffer is
 * libwayland's; the kiosk wraps it on its first commit (found again
 * through its destroy listener) and copies it at each flip.
 *
 * A buffer is held by the surface that committed it (until the next
 * commit) and by the frames that show it (until the flip that replaces
 * them); the last release sends wl_buffer.release. The client may destroy
 * its wl_buffer at any time: the kiosk's side lives on, unnamed, until
 * nothing holds it.
 */
#include <stdlib.h>
#include <string.h>

#include "kiosk.h"

static void
buffer_free_if_unused(struct kiosk_buffer *b)
{
   if (b->resource || b->holds)
      return;
   fdid_kms_fb_unref(b->fb);
   free(b);
}

static void
resource_destroyed(struct wl_listener *listener, void *data)
{
   struct kiosk_buffer *b = wl_container_of(listener, b, resource_destroy);
   b->resource = NULL;
   buffer_free_if_unused(b);
}

static void
dmabuf_buffer_destroy(struct wl_client *client, struct wl_resource *resource)
{
   wl_resource_destroy(resource);
}

static const struct wl_buffer_interface dmabuf_buffer_impl = {
   .destroy = dmabuf_buffer_destroy,
};

struct kiosk_buffer *
kiosk_buffer_create_dmabuf(struct wl_client *client, uint32_t id, struct fdid_kms_fb *fb,
                           uint32_t width, uint32_t height)
{
   struct kiosk_buffer *b = calloc(1, sizeof(*b));
   if (!b)
      return NULL;
   b->resource = wl_resource_create(client, &wl_buffer_interface, 1, id);
   if (!b->resource) {
      free(b);
      return NULL;
   }
   b->fb = fb;
   b->width = width;
   b->height = height;
   wl_resource_set_implementation(b->resource, &dmabuf_buffer_impl, b, NULL);
   b->resource_destroy.notify = resource_destroyed;
   wl_resource_add_destroy_listener(b->resource, &b->resource_destroy);
   return b;
}

struct kiosk_buffer *
kiosk_buffer_from_resource(struct wl_resource *resource)
{
   if (wl_resource_instance_of(resource, &wl_buffer_interface, &dmabuf_buffer_impl))
      return wl_resource_get_user_data(resource);
   struct wl_shm_buffer *shm = wl_shm_buffer_get(resource);
   if (!shm)
      return NULL;
   struct wl_listener *l = wl_resource_get_destroy_listener(resource, resource_destroyed);
   if (l) {
      struct kiosk_buffer *b = wl_container_of(l, b, resource_destroy);
      return b;
   }
   struct kiosk_buffer *b = calloc(1, sizeof(*b));
   if (!b)
      return NULL;
   b->resource = resource;
   b->shm = true;
   b->width = (uint32_t)wl_shm_buffer_get_width(shm);
   b->height = (uint32_t)wl_shm_buffer_get_height(shm);
   b->resource_destroy.notify = resource_destroyed;
   wl_resource_add_destroy_listener(resource, &b->resource_destroy);
   return b;
}

void
kiosk_buffer_hold(struct kiosk_buffer *b)
{
   b->holds++;
}

void
kiosk_buffer_release(struct kiosk_buffer *b)
{
   if (--b->holds == 0) {
      if (b->resource)
         wl_buffer_send_release(b->resource);
      buffer_free_if_unused(b);
   }
}

int
kiosk_buffer_copy_shm(struct kiosk_buffer *b, struct kiosk_dumb *dst, uint32_t width,
                      uint32_t height)
{
   struct wl_shm_buffer *shm = b->resource ? wl_shm_buffer_get(b->resource) : NULL;
   if (!shm)
      return -1; /* destroyed before it was shown: the background stays */
   uint32_t format = wl_shm_buffer_get_format(shm);
   if (format != WL_SHM_FORMAT_XRGB8888 && format != WL_SHM_FORMAT_ARGB8888)
      return -1;
   int32_t stride = wl_shm_buffer_get_stride(shm);
   uint32_t w = b->width < width ? b->width : width;
   uint32_t h = b->height < height ? b->height : height;
   /* Centred on the screen, or its centre shown when larger. */
   uint32_t dx = (width - w) / 2, dy = (height - h) / 2;
   uint32_t sx = (b->width - w) / 2, sy = (b->height - h) / 2;
   /* libwayland turns a client that shrank its pool under the kiosk
    * (SIGBUS) into a protocol error while access is open. */
   wl_shm_buffer_begin_access(shm);
   const uint8_t *src = wl_shm_buffer_get_data(shm);
   uint8_t *out = (uint8_t *)dst->pixels;
   for (uint32_t y = 0; y < h; y++)
      memcpy(out + (uint64_t)(dy + y) * dst->pitch + (uint64_t)dx * 4,
             src + (uint64_t)(sy + y) * (uint64_t)stride + (uint64_t)sx * 4, (size_t)w * 4);
   wl_shm_buffer_end_access(shm);
   return 0;
}
