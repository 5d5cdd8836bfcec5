/* SPDX-License-Identifier: MIT */
/* VA-API PRIME descriptors <-> fdid images. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdid/va_prime.h"
#include "util/macros.h"
#include "descriptor.h"
#include "formats.h"

/* The VA-API column of formats.h. */
#define NO_VA 0
static const struct {
   uint32_t va, drm;
} fourccs[] = {
#define FORMAT(a, b, c, d, vk, va, ...) { va, FOURCC(a, b, c, d) },
   FDID_FORMATS
#undef FORMAT
};
#define N_FOURCCS (sizeof(fourccs) / sizeof(fourccs[0]))

/* One direction or the other of the table; 0 for none (and for 0, which
 * stands for "VA has none" in the table). */
static uint32_t
map_fourcc(uint32_t code, bool from_va)
{
   for (size_t i = 0; code && i < N_FOURCCS; i++) {
      if ((from_va ? fourccs[i].va : fourccs[i].drm) == code)
         return from_va ? fourccs[i].drm : fourccs[i].va;
   }
   return 0;
}

FDID_PUBLIC uint32_t
fdid_va_fourcc_to_drm(uint32_t va_fourcc)
{
   return map_fourcc(va_fourcc, true);
}

FDID_PUBLIC uint32_t
fdid_drm_fourcc_to_va(uint32_t drm_fourcc)
{
   return map_fourcc(drm_fourcc, false);
}

static int
check_counts(const VADRMPRIMESurfaceDescriptor *d)
{
   if (!d->width || !d->height)
      return -EINVAL;
   if (d->num_objects == 0 || d->num_objects > 4 || d->num_layers == 0 || d->num_layers > 4)
      return -E2BIG;
   for (unsigned l = 0; l < d->num_layers; l++) {
      if (d->layers[l].num_planes == 0)
         return -EINVAL;
      if (d->layers[l].num_planes > 4)
         return -E2BIG;
   }
   /* Every layer's indices, not only the layers read: a descriptor is
    * handed to vaCreateSurfaces() whole. */
   for (unsigned l = 0; l < d->num_layers; l++) {
      for (unsigned p = 0; p < d->layers[l].num_planes; p++) {
         if (d->layers[l].object_index[p] >= d->num_objects)
            return -EINVAL;
      }
   }
   return 0;
}

/* Adds layer l's planes to img, checking indices and modifiers. */
static int
add_layer(const VADRMPRIMESurfaceDescriptor *d, unsigned l, struct fdid_image *img)
{
   for (unsigned p = 0; p < d->layers[l].num_planes; p++) {
      uint32_t o = d->layers[l].object_index[p]; /* in range: check_counts() */
      uint64_t mod = d->objects[o].drm_format_modifier;
      if (img->n_planes == 0)
         img->modifier = mod;
      else if (mod != img->modifier)
         return -EINVAL;
      if (img->n_planes == FDID_IMAGE_MAX_PLANES)
         return -E2BIG;
      int r = fdid_image_add_plane(img, d->objects[o].fd, d->layers[l].offset[p],
                                   d->layers[l].pitch[p]);
      if (r < 0)
         return r;
   }
   return 0;
}

/* Every object of the descriptor, whether or not a plane read here names
 * it, must be a dma-buf at least as large as it claims, since the driver
 * is handed every object. */
static int
resolve_and_check_objects(const VADRMPRIMESurfaceDescriptor *d, struct fdid_image *img)
{
   int fds[4];
   uint64_t sizes[4];
   for (unsigned o = 0; o < d->num_objects; o++) { /* at most 4: check_counts() */
      fds[o] = d->objects[o].fd;
      sizes[o] = d->objects[o].size;
   }
   return fdid_descriptor_resolve(img, fds, sizes, d->num_objects);
}

FDID_PUBLIC int
fdid_image_from_va_prime(const VADRMPRIMESurfaceDescriptor *d, struct fdid_image *out)
{
   if (!d || !out)
      return -EINVAL;
   int r = check_counts(d);
   if (r < 0)
      return r;
   uint32_t fourcc = d->layers[0].drm_format;
   if (d->num_layers > 1 && !(fourcc = fdid_va_fourcc_to_drm(d->fourcc)))
      return -ENOTSUP;
   if (!fourcc)
      return -EINVAL;
   fdid_image_init(out, fourcc, d->width, d->height);
   for (unsigned l = 0; l < d->num_layers; l++) {
      if (!d->layers[l].drm_format)
         return -EINVAL;
      if ((r = add_layer(d, l, out)) < 0)
         return r;
   }
   return resolve_and_check_objects(d, out);
}

FDID_PUBLIC int
fdid_image_from_va_prime_layer(const VADRMPRIMESurfaceDescriptor *d, unsigned layer,
                               struct fdid_image *out)
{
   if (!d || !out)
      return -EINVAL;
   int r = check_counts(d);
   if (r < 0)
      return r;
   if (layer >= d->num_layers || !d->layers[layer].drm_format)
      return -EINVAL;
   /* A layer of a subsampled surface covers fewer pixels: NV12's second
    * layer is a GR88 image of half the width and height. Its size follows
    * from the surface format's plane that the layer's first plane is. */
   uint32_t w = d->width, h = d->height;
   unsigned first = 0;
   for (unsigned l = 0; l < layer; l++)
      first += d->layers[l].num_planes;
   fdid_descriptor_layer_size(fdid_va_fourcc_to_drm(d->fourcc), first, &w, &h);
   fdid_image_init(out, d->layers[layer].drm_format, w, h);
   if ((r = add_layer(d, layer, out)) < 0)
      return r;
   return resolve_and_check_objects(d, out);
}

FDID_PUBLIC int
fdid_image_to_va_prime(const struct fdid_image *img, uint32_t va_fourcc,
                       VADRMPRIMESurfaceDescriptor *out)
{
   if (!out || !fdid_image_is_resolved(img))
      return -EINVAL;
   if (!va_fourcc && !(va_fourcc = fdid_drm_fourcc_to_va(img->fourcc)))
      return -ENOTSUP;
   memset(out, 0, sizeof(*out));
   out->fourcc = va_fourcc;
   out->width = img->width;
   out->height = img->height;
   out->num_objects = img->n_objects;
   for (unsigned o = 0; o < img->n_objects; o++) {
      if (img->objects[o].size > UINT32_MAX)
         return -EINVAL;
      out->objects[o].fd = img->objects[o].fd;
      out->objects[o].size = (uint32_t)img->objects[o].size;
      out->objects[o].drm_format_modifier = img->modifier;
   }
   out->num_layers = 1;
   out->layers[0].drm_format = img->fourcc;
   out->layers[0].num_planes = img->n_planes;
   for (unsigned p = 0; p < img->n_planes; p++) {
      out->layers[0].object_index[p] = img->planes[p].object;
      out->layers[0].offset[p] = img->planes[p].offset;
      out->layers[0].pitch[p] = img->planes[p].pitch;
   }
   return 0;
}
