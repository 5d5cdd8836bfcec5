/* SPDX-License-Identifier: MIT */
/*
 * Real VA-API export and re-import, for GPU machines (piglit): an NV12
 * surface written through vaDeriveImage, exported (PRIME_2, composed
 * layers) twice, so the fds differ but the buffer is one; both exports go
 * through fdid's VA translator into one import cache, which creates one VA
 * surface on the exported buffer (vaCreateSurfaces with the descriptor);
 * that surface reads back what was written into the first.
 *
 * It skips where no VA driver runs: on vgem (this project's CI guest)
 * there is none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>

#include <fdid/import_cache.h>
#include <fdid/va_prime.h>

#include "fdid_test.h"

enum { W = 64, H = 64 };

struct va {
   int fd;
   VADisplay dpy;
   int imports;
};

static void
va_init(struct va *v)
{
   v->imports = 0;
   v->fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
   if (v->fd < 0)
      SKIP("no /dev/dri/renderD128");
   v->dpy = vaGetDisplayDRM(v->fd);
   int major, minor;
   if (!v->dpy || vaInitialize(v->dpy, &major, &minor) != VA_STATUS_SUCCESS) {
      if (v->dpy)
         vaTerminate(v->dpy);
      close(v->fd);
      SKIP("no VA-API driver for this device (none runs on vgem)");
   }
}

static void
va_fini(struct va *v)
{
   vaTerminate(v->dpy);
   close(v->fd);
}

static uint8_t
luma(int x, int y)
{
   return (uint8_t)(x * 3 + y * 5);
}

/* Writes (or, with check, compares) the luma plane through a derived
 * image: the driver's own view of the surface. */
static bool
luma_access(struct va *v, VASurfaceID s, bool check)
{
   VAImage img;
   if (vaDeriveImage(v->dpy, s, &img) != VA_STATUS_SUCCESS)
      SKIP("the driver cannot derive an image of an NV12 surface");
   uint8_t *p;
   CHECK_EQ(vaMapBuffer(v->dpy, img.buf, (void **)&p), VA_STATUS_SUCCESS);
   bool same = true;
   for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
         uint8_t *px = &p[img.offsets[0] + (size_t)y * img.pitches[0] + x];
         if (check)
            same &= *px == luma(x, y);
         else
            *px = luma(x, y);
      }
   }
   vaUnmapBuffer(v->dpy, img.buf);
   vaDestroyImage(v->dpy, img.image_id);
   return same;
}

/* The cache's import: a VA surface on the image's dma-bufs. */
static int
va_import(void *context, const struct fdid_image *img, void **out)
{
   struct va *v = context;
   VADRMPRIMESurfaceDescriptor desc;
   int r = fdid_image_to_va_prime(img, 0, &desc);
   if (r < 0)
      return r;
   VASurfaceAttrib attribs[2] = {
      { .type = VASurfaceAttribMemoryType, .flags = VA_SURFACE_ATTRIB_SETTABLE,
        .value = { .type = VAGenericValueTypeInteger,
                   .value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2 } },
      { .type = VASurfaceAttribExternalBufferDescriptor, .flags = VA_SURFACE_ATTRIB_SETTABLE,
        .value = { .type = VAGenericValueTypePointer, .value.p = &desc } },
   };
   VASurfaceID *s = malloc(sizeof(*s));
   if (!s)
      return -ENOMEM;
   if (vaCreateSurfaces(v->dpy, VA_RT_FORMAT_YUV420, img->width, img->height, s, 1, attribs,
                        2) != VA_STATUS_SUCCESS) {
      free(s);
      return -EIO;
   }
   v->imports++;
   *out = s;
   return 0;
}

static void
va_destroy(void *context, void *object)
{
   struct va *v = context;
   VASurfaceID *s = object;
   vaDestroySurfaces(v->dpy, s, 1);
   free(s);
}

static void
export_surface(struct va *v, VASurfaceID s, VADRMPRIMESurfaceDescriptor *d)
{
   CHECK_EQ(vaExportSurfaceHandle(v->dpy, s, VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2,
                                  VA_EXPORT_SURFACE_READ_WRITE |
                                     VA_EXPORT_SURFACE_COMPOSED_LAYERS,
                                  d),
            VA_STATUS_SUCCESS);
}

FDID_TEST(va_export_reimported_once_with_its_content)
{
   struct va v;
   va_init(&v);
   VASurfaceID src;
   CHECK_EQ(vaCreateSurfaces(v.dpy, VA_RT_FORMAT_YUV420, W, H, &src, 1, NULL, 0),
            VA_STATUS_SUCCESS);
   luma_access(&v, src, false);
   CHECK_EQ(vaSyncSurface(v.dpy, src), VA_STATUS_SUCCESS);

   VADRMPRIMESurfaceDescriptor d1, d2;
   export_surface(&v, src, &d1);
   export_surface(&v, src, &d2);
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&v, va_import, va_destroy, &cache), 0);
   VASurfaceID *s1 = NULL, *s2 = NULL;
   struct fdid_image i1, i2;
   CHECK_EQ(fdid_image_from_va_prime(&d1, &i1), 0);
   CHECK_EQ(fdid_image_from_va_prime(&d2, &i2), 0);
   /* Two exports, new fds each time, one buffer. */
   CHECK(fdid_image_equal(&i1, &i2));
   int r = fdid_import_cache_acquire(cache, &i1, (void **)&s1, NULL);
   if (r == -EIO)
      SKIP("the driver does not import its own PRIME_2 export");
   CHECK_EQ(r, 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &i2, (void **)&s2, NULL), 0);
   CHECK(s1 == s2);
   CHECK_EQ(v.imports, 1);
   CHECK(luma_access(&v, *s1, true));

   fdid_import_cache_destroy(cache);
   for (uint32_t i = 0; i < d1.num_objects; i++)
      close(d1.objects[i].fd);
   for (uint32_t i = 0; i < d2.num_objects; i++)
      close(d2.objects[i].fd);
   vaDestroySurfaces(v.dpy, &src, 1);
   va_fini(&v);
}

FDID_TEST_MAIN()
