/* SPDX-License-Identifier: MIT */
/* A resolved image's objects in a device's buffer table (image_bos.h). */
#include <errno.h>
#include <string.h>

#include "drm/winsys_private.h"
#include "fdid/image_bos.h"
#include "util/buffer_id.h"
#include "util/macros.h"

FDID_PUBLIC int
fdid_image_import_bos(const struct fdid_image *img, struct fdid_device *dev,
                      struct fdid_image_bos *out)
{
   if (!out)
      return -EINVAL;
   memset(out, 0, sizeof(*out));
   if (!dev || !fdid_image_is_resolved(img))
      return -EINVAL;
   for (unsigned o = 0; o < img->n_objects; o++) {
      /* The buffer the image resolved, not whatever its fd number holds
       * now (dup2 over it since): a cache keyed by the image would show
       * another buffer under its key for ever. */
      const struct fdid_image_object *obj = &img->objects[o];
      struct fdid_buffer_id id = { obj->dev, obj->ino, obj->size };
      int r = fdid_bo_import_expecting(dev, obj->fd, &id, &out->bos[o]);
      if (r < 0) {
         out->bos[o] = NULL;
         fdid_image_bos_finish(out);
         return r;
      }
      out->n_bos = o + 1;
   }
   return 0;
}

FDID_PUBLIC uint32_t
fdid_image_bos_plane_handle(const struct fdid_image_bos *bos, const struct fdid_image *img,
                            unsigned p)
{
   if (!bos || !img || p >= img->n_planes || img->planes[p].object >= bos->n_bos)
      return 0;
   return fdid_bo_handle(bos->bos[img->planes[p].object]);
}

FDID_PUBLIC void
fdid_image_bos_finish(struct fdid_image_bos *bos)
{
   if (!bos)
      return;
   for (unsigned o = 0; o < bos->n_bos; o++)
      fdid_bo_unref(bos->bos[o]);
   memset(bos, 0, sizeof(*bos));
}
