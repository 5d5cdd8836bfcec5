/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fdid/vk_device.h"
#include "util/macros.h"

FDID_PUBLIC int
fdid_device_is_vk_physical_device(const struct fdid_device *dev,
                                  const VkPhysicalDeviceDrmPropertiesEXT *props)
{
   if (!dev || !props)
      return -EINVAL;
   struct stat st;
   if (fstat(fdid_device_fd(dev), &st) != 0)
      return -errno;
   int64_t maj = major(st.st_rdev), min = minor(st.st_rdev);
   return (props->hasPrimary && props->primaryMajor == maj && props->primaryMinor == min) ||
          (props->hasRender && props->renderMajor == maj && props->renderMinor == min);
}
