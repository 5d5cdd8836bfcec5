/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the EGL attribute-list parser on arbitrary lists, as
 * EGLint and as EGLAttrib. Attribute names are drawn mostly from the real
 * ones so the fuzzer reaches the plane and modifier checks, not only the
 * "unknown attribute" exit. Plane fds name a small pool of real files (no
 * dma-buf exists on the host, so every list must fail cleanly there) or
 * numbers that are not open.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fdid/egl_dmabuf.h"
#include "fuzz_pool.h"

static const EGLint names[] = {
   EGL_WIDTH, EGL_HEIGHT, EGL_LINUX_DRM_FOURCC_EXT,
   EGL_DMA_BUF_PLANE0_FD_EXT, EGL_DMA_BUF_PLANE0_OFFSET_EXT, EGL_DMA_BUF_PLANE0_PITCH_EXT,
   EGL_DMA_BUF_PLANE1_FD_EXT, EGL_DMA_BUF_PLANE1_OFFSET_EXT, EGL_DMA_BUF_PLANE1_PITCH_EXT,
   EGL_DMA_BUF_PLANE2_FD_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT, EGL_DMA_BUF_PLANE2_PITCH_EXT,
   EGL_DMA_BUF_PLANE3_FD_EXT, EGL_DMA_BUF_PLANE3_OFFSET_EXT, EGL_DMA_BUF_PLANE3_PITCH_EXT,
   EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT,
   EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT,
   EGL_YUV_COLOR_SPACE_HINT_EXT, EGL_SAMPLE_RANGE_HINT_EXT, EGL_IMAGE_PRESERVED_KHR,
   EGL_NONE,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   enum { MAX = 64 };
   EGLint list[MAX * 2 + 1];
   EGLAttrib wide[MAX * 2 + 1];
   size_t n = 0;
   /* Five bytes a pair: a name (an index into names, or raw when the top
    * bit is set) and a value. */
   for (size_t i = 0; i + 5 <= size && n < MAX * 2; i += 5) {
      EGLint name = data[i] & 0x80 ? (EGLint)(0x3000 | data[i]) : names[data[i] % (sizeof(names) / sizeof(names[0]))];
      int32_t value;
      memcpy(&value, data + i + 1, 4);
      if (name == EGL_DMA_BUF_PLANE0_FD_EXT || name == EGL_DMA_BUF_PLANE1_FD_EXT ||
          name == EGL_DMA_BUF_PLANE2_FD_EXT || name == EGL_DMA_BUF_PLANE3_FD_EXT)
         value = fuzz_pool_fd((unsigned)value);
      list[n] = name;
      wide[n++] = name;
      if (name == EGL_NONE)
         break;
      list[n] = value;
      wide[n++] = value;
   }
   list[n] = EGL_NONE;
   wide[n] = EGL_NONE;

   struct fdid_image img;
   struct fdid_egl_hints hints;
   int r = fdid_image_from_egl_attribs(list, &img, &hints);
   int rw = fdid_image_from_egl_attrib_list(wide, &img, &hints);
   /* The same list as EGLint and EGLAttrib: the same answer. */
   if (r != rw)
      abort();
   /* No dma-buf here: nothing can be accepted. */
   if (r == 0)
      abort();
   return 0;
}
