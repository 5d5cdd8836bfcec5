/* SPDX-License-Identifier: MIT */
/* Shared by the descriptor translators (descriptor.h). */
#include <errno.h>

#include "descriptor.h"
#include "util/buffer_id.h"

int
fdid_descriptor_check_object(const struct fdid_image *img, int fd, uint64_t declared)
{
   uint64_t size = 0;
   bool named = false;
   for (unsigned p = 0; p < img->n_planes && !named; p++) {
      if (img->planes[p].fd == fd) {
         size = img->objects[img->planes[p].object].size;
         named = true;
      }
   }
   if (!named) {
      struct fdid_buffer_id id;
      int r = fdid_buffer_id_of(fd, &id);
      if (r <= 0)
         return r < 0 ? r : -EBADFD;
      size = id.size;
   }
   return declared > size ? -EINVAL : 0;
}

int
fdid_descriptor_resolve(struct fdid_image *img, const int *fds, const uint64_t *sizes, unsigned n)
{
   int r = fdid_image_resolve(img);
   for (unsigned o = 0; r == 0 && o < n; o++)
      r = fdid_descriptor_check_object(img, fds[o], sizes[o]);
   if (r < 0)
      img->n_objects = 0; /* not resolved: nothing may use it */
   return r;
}

void
fdid_descriptor_layer_size(uint32_t frame_fourcc, unsigned first_plane, uint32_t *width,
                           uint32_t *height)
{
   unsigned hsub, vsub;
   if (fdid_fourcc_plane_info(frame_fourcc, first_plane, NULL, &hsub, &vsub)) {
      *width = fdid_subsampled_size(*width, hsub);
      *height = fdid_subsampled_size(*height, vsub);
   }
}
