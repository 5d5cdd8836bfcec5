/* SPDX-License-Identifier: MIT */
/*
 * Is a winsys entry the GPU behind a Vulkan physical device? Vulkan names
 * its DRM nodes by number (VK_EXT_physical_device_drm), not by fd, so the
 * answer is "same GPU"; the same description cannot be asked of Vulkan.
 */
#ifndef FDID_VK_DEVICE_H
#define FDID_VK_DEVICE_H

#include <vulkan/vulkan.h>

#include <fdid/winsys.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * 1 when dev's node is the primary or the render node of props (from
 * vkGetPhysicalDeviceProperties2() with VkPhysicalDeviceDrmPropertiesEXT
 * chained), 0 when not, -EINVAL when an argument is NULL, -errno when the
 * entry's fd cannot be stat'ed.
 */
int fdid_device_is_vk_physical_device(const struct fdid_device *dev,
                                      const VkPhysicalDeviceDrmPropertiesEXT *props);

#ifdef __cplusplus
}
#endif

#endif /* FDID_VK_DEVICE_H */
