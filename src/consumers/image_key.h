/* SPDX-License-Identifier: MIT */
/*
 * An image as a cache key (import_cache.c): what makes two images the same
 * buffer layout, whatever fds name their objects. The hash and the
 * equality sit side by side in image.c, over the same fields, so that they
 * cannot drift apart; fdid_image_equal() is this equality on two resolved
 * images.
 */
#ifndef FDID_CONSUMERS_IMAGE_KEY_H
#define FDID_CONSUMERS_IMAGE_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include <fdid/image.h>

/* Format, size, modifier, and per plane its object's identity (dev, ino),
 * offset and pitch. Both must have valid object indexes (resolved, or a
 * cache's copy of a resolved image, which may hold no fds). */
bool fdid_image_key_equal(const struct fdid_image *a, const struct fdid_image *b);
uint64_t fdid_image_key_hash(const struct fdid_image *img);

#endif
