/* SPDX-License-Identifier: MIT */
/*
 * The Vulkan dma-buf translator (vk_dmabuf.h) on real vgem dma-bufs in the
 * guest: round trips image -> import structures -> image, the memory fds
 * (dups that Vulkan may own, never the caller's numbers), the chain's
 * pointers, fini, and the refusals test_va_vk_no_driver.c does not already
 * make. No Vulkan device here imports a dma-buf (lavapipe lacks
 * VK_EXT_external_memory_dma_buf), so no Vulkan call is made: every subtest
 * name ends in _translation_no_driver.
 */
#include <errno.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fdid/vk_dmabuf.h>

#include "drm_util.h"
#include "faults.h"
#include "fdid_test.h"
#include "fourccs.h"
#include "test_images.h"



/*
 * img -> Vulkan import structures -> (the fds a Vulkan export would give,
 * one per plane) -> image: equal. Checks the memories on the way: one per
 * object, each a new close-on-exec fd of that object's dma-buf whose
 * number no plane of the caller uses; then fini closes every one.
 */
static void
check_round_trip(const struct fdid_image *img, VkFormat format)
{
   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(img, &imp), 0);
   CHECK_EQ(imp.format, format);
   CHECK_EQ(imp.n_memories, img->n_objects);
   CHECK_EQ(imp.disjoint, img->n_objects > 1);
   CHECK(imp.external_info.sType == VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO);
   CHECK_EQ(imp.external_info.handleTypes, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT);
   CHECK(fdid_vk_import_chain(&imp) == &imp.modifier_info);
   CHECK(imp.modifier_info.pNext == &imp.external_info);
   CHECK(imp.modifier_info.pPlaneLayouts == imp.plane_layouts);
   CHECK_EQ(imp.modifier_info.drmFormatModifier, img->modifier);
   CHECK_EQ(imp.modifier_info.drmFormatModifierPlaneCount, img->n_planes);
   int memfds[FDID_IMAGE_MAX_PLANES];
   for (unsigned m = 0; m < imp.n_memories; m++) {
      const VkImportMemoryFdInfoKHR *mi = &imp.memories[m];
      CHECK(mi->sType == VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR);
      CHECK_EQ(mi->handleType, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT);
      memfds[m] = mi->fd;
      int flags = CHECK_SYS(fcntl(mi->fd, F_GETFD));
      CHECK(flags & FD_CLOEXEC);
      for (unsigned p = 0; p < img->n_planes; p++)
         CHECK(mi->fd != img->planes[p].fd);
      CHECK(same_dmabuf(mi->fd, img->objects[m].fd));
   }
   int plane_fds[FDID_IMAGE_MAX_PLANES];
   for (unsigned p = 0; p < img->n_planes; p++) {
      CHECK_EQ(imp.plane_memory[p], img->planes[p].object);
      CHECK_EQ(imp.plane_layouts[p].offset, img->planes[p].offset);
      CHECK_EQ(imp.plane_layouts[p].rowPitch, img->planes[p].pitch);
      /* The spec: size, arrayPitch and depthPitch 0 in an explicit
       * layout. */
      CHECK_EQ(imp.plane_layouts[p].size, 0);
      CHECK_EQ(imp.plane_layouts[p].arrayPitch, 0);
      CHECK_EQ(imp.plane_layouts[p].depthPitch, 0);
      plane_fds[p] = imp.memories[imp.plane_memory[p]].fd;
   }
   struct fdid_image back;
   CHECK_EQ(fdid_image_from_vk(img->fourcc, img->width, img->height, fdid_vk_import_chain(&imp),
                               plane_fds, &back), 0);
   CHECK(fdid_image_equal(img, &back));

   fdid_vk_import_finish(&imp);
   for (unsigned m = 0; m < imp.n_memories; m++) {
      CHECK_EQ(imp.memories[m].fd, -1);
      CHECK(fcntl(memfds[m], F_GETFD) < 0 && errno == EBADF);
   }
   for (unsigned p = 0; p < img->n_planes; p++)
      CHECK(fd_is_open(img->planes[p].fd));
}

FDID_TEST(vk_round_trip_linear_xr24_translation_no_driver)
{
   struct fdid_image img;
   struct buf b = xr24_image(&img, FDID_MODIFIER_LINEAR);
   check_round_trip(&img, VK_FORMAT_B8G8R8A8_UNORM);
   buf_destroy(&b);
}

FDID_TEST(vk_round_trip_nv12_one_object_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 32);
   struct fdid_image img;
   fdid_image_init(&img, NV12, W, H);
   CHECK_EQ(fdid_image_add_plane(&img, b.fd, 0, b.pitch), 0);
   CHECK_EQ(fdid_image_add_plane(&img, b.fd, b.pitch * H, b.pitch), 0);
   img.modifier = FDID_MODIFIER_LINEAR;
   CHECK_EQ(fdid_image_resolve(&img), 0);
   check_round_trip(&img, VK_FORMAT_G8_B8R8_2PLANE_420_UNORM);
   buf_destroy(&b);
}

/* A tiled modifier (the layout is the driver's): only offsets are checked,
 * the modifier is carried through as is. */
FDID_TEST(vk_round_trip_nv12_two_objects_tiled_translation_no_driver)
{
   struct two_objects t;
   two_objects_create(&t, NV12, 0x0100000000000001ull); /* I915_FORMAT_MOD_X_TILED */
   check_round_trip(&t.img, VK_FORMAT_G8_B8R8_2PLANE_420_UNORM);
   two_objects_destroy(&t);
}

/* I420 with luma alone and both chroma planes on a second buffer: two
 * memories, planes 1 and 2 on the second. */
FDID_TEST(vk_round_trip_i420_shared_chroma_object_translation_no_driver)
{
   struct buf y = buf_create(W, H, 32), c = buf_create(W, H, 32);
   struct fdid_image img;
   fdid_image_init(&img, YU12, W, H);
   CHECK_EQ(fdid_image_add_plane(&img, y.fd, 0, y.pitch), 0);
   CHECK_EQ(fdid_image_add_plane(&img, c.fd, 0, c.pitch), 0);
   CHECK_EQ(fdid_image_add_plane(&img, c.fd, c.pitch * (H / 2), c.pitch), 0);
   img.modifier = FDID_MODIFIER_LINEAR;
   CHECK_EQ(fdid_image_resolve(&img), 0);
   CHECK_EQ(img.n_objects, 2);
   check_round_trip(&img, VK_FORMAT_G8_B8_R8_3PLANE_420_UNORM);
   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&img, &imp), 0);
   CHECK_EQ(imp.plane_memory[0], 0);
   CHECK_EQ(imp.plane_memory[1], 1);
   CHECK_EQ(imp.plane_memory[2], 1);
   fdid_vk_import_finish(&imp);
   buf_destroy(&c);
   buf_destroy(&y);
}

/* Planes naming one buffer by its fd, a dup and a second PRIME export:
 * one object, so one memory and a non-disjoint image. */
FDID_TEST(vk_dup_and_second_export_are_one_memory_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 32);
   int dup_fd = CHECK_SYS(fcntl(b.fd, F_DUPFD_CLOEXEC, 0));
   int again = prime_export(b.card, b.handle);
   struct fdid_image img;
   fdid_image_init(&img, NV12, W, H);
   CHECK_EQ(fdid_image_add_plane(&img, dup_fd, 0, b.pitch), 0);
   CHECK_EQ(fdid_image_add_plane(&img, again, b.pitch * H, b.pitch), 0);
   img.modifier = FDID_MODIFIER_LINEAR;
   CHECK_EQ(fdid_image_resolve(&img), 0);
   CHECK_EQ(img.n_objects, 1);
   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&img, &imp), 0);
   CHECK_EQ(imp.n_memories, 1);
   CHECK(!imp.disjoint);
   CHECK(imp.memories[0].fd != b.fd && imp.memories[0].fd != dup_fd &&
         imp.memories[0].fd != again);
   CHECK(same_dmabuf(imp.memories[0].fd, b.fd));

   /* What an export from Vulkan gives back: a separate fd per plane (here a
    * fresh dup of the memory and a third export), still one object. */
   int plane_fds[2] = { CHECK_SYS(fcntl(imp.memories[0].fd, F_DUPFD_CLOEXEC, 0)),
                        prime_export(b.card, b.handle) };
   struct fdid_image back;
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, fdid_vk_import_chain(&imp), plane_fds, &back), 0);
   CHECK_EQ(back.n_objects, 1);
   CHECK(fdid_image_equal(&img, &back));
   close(plane_fds[0]);
   close(plane_fds[1]);
   fdid_vk_import_finish(&imp);
   CHECK(fd_is_open(b.fd) && fd_is_open(dup_fd) && fd_is_open(again));
   close(again);
   close(dup_fd);
   buf_destroy(&b);
}

/* A memory Vulkan took (the caller set its fd to -1) is not closed by
 * fini; the others are. */
FDID_TEST(vk_fini_closes_only_what_vulkan_did_not_take_translation_no_driver)
{
   struct two_objects t;
   two_objects_create(&t, NV12, FDID_MODIFIER_LINEAR);
   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&t.img, &imp), 0);
   int taken = imp.memories[0].fd, left = imp.memories[1].fd;
   imp.memories[0].fd = -1; /* as after a successful vkAllocateMemory() */
   fdid_vk_import_finish(&imp);
   CHECK(fd_is_open(taken));
   CHECK(!fd_is_open(left));
   close(taken); /* what the driver would do with it, eventually */
   /* fini twice, and on NULL: nothing more. */
   fdid_vk_import_finish(&imp);
   fdid_vk_import_finish(NULL);
   CHECK(fd_is_open(t.y.fd) && fd_is_open(t.uv.fd));
   two_objects_destroy(&t);
}

/* A copy is a plain value: nothing in it points into the original, and
 * its chain, linked on the copy, points into the copy. */
FDID_TEST(vk_copy_chains_to_itself_translation_no_driver)
{
   struct fdid_image img;
   struct buf b = xr24_image(&img, FDID_MODIFIER_LINEAR);
   struct fdid_vk_import imp, *copy = malloc(sizeof(*copy));
   CHECK(copy);
   CHECK_EQ(fdid_image_to_vk(&img, &imp), 0);
   CHECK(imp.modifier_info.pPlaneLayouts == NULL && imp.modifier_info.pNext == NULL);
   *copy = imp;
   const VkImageDrmFormatModifierExplicitCreateInfoEXT *head = fdid_vk_import_chain(copy);
   CHECK(head == &copy->modifier_info);
   CHECK(copy->modifier_info.pPlaneLayouts == copy->plane_layouts);
   CHECK(copy->modifier_info.pNext == &copy->external_info);
   CHECK_EQ(copy->modifier_info.pPlaneLayouts[0].rowPitch, b.pitch);
   CHECK(imp.modifier_info.pPlaneLayouts == NULL); /* the original untouched */
   CHECK(fdid_vk_import_chain(NULL) == NULL);
   /* One owner of the dups: the copy. */
   fdid_vk_import_finish(copy);
   free(copy);
   buf_destroy(&b);
}

/* After a refusal *out is empty with every fd -1, whatever it held
 * before: fini on it closes nothing (here: not the caller's fd that a
 * stale memories[0] named). */
FDID_TEST(vk_to_failure_leaves_nothing_to_close_translation_no_driver)
{
   struct fdid_image img;
   struct buf b = xr24_image(&img, FDID_MODIFIER_NONE); /* to Vulkan: -ENOTSUP */
   struct fdid_vk_import imp;
   memset(&imp, 0, sizeof(imp));
   imp.n_memories = 1;
   imp.memories[0].fd = b.fd; /* stale contents must not survive */
   CHECK_EQ(fdid_image_to_vk(&img, &imp), -ENOTSUP);
   CHECK_EQ(imp.n_memories, 0);
   for (unsigned i = 0; i < FDID_IMAGE_MAX_PLANES; i++)
      CHECK_EQ(imp.memories[i].fd, -1);
   fdid_vk_import_finish(&imp);
   CHECK(fd_is_open(b.fd));
   CHECK_EQ(fdid_image_to_vk(NULL, &imp), -EINVAL);
   CHECK_EQ(fdid_image_to_vk(&img, NULL), -EINVAL);
   buf_destroy(&b);
}

/* Hand-made or overwritten images must not index past the arrays. */
FDID_TEST(vk_to_rejects_unfinished_images_translation_no_driver)
{
   struct fdid_image img, bad;
   struct buf b = xr24_image(&img, FDID_MODIFIER_LINEAR);
   struct fdid_vk_import imp;
   bad = img;
   bad.n_planes = FDID_IMAGE_MAX_PLANES + 1;
   CHECK_EQ(fdid_image_to_vk(&bad, &imp), -EINVAL);
   bad = img;
   bad.n_objects = 2; /* more objects than planes */
   CHECK_EQ(fdid_image_to_vk(&bad, &imp), -EINVAL);
   bad = img;
   bad.n_objects = 200;
   bad.n_planes = 200;
   CHECK_EQ(fdid_image_to_vk(&bad, &imp), -EINVAL);
   bad = img;
   bad.planes[0].object = 1;
   CHECK_EQ(fdid_image_to_vk(&bad, &imp), -EINVAL);
   CHECK(fd_is_open(b.fd));
   buf_destroy(&b);
}

/* from_vk's refusals, one subtest each: the good XR24 layout over a fresh
 * buffer, one thing broken, the exact errno, and the caller's fds (the
 * buffer's, a pipe's, a memfd's) still open. */
#define VK_FROM_CASE(tname, err, ...)                                        \
   FDID_TEST(vk_from_##tname##_translation_no_driver)                        \
   {                                                                         \
      struct buf b = buf_create(W, H, 32);                                   \
      int p[2];                                                              \
      CHECK_SYS(pipe2(p, O_CLOEXEC));                                        \
      int mfd = CHECK_SYS(memfd_create("not-a-dmabuf", MFD_CLOEXEC));        \
      CHECK_SYS(ftruncate(mfd, (off_t)b.size));                              \
      uint32_t fourcc = XR24, width = W;                                     \
      VkSubresourceLayout layout = { .offset = 0, .rowPitch = b.pitch };     \
      VkImageDrmFormatModifierExplicitCreateInfoEXT info = {                 \
         .sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT, \
         .drmFormatModifier = FDID_MODIFIER_LINEAR,                          \
         .drmFormatModifierPlaneCount = 1,                                   \
         .pPlaneLayouts = &layout,                                           \
      };                                                                     \
      const VkImageDrmFormatModifierExplicitCreateInfoEXT *infop = &info;    \
      int fds[1] = { b.fd };                                                 \
      const int *fdsp = fds;                                                 \
      struct fdid_image img;                                                 \
      __VA_ARGS__;                                                           \
      CHECK_EQ(fdid_image_from_vk(fourcc, width, H, infop, fdsp, &img), err); \
      CHECK(fd_is_open(b.fd) && fd_is_open(p[0]) && fd_is_open(mfd));       \
      close(mfd);                                                            \
      close(p[0]);                                                           \
      close(p[1]);                                                           \
      buf_destroy(&b);                                                       \
   }

VK_FROM_CASE(accepts_the_good_layout, 0, (void)0)
VK_FROM_CASE(rejects_memfd_not_a_dmabuf, -EBADFD, fds[0] = mfd)
VK_FROM_CASE(rejects_null_info, -EINVAL, infop = NULL)
VK_FROM_CASE(rejects_null_plane_fds, -EINVAL, fdsp = NULL)
VK_FROM_CASE(rejects_wrong_stype, -EINVAL,
             info.sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_LIST_CREATE_INFO_EXT)
VK_FROM_CASE(rejects_invalid_modifier, -EINVAL, info.drmFormatModifier = FDID_MODIFIER_NONE)
VK_FROM_CASE(rejects_row_pitch_just_over_32_bits, -EINVAL,
             layout.rowPitch = (VkDeviceSize)UINT32_MAX + 1)
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

FDID_TEST(vk_format_table_translation_no_driver)
{
   static const struct {
      uint32_t fourcc;
      VkFormat format;
   } known[] = {
      { TEST_FOURCC('A', 'R', '2', '4'), VK_FORMAT_B8G8R8A8_UNORM },
      { XR24, VK_FORMAT_B8G8R8A8_UNORM },
      { TEST_FOURCC('A', 'B', '2', '4'), VK_FORMAT_R8G8B8A8_UNORM },
      { TEST_FOURCC('X', 'B', '2', '4'), VK_FORMAT_R8G8B8A8_UNORM },
      { TEST_FOURCC('R', '8', ' ', ' '), VK_FORMAT_R8_UNORM },
      { TEST_FOURCC('G', 'R', '8', '8'), VK_FORMAT_R8G8_UNORM },
      { NV12, VK_FORMAT_G8_B8R8_2PLANE_420_UNORM },
      { YU12, VK_FORMAT_G8_B8_R8_3PLANE_420_UNORM },
      { TEST_FOURCC('P', '0', '1', '0'), VK_FORMAT_G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16 },
      { TEST_FOURCC('R', 'G', '1', '6'), VK_FORMAT_R5G6B5_UNORM_PACK16 },
   };
   for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
      CHECK_EQ(fdid_vk_format_from_fourcc(known[i].fourcc), known[i].format);
   CHECK_EQ(fdid_vk_format_from_fourcc(0), VK_FORMAT_UNDEFINED);
   CHECK_EQ(fdid_vk_format_from_fourcc(0x12345678), VK_FORMAT_UNDEFINED);
}

/* ---- Vulkan validation: one subtest per refusal ------------------------ */

/* to_vk's errno; on failure nothing is open that was not before (the
 * harness checks), and the caller's fd is. */
#define VK_TO_CASE(tname, err, ...)                                          \
   FDID_TEST(vk_to_##tname##_translation_no_driver)                          \
   {                                                                         \
      struct fdid_image img;                                                 \
      struct buf b = xr24_image(&img, FDID_MODIFIER_LINEAR);                                       \
      struct fdid_vk_import imp;                                             \
      __VA_ARGS__;                                                           \
      int r = fdid_image_to_vk(&img, &imp);                                  \
      CHECK_EQ(r, err);                                                      \
      if (r == 0)                                                            \
         fdid_vk_import_finish(&imp);                                          \
      CHECK(fd_is_open(b.fd));                                      \
      buf_destroy(&b);                                                          \
   }

VK_TO_CASE(accepts_a_linear_image, 0, (void)0)
VK_TO_CASE(rejects_image_without_modifier, -ENOTSUP, img.modifier = FDID_MODIFIER_NONE)
VK_TO_CASE(rejects_fourcc_without_vkformat, -ENOTSUP, img.fourcc = 0x12345678)
VK_TO_CASE(rejects_unfinished_image, -EINVAL, img.n_objects = 0)

/* The second dup fails (no fd left): -EMFILE, and the first is closed. */
FDID_TEST(vk_to_fd_exhaustion_closes_its_dups_translation_no_driver)
{
   struct two_objects t;
   two_objects_create(&t, NV12, FDID_MODIFIER_LINEAR);
   /* Every free slot taken under a low limit but exactly one. */
   struct fd_squeeze sq;
   fd_squeeze_begin(&sq, t.y.fd, 1);
   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&t.img, &imp), -EMFILE);
   /* The one slot is free again: to_vk closed the dup it made. */
   int probe = dup(t.y.fd);
   CHECK(probe >= 0);
   close(probe);
   fd_squeeze_end(&sq);
   two_objects_destroy(&t);
}

FDID_TEST_MAIN()
