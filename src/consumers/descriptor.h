/* SPDX-License-Identifier: MIT */
/*
 * What the translators of object-and-layer descriptors (VA-API's PRIME_2,
 * FFmpeg's AVDRMFrameDescriptor) share: both hand a driver every object of
 * the descriptor, and both split a frame into layers.
 */
#ifndef FDID_CONSUMERS_DESCRIPTOR_H
#define FDID_CONSUMERS_DESCRIPTOR_H

#include <stdint.h>

#include <fdid/image.h>

/*
 * After fdid_image_resolve(img): is the descriptor's object `fd` a dma-buf
 * at least as large as it declares (declared 0: not given)? An object that
 * img's planes name was resolved already and costs no system call; one no
 * plane names costs an fstat. 0, -EINVAL (larger than its dma-buf),
 * -EBADF, -EBADFD.
 */
int fdid_descriptor_check_object(const struct fdid_image *img, int fd, uint64_t declared);

/* Resolves img, then checks each of the descriptor's n objects (fds[o],
 * declared sizes[o]) as above: 0, or fdid_image_resolve()'s error or the
 * first object's, after which img is not resolved. */
int fdid_descriptor_resolve(struct fdid_image *img, const int *fds, const uint64_t *sizes,
                            unsigned n);

/* A layer's size, from the frame's: the size of the frame format's plane
 * that is the layer's first (NV12's second layer is half the width and
 * height). An unknown format leaves the frame's size. */
void fdid_descriptor_layer_size(uint32_t frame_fourcc, unsigned first_plane, uint32_t *width,
                                uint32_t *height);

#endif
