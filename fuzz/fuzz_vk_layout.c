/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: Vulkan explicit plane layouts (what a Vulkan export
 * hands over) into an image, with plane fds from a pool of real non-dma-buf
 * files and closed numbers.
 */
#include <stdint.h>
#include <string.h>

#include "fdid/vk_dmabuf.h"
#include "fuzz_pool.h"

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
   return 0;
}
