/* SPDX-License-Identifier: MIT */
/*
 * EGL_EXT_image_dma_buf_import (and _modifiers) attribute lists to and from
 * fdid images. Needs the EGL headers only; no EGL call is made here.
 */
#ifndef FDID_EGL_DMABUF_H
#define FDID_EGL_DMABUF_H

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <stddef.h>

#include <fdid/image.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The attributes of an import that are not the image's layout, kept so a
 * list written back says what the one read said. 0 in `present` bits:
 * absent. */
struct fdid_egl_hints {
   unsigned present;          /* 1 << index of each field below that is set */
   EGLint color_space;        /* EGL_YUV_COLOR_SPACE_HINT_EXT */
   EGLint sample_range;       /* EGL_SAMPLE_RANGE_HINT_EXT */
   EGLint h_siting;           /* EGL_YUV_CHROMA_HORIZONTAL_SITING_HINT_EXT */
   EGLint v_siting;           /* EGL_YUV_CHROMA_VERTICAL_SITING_HINT_EXT */
   EGLint preserved;          /* EGL_IMAGE_PRESERVED_KHR */
   EGLint protected_content;  /* EGL_PROTECTED_CONTENT_EXT */
};

/* Always enough room for fdid_image_to_egl_attribs(). */
#define FDID_EGL_ATTRIBS_MAX 64

/*
 * Parses an attribute list for eglCreateImageKHR(..., EGL_LINUX_DMA_BUF_EXT,
 * NULL, attribs) into a resolved image (fdid_image_resolve()). hints may be
 * NULL.
 *
 * Errors:
 *   -EINVAL   attribs or out NULL; an attribute unknown to the two
 *             extensions, or given twice; EGL_WIDTH, EGL_HEIGHT or
 *             EGL_LINUX_DRM_FOURCC_EXT missing, or a value out of range (a
 *             size, offset or pitch not a positive EGLint; a fourcc 0; a
 *             fourcc is read as a 32-bit pattern, so DRM_FORMAT_BIG_ENDIAN
 *             formats, negative as EGLints, are fine); a plane given without every
 *             plane before it, or without all three of its fd, offset and
 *             pitch; a modifier half without the other; planes with
 *             different modifiers; and fdid_image_resolve()'s -EINVAL.
 *             (A list missing its EGL_NONE is read up to its first repeated
 *             or unknown attribute: at most 30 pairs, as there are 29.)
 *   -EBADF, -EBADFD   from fdid_image_resolve(): a plane fd not open, or
 *             not a dma-buf.
 */
int fdid_image_from_egl_attribs(const EGLint *attribs, struct fdid_image *out,
                                struct fdid_egl_hints *hints);

/* The same for EGL 1.5's eglCreateImage() list (EGLAttrib, pointer-wide);
 * a value that does not fit an EGLint is -EINVAL. */
int fdid_image_from_egl_attrib_list(const EGLAttrib *attribs, struct fdid_image *out,
                                    struct fdid_egl_hints *hints);

/*
 * Writes img (with hints, may be NULL) as an EGLint attribute list, closed
 * by EGL_NONE: the number of EGLints written, EGL_NONE included, or -ENOSPC
 * when cap is too small (FDID_EGL_ATTRIBS_MAX always suffices), -EINVAL
 * when an argument is NULL, the image has no plane, or a width, height,
 * offset or pitch is over INT32_MAX (no EGLint holds it; nothing is
 * written then). Plane fds are the image's; modifiers are written when the
 * image has one.
 */
int fdid_image_to_egl_attribs(const struct fdid_image *img, const struct fdid_egl_hints *hints,
                              EGLint *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* FDID_EGL_DMABUF_H */
