/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: every reader of a struct fdid_image given raw bytes as
 * one (a never-resolved, failed or hand-edited image): the shape check,
 * equality, the import cache and the EGL writer. Each must answer -EINVAL
 * or false for an image fdid_image_is_resolved() refuses, and never index
 * past the image's arrays (ASan watches). Object fds come from the shared
 * pool.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fdid/image.h"
#include "fdid/import_cache.h"
#ifdef FDID_FUZZ_EGL
#include "fdid/egl_dmabuf.h"
#endif
#include "fuzz_pool.h"

static int imports;

static int
import(void *context, const struct fdid_image *img, void **object)
{
   imports++;
   *object = (void *)(uintptr_t)1;
   return 0;
}

static void
destroy(void *context, void *object)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   struct fdid_image img;
   memset(&img, 0, sizeof(img));
   memcpy(&img, data, size < sizeof(img) ? size : sizeof(img));
   for (unsigned i = 0; i < FDID_IMAGE_MAX_PLANES; i++) {
      if (img.objects[i].fd >= 0)
         img.objects[i].fd = fuzz_pool_fd((unsigned)img.objects[i].fd);
   }
   bool finished = fdid_image_is_resolved(&img);
   /* The shape check is exactly what the readers rely on. */
   if (finished) {
      if (img.n_planes == 0 || img.n_planes > FDID_IMAGE_MAX_PLANES || img.n_objects == 0 ||
          img.n_objects > img.n_planes)
         abort();
      for (unsigned p = 0; p < img.n_planes; p++) {
         if (img.planes[p].object >= img.n_objects)
            abort();
      }
   }
   if (fdid_image_equal(&img, &img) != finished)
      abort();

   struct fdid_import_cache *cache;
   if (fdid_import_cache_create(NULL, import, destroy, &cache) != 0)
      abort();
   void *object = NULL;
   bool created = true;
   imports = 0;
   int r = fdid_import_cache_acquire(cache, &img, &object, &created);
   if (!finished && (r != -EINVAL || imports))
      abort();
   if (r == 0)
      fdid_import_cache_release(cache, object);
   fdid_import_cache_destroy(cache);

#ifdef FDID_FUZZ_EGL
   EGLint list[FDID_EGL_ATTRIBS_MAX];
   r = fdid_image_to_egl_attribs(&img, NULL, list, FDID_EGL_ATTRIBS_MAX);
   if (!finished && r != -EINVAL)
      abort();
#endif
   return 0;
}
