/* SPDX-License-Identifier: MIT */
/*
 * The VA-API and Vulkan translators with real vgem dma-bufs in the guest:
 * translation and dedupe only. No VA driver runs on vgem and lavapipe
 * cannot import a dma-buf, so the real imports of these forms run on GPU
 * hardware (piglit); here the kernel's buffers are real and the API calls
 * are not made.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include <fdid/egl_dmabuf.h>
#include <fdid/import_cache.h>
#include <fdid/va_prime.h>
#include <fdid/vk_device.h>
#include <fdid/vk_dmabuf.h>
#include <sys/sysmacros.h>

#include "drm_util.h"
#include "fdid_test.h"

#define NV12 0x3231564eu
#define R8 0x20203852u
#define GR88 0x38385247u
#define XR24 0x34325258u
enum { W = 64, H = 64 };

struct buf {
   int card;
   uint32_t handle, pitch;
   uint64_t size;
   int fd;
};

static struct buf
buf_new(uint32_t w, uint32_t h, uint32_t bpp)
{
   struct buf b;
   b.card = open_card();
   struct drm_mode_create_dumb req = { .width = w, .height = h, .bpp = bpp };
   CHECK_SYS(drmIoctl(b.card, DRM_IOCTL_MODE_CREATE_DUMB, &req));
   b.handle = req.handle;
   b.pitch = req.pitch;
   b.size = req.size;
   b.fd = prime_export(b.card, b.handle);
   return b;
}

static void
buf_free(struct buf *b)
{
   close(b->fd);
   gem_close(b->card, b->handle);
   close(b->card);
}

/* NV12 on one buffer, composed form: one layer, two planes. */
static VADRMPRIMESurfaceDescriptor
nv12_composed(const struct buf *b)
{
   VADRMPRIMESurfaceDescriptor d = {
      .fourcc = VA_FOURCC_NV12, .width = W, .height = H, .num_objects = 1,
      .objects = { { .fd = b->fd, .size = (uint32_t)b->size, .drm_format_modifier = 0 } },
      .num_layers = 1,
      .layers = { { .drm_format = NV12, .num_planes = 2, .object_index = { 0, 0 },
                    .offset = { 0, b->pitch * H }, .pitch = { b->pitch, b->pitch } } },
   };
   return d;
}

/* The same, separate form: an R8 layer and a GR88 layer. */
static VADRMPRIMESurfaceDescriptor
nv12_separate(const struct buf *b, int uv_fd)
{
   VADRMPRIMESurfaceDescriptor d = nv12_composed(b);
   d.num_objects = 2;
   d.objects[1] = d.objects[0];
   d.objects[1].fd = uv_fd;
   d.num_layers = 2;
   d.layers[0] = (__typeof__(d.layers[0])){ .drm_format = R8, .num_planes = 1,
                                        .offset = { 0 }, .pitch = { b->pitch } };
   d.layers[1] = (__typeof__(d.layers[1])){ .drm_format = GR88, .num_planes = 1,
                                        .object_index = { 1 }, .offset = { b->pitch * H },
                                        .pitch = { b->pitch } };
   return d;
}

FDID_TEST(va_composed_and_separate_forms_are_one_image)
{
   struct buf b = buf_new(W, H * 3 / 2, 8);
   int uv = CHECK_SYS(dup(b.fd)); /* the separate form's second object */
   VADRMPRIMESurfaceDescriptor c = nv12_composed(&b), s = nv12_separate(&b, uv);
   struct fdid_image ic, is;
   CHECK_EQ(fdid_image_from_va_prime(&c, &ic), 0);
   CHECK_EQ(fdid_image_from_va_prime(&s, &is), 0);
   CHECK_EQ(ic.fourcc, NV12);
   CHECK_EQ(is.fourcc, NV12);
   /* Two objects in the descriptor, one dma-buf behind them. */
   CHECK_EQ(is.n_objects, 1);
   CHECK(fdid_image_equal(&ic, &is));

   /* Each separate layer as its own image: the UV layer is half size. */
   struct fdid_image y, cbcr;
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 0, &y), 0);
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 1, &cbcr), 0);
   CHECK_EQ(y.fourcc, R8);
   CHECK_EQ(cbcr.fourcc, GR88);
   CHECK_EQ(cbcr.width, W / 2);
   CHECK_EQ(cbcr.height, H / 2);
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 2, &y), -EINVAL);

   /* Back to VA (composed) and again: the same image. */
   VADRMPRIMESurfaceDescriptor back;
   struct fdid_image again;
   CHECK_EQ(fdid_image_to_va_prime(&is, 0, &back), 0);
   CHECK_EQ(back.fourcc, VA_FOURCC_NV12);
   CHECK_EQ(back.num_objects, 1);
   CHECK_EQ(back.num_layers, 1);
   CHECK_EQ(fdid_image_from_va_prime(&back, &again), 0);
   CHECK(fdid_image_equal(&ic, &again));
   close(uv);
   buf_free(&b);
}

FDID_TEST(va_every_validation_error)
{
   struct buf b = buf_new(W, H * 3 / 2, 8);
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   struct fdid_image img;
   VADRMPRIMESurfaceDescriptor d;
#define EXPECT(err, ...)                                                     \
   do {                                                                      \
      d = nv12_composed(&b);                                                 \
      __VA_ARGS__;                                                           \
      CHECK_EQ(fdid_image_from_va_prime(&d, &img), err);                     \
      CHECK(fcntl(b.fd, F_GETFD) >= 0);                                      \
      CHECK(fcntl(p[0], F_GETFD) >= 0);                                      \
   } while (0)
   EXPECT(0, (void)0);
   EXPECT(-E2BIG, d.num_objects = 0);
   EXPECT(-E2BIG, d.num_objects = 5);
   EXPECT(-E2BIG, d.num_layers = 0);
   EXPECT(-E2BIG, d.num_layers = 5);
   EXPECT(-EINVAL, d.layers[0].num_planes = 0);
   EXPECT(-E2BIG, d.layers[0].num_planes = 5);
   EXPECT(-EINVAL, d.layers[0].object_index[1] = 1);          /* past objects */
   EXPECT(-EINVAL, d.width = 0);
   EXPECT(-EINVAL, d.height = 0);
   EXPECT(-EINVAL, d.objects[0].size = (uint32_t)b.size + 4096); /* claims more */
   EXPECT(0, d.objects[0].size = 0);                          /* 0: unknown, fine */
   EXPECT(-EINVAL, d.layers[0].offset[1] = (uint32_t)b.size); /* past the end */
   EXPECT(-EINVAL, d.layers[0].num_planes = 1);               /* NV12 needs 2 */
   EXPECT(-EINVAL, d.layers[0].drm_format = 0);
   EXPECT(-EBADFD, d.objects[0].fd = p[0]);
   EXPECT(-EBADF, d.objects[0].fd = 1000);
   /* Planes on objects with different modifiers. */
   EXPECT(-EINVAL, d.num_objects = 2, d.objects[1] = d.objects[0],
          d.objects[1].drm_format_modifier = 1, d.layers[0].object_index[1] = 1);
   /* Separate layers of a VA fourcc fdid cannot map. */
   EXPECT(-ENOTSUP, d = nv12_separate(&b, b.fd), d.fourcc = 0x12345678);
   /* Over 4 planes in all. */
   EXPECT(-E2BIG, d.num_layers = 3, d.layers[1] = d.layers[0], d.layers[2] = d.layers[0]);
#undef EXPECT
   CHECK_EQ(fdid_image_from_va_prime(NULL, &img), -EINVAL);
   CHECK_EQ(fdid_va_fourcc_to_drm(VA_FOURCC_BGRA), 0x34325241u); /* AR24 */
   CHECK_EQ(fdid_drm_fourcc_to_va(0x34325241u), VA_FOURCC_BGRA);
   close(p[0]);
   close(p[1]);
   buf_free(&b);
}

FDID_TEST(vk_memories_are_dups_and_layouts_round_trip)
{
   struct buf b = buf_new(W, H * 3 / 2, 8);
   VADRMPRIMESurfaceDescriptor d = nv12_composed(&b);
   struct fdid_image img, back;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&img, &imp), 0);
   CHECK_EQ(imp.format, VK_FORMAT_G8_B8R8_2PLANE_420_UNORM);
   CHECK_EQ(imp.n_memories, 1);
   CHECK(!imp.disjoint);
   CHECK_EQ(imp.plane_memory[1], 0);
   CHECK_EQ(imp.modifier_info.drmFormatModifierPlaneCount, 2);
   CHECK(imp.modifier_info.pPlaneLayouts == imp.plane_layouts);
   CHECK(imp.modifier_info.pNext == &imp.external_info);
   CHECK_EQ(imp.plane_layouts[1].offset, b.pitch * H);
   CHECK_EQ(imp.plane_layouts[1].size, 0);
   /* The memory fd is a new fd of the same dma-buf, never the caller's. */
   int mfd = imp.memories[0].fd;
   CHECK(mfd != b.fd);
   struct stat s1, s2;
   CHECK_SYS(fstat(mfd, &s1));
   CHECK_SYS(fstat(b.fd, &s2));
   CHECK(s1.st_ino == s2.st_ino && s1.st_dev == s2.st_dev);

   /* Back from what a Vulkan export would give: one fd per plane. */
   int plane_fds[2] = { mfd, mfd };
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, &imp.modifier_info, plane_fds, &back), 0);
   CHECK(fdid_image_equal(&img, &back));

   /* fini closes what Vulkan did not take, and only that. */
   fdid_vk_import_fini(&imp);
   CHECK(fcntl(mfd, F_GETFD) < 0 && errno == EBADF);
   CHECK(fcntl(b.fd, F_GETFD) >= 0);

   /* Two objects: a disjoint image, two memories. */
   struct buf other = buf_new(W, H, 8);
   d.num_objects = 2;
   d.objects[1] = (__typeof__(d.objects[1])){ .fd = other.fd, .size = (uint32_t)other.size };
   d.layers[0].object_index[1] = 1;
   d.layers[0].offset[1] = 0;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
   CHECK_EQ(fdid_image_to_vk(&img, &imp), 0);
   CHECK(imp.disjoint);
   CHECK_EQ(imp.n_memories, 2);
   CHECK_EQ(imp.plane_memory[1], 1);
   imp.memories[0].fd = (close(imp.memories[0].fd), -1); /* as if Vulkan took it */
   fdid_vk_import_fini(&imp);
   buf_free(&other);
   buf_free(&b);
}

FDID_TEST(vk_every_validation_error)
{
   struct buf b = buf_new(W, H, 32);
   struct fdid_image img;
   fdid_image_init(&img, XR24, W, H);
   CHECK_EQ(fdid_image_add_plane(&img, b.fd, 0, b.pitch), 0);
   CHECK_EQ(fdid_image_finish(&img), 0);
   struct fdid_vk_import imp;
   /* No modifier: Vulkan needs one. */
   CHECK_EQ(fdid_image_to_vk(&img, &imp), -ENOTSUP);
   img.modifier = FDID_MODIFIER_LINEAR;
   CHECK_EQ(fdid_image_to_vk(&img, &imp), 0);
   fdid_vk_import_fini(&imp);
   img.fourcc = 0x12345678;
   CHECK_EQ(fdid_image_to_vk(&img, &imp), -ENOTSUP);
   struct fdid_image raw;
   fdid_image_init(&raw, XR24, W, H);
   CHECK_EQ(fdid_image_to_vk(&raw, &imp), -EINVAL);

   VkSubresourceLayout layout = { .offset = 0, .rowPitch = b.pitch };
   VkImageDrmFormatModifierExplicitCreateInfoEXT info = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT,
      .drmFormatModifier = 0, .drmFormatModifierPlaneCount = 1, .pPlaneLayouts = &layout,
   };
   int fds[1] = { b.fd };
   CHECK_EQ(fdid_image_from_vk(XR24, W, H, &info, fds, &img), 0);
   info.drmFormatModifierPlaneCount = 0;
   CHECK_EQ(fdid_image_from_vk(XR24, W, H, &info, fds, &img), -E2BIG);
   info.drmFormatModifierPlaneCount = 5;
   CHECK_EQ(fdid_image_from_vk(XR24, W, H, &info, fds, &img), -E2BIG);
   info.drmFormatModifierPlaneCount = 1;
   layout.rowPitch = (VkDeviceSize)1 << 33;
   CHECK_EQ(fdid_image_from_vk(XR24, W, H, &info, fds, &img), -EINVAL);
   layout.rowPitch = b.pitch;
   layout.arrayPitch = 4096;
   CHECK_EQ(fdid_image_from_vk(XR24, W, H, &info, fds, &img), -EINVAL);
   layout.arrayPitch = 0;
   layout.rowPitch = 16; /* shorter than a row */
   CHECK_EQ(fdid_image_from_vk(XR24, W, H, &info, fds, &img), -EINVAL);
   info.pPlaneLayouts = NULL;
   CHECK_EQ(fdid_image_from_vk(XR24, W, H, &info, fds, &img), -EINVAL);
   CHECK(fcntl(b.fd, F_GETFD) >= 0);
   buf_free(&b);
}

/* The same buffer as an EGL-style image, a VA descriptor with repeated fds
 * and a Vulkan export: one entry in a cache, one import. */
static int imports;

static int
count_import(void *ctx, const struct fdid_image *img, void **object)
{
   imports++;
   *object = (void *)(uintptr_t)imports;
   return 0;
}

static void
count_destroy(void *ctx, void *object)
{
}

FDID_TEST(cache_dedupes_across_api_forms)
{
   struct buf b = buf_new(W, H * 3 / 2, 8);
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(NULL, count_import, count_destroy, &cache), 0);
   int again = prime_export(b.card, b.handle);

   VADRMPRIMESurfaceDescriptor composed = nv12_composed(&b);
   VADRMPRIMESurfaceDescriptor separate = nv12_separate(&b, again);
   struct fdid_image a, c, v;
   CHECK_EQ(fdid_image_from_va_prime(&composed, &a), 0);
   CHECK_EQ(fdid_image_from_va_prime(&separate, &c), 0);
   a.modifier = c.modifier = FDID_MODIFIER_LINEAR;
   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&a, &imp), 0);
   int fds[2] = { imp.memories[0].fd, imp.memories[0].fd };
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, &imp.modifier_info, fds, &v), 0);
   void *o1, *o2, *o3;
   CHECK_EQ(fdid_import_cache_get(cache, &a, &o1, NULL), 0);
   CHECK_EQ(fdid_import_cache_get(cache, &c, &o2, NULL), 0);
   CHECK_EQ(fdid_import_cache_get(cache, &v, &o3, NULL), 0);
   CHECK(o1 == o2 && o2 == o3);
   CHECK_EQ(imports, 1);
   CHECK_EQ(fdid_import_cache_count(cache), 1);
   fdid_vk_import_fini(&imp);
   fdid_import_cache_destroy(cache);
   close(again);
   buf_free(&b);
}

/* EGL -> image -> VA -> image -> Vulkan -> image -> EGL: every form says
 * the same image, and the last list is the first one's. */
FDID_TEST(round_trip_through_every_api_form)
{
   struct buf b = buf_new(W, H * 3 / 2, 8);
   int dup_fd = CHECK_SYS(dup(b.fd));
   const EGLint first[] = {
      EGL_WIDTH, W, EGL_HEIGHT, H, EGL_LINUX_DRM_FOURCC_EXT, (EGLint)NV12,
      EGL_DMA_BUF_PLANE0_FD_EXT, b.fd, EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
      EGL_DMA_BUF_PLANE0_PITCH_EXT, (EGLint)b.pitch,
      EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, 0, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT, 0,
      EGL_DMA_BUF_PLANE1_FD_EXT, dup_fd, EGL_DMA_BUF_PLANE1_OFFSET_EXT, (EGLint)(b.pitch * H),
      EGL_DMA_BUF_PLANE1_PITCH_EXT, (EGLint)b.pitch,
      EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, 0, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT, 0, EGL_NONE,
   };
   struct fdid_image from_egl, from_va, from_vk, last;
   CHECK_EQ(fdid_image_from_egl_attribs(first, &from_egl, NULL), 0);
   CHECK_EQ(from_egl.n_objects, 1); /* a dup is the same buffer */

   VADRMPRIMESurfaceDescriptor d;
   CHECK_EQ(fdid_image_to_va_prime(&from_egl, 0, &d), 0);
   CHECK_EQ(d.fourcc, VA_FOURCC_NV12);
   CHECK_EQ(fdid_image_from_va_prime(&d, &from_va), 0);
   CHECK(fdid_image_equal(&from_egl, &from_va));

   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&from_va, &imp), 0);
   int fds[2] = { imp.memories[0].fd, imp.memories[0].fd };
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, &imp.modifier_info, fds, &from_vk), 0);
   CHECK(fdid_image_equal(&from_va, &from_vk));

   EGLint list[FDID_EGL_ATTRIBS_MAX];
   CHECK(fdid_image_to_egl_attribs(&from_vk, NULL, list, FDID_EGL_ATTRIBS_MAX) > 0);
   CHECK_EQ(fdid_image_from_egl_attribs(list, &last, NULL), 0);
   CHECK(fdid_image_equal(&from_egl, &last));
   fdid_vk_import_fini(&imp);
   close(dup_fd);
   buf_free(&b);
}

/* Vulkan names DRM nodes by number: a hand-made properties struct stands
 * for what VK_EXT_physical_device_drm would report for vgem. */
FDID_TEST(vk_physical_device_nodes_no_driver)
{
   int card = open_card(), render = open_render();
   struct fdid_device *dc, *dr;
   CHECK_EQ(fdid_device_acquire(card, &dc), 0);
   CHECK_EQ(fdid_device_acquire(render, &dr), 0);
   struct stat sc, sr;
   CHECK_SYS(fstat(card, &sc));
   CHECK_SYS(fstat(render, &sr));
   VkPhysicalDeviceDrmPropertiesEXT props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRM_PROPERTIES_EXT,
      .hasPrimary = VK_TRUE, .primaryMajor = major(sc.st_rdev), .primaryMinor = minor(sc.st_rdev),
      .hasRender = VK_TRUE, .renderMajor = major(sr.st_rdev), .renderMinor = minor(sr.st_rdev),
   };
   CHECK_EQ(fdid_device_is_vk_physical_device(dc, &props), 1);
   CHECK_EQ(fdid_device_is_vk_physical_device(dr, &props), 1);
   props.hasRender = VK_FALSE;
   CHECK_EQ(fdid_device_is_vk_physical_device(dr, &props), 0);
   props.primaryMinor += 1; /* another GPU */
   CHECK_EQ(fdid_device_is_vk_physical_device(dc, &props), 0);
   CHECK_EQ(fdid_device_is_vk_physical_device(NULL, &props), -EINVAL);
   fdid_device_release(dc);
   fdid_device_release(dr);
   close(card);
   close(render);
}

int
main(int argc, char **argv)
{
   return fdid_test_main(argc, argv);
}
