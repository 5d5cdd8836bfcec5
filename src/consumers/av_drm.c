/* SPDX-License-Identifier: MIT */
/* FFmpeg DRM frame descriptors <-> fdid images (av_drm.h). */
#include <errno.h>
#include <string.h>

#include "fdid/av_drm.h"
#include "util/macros.h"
#include "descriptor.h"
#include "fourcc.h"

/* The frame formats that FFmpeg's mappings split into layers, one layer
 * per plane (hwcontext_vaapi's and hwcontext_drm's tables), by the layers'
 * formats. GR1616 is 'GR32' in drm_fourcc.h. */
static const struct {
   uint32_t frame;
   unsigned n_layers;
   uint32_t layers[2];
} composed[] = {
   { FOURCC('N', 'V', '1', '2'), 2, { FOURCC('R', '8', ' ', ' '), FOURCC('G', 'R', '8', '8') } },
   { FOURCC('N', 'V', '2', '1'), 2, { FOURCC('R', '8', ' ', ' '), FOURCC('R', 'G', '8', '8') } },
   { FOURCC('P', '0', '1', '0'), 2, { FOURCC('R', '1', '6', ' '), FOURCC('G', 'R', '3', '2') } },
};

/* The frame's format from its layers, or 0. */
static uint32_t
frame_fourcc(const AVDRMFrameDescriptor *d)
{
   if (d->nb_layers == 1)
      return d->layers[0].format;
   for (size_t i = 0; i < sizeof(composed) / sizeof(composed[0]); i++) {
      if ((unsigned)d->nb_layers != composed[i].n_layers)
         continue;
      bool match = true;
      for (unsigned l = 0; l < composed[i].n_layers && match; l++)
         match = d->layers[l].format == composed[i].layers[l];
      if (match)
         return composed[i].frame;
   }
   return 0;
}

/* Counts and indices, in every layer: a descriptor is handed on whole. */
static int
check_counts(const AVDRMFrameDescriptor *d, uint32_t width, uint32_t height)
{
   if (!width || !height)
      return -EINVAL;
   if (d->nb_objects < 1 || d->nb_objects > AV_DRM_MAX_PLANES || d->nb_layers < 1 ||
       d->nb_layers > AV_DRM_MAX_PLANES)
      return -E2BIG;
   for (int l = 0; l < d->nb_layers; l++) {
      if (d->layers[l].nb_planes < 1 || !d->layers[l].format)
         return -EINVAL;
      if (d->layers[l].nb_planes > AV_DRM_MAX_PLANES)
         return -E2BIG;
   }
   for (int l = 0; l < d->nb_layers; l++) {
      for (int p = 0; p < d->layers[l].nb_planes; p++) {
         const AVDRMPlaneDescriptor *pl = &d->layers[l].planes[p];
         if (pl->object_index < 0 || pl->object_index >= d->nb_objects)
            return -EINVAL;
         if (pl->offset < 0 || (uint64_t)pl->offset > UINT32_MAX || pl->pitch < 0 ||
             (uint64_t)pl->pitch > UINT32_MAX)
            return -EINVAL;
      }
   }
   return 0;
}

/* Layer l's planes into img; the objects' modifiers must agree. */
static int
add_layer(const AVDRMFrameDescriptor *d, int l, struct fdid_image *img)
{
   for (int p = 0; p < d->layers[l].nb_planes; p++) {
      const AVDRMPlaneDescriptor *pl = &d->layers[l].planes[p];
      const AVDRMObjectDescriptor *o = &d->objects[pl->object_index];
      if (img->n_planes == 0)
         img->modifier = o->format_modifier;
      else if (o->format_modifier != img->modifier)
         return -EINVAL;
      if (img->n_planes == FDID_IMAGE_MAX_PLANES)
         return -E2BIG;
      int r = fdid_image_add_plane(img, o->fd, (uint32_t)pl->offset, (uint32_t)pl->pitch);
      if (r < 0)
         return r;
   }
   return 0;
}

/* Every object of the descriptor is handed on: each must be a dma-buf at
 * least as large as it says, named by a plane read here or not. */
static int
resolve_and_check_objects(const AVDRMFrameDescriptor *d, struct fdid_image *img)
{
   int fds[AV_DRM_MAX_PLANES];
   uint64_t sizes[AV_DRM_MAX_PLANES];
   for (int o = 0; o < d->nb_objects; o++) { /* 1 to 4: check_counts() */
      fds[o] = d->objects[o].fd;
      sizes[o] = d->objects[o].size;
   }
   return fdid_descriptor_resolve(img, fds, sizes, (unsigned)d->nb_objects);
}

FDID_PUBLIC int
fdid_image_from_av_drm(const AVDRMFrameDescriptor *d, uint32_t fourcc, uint32_t width,
                       uint32_t height, struct fdid_image *out)
{
   if (!d || !out)
      return -EINVAL;
   int r = check_counts(d, width, height);
   if (r < 0)
      return r;
   if (!fourcc && !(fourcc = frame_fourcc(d)))
      return -ENOTSUP;
   fdid_image_init(out, fourcc, width, height);
   for (int l = 0; l < d->nb_layers; l++) {
      if ((r = add_layer(d, l, out)) < 0)
         return r;
   }
   return resolve_and_check_objects(d, out);
}

FDID_PUBLIC int
fdid_image_from_av_drm_layer(const AVDRMFrameDescriptor *d, unsigned layer, uint32_t fourcc,
                             uint32_t width, uint32_t height, struct fdid_image *out)
{
   if (!d || !out)
      return -EINVAL;
   int r = check_counts(d, width, height);
   if (r < 0)
      return r;
   if (layer >= (unsigned)d->nb_layers)
      return -EINVAL;
   unsigned first = 0;
   for (unsigned l = 0; l < layer; l++)
      first += (unsigned)d->layers[l].nb_planes;
   fdid_descriptor_layer_size(fourcc ? fourcc : frame_fourcc(d), first, &width, &height);
   fdid_image_init(out, d->layers[layer].format, width, height);
   if ((r = add_layer(d, (int)layer, out)) < 0)
      return r;
   return resolve_and_check_objects(d, out);
}

FDID_PUBLIC int
fdid_image_to_av_drm(const struct fdid_image *img, AVDRMFrameDescriptor *out)
{
   if (!out || !fdid_image_is_resolved(img))
      return -EINVAL;
   memset(out, 0, sizeof(*out));
   out->nb_objects = (int)img->n_objects;
   for (unsigned o = 0; o < img->n_objects; o++) {
      if (img->objects[o].size > SIZE_MAX)
         return -EINVAL;
      out->objects[o].fd = img->objects[o].fd;
      out->objects[o].size = (size_t)img->objects[o].size;
      out->objects[o].format_modifier = img->modifier;
   }
   out->nb_layers = 1;
   out->layers[0].format = img->fourcc;
   out->layers[0].nb_planes = (int)img->n_planes;
   for (unsigned p = 0; p < img->n_planes; p++) {
      out->layers[0].planes[p].object_index = (int)img->planes[p].object;
      out->layers[0].planes[p].offset = (ptrdiff_t)img->planes[p].offset;
      out->layers[0].planes[p].pitch = (ptrdiff_t)img->planes[p].pitch;
   }
   return 0;
}
