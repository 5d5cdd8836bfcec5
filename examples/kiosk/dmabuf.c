/* SPDX-License-Identifier: MIT */
/*
 * zwp_linux_dmabuf_v1, version 3: the formats and modifiers the primary
 * plane shows, and params into fdid images into framebuffers.
 *
 * A client is untrusted. Every plane and the whole image are checked
 * before the kernel sees them, and each wrong value has the protocol's
 * error: plane index (plane_idx), a plane given twice (plane_set), planes
 * missing or fewer than the format has (incomplete), a size below 1
 * (invalid_dimensions), a format and modifier no plane shows or planes
 * that disagree on the modifier (invalid_format), an offset or a stride
 * times the height past the dma-buf's end, as the kernel sizes it
 * (out_of_bounds). What is well formed but cannot be shown (an fd that is
 * no dma-buf, a size other than the mode's, flags, a buffer the device
 * cannot import or the kernel refuses as a framebuffer) gets `failed` for
 * create, and the invalid_wl_buffer error for create_immed (its wl_buffer
 * already exists in the client's eyes). Every fd received is closed
 * whatever happens: once the framebuffer exists its GEM handles hold the
 * buffer, and a client may keep at most KIOSK_CLIENT_FDS plane fds waiting
 * in params (more is a flood: an implementation error).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fdid/image.h>

#include "kiosk.h"
#include "linux-dmabuf-unstable-v1-server-protocol.h"

#define KIOSK_CLIENT_FDS 256
#define KIOSK_DMABUF_VERSION 3

/* Plane fds a client has waiting in params. Held by the client (until
 * its destroy signal, which libwayland emits before it destroys the
 * client's resources) and by each of its params. */
struct client_fds {
   struct wl_listener destroy;
   unsigned count;
   unsigned refs;
};

static void
client_fds_unref(struct client_fds *c)
{
   if (--c->refs == 0)
      free(c);
}

struct params {
   struct kiosk *kiosk;
   struct wl_resource *resource;
   struct client_fds *budget;
   int fds[FDID_IMAGE_MAX_PLANES];
   uint32_t offsets[FDID_IMAGE_MAX_PLANES], strides[FDID_IMAGE_MAX_PLANES];
   unsigned set; /* bit per plane added */
   uint64_t modifier;
   bool used;
};

static void
client_fds_destroyed(struct wl_listener *l, void *data)
{
   struct client_fds *c = wl_container_of(l, c, destroy);
   wl_list_remove(&c->destroy.link);
   client_fds_unref(c);
}

static struct client_fds *
client_fds_get(struct wl_client *client)
{
   struct wl_listener *l = wl_client_get_destroy_listener(client, client_fds_destroyed);
   if (l) {
      struct client_fds *c = wl_container_of(l, c, destroy);
      return c;
   }
   struct client_fds *c = calloc(1, sizeof(*c));
   if (!c)
      return NULL;
   c->refs = 1;
   c->destroy.notify = client_fds_destroyed;
   wl_client_add_destroy_listener(client, &c->destroy);
   return c;
}

static void
params_close_fds(struct params *p)
{
   for (unsigned i = 0; i < FDID_IMAGE_MAX_PLANES; i++) {
      if (p->fds[i] >= 0) {
         close(p->fds[i]);
         p->fds[i] = -1;
         p->budget->count--;
      }
   }
}

static void
params_destroyed(struct wl_resource *resource)
{
   struct params *p = wl_resource_get_user_data(resource);
   params_close_fds(p);
   client_fds_unref(p->budget);
   free(p);
}

static void
params_destroy(struct wl_client *client, struct wl_resource *resource)
{
   wl_resource_destroy(resource);
}

static void
params_add(struct wl_client *client, struct wl_resource *resource, int32_t fd,
           uint32_t plane, uint32_t offset, uint32_t stride, uint32_t mod_hi, uint32_t mod_lo)
{
   struct params *p = wl_resource_get_user_data(resource);
   uint64_t modifier = (uint64_t)mod_hi << 32 | mod_lo;
   if (p->used) {
      close(fd);
      wl_resource_post_error(resource, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_ALREADY_USED,
                             "params already used");
   } else if (plane >= FDID_IMAGE_MAX_PLANES) {
      close(fd);
      wl_resource_post_error(resource, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_PLANE_IDX,
                             "plane index %u: at most %u planes", plane, FDID_IMAGE_MAX_PLANES);
   } else if (p->set & (1u << plane)) {
      close(fd);
      wl_resource_post_error(resource, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_PLANE_SET,
                             "plane %u given twice", plane);
   } else if (p->set && modifier != p->modifier) {
      close(fd);
      wl_resource_post_error(resource, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_FORMAT,
                             "plane %u has another modifier than plane 0", plane);
   } else if (p->budget->count >= KIOSK_CLIENT_FDS) {
      close(fd);
      wl_client_post_implementation_error(client, "more than %u plane fds waiting in params",
                                          KIOSK_CLIENT_FDS);
   } else {
      p->fds[plane] = fd;
      p->offsets[plane] = offset;
      p->strides[plane] = stride;
      p->modifier = modifier;
      p->set |= 1u << plane;
      p->budget->count++;
   }
}

/* The protocol's checks; 0, or an error posted. */
static int
params_check(struct params *p, int32_t width, int32_t height, uint32_t format)
{
   struct wl_resource *r = p->resource;
   if (p->used) {
      wl_resource_post_error(r, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_ALREADY_USED,
                             "params already used");
      return -1;
   }
   p->used = true;
   unsigned n = (unsigned)__builtin_popcount(p->set);
   if (!p->set || (p->set & (p->set + 1))) {
      wl_resource_post_error(r, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE,
                             "planes must be 0 to n-1, without gaps");
      return -1;
   }
   unsigned expected = fdid_fourcc_planes(format);
   if (expected && n < expected) {
      wl_resource_post_error(r, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INCOMPLETE,
                             "format 0x%08x has %u planes, %u given", format, expected, n);
      return -1;
   }
   if (expected && n > expected) {
      wl_resource_post_error(r, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_PLANE_IDX,
                             "format 0x%08x has %u planes, %u given", format, expected, n);
      return -1;
   }
   if (width < 1 || height < 1) {
      wl_resource_post_error(r, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_DIMENSIONS,
                             "size %dx%d", width, height);
      return -1;
   }
   struct kiosk_output *o = &p->kiosk->output;
   uint64_t mod = p->modifier;
   if (fdid_kms_plane_supports(o->kms, o->plane_id, format, mod) != 1) {
      wl_resource_post_error(r, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_FORMAT,
                             "format 0x%08x, modifier 0x%016llx: not shown",
                             format, (unsigned long long)mod);
      return -1;
   }
   return 0;
}

/* params into a framebuffer; NULL and a reason when it cannot be shown.
 * An out-of-bounds layout is posted as the protocol's error. */
static struct fdid_kms_fb *
params_to_fb(struct params *p, int32_t width, int32_t height, uint32_t format,
             uint32_t flags, const char **why)
{
   struct kiosk_output *o = &p->kiosk->output;
   struct fdid_image img;
   fdid_image_init(&img, format, (uint32_t)width, (uint32_t)height);
   img.modifier = p->modifier;
   for (unsigned i = 0; p->set & (1u << i); i++)
      fdid_image_add_plane(&img, p->fds[i], p->offsets[i], p->strides[i]);
   int ret = fdid_image_resolve(&img);
   if (ret == -EINVAL) {
      /* A plane past its dma-buf's end, or a stride shorter than a row. */
      wl_resource_post_error(p->resource, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_OUT_OF_BOUNDS,
                             "a plane's offset or stride goes past its dma-buf");
      *why = NULL;
      return NULL;
   }
   if (ret < 0) {
      *why = ret == -EBADFD ? "an fd is not a dma-buf" : strerror(-ret);
      return NULL;
   }
   if ((uint32_t)width != o->width || (uint32_t)height != o->height) {
      *why = "not the mode's size (the configure event gives it)";
      return NULL;
   }
   if (flags) {
      *why = "y-invert, interlaced and bottom-first are not shown";
      return NULL;
   }
   struct fdid_kms_fb *fb = NULL;
   bool created = false;
   ret = fdid_kms_fb_acquire(o->kms, &img, &fb, &created);
   if (ret < 0) {
      *why = strerror(-ret);
      return NULL;
   }
   p->kiosk->stats.fbs_created += created;
   return fb;
}

static void
params_create_common(struct wl_client *client, struct wl_resource *resource, uint32_t id,
                     int32_t width, int32_t height, uint32_t format, uint32_t flags)
{
   struct params *p = wl_resource_get_user_data(resource);
   struct kiosk *k = p->kiosk;
   struct fdid_kms_fb *fb = NULL;
   const char *why = NULL;
   if (params_check(p, width, height, format) == 0)
      fb = params_to_fb(p, width, height, format, flags, &why);
   params_close_fds(p);
   if (!fb) {
      k->stats.refused++;
      if (!why)
         return; /* a protocol error was posted */
      fprintf(stderr, "fdid-kiosk: buffer refused: %s\n", why);
      if (id == 0)
         zwp_linux_buffer_params_v1_send_failed(resource);
      else
         wl_resource_post_error(resource, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_WL_BUFFER,
                                "buffer cannot be shown: %s", why);
      return;
   }
   struct kiosk_buffer *b =
      kiosk_buffer_create_dmabuf(client, id, fb, (uint32_t)width, (uint32_t)height);
   if (!b) {
      fdid_kms_fb_unref(fb);
      wl_client_post_no_memory(client);
      return;
   }
   k->stats.dmabuf_buffers++;
   if (id == 0)
      zwp_linux_buffer_params_v1_send_created(resource, b->resource);
}

static void
params_create(struct wl_client *client, struct wl_resource *resource, int32_t width,
              int32_t height, uint32_t format, uint32_t flags)
{
   params_create_common(client, resource, 0, width, height, format, flags);
}

static void
params_create_immed(struct wl_client *client, struct wl_resource *resource, uint32_t id,
                    int32_t width, int32_t height, uint32_t format, uint32_t flags)
{
   params_create_common(client, resource, id, width, height, format, flags);
}

static const struct zwp_linux_buffer_params_v1_interface params_impl = {
   .destroy = params_destroy,
   .add = params_add,
   .create = params_create,
   .create_immed = params_create_immed,
};

static void
dmabuf_destroy(struct wl_client *client, struct wl_resource *resource)
{
   wl_resource_destroy(resource);
}

static void
dmabuf_create_params(struct wl_client *client, struct wl_resource *resource, uint32_t id)
{
   struct params *p = calloc(1, sizeof(*p));
   struct client_fds *budget = client_fds_get(client);
   if (!p || !budget) {
      free(p);
      wl_client_post_no_memory(client);
      return;
   }
   p->kiosk = wl_resource_get_user_data(resource);
   for (unsigned i = 0; i < FDID_IMAGE_MAX_PLANES; i++)
      p->fds[i] = -1;
   p->resource = wl_resource_create(client, &zwp_linux_buffer_params_v1_interface,
                                    wl_resource_get_version(resource), id);
   if (!p->resource) {
      free(p);
      wl_client_post_no_memory(client);
      return;
   }
   p->budget = budget;
   budget->refs++;
   wl_resource_set_implementation(p->resource, &params_impl, p, params_destroyed);
}

static const struct zwp_linux_dmabuf_v1_interface dmabuf_impl = {
   .destroy = dmabuf_destroy,
   .create_params = dmabuf_create_params,
};

/* The formats of the primary plane, and for each the linear and the
 * implicit modifier where the plane takes them: no ioctl (the formats
 * were read at start, fdid's cache read the plane's IN_FORMATS once). */
static void
dmabuf_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
   struct kiosk *k = data;
   struct wl_resource *r = wl_resource_create(client, &zwp_linux_dmabuf_v1_interface,
                                              (int)version, id);
   if (!r) {
      wl_client_post_no_memory(client);
      return;
   }
   wl_resource_set_implementation(r, &dmabuf_impl, k, NULL);
   struct kiosk_output *o = &k->output;
   for (uint32_t i = 0; i < o->n_formats; i++) {
      uint32_t f = o->formats[i];
      zwp_linux_dmabuf_v1_send_format(r, f);
      if (version < ZWP_LINUX_DMABUF_V1_MODIFIER_SINCE_VERSION)
         continue;
      static const uint64_t mods[] = { FDID_MODIFIER_LINEAR, FDID_MODIFIER_NONE };
      for (unsigned m = 0; m < 2; m++)
         if (fdid_kms_plane_supports(o->kms, o->plane_id, f, mods[m]) == 1)
            zwp_linux_dmabuf_v1_send_modifier(r, f, (uint32_t)(mods[m] >> 32),
                                              (uint32_t)mods[m]);
   }
}

int
kiosk_dmabuf_init(struct kiosk *k)
{
   return wl_global_create(k->display, &zwp_linux_dmabuf_v1_interface, KIOSK_DMABUF_VERSION,
                           k, dmabuf_bind)
             ? 0
             : -ENOMEM;
}
