/* SPDX-License-Identifier: MIT */
/*
 * Plane sizes at the 32-bit edge, on the largest vgem dma-buf there is
 * (4 GiB - 4 KiB: DRM's dumb size is 32-bit; shmem, so no page is
 * touched) in the guest. A subsampled plane's size is ceil(size / sub),
 * computed in 64 bits (fdid_subsampled_size): in 32 bits it wraps to 0
 * for UINT32_MAX, which turned a UINT32_MAX-wide VA surface's second layer
 * into 0 x 0. Every path that builds an image is checked at the edge:
 * fdid_image_resolve() itself, and the VA-API, Vulkan and EGL translators.
 * Translation only: no driver imports here.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include <fdid/image.h>
#ifdef FDID_HAVE_VA
#include <fdid/va_prime.h>
#endif
#ifdef FDID_HAVE_VULKAN
#include <fdid/vk_dmabuf.h>
#endif
#ifdef FDID_HAVE_EGL
#include <fdid/egl_dmabuf.h>
#endif

#include "drm_util.h"
#include "fdid_test.h"
#include "fourccs.h"

/* A tiled layout (I915_FORMAT_MOD_X_TILED): only offsets are checked. */
#define MOD_TILED ((1ull << 56) | 1)
#define SIZE ((1ull << 32) - 4096)
/* The tallest 1-pixel-wide NV12 image whose CbCr plane fits at 8 KiB. */
#define TALL ((uint32_t)(SIZE - 8192))

struct big {
   int card;
   struct dumb d;
   int fd;
};

/* 1024 x (2^20 - 1) at 32 bpp: 4096-byte rows, 4 GiB - 4 KiB. */
static struct big
big_new(void)
{
   struct big b;
   b.card = open_card();
   b.d = dumb_create(b.card, 1024, (1u << 20) - 1);
   CHECK_EQ(b.d.size, SIZE);
   b.fd = prime_export(b.card, b.d.handle);
   return b;
}

static void
big_free(struct big *b)
{
   close(b->fd);
   gem_close(b->card, b->d.handle);
   close(b->card);
}

/* NV12, 1 x TALL, linear: the Y plane (pitch 1) is TALL bytes; the CbCr
 * plane TALL / 2 rows of 2 bytes, TALL bytes too, so it fits at offsets up
 * to 8192 and not one byte further. */
static void
nv12_edge(struct fdid_image *img, int fd, uint32_t cbcr_offset)
{
   fdid_image_init(img, NV12, 1, TALL);
   img->modifier = FDID_MODIFIER_LINEAR;
   CHECK_EQ(fdid_image_add_plane(img, fd, 0, 1), 0);
   CHECK_EQ(fdid_image_add_plane(img, fd, cbcr_offset, 2), 0);
}

FDID_TEST(subsampled_size_does_not_wrap)
{
   CHECK_EQ(fdid_subsampled_size(UINT32_MAX, 2), 1u << 31);
   CHECK_EQ(fdid_subsampled_size(UINT32_MAX, 1), UINT32_MAX);
   CHECK_EQ(fdid_subsampled_size(UINT32_MAX - 1, 2), (1u << 31) - 1);
   CHECK_EQ(fdid_subsampled_size(5, 4), 2);
   CHECK_EQ(fdid_subsampled_size(7, 0), 7);
}

FDID_TEST(image_plane_at_4gib)
{
   struct big b = big_new();
   struct fdid_image img;
   nv12_edge(&img, b.fd, 0x2000); /* ends exactly at the buffer's end */
   CHECK_EQ(fdid_image_resolve(&img), 0);
   nv12_edge(&img, b.fd, 0x2001);
   CHECK_EQ(fdid_image_resolve(&img), -EINVAL);
   CHECK(!fdid_image_is_resolved(&img));
   big_free(&b);
}

#ifdef FDID_HAVE_VA
FDID_TEST(va_surface_at_4gib_translation_no_driver)
{
   struct big b = big_new();
   VADRMPRIMESurfaceDescriptor d = {
      .fourcc = VA_FOURCC_NV12, .width = 1, .height = TALL, .num_objects = 1,
      .objects = { { .fd = b.fd, .size = 0, .drm_format_modifier = FDID_MODIFIER_LINEAR } },
      .num_layers = 1,
      .layers = { { .drm_format = NV12, .num_planes = 2, .object_index = { 0, 0 },
                    .offset = { 0, 0x2000 }, .pitch = { 1, 2 } } },
   };
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
   d.layers[0].offset[1] = 0x2001;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), -EINVAL);
   big_free(&b);
}

FDID_TEST(va_layer_of_uint32_max_surface_translation_no_driver)
{
   /* The CbCr layer of a UINT32_MAX x UINT32_MAX NV12 surface is
    * 2^31 x 2^31 GR88 pixels; in 32 bits it was 0 x 0 and refused. Tiled,
    * so that only offsets are checked and the size can be seen. */
   struct big b = big_new();
   VADRMPRIMESurfaceDescriptor s = {
      .fourcc = VA_FOURCC_NV12, .width = UINT32_MAX, .height = UINT32_MAX, .num_objects = 1,
      .objects = { { .fd = b.fd, .size = 0, .drm_format_modifier = MOD_TILED } },
      .num_layers = 2,
      .layers = { { .drm_format = R8, .num_planes = 1, .pitch = { 4096 } },
                  { .drm_format = GR88, .num_planes = 1, .offset = { 4096 },
                    .pitch = { 4096 } } },
   };
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 1, &img), 0);
   CHECK_EQ(img.width, 1u << 31);
   CHECK_EQ(img.height, 1u << 31);
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 0, &img), 0);
   CHECK_EQ(img.width, UINT32_MAX);
   CHECK_EQ(img.height, UINT32_MAX);
   big_free(&b);
}
#endif

#ifdef FDID_HAVE_VULKAN
FDID_TEST(vk_layout_at_4gib_translation_no_driver)
{
   struct big b = big_new();
   VkSubresourceLayout layouts[2] = { { .offset = 0, .rowPitch = 1 },
                                      { .offset = 0x2000, .rowPitch = 2 } };
   /* The same NV12 edge as image_plane_at_4gib. */
   VkImageDrmFormatModifierExplicitCreateInfoEXT info = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT,
      .drmFormatModifier = FDID_MODIFIER_LINEAR,
      .drmFormatModifierPlaneCount = 2,
      .pPlaneLayouts = layouts,
   };
   int fds[2] = { b.fd, b.fd };
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_vk(NV12, 1, TALL, &info, fds, &img), 0);
   layouts[1].offset = 0x2001;
   CHECK_EQ(fdid_image_from_vk(NV12, 1, TALL, &info, fds, &img), -EINVAL);
   big_free(&b);
}
#endif

#ifdef FDID_HAVE_EGL
FDID_TEST(egl_largest_sizes_translation_no_driver)
{
   /* EGLint caps sizes at INT32_MAX: the tallest image's CbCr plane,
    * 2^30 rows, checked in 64 bits against pitches whose product with the
    * rows passes 4 GiB. */
   struct big b = big_new();
   EGLint attribs[] = {
      EGL_WIDTH, 1, EGL_HEIGHT, INT32_MAX, EGL_LINUX_DRM_FOURCC_EXT, (EGLint)NV12,
      EGL_DMA_BUF_PLANE0_FD_EXT, b.fd, EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
      EGL_DMA_BUF_PLANE0_PITCH_EXT, 1,
      EGL_DMA_BUF_PLANE1_FD_EXT, b.fd, EGL_DMA_BUF_PLANE1_OFFSET_EXT, INT32_MAX,
      EGL_DMA_BUF_PLANE1_PITCH_EXT, 2, EGL_NONE,
   };
   struct fdid_image img;
   /* CbCr at 2 GiB - 1: 2^30 rows of 2 bytes end at 4 GiB - 1, past
    * the buffer; at 2 GiB - 4 KiB they end at its last byte. */
   CHECK_EQ(fdid_image_from_egl_attribs(attribs, &img, NULL), -EINVAL);
   attribs[15] = INT32_MAX - 4095;
   CHECK_EQ(fdid_image_from_egl_attribs(attribs, &img, NULL), 0);
   attribs[17] = 4; /* pitch 4: (2^30 - 1) x 4 wraps 32 bits */
   CHECK_EQ(fdid_image_from_egl_attribs(attribs, &img, NULL), -EINVAL);
   big_free(&b);
}
#endif

FDID_TEST_MAIN()
