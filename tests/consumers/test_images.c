/* SPDX-License-Identifier: MIT */
#include "fdid_test.h"
#include "fourccs.h"
#include "test_images.h"

struct buf
xr24_image(struct fdid_image *img, uint64_t modifier)
{
   struct buf b = buf_create(W, H, 32);
   fdid_image_init(img, XR24, W, H);
   CHECK_EQ(fdid_image_add_plane(img, b.fd, 0, b.pitch), 0);
   img->modifier = modifier;
   CHECK_EQ(fdid_image_resolve(img), 0);
   return b;
}

void
two_objects_create(struct two_objects *t, uint32_t fourcc, uint64_t modifier)
{
   t->y = buf_create(W, H, 32);
   t->uv = buf_create(W, H / 2, 32);
   fdid_image_init(&t->img, fourcc, W, H);
   CHECK_EQ(fdid_image_add_plane(&t->img, t->y.fd, 0, t->y.pitch), 0);
   CHECK_EQ(fdid_image_add_plane(&t->img, t->uv.fd, 0, t->uv.pitch), 0);
   t->img.modifier = modifier;
   CHECK_EQ(fdid_image_resolve(&t->img), 0);
   CHECK_EQ(t->img.n_objects, 2);
}

void
two_objects_destroy(struct two_objects *t)
{
   buf_destroy(&t->uv);
   buf_destroy(&t->y);
}
