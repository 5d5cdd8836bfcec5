/* SPDX-License-Identifier: MIT */
/*
 * The EGL translator and the import cache's contract, with real vgem
 * dma-bufs (in the guest): round trips, one object behind repeated fds,
 * dups and re-exports, every validation error (caller's fds untouched),
 * and the cache's references, failures, teardown and races. The cache's
 * import callback here counts calls instead of calling a GPU API; the real
 * EGL import is test_gl_import.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fdid/egl_dmabuf.h>
#include <fdid/import_cache.h>

#include "fdid_test.h"
#include "fourccs.h"
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "drm_util.h"

enum { W = 64, H = 64 };


/* An XR24 list over fd with the buffer's pitch, with room for more. */
static int
xr24_list(EGLint *a, int fd, uint32_t pitch)
{
   const EGLint base[] = {
      EGL_WIDTH, W, EGL_HEIGHT, H, EGL_LINUX_DRM_FOURCC_EXT, (EGLint)XR24,
      EGL_DMA_BUF_PLANE0_FD_EXT, fd, EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
      EGL_DMA_BUF_PLANE0_PITCH_EXT, (EGLint)pitch, EGL_NONE,
   };
   memcpy(a, base, sizeof(base));
   return (int)(sizeof(base) / sizeof(base[0])) - 1; /* index of EGL_NONE */
}

static int
parse(const EGLint *a)
{
   struct fdid_image img;
   return fdid_image_from_egl_attribs(a, &img, NULL);
}

FDID_TEST(round_trip_with_modifier_and_hints)
{
   struct buf b = buf_create(W, H, 32);
   EGLint a[64];
   int n = xr24_list(a, b.fd, b.pitch);
   const EGLint more[] = { EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, 0, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT, 0,
                           EGL_SAMPLE_RANGE_HINT_EXT, EGL_YUV_NARROW_RANGE_EXT,
                           EGL_IMAGE_PRESERVED_KHR, EGL_TRUE, EGL_NONE };
   memcpy(&a[n], more, sizeof(more));
   struct fdid_image img, back;
   struct fdid_egl_hints hints, hints_back;
   CHECK_EQ(fdid_image_from_egl_attribs(a, &img, &hints), 0);
   CHECK_EQ(img.modifier, FDID_MODIFIER_LINEAR);
   CHECK_EQ(img.n_objects, 1);
   CHECK_EQ(img.objects[0].size, b.size);
   EGLint out[FDID_EGL_ATTRIBS_MAX];
   int len = fdid_image_to_egl_attribs(&img, &hints, out, FDID_EGL_ATTRIBS_MAX);
   CHECK(len > 0 && out[len - 1] == EGL_NONE);
   CHECK_EQ(fdid_image_from_egl_attribs(out, &back, &hints_back), 0);
   CHECK(fdid_image_equal(&img, &back));
   CHECK_EQ(hints_back.present, hints.present);
   CHECK_EQ(hints_back.sample_range, EGL_YUV_NARROW_RANGE_EXT);
   CHECK_EQ(hints_back.preserved, EGL_TRUE);
   /* Too little room says so and writes nothing past it. */
   CHECK_EQ(fdid_image_to_egl_attribs(&img, &hints, out, (size_t)len - 1), -ENOSPC);

   /* EGL 1.5's EGLAttrib list gives the same image. */
   EGLAttrib wide[64];
   for (int i = 0; i <= n + 8; i++)
      wide[i] = a[i];
   CHECK_EQ(fdid_image_from_egl_attrib_list(wide, &back, NULL), 0);
   CHECK(fdid_image_equal(&img, &back));
   wide[1] = (EGLAttrib)1 << 40; /* a width no EGLint holds */
   CHECK_EQ(fdid_image_from_egl_attrib_list(wide, &back, NULL), -EINVAL);
   buf_destroy(&b);
}

FDID_TEST(one_object_behind_repeated_fds_dups_and_exports)
{
   struct buf b = buf_create(W, H * 3 / 2, 8); /* NV12: Y then UV, one buffer */
   int dup_fd = CHECK_SYS(dup(b.fd));
   int again = prime_export(b.card, b.handle); /* GEM's one dma-buf, again */
   int fds[][2] = { { b.fd, b.fd }, { b.fd, dup_fd }, { again, b.fd } };
   struct fdid_image first;
   for (int i = 0; i < 3; i++) {
      const EGLint a[] = {
         EGL_WIDTH, W, EGL_HEIGHT, H, EGL_LINUX_DRM_FOURCC_EXT, (EGLint)NV12,
         EGL_DMA_BUF_PLANE0_FD_EXT, fds[i][0], EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
         EGL_DMA_BUF_PLANE0_PITCH_EXT, (EGLint)b.pitch,
         EGL_DMA_BUF_PLANE1_FD_EXT, fds[i][1], EGL_DMA_BUF_PLANE1_OFFSET_EXT,
         (EGLint)(b.pitch * H), EGL_DMA_BUF_PLANE1_PITCH_EXT, (EGLint)b.pitch, EGL_NONE,
      };
      struct fdid_image img;
      CHECK_EQ(fdid_image_from_egl_attribs(a, &img, NULL), 0);
      CHECK_EQ(img.n_planes, 2);
      CHECK_EQ(img.n_objects, 1);
      CHECK_EQ(img.planes[1].object, 0);
      if (i == 0)
         first = img;
      CHECK(fdid_image_equal(&first, &img));
   }
   close(again);
   close(dup_fd);
   buf_destroy(&b);
}

static void image_of(struct fdid_image *img, int fd, uint32_t pitch);

/* ---- validation: one subtest per rejected list --------------------------
 *
 * Each subtest builds the good XR24 list over a fresh vgem buffer, breaks
 * one thing, and checks the exact errno from both parsers (EGLint and
 * EGL 1.5's EGLAttrib), that the caller's fds (the buffer's and a pipe's)
 * are still open, and, through the harness, that the parse left no fd of
 * its own open.
 */
struct bad_list {
   struct buf b;
   int pipe[2];
   EGLint a[300];
};

static int
bad_list_begin(struct bad_list *c)
{
   c->b = buf_create(W, H, 32);
   CHECK_SYS(pipe2(c->pipe, O_CLOEXEC));
   for (size_t i = 0; i < sizeof(c->a) / sizeof(c->a[0]); i++)
      c->a[i] = EGL_NONE;
   return xr24_list(c->a, c->b.fd, c->b.pitch);
}

static void
bad_list_end(struct bad_list *c, int err)
{
   CHECK_EQ(parse(c->a), err);
   EGLAttrib wide[300];
   for (size_t i = 0; i < 300; i++)
      wide[i] = c->a[i];
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_egl_attrib_list(wide, &img, NULL), err);
   CHECK(fd_is_open(c->b.fd));
   CHECK(fd_is_open(c->pipe[0]));
   CHECK(fd_is_open(c->pipe[1]));
   close(c->pipe[0]);
   close(c->pipe[1]);
   buf_destroy(&c->b);
}

/* a: the list, n: the index of its EGL_NONE, c: the buffer and pipe.
 * Indices: 0/1 width, 2/3 height, 4/5 format, 6/7 fd, 8/9 offset,
 * 10/11 pitch. */
#define EGL_CASE(tname, err, ...)                                            \
   FDID_TEST(egl_##tname)                                                    \
   {                                                                         \
      struct bad_list c;                                                     \
      int n = bad_list_begin(&c);                                            \
      EGLint *a = c.a;                                                       \
      (void)n;                                                               \
      (void)a;                                                               \
      __VA_ARGS__;                                                           \
      bad_list_end(&c, err);                                                 \
   }

EGL_CASE(accepts_the_good_list, 0, (void)0)
EGL_CASE(rejects_unknown_attribute, -EINVAL, a[n] = 0x3999, a[n + 1] = 1)
EGL_CASE(rejects_repeated_attribute, -EINVAL, a[n] = EGL_WIDTH, a[n + 1] = W)
EGL_CASE(rejects_repeated_plane_attribute, -EINVAL, a[n] = EGL_DMA_BUF_PLANE0_OFFSET_EXT,
         a[n + 1] = 0)
EGL_CASE(rejects_missing_width, -EINVAL, a[0] = EGL_IMAGE_PRESERVED_KHR, a[1] = 0)
EGL_CASE(rejects_missing_height, -EINVAL, a[2] = EGL_IMAGE_PRESERVED_KHR, a[3] = 0)
EGL_CASE(rejects_missing_format, -EINVAL, a[4] = EGL_IMAGE_PRESERVED_KHR, a[5] = 0)
EGL_CASE(rejects_zero_format, -EINVAL, a[5] = 0)
EGL_CASE(rejects_negative_width, -EINVAL, a[1] = -1)
EGL_CASE(rejects_zero_height, -EINVAL, a[3] = 0)
EGL_CASE(rejects_negative_pitch, -EINVAL, a[11] = -4)
EGL_CASE(rejects_negative_offset, -EINVAL, a[9] = -4)
EGL_CASE(rejects_plane_without_pitch, -EINVAL, a[10] = EGL_IMAGE_PRESERVED_KHR, a[11] = 0)
EGL_CASE(rejects_plane_without_fd, -EINVAL, a[6] = EGL_IMAGE_PRESERVED_KHR, a[7] = 0)
EGL_CASE(rejects_no_plane, -EINVAL, a[6] = EGL_NONE)
/* Plane 1 given, plane 0 not. */
EGL_CASE(rejects_plane_hole, -EINVAL, a[6] = EGL_DMA_BUF_PLANE1_FD_EXT,
         a[8] = EGL_DMA_BUF_PLANE1_OFFSET_EXT, a[10] = EGL_DMA_BUF_PLANE1_PITCH_EXT)
/* Planes 0 and 2, no plane 1 (XR24 wants 1, but the hole is found first:
 * an unknown fourcc makes it the only error). */
EGL_CASE(rejects_plane_hole_after_plane0, -EINVAL, a[5] = 0x20202020,
         a[n] = EGL_DMA_BUF_PLANE2_FD_EXT, a[n + 1] = c.b.fd,
         a[n + 2] = EGL_DMA_BUF_PLANE2_OFFSET_EXT, a[n + 3] = 0,
         a[n + 4] = EGL_DMA_BUF_PLANE2_PITCH_EXT, a[n + 5] = (EGLint)c.b.pitch)
EGL_CASE(rejects_modifier_lo_without_hi, -EINVAL, a[n] = EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT,
         a[n + 1] = 0)
EGL_CASE(rejects_modifier_hi_without_lo, -EINVAL, a[n] = EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT,
         a[n + 1] = 0)
/* A modifier for a plane that has no layout. */
EGL_CASE(rejects_modifier_on_absent_plane, -EINVAL, a[n] = EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT,
         a[n + 1] = 0, a[n + 2] = EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT, a[n + 3] = 0)
EGL_CASE(rejects_too_few_planes_for_format, -EINVAL, a[5] = (EGLint)NV12)
EGL_CASE(rejects_too_many_planes_for_format, -EINVAL, a[n] = EGL_DMA_BUF_PLANE1_FD_EXT,
         a[n + 1] = c.b.fd, a[n + 2] = EGL_DMA_BUF_PLANE1_OFFSET_EXT, a[n + 3] = 0,
         a[n + 4] = EGL_DMA_BUF_PLANE1_PITCH_EXT, a[n + 5] = (EGLint)c.b.pitch)
EGL_CASE(rejects_offset_past_object_end, -EINVAL, a[9] = (EGLint)c.b.size)
EGL_CASE(rejects_plane_running_past_object_end, -EINVAL, a[9] = 4)
EGL_CASE(rejects_pitch_shorter_than_a_row, -EINVAL, a[11] = W * 4 - 4)
EGL_CASE(rejects_pitch_times_rows_past_object_end, -EINVAL, a[11] = (EGLint)c.b.pitch * 2)
EGL_CASE(rejects_height_past_object_end, -EINVAL, a[3] = H * 2)
EGL_CASE(rejects_fd_not_open, -EBADF, a[7] = 1000)
EGL_CASE(rejects_negative_fd, -EINVAL, a[7] = -1)
EGL_CASE(rejects_pipe_not_a_dmabuf, -EBADFD, a[7] = c.pipe[0])
EGL_CASE(rejects_card_fd_not_a_dmabuf, -EBADFD, a[7] = c.b.card)
/* No EGL_NONE where one is looked for: the list ends on the first repeat,
 * not past the array. */
EGL_CASE(rejects_list_without_terminator, -EINVAL,
         for (int i = n; i < 300; i++) a[i] = EGL_WIDTH)
/* An unknown fourcc takes any plane count from 1 to 4; sizes are then not
 * checked against a row (fdid does not know its bytes per pixel). */
EGL_CASE(accepts_unknown_fourcc_with_one_plane, 0, a[5] = 0x20202020, a[11] = 1)
EGL_CASE(accepts_unknown_fourcc_with_four_planes, 0, {
   /* Plane 3's attributes are not after plane 2's (0x3440...). */
   static const EGLint more[3][3] = {
      { EGL_DMA_BUF_PLANE1_FD_EXT, EGL_DMA_BUF_PLANE1_OFFSET_EXT, EGL_DMA_BUF_PLANE1_PITCH_EXT },
      { EGL_DMA_BUF_PLANE2_FD_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT, EGL_DMA_BUF_PLANE2_PITCH_EXT },
      { EGL_DMA_BUF_PLANE3_FD_EXT, EGL_DMA_BUF_PLANE3_OFFSET_EXT, EGL_DMA_BUF_PLANE3_PITCH_EXT },
   };
   a[5] = 0x20202020;
   for (int pl = 0; pl < 3; pl++) {
      a[n++] = more[pl][0];
      a[n++] = c.b.fd;
      a[n++] = more[pl][1];
      a[n++] = 64 * (pl + 1);
      a[n++] = more[pl][2];
      a[n++] = 64;
   }
})
/* DRM_FORMAT_BIG_ENDIAN sets bit 31: a negative EGLint, still a format. */
EGL_CASE(accepts_big_endian_fourcc, 0, a[5] = (EGLint)(XR24 | 0x80000000u))

FDID_TEST(egl_rejects_null_arguments)
{
   struct fdid_image img;
   const EGLint empty[] = { EGL_NONE };
   CHECK_EQ(fdid_image_from_egl_attribs(NULL, &img, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_egl_attribs(empty, NULL, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_egl_attrib_list(NULL, &img, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_egl_attribs(empty, &img, NULL), -EINVAL);
}

FDID_TEST(egl_rejects_planes_with_different_modifiers)
{
   struct buf nv = buf_create(W, H * 3 / 2, 8);
   const EGLint mixed[] = {
      EGL_WIDTH, W, EGL_HEIGHT, H, EGL_LINUX_DRM_FOURCC_EXT, (EGLint)NV12,
      EGL_DMA_BUF_PLANE0_FD_EXT, nv.fd, EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
      EGL_DMA_BUF_PLANE0_PITCH_EXT, (EGLint)nv.pitch,
      EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, 0, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT, 0,
      EGL_DMA_BUF_PLANE1_FD_EXT, nv.fd, EGL_DMA_BUF_PLANE1_OFFSET_EXT, (EGLint)(nv.pitch * H),
      EGL_DMA_BUF_PLANE1_PITCH_EXT, (EGLint)nv.pitch,
      EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, 1, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT, 0, EGL_NONE,
   };
   CHECK_EQ(parse(mixed), -EINVAL);
   CHECK(fd_is_open(nv.fd));
   buf_destroy(&nv);
}

/* A tiled modifier: only offsets are checked (the layout is the driver's),
 * and the modifier's high word reads back. */
FDID_TEST(egl_tiled_modifier_checks_offsets_only)
{
   struct buf b = buf_create(W, H, 32);
   EGLint a[64];
   int n = xr24_list(a, b.fd, b.pitch);
   const EGLint mod[] = { EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, 0x1234,
                          EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT, (EGLint)0x81000000u, EGL_NONE };
   memcpy(&a[n], mod, sizeof(mod));
   a[11] = 16; /* a short pitch is the driver's business under a tiling */
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_egl_attribs(a, &img, NULL), 0);
   CHECK_EQ(img.modifier, 0x8100000000001234ull);
   a[9] = (EGLint)b.size; /* an offset past the end is still wrong */
   CHECK_EQ(fdid_image_from_egl_attribs(a, &img, NULL), -EINVAL);
   buf_destroy(&b);
}

/* The writer: what it writes reads back, so it refuses what no EGLint
 * holds, and writes nothing then. */
FDID_TEST(egl_writer_refuses_what_no_eglint_holds)
{
   struct buf b = buf_create(W, H, 32);
   struct fdid_image img;
   image_of(&img, b.fd, b.pitch);
   EGLint out[FDID_EGL_ATTRIBS_MAX];
   for (unsigned i = 0; i < FDID_EGL_ATTRIBS_MAX; i++)
      out[i] = 7;
   struct fdid_image wide = img;
   wide.width = 0x80000000u;
   CHECK_EQ(fdid_image_to_egl_attribs(&wide, NULL, out, FDID_EGL_ATTRIBS_MAX), -EINVAL);
   wide = img;
   wide.planes[0].pitch = 0x80000000u;
   CHECK_EQ(fdid_image_to_egl_attribs(&wide, NULL, out, FDID_EGL_ATTRIBS_MAX), -EINVAL);
   CHECK_EQ(out[0], 7);
   CHECK_EQ(fdid_image_to_egl_attribs(NULL, NULL, out, FDID_EGL_ATTRIBS_MAX), -EINVAL);
   struct fdid_image none;
   fdid_image_init(&none, XR24, W, H);
   CHECK_EQ(fdid_image_to_egl_attribs(&none, NULL, out, FDID_EGL_ATTRIBS_MAX), -EINVAL);
   /* A big-endian fourcc goes out and back. */
   img.fourcc |= 0x80000000u;
   int len = fdid_image_to_egl_attribs(&img, NULL, out, FDID_EGL_ATTRIBS_MAX);
   CHECK(len > 0);
   struct fdid_image back;
   CHECK_EQ(fdid_image_from_egl_attribs(out, &back, NULL), 0);
   CHECK(fdid_image_equal(&img, &back));
   buf_destroy(&b);
}

/* The image itself: more than 4 planes, and add_plane's own checks. */
FDID_TEST(image_rejects_a_fifth_plane_and_bad_arguments)
{
   struct buf b = buf_create(W, H, 32);
   struct fdid_image img;
   fdid_image_init(&img, 0x20202020, W, H);
   for (int i = 0; i < 4; i++)
      CHECK_EQ(fdid_image_add_plane(&img, b.fd, 0, 64), 0);
   CHECK_EQ(fdid_image_add_plane(&img, b.fd, 0, 64), -E2BIG);
   CHECK_EQ(fdid_image_resolve(&img), 0);
   CHECK_EQ(img.n_objects, 1);
   img.n_planes = 5; /* filled by hand past the limit */
   CHECK_EQ(fdid_image_resolve(&img), -E2BIG);
   CHECK_EQ(fdid_image_add_plane(&img, -1, 0, 64), -EBADF);
   CHECK_EQ(fdid_image_add_plane(NULL, b.fd, 0, 64), -EINVAL);
   fdid_image_init(&img, XR24, W, H);
   CHECK_EQ(fdid_image_resolve(&img), -EINVAL); /* no plane */
   CHECK_EQ(fdid_is_dmabuf(b.fd), 1);
   CHECK_EQ(fdid_is_dmabuf(b.card), 0);
   CHECK_EQ(fdid_is_dmabuf(-1), -EBADF);
   CHECK_EQ(fdid_is_dmabuf(1000), -EBADF);
   CHECK(fd_is_open(b.fd));
   buf_destroy(&b);
}

/* ---- the import cache, with a counting callback ------------------------ */

struct counter {
   pthread_mutex_t lock;
   int imports, destroys, fail_with;
   uintptr_t next, last_destroyed;
};

static int
count_import(void *context, const struct fdid_image *img, void **object)
{
   struct counter *c = context;
   pthread_mutex_lock(&c->lock);
   int r = c->fail_with;
   if (r == 0) {
      c->imports++;
      *object = (void *)++c->next;
   }
   pthread_mutex_unlock(&c->lock);
   return r;
}

static void
count_destroy(void *context, void *object)
{
   struct counter *c = context;
   pthread_mutex_lock(&c->lock);
   c->destroys++;
   c->last_destroyed = (uintptr_t)object;
   pthread_mutex_unlock(&c->lock);
}

static void
image_of(struct fdid_image *img, int fd, uint32_t pitch)
{
   EGLint a[32];
   xr24_list(a, fd, pitch);
   CHECK_EQ(fdid_image_from_egl_attribs(a, img, NULL), 0);
}

FDID_TEST(cache_counting_callback_references_and_teardown)
{
   struct buf b = buf_create(W, H, 32), other = buf_create(W, H, 32);
   struct counter cnt = { .lock = PTHREAD_MUTEX_INITIALIZER };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&cnt, count_import, count_destroy, &cache), 0);
   /* No idle entries: the last release destroys (idle entries have tests
    * of their own below). */
   CHECK_EQ(fdid_import_cache_set_idle_limit(cache, 0), 0);

   struct fdid_image img, img2;
   image_of(&img, b.fd, b.pitch);
   void *o1, *o2, *o3;
   bool created;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o1, &created), 0);
   CHECK_EQ(created, 1);

   /* The caller's fd goes; a new export of the buffer still finds the
    * entry, which kept the dma-buf's identity alive with its own dup. */
   close(b.fd);
   b.fd = prime_export(b.card, b.handle);
   image_of(&img2, b.fd, b.pitch);
   CHECK_EQ(fdid_import_cache_acquire(cache, &img2, &o2, &created), 0);
   CHECK_EQ(created, 0);
   CHECK(o1 == o2);
   CHECK_EQ(cnt.imports, 1);

   /* Another buffer, another object; a failing import caches nothing. */
   struct fdid_image img3;
   image_of(&img3, other.fd, other.pitch);
   cnt.fail_with = -EIO;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img3, &o3, NULL), -EIO);
   CHECK_EQ(fdid_import_cache_count(cache), 1);
   cnt.fail_with = 0;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img3, &o3, &created), 0);
   CHECK(created == 1 && o3 != o1);
   CHECK_EQ(fdid_import_cache_count(cache), 2);

   CHECK_EQ(fdid_import_cache_hold(cache, o3), 0);
   CHECK_EQ(fdid_import_cache_release(cache, o1), 0);
   CHECK_EQ(fdid_import_cache_release(cache, o2), 0);
   CHECK_EQ(cnt.destroys, 1);
   CHECK_EQ(fdid_import_cache_release(cache, o1), -ENOENT);
   CHECK_EQ(fdid_import_cache_hold(cache, o1), -ENOENT);
   CHECK_EQ(fdid_import_cache_release(cache, o3), 0);
   CHECK_EQ(cnt.destroys, 1);
   /* Teardown destroys what is left, held or not. */
   fdid_import_cache_destroy(cache);
   CHECK_EQ(cnt.destroys, 2);

   /* An unfinished image is refused. */
   CHECK_EQ(fdid_import_cache_create(&cnt, count_import, count_destroy, &cache), 0);
   struct fdid_image raw;
   fdid_image_init(&raw, XR24, W, H);
   CHECK_EQ(fdid_import_cache_acquire(cache, &raw, &o1, NULL), -EINVAL);
   CHECK_EQ(fdid_import_cache_create(&cnt, NULL, count_destroy, &cache), -EINVAL);
   fdid_import_cache_destroy(cache);
   buf_destroy(&other);
   buf_destroy(&b);
}

struct race {
   struct fdid_import_cache *cache;
   const struct fdid_image *img;
   void *got[64];
};

static void *
race_thread(void *arg)
{
   struct race *r = arg;
   for (int i = 0; i < 64; i++)
      CHECK_EQ(fdid_import_cache_acquire(r->cache, r->img, &r->got[i], NULL), 0);
   return NULL;
}

FDID_TEST(cache_race_gives_one_object)
{
   struct buf b = buf_create(W, H, 32);
   struct counter cnt = { .lock = PTHREAD_MUTEX_INITIALIZER };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&cnt, count_import, count_destroy, &cache), 0);
   struct fdid_image img;
   image_of(&img, b.fd, b.pitch);
   struct race r[4];
   pthread_t t[4];
   for (int i = 0; i < 4; i++) {
      r[i] = (struct race){ cache, &img, { 0 } };
      CHECK_EQ(pthread_create(&t[i], NULL, race_thread, &r[i]), 0);
   }
   for (int i = 0; i < 4; i++)
      CHECK_EQ(pthread_join(t[i], NULL), 0);
   /* Losers of the race destroyed their object at once. */
   CHECK_EQ(fdid_import_cache_count(cache), 1);
   CHECK_EQ(cnt.destroys, cnt.imports - 1);
   for (int i = 0; i < 4; i++) {
      for (int k = 0; k < 64; k++) {
         CHECK(r[i].got[k] == r[0].got[0]);
         CHECK_EQ(fdid_import_cache_release(cache, r[i].got[k]), 0);
      }
   }
   /* The last release left the one object idle, for the next acquire. */
   CHECK_EQ(cnt.destroys, cnt.imports - 1);
   CHECK_EQ(fdid_import_cache_idle_count(cache), 1);
   fdid_import_cache_destroy(cache);
   CHECK_EQ(cnt.destroys, cnt.imports);
   buf_destroy(&b);
}

/* ---- idle entries: what a player releases every frame ------------------ */

/* One frame as a player makes it: a fresh export of the surface, acquired,
 * drawn (nothing here), released, its fd closed. The object. */
static uintptr_t
play_frame(struct fdid_import_cache *cache, const struct buf *b, bool *created)
{
   int fd = prime_export(b->card, b->handle);
   struct fdid_image img;
   image_of(&img, fd, b->pitch);
   void *o;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, created), 0);
   CHECK_EQ(fdid_import_cache_release(cache, o), 0);
   close(fd);
   return (uintptr_t)o;
}

FDID_TEST(idle_entries_keep_what_players_release)
{
   struct buf ring[3] = { buf_create(W, H, 32), buf_create(W, H, 32), buf_create(W, H, 32) };
   struct counter cnt = { .lock = PTHREAD_MUTEX_INITIALIZER };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&cnt, count_import, count_destroy, &cache), 0);
   uintptr_t obj[3] = { 0 };
   for (int frame = 0; frame < 30; frame++) {
      uintptr_t o = play_frame(cache, &ring[frame % 3], NULL);
      CHECK(!obj[frame % 3] || obj[frame % 3] == o);
      obj[frame % 3] = o;
   }
   /* Three surfaces, three imports, whatever the number of frames. */
   CHECK_EQ(cnt.imports, 3);
   CHECK_EQ(cnt.destroys, 0);
   CHECK_EQ(fdid_import_cache_idle_count(cache), 3);
   CHECK_EQ(fdid_import_cache_count(cache), 3);
   /* An idle object is nobody's: neither held nor released again. */
   CHECK_EQ(fdid_import_cache_hold(cache, (void *)obj[0]), -ENOENT);
   CHECK_EQ(fdid_import_cache_release(cache, (void *)obj[0]), -ENOENT);

   /* A smaller bound drops the least recently released (every producer
    * still holds its surface): ring[0] then ring[1]; ring[2] stays. */
   CHECK_EQ(fdid_import_cache_set_idle_limit(cache, 1), 0);
   CHECK_EQ(cnt.destroys, 2);
   CHECK_EQ(cnt.last_destroyed, obj[1]);
   bool created;
   CHECK_EQ(play_frame(cache, &ring[2], &created), obj[2]);
   CHECK_EQ(created, false);
   CHECK(play_frame(cache, &ring[0], &created) != obj[0]);
   CHECK_EQ(created, true);
   CHECK_EQ(cnt.destroys, 3); /* ring[2]'s, now the older of two */
   CHECK_EQ(cnt.last_destroyed, obj[2]);

   /* Memory pressure: trim drops what is idle; the bound stays. */
   CHECK_EQ(fdid_import_cache_trim(cache, 0), 1);
   CHECK_EQ(cnt.destroys, 4);
   CHECK_EQ(fdid_import_cache_count(cache), 0);
   CHECK_EQ(fdid_import_cache_trim(cache, 0), 0);
   fdid_import_cache_destroy(cache);
   CHECK_EQ(cnt.destroys, cnt.imports);
   for (int i = 0; i < 3; i++)
      buf_destroy(&ring[i]);
}

/* With a bound of 0 the cache is what it was before idle entries: a player
 * that releases every frame imports every frame. */
FDID_TEST(idle_bound_zero_imports_every_frame)
{
   struct buf ring[3] = { buf_create(W, H, 32), buf_create(W, H, 32), buf_create(W, H, 32) };
   struct counter cnt = { .lock = PTHREAD_MUTEX_INITIALIZER };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&cnt, count_import, count_destroy, &cache), 0);
   CHECK_EQ(fdid_import_cache_set_idle_limit(cache, 0), 0);
   for (int frame = 0; frame < 30; frame++)
      play_frame(cache, &ring[frame % 3], NULL);
   CHECK_EQ(cnt.imports, 30);
   CHECK_EQ(cnt.destroys, 30);
   CHECK_EQ(fdid_import_cache_count(cache), 0);
   fdid_import_cache_destroy(cache);
   for (int i = 0; i < 3; i++)
      buf_destroy(&ring[i]);
}

/* A surface its producer freed (handle closed, every fd gone) lives on only
 * in the cache's dup: its entry goes first, before older ones whose
 * producer still holds them. */
FDID_TEST(idle_entries_the_producer_freed_go_first)
{
   struct buf a = buf_create(W, H, 32), b = buf_create(W, H, 32), c = buf_create(W, H, 32);
   struct counter cnt = { .lock = PTHREAD_MUTEX_INITIALIZER };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&cnt, count_import, count_destroy, &cache), 0);
   CHECK_EQ(fdid_import_cache_set_idle_limit(cache, 2), 0);
   uintptr_t oa = play_frame(cache, &a, NULL);
   uintptr_t ob = play_frame(cache, &b, NULL);
   close(b.fd);
   gem_close(b.card, b.handle);
   b.fd = -1;
   play_frame(cache, &c, NULL);
   /* a was released first, but b's producer is gone. */
   CHECK_EQ(cnt.destroys, 1);
   CHECK_EQ(cnt.last_destroyed, ob);
   bool created;
   CHECK_EQ(play_frame(cache, &a, &created), oa);
   CHECK_EQ(created, false);
   fdid_import_cache_destroy(cache);
   close(b.card);
   buf_destroy(&a);
   buf_destroy(&c);
}

FDID_TEST_MAIN()
