/* SPDX-License-Identifier: MIT */
/* A Vulkan device that imports dma-bufs (VK_EXT_external_memory_dma_buf
 * and VK_EXT_image_drm_format_modifier), and an import cache's callbacks
 * for it, for the Vulkan consumer tests: lavapipe in Debian 13's guest, a
 * GPU's driver under piglit. */
#ifndef FDID_TEST_VK_CONTEXT_H
#define FDID_TEST_VK_CONTEXT_H

#include <stdint.h>
#include <vulkan/vulkan.h>

#include <fdid/image.h>
#include <fdid/winsys.h>

struct vk {
   VkInstance inst;
   VkPhysicalDevice phys;
   VkDevice dev;
   VkQueue queue;
   uint32_t family;
   PFN_vkGetMemoryFdPropertiesKHR memory_fd_properties;
   int imports; /* vkAllocateMemory calls with an import */
};

/* An import's objects: the image and its imported memory. */
struct vk_object {
   VkImage image;
   VkDeviceMemory memory;
};

/* Skips the subtest where no device imports dma-bufs with modifiers.
 * Prefers the device behind gpu (may be NULL). */
void vk_init(struct vk *v, const struct fdid_device *gpu);
void vk_fini(struct vk *v);

/* fdid_import_fn and fdid_destroy_fn (context: the struct vk): a VkImage on
 * the image's dma-buf memory (one object, linear or with a modifier). */
int vk_import(void *context, const struct fdid_image *img, void **out);
void vk_destroy(void *context, void *object);

/* Copies the top-left w x h pixels of image (4 bytes each) into pixels. */
void vk_read_back(struct vk *v, VkImage image, uint32_t w, uint32_t h, uint32_t *pixels);

#endif
