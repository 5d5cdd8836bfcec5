/* SPDX-License-Identifier: MIT */
/* Images over vgem buffers for the consumer tests. */
#ifndef FDID_TEST_IMAGES_H
#define FDID_TEST_IMAGES_H

#include <stdint.h>

#include <fdid/image.h>

#include "drm_util.h"

enum { W = 64, H = 64 };

/* An XR24 W x H image on a fresh buffer, resolved under `modifier`
 * (FDID_MODIFIER_NONE: none given). */
struct buf xr24_image(struct fdid_image *img, uint64_t modifier);

/* A two-plane W x H image (NV12, P010...) on two fresh buffers, luma on
 * y and chroma on uv: two objects, resolved under `modifier`. */
struct two_objects {
   struct buf y, uv;
   struct fdid_image img;
};
void two_objects_create(struct two_objects *t, uint32_t fourcc, uint64_t modifier);
void two_objects_destroy(struct two_objects *t);

#endif
