/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: FFmpeg DRM frame descriptors, as bytes, through both
 * readers (whole frame, with and without the caller's format, and each
 * layer). Object fds are drawn from a pool of real non-dma-buf files and
 * closed numbers, so nothing may be accepted on the host, and nothing may
 * crash or leak.
 *
 * The bytes after the descriptor are a raw struct fdid_image (counts and
 * indices as they come) for the writer, which must refuse any image
 * fdid_image_resolve() could not have left and write only what fits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fdid/av_drm.h"
#include "fuzz_pool.h"

/* libFuzzer's entry point; declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   AVDRMFrameDescriptor d;
   struct {
      uint32_t fourcc, width, height;
   } frame = { 0, 64, 64 };
   memset(&d, 0, sizeof(d));
   memcpy(&d, data, size < sizeof(d) ? size : sizeof(d));
   if (size > sizeof(d)) {
      /* Small counts are the interesting ones; keep some in range. */
      d.nb_objects %= 6;
      d.nb_layers %= 6;
      size_t n = size - sizeof(d) < sizeof(frame) ? size - sizeof(d) : sizeof(frame);
      memcpy(&frame, data + sizeof(d), n);
   }
   for (unsigned i = 0; i < AV_DRM_MAX_PLANES; i++)
      d.objects[i].fd = fuzz_pool_fd((unsigned)d.objects[i].fd);

   struct fdid_image img;
   if (fdid_image_from_av_drm(&d, 0, frame.width, frame.height, &img) == 0 ||
       fdid_image_from_av_drm(&d, frame.fourcc, frame.width, frame.height, &img) == 0)
      abort();
   for (unsigned l = 0; l < 5; l++) {
      if (fdid_image_from_av_drm_layer(&d, l, frame.fourcc, frame.width, frame.height, &img) == 0)
         abort();
   }

   size_t head = sizeof(d) + sizeof(frame);
   if (size <= head)
      return 0;
   data += head;
   size -= head;
   memset(&img, 0, sizeof(img));
   memcpy(&img, data, size < sizeof(img) ? size : sizeof(img));
   if (size > sizeof(img)) {
      img.n_planes %= 6;
      img.n_objects %= 6;
   }
   AVDRMFrameDescriptor out;
   if (fdid_image_to_av_drm(&img, &out) == 0) {
      if (out.nb_objects < 1 || out.nb_objects > AV_DRM_MAX_PLANES ||
          out.nb_objects != (int)img.n_objects || out.nb_layers != 1 ||
          out.layers[0].nb_planes < 1 || out.layers[0].nb_planes > AV_DRM_MAX_PLANES)
         abort();
      for (int p = 0; p < out.layers[0].nb_planes; p++) {
         int o = out.layers[0].planes[p].object_index;
         if (o < 0 || o >= out.nb_objects || out.layers[0].planes[p].offset < 0 ||
             out.layers[0].planes[p].pitch < 0)
            abort();
      }
   }
   return 0;
}
