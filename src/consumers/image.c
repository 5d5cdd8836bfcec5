/* SPDX-License-Identifier: MIT */
/*
 * The common image description: planes, the dma-buf objects behind them,
 * and the layout checks every translator shares.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fdid/image.h"
#include "image_key.h"
#include "util/hash_map.h"
#include "util/buffer_id.h"
#include "util/fstat_raw.h"
#include "util/macros.h"
#include "formats.h"

struct plane_format {
   uint8_t cpp, hsub, vsub;
};

struct format {
   uint32_t fourcc;
   uint8_t planes;
   struct plane_format p[3];
};

static const struct format formats[] = {
#define FORMAT(a, b, c, d, vk, va, n, c0, h0, v0, c1, h1, v1, c2, h2, v2) \
   { FOURCC(a, b, c, d), n, { { c0, h0, v0 }, { c1, h1, v1 }, { c2, h2, v2 } } },
   FDID_FORMATS
#undef FORMAT
};

static const struct format *
find_format(uint32_t fourcc)
{
   for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
      if (formats[i].fourcc == fourcc)
         return &formats[i];
   }
   return NULL;
}

FDID_PUBLIC unsigned
fdid_fourcc_planes(uint32_t fourcc)
{
   const struct format *f = find_format(fourcc);
   return f ? f->planes : 0;
}

FDID_PUBLIC bool
fdid_fourcc_plane_info(uint32_t fourcc, unsigned plane, unsigned *cpp, unsigned *hsub,
                       unsigned *vsub)
{
   const struct format *f = find_format(fourcc);
   if (!f || plane >= f->planes)
      return false;
   if (cpp)
      *cpp = f->p[plane].cpp;
   if (hsub)
      *hsub = f->p[plane].hsub;
   if (vsub)
      *vsub = f->p[plane].vsub;
   return true;
}

FDID_PUBLIC int
fdid_is_dmabuf(int fd)
{
   if (fd < 0)
      return -EBADF;
   struct stat st;
   if (fdid_fstat(fd, &st) != 0)
      return -errno;
   return fdid_stat_is_dmabuf(fd, &st);
}

FDID_PUBLIC void
fdid_image_init(struct fdid_image *img, uint32_t fourcc, uint32_t width, uint32_t height)
{
   if (!img)
      return;
   memset(img, 0, sizeof(*img));
   img->fourcc = fourcc;
   img->width = width;
   img->height = height;
   img->modifier = FDID_MODIFIER_NONE;
   for (unsigned i = 0; i < FDID_IMAGE_MAX_PLANES; i++) {
      img->planes[i].fd = -1;
      img->objects[i].fd = -1;
   }
}

FDID_PUBLIC int
fdid_image_add_plane(struct fdid_image *img, int fd, uint32_t offset, uint32_t pitch)
{
   if (!img)
      return -EINVAL;
   if (fd < 0)
      return -EBADF;
   if (img->n_planes >= FDID_IMAGE_MAX_PLANES)
      return -E2BIG;
   img->planes[img->n_planes++] = (struct fdid_image_plane){ fd, offset, pitch, 0 };
   return 0;
}

/* The object behind fd, added if new: its index, or a negative errno. One
 * fstat per plane (util/buffer_id.h). */
static int
resolve_object(struct fdid_image *img, int fd)
{
   struct fdid_buffer_id id;
   int is = fdid_buffer_id_of(fd, &id);
   if (is < 0)
      return is;
   if (!is)
      return -EBADFD;
   for (unsigned i = 0; i < img->n_objects; i++) {
      if (img->objects[i].dev == id.dev && img->objects[i].ino == id.ino)
         return (int)i;
   }
   img->objects[img->n_objects] = (struct fdid_image_object){ fd, id.dev, id.ino, id.size };
   return (int)img->n_objects++;
}

/* ceil(v / d) without 32-bit wrap: a width near UINT32_MAX must not
 * round up to 0. */
static uint64_t
div_round_up(uint64_t v, unsigned d)
{
   return (v + d - 1) / d;
}

FDID_PUBLIC uint32_t
fdid_subsampled_size(uint32_t size, unsigned sub)
{
   return sub ? (uint32_t)div_round_up(size, sub) : size;
}

static int
check_plane(const struct fdid_image *img, unsigned p)
{
   const struct fdid_image_plane *pl = &img->planes[p];
   uint64_t size = img->objects[pl->object].size;
   if (pl->offset >= size)
      return -EINVAL;
   unsigned cpp, hsub, vsub;
   bool plain = img->modifier == FDID_MODIFIER_LINEAR || img->modifier == FDID_MODIFIER_NONE;
   if (!plain || !fdid_fourcc_plane_info(img->fourcc, p, &cpp, &hsub, &vsub))
      return 0;
   /* In 64 bits: each term is below 2^35 and the product below 2^64. */
   uint64_t row = (uint64_t)fdid_subsampled_size(img->width, hsub) * cpp;
   uint64_t rows = fdid_subsampled_size(img->height, vsub);
   if (pl->pitch < row)
      return -EINVAL;
   /* The last row need not be padded to the pitch. */
   if ((uint64_t)pl->offset + (uint64_t)pl->pitch * (rows - 1) + row > size)
      return -EINVAL;
   return 0;
}

static int
resolve_and_check(struct fdid_image *img)
{
   if (!img->width || !img->height || !img->fourcc || !img->n_planes)
      return -EINVAL;
   if (img->n_planes > FDID_IMAGE_MAX_PLANES)
      return -E2BIG;
   unsigned want = fdid_fourcc_planes(img->fourcc);
   if (want && img->n_planes != want)
      return -EINVAL;

   for (unsigned p = 0; p < img->n_planes; p++) {
      int o = resolve_object(img, img->planes[p].fd);
      if (o < 0)
         return o;
      img->planes[p].object = (unsigned)o;
   }
   for (unsigned p = 0; p < img->n_planes; p++) {
      int r = check_plane(img, p);
      if (r < 0)
         return r;
   }
   return 0;
}

FDID_PUBLIC int
fdid_image_resolve(struct fdid_image *img)
{
   if (!img)
      return -EINVAL;
   img->n_objects = 0;
   int r = resolve_and_check(img);
   /* A failed resolve leaves no objects: fdid_image_is_resolved() says no,
    * so no cache or writer can take it for a resolved image. */
   if (r < 0)
      img->n_objects = 0;
   return r;
}

FDID_PUBLIC bool
fdid_image_is_resolved(const struct fdid_image *img)
{
   if (!img || img->n_planes == 0 || img->n_planes > FDID_IMAGE_MAX_PLANES ||
       img->n_objects == 0 || img->n_objects > img->n_planes)
      return false;
   for (unsigned p = 0; p < img->n_planes; p++) {
      if (img->planes[p].object >= img->n_objects || img->planes[p].fd < 0)
         return false;
   }
   for (unsigned o = 0; o < img->n_objects; o++) {
      if (img->objects[o].fd < 0)
         return false;
   }
   return true;
}

FDID_PUBLIC bool
fdid_image_equal(const struct fdid_image *a, const struct fdid_image *b)
{
   return fdid_image_is_resolved(a) && fdid_image_is_resolved(b) && fdid_image_key_equal(a, b);
}

/* The key's fields, compared here and hashed just below: keep them one. */
bool
fdid_image_key_equal(const struct fdid_image *a, const struct fdid_image *b)
{
   if (a->fourcc != b->fourcc || a->width != b->width || a->height != b->height ||
       a->modifier != b->modifier || a->n_planes != b->n_planes)
      return false;
   for (unsigned p = 0; p < a->n_planes; p++) {
      const struct fdid_image_plane *pa = &a->planes[p], *pb = &b->planes[p];
      const struct fdid_image_object *oa = &a->objects[pa->object];
      const struct fdid_image_object *ob = &b->objects[pb->object];
      if (pa->offset != pb->offset || pa->pitch != pb->pitch || oa->dev != ob->dev ||
          oa->ino != ob->ino)
         return false;
   }
   return true;
}

uint64_t
fdid_image_key_hash(const struct fdid_image *img)
{
   uint64_t h = fdid_hash_combine(img->fourcc, img->width);
   h = fdid_hash_combine(fdid_hash_combine(h, img->height), img->modifier);
   h = fdid_hash_combine(h, img->n_planes);
   for (unsigned p = 0; p < img->n_planes; p++) {
      const struct fdid_image_plane *pl = &img->planes[p];
      const struct fdid_image_object *o = &img->objects[pl->object];
      h = fdid_hash_combine(fdid_hash_combine(h, (uint64_t)o->dev), (uint64_t)o->ino);
      h = fdid_hash_combine(fdid_hash_combine(h, pl->offset), pl->pitch);
   }
   return h;
}
