/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: Vulkan explicit plane layouts (what a Vulkan export
 * hands over) into an image, with plane fds from a pool of real non-dma-buf
 * files and closed numbers: nothing may be accepted on the host.
 *
 * The bytes after that are a raw struct fdid_image for fdid_image_to_vk(),
 * its object fds drawn from the same pool: it must refuse an image
 * fdid_image_resolve() could not have left, and whatever it answers, leave
 * no fd open once fdid_vk_import_finish() has run (on failure, nothing to
 * close at all).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fdid/vk_dmabuf.h"
#include "fuzz_pool.h"

/* libFuzzer's entry point; declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   struct {
      uint32_t fourcc, width, height, count;
      uint64_t modifier;
      uint8_t fd_selector[4];
      VkSubresourceLayout layouts[5];
   } in;
   memset(&in, 0, sizeof(in));
   memcpy(&in, data, size < sizeof(in) ? size : sizeof(in));

   VkImageDrmFormatModifierExplicitCreateInfoEXT info = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT,
      .drmFormatModifier = in.modifier,
      .drmFormatModifierPlaneCount = in.count % 7,
      .pPlaneLayouts = (in.count & 0x100) ? NULL : in.layouts,
   };
   int fds[5];
   for (unsigned i = 0; i < 5; i++)
      fds[i] = fuzz_pool_fd(in.fd_selector[i % 4] + i);
   struct fdid_image img;
   if (fdid_image_from_vk(in.fourcc, in.width, in.height, &info, fds, &img) == 0)
      abort();

   if (size <= sizeof(in))
      return 0;
   data += sizeof(in);
   size -= sizeof(in);
   memset(&img, 0, sizeof(img));
   memcpy(&img, data, size < sizeof(img) ? size : sizeof(img));
   if (size > sizeof(img)) {
      img.n_planes %= 6;
      img.n_objects %= 6;
   }
   for (unsigned i = 0; i < FDID_IMAGE_MAX_PLANES; i++)
      img.objects[i].fd = fuzz_pool_fd((unsigned)img.objects[i].fd);
   struct fdid_vk_import imp;
   int r = fdid_image_to_vk(&img, &imp);
   if (r == 0) {
      if (imp.n_memories == 0 || imp.n_memories > 4 || imp.n_memories != img.n_objects ||
          imp.modifier_info.drmFormatModifierPlaneCount != img.n_planes ||
          imp.modifier_info.pPlaneLayouts != NULL ||
          fdid_vk_import_chain(&imp) != &imp.modifier_info ||
          imp.modifier_info.pPlaneLayouts != imp.plane_layouts ||
          imp.disjoint != (imp.n_memories > 1))
         abort();
      for (unsigned p = 0; p < img.n_planes; p++) {
         if (imp.plane_memory[p] >= imp.n_memories)
            abort();
      }
   }
   int kept[FDID_IMAGE_MAX_PLANES], n_kept = 0;
   for (unsigned m = 0; m < FDID_IMAGE_MAX_PLANES; m++) {
      if (r < 0 && imp.memories[m].fd != -1)
         abort(); /* a failure leaves nothing open */
      if (imp.memories[m].fd >= 0)
         kept[n_kept++] = imp.memories[m].fd;
   }
   fdid_vk_import_finish(&imp);
   for (int i = 0; i < n_kept; i++) {
      if (fcntl(kept[i], F_GETFD) >= 0)
         abort(); /* fini left a dup open */
   }
   return 0;
}
