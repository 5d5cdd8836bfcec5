/* SPDX-License-Identifier: MIT */
/*
 * Images meet the winsys: the objects of a resolved fdid_image imported
 * into a DRM device's table (winsys.h), one fdid_bo per distinct object,
 * GEM handles ready. For driver-side code that hands handles to the kernel
 * (a KMS consumer's AddFB2, a Mesa-style driver): the winsys table owns the
 * handles, so each is closed exactly once whoever else imports the same
 * buffer on that description. Both sides know a buffer by the same
 * identity (the dma-buf's (st_dev, st_ino)).
 *
 * Built with the winsys (libdrm).
 */
#ifndef FDID_IMAGE_BOS_H
#define FDID_IMAGE_BOS_H

#include <stdint.h>

#include <fdid/image.h>
#include <fdid/winsys.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The buffers of one image on one device: bos[o] for the image's
 * objects[o]. Caller-allocated; filled by fdid_image_import_bos(), torn down
 * by fdid_image_bos_finish(). */
struct fdid_image_bos {
   unsigned n_bos;
   struct fdid_bo *bos[FDID_IMAGE_MAX_PLANES];
};

/*
 * Imports each object of img into dev (fdid_bo_import(): a buffer the table
 * holds already costs no PRIME ioctl), each a reference of the caller's.
 * Never takes the image's fds.
 *
 * Errors (nothing is kept and *out is empty):
 *   -EINVAL   an argument NULL, or img not resolved (fdid_image_is_resolved()).
 *   -ESTALE   an object's fd holds another buffer than the one the image
 *             resolved (dup2() over it since): resolve the image again.
 *   and fdid_bo_import()'s: -EBADF, -EBADFD (not a dma-buf), -ENODEV (dev is
 *   gone), -EMFILE, -ENFILE, -ENOMEM, or the kernel's PRIME refusal.
 */
int fdid_image_import_bos(const struct fdid_image *img, struct fdid_device *dev,
                          struct fdid_image_bos *out);

/* Plane p's GEM handle on the device (0 for a plane past the image's). */
uint32_t fdid_image_bos_plane_handle(const struct fdid_image_bos *bos,
                                     const struct fdid_image *img, unsigned p);

/* Unrefs every buffer (the table closes each handle with its last
 * reference) and empties bos. NULL: nothing happens. */
void fdid_image_bos_finish(struct fdid_image_bos *bos);

#ifdef __cplusplus
}
#endif

#endif /* FDID_IMAGE_BOS_H */
