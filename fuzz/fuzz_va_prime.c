/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: VA-API PRIME descriptors, as bytes, through both
 * parsers (whole surface and each layer). Object fds are drawn from a pool
 * of real non-dma-buf files and closed numbers, so nothing may be accepted
 * on the host, and nothing may crash or leak.
 */
#include <stdint.h>
#include <string.h>

#include "fdid/va_prime.h"
#include "fuzz_pool.h"

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
   return 0;
}
