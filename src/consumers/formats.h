/* SPDX-License-Identifier: MIT */
/*
 * Every format the consumers know, once: its DRM fourcc, its Vulkan format
 * and VA-API fourcc where those APIs have one (NO_VK, NO_VA where not), its
 * plane count and, per plane, bytes per pixel and horizontal and vertical
 * subsampling. The formats graphics and video stacks pass between APIs
 * most.
 *
 * An X-macro with one row per format and fixed columns:
 *   FORMAT(a, b, c, d, vk, va, planes, cpp0, hsub0, vsub0, cpp1, ..., vsub2)
 * (planes past `planes` are 0, 0, 0). A file defines FORMAT to take the
 * columns it needs and expands FDID_FORMATS. A column a file does not use
 * is never expanded, so no file needs another API's header.
 *
 * Byte orders: DRM names a little-endian word (ARGB8888 is bytes B, G, R,
 * A), Vulkan and VA-API bytes in memory: DRM's AR24 is Vulkan's
 * B8G8R8A8_UNORM and VA's BGRA. The 10-bit RGB codes are packed words on
 * every side: the same order.
 */
#ifndef FDID_CONSUMERS_FORMATS_H
#define FDID_CONSUMERS_FORMATS_H

#include "fourcc.h"

/* clang-format off */
#define FDID_FORMATS                                                                                                                       \
   FORMAT('X', 'R', '2', '4', VK_FORMAT_B8G8R8A8_UNORM,                            VA_FOURCC_BGRX,        1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('A', 'R', '2', '4', VK_FORMAT_B8G8R8A8_UNORM,                            VA_FOURCC_BGRA,        1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('X', 'B', '2', '4', VK_FORMAT_R8G8B8A8_UNORM,                            VA_FOURCC_RGBX,        1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('A', 'B', '2', '4', VK_FORMAT_R8G8B8A8_UNORM,                            VA_FOURCC_RGBA,        1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('R', 'A', '2', '4', NO_VK,                                               VA_FOURCC_ABGR,        1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('B', 'A', '2', '4', NO_VK,                                               VA_FOURCC_ARGB,        1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('R', 'X', '2', '4', NO_VK,                                               VA_FOURCC_XBGR,        1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('B', 'X', '2', '4', NO_VK,                                               VA_FOURCC_XRGB,        1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('X', 'R', '3', '0', NO_VK,                                               VA_FOURCC_X2R10G10B10, 1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('A', 'R', '3', '0', VK_FORMAT_A2R10G10B10_UNORM_PACK32,                  VA_FOURCC_A2R10G10B10, 1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('X', 'B', '3', '0', NO_VK,                                               VA_FOURCC_X2B10G10R10, 1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('A', 'B', '3', '0', VK_FORMAT_A2B10G10R10_UNORM_PACK32,                  VA_FOURCC_A2B10G10R10, 1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('A', 'B', '4', 'H', NO_VK,                                               NO_VA,                 1,  8, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('R', 'G', '1', '6', VK_FORMAT_R5G6B5_UNORM_PACK16,                       NO_VA,                 1,  2, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('R', '8', ' ', ' ', VK_FORMAT_R8_UNORM,                                  NO_VA,                 1,  1, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('R', '1', '6', ' ', VK_FORMAT_R16_UNORM,                                 NO_VA,                 1,  2, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('G', 'R', '8', '8', VK_FORMAT_R8G8_UNORM,                                NO_VA,                 1,  2, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('G', 'R', '3', '2', NO_VK,                                               NO_VA,                 1,  4, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('Y', 'U', 'Y', 'V', NO_VK,                                               VA_FOURCC_YUY2,        1,  2, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('U', 'Y', 'V', 'Y', NO_VK,                                               VA_FOURCC_UYVY,        1,  2, 1, 1,  0, 0, 0,  0, 0, 0) \
   FORMAT('N', 'V', '1', '2', VK_FORMAT_G8_B8R8_2PLANE_420_UNORM,                  VA_FOURCC_NV12,        2,  1, 1, 1,  2, 2, 2,  0, 0, 0) \
   FORMAT('N', 'V', '2', '1', NO_VK,                                               VA_FOURCC_NV21,        2,  1, 1, 1,  2, 2, 2,  0, 0, 0) \
   FORMAT('N', 'V', '1', '6', NO_VK,                                               NO_VA,                 2,  1, 1, 1,  2, 2, 1,  0, 0, 0) \
   FORMAT('P', '0', '1', '0', VK_FORMAT_G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16, VA_FOURCC_P010,        2,  2, 1, 1,  4, 2, 2,  0, 0, 0) \
   FORMAT('P', '0', '1', '2', NO_VK,                                               VA_FOURCC_P012,        2,  2, 1, 1,  4, 2, 2,  0, 0, 0) \
   FORMAT('P', '0', '1', '6', NO_VK,                                               VA_FOURCC_P016,        2,  2, 1, 1,  4, 2, 2,  0, 0, 0) \
   FORMAT('Y', 'U', '1', '2', VK_FORMAT_G8_B8_R8_3PLANE_420_UNORM,                 VA_FOURCC_I420,        3,  1, 1, 1,  1, 2, 2,  1, 2, 2) \
   FORMAT('Y', 'V', '1', '2', NO_VK,                                               VA_FOURCC_YV12,        3,  1, 1, 1,  1, 2, 2,  1, 2, 2) \
   FORMAT('Y', 'U', '1', '6', NO_VK,                                               NO_VA,                 3,  1, 1, 1,  1, 2, 1,  1, 2, 1) \
   FORMAT('Y', 'U', '2', '4', NO_VK,                                               NO_VA,                 3,  1, 1, 1,  1, 1, 1,  1, 1, 1)
/* clang-format on */

#endif
