/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: VA-API PRIME descriptors, as bytes, through both
 * parsers (whole surface and each layer). Object fds are drawn from a pool
 * of real non-dma-buf files and closed numbers, so nothing may be accepted
 * on the host, and nothing may crash or leak.
 *
 * The bytes after the descriptor are a raw struct fdid_image (counts and
 * indices as they come) for the writer, which must refuse any image
 * fdid_image_resolve() could not have left rather than index past the
 * descriptor's arrays, and must write only what fits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fdid/va_prime.h"
#include "fuzz_pool.h"

/* libFuzzer's entry point; declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   VADRMPRIMESurfaceDescriptor d;
   memset(&d, 0, sizeof(d));
   memcpy(&d, data, size < sizeof(d) ? size : sizeof(d));
   /* Small counts are the interesting ones; keep some in range. */
   if (size > sizeof(d)) {
      d.num_objects %= 6;
      d.num_layers %= 6;
   }
   for (unsigned i = 0; i < 4; i++)
      d.objects[i].fd = fuzz_pool_fd((unsigned)d.objects[i].fd);

   struct fdid_image img;
   if (fdid_image_from_va_prime(&d, &img) == 0)
      abort();
   for (unsigned l = 0; l < 5; l++) {
      if (fdid_image_from_va_prime_layer(&d, l, &img) == 0)
         abort();
   }

   if (size <= sizeof(d) + sizeof(uint32_t))
      return 0;
   data += sizeof(d);
   size -= sizeof(d);
   uint32_t va_fourcc;
   memcpy(&va_fourcc, data, sizeof(va_fourcc));
   data += sizeof(va_fourcc);
   size -= sizeof(va_fourcc);
   memset(&img, 0, sizeof(img));
   memcpy(&img, data, size < sizeof(img) ? size : sizeof(img));
   /* Small counts reach the per-plane paths; large ones the refusals. */
   if (size > sizeof(img)) {
      img.n_planes %= 6;
      img.n_objects %= 6;
   }
   VADRMPRIMESurfaceDescriptor out;
   if (fdid_image_to_va_prime(&img, va_fourcc, &out) == 0) {
      if (out.num_objects == 0 || out.num_objects > 4 || out.num_objects != img.n_objects ||
          out.num_layers != 1 || out.layers[0].num_planes == 0 ||
          out.layers[0].num_planes > 4 || out.fourcc == 0)
         abort();
      for (unsigned p = 0; p < out.layers[0].num_planes; p++) {
         if (out.layers[0].object_index[p] >= out.num_objects)
            abort();
      }
   }
   return 0;
}
