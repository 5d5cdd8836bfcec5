/* SPDX-License-Identifier: MIT */
/*
 * The VA-API PRIME translator (va_prime.h) on real vgem dma-bufs in the
 * guest: round trips, both layer forms of several formats, identity of
 * dups and second exports, and the refusals test_va_vk_no_driver.c does not
 * already make. No VA driver runs on vgem, so no surface is created: every
 * subtest name ends in _translation_no_driver to say that only the
 * translation ran.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fdid/va_prime.h>

#include "drm_util.h"
#include "fdid_test.h"
#include "fourccs.h"
#include "va_descriptors.h"

/* Round trip of one finished image through the composed form: the
 * descriptor has the image's objects (the caller's fds, no dup), and reads
 * back as the same image. */
static void
check_round_trip(const struct fdid_image *img, uint32_t va_fourcc)
{
   VADRMPRIMESurfaceDescriptor d;
   CHECK_EQ(fdid_image_to_va_prime(img, 0, &d), 0);
   CHECK_EQ(d.fourcc, va_fourcc);
   CHECK_EQ(d.width, img->width);
   CHECK_EQ(d.height, img->height);
   CHECK_EQ(d.num_objects, img->n_objects);
   CHECK_EQ(d.num_layers, 1);
   CHECK_EQ(d.layers[0].drm_format, img->fourcc);
   CHECK_EQ(d.layers[0].num_planes, img->n_planes);
   for (unsigned o = 0; o < img->n_objects; o++) {
      CHECK_EQ(d.objects[o].fd, img->objects[o].fd);
      CHECK_EQ(d.objects[o].size, img->objects[o].size);
      CHECK_EQ(d.objects[o].drm_format_modifier, img->modifier);
   }
   for (unsigned p = 0; p < img->n_planes; p++) {
      CHECK_EQ(d.layers[0].object_index[p], img->planes[p].object);
      CHECK_EQ(d.layers[0].offset[p], img->planes[p].offset);
      CHECK_EQ(d.layers[0].pitch[p], img->planes[p].pitch);
   }
   struct fdid_image back;
   CHECK_EQ(fdid_image_from_va_prime(&d, &back), 0);
   CHECK(fdid_image_equal(img, &back));
}

FDID_TEST(va_round_trip_single_plane_rgb_translation_no_driver)
{
   struct fdid_image img;
   struct buf b = xr24_image(&img, FDID_MODIFIER_LINEAR);
   check_round_trip(&img, VA_FOURCC_BGRX);
   /* No modifier given: written as DRM_FORMAT_MOD_INVALID, read back as
    * none. */
   img.modifier = FDID_MODIFIER_NONE;
   check_round_trip(&img, VA_FOURCC_BGRX);
   buf_destroy(&b);
}

FDID_TEST(va_round_trip_nv12_one_object_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 32);
   VADRMPRIMESurfaceDescriptor d = nv12_composed(&b);
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
   CHECK_EQ(img.n_objects, 1);
   check_round_trip(&img, VA_FOURCC_NV12);
   buf_destroy(&b);
}

/* P010 with luma and chroma in two buffers: two objects, both written
 * back. */
FDID_TEST(va_round_trip_p010_two_objects_translation_no_driver)
{
   struct two_objects t;
   two_objects_create(&t, P010, FDID_MODIFIER_LINEAR);
   check_round_trip(&t.img, VA_FOURCC_P010);
   two_objects_destroy(&t);
}

/* I420 on three buffers, composed form and back, and the separate form of
 * the same surface (three R8 layers) read as one equal image. */
FDID_TEST(va_i420_three_objects_both_forms_translation_no_driver)
{
   struct buf b[3] = { buf_create(W, H, 32), buf_create(W, H / 2, 32), buf_create(W, H / 2, 32) };
   struct fdid_image img;
   fdid_image_init(&img, YU12, W, H);
   for (unsigned i = 0; i < 3; i++)
      CHECK_EQ(fdid_image_add_plane(&img, b[i].fd, 0, b[i].pitch), 0);
   img.modifier = FDID_MODIFIER_LINEAR;
   CHECK_EQ(fdid_image_resolve(&img), 0);
   CHECK_EQ(img.n_objects, 3);
   check_round_trip(&img, VA_FOURCC_I420);

   VADRMPRIMESurfaceDescriptor s = {
      .fourcc = VA_FOURCC_I420, .width = W, .height = H, .num_objects = 3, .num_layers = 3,
   };
   for (unsigned i = 0; i < 3; i++) {
      s.objects[i].fd = b[i].fd;
      s.objects[i].size = (uint32_t)b[i].size;
      s.layers[i].drm_format = R8;
      s.layers[i].num_planes = 1;
      s.layers[i].object_index[0] = i;
      s.layers[i].pitch[0] = b[i].pitch;
   }
   struct fdid_image sep, layer;
   CHECK_EQ(fdid_image_from_va_prime(&s, &sep), 0);
   CHECK_EQ(sep.fourcc, YU12);
   CHECK(fdid_image_equal(&img, &sep));
   /* Each layer alone: the chroma layers cover half the width and height. */
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 0, &layer), 0);
   CHECK_EQ(layer.fourcc, R8);
   CHECK_EQ(layer.width, W);
   CHECK_EQ(layer.height, H);
   for (unsigned l = 1; l < 3; l++) {
      CHECK_EQ(fdid_image_from_va_prime_layer(&s, l, &layer), 0);
      CHECK_EQ(layer.width, W / 2);
      CHECK_EQ(layer.height, H / 2);
      CHECK_EQ(layer.n_objects, 1);
   }
   /* YV12 is the same three planes with Cr first: another DRM fourcc. */
   s.fourcc = VA_FOURCC_YV12;
   CHECK_EQ(fdid_image_from_va_prime(&s, &sep), 0);
   CHECK_EQ(sep.fourcc, YV12);
   for (unsigned i = 0; i < 3; i++)
      buf_destroy(&b[i]);
}

/* NV12 separate form on one buffer (R8 + GR88, as drivers export without
 * VA_EXPORT_SURFACE_COMPOSED_LAYERS): each layer is its own image over the
 * same object as the composed one. */
FDID_TEST(va_nv12_separate_layers_match_composed_planes_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 32);
   VADRMPRIMESurfaceDescriptor c = nv12_composed(&b), s = c;
   s.num_layers = 2;
   s.layers[0] = (__typeof__(s.layers[0])){ .drm_format = R8, .num_planes = 1,
                                            .pitch = { b.pitch } };
   s.layers[1] = (__typeof__(s.layers[1])){ .drm_format = GR88, .num_planes = 1,
                                            .offset = { b.pitch * H }, .pitch = { b.pitch } };
   struct fdid_image ic, is, y, cbcr;
   CHECK_EQ(fdid_image_from_va_prime(&c, &ic), 0);
   CHECK_EQ(fdid_image_from_va_prime(&s, &is), 0);
   CHECK(fdid_image_equal(&ic, &is));
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 0, &y), 0);
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 1, &cbcr), 0);
   CHECK_EQ(y.planes[0].offset, ic.planes[0].offset);
   CHECK_EQ(cbcr.planes[0].offset, ic.planes[1].offset);
   CHECK(y.objects[0].ino == ic.objects[0].ino && cbcr.objects[0].ino == ic.objects[0].ino);
   /* The composed form's one layer, read as a layer, is the whole image. */
   struct fdid_image whole;
   CHECK_EQ(fdid_image_from_va_prime_layer(&c, 0, &whole), 0);
   CHECK(fdid_image_equal(&ic, &whole));
   buf_destroy(&b);
}

/* One buffer named four ways: its fd, that fd again, a dup, and a second
 * PRIME export. Four descriptor objects, one image object. */
FDID_TEST(va_repeated_fd_dup_and_second_export_are_one_object_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 32);
   int dup_fd = CHECK_SYS(fcntl(b.fd, F_DUPFD_CLOEXEC, 0));
   int again = prime_export(b.card, b.handle);
   CHECK(again != b.fd);
   VADRMPRIMESurfaceDescriptor d = nv12_composed(&b);
   d.num_objects = 4;
   d.objects[1] = d.objects[0];
   d.objects[2] = d.objects[0];
   d.objects[2].fd = dup_fd;
   d.objects[3] = d.objects[0];
   d.objects[3].fd = again;
   struct fdid_image ref, img;
   CHECK_EQ(fdid_image_from_va_prime(&d, &ref), 0);
   for (unsigned y = 0; y < 4; y++) {
      for (unsigned uv = 0; uv < 4; uv++) {
         d.layers[0].object_index[0] = y;
         d.layers[0].object_index[1] = uv;
         CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
         CHECK_EQ(img.n_objects, 1);
         CHECK_EQ(img.planes[1].object, 0);
         CHECK(fdid_image_equal(&ref, &img));
         /* Written back: one object, the fd of the first plane. */
         VADRMPRIMESurfaceDescriptor back;
         CHECK_EQ(fdid_image_to_va_prime(&img, 0, &back), 0);
         CHECK_EQ(back.num_objects, 1);
         CHECK_EQ(back.objects[0].fd, d.objects[y].fd);
      }
   }
   CHECK(fd_is_open(b.fd) && fd_is_open(dup_fd) && fd_is_open(again));
   close(again);
   close(dup_fd);
   buf_destroy(&b);
}

FDID_TEST(va_fourcc_table_translation_no_driver)
{
   static const struct {
      uint32_t va, drm;
   } known[] = {
      { VA_FOURCC_NV12, NV12 },
      { VA_FOURCC_P010, P010 },
      { VA_FOURCC_YV12, YV12 },
      { VA_FOURCC_I420, YU12 },
      { VA_FOURCC_YUY2, TEST_FOURCC('Y', 'U', 'Y', 'V') },
      /* VA names bytes in memory, DRM a little-endian word. */
      { VA_FOURCC_RGBA, TEST_FOURCC('A', 'B', '2', '4') },
      { VA_FOURCC_RGBX, TEST_FOURCC('X', 'B', '2', '4') },
      { VA_FOURCC_BGRA, TEST_FOURCC('A', 'R', '2', '4') },
      { VA_FOURCC_BGRX, XR24 },
      { VA_FOURCC_ARGB, TEST_FOURCC('B', 'A', '2', '4') },
      { VA_FOURCC_XRGB, TEST_FOURCC('B', 'X', '2', '4') },
   };
   for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
      CHECK_EQ(fdid_va_fourcc_to_drm(known[i].va), known[i].drm);
      CHECK_EQ(fdid_drm_fourcc_to_va(known[i].drm), known[i].va);
      /* Every DRM side is a format the image checks know. */
      CHECK(fdid_fourcc_planes(known[i].drm) > 0);
   }
   CHECK_EQ(fdid_va_fourcc_to_drm(0), 0);
   CHECK_EQ(fdid_va_fourcc_to_drm(0x12345678), 0);
   CHECK_EQ(fdid_drm_fourcc_to_va(0), 0);
   CHECK_EQ(fdid_drm_fourcc_to_va(R8), 0);
}

/* ---- refusals not made in test_va_vk_no_driver.c ------------------------
 * Exact errno, the caller's fds still open, nothing of ours left open (the
 * harness checks).
 */

FDID_TEST(va_rejects_memfd_not_a_dmabuf_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 32);
   int mfd = CHECK_SYS(memfd_create("not-a-dmabuf", MFD_CLOEXEC));
   CHECK_SYS(ftruncate(mfd, (off_t)b.size));
   VADRMPRIMESurfaceDescriptor d = nv12_composed(&b);
   d.objects[0].fd = mfd;
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), -EBADFD);
   CHECK_EQ(fdid_image_from_va_prime_layer(&d, 0, &img), -EBADFD);
   /* The memfd as a second object, under the chroma plane only. */
   d = nv12_composed(&b);
   d.num_objects = 2;
   d.objects[1] = d.objects[0];
   d.objects[1].fd = mfd;
   d.layers[0].object_index[1] = 1;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), -EBADFD);
   CHECK(fd_is_open(mfd) && fd_is_open(b.fd));
   close(mfd);
   buf_destroy(&b);
}

/* An object no plane names still claims a size: checked against its own
 * dma-buf like the others. */
FDID_TEST(va_rejects_unnamed_object_declared_size_over_dmabuf_size_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 32), other = buf_create(W, 1, 32);
   VADRMPRIMESurfaceDescriptor d = nv12_composed(&b);
   d.num_objects = 2;
   d.objects[1] = (__typeof__(d.objects[1])){ .fd = other.fd, .size = (uint32_t)other.size };
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
   d.objects[1].size = (uint32_t)other.size + 1;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), -EINVAL);
   d.objects[1].size = 0; /* not given */
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
   CHECK(fd_is_open(b.fd) && fd_is_open(other.fd));
   buf_destroy(&other);
   buf_destroy(&b);
}

/* Reading one layer of the separate form checks the other layer's object
 * size too: the driver is handed the whole descriptor. */
FDID_TEST(va_layer_parser_checks_other_layers_object_size_translation_no_driver)
{
   struct buf y = buf_create(W, H, 32), uv = buf_create(W, H / 2, 32);
   VADRMPRIMESurfaceDescriptor s = {
      .fourcc = VA_FOURCC_NV12, .width = W, .height = H, .num_objects = 2, .num_layers = 2,
      .objects = { { .fd = y.fd, .size = (uint32_t)y.size },
                   { .fd = uv.fd, .size = (uint32_t)uv.size } },
      .layers = { { .drm_format = R8, .num_planes = 1, .pitch = { y.pitch } },
                  { .drm_format = GR88, .num_planes = 1, .object_index = { 1 },
                    .pitch = { uv.pitch } } },
   };
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 0, &img), 0);
   CHECK_EQ(fdid_image_from_va_prime(&s, &img), 0);
   CHECK_EQ(img.n_objects, 2);
   s.objects[1].size = (uint32_t)uv.size + 4096;
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 0, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_va_prime_layer(&s, 1, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_va_prime(&s, &img), -EINVAL);
   CHECK(fd_is_open(y.fd) && fd_is_open(uv.fd));
   buf_destroy(&uv);
   buf_destroy(&y);
}

FDID_TEST(va_rejects_null_arguments_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 32);
   VADRMPRIMESurfaceDescriptor d = nv12_composed(&b);
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_va_prime(NULL, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_va_prime(&d, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_va_prime_layer(&d, 0, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
   CHECK_EQ(fdid_image_to_va_prime(&img, 0, NULL), -EINVAL);
   CHECK(fd_is_open(b.fd));
   buf_destroy(&b);
}

/* An image that fdid_image_resolve() did not leave (hand-made, or counts
 * overwritten) must not make the writer index past its arrays. */
FDID_TEST(va_writer_rejects_unfinished_images_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 32);
   VADRMPRIMESurfaceDescriptor d = nv12_composed(&b), out;
   struct fdid_image img, bad;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);

   bad = img;
   bad.n_planes = 0;
   CHECK_EQ(fdid_image_to_va_prime(&bad, 0, &out), -EINVAL);
   bad = img;
   bad.n_planes = FDID_IMAGE_MAX_PLANES + 1;
   CHECK_EQ(fdid_image_to_va_prime(&bad, 0, &out), -EINVAL);
   bad = img;
   bad.n_objects = 0;
   CHECK_EQ(fdid_image_to_va_prime(&bad, 0, &out), -EINVAL);
   bad = img;
   bad.n_objects = 3; /* more objects than planes */
   CHECK_EQ(fdid_image_to_va_prime(&bad, 0, &out), -EINVAL);
   bad = img;
   bad.planes[1].object = 1; /* past n_objects */
   CHECK_EQ(fdid_image_to_va_prime(&bad, 0, &out), -EINVAL);
   bad = img;
   bad.objects[0].size = (uint64_t)UINT32_MAX + 1; /* VA's size is 32 bits */
   CHECK_EQ(fdid_image_to_va_prime(&bad, 0, &out), -EINVAL);
   CHECK_EQ(fdid_image_to_va_prime(&img, 0, &out), 0);
   CHECK(fd_is_open(b.fd));
   buf_destroy(&b);
}

FDID_TEST(va_composed_and_separate_forms_are_one_image_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 8);
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
   buf_destroy(&b);
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
   c->b = buf_create(W, H * 3 / 2, 8);
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
   buf_destroy(&c->b);
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
   struct buf b = buf_create(W, H * 3 / 2, 8);
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
   buf_destroy(&b);
}

/* Two objects with one fd number (as drivers export the separate form),
 * and a dup: one object behind them. */
FDID_TEST(va_repeated_fds_are_one_object_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 8);
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
   buf_destroy(&b);
}

FDID_TEST_MAIN()
