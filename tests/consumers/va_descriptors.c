/* SPDX-License-Identifier: MIT */
#include "fourccs.h"
#include "va_descriptors.h"

VADRMPRIMESurfaceDescriptor
nv12_composed(const struct buf *b)
{
   VADRMPRIMESurfaceDescriptor d = {
      .fourcc = VA_FOURCC_NV12, .width = W, .height = H, .num_objects = 1,
      .objects = { { .fd = b->fd, .size = (uint32_t)b->size, .drm_format_modifier = 0 } },
      .num_layers = 1,
      .layers = { { .drm_format = NV12, .num_planes = 2, .object_index = { 0, 0 },
                    .offset = { 0, b->pitch * H }, .pitch = { b->pitch, b->pitch } } },
   };
   return d;
}

VADRMPRIMESurfaceDescriptor
nv12_separate(const struct buf *b, int uv_fd)
{
   VADRMPRIMESurfaceDescriptor d = nv12_composed(b);
   d.num_objects = 2;
   d.objects[1] = d.objects[0];
   d.objects[1].fd = uv_fd;
   d.num_layers = 2;
   d.layers[0] = (__typeof__(d.layers[0])){ .drm_format = R8, .num_planes = 1,
                                        .offset = { 0 }, .pitch = { b->pitch } };
   d.layers[1] = (__typeof__(d.layers[1])){ .drm_format = GR88, .num_planes = 1,
                                        .object_index = { 1 }, .offset = { b->pitch * H },
                                        .pitch = { b->pitch } };
   return d;
}
