/* SPDX-License-Identifier: MIT */
/*
 * fdid image: one description of a multi-planar dma-buf image that the EGL,
 * VA-API and Vulkan translators (egl_dmabuf.h, va_prime.h, vk_dmabuf.h)
 * read from and write to, and that the import caches (import_cache.h) key
 * on.
 *
 * Planes name dma-bufs by fd; planes may repeat an fd or carry dups or
 * separate exports of one dma-buf. fdid_image_resolve() resolves them into
 * the distinct objects behind the planes, by identity: a dma-buf's
 * (st_dev, st_ino) belongs to it alone while any fd of it is open (every
 * fd and every export of one GEM object share one dma-buf file), so fstat
 * tells objects apart with one system call per plane, no kcmp needed.
 *
 * The image never owns, dups or closes the caller's fds.
 */
#ifndef FDID_IMAGE_H
#define FDID_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FDID_IMAGE_MAX_PLANES 4

/* DRM_FORMAT_MOD_INVALID: no modifier given (the driver's implicit
 * layout). */
#define FDID_MODIFIER_NONE 0x00ffffffffffffffull
#define FDID_MODIFIER_LINEAR 0ull

struct fdid_image_plane {
   int fd;            /* the caller's fd of this plane's dma-buf */
   uint32_t offset;   /* bytes from the start of the dma-buf */
   uint32_t pitch;    /* bytes per row */
   unsigned object;   /* index into objects[] (set by resolve) */
};

struct fdid_image_object {
   int fd;            /* the first plane fd that names it (the caller's) */
   dev_t dev;         /* the dma-buf's identity */
   ino_t ino;
   uint64_t size;     /* bytes (the inode's size) */
};

struct fdid_image {
   uint32_t fourcc;   /* DRM_FORMAT_* */
   uint32_t width, height;
   uint64_t modifier; /* FDID_MODIFIER_NONE when none was given */
   unsigned n_planes;
   struct fdid_image_plane planes[FDID_IMAGE_MAX_PLANES];
   /* Filled by fdid_image_resolve(). */
   unsigned n_objects;
   struct fdid_image_object objects[FDID_IMAGE_MAX_PLANES];
};

/* An empty image: no planes, no modifier. NULL: nothing happens. */
void fdid_image_init(struct fdid_image *img, uint32_t fourcc, uint32_t width,
                     uint32_t height);

/*
 * Appends a plane. Errors: -E2BIG (already FDID_IMAGE_MAX_PLANES planes),
 * -EBADF (fd negative), -EINVAL (img NULL).
 */
int fdid_image_add_plane(struct fdid_image *img, int fd, uint32_t offset, uint32_t pitch);

/*
 * Validates the image and finds its objects: one fstat() per plane (the
 * first dma-buf a process sees costs one fstatfs() more, to learn the
 * dma-buf file system's st_dev; a kernel without it, one lseek() per
 * object for the size).
 *
 * Errors (after which n_objects is 0: the image is not resolved):
 *   -EINVAL   img is NULL; width, height or fourcc is 0; no plane; the plane count is
 *             wrong for a known fourcc (fdid_fourcc_planes()); a plane's
 *             offset is past its object's end; for a linear or implicit
 *             layout (modifier LINEAR or NONE) of a known fourcc, a pitch
 *             shorter than a row or a plane running past its object's end.
 *   -EBADF    a plane's fd is not open.
 *   -EBADFD   a plane's fd is open but is not a dma-buf.
 *   -E2BIG    more planes than FDID_IMAGE_MAX_PLANES.
 * Layouts under other modifiers are tiled in ways only the driver knows:
 * for them only the offsets are checked.
 */
int fdid_image_resolve(struct fdid_image *img);

/*
 * Is img in the shape a successful fdid_image_resolve() leaves: 1 to
 * FDID_IMAGE_MAX_PLANES planes, 1 to n_planes objects, every plane's
 * object index below n_objects, no negative fd? Every reader of an image
 * (the import caches, the writers of each API's form) checks this first
 * and refuses it otherwise (EINVAL): a never-resolved, failed or hand-edited
 * image never indexes past its arrays. A failed resolve leaves n_objects 0.
 * false for NULL.
 */
bool fdid_image_is_resolved(const struct fdid_image *img);

/*
 * The same image: same format, size and modifier, the same planes on the
 * same objects (by identity, whatever fds name them) at the same offsets
 * and pitches. false unless both are resolved (fdid_image_is_resolved()).
 */
bool fdid_image_equal(const struct fdid_image *a, const struct fdid_image *b);

/*
 * What fdid knows of a DRM fourcc: its plane count and, per plane, bytes
 * per pixel and the horizontal and vertical subsampling. 0 for an unknown
 * fourcc (then any plane count from 1 to 4 is accepted and sizes are not
 * checked).
 */
unsigned fdid_fourcc_planes(uint32_t fourcc);
/* Any of cpp, hsub and vsub may be NULL. */
bool fdid_fourcc_plane_info(uint32_t fourcc, unsigned plane, unsigned *cpp, unsigned *hsub,
                            unsigned *vsub);

/* ceil(size / sub): a subsampled plane's width or height, without the
 * 32-bit wrap of (size + sub - 1) / sub near UINT32_MAX. sub 0 gives size. */
uint32_t fdid_subsampled_size(uint32_t size, unsigned sub);

/* Is this fd a dma-buf? 1 yes, 0 no (another file), -EBADF. One fstat()
 * once a dma-buf has been seen, one fstatfs() more before. */
int fdid_is_dmabuf(int fd);

#ifdef __cplusplus
}
#endif

#endif /* FDID_IMAGE_H */
