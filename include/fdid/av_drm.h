/* SPDX-License-Identifier: MIT */
/*
 * FFmpeg's DRM PRIME frames (AVDRMFrameDescriptor, libavutil/hwcontext_drm.h:
 * what av_hwframe_map() to AV_PIX_FMT_DRM_PRIME, kmsgrab, V4L2 and Vulkan
 * give a player, in frame->data[0]) to and from fdid images. Needs
 * libavutil's headers only; no FFmpeg call is made and nothing is linked.
 *
 * A descriptor lists objects (dma-buf fds, each with a size and modifier)
 * and layers (a DRM format and up to 4 planes, each on an object), as VA's
 * PRIME_2 descriptor does, but carries neither the frame's size (the
 * AVFrame's width and height) nor, for several layers, the frame's format:
 * NV12 comes as an R8 layer and a GR88 layer. Each frame brings fresh fds
 * of the same few surfaces; an import cache (import_cache.h) keyed by the
 * image finds the surface's object again through any of them.
 */
#ifndef FDID_AV_DRM_H
#define FDID_AV_DRM_H

#include <stdint.h>

#include <libavutil/hwcontext_drm.h>

#include <fdid/image.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The whole frame as one resolved image of width x height (the AVFrame's).
 * fourcc 0 takes the format from the layers: one layer's own, or for
 * several layers the format they compose: R8 + GR88 is NV12, R8 + RG88
 * NV21, R16 + GR1616 P010 (the same layout as P012 and P016: give fourcc
 * for those). Any other fourcc is the caller's (a player knows its
 * sw_format), and the layers' planes are read in order. The modifier is
 * the objects' (they must agree); DRM_FORMAT_MOD_INVALID is
 * FDID_MODIFIER_NONE.
 *
 * Errors:
 *   -EINVAL   desc or out NULL; width or height 0; a layer with no plane
 *             or with format 0; a plane's object_index negative or past
 *             nb_objects (checked in every layer, also layers not read); an
 *             offset or pitch negative or past 2^32 - 1; planes on objects
 *             with different modifiers; an object (any object of the
 *             descriptor) whose declared size (when not 0) exceeds its
 *             dma-buf's; and fdid_image_resolve()'s -EINVAL (plane count
 *             for the format, offsets and pitches against the sizes).
 *   -E2BIG    nb_objects or nb_layers below 1 or over AV_DRM_MAX_PLANES, a
 *             layer with over 4 planes, or over 4 planes in all.
 *   -ENOTSUP  fourcc 0 and several layers that compose no format above
 *             (3 R8 layers may be YUV420, YUV422 or YUV444: give fourcc).
 *   -EBADF, -EBADFD  an object fd not open, or not a dma-buf (every object
 *             is checked, also one no plane read here names).
 */
int fdid_image_from_av_drm(const AVDRMFrameDescriptor *desc, uint32_t fourcc, uint32_t width,
                           uint32_t height, struct fdid_image *out);

/* One layer as its own resolved image, as an EGL import of each layer
 * makes it: NV12's GR88 layer is half the frame's width and height. The
 * layer's size follows from the frame's format (fourcc, or composed from
 * the layers as above; the frame's size when neither is known). Errors as
 * above; -EINVAL for a layer index past nb_layers. */
int fdid_image_from_av_drm_layer(const AVDRMFrameDescriptor *desc, unsigned layer,
                                 uint32_t fourcc, uint32_t width, uint32_t height,
                                 struct fdid_image *out);

/*
 * A resolved image as a descriptor with one layer holding every plane (the
 * form FFmpeg's own DRM-to-X mappings take): its objects (the image's fds,
 * sizes and modifier, FDID_MODIFIER_NONE written as
 * DRM_FORMAT_MOD_INVALID). Errors: -EINVAL (an argument NULL, or an
 * unresolved image: fdid_image_is_resolved()). The descriptor's fds are the
 * image's (the caller's): nothing is dup'ed.
 */
int fdid_image_to_av_drm(const struct fdid_image *img, AVDRMFrameDescriptor *out);

#ifdef __cplusplus
}
#endif

#endif /* FDID_AV_DRM_H */
