/* SPDX-License-Identifier: MIT */
/* Vulkan dma-buf import structures <-> fdid images. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fdid/vk_dmabuf.h"
#include "util/fd_util.h"
#include "util/macros.h"
#include "formats.h"

/* The Vulkan column of formats.h. */
#define NO_VK VK_FORMAT_UNDEFINED
static const struct {
   uint32_t fourcc;
   VkFormat format;
} formats[] = {
#define FORMAT(a, b, c, d, vk, ...) { FOURCC(a, b, c, d), vk },
   FDID_FORMATS
#undef FORMAT
};

FDID_PUBLIC VkFormat
fdid_vk_format_from_fourcc(uint32_t fourcc)
{
   for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
      if (formats[i].fourcc == fourcc)
         return formats[i].format;
   }
   return VK_FORMAT_UNDEFINED;
}

FDID_PUBLIC const VkImageDrmFormatModifierExplicitCreateInfoEXT *
fdid_vk_import_chain(struct fdid_vk_import *imp)
{
   if (!imp || !imp->n_memories)
      return NULL;
   imp->modifier_info.pNext = &imp->external_info;
   imp->modifier_info.pPlaneLayouts = imp->plane_layouts;
   return &imp->modifier_info;
}

FDID_PUBLIC void
fdid_vk_import_finish(struct fdid_vk_import *imp)
{
   if (!imp)
      return;
   for (unsigned i = 0; i < imp->n_memories; i++) {
      if (imp->memories[i].fd >= 0)
         close(imp->memories[i].fd);
      imp->memories[i].fd = -1;
   }
}

/* Empty, and safe to give fdid_vk_import_finish() whatever happens next. */
static void
import_clear(struct fdid_vk_import *imp)
{
   memset(imp, 0, sizeof(*imp));
   for (unsigned i = 0; i < FDID_IMAGE_MAX_PLANES; i++)
      imp->memories[i].fd = -1;
}

FDID_PUBLIC int
fdid_image_to_vk(const struct fdid_image *img, struct fdid_vk_import *out)
{
   if (!out)
      return -EINVAL;
   import_clear(out);
   if (!fdid_image_is_resolved(img))
      return -EINVAL;
   if (img->modifier == FDID_MODIFIER_NONE)
      return -ENOTSUP;
   VkFormat format = fdid_vk_format_from_fourcc(img->fourcc);
   if (format == VK_FORMAT_UNDEFINED)
      return -ENOTSUP;

   out->format = format;
   out->disjoint = img->n_objects > 1;
   for (unsigned o = 0; o < img->n_objects; o++) {
      /* Vulkan closes the fd it is given: never the caller's. */
      int fd = fdid_dup_cloexec(img->objects[o].fd);
      if (fd < 0) {
         fdid_vk_import_finish(out);
         return fd;
      }
      out->memories[o] = (VkImportMemoryFdInfoKHR){
         .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR,
         .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
         .fd = fd,
      };
      out->n_memories = o + 1;
   }
   for (unsigned p = 0; p < img->n_planes; p++) {
      out->plane_memory[p] = img->planes[p].object;
      /* size must be 0 in an explicit layout: the driver knows it. */
      out->plane_layouts[p] = (VkSubresourceLayout){
         .offset = img->planes[p].offset,
         .rowPitch = img->planes[p].pitch,
      };
   }
   out->external_info = (VkExternalMemoryImageCreateInfo){
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO,
      .handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
   };
   out->modifier_info = (VkImageDrmFormatModifierExplicitCreateInfoEXT){
      .sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT,
      .drmFormatModifier = img->modifier,
      .drmFormatModifierPlaneCount = img->n_planes,
   };
   /* No pointer into *out is left in it (fdid_vk_import_chain() makes
    * them): a copy of it is a plain value. */
   return 0;
}

FDID_PUBLIC int
fdid_image_from_vk(uint32_t fourcc, uint32_t width, uint32_t height,
                   const VkImageDrmFormatModifierExplicitCreateInfoEXT *info,
                   const int *plane_fds, struct fdid_image *out)
{
   if (!info || !plane_fds || !out || !info->pPlaneLayouts ||
       info->sType != VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT)
      return -EINVAL;
   /* DRM_FORMAT_MOD_INVALID is no layout Vulkan can have made: an explicit
    * layout always names its modifier. Read as "none", it would give an
    * image that fdid_image_to_vk() then refuses. */
   if (info->drmFormatModifier == FDID_MODIFIER_NONE)
      return -EINVAL;
   if (info->drmFormatModifierPlaneCount == 0 ||
       info->drmFormatModifierPlaneCount > FDID_IMAGE_MAX_PLANES)
      return -E2BIG;
   fdid_image_init(out, fourcc, width, height);
   out->modifier = info->drmFormatModifier;
   for (unsigned p = 0; p < info->drmFormatModifierPlaneCount; p++) {
      const VkSubresourceLayout *l = &info->pPlaneLayouts[p];
      if (l->offset > UINT32_MAX || l->rowPitch > UINT32_MAX || l->arrayPitch || l->depthPitch)
         return -EINVAL;
      int r = fdid_image_add_plane(out, plane_fds[p], (uint32_t)l->offset, (uint32_t)l->rowPitch);
      if (r < 0)
         return r;
   }
   return fdid_image_resolve(out);
}
