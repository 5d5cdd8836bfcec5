/* SPDX-License-Identifier: MIT */
/*
 * One buffer through several APIs' forms at once, with real vgem dma-bufs
 * in the guest: EGL lists, VA-API descriptors and Vulkan import structures
 * checked against each other, and one import cache entry across all of
 * them. Each API's own translator is tested in its file (test_egl_attribs,
 * test_va_prime, test_vk_dmabuf). No VA driver runs on vgem and lavapipe
 * cannot import a dma-buf (Debian 12), so the API calls are not made:
 * every subtest's name ends in _translation_no_driver (or _no_driver).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include <fdid/egl_dmabuf.h>
#include <fdid/import_cache.h>
#include <fdid/va_prime.h>
#include <fdid/vk_device.h>
#include <fdid/vk_dmabuf.h>
#include <sys/sysmacros.h>

#include "drm_util.h"
#include "faults.h"
#include "fdid_test.h"
#include "fourccs.h"
#include "va_descriptors.h"

FDID_TEST(vk_memories_are_dups_and_layouts_round_trip_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 8);
   VADRMPRIMESurfaceDescriptor d = nv12_composed(&b);
   struct fdid_image img, back;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&img, &imp), 0);
   CHECK_EQ(imp.format, VK_FORMAT_G8_B8R8_2PLANE_420_UNORM);
   CHECK_EQ(imp.n_memories, 1);
   CHECK(!imp.disjoint);
   CHECK_EQ(imp.plane_memory[1], 0);
   CHECK_EQ(imp.modifier_info.drmFormatModifierPlaneCount, 2);
   CHECK(fdid_vk_import_chain(&imp) == &imp.modifier_info);
   CHECK(imp.modifier_info.pPlaneLayouts == imp.plane_layouts);
   CHECK(imp.modifier_info.pNext == &imp.external_info);
   CHECK_EQ(imp.plane_layouts[1].offset, b.pitch * H);
   CHECK_EQ(imp.plane_layouts[1].size, 0);
   /* The memory fd is a new fd of the same dma-buf, never the caller's. */
   int mfd = imp.memories[0].fd;
   CHECK(mfd != b.fd);
   struct stat s1, s2;
   CHECK_SYS(fstat(mfd, &s1));
   CHECK_SYS(fstat(b.fd, &s2));
   CHECK(s1.st_ino == s2.st_ino && s1.st_dev == s2.st_dev);

   /* Back from what a Vulkan export would give: one fd per plane. */
   int plane_fds[2] = { mfd, mfd };
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, fdid_vk_import_chain(&imp), plane_fds, &back), 0);
   CHECK(fdid_image_equal(&img, &back));

   /* fini closes what Vulkan did not take, and only that. */
   fdid_vk_import_finish(&imp);
   CHECK(fcntl(mfd, F_GETFD) < 0 && errno == EBADF);
   CHECK(fcntl(b.fd, F_GETFD) >= 0);

   /* Two objects: a disjoint image, two memories. */
   struct buf other = buf_create(W, H, 8);
   d.num_objects = 2;
   d.objects[1] = (__typeof__(d.objects[1])){ .fd = other.fd, .size = (uint32_t)other.size };
   d.layers[0].object_index[1] = 1;
   d.layers[0].offset[1] = 0;
   CHECK_EQ(fdid_image_from_va_prime(&d, &img), 0);
   CHECK_EQ(fdid_image_to_vk(&img, &imp), 0);
   CHECK(imp.disjoint);
   CHECK_EQ(imp.n_memories, 2);
   CHECK_EQ(imp.plane_memory[1], 1);
   imp.memories[0].fd = (close(imp.memories[0].fd), -1); /* as if Vulkan took it */
   fdid_vk_import_finish(&imp);
   buf_destroy(&other);
   buf_destroy(&b);
}



/* The same buffer as an EGL-style image, a VA descriptor with repeated fds
 * and a Vulkan export: one entry in a cache, one import. */
static int imports;

static int
count_import(void *ctx, const struct fdid_image *img, void **object)
{
   imports++;
   *object = (void *)(uintptr_t)imports;
   return 0;
}

static void
count_destroy(void *ctx, void *object)
{
}

FDID_TEST(cache_dedupes_across_api_forms_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 8);
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(NULL, count_import, count_destroy, &cache), 0);
   int again = prime_export(b.card, b.handle);

   VADRMPRIMESurfaceDescriptor composed = nv12_composed(&b);
   VADRMPRIMESurfaceDescriptor separate = nv12_separate(&b, again);
   struct fdid_image a, c, v;
   CHECK_EQ(fdid_image_from_va_prime(&composed, &a), 0);
   CHECK_EQ(fdid_image_from_va_prime(&separate, &c), 0);
   a.modifier = c.modifier = FDID_MODIFIER_LINEAR;
   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&a, &imp), 0);
   int fds[2] = { imp.memories[0].fd, imp.memories[0].fd };
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, fdid_vk_import_chain(&imp), fds, &v), 0);
   void *o1, *o2, *o3;
   CHECK_EQ(fdid_import_cache_acquire(cache, &a, &o1, NULL), 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &c, &o2, NULL), 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &v, &o3, NULL), 0);
   CHECK(o1 == o2 && o2 == o3);
   CHECK_EQ(imports, 1);
   CHECK_EQ(fdid_import_cache_count(cache), 1);
   fdid_vk_import_finish(&imp);
   fdid_import_cache_destroy(cache);
   close(again);
   buf_destroy(&b);
}

/* ---- the import cache across forms, with a recording callback ---------- */

struct recorder {
   int imports, destroys, fail_with;
   bool give_null;
   uintptr_t destroyed[16];
};

static int
rec_import(void *ctx, const struct fdid_image *img, void **object)
{
   struct recorder *r = ctx;
   if (r->fail_with)
      return r->fail_with;
   r->imports++;
   *object = r->give_null ? NULL : (void *)(uintptr_t)(0x100 + r->imports);
   return 0;
}

static void
rec_destroy(void *ctx, void *object)
{
   struct recorder *r = ctx;
   r->destroyed[r->destroys++ % 16] = (uintptr_t)object;
}

/* An NV12 image of b's buffer with both planes on the given fds. */
static void
nv12_image(struct fdid_image *img, const struct buf *b, int fd0, int fd1)
{
   fdid_image_init(img, NV12, W, H);
   CHECK_EQ(fdid_image_add_plane(img, fd0, 0, b->pitch), 0);
   CHECK_EQ(fdid_image_add_plane(img, fd1, b->pitch * H, b->pitch), 0);
   img->modifier = 0;
   CHECK_EQ(fdid_image_resolve(img), 0);
}

/* The same buffer through a repeated fd, a dup, a fresh export, and VA
 * descriptors with repeated fds (separate form) and one object (composed):
 * one entry, one import. Another layout of the same buffer is another
 * image, so another entry. */
FDID_TEST(cache_one_entry_for_dup_export_and_va_repeated_fds_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 8);
   struct recorder rec = { 0 };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&rec, rec_import, rec_destroy, &cache), 0);
   CHECK_EQ(fdid_import_cache_set_idle_limit(cache, 0), 0); /* the last release destroys */
   int dup_fd = CHECK_SYS(dup(b.fd));
   int fresh = prime_export(b.card, b.handle);

   struct fdid_image forms[5];
   nv12_image(&forms[0], &b, b.fd, b.fd);
   nv12_image(&forms[1], &b, b.fd, dup_fd);
   nv12_image(&forms[2], &b, fresh, fresh);
   VADRMPRIMESurfaceDescriptor sep = nv12_separate(&b, b.fd);
   CHECK_EQ(sep.objects[0].fd, sep.objects[1].fd);
   CHECK_EQ(fdid_image_from_va_prime(&sep, &forms[3]), 0);
   VADRMPRIMESurfaceDescriptor comp = nv12_composed(&b);
   comp.objects[0].fd = fresh;
   CHECK_EQ(fdid_image_from_va_prime(&comp, &forms[4]), 0);

   void *obj[5];
   bool created[5];
   for (int i = 0; i < 5; i++) {
      CHECK_EQ(forms[i].n_objects, 1);
      CHECK_EQ(fdid_import_cache_acquire(cache, &forms[i], &obj[i], &created[i]), 0);
      CHECK(obj[i] == obj[0]);
      CHECK_EQ(created[i], i == 0);
   }
   CHECK_EQ(rec.imports, 1);
   CHECK_EQ(fdid_import_cache_count(cache), 1);

   /* The chroma plane elsewhere: not the same image. */
   struct fdid_image moved = forms[0];
   moved.planes[1].offset += b.pitch;
   void *other;
   CHECK_EQ(fdid_import_cache_acquire(cache, &moved, &other, NULL), 0);
   CHECK(other != obj[0]);
   CHECK_EQ(rec.imports, 2);
   CHECK_EQ(fdid_import_cache_count(cache), 2);

   for (int i = 0; i < 5; i++)
      CHECK_EQ(fdid_import_cache_release(cache, obj[i]), 0);
   CHECK_EQ(rec.destroys, 1);
   CHECK_EQ(rec.destroyed[0], (uintptr_t)obj[0]);
   CHECK_EQ(fdid_import_cache_release(cache, other), 0);
   CHECK_EQ(fdid_import_cache_count(cache), 0);
   fdid_import_cache_destroy(cache);
   close(fresh);
   close(dup_fd);
   buf_destroy(&b);
}

/* References taken through different forms go in any order: the object
 * lives until the last, and only its entry goes. The entry holds the
 * dma-buf, so with every caller fd closed a new export still finds it. */
FDID_TEST(cache_release_order_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 8), c = buf_create(W, H * 3 / 2, 8);
   struct recorder rec = { 0 };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&rec, rec_import, rec_destroy, &cache), 0);
   CHECK_EQ(fdid_import_cache_set_idle_limit(cache, 0), 0); /* the last release destroys */
   struct fdid_image ib, ic;
   nv12_image(&ib, &b, b.fd, b.fd);
   nv12_image(&ic, &c, c.fd, c.fd);
   void *x1, *x2, *x3, *y;
   CHECK_EQ(fdid_import_cache_acquire(cache, &ib, &x1, NULL), 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &ic, &y, NULL), 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &ib, &x2, NULL), 0);
   CHECK_EQ(fdid_import_cache_hold(cache, x1), 0);
   x3 = x1;
   CHECK(x1 == x2 && x1 != y);

   /* Middle, last, first: destroyed on the third put, not before. */
   CHECK_EQ(fdid_import_cache_release(cache, x2), 0);
   CHECK_EQ(fdid_import_cache_release(cache, x3), 0);
   CHECK_EQ(rec.destroys, 0);
   CHECK_EQ(fdid_import_cache_release(cache, x1), 0);
   CHECK_EQ(rec.destroys, 1);
   CHECK_EQ(rec.destroyed[0], (uintptr_t)x1);
   CHECK_EQ(fdid_import_cache_release(cache, x1), -ENOENT);
   CHECK_EQ(fdid_import_cache_count(cache), 1);

   /* c's fd goes; the entry's own dup keeps its identity. */
   close(c.fd);
   c.fd = prime_export(c.card, c.handle);
   nv12_image(&ic, &c, c.fd, c.fd);
   void *y2;
   bool created;
   CHECK_EQ(fdid_import_cache_acquire(cache, &ic, &y2, &created), 0);
   CHECK(y2 == y && created == 0);
   CHECK_EQ(fdid_import_cache_release(cache, y), 0);
   CHECK_EQ(fdid_import_cache_release(cache, y2), 0);
   CHECK_EQ(rec.destroys, 2);
   CHECK_EQ(rec.destroyed[1], (uintptr_t)y);
   CHECK_EQ(rec.imports, 2);
   fdid_import_cache_destroy(cache);
   CHECK_EQ(rec.destroys, 2); /* nothing was left */
   buf_destroy(&c);
   buf_destroy(&b);
}

/* Teardown destroys every entry, held or not, each once, and closes the
 * dups the entries held. */
FDID_TEST(cache_teardown_destroys_held_entries_translation_no_driver)
{
   struct buf bufs[3];
   struct recorder rec = { 0 };
   struct fdid_import_cache *cache;
   int before = open_fd_count();
   CHECK_EQ(fdid_import_cache_create(&rec, rec_import, rec_destroy, &cache), 0);
   CHECK_EQ(fdid_import_cache_set_idle_limit(cache, 0), 0); /* the last release destroys */
   for (int i = 0; i < 3; i++) {
      bufs[i] = buf_create(W, H * 3 / 2, 8);
      struct fdid_image img;
      nv12_image(&img, &bufs[i], bufs[i].fd, bufs[i].fd);
      void *o;
      CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), 0);
      CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), 0);
   }
   /* Each buffer: its card and dma-buf fds, and the entry's dup. */
   CHECK_EQ(open_fd_count(), before + 3 * 3);
   CHECK_EQ(fdid_import_cache_count(cache), 3);
   fdid_import_cache_destroy(cache);
   CHECK_EQ(rec.destroys, 3);
   CHECK_EQ(open_fd_count(), before + 3 * 2);
   bool seen[3] = { false, false, false };
   for (int i = 0; i < 3; i++) {
      uintptr_t o = rec.destroyed[i] - 0x101;
      CHECK(o < 3 && !seen[o]);
      seen[o] = true;
   }
   fdid_import_cache_destroy(NULL);
   for (int i = 0; i < 3; i++)
      buf_destroy(&bufs[i]);
}

/* A failing import, an import that makes no object, and no fd left for
 * the entry's dup: an errno, nothing cached, nothing left open, and the
 * object that was made is destroyed. */
FDID_TEST(cache_failures_leave_nothing_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 8);
   struct recorder rec = { 0 };
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&rec, rec_import, rec_destroy, &cache), 0);
   CHECK_EQ(fdid_import_cache_set_idle_limit(cache, 0), 0); /* the last release destroys */
   struct fdid_image img;
   nv12_image(&img, &b, b.fd, b.fd);
   void *o;
   int before = open_fd_count();

   rec.fail_with = -EIO;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), -EIO);
   rec.fail_with = 0;
   rec.give_null = true;
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), -EINVAL);
   rec.give_null = false;
   CHECK_EQ(fdid_import_cache_count(cache), 0);
   CHECK_EQ(open_fd_count(), before);

   struct fd_squeeze sq;
   fd_squeeze_begin(&sq, b.fd, 0);
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), -EMFILE);
   fd_squeeze_end(&sq);
   CHECK_EQ(rec.imports, 2);
   CHECK_EQ(rec.destroys, 1); /* the object made for the entry that failed */
   CHECK_EQ(fdid_import_cache_count(cache), 0);
   CHECK_EQ(open_fd_count(), before);

   /* And then it works. */
   CHECK_EQ(fdid_import_cache_acquire(cache, &img, &o, NULL), 0);
   CHECK_EQ(fdid_import_cache_count(cache), 1);
   fdid_import_cache_destroy(cache);
   CHECK_EQ(rec.destroys, 2);
   buf_destroy(&b);
}

/* EGL -> image -> VA -> image -> Vulkan -> image -> EGL: every form says
 * the same image, and the last list is the first one's. */
FDID_TEST(round_trip_through_every_api_form_translation_no_driver)
{
   struct buf b = buf_create(W, H * 3 / 2, 8);
   int dup_fd = CHECK_SYS(dup(b.fd));
   const EGLint first[] = {
      EGL_WIDTH, W, EGL_HEIGHT, H, EGL_LINUX_DRM_FOURCC_EXT, (EGLint)NV12,
      EGL_DMA_BUF_PLANE0_FD_EXT, b.fd, EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
      EGL_DMA_BUF_PLANE0_PITCH_EXT, (EGLint)b.pitch,
      EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, 0, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT, 0,
      EGL_DMA_BUF_PLANE1_FD_EXT, dup_fd, EGL_DMA_BUF_PLANE1_OFFSET_EXT, (EGLint)(b.pitch * H),
      EGL_DMA_BUF_PLANE1_PITCH_EXT, (EGLint)b.pitch,
      EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, 0, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT, 0, EGL_NONE,
   };
   struct fdid_image from_egl, from_va, from_vk, last;
   CHECK_EQ(fdid_image_from_egl_attribs(first, &from_egl, NULL), 0);
   CHECK_EQ(from_egl.n_objects, 1); /* a dup is the same buffer */

   VADRMPRIMESurfaceDescriptor d;
   CHECK_EQ(fdid_image_to_va_prime(&from_egl, 0, &d), 0);
   CHECK_EQ(d.fourcc, VA_FOURCC_NV12);
   CHECK_EQ(fdid_image_from_va_prime(&d, &from_va), 0);
   CHECK(fdid_image_equal(&from_egl, &from_va));

   struct fdid_vk_import imp;
   CHECK_EQ(fdid_image_to_vk(&from_va, &imp), 0);
   int fds[2] = { imp.memories[0].fd, imp.memories[0].fd };
   CHECK_EQ(fdid_image_from_vk(NV12, W, H, fdid_vk_import_chain(&imp), fds, &from_vk), 0);
   CHECK(fdid_image_equal(&from_va, &from_vk));

   EGLint list[FDID_EGL_ATTRIBS_MAX];
   CHECK(fdid_image_to_egl_attribs(&from_vk, NULL, list, FDID_EGL_ATTRIBS_MAX) > 0);
   CHECK_EQ(fdid_image_from_egl_attribs(list, &last, NULL), 0);
   CHECK(fdid_image_equal(&from_egl, &last));
   fdid_vk_import_finish(&imp);
   close(dup_fd);
   buf_destroy(&b);
}

/* Vulkan names DRM nodes by number: a hand-made properties struct stands
 * for what VK_EXT_physical_device_drm would report for vgem. */
FDID_TEST(vk_physical_device_nodes_no_driver)
{
   int card = open_card(), render = open_render();
   struct fdid_device *dc, *dr;
   CHECK_EQ(fdid_device_acquire(card, &dc), 0);
   CHECK_EQ(fdid_device_acquire(render, &dr), 0);
   struct stat sc, sr;
   CHECK_SYS(fstat(card, &sc));
   CHECK_SYS(fstat(render, &sr));
   VkPhysicalDeviceDrmPropertiesEXT props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRM_PROPERTIES_EXT,
      .hasPrimary = VK_TRUE, .primaryMajor = major(sc.st_rdev), .primaryMinor = minor(sc.st_rdev),
      .hasRender = VK_TRUE, .renderMajor = major(sr.st_rdev), .renderMinor = minor(sr.st_rdev),
   };
   CHECK_EQ(fdid_device_is_vk_physical_device(dc, &props), 1);
   CHECK_EQ(fdid_device_is_vk_physical_device(dr, &props), 1);
   props.hasRender = VK_FALSE;
   CHECK_EQ(fdid_device_is_vk_physical_device(dr, &props), 0);
   props.primaryMinor += 1; /* another GPU */
   CHECK_EQ(fdid_device_is_vk_physical_device(dc, &props), 0);
   CHECK_EQ(fdid_device_is_vk_physical_device(NULL, &props), -EINVAL);
   fdid_device_unref(dc);
   fdid_device_unref(dr);
   close(card);
   close(render);
}

FDID_TEST_MAIN()
