/* SPDX-License-Identifier: MIT */
/*
 * The FFmpeg DRM frame translator (av_drm.h) on real vgem dma-bufs in the
 * guest: round trips, the layered forms FFmpeg's mappings make (NV12 as R8
 * and GR88), dups and second exports as one object, round trips through
 * the EGL, VA-API and Vulkan forms, and one subtest per refusal with the
 * caller's fds still open. Translation only: no driver imports here (the
 * FFmpeg pipeline test does, test_ffmpeg_interop.c).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fdid/av_drm.h>
#ifdef FDID_HAVE_EGL
#include <fdid/egl_dmabuf.h>
#endif
#ifdef FDID_HAVE_VA
#include <fdid/va_prime.h>
#endif
#ifdef FDID_HAVE_VULKAN
#include <fdid/vk_dmabuf.h>
#endif

#include "drm_util.h"
#include "fdid_test.h"
#include "fourccs.h"
#include "test_images.h"

/* The descriptor of a resolved image, checked field by field, and read
 * back as the same image. */
static void
check_round_trip(const struct fdid_image *img)
{
   AVDRMFrameDescriptor d;
   CHECK_EQ(fdid_image_to_av_drm(img, &d), 0);
   CHECK_EQ(d.nb_objects, (int)img->n_objects);
   CHECK_EQ(d.nb_layers, 1);
   CHECK_EQ(d.layers[0].format, img->fourcc);
   CHECK_EQ(d.layers[0].nb_planes, (int)img->n_planes);
   for (unsigned o = 0; o < img->n_objects; o++) {
      CHECK_EQ(d.objects[o].fd, img->objects[o].fd);
      CHECK_EQ(d.objects[o].size, img->objects[o].size);
      CHECK_EQ(d.objects[o].format_modifier, img->modifier);
   }
   for (unsigned p = 0; p < img->n_planes; p++) {
      CHECK_EQ(d.layers[0].planes[p].object_index, (int)img->planes[p].object);
      CHECK_EQ(d.layers[0].planes[p].offset, (ptrdiff_t)img->planes[p].offset);
      CHECK_EQ(d.layers[0].planes[p].pitch, (ptrdiff_t)img->planes[p].pitch);
   }
   struct fdid_image back;
   CHECK_EQ(fdid_image_from_av_drm(&d, 0, img->width, img->height, &back), 0);
   CHECK(fdid_image_equal(img, &back));
}

FDID_TEST(round_trip_single_plane_rgb)
{
   struct fdid_image img;
   struct buf b = xr24_image(&img, FDID_MODIFIER_LINEAR);
   check_round_trip(&img);
   /* No modifier: DRM_FORMAT_MOD_INVALID both ways. */
   img.modifier = FDID_MODIFIER_NONE;
   check_round_trip(&img);
   buf_destroy(&b);
}

FDID_TEST(round_trip_p010_two_objects)
{
   struct two_objects t;
   two_objects_create(&t, P010, FDID_MODIFIER_LINEAR);
   check_round_trip(&t.img);
   two_objects_destroy(&t);
}

/* NV12 as FFmpeg's VA-API mapping gives it: an R8 layer and a GR88 layer
 * on one object. The whole frame is the composed image; each layer is an
 * image of its own, the chroma one half the size. */
FDID_TEST(nv12_as_two_layers_is_the_composed_image)
{
   struct buf b = buf_create(W, H + H / 2, 8);
   AVDRMFrameDescriptor d = {
      .nb_objects = 1,
      .objects = { { .fd = b.fd, .size = b.size, .format_modifier = FDID_MODIFIER_LINEAR } },
      .nb_layers = 2,
      .layers = { { .format = R8, .nb_planes = 1, .planes = { { 0, 0, b.pitch } } },
                  { .format = GR88, .nb_planes = 1,
                    .planes = { { 0, (ptrdiff_t)b.pitch * H, b.pitch } } } },
   };
   struct fdid_image frame, composed;
   CHECK_EQ(fdid_image_from_av_drm(&d, 0, W, H, &frame), 0);
   CHECK_EQ(frame.fourcc, NV12);
   CHECK_EQ(frame.n_planes, 2);
   CHECK_EQ(frame.n_objects, 1);
   fdid_image_init(&composed, NV12, W, H);
   composed.modifier = FDID_MODIFIER_LINEAR;
   CHECK_EQ(fdid_image_add_plane(&composed, b.fd, 0, b.pitch), 0);
   CHECK_EQ(fdid_image_add_plane(&composed, b.fd, b.pitch * H, b.pitch), 0);
   CHECK_EQ(fdid_image_resolve(&composed), 0);
   CHECK(fdid_image_equal(&frame, &composed));
   /* The caller's format wins: the same layers as NV12 named outright. */
   CHECK_EQ(fdid_image_from_av_drm(&d, NV12, W, H, &frame), 0);
   CHECK(fdid_image_equal(&frame, &composed));

   struct fdid_image luma, chroma;
   CHECK_EQ(fdid_image_from_av_drm_layer(&d, 0, 0, W, H, &luma), 0);
   CHECK(luma.fourcc == R8 && luma.width == W && luma.height == H);
   CHECK_EQ(fdid_image_from_av_drm_layer(&d, 1, 0, W, H, &chroma), 0);
   CHECK(chroma.fourcc == GR88 && chroma.width == W / 2 && chroma.height == H / 2);
   CHECK_EQ(chroma.planes[0].offset, b.pitch * H);
   CHECK_EQ(fdid_image_from_av_drm_layer(&d, 2, 0, W, H, &chroma), -EINVAL);
   buf_destroy(&b);
}

/* Each frame brings fresh fds: a dup and a second export of one buffer
 * are one object, the same image as the first fd's. */
FDID_TEST(fresh_fds_of_one_surface_are_one_image)
{
   struct fdid_image first;
   struct buf b = xr24_image(&first, FDID_MODIFIER_LINEAR);
   int fds[] = { CHECK_SYS(dup(b.fd)), prime_export(b.card, b.handle) };
   for (int i = 0; i < 2; i++) {
      AVDRMFrameDescriptor d = {
         .nb_objects = 1,
         .objects = { { .fd = fds[i], .size = b.size, .format_modifier = FDID_MODIFIER_LINEAR } },
         .nb_layers = 1,
         .layers = { { .format = XR24, .nb_planes = 1, .planes = { { 0, 0, b.pitch } } } },
      };
      struct fdid_image img;
      CHECK_EQ(fdid_image_from_av_drm(&d, 0, W, H, &img), 0);
      CHECK(fdid_image_equal(&first, &img));
      CHECK_EQ(img.objects[0].fd, fds[i]);
   }
   /* Two objects naming one buffer: one object in the image. */
   AVDRMFrameDescriptor d = {
      .nb_objects = 2,
      .objects = { { .fd = fds[0], .format_modifier = FDID_MODIFIER_LINEAR },
                   { .fd = fds[1], .format_modifier = FDID_MODIFIER_LINEAR } },
      .nb_layers = 2,
      .layers = { { .format = R8, .nb_planes = 1, .planes = { { 0, 0, 64 } } },
                  { .format = GR88, .nb_planes = 1, .planes = { { 1, 64 * 64, 64 } } } },
   };
   struct fdid_image nv12;
   CHECK_EQ(fdid_image_from_av_drm(&d, 0, 64, 64, &nv12), 0);
   CHECK_EQ(nv12.n_objects, 1);
   for (int i = 0; i < 2; i++)
      close(fds[i]);
   buf_destroy(&b);
}

/* The other APIs' forms: AV -> image -> EGL / VA / Vulkan -> image, each
 * the image the descriptor made. */
FDID_TEST(round_trips_through_egl_va_and_vulkan_forms)
{
   struct two_objects t;
   two_objects_create(&t, NV12, FDID_MODIFIER_LINEAR);
   AVDRMFrameDescriptor d;
   CHECK_EQ(fdid_image_to_av_drm(&t.img, &d), 0);
   struct fdid_image from_av;
   CHECK_EQ(fdid_image_from_av_drm(&d, 0, W, H, &from_av), 0);
   CHECK(fdid_image_equal(&from_av, &t.img));
   unsigned forms = 0;
#ifdef FDID_HAVE_EGL
   EGLint attribs[FDID_EGL_ATTRIBS_MAX];
   struct fdid_image back;
   CHECK(fdid_image_to_egl_attribs(&from_av, NULL, attribs, FDID_EGL_ATTRIBS_MAX) > 0);
   CHECK_EQ(fdid_image_from_egl_attribs(attribs, &back, NULL), 0);
   CHECK(fdid_image_equal(&back, &from_av));
   forms++;
#endif
#ifdef FDID_HAVE_VA
   VADRMPRIMESurfaceDescriptor va;
   struct fdid_image from_va;
   CHECK_EQ(fdid_image_to_va_prime(&from_av, 0, &va), 0);
   CHECK_EQ(fdid_image_from_va_prime(&va, &from_va), 0);
   CHECK(fdid_image_equal(&from_va, &from_av));
   forms++;
#endif
#ifdef FDID_HAVE_VULKAN
   struct fdid_vk_import vk;
   CHECK_EQ(fdid_image_to_vk(&from_av, &vk), 0);
   int plane_fds[FDID_IMAGE_MAX_PLANES];
   for (unsigned p = 0; p < from_av.n_planes; p++)
      plane_fds[p] = vk.memories[from_av.planes[p].object].fd;
   struct fdid_image from_vk;
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, fdid_vk_import_chain(&vk), plane_fds, &from_vk), 0);
   CHECK(fdid_image_equal(&from_vk, &from_av));
   fdid_vk_import_finish(&vk);
   forms++;
#endif
   printf("# %u other forms checked\n", forms);
   two_objects_destroy(&t);
}

/* ---- refusals: each with its errno, the caller's fds still open --------- */

/* A good one-plane XR24 descriptor of b, for the refusals to spoil. */
static AVDRMFrameDescriptor
good(const struct buf *b)
{
   AVDRMFrameDescriptor d = {
      .nb_objects = 1,
      .objects = { { .fd = b->fd, .size = b->size, .format_modifier = FDID_MODIFIER_LINEAR } },
      .nb_layers = 1,
      .layers = { { .format = XR24, .nb_planes = 1, .planes = { { 0, 0, b->pitch } } } },
   };
   return d;
}

static void
check_refused(const AVDRMFrameDescriptor *d, uint32_t fourcc, int expect, const struct buf *b)
{
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_av_drm(d, fourcc, W, H, &img), expect);
   CHECK(!fdid_image_is_resolved(&img));
   CHECK_EQ(fdid_image_from_av_drm_layer(d, 0, fourcc, W, H, &img), expect);
   CHECK(fd_is_open(b->fd));
}

FDID_TEST(refuses_null_and_empty_sizes)
{
   struct buf b = buf_create(W, H, 32);
   AVDRMFrameDescriptor d = good(&b);
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_av_drm(NULL, 0, W, H, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_av_drm(&d, 0, W, H, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_av_drm(&d, 0, 0, H, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_av_drm(&d, 0, W, 0, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_av_drm_layer(NULL, 0, 0, W, H, &img), -EINVAL);
   CHECK_EQ(fdid_image_to_av_drm(NULL, &d), -EINVAL);
   fdid_image_init(&img, XR24, W, H); /* never resolved */
   CHECK_EQ(fdid_image_to_av_drm(&img, &d), -EINVAL);
   CHECK_EQ(fdid_image_from_av_drm(&d, 0, W, H, &img), 0);
   CHECK_EQ(fdid_image_to_av_drm(&img, NULL), -EINVAL);
   buf_destroy(&b);
}

FDID_TEST(refuses_counts_out_of_range)
{
   struct buf b = buf_create(W, H, 32);
   int counts[] = { 0, -1, AV_DRM_MAX_PLANES + 1, 1000 };
   for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
      AVDRMFrameDescriptor d = good(&b);
      d.nb_objects = counts[i];
      check_refused(&d, 0, -E2BIG, &b);
      d = good(&b);
      d.nb_layers = counts[i];
      check_refused(&d, 0, -E2BIG, &b);
   }
   AVDRMFrameDescriptor d = good(&b);
   d.layers[0].nb_planes = 0;
   check_refused(&d, 0, -EINVAL, &b);
   d.layers[0].nb_planes = 5;
   check_refused(&d, 0, -E2BIG, &b);
   /* Over 4 planes in all, 2 layers of 3. */
   d = good(&b);
   d.nb_layers = 2;
   for (int l = 0; l < 2; l++) {
      d.layers[l].format = R8;
      d.layers[l].nb_planes = 3;
      for (int p = 0; p < 3; p++)
         d.layers[l].planes[p] = (AVDRMPlaneDescriptor){ 0, 0, W };
   }
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_av_drm(&d, YU12, W, H, &img), -E2BIG);
   buf_destroy(&b);
}

FDID_TEST(refuses_bad_indices_offsets_and_pitches)
{
   struct buf b = buf_create(W, H, 32);
   AVDRMFrameDescriptor d = good(&b);
   d.layers[0].planes[0].object_index = -1;
   check_refused(&d, 0, -EINVAL, &b);
   d.layers[0].planes[0].object_index = 1;
   check_refused(&d, 0, -EINVAL, &b);
   /* A bad index in a layer that is not read is still refused. */
   d = good(&b);
   d.nb_layers = 2;
   d.layers[1] = d.layers[0];
   d.layers[1].planes[0].object_index = 3;
   check_refused(&d, XR24, -EINVAL, &b);
   ptrdiff_t bad[] = { -1, PTRDIFF_MIN, (ptrdiff_t)UINT32_MAX + 1 };
   for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      d = good(&b);
      d.layers[0].planes[0].offset = bad[i];
      check_refused(&d, 0, -EINVAL, &b);
      d = good(&b);
      d.layers[0].planes[0].pitch = bad[i];
      check_refused(&d, 0, -EINVAL, &b);
   }
   /* A layer of format 0, and a plane past its object's end. */
   d = good(&b);
   d.layers[0].format = 0;
   check_refused(&d, 0, -EINVAL, &b);
   d = good(&b);
   d.layers[0].planes[0].offset = (ptrdiff_t)b.size;
   check_refused(&d, 0, -EINVAL, &b);
   buf_destroy(&b);
}

FDID_TEST(refuses_modifiers_that_disagree_and_sizes_over_the_buffer)
{
   struct two_objects t;
   two_objects_create(&t, NV12, FDID_MODIFIER_LINEAR);
   AVDRMFrameDescriptor d;
   CHECK_EQ(fdid_image_to_av_drm(&t.img, &d), 0);
   d.objects[1].format_modifier = FDID_MODIFIER_NONE;
   check_refused(&d, 0, -EINVAL, &t.y);
   CHECK_EQ(fdid_image_to_av_drm(&t.img, &d), 0);
   d.objects[0].size = t.y.size + 1;
   check_refused(&d, 0, -EINVAL, &t.y);
   /* An object no plane names is still a dma-buf of its declared size. */
   CHECK_EQ(fdid_image_to_av_drm(&t.img, &d), 0);
   d.nb_objects = 3;
   d.objects[2] = d.objects[1];
   d.objects[2].size = t.uv.size + 1;
   check_refused(&d, 0, -EINVAL, &t.y);
   two_objects_destroy(&t);
}

FDID_TEST(refuses_fds_that_are_no_dmabuf)
{
   struct buf b = buf_create(W, H, 32);
   int mfd = CHECK_SYS(memfd_create("not-a-dmabuf", MFD_CLOEXEC));
   CHECK_SYS(ftruncate(mfd, (off_t)b.size));
   AVDRMFrameDescriptor d = good(&b);
   d.objects[0].fd = mfd;
   check_refused(&d, 0, -EBADFD, &b);
   /* As an object no plane names. */
   d = good(&b);
   d.nb_objects = 2;
   d.objects[1] = (AVDRMObjectDescriptor){ .fd = mfd, .format_modifier = FDID_MODIFIER_LINEAR };
   check_refused(&d, 0, -EBADFD, &b);
   d.objects[1].fd = 1000;
   check_refused(&d, 0, -EBADF, &b);
   CHECK(fd_is_open(mfd));
   close(mfd);
   buf_destroy(&b);
}

/* Layers that compose no known format, without the caller's fourcc. */
FDID_TEST(unknown_layer_sets_need_the_callers_fourcc)
{
   struct buf b = buf_create(W, H * 2, 8);
   AVDRMFrameDescriptor d = {
      .nb_objects = 1,
      .objects = { { .fd = b.fd, .format_modifier = FDID_MODIFIER_LINEAR } },
      .nb_layers = 3,
      .layers = { { .format = R8, .nb_planes = 1, .planes = { { 0, 0, W } } },
                  { .format = R8, .nb_planes = 1, .planes = { { 0, W * H, W / 2 } } },
                  { .format = R8, .nb_planes = 1,
                    .planes = { { 0, W * H + W * H / 4, W / 2 } } } },
   };
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_av_drm(&d, 0, W, H, &img), -ENOTSUP);
   CHECK_EQ(fdid_image_from_av_drm(&d, YU12, W, H, &img), 0);
   CHECK_EQ(img.n_planes, 3);
   CHECK_EQ(fdid_image_from_av_drm_layer(&d, 2, YU12, W, H, &img), 0);
   CHECK(img.width == W / 2 && img.height == H / 2);
   buf_destroy(&b);
}

FDID_TEST_MAIN()
