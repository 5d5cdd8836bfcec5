/* SPDX-License-Identifier: MIT */
/*
 * Framebuffers from images (kms.h): an import cache (import_cache.h) whose
 * driver objects are framebuffers, each holding its image's buffers from
 * the device's table (image_bos.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "fdid/image_bos.h"
#include "fdid/import_cache.h"
#include "fdid/kms.h"
#include "import_cache_private.h"
#include "util/array.h"
#include "util/linux_abi.h"
#include "util/macros.h"


struct kms_format {
   uint32_t fourcc;
   uint64_t modifier;
};

struct kms_plane {
   uint32_t id;
   struct kms_format *pairs;
   size_t n_pairs;
};

struct fdid_kms_fb {
   uint32_t id;
   struct fdid_kms *kms;   /* its cache, for _ref and _unref */
   struct fdid_image_bos bos;
};

struct fdid_kms {
   struct fdid_device *dev;
   int fd; /* the table's: the caller's description */
   struct fdid_import_cache *cache;
   /* -1 unknown, 0 no (RmFB), 1 yes. */
   atomic_int has_closefb;
   /* DRM_CAP_ADDFB2_MODIFIERS: AddFB2 takes DRM_MODE_FB_MODIFIERS. */
   bool has_modifiers;
   /* What each plane shows, read once (fdid_kms_refresh_planes()), not
    * per new buffer: a miss asks no ioctl of the planes. */
   pthread_mutex_t planes_lock;
   struct kms_plane *planes;
   size_t n_planes;
};

/* The plane's IN_FORMATS blob id, or 0. */
static uint32_t
in_formats_blob(int fd, uint32_t plane_id)
{
   drmModeObjectPropertiesPtr props =
      drmModeObjectGetProperties(fd, plane_id, DRM_MODE_OBJECT_PLANE);
   uint32_t blob = 0;
   for (uint32_t i = 0; props && i < props->count_props && !blob; i++) {
      drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);
      if (p && strcmp(p->name, "IN_FORMATS") == 0)
         blob = (uint32_t)props->prop_values[i];
      drmModeFreeProperty(p);
   }
   drmModeFreeObjectProperties(props);
   return blob;
}

static int
add_pair(struct kms_plane *pl, size_t *cap, uint32_t fourcc, uint64_t modifier)
{
   return fdid_array_push(pl->pairs, pl->n_pairs, *cap, ((struct kms_format){ fourcc, modifier }));
}

/* One plane's (format, modifier) pairs: its IN_FORMATS blob where the
 * kernel gives one, else its format list, linear only. */
static int
read_plane(int fd, uint32_t plane_id, struct kms_plane *pl)
{
   memset(pl, 0, sizeof(*pl));
   pl->id = plane_id;
   drmModePlanePtr plane = drmModeGetPlane(fd, plane_id);
   if (!plane)
      return 0; /* gone since the list: no pairs */
   size_t cap = 0;
   int r = 0;
   uint32_t blob_id = in_formats_blob(fd, plane_id);
   drmModePropertyBlobPtr blob = blob_id ? drmModeGetPropertyBlob(fd, blob_id) : NULL;
   if (blob) {
      drmModeFormatModifierIterator iter = { 0 };
      while (r == 0 && drmModeFormatModifierBlobIterNext(blob, &iter))
         r = add_pair(pl, &cap, iter.fmt, iter.mod);
      drmModeFreePropertyBlob(blob);
   } else {
      for (uint32_t i = 0; r == 0 && i < plane->count_formats; i++)
         r = add_pair(pl, &cap, plane->formats[i], FDID_MODIFIER_LINEAR);
   }
   drmModeFreePlane(plane);
   return r;
}

static void
free_planes(struct kms_plane *planes, size_t n)
{
   for (size_t i = 0; i < n; i++)
      free(planes[i].pairs);
   free(planes);
}

FDID_PUBLIC int
fdid_kms_refresh_planes(struct fdid_kms *kms)
{
   if (!kms)
      return -EINVAL;
   drmModePlaneResPtr res = drmModeGetPlaneResources(kms->fd);
   if (!res)
      return errno ? -errno : -ENOTSUP;
   struct kms_plane *planes = calloc(res->count_planes ? res->count_planes : 1, sizeof(*planes));
   int r = planes ? 0 : -ENOMEM;
   size_t n = 0;
   for (; r == 0 && n < res->count_planes; n++)
      r = read_plane(kms->fd, res->planes[n], &planes[n]);
   drmModeFreePlaneResources(res);
   if (r < 0) {
      free_planes(planes, n);
      return r;
   }
   pthread_mutex_lock(&kms->planes_lock);
   struct kms_plane *old = kms->planes;
   size_t n_old = kms->n_planes;
   kms->planes = planes;
   kms->n_planes = n;
   pthread_mutex_unlock(&kms->planes_lock);
   free_planes(old, n_old);
   return 0;
}

/* Does plane pl show (fourcc, modifier)? No modifier given: the driver's
 * implicit layout, which is linear for every device that lists only
 * linear (and the only one a plane without IN_FORMATS shows). */
static bool
plane_shows(const struct kms_plane *pl, uint32_t fourcc, uint64_t modifier)
{
   uint64_t want = modifier == FDID_MODIFIER_NONE ? FDID_MODIFIER_LINEAR : modifier;
   for (size_t i = 0; i < pl->n_pairs; i++) {
      if (pl->pairs[i].fourcc == fourcc && pl->pairs[i].modifier == want)
         return true;
   }
   return false;
}

/* 1 when the plane can show (fourcc, modifier), 0 not, -ENOENT no plane:
 * from the table read at create (or the last refresh), no ioctl. */
static int
plane_supports(struct fdid_kms *kms, uint32_t plane_id, uint32_t fourcc, uint64_t modifier)
{
   int r = -ENOENT;
   pthread_mutex_lock(&kms->planes_lock);
   for (size_t i = 0; i < kms->n_planes && r == -ENOENT; i++) {
      if (kms->planes[i].id == plane_id)
         r = plane_shows(&kms->planes[i], fourcc, modifier);
   }
   pthread_mutex_unlock(&kms->planes_lock);
   return r;
}

/* Does any plane of the device take (fourcc, modifier)? Asked before
 * AddFB2, whose refusals differ by driver (virtio-gpu says ENOENT). */
static bool
any_plane_supports(struct fdid_kms *kms, uint32_t fourcc, uint64_t modifier)
{
   bool yes = false;
   pthread_mutex_lock(&kms->planes_lock);
   for (size_t i = 0; i < kms->n_planes && !yes; i++)
      yes = plane_shows(&kms->planes[i], fourcc, modifier);
   pthread_mutex_unlock(&kms->planes_lock);
   return yes;
}

static int
add_fb(void *context, const struct fdid_image *img, void **object)
{
   struct fdid_kms *kms = context;
   if (!any_plane_supports(kms, img->fourcc, img->modifier))
      return -ENOTSUP;
   struct fdid_kms_fb *fb = calloc(1, sizeof(*fb));
   if (!fb)
      return -ENOMEM;
   fb->kms = kms;
   int r = fdid_image_import_bos(img, kms->dev, &fb->bos);
   if (r < 0) {
      free(fb);
      return r;
   }
   uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
   uint64_t modifiers[4] = { 0 };
   for (unsigned p = 0; p < img->n_planes; p++) {
      handles[p] = fdid_image_bos_plane_handle(&fb->bos, img, p);
      pitches[p] = img->planes[p].pitch;
      offsets[p] = img->planes[p].offset;
      modifiers[p] = img->modifier;
   }
   /* A device without modifiers refuses the flag, even for LINEAR, which
    * is what it shows without one (as wlroots does it). */
   bool explicit_modifier = img->modifier != FDID_MODIFIER_NONE &&
                            (kms->has_modifiers || img->modifier != FDID_MODIFIER_LINEAR);
   if (drmModeAddFB2WithModifiers(kms->fd, img->width, img->height, img->fourcc, handles,
                                  pitches, offsets, explicit_modifier ? modifiers : NULL,
                                  &fb->id, explicit_modifier ? DRM_MODE_FB_MODIFIERS : 0)) {
      r = -errno;
      fdid_image_bos_finish(&fb->bos);
      free(fb);
      /* The kernel's word for "not this format" or "no modifiers here". */
      return r == -EOPNOTSUPP ? -ENOTSUP : r;
   }
   *object = fb;
   return 0;
}

/* CLOSEFB where the kernel has it (asked once: it answers ENOENT for fb 0,
 * an older kernel EINVAL for the unknown ioctl), else RmFB. */
static void
close_fb(struct fdid_kms *kms, uint32_t id)
{
   int has = atomic_load(&kms->has_closefb);
   if (has < 0) {
      struct fdid_abi_closefb probe = { 0, 0 };
      has = drmIoctl(kms->fd, DRM_IOCTL_MODE_CLOSEFB, &probe) != 0 && errno == ENOENT;
      atomic_store(&kms->has_closefb, has);
   }
   struct fdid_abi_closefb c = { id, 0 };
   if (!has || drmIoctl(kms->fd, DRM_IOCTL_MODE_CLOSEFB, &c) != 0)
      drmModeRmFB(kms->fd, id);
}

static void
remove_fb(void *context, void *object)
{
   struct fdid_kms *kms = context;
   struct fdid_kms_fb *fb = object;
   close_fb(kms, fb->id);
   fdid_image_bos_finish(&fb->bos);
   free(fb);
}

FDID_PUBLIC int
fdid_kms_create(struct fdid_device *dev, unsigned flags, struct fdid_kms **out)
{
   if (!dev || !out)
      return -EINVAL;
   *out = NULL;
   if (flags & FDID_KMS_SHARED)
      return -EBUSY;
   int fd = fdid_device_fd(dev);
   /* Every plane, primary and cursor included, for the format checks. */
   drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
   drmModeResPtr res = drmModeGetResources(fd);
   bool kms_device = res && res->count_crtcs > 0;
   drmModeFreeResources(res);
   if (!kms_device)
      return -ENOTSUP;
   struct fdid_kms *kms = calloc(1, sizeof(*kms));
   if (!kms)
      return -ENOMEM;
   kms->dev = fdid_device_ref(dev);
   if (!kms->dev) {
      free(kms);
      return -EOVERFLOW;
   }
   kms->fd = fd;
   atomic_init(&kms->has_closefb, -1);
   uint64_t cap = 0;
   kms->has_modifiers = drmGetCap(fd, DRM_CAP_ADDFB2_MODIFIERS, &cap) == 0 && cap;
   pthread_mutex_init(&kms->planes_lock, NULL);
   int r = fdid_kms_refresh_planes(kms);
   if (r == 0)
      r = fdid_import_cache_create_with(kms, add_fb, remove_fb,
                                        FDID_IMPORT_CACHE_OBJECT_HOLDS_BUFFERS, &kms->cache);
   if (r == 0)
      fdid_import_cache_set_idle_limit(kms->cache, FDID_KMS_IDLE_DEFAULT); /* cannot fail */
   if (r < 0) {
      free_planes(kms->planes, kms->n_planes);
      pthread_mutex_destroy(&kms->planes_lock);
      fdid_device_unref(kms->dev);
      free(kms);
      return r;
   }
   *out = kms;
   return 0;
}

FDID_PUBLIC void
fdid_kms_destroy(struct fdid_kms *kms)
{
   if (!kms)
      return;
   fdid_import_cache_destroy(kms->cache);
   free_planes(kms->planes, kms->n_planes);
   pthread_mutex_destroy(&kms->planes_lock);
   fdid_device_unref(kms->dev);
   free(kms);
}

FDID_PUBLIC int
fdid_kms_fb_acquire(struct fdid_kms *kms, const struct fdid_image *img, struct fdid_kms_fb **out,
                    bool *created)
{
   if (created)
      *created = false;
   if (!kms || !out)
      return -EINVAL;
   void *object = NULL;
   bool made = false;
   int r = fdid_import_cache_acquire(kms->cache, img, &object, &made);
   if (r < 0)
      return r;
   *out = object;
   if (created)
      *created = made;
   return 0;
}

FDID_PUBLIC uint32_t
fdid_kms_fb_id(const struct fdid_kms_fb *fb)
{
   return fb ? fb->id : 0;
}

FDID_PUBLIC struct fdid_kms_fb *
fdid_kms_fb_ref(struct fdid_kms_fb *fb)
{
   return fb && fdid_import_cache_hold(fb->kms->cache, fb) == 0 ? fb : NULL;
}

FDID_PUBLIC void
fdid_kms_fb_unref(struct fdid_kms_fb *fb)
{
   if (fb)
      fdid_import_cache_release(fb->kms->cache, fb);
}

FDID_PUBLIC int
fdid_kms_set_idle_limit(struct fdid_kms *kms, size_t limit)
{
   return kms ? fdid_import_cache_set_idle_limit(kms->cache, limit) : -EINVAL;
}

FDID_PUBLIC size_t
fdid_kms_idle_count(struct fdid_kms *kms)
{
   return kms ? fdid_import_cache_idle_count(kms->cache) : 0;
}

FDID_PUBLIC size_t
fdid_kms_trim(struct fdid_kms *kms, size_t keep)
{
   return kms ? fdid_import_cache_trim(kms->cache, keep) : 0;
}

FDID_PUBLIC size_t
fdid_kms_fb_count(struct fdid_kms *kms)
{
   return kms ? fdid_import_cache_count(kms->cache) : 0;
}

FDID_PUBLIC int
fdid_kms_plane_supports(struct fdid_kms *kms, uint32_t plane_id, uint32_t fourcc,
                        uint64_t modifier)
{
   if (!kms)
      return -EINVAL;
   return plane_supports(kms, plane_id, fourcc, modifier);
}
