/* SPDX-License-Identifier: MIT */
/*
 * EGL dma-buf attribute lists. Both list types (EGLint, EGLAttrib) go
 * through one parser over int64 values, so the checks are written once.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "fdid/egl_dmabuf.h"
#include "util/macros.h"

enum field { F_FD, F_OFFSET, F_PITCH, F_MOD_LO, F_MOD_HI, F_COUNT };

/* Per plane: the attribute of each field. */
static const EGLint plane_attr[FDID_IMAGE_MAX_PLANES][F_COUNT] = {
   { EGL_DMA_BUF_PLANE0_FD_EXT, EGL_DMA_BUF_PLANE0_OFFSET_EXT, EGL_DMA_BUF_PLANE0_PITCH_EXT,
     EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT },
   { EGL_DMA_BUF_PLANE1_FD_EXT, EGL_DMA_BUF_PLANE1_OFFSET_EXT, EGL_DMA_BUF_PLANE1_PITCH_EXT,
     EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT },
   { EGL_DMA_BUF_PLANE2_FD_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT, EGL_DMA_BUF_PLANE2_PITCH_EXT,
     EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT },
   { EGL_DMA_BUF_PLANE3_FD_EXT, EGL_DMA_BUF_PLANE3_OFFSET_EXT, EGL_DMA_BUF_PLANE3_PITCH_EXT,
     EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT },
};

/* The hints, in struct fdid_egl_hints order. */
static const EGLint hint_attr[] = {
   EGL_YUV_COLOR_SPACE_HINT_EXT, EGL_SAMPLE_RANGE_HINT_EXT,
   EGL_YUV_CHROMA_HORIZONTAL_SITING_HINT_EXT, EGL_YUV_CHROMA_VERTICAL_SITING_HINT_EXT,
   EGL_IMAGE_PRESERVED_KHR, EGL_PROTECTED_CONTENT_EXT,
};
#define N_HINTS (sizeof(hint_attr) / sizeof(hint_attr[0]))

static EGLint *
hint_field(struct fdid_egl_hints *h, unsigned i)
{
   EGLint *fields[N_HINTS] = { &h->color_space, &h->sample_range, &h->h_siting,
                               &h->v_siting, &h->preserved, &h->protected_content };
   return fields[i];
}

struct parsed {
   bool has_w, has_h, has_fourcc;
   int64_t w, h, fourcc;
   unsigned seen[FDID_IMAGE_MAX_PLANES]; /* bits of enum field */
   int64_t plane[FDID_IMAGE_MAX_PLANES][F_COUNT];
   struct fdid_egl_hints hints;
};

/* One attribute: 0, or -EINVAL (unknown, repeated, out of range). */
static int
take(struct parsed *p, int64_t attr, int64_t value)
{
   bool *has = NULL;
   int64_t *dst = NULL;
   switch (attr) {
   case EGL_WIDTH: has = &p->has_w, dst = &p->w; break;
   case EGL_HEIGHT: has = &p->has_h, dst = &p->h; break;
   case EGL_LINUX_DRM_FOURCC_EXT: has = &p->has_fourcc, dst = &p->fourcc; break;
   default: break;
   }
   if (has) {
      /* A fourcc is a 32-bit pattern: DRM_FORMAT_BIG_ENDIAN (bit 31) makes
       * it a negative EGLint, which must still read back as itself. Sizes
       * are positive EGLints, so that every image read can be written
       * again. */
      bool fourcc = dst == &p->fourcc;
      if (*has || value == 0 || value > (fourcc ? UINT32_MAX : INT32_MAX) ||
          value < (fourcc ? INT32_MIN : 1))
         return -EINVAL;
      *has = true;
      *dst = fourcc ? (int64_t)(uint32_t)value : value;
      return 0;
   }
   for (unsigned pl = 0; pl < FDID_IMAGE_MAX_PLANES; pl++) {
      for (unsigned f = 0; f < F_COUNT; f++) {
         if (plane_attr[pl][f] != attr)
            continue;
         if (p->seen[pl] & (1u << f))
            return -EINVAL;
         /* Modifier halves are 32-bit patterns; the rest are non-negative
          * EGLints. */
         bool half = f == F_MOD_LO || f == F_MOD_HI;
         if (half ? (value < INT32_MIN || value > UINT32_MAX) : (value < 0 || value > INT32_MAX))
            return -EINVAL;
         p->seen[pl] |= 1u << f;
         p->plane[pl][f] = half ? (int64_t)(uint32_t)value : value;
         return 0;
      }
   }
   for (unsigned i = 0; i < N_HINTS; i++) {
      if (hint_attr[i] != attr)
         continue;
      if (p->hints.present & (1u << i) || value < INT32_MIN || value > INT32_MAX)
         return -EINVAL;
      p->hints.present |= 1u << i;
      *hint_field(&p->hints, i) = (EGLint)value;
      return 0;
   }
   return -EINVAL;
}

static int
build(struct parsed *p, struct fdid_image *out, struct fdid_egl_hints *hints)
{
   if (!p->has_w || !p->has_h || !p->has_fourcc)
      return -EINVAL;
   fdid_image_init(out, (uint32_t)p->fourcc, (uint32_t)p->w, (uint32_t)p->h);
   const unsigned layout = (1u << F_FD) | (1u << F_OFFSET) | (1u << F_PITCH);
   const unsigned modifier = (1u << F_MOD_LO) | (1u << F_MOD_HI);
   bool ended = false;
   for (unsigned pl = 0; pl < FDID_IMAGE_MAX_PLANES; pl++) {
      unsigned s = p->seen[pl];
      if (!s) {
         ended = true;
         continue;
      }
      /* No holes, no half planes, no half modifiers. */
      if (ended || (s & layout) != layout || ((s & modifier) && (s & modifier) != modifier))
         return -EINVAL;
      uint64_t mod = (s & modifier) ? (uint64_t)p->plane[pl][F_MOD_HI] << 32 |
                                         (uint64_t)p->plane[pl][F_MOD_LO]
                                    : FDID_MODIFIER_NONE;
      /* The extension: every plane has the same modifier, or none has. */
      if (pl == 0)
         out->modifier = mod;
      else if (mod != out->modifier)
         return -EINVAL;
      int r = fdid_image_add_plane(out, (int)p->plane[pl][F_FD], (uint32_t)p->plane[pl][F_OFFSET],
                                   (uint32_t)p->plane[pl][F_PITCH]);
      if (r < 0)
         return r;
   }
   int r = fdid_image_resolve(out);
   if (r == 0 && hints)
      *hints = p->hints;
   return r;
}

/* The i-th element of an EGLint (wide false) or EGLAttrib list. */
static int64_t
list_at(const void *list, bool wide, unsigned i)
{
   return wide ? (int64_t)((const EGLAttrib *)list)[i] : ((const EGLint *)list)[i];
}

static int
parse_list(const void *list, bool wide, struct fdid_image *out, struct fdid_egl_hints *hints)
{
   if (!list || !out)
      return -EINVAL;
   struct parsed p = { 0 };
   /* No length bound is needed: there are 29 distinct attributes, so a
    * list missing its EGL_NONE ends at its 30th pair at the latest, on a
    * repeated or unknown attribute. */
   for (unsigned i = 0;; i += 2) {
      int64_t attr = list_at(list, wide, i);
      if (attr == EGL_NONE)
         break;
      /* An EGLAttrib name past 32 bits names no attribute. */
      if (attr < INT32_MIN || attr > INT32_MAX)
         return -EINVAL;
      int r = take(&p, attr, list_at(list, wide, i + 1));
      if (r < 0)
         return r;
   }
   return build(&p, out, hints);
}

FDID_PUBLIC int
fdid_image_from_egl_attribs(const EGLint *attribs, struct fdid_image *out,
                            struct fdid_egl_hints *hints)
{
   return parse_list(attribs, false, out, hints);
}

FDID_PUBLIC int
fdid_image_from_egl_attrib_list(const EGLAttrib *attribs, struct fdid_image *out,
                                struct fdid_egl_hints *hints)
{
   return parse_list(attribs, true, out, hints);
}

FDID_PUBLIC int
fdid_image_to_egl_attribs(const struct fdid_image *img, const struct fdid_egl_hints *hints,
                          EGLint *out, size_t cap)
{
   if (!out || !fdid_image_is_resolved(img))
      return -EINVAL;
   /* What the parser would refuse is not written: a list from here always
    * reads back (images from VA or Vulkan carry 32-bit unsigned fields). */
   if (img->width > INT32_MAX || img->height > INT32_MAX)
      return -EINVAL;
   for (unsigned pl = 0; pl < img->n_planes; pl++) {
      if (img->planes[pl].offset > INT32_MAX || img->planes[pl].pitch > INT32_MAX)
         return -EINVAL;
   }
   EGLint list[FDID_EGL_ATTRIBS_MAX];
   size_t n = 0;
#define PUT(a, v) (list[n++] = (EGLint)(a), list[n++] = (EGLint)(v))
   PUT(EGL_WIDTH, img->width);
   PUT(EGL_HEIGHT, img->height);
   PUT(EGL_LINUX_DRM_FOURCC_EXT, img->fourcc);
   for (unsigned pl = 0; pl < img->n_planes; pl++) {
      PUT(plane_attr[pl][F_FD], img->planes[pl].fd);
      PUT(plane_attr[pl][F_OFFSET], img->planes[pl].offset);
      PUT(plane_attr[pl][F_PITCH], img->planes[pl].pitch);
      if (img->modifier != FDID_MODIFIER_NONE) {
         PUT(plane_attr[pl][F_MOD_LO], (uint32_t)img->modifier);
         PUT(plane_attr[pl][F_MOD_HI], (uint32_t)(img->modifier >> 32));
      }
   }
   if (hints) {
      struct fdid_egl_hints h = *hints;
      for (unsigned i = 0; i < N_HINTS; i++) {
         if (h.present & (1u << i))
            PUT(hint_attr[i], *hint_field(&h, i));
      }
   }
#undef PUT
   list[n++] = EGL_NONE;
   if (n > cap)
      return -ENOSPC;
   memcpy(out, list, n * sizeof(*out));
   return (int)n;
}
