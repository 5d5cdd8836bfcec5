/* SPDX-License-Identifier: MIT */
/*
 * VA-API PRIME surface descriptors (vaExportSurfaceHandle() with
 * VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2, and the same structure given to
 * vaCreateSurfaces() to import) to and from fdid images. Needs the libva
 * headers only; no VA call is made here.
 *
 * A descriptor lists objects (dma-buf fds, each with a size and modifier)
 * and layers (a DRM format and up to 4 planes, each on an object). Drivers
 * export either the composed form (VA_EXPORT_SURFACE_COMPOSED_LAYERS: one
 * layer with every plane) or the separate form (one layer per plane, e.g.
 * NV12 as an R8 layer and a GR88 layer).
 */
#ifndef FDID_VA_PRIME_H
#define FDID_VA_PRIME_H

#include <va/va.h>
#include <va/va_drmcommon.h>

#include <fdid/image.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The whole surface as one resolved image. One layer: its DRM format and
 * planes. Several layers (separate form): every layer's planes in order,
 * the format from desc->fourcc (fdid_va_fourcc_to_drm()). The modifier is
 * the objects' (they must agree).
 *
 * Errors:
 *   -EINVAL   desc or out NULL; width or height 0; a layer with no plane;
 *             a plane on an object index past num_objects; planes on
 *             objects with different modifiers; an object (any object of
 *             the descriptor, named by a plane read here or not) whose
 *             declared size (when not 0) exceeds its dma-buf's size; a layer's
 *             format 0; and fdid_image_resolve()'s -EINVAL (plane count
 *             for the format, offsets and pitches against the sizes).
 *   -E2BIG    num_objects or num_layers 0 or over 4, a layer with over 4
 *             planes, or over 4 planes in all.
 *   -ENOTSUP  several layers and a VA fourcc fdid cannot map.
 *   -EBADF, -EBADFD  an object fd not open, or not a dma-buf (every
 *             object is checked, also one no plane read here names).
 * Object indices are checked in every layer, also in layers not read.
 */
int fdid_image_from_va_prime(const VADRMPRIMESurfaceDescriptor *desc, struct fdid_image *out);

/* One layer as its own resolved image (what an EGL import of the separate
 * form makes of each layer). Errors as above; -EINVAL for a layer index
 * past num_layers. */
int fdid_image_from_va_prime_layer(const VADRMPRIMESurfaceDescriptor *desc, unsigned layer,
                                   struct fdid_image *out);

/*
 * A resolved image as a composed-form descriptor: its objects (the image's
 * fds, sizes and modifier) and one layer with every plane. va_fourcc 0 takes
 * fdid_drm_fourcc_to_va(img->fourcc). An image without a modifier is
 * written with DRM_FORMAT_MOD_INVALID, which VA drivers read as "implicit".
 *
 * Errors: -EINVAL (an argument NULL, an unresolved image: plane or object
 * counts out of range or a plane on an object past n_objects; an object
 * larger than VA's 32-bit size field), -ENOTSUP (va_fourcc 0 and no
 * mapping). The descriptor's fds are the image's (the caller's): VA does
 * not take them, and nothing is dup'ed.
 */
int fdid_image_to_va_prime(const struct fdid_image *img, uint32_t va_fourcc,
                           VADRMPRIMESurfaceDescriptor *out);

/* VA_FOURCC_* <-> DRM_FORMAT_*, for the formats both sides name; 0 when
 * unknown. */
uint32_t fdid_va_fourcc_to_drm(uint32_t va_fourcc);
uint32_t fdid_drm_fourcc_to_va(uint32_t drm_fourcc);

#ifdef __cplusplus
}
#endif

#endif /* FDID_VA_PRIME_H */
