/* SPDX-License-Identifier: MIT */
/*
 * Vulkan dma-buf import structures (VK_EXT_external_memory_dma_buf,
 * VK_EXT_image_drm_format_modifier) to and from fdid images. Needs the
 * Vulkan headers only; no Vulkan call is made here.
 *
 * An image becomes one VkImportMemoryFdInfoKHR per distinct dma-buf object
 * (planes on one object share one memory; an image over several objects
 * is disjoint, bound plane by plane) and the explicit plane layouts of a
 * VkImageDrmFormatModifierExplicitCreateInfoEXT.
 */
#ifndef FDID_VK_DMABUF_H
#define FDID_VK_DMABUF_H

#include <stdbool.h>
#include <vulkan/vulkan.h>

#include <fdid/image.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fdid_vk_import {
   VkFormat format;
   bool disjoint;                        /* more than one memory */
   unsigned n_memories;
   /* One per object; fd is a dup for Vulkan to own (see below). */
   VkImportMemoryFdInfoKHR memories[FDID_IMAGE_MAX_PLANES];
   unsigned plane_memory[FDID_IMAGE_MAX_PLANES]; /* plane -> memories[] */
   VkSubresourceLayout plane_layouts[FDID_IMAGE_MAX_PLANES];
   /* The chain for VkImageCreateInfo.pNext, linked only by
    * fdid_vk_import_chain() (its pointers point into the struct it is
    * called on; fdid_image_to_vk() leaves them NULL, so a copy never points
    * into another struct). */
   VkImageDrmFormatModifierExplicitCreateInfoEXT modifier_info;
   VkExternalMemoryImageCreateInfo external_info;
};

/*
 * Fills *out for img (resolved). Each memories[i].fd is a new fd
 * (F_DUPFD_CLOEXEC) of object i: a successful vkAllocateMemory() takes
 * ownership of it, so the caller then sets memories[i].fd = -1; every fd
 * still >= 0 is closed by fdid_vk_import_finish(). The caller's fds are
 * never given to Vulkan.
 *
 * Errors: -EINVAL (an argument NULL, an unresolved image: plane or object
 * counts out of range, a plane on an object past n_objects), -ENOTSUP (no
 * modifier: Vulkan needs an explicit one; or a fourcc with no VkFormat in
 * fdid_vk_format_from_fourcc()), -EMFILE, -ENFILE. Nothing stays open on
 * error, and *out (when not NULL) is left empty with every memories[].fd
 * -1, so calling fdid_vk_import_finish() on it after a failure is harmless.
 */
int fdid_image_to_vk(const struct fdid_image *img, struct fdid_vk_import *out);

/*
 * The head of imp's chain for VkImageCreateInfo.pNext (modifier_info,
 * whose pNext is external_info and whose pPlaneLayouts are plane_layouts),
 * linked to imp's own members: call it on the struct whose chain Vulkan
 * reads, after any copy or move. NULL for NULL or an empty import.
 */
const VkImageDrmFormatModifierExplicitCreateInfoEXT *
fdid_vk_import_chain(struct fdid_vk_import *imp);

/* Closes the dups Vulkan has not taken (fd >= 0). */
void fdid_vk_import_finish(struct fdid_vk_import *imp);

/*
 * The reverse, for what a Vulkan export gives (vkGetMemoryFdKHR() per
 * plane's memory, vkGetImageDrmFormatModifierPropertiesEXT() and the plane
 * layouts): a resolved image. plane_fds has drmFormatModifierPlaneCount
 * entries, repeated when planes share a memory.
 *
 * Errors: -EINVAL (info, plane_fds or out NULL; pPlaneLayouts NULL; an
 * sType other than the explicit-create-info one; drmFormatModifier
 * DRM_FORMAT_MOD_INVALID; an offset or rowPitch over 32 bits; a nonzero arrayPitch or depthPitch,
 * which a 2D single-layer dma-buf image cannot have; and
 * fdid_image_resolve()'s), -E2BIG (plane count 0 or over 4), -EBADF,
 * -EBADFD.
 */
int fdid_image_from_vk(uint32_t fourcc, uint32_t width, uint32_t height,
                       const VkImageDrmFormatModifierExplicitCreateInfoEXT *info,
                       const int *plane_fds, struct fdid_image *out);

/* The VkFormat of a DRM fourcc, VK_FORMAT_UNDEFINED when fdid has none. */
VkFormat fdid_vk_format_from_fourcc(uint32_t fourcc);

#ifdef __cplusplus
}
#endif

#endif /* FDID_VK_DMABUF_H */
