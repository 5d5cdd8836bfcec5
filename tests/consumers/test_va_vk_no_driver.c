/* SPDX-License-Identifier: MIT */
/*
 * The VA-API and Vulkan translators with real vgem dma-bufs in the guest:
 * translation and dedupe only. No VA driver runs on vgem and lavapipe
 * cannot import a dma-buf, so the real imports of these forms run on GPU
 * hardware (piglit); here the kernel's buffers are real and the API calls
 * are not made. Every subtest's name ends in _translation_no_driver (or
 * _no_driver) to say so.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
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
#include "fourccs.h"

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

FDID_TEST(va_composed_and_separate_forms_are_one_image_translation_no_driver)
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

/* ---- VA validation: one subtest per rejected descriptor ----------------
 *
 * Each starts from the good composed NV12 descriptor over a fresh vgem
 * buffer, breaks one thing, and checks the exact errno and that the
 * caller's fds (the buffer's and a pipe's) are still open; the harness
 * fails a subtest that leaves an fd of its own open.
 */
struct va_case {
   struct buf b;
   int pipe[2];
   VADRMPRIMESurfaceDescriptor d;
};

static void
va_case_begin(struct va_case *c)
{
   c->b = buf_new(W, H * 3 / 2, 8);
   CHECK_SYS(pipe2(c->pipe, O_CLOEXEC));
   c->d = nv12_composed(&c->b);
}

static void
va_case_end(struct va_case *c, int err)
{
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime(&c->d, &img), err);
   CHECK(fcntl(c->b.fd, F_GETFD) >= 0);
   CHECK(fcntl(c->pipe[0], F_GETFD) >= 0);
   CHECK(fcntl(c->pipe[1], F_GETFD) >= 0);
   close(c->pipe[0]);
   close(c->pipe[1]);
   buf_free(&c->b);
}

/* d: the descriptor, c: the buffer (c.b) and pipe (c.pipe). */
#define VA_CASE(tname, err, ...)                                             \
   FDID_TEST(va_##tname##_translation_no_driver)                             \
   {                                                                         \
      struct va_case c;                                                      \
      va_case_begin(&c);                                                     \
      VADRMPRIMESurfaceDescriptor *d = &c.d;                                 \
      (void)d;                                                               \
      __VA_ARGS__;                                                           \
      va_case_end(&c, err);                                                  \
   }

VA_CASE(accepts_the_good_descriptor, 0, (void)0)
VA_CASE(accepts_declared_size_zero, 0, d->objects[0].size = 0) /* 0: unknown */
VA_CASE(rejects_zero_objects, -E2BIG, d->num_objects = 0)
VA_CASE(rejects_five_objects, -E2BIG, d->num_objects = 5)
VA_CASE(rejects_zero_layers, -E2BIG, d->num_layers = 0)
VA_CASE(rejects_five_layers, -E2BIG, d->num_layers = 5)
VA_CASE(rejects_layer_without_planes, -EINVAL, d->layers[0].num_planes = 0)
VA_CASE(rejects_layer_with_five_planes, -E2BIG, d->layers[0].num_planes = 5)
VA_CASE(rejects_over_four_planes_in_all, -E2BIG, d->num_layers = 3,
        d->layers[1] = d->layers[0], d->layers[2] = d->layers[0])
VA_CASE(rejects_object_index_past_objects, -EINVAL, d->layers[0].object_index[1] = 1)
VA_CASE(rejects_object_index_past_four, -EINVAL, d->layers[0].object_index[1] = 4)
VA_CASE(rejects_zero_width, -EINVAL, d->width = 0)
VA_CASE(rejects_zero_height, -EINVAL, d->height = 0)
VA_CASE(rejects_declared_size_over_dmabuf_size, -EINVAL,
        d->objects[0].size = (uint32_t)c.b.size + 4096)
VA_CASE(rejects_offset_past_object_end, -EINVAL, d->layers[0].offset[1] = (uint32_t)c.b.size)
VA_CASE(rejects_plane_running_past_object_end, -EINVAL,
        d->layers[0].offset[1] = (uint32_t)c.b.size - c.b.pitch)
VA_CASE(rejects_pitch_shorter_than_a_row, -EINVAL, d->layers[0].pitch[0] = W - 1)
VA_CASE(rejects_one_plane_for_nv12, -EINVAL, d->layers[0].num_planes = 1)
VA_CASE(rejects_zero_layer_format, -EINVAL, d->layers[0].drm_format = 0)
VA_CASE(rejects_pipe_not_a_dmabuf, -EBADFD, d->objects[0].fd = c.pipe[0])
VA_CASE(rejects_object_fd_not_open, -EBADF, d->objects[0].fd = 1000)
/* An object no plane names is still handed to the driver: checked too. */
VA_CASE(rejects_unused_object_not_a_dmabuf, -EBADFD, d->num_objects = 2,
        d->objects[1] = d->objects[0], d->objects[1].fd = c.pipe[1])
VA_CASE(rejects_unused_object_fd_not_open, -EBADF, d->num_objects = 2,
        d->objects[1] = d->objects[0], d->objects[1].fd = 1000)
VA_CASE(rejects_objects_with_different_modifiers, -EINVAL, d->num_objects = 2,
        d->objects[1] = d->objects[0], d->objects[1].drm_format_modifier = 1,
        d->layers[0].object_index[1] = 1)
/* Separate layers take the surface format from the VA fourcc. */
VA_CASE(rejects_unmappable_va_fourcc_in_separate_form, -ENOTSUP,
        *d = nv12_separate(&c.b, c.b.fd), d->fourcc = 0x12345678)
/* Two layers of a three-plane surface format (I420). (One layer alone is
 * the composed form: an image of that layer's own format.) */
VA_CASE(rejects_separate_form_too_few_layers_for_format, -EINVAL,
        *d = nv12_separate(&c.b, c.b.fd), d->fourcc = VA_FOURCC_I420)

FDID_TEST(va_layer_parser_checks_the_whole_descriptor_translation_no_driver)
{
   struct buf b = buf_new(W, H * 3 / 2, 8);
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   VADRMPRIMESurfaceDescriptor d = nv12_separate(&b, b.fd);
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime_layer(&d, 0, &img), 0);
   CHECK_EQ(fdid_image_from_va_prime_layer(&d, 2, &img), -EINVAL);
   /* Layer 1's object index is wrong: reading layer 0 says so. */
   d.layers[1].object_index[0] = 3;
   CHECK_EQ(fdid_image_from_va_prime_layer(&d, 0, &img), -EINVAL);
   d = nv12_separate(&b, p[0]); /* layer 1's object is a pipe */
   CHECK_EQ(fdid_image_from_va_prime_layer(&d, 0, &img), -EBADFD);
   CHECK_EQ(fdid_image_from_va_prime_layer(&d, 1, &img), -EBADFD);
   CHECK_EQ(fdid_image_from_va_prime_layer(NULL, 0, &img), -EINVAL);
   CHECK(fcntl(p[0], F_GETFD) >= 0 && fcntl(b.fd, F_GETFD) >= 0);
   close(p[0]);
   close(p[1]);
   buf_free(&b);
}

/* Two objects with one fd number (as drivers export the separate form),
 * and a dup: one object behind them. */
FDID_TEST(va_repeated_fds_are_one_object_translation_no_driver)
{
   struct buf b = buf_new(W, H * 3 / 2, 8);
   VADRMPRIMESurfaceDescriptor d = nv12_separate(&b, b.fd);
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
   CHECK_EQ(img.n_objects, 1);
   CHECK_EQ(img.planes[1].object, 0);
   /* Written back: one object, both planes on it. */
   VADRMPRIMESurfaceDescriptor back;
   CHECK_EQ(fdid_image_to_va_prime(&img, 0, &back), 0);
   CHECK_EQ(back.num_objects, 1);
   CHECK_EQ(back.objects[0].fd, b.fd);
   CHECK_EQ(back.layers[0].object_index[1], 0);
   CHECK_EQ(fdid_image_to_va_prime(NULL, 0, &back), -EINVAL);
   struct fdid_image odd = img;
   odd.fourcc = 0x20202020; /* no VA fourcc for it */
   CHECK_EQ(fdid_image_to_va_prime(&odd, 0, &back), -ENOTSUP);
   CHECK_EQ(fdid_image_to_va_prime(&odd, VA_FOURCC_NV12, &back), 0);
   CHECK_EQ(fdid_va_fourcc_to_drm(VA_FOURCC_BGRA), 0x34325241u); /* AR24 */
   CHECK_EQ(fdid_drm_fourcc_to_va(0x34325241u), VA_FOURCC_BGRA);
   CHECK_EQ(fdid_va_fourcc_to_drm(0x12345678), 0);
   buf_free(&b);
}

FDID_TEST(vk_memories_are_dups_and_layouts_round_trip_translation_no_driver)
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
   CHECK(fdid_vk_import_chain(&imp) == &imp.modifier_info);
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
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, fdid_vk_import_chain(&imp), plane_fds, &back), 0);
   CHECK(fdid_image_equal(&img, &back));

   /* fini closes what Vulkan did not take, and only that. */
   fdid_vk_import_finish(&imp);
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
   fdid_vk_import_finish(&imp);
   buf_free(&other);
   buf_free(&b);
}

/* ---- Vulkan validation: one subtest per refusal ------------------------ */

/* A finished linear XR24 image of a fresh buffer. */
static struct buf
xr24_image(struct fdid_image *img)
{
   struct buf b = buf_new(W, H, 32);
   fdid_image_init(img, XR24, W, H);
   CHECK_EQ(fdid_image_add_plane(img, b.fd, 0, b.pitch), 0);
   img->modifier = FDID_MODIFIER_LINEAR;
   CHECK_EQ(fdid_image_resolve(img), 0);
   return b;
}

/* to_vk's errno; on failure nothing is open that was not before (the
 * harness checks), and the caller's fd is. */
#define VK_TO_CASE(tname, err, ...)                                          \
   FDID_TEST(vk_to_##tname##_translation_no_driver)                          \
   {                                                                         \
      struct fdid_image img;                                                 \
      struct buf b = xr24_image(&img);                                       \
      struct fdid_vk_import imp;                                             \
      __VA_ARGS__;                                                           \
      int r = fdid_image_to_vk(&img, &imp);                                  \
      CHECK_EQ(r, err);                                                      \
      if (r == 0)                                                            \
         fdid_vk_import_finish(&imp);                                          \
      CHECK(fcntl(b.fd, F_GETFD) >= 0);                                      \
      buf_free(&b);                                                          \
   }

VK_TO_CASE(accepts_a_linear_image, 0, (void)0)
VK_TO_CASE(rejects_image_without_modifier, -ENOTSUP, img.modifier = FDID_MODIFIER_NONE)
VK_TO_CASE(rejects_fourcc_without_vkformat, -ENOTSUP, img.fourcc = 0x12345678)
VK_TO_CASE(rejects_unfinished_image, -EINVAL, img.n_objects = 0)

/* The second dup fails (no fd left): -EMFILE, and the first is closed. */
FDID_TEST(vk_to_fd_exhaustion_closes_its_dups_translation_no_driver)
{
   struct buf b = buf_new(W, H * 3 / 2, 8), other = buf_new(W, H, 8);
   VADRMPRIMESurfaceDescriptor d = nv12_composed(&b);
   d.num_objects = 2;
   d.objects[1] = (__typeof__(d.objects[1])){ .fd = other.fd, .size = (uint32_t)other.size };
   d.layers[0].object_index[1] = 1;
   d.layers[0].offset[1] = 0;
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);

   /* Fill every free slot under a low limit, then free exactly one. */
   struct rlimit old, low;
   CHECK_SYS(getrlimit(RLIMIT_NOFILE, &old));
   low = old;
   low.rlim_cur = 64;
   CHECK_SYS(setrlimit(RLIMIT_NOFILE, &low));
   int fill[64], n = 0;
   for (int fd; n < 64 && (fd = dup(b.fd)) >= 0;)
      fill[n++] = fd;
   CHECK(n > 0 && n < 64);
   close(fill[--n]);
   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&img, &imp), -EMFILE);
   /* The one slot is free again: to_vk closed the dup it made. */
   int probe = dup(b.fd);
   CHECK(probe >= 0);
   close(probe);
   while (n > 0)
      close(fill[--n]);
   CHECK_SYS(setrlimit(RLIMIT_NOFILE, &old));
   buf_free(&other);
   buf_free(&b);
}

/* from_vk's errno, and the caller's fd still open. */
#define VK_FROM_CASE(tname, err, ...)                                        \
   FDID_TEST(vk_from_##tname##_translation_no_driver)                        \
   {                                                                         \
      struct buf b = buf_new(W, H, 32);                                      \
      int p[2];                                                              \
      CHECK_SYS(pipe2(p, O_CLOEXEC));                                        \
      uint32_t fourcc = XR24, width = W;                                     \
      VkSubresourceLayout layout = { .offset = 0, .rowPitch = b.pitch };     \
      VkImageDrmFormatModifierExplicitCreateInfoEXT info = {                 \
         .sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT, \
         .drmFormatModifier = 0, .drmFormatModifierPlaneCount = 1,           \
         .pPlaneLayouts = &layout,                                           \
      };                                                                     \
      int fds[1] = { b.fd };                                                 \
      struct fdid_image img;                                                 \
      __VA_ARGS__;                                                           \
      CHECK_EQ(fdid_image_from_vk(fourcc, width, H, &info, fds, &img), err); \
      CHECK(fcntl(b.fd, F_GETFD) >= 0 && fcntl(p[0], F_GETFD) >= 0);         \
      close(p[0]);                                                           \
      close(p[1]);                                                           \
      buf_free(&b);                                                          \
   }

VK_FROM_CASE(accepts_a_linear_layout, 0, (void)0)
VK_FROM_CASE(rejects_zero_planes, -E2BIG, info.drmFormatModifierPlaneCount = 0)
VK_FROM_CASE(rejects_five_planes, -E2BIG, info.drmFormatModifierPlaneCount = 5)
VK_FROM_CASE(rejects_plane_count_wrong_for_format, -EINVAL, fourcc = NV12)
VK_FROM_CASE(rejects_row_pitch_over_32_bits, -EINVAL, layout.rowPitch = (VkDeviceSize)1 << 33)
VK_FROM_CASE(rejects_offset_over_32_bits, -EINVAL, layout.offset = (VkDeviceSize)1 << 32)
VK_FROM_CASE(rejects_array_pitch, -EINVAL, layout.arrayPitch = 4096)
VK_FROM_CASE(rejects_depth_pitch, -EINVAL, layout.depthPitch = 4096)
VK_FROM_CASE(rejects_pitch_shorter_than_a_row, -EINVAL, layout.rowPitch = 16)
VK_FROM_CASE(rejects_offset_past_object_end, -EINVAL, layout.offset = b.size)
VK_FROM_CASE(rejects_null_plane_layouts, -EINVAL, info.pPlaneLayouts = NULL)
VK_FROM_CASE(rejects_pipe_not_a_dmabuf, -EBADFD, fds[0] = p[0])
VK_FROM_CASE(rejects_fd_not_open, -EBADF, fds[0] = 1000)
VK_FROM_CASE(rejects_negative_fd, -EBADF, fds[0] = -1)
VK_FROM_CASE(rejects_zero_width, -EINVAL, width = 0)
VK_FROM_CASE(rejects_zero_fourcc, -EINVAL, fourcc = 0)

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

FDID_TEST(cache_dedupes_across_api_forms_translation_no_driver)
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
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, fdid_vk_import_chain(&imp), fds, &v), 0);
   void *o1, *o2, *o3;
   CHECK_EQ(fdid_import_cache_acquire(cache, &a, &o1, NULL), 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &c, &o2, NULL), 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &v, &o3, NULL), 0);
   CHECK(o1 == o2 && o2 == o3);
   CHECK_EQ(imports, 1);
   CHECK_EQ(fdid_import_cache_count(cache), 1);
   fdid_vk_import_finish(&imp);
   fdid_import_cache_destroy(cache);
   close(again);
   buf_free(&b);
}

/* ---- the import cache across forms, with a recording callback ---------- */

struct recorder {
   int imports, destroys, fail_with;
   bool give_null;
   uintptr_t destroyed[16];
};

static int
rec_import(void *ctx, const struct fdid_image *img, void **object)
{
   struct recorder *r = ctx;
   if (r->fail_with)
      return r->fail_with;
   r->imports++;
   *object = r->give_null ? NULL : (void *)(uintptr_t)(0x100 + r->imports);
   return 0;
}

static void
rec_destroy(void *ctx, void *object)
{
   struct recorder *r = ctx;
   r->destroyed[r->destroys++ % 16] = (uintptr_t)object;
}

/* The open fds of this process: entries' dups show up here. */
static int
fd_count(void)
{
   int n = 0;
   for (int fd = 0; fd < 1024; fd++)
      n += fcntl(fd, F_GETFD) >= 0;
   return n;
}

/* An NV12 image of b's buffer with both planes on the given fds. */
static void
nv12_image(struct fdid_image *img, const struct buf *b, int fd0, int fd1)
{
   fdid_image_init(img, NV12, W, H);
   CHECK_EQ(fdid_image_add_plane(img, fd0, 0, b->pitch), 0);
   CHECK_EQ(fdid_image_add_plane(img, fd1, b->pitch * H, b->pitch), 0);
   img->modifier = 0;
   CHECK_EQ(fdid_image_resolve(img), 0);
}

/* The same buffer through a repeated fd, a dup, a fresh export, and VA
 * descriptors with repeated fds (separate form) and one object (composed):
 * one entry, one import. Another layout of the same buffer is another
 * image, so another entry. */
FDID_TEST(cache_one_entry_for_dup_export_and_va_repeated_fds_translation_no_driver)
{
   struct buf b = buf_new(W, H * 3 / 2, 8);
   struct recorder rec = { 0 };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&rec, rec_import, rec_destroy, &cache), 0);
   int dup_fd = CHECK_SYS(dup(b.fd));
   int fresh = prime_export(b.card, b.handle);

   struct fdid_image forms[5];
   nv12_image(&forms[0], &b, b.fd, b.fd);
   nv12_image(&forms[1], &b, b.fd, dup_fd);
   nv12_image(&forms[2], &b, fresh, fresh);
   VADRMPRIMESurfaceDescriptor sep = nv12_separate(&b, b.fd);
   CHECK_EQ(sep.objects[0].fd, sep.objects[1].fd);
   CHECK_EQ(fdid_image_from_va_prime(&sep, &forms[3]), 0);
   VADRMPRIMESurfaceDescriptor comp = nv12_composed(&b);
   comp.objects[0].fd = fresh;
   CHECK_EQ(fdid_image_from_va_prime(&comp, &forms[4]), 0);

   void *obj[5];
   int created[5];
   for (int i = 0; i < 5; i++) {
      CHECK_EQ(forms[i].n_objects, 1);
      CHECK_EQ(fdid_import_cache_acquire(cache, &forms[i], &obj[i], &created[i]), 0);
      CHECK(obj[i] == obj[0]);
      CHECK_EQ(created[i], i == 0);
   }
   CHECK_EQ(rec.imports, 1);
   CHECK_EQ(fdid_import_cache_count(cache), 1);

   /* The chroma plane elsewhere: not the same image. */
   struct fdid_image moved = forms[0];
   moved.planes[1].offset += b.pitch;
   void *other;
   CHECK_EQ(fdid_import_cache_acquire(cache, &moved, &other, NULL), 0);
   CHECK(other != obj[0]);
   CHECK_EQ(rec.imports, 2);
   CHECK_EQ(fdid_import_cache_count(cache), 2);

   for (int i = 0; i < 5; i++)
      CHECK_EQ(fdid_import_cache_unref(cache, obj[i]), 0);
   CHECK_EQ(rec.destroys, 1);
   CHECK_EQ(rec.destroyed[0], (uintptr_t)obj[0]);
   CHECK_EQ(fdid_import_cache_unref(cache, other), 0);
   CHECK_EQ(fdid_import_cache_count(cache), 0);
   fdid_import_cache_destroy(cache);
   close(fresh);
   close(dup_fd);
   buf_free(&b);
}

/* References taken through different forms go in any order: the object
 * lives until the last, and only its entry goes. The entry holds the
 * dma-buf, so with every caller fd closed a new export still finds it. */
FDID_TEST(cache_release_order_translation_no_driver)
{
   struct buf b = buf_new(W, H * 3 / 2, 8), c = buf_new(W, H * 3 / 2, 8);
   struct recorder rec = { 0 };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&rec, rec_import, rec_destroy, &cache), 0);
   struct fdid_image ib, ic;
   nv12_image(&ib, &b, b.fd, b.fd);
   nv12_image(&ic, &c, c.fd, c.fd);
   void *x1, *x2, *x3, *y;
   CHECK_EQ(fdid_import_cache_acquire(cache, &ib, &x1, NULL), 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &ic, &y, NULL), 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &ib, &x2, NULL), 0);
   CHECK_EQ(fdid_import_cache_ref(cache, x1), 0);
   x3 = x1;
   CHECK(x1 == x2 && x1 != y);

   /* Middle, last, first: destroyed on the third put, not before. */
   CHECK_EQ(fdid_import_cache_unref(cache, x2), 0);
   CHECK_EQ(fdid_import_cache_unref(cache, x3), 0);
   CHECK_EQ(rec.destroys, 0);
   CHECK_EQ(fdid_import_cache_unref(cache, x1), 0);
   CHECK_EQ(rec.destroys, 1);
   CHECK_EQ(rec.destroyed[0], (uintptr_t)x1);
   CHECK_EQ(fdid_import_cache_unref(cache, x1), -ENOENT);
   CHECK_EQ(fdid_import_cache_count(cache), 1);

   /* c's fd goes; the entry's own dup keeps its identity. */
   close(c.fd);
   c.fd = prime_export(c.card, c.handle);
   nv12_image(&ic, &c, c.fd, c.fd);
   void *y2;
   int created;
   CHECK_EQ(fdid_import_cache_acquire(cache, &ic, &y2, &created), 0);
   CHECK(y2 == y && created == 0);
   CHECK_EQ(fdid_import_cache_unref(cache, y), 0);
   CHECK_EQ(fdid_import_cache_unref(cache, y2), 0);
   CHECK_EQ(rec.destroys, 2);
   CHECK_EQ(rec.destroyed[1], (uintptr_t)y);
   CHECK_EQ(rec.imports, 2);
   fdid_import_cache_destroy(cache);
   CHECK_EQ(rec.destroys, 2); /* nothing was left */
   buf_free(&c);
   buf_free(&b);
}

/* Teardown destroys every entry, held or not, each once, and closes the
 * dups the entries held. */
FDID_TEST(cache_teardown_destroys_held_entries_translation_no_driver)
{
   struct buf bufs[3];
   struct recorder rec = { 0 };
   struct fdid_import_cache *cache;
   int before = fd_count();
   CHECK_EQ(fdid_import_cache_create(&rec, rec_import, rec_destroy, &cache), 0);
   for (int i = 0; i < 3; i++) {
      bufs[i] = buf_new(W, H * 3 / 2, 8);
      struct fdid_image img;
      nv12_image(&img, &bufs[i], bufs[i].fd, bufs[i].fd);
      void *o;
      CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), 0);
      CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), 0);
   }
   /* Each buffer: its card and dma-buf fds, and the entry's dup. */
   CHECK_EQ(fd_count(), before + 3 * 3);
   CHECK_EQ(fdid_import_cache_count(cache), 3);
   fdid_import_cache_destroy(cache);
   CHECK_EQ(rec.destroys, 3);
   CHECK_EQ(fd_count(), before + 3 * 2);
   bool seen[3] = { false, false, false };
   for (int i = 0; i < 3; i++) {
      uintptr_t o = rec.destroyed[i] - 0x101;
      CHECK(o < 3 && !seen[o]);
      seen[o] = true;
   }
   fdid_import_cache_destroy(NULL);
   for (int i = 0; i < 3; i++)
      buf_free(&bufs[i]);
}

/* A failing import, an import that makes no object, and no fd left for
 * the entry's dup: an errno, nothing cached, nothing left open, and the
 * object that was made is destroyed. */
FDID_TEST(cache_failures_leave_nothing_translation_no_driver)
{
   struct buf b = buf_new(W, H * 3 / 2, 8);
   struct recorder rec = { 0 };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&rec, rec_import, rec_destroy, &cache), 0);
   struct fdid_image img;
   nv12_image(&img, &b, b.fd, b.fd);
   void *o;
   int before = fd_count();

   rec.fail_with = -EIO;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), -EIO);
   rec.fail_with = 0;
   rec.give_null = true;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), -EINVAL);
   rec.give_null = false;
   CHECK_EQ(fdid_import_cache_count(cache), 0);
   CHECK_EQ(fd_count(), before);

   struct rlimit old, low;
   CHECK_SYS(getrlimit(RLIMIT_NOFILE, &old));
   low = old;
   low.rlim_cur = 64;
   CHECK_SYS(setrlimit(RLIMIT_NOFILE, &low));
   int fill[64], n = 0;
   for (int fd; n < 64 && (fd = dup(b.fd)) >= 0;)
      fill[n++] = fd;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), -EMFILE);
   while (n > 0)
      close(fill[--n]);
   CHECK_SYS(setrlimit(RLIMIT_NOFILE, &old));
   CHECK_EQ(rec.imports, 2);
   CHECK_EQ(rec.destroys, 1); /* the object made for the entry that failed */
   CHECK_EQ(fdid_import_cache_count(cache), 0);
   CHECK_EQ(fd_count(), before);

   /* And then it works. */
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), 0);
   CHECK_EQ(fdid_import_cache_count(cache), 1);
   fdid_import_cache_destroy(cache);
   CHECK_EQ(rec.destroys, 2);
   buf_free(&b);
}

/* EGL -> image -> VA -> image -> Vulkan -> image -> EGL: every form says
 * the same image, and the last list is the first one's. */
FDID_TEST(round_trip_through_every_api_form_translation_no_driver)
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
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, fdid_vk_import_chain(&imp), fds, &from_vk), 0);
   CHECK(fdid_image_equal(&from_va, &from_vk));

   EGLint list[FDID_EGL_ATTRIBS_MAX];
   CHECK(fdid_image_to_egl_attribs(&from_vk, NULL, list, FDID_EGL_ATTRIBS_MAX) > 0);
   CHECK_EQ(fdid_image_from_egl_attribs(list, &last, NULL), 0);
   CHECK(fdid_image_equal(&from_egl, &last));
   fdid_vk_import_finish(&imp);
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
   fdid_device_unref(dc);
   fdid_device_unref(dr);
   close(card);
   close(render);
}

FDID_TEST_MAIN()
