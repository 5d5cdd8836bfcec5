/* SPDX-License-Identifier: MIT */
/* Vulkan dma-buf import for the consumer tests (vk_context.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fdid/vk_device.h>
#include <fdid/vk_dmabuf.h>

#include "fdid_test.h"
#include "vk_context.h"

static const char *const needed[] = {
   VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
   VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME,
   VK_EXT_IMAGE_DRM_FORMAT_MODIFIER_EXTENSION_NAME,
};

static bool
has_extension(VkPhysicalDevice p, const char *name)
{
   uint32_t n = 0;
   vkEnumerateDeviceExtensionProperties(p, NULL, &n, NULL);
   VkExtensionProperties props[512];
   if (n > 512)
      n = 512;
   vkEnumerateDeviceExtensionProperties(p, NULL, &n, props);
   for (uint32_t i = 0; i < n; i++) {
      if (strcmp(props[i].extensionName, name) == 0)
         return true;
   }
   return false;
}

static bool
can_import(VkPhysicalDevice p)
{
   for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
      if (!has_extension(p, needed[i]))
         return false;
   }
   return true;
}

/* The device that can import; the GPU of `gpu` if Vulkan says which. */
void
vk_init(struct vk *v, const struct fdid_device *gpu)
{
   memset(v, 0, sizeof(*v));
   VkApplicationInfo app = { .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                             .pApplicationName = "fdid", .apiVersion = VK_API_VERSION_1_1 };
   VkInstanceCreateInfo ici = { .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                                .pApplicationInfo = &app };
   if (vkCreateInstance(&ici, NULL, &v->inst) != VK_SUCCESS)
      SKIP("no Vulkan instance");
   VkPhysicalDevice devs[16];
   uint32_t n = 16;
   vkEnumeratePhysicalDevices(v->inst, &n, devs);
   for (uint32_t i = 0; i < n; i++) {
      if (!can_import(devs[i]))
         continue;
      if (!v->phys)
         v->phys = devs[i];
      if (has_extension(devs[i], VK_EXT_PHYSICAL_DEVICE_DRM_EXTENSION_NAME)) {
         VkPhysicalDeviceDrmPropertiesEXT drm = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRM_PROPERTIES_EXT };
         VkPhysicalDeviceProperties2 props = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                               .pNext = &drm };
         vkGetPhysicalDeviceProperties2(devs[i], &props);
         if (fdid_device_is_vk_physical_device(gpu, &drm) == 1) {
            v->phys = devs[i];
            break;
         }
      }
   }
   if (!v->phys) {
      vkDestroyInstance(v->inst, NULL);
      SKIP("no Vulkan device imports dma-bufs with modifiers (lavapipe has neither "
           "VK_EXT_external_memory_dma_buf nor VK_EXT_image_drm_format_modifier)");
   }

   VkQueueFamilyProperties fams[16];
   n = 16;
   vkGetPhysicalDeviceQueueFamilyProperties(v->phys, &n, fams);
   v->family = UINT32_MAX;
   for (uint32_t i = 0; i < n && v->family == UINT32_MAX; i++) {
      if (fams[i].queueFlags & (VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_TRANSFER_BIT))
         v->family = i;
   }
   CHECK(v->family != UINT32_MAX);

   const char *exts[8];
   uint32_t n_exts = 0;
   for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
      exts[n_exts++] = needed[i];
   /* VK_EXT_image_drm_format_modifier needs it before Vulkan 1.2. */
   if (has_extension(v->phys, VK_KHR_IMAGE_FORMAT_LIST_EXTENSION_NAME))
      exts[n_exts++] = VK_KHR_IMAGE_FORMAT_LIST_EXTENSION_NAME;
   float prio = 1.0f;
   VkDeviceQueueCreateInfo qci = { .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                   .queueFamilyIndex = v->family, .queueCount = 1,
                                   .pQueuePriorities = &prio };
   VkDeviceCreateInfo dci = { .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                              .queueCreateInfoCount = 1, .pQueueCreateInfos = &qci,
                              .enabledExtensionCount = n_exts, .ppEnabledExtensionNames = exts };
   CHECK_EQ(vkCreateDevice(v->phys, &dci, NULL, &v->dev), VK_SUCCESS);
   vkGetDeviceQueue(v->dev, v->family, 0, &v->queue);
   v->memory_fd_properties =
      (PFN_vkGetMemoryFdPropertiesKHR)vkGetDeviceProcAddr(v->dev, "vkGetMemoryFdPropertiesKHR");
   CHECK(v->memory_fd_properties != NULL);
}

void
vk_fini(struct vk *v)
{
   vkDestroyDevice(v->dev, NULL);
   vkDestroyInstance(v->inst, NULL);
}

/* The cache's import: a VkImage on the dma-buf's memory. */
int
vk_import(void *context, const struct fdid_image *img, void **out)
{
   struct vk *v = context;
   struct fdid_vk_import imp;
   int r = fdid_image_to_vk(img, &imp);
   if (r < 0)
      return r;
   if (imp.disjoint) {
      fdid_vk_import_finish(&imp);
      return -ENOTSUP; /* this test's images have one object */
   }
   VkImageCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .pNext = fdid_vk_import_chain(&imp),
      .imageType = VK_IMAGE_TYPE_2D, .format = imp.format,
      .extent = { img->width, img->height, 1 }, .mipLevels = 1, .arrayLayers = 1,
      .samples = VK_SAMPLE_COUNT_1_BIT, .tiling = VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT,
      .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT, .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
      .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
   };
   struct vk_object *o = calloc(1, sizeof(*o));
   VkResult vr = o ? vkCreateImage(v->dev, &ci, NULL, &o->image) : VK_ERROR_OUT_OF_HOST_MEMORY;
   if (vr != VK_SUCCESS) {
      printf("# vkCreateImage of a %ux%u image: VkResult %d\n", img->width, img->height, vr);
      free(o);
      fdid_vk_import_finish(&imp);
      return -EIO;
   }
   VkMemoryFdPropertiesKHR fdp = { .sType = VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR };
   VkMemoryRequirements req;
   vkGetImageMemoryRequirements(v->dev, o->image, &req);
   uint32_t types = req.memoryTypeBits;
   if (v->memory_fd_properties(v->dev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
                               imp.memories[0].fd, &fdp) == VK_SUCCESS)
      types &= fdp.memoryTypeBits;
   VkMemoryDedicatedAllocateInfo dedicated = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO, .image = o->image };
   imp.memories[0].pNext = &dedicated;
   VkMemoryAllocateInfo ai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                               .pNext = &imp.memories[0], .allocationSize = req.size,
                               .memoryTypeIndex = types ? (uint32_t)__builtin_ctz(types) : 0 };
   vr = types ? vkAllocateMemory(v->dev, &ai, NULL, &o->memory) : VK_ERROR_INVALID_EXTERNAL_HANDLE;
   if (vr != VK_SUCCESS) {
      printf("# importing %llu bytes (memory types %#x): VkResult %d\n",
             (unsigned long long)req.size, types, vr);
      vkDestroyImage(v->dev, o->image, NULL);
      free(o);
      fdid_vk_import_finish(&imp);
      return -EIO;
   }
   imp.memories[0].fd = -1; /* Vulkan owns it now */
   fdid_vk_import_finish(&imp);
   CHECK_EQ(vkBindImageMemory(v->dev, o->image, o->memory, 0), VK_SUCCESS);
   v->imports++;
   *out = o;
   return 0;
}

void
vk_destroy(void *context, void *object)
{
   struct vk *v = context;
   struct vk_object *o = object;
   vkDestroyImage(v->dev, o->image, NULL);
   vkFreeMemory(v->dev, o->memory, NULL);
   free(o);
}

/* Copies the top-left w x h pixels into host memory. */
void
vk_read_back(struct vk *v, VkImage image, uint32_t w, uint32_t h, uint32_t *pixels)
{
   VkBufferCreateInfo bci = { .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                              .size = (VkDeviceSize)w * h * 4, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT };
   VkBuffer buf;
   CHECK_EQ(vkCreateBuffer(v->dev, &bci, NULL, &buf), VK_SUCCESS);
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(v->dev, buf, &req);
   VkPhysicalDeviceMemoryProperties mp;
   vkGetPhysicalDeviceMemoryProperties(v->phys, &mp);
   uint32_t type = UINT32_MAX;
   for (uint32_t i = 0; i < mp.memoryTypeCount && type == UINT32_MAX; i++) {
      VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                   VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      if ((req.memoryTypeBits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & want) == want)
         type = i;
   }
   CHECK(type != UINT32_MAX);
   VkMemoryAllocateInfo ai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                               .allocationSize = req.size, .memoryTypeIndex = type };
   VkDeviceMemory mem;
   CHECK_EQ(vkAllocateMemory(v->dev, &ai, NULL, &mem), VK_SUCCESS);
   CHECK_EQ(vkBindBufferMemory(v->dev, buf, mem, 0), VK_SUCCESS);

   VkCommandPoolCreateInfo pci = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                   .queueFamilyIndex = v->family };
   VkCommandPool pool;
   CHECK_EQ(vkCreateCommandPool(v->dev, &pci, NULL, &pool), VK_SUCCESS);
   VkCommandBufferAllocateInfo cai = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                       .commandPool = pool,
                                       .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                       .commandBufferCount = 1 };
   VkCommandBuffer cb;
   CHECK_EQ(vkAllocateCommandBuffers(v->dev, &cai, &cb), VK_SUCCESS);
   VkCommandBufferBeginInfo begin = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT };
   CHECK_EQ(vkBeginCommandBuffer(cb, &begin), VK_SUCCESS);
   /* Acquire from outside Vulkan, keeping the contents (GENERAL, not
    * UNDEFINED, which may discard them). */
   VkImageMemoryBarrier acquire = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
      .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
      .oldLayout = VK_IMAGE_LAYOUT_GENERAL, .newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
      .srcQueueFamilyIndex = VK_QUEUE_FAMILY_EXTERNAL, .dstQueueFamilyIndex = v->family,
      .image = image,
      .subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
   };
   vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                        0, NULL, 0, NULL, 1, &acquire);
   VkBufferImageCopy region = { .imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 },
                                .imageExtent = { w, h, 1 } };
   vkCmdCopyImageToBuffer(cb, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, buf, 1, &region);
   CHECK_EQ(vkEndCommandBuffer(cb), VK_SUCCESS);
   VkSubmitInfo si = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
                       .pCommandBuffers = &cb };
   CHECK_EQ(vkQueueSubmit(v->queue, 1, &si, VK_NULL_HANDLE), VK_SUCCESS);
   CHECK_EQ(vkQueueWaitIdle(v->queue), VK_SUCCESS);

   void *map;
   CHECK_EQ(vkMapMemory(v->dev, mem, 0, (VkDeviceSize)w * h * 4, 0, &map), VK_SUCCESS);
   memcpy(pixels, map, (size_t)w * h * 4);
   vkUnmapMemory(v->dev, mem);
   vkDestroyCommandPool(v->dev, pool, NULL);
   vkDestroyBuffer(v->dev, buf, NULL);
   vkFreeMemory(v->dev, mem, NULL);
}

