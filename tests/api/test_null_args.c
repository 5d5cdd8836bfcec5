/* SPDX-License-Identifier: MIT */
/*
 * The README's NULL policy, function by function over the whole public
 * API: a NULL object or output makes an int function return -EINVAL, a
 * bool function false, an accessor its "none" value (NULL, 0, -1), and a
 * release, destroy, fini or init do nothing; pointers documented as
 * optional may be NULL. Nothing crashes. Functions without a pointer
 * argument get the invalid value of theirs (a negative fd, a pid of 0, an
 * unknown format). Each subtest runs in its own child: a crash fails it
 * alone. check-null-args-coverage.py fails when a function the library
 * exports is not called here.
 */
#include <errno.h>
#include <unistd.h>

#include <fdid/identity.h>
#include <fdid/image.h>
#include <fdid/import_cache.h>
#include <fdid/sandbox.h>
#ifdef FDID_HAVE_SECCOMP
#include <fdid/sandbox_seccomp.h>
#endif
#ifdef FDID_HAVE_WINSYS
#include <fdid/image_bos.h>
#include <fdid/kms.h>
#include <fdid/winsys.h>
#endif
#ifdef FDID_HAVE_EGL
#include <fdid/egl_dmabuf.h>
#endif
#ifdef FDID_HAVE_VA
#include <fdid/va_prime.h>
#endif
#ifdef FDID_HAVE_VULKAN
#include <fdid/vk_dmabuf.h>
#endif
#ifdef FDID_HAVE_FFMPEG
#include <fdid/av_drm.h>
#endif
#if defined(FDID_HAVE_EGL) && defined(FDID_HAVE_WINSYS)
#include <fdid/egl_device.h>
#endif
#if defined(FDID_HAVE_VULKAN) && defined(FDID_HAVE_WINSYS)
#include <fdid/vk_device.h>
#endif

#include "fdid_test.h"
#include "fourccs.h"


static int
import(void *context, const struct fdid_image *img, void **object)
{
   *object = context;
   return 0;
}

static void
destroy(void *context, void *object)
{
}

FDID_TEST(image)
{
   struct fdid_image img;
   fdid_image_init(NULL, 0, 1, 1); /* nothing happens */
   fdid_image_init(&img, XR24, 4, 4);
   CHECK_EQ(fdid_image_add_plane(NULL, 0, 0, 0), -EINVAL);
   CHECK_EQ(fdid_image_resolve(NULL), -EINVAL);
   CHECK(!fdid_image_is_resolved(NULL));
   CHECK(!fdid_image_equal(NULL, &img));
   CHECK(!fdid_image_equal(&img, NULL));
   CHECK(!fdid_image_equal(NULL, NULL));
   /* Optional outputs. */
   unsigned cpp = 0;
   CHECK(fdid_fourcc_plane_info(XR24, 0, NULL, NULL, NULL));
   CHECK(fdid_fourcc_plane_info(XR24, 0, &cpp, NULL, NULL));
   CHECK_EQ(cpp, 4);
}

FDID_TEST(import_cache)
{
   struct fdid_import_cache *c;
   int x;
   CHECK_EQ(fdid_import_cache_create(&x, NULL, destroy, &c), -EINVAL);
   CHECK_EQ(fdid_import_cache_create(&x, import, NULL, &c), -EINVAL);
   CHECK_EQ(fdid_import_cache_create(&x, import, destroy, NULL), -EINVAL);
   CHECK_EQ(fdid_import_cache_create(NULL, import, destroy, &c), 0); /* context is opaque */
   struct fdid_image img;
   fdid_image_init(&img, XR24, 4, 4);
   void *obj;
   CHECK_EQ(fdid_import_cache_acquire(NULL, &img, &obj, NULL), -EINVAL);
   CHECK_EQ(fdid_import_cache_acquire(c, NULL, &obj, NULL), -EINVAL);
   CHECK_EQ(fdid_import_cache_acquire(c, &img, NULL, NULL), -EINVAL);
   /* An image that was never finished, and one whose finish failed. */
   CHECK_EQ(fdid_import_cache_acquire(c, &img, &obj, NULL), -EINVAL);
   CHECK_EQ(fdid_image_add_plane(&img, STDIN_FILENO, 0, 16), 0);
   img.n_objects = 3; /* as a stale or hand-edited image may say */
   img.planes[0].object = 2;
   CHECK_EQ(fdid_import_cache_acquire(c, &img, &obj, NULL), -EINVAL);
   img.n_objects = 1000; /* indexing by it would run past the arrays */
   img.planes[0].object = 0;
   CHECK_EQ(fdid_import_cache_acquire(c, &img, &obj, NULL), -EINVAL);
   img.n_objects = 1;
   img.planes[0].object = 7;
   CHECK_EQ(fdid_import_cache_acquire(c, &img, &obj, NULL), -EINVAL);
   CHECK(fdid_image_resolve(&img) < 0); /* stdin is no dma-buf */
   CHECK_EQ(img.n_objects, 0);
   CHECK_EQ(fdid_import_cache_acquire(c, &img, &obj, NULL), -EINVAL);
   CHECK_EQ(fdid_import_cache_hold(NULL, &x), -EINVAL);
   CHECK_EQ(fdid_import_cache_hold(c, NULL), -EINVAL);
   CHECK_EQ(fdid_import_cache_release(NULL, &x), -EINVAL);
   CHECK_EQ(fdid_import_cache_release(c, NULL), -EINVAL);
   CHECK_EQ(fdid_import_cache_count(NULL), 0);
   CHECK_EQ(fdid_import_cache_count(c), 0);
   CHECK_EQ(fdid_import_cache_idle_count(NULL), 0);
   CHECK_EQ(fdid_import_cache_idle_count(c), 0);
   CHECK_EQ(fdid_import_cache_set_idle_limit(NULL, 3), -EINVAL);
   CHECK_EQ(fdid_import_cache_set_idle_limit(c, 3), 0);
   CHECK_EQ(fdid_import_cache_trim(NULL, 0), 0);
   CHECK_EQ(fdid_import_cache_trim(c, 0), 0);
   fdid_import_cache_destroy(NULL);
   fdid_import_cache_destroy(c);
}

#ifdef FDID_HAVE_WINSYS
FDID_TEST(winsys)
{
   struct fdid_device *dev;
   struct fdid_bo *bo;
   CHECK_EQ(fdid_device_acquire(STDIN_FILENO, NULL), -EINVAL);
   CHECK(fdid_device_ref(NULL) == NULL);
   fdid_device_unref(NULL);
   CHECK(!fdid_device_same_gpu(NULL, NULL));
   CHECK_EQ(fdid_device_fd(NULL), -1);
   CHECK_EQ(fdid_device_node_type(NULL), -1);
   CHECK_EQ(fdid_bo_import(NULL, STDIN_FILENO, &bo), -EINVAL);
   CHECK_EQ(fdid_bo_handle(NULL), 0);
   CHECK(fdid_bo_device(NULL) == NULL);
   CHECK(fdid_bo_ref(NULL) == NULL);
   int fd;
   CHECK_EQ(fdid_bo_export(NULL, &fd), -EINVAL);
   fdid_bo_unref(NULL);
   CHECK_EQ(fdid_bo_adopt_handle(NULL, 1, &bo), -EINVAL);
   CHECK_EQ(fdid_bo_create_dumb(NULL, 1, 1, 32, &bo, NULL, NULL), -EINVAL);
   uint64_t off;
   CHECK_EQ(fdid_bo_map_dumb_offset(NULL, &off), -EINVAL);
   CHECK_EQ(fdid_bo_import_on(NULL, NULL, &bo), -EINVAL);
   struct fdid_image img;
   struct fdid_image_bos bos;
   fdid_image_init(&img, XR24, 4, 4);
   CHECK_EQ(fdid_image_import_bos(&img, NULL, &bos), -EINVAL);
   CHECK_EQ(bos.n_bos, 0);
   CHECK_EQ(fdid_image_import_bos(NULL, NULL, &bos), -EINVAL);
   CHECK_EQ(fdid_image_import_bos(&img, NULL, NULL), -EINVAL);
   CHECK_EQ(fdid_image_bos_plane_handle(NULL, &img, 0), 0);
   CHECK_EQ(fdid_image_bos_plane_handle(&bos, NULL, 0), 0);
   fdid_image_bos_finish(NULL);
   struct fdid_kms *kms = (struct fdid_kms *)1;
   CHECK_EQ(fdid_kms_create(NULL, 0, &kms), -EINVAL);
   CHECK(kms == (struct fdid_kms *)1); /* untouched: dev was NULL */
   fdid_kms_destroy(NULL);
   struct fdid_kms_fb *fb;
   CHECK_EQ(fdid_kms_fb_acquire(NULL, &img, &fb, NULL), -EINVAL);
   CHECK_EQ(fdid_kms_fb_id(NULL), 0);
   CHECK(fdid_kms_fb_ref(NULL) == NULL);
   fdid_kms_fb_unref(NULL);
   CHECK_EQ(fdid_kms_fb_count(NULL), 0);
   CHECK_EQ(fdid_kms_idle_count(NULL), 0);
   CHECK_EQ(fdid_kms_set_idle_limit(NULL, 2), -EINVAL);
   CHECK_EQ(fdid_kms_trim(NULL, 0), 0);
   CHECK_EQ(fdid_kms_plane_supports(NULL, 1, XR24, 0), -EINVAL);
   CHECK_EQ(fdid_kms_refresh_planes(NULL), -EINVAL);
   (void)dev;
}
#endif

#ifdef FDID_HAVE_EGL
FDID_TEST(egl)
{
   struct fdid_image img;
   EGLint list[FDID_EGL_ATTRIBS_MAX];
   EGLint attribs[] = { EGL_NONE };
   EGLAttrib attribs64[] = { EGL_NONE };
   CHECK_EQ(fdid_image_from_egl_attribs(NULL, &img, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_egl_attribs(attribs, NULL, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_egl_attrib_list(NULL, &img, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_egl_attrib_list(attribs64, NULL, NULL), -EINVAL);
   CHECK_EQ(fdid_image_to_egl_attribs(NULL, NULL, list, FDID_EGL_ATTRIBS_MAX), -EINVAL);
   fdid_image_init(&img, XR24, 4, 4);
   CHECK_EQ(fdid_image_to_egl_attribs(&img, NULL, NULL, 0), -EINVAL);
   /* Not finished: refused, not written. */
   CHECK_EQ(fdid_image_to_egl_attribs(&img, NULL, list, FDID_EGL_ATTRIBS_MAX), -EINVAL);
#ifdef FDID_HAVE_WINSYS
   struct fdid_device *dev = (struct fdid_device *)&img;
   bool same = true;
   CHECK_EQ(fdid_egl_display_device(EGL_NO_DISPLAY, &dev, &same), -EINVAL);
   CHECK_EQ(fdid_egl_display_device((EGLDisplay)&img, NULL, NULL), -EINVAL);
   CHECK(dev == (struct fdid_device *)&img);
#endif
}
#endif

#ifdef FDID_HAVE_FFMPEG
FDID_TEST(av_drm)
{
   AVDRMFrameDescriptor d = { .nb_objects = 1, .nb_layers = 1 };
   struct fdid_image img;
   CHECK_EQ(fdid_image_from_av_drm(NULL, 0, 4, 4, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_av_drm(&d, 0, 4, 4, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_av_drm_layer(NULL, 0, 0, 4, 4, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_av_drm_layer(&d, 0, 0, 4, 4, NULL), -EINVAL);
   CHECK_EQ(fdid_image_to_av_drm(NULL, &d), -EINVAL);
   fdid_image_init(&img, XR24, 4, 4);
   CHECK_EQ(fdid_image_to_av_drm(&img, &d), -EINVAL); /* not resolved */
   CHECK_EQ(fdid_image_to_av_drm(&img, NULL), -EINVAL);
}
#endif

#ifdef FDID_HAVE_VA
FDID_TEST(va)
{
   struct fdid_image img;
   VADRMPRIMESurfaceDescriptor d = { 0 };
   CHECK_EQ(fdid_image_from_va_prime(NULL, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_va_prime(&d, NULL), -EINVAL);
   CHECK_EQ(fdid_image_from_va_prime_layer(NULL, 0, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_va_prime_layer(&d, 0, NULL), -EINVAL);
   CHECK_EQ(fdid_image_to_va_prime(NULL, 0, &d), -EINVAL);
   fdid_image_init(&img, XR24, 4, 4);
   CHECK_EQ(fdid_image_to_va_prime(&img, 0, NULL), -EINVAL);
   /* Formats neither side knows: 0, "none". */
   CHECK_EQ(fdid_va_fourcc_to_drm(0), 0);
   CHECK_EQ(fdid_drm_fourcc_to_va(0), 0);
}
#endif

#ifdef FDID_HAVE_VULKAN
FDID_TEST(vulkan)
{
   struct fdid_vk_import imp;
   struct fdid_image img;
   int fds[1] = { STDIN_FILENO };
   CHECK_EQ(fdid_image_to_vk(NULL, &imp), -EINVAL);
   fdid_vk_import_finish(&imp); /* a failed to_vk leaves it safe to fini */
   fdid_image_init(&img, XR24, 4, 4);
   CHECK_EQ(fdid_image_to_vk(&img, NULL), -EINVAL);
   CHECK(fdid_vk_import_chain(NULL) == NULL);
   fdid_vk_import_finish(NULL);
   VkSubresourceLayout layout = { 0 };
   VkImageDrmFormatModifierExplicitCreateInfoEXT info = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT,
      .drmFormatModifierPlaneCount = 1,
      .pPlaneLayouts = &layout,
   };
   CHECK_EQ(fdid_image_from_vk(XR24, 4, 4, NULL, fds, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_vk(XR24, 4, 4, &info, NULL, &img), -EINVAL);
   CHECK_EQ(fdid_image_from_vk(XR24, 4, 4, &info, fds, NULL), -EINVAL);
   info.pPlaneLayouts = NULL;
   CHECK_EQ(fdid_image_from_vk(XR24, 4, 4, &info, fds, &img), -EINVAL);
   CHECK_EQ(fdid_vk_format_from_fourcc(0), VK_FORMAT_UNDEFINED);
#ifdef FDID_HAVE_WINSYS
   VkPhysicalDeviceDrmPropertiesEXT props = { 0 };
   CHECK_EQ(fdid_device_is_vk_physical_device(NULL, &props), -EINVAL);
   CHECK_EQ(fdid_device_is_vk_physical_device((struct fdid_device *)&props, NULL), -EINVAL);
#endif
}
#endif

FDID_TEST(identity_and_sandbox)
{
   /* No pointers: invalid fds and pids instead. */
   CHECK_EQ(fdid_same_file_description(-1, 0), -EBADF);
   CHECK_EQ(fdid_compare_file_description(0, -1), -EBADF);
   CHECK_EQ(fdid_same_file_description_pid(getpid(), -1, getpid(), 0), -EBADF);
   CHECK_EQ(fdid_same_file_description_pid(0, 0, getpid(), 0), -ESRCH);
   CHECK_EQ(fdid_same_epoll_target(getpid(), -1, getpid(), 0, 0, 0), -EBADF);
   CHECK_EQ(fdid_same_epoll_target(0, 0, getpid(), 0, 0, 0), -ESRCH);
   CHECK_EQ(fdid_is_dmabuf(-1), -EBADF);
   CHECK_EQ(fdid_fourcc_planes(0), 0);
   CHECK_EQ(fdid_subsampled_size(7, 0), 7); /* sub 0: the size itself */
   fdid_set_allowed_methods(0);
   CHECK_EQ(fdid_allowed_methods(), 0);
   CHECK_EQ(fdid_probe(), 0);
   CHECK_EQ(fdid_default_method(), 0);
   CHECK_EQ(fdid_method_status(0), -EINVAL);
   CHECK(fdid_method_name(0) == NULL);
   CHECK(fdid_sandbox_op_name(0) == NULL);
   /* No room to write into: the count alone, whatever cap says. */
   size_t n = fdid_sandbox_rules(FDID_METHOD_ALL, FDID_OP_ALL, NULL, 0);
   CHECK(n > 0);
   CHECK_EQ(fdid_sandbox_rules(FDID_METHOD_ALL, FDID_OP_ALL, NULL, 8), n);
#ifdef FDID_HAVE_SECCOMP
   CHECK_EQ(fdid_sandbox_seccomp_add(NULL, FDID_METHOD_ALL, FDID_OP_IDENTITY, SCMP_ACT_ALLOW),
            -EINVAL);
#endif
}

FDID_TEST_MAIN()
