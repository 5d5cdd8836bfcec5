/* SPDX-License-Identifier: MIT */
/*
 * Real Vulkan import of a dma-buf, for GPU machines (piglit): a linear
 * dumb buffer of the GPU's card node, filled through mmap, imported through
 * fdid's Vulkan translator and an import cache, as a dup, as a second
 * export and again: one VkImage and one VkDeviceMemory (the import callback
 * runs once); the image copied to a host buffer holds the CPU's pattern.
 *
 * It skips where no Vulkan device has VK_EXT_external_memory_dma_buf and
 * VK_EXT_image_drm_format_modifier: lavapipe (this project's CI guest) has
 * neither, so here it only ever skips.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vulkan/vulkan.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include <fdid/import_cache.h>
#include <fdid/winsys.h>

#include "drm_util.h"
#include "drm_node.h"
#include "fdid_test.h"
#include "fourccs.h"
#include "vk_context.h"

enum { W = 64, H = 64 };

static uint32_t
pattern(int x, int y)
{
   return 0xff000000u | (uint32_t)(x * 4) << 16 | (uint32_t)(y * 4) << 8 | (uint32_t)(x ^ y);
}

FDID_TEST(one_vulkan_import_per_buffer_with_the_cpu_pattern)
{
   int card = drm_open_driver("vgem", false);
   if (card < 0)
      SKIP("no vgem node");
   struct fdid_device *gpu;
   CHECK_EQ(fdid_device_acquire(card, &gpu), 0);
   struct vk v;
   vk_init(&v, gpu);

   /* A linear buffer the CPU fills: a dumb buffer of the card node. */
   struct drm_mode_create_dumb req = { .width = W, .height = H, .bpp = 32 };
   if (drmIoctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &req) != 0)
      SKIP("this card node has no dumb buffers");
   struct drm_mode_map_dumb map_req = { .handle = req.handle };
   CHECK_SYS(drmIoctl(card, DRM_IOCTL_MODE_MAP_DUMB, &map_req));
   uint32_t *map = mmap(NULL, req.size, PROT_READ | PROT_WRITE, MAP_SHARED, card,
                        (off_t)map_req.offset);
   CHECK(map != MAP_FAILED);
   for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++)
         map[y * (req.pitch / 4) + x] = pattern(x, y);
   }
   int fd1 = prime_export(card, req.handle);
   int fd2 = CHECK_SYS(dup(fd1));
   int fd3 = prime_export(card, req.handle);

   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&v, vk_import, vk_destroy, &cache), 0);
   int fds[] = { fd1, fd2, fd3 };
   struct vk_object *objects[3];
   for (int i = 0; i < 3; i++) {
      struct fdid_image img;
      fdid_image_init(&img, XR24, W, H);
      img.modifier = FDID_MODIFIER_LINEAR;
      CHECK_EQ(fdid_image_add_plane(&img, fds[i], 0, req.pitch), 0);
      CHECK_EQ(fdid_image_resolve(&img), 0);
      void *o;
      int r = fdid_import_cache_acquire(cache, &img, &o, NULL);
      if (r == -EIO && i == 0)
         SKIP("the driver refused this linear XR24 dma-buf");
      CHECK_EQ(r, 0);
      objects[i] = o;
   }
   CHECK(objects[0] == objects[1] && objects[1] == objects[2]);
   CHECK_EQ(v.imports, 1);

   static uint32_t pixels[W * H];
   vk_read_back(&v, objects[0]->image, W, H, pixels);
   for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
         if ((pixels[y * W + x] & 0xffffff) != (pattern(x, y) & 0xffffff))
            fdid_test_fail(__FILE__, __LINE__, "pixel %d,%d: %08x, wrote %08x", x, y,
                           pixels[y * W + x], pattern(x, y));
      }
   }

   fdid_import_cache_destroy(cache);
   vk_fini(&v);
   close(fd1);
   close(fd2);
   close(fd3);
   munmap(map, req.size);
   gem_close(card, req.handle);
   fdid_device_unref(gpu);
   close(card);
}

FDID_TEST_MAIN()
