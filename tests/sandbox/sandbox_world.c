/* SPDX-License-Identifier: MIT */
/* The world of test_sandbox_rules (sandbox_world.h). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fdid/identity.h>
#include <fdid/sandbox.h>

#include "fdid_test.h"
#include "group.h"
#include "mem.h"
#include "sandbox_world.h"
#include "scan.h"

#ifdef FDID_SANDBOX_WORLD_DRM

#include <fdid/image.h>
#include <fdid/import_cache.h>
#include <fdid/kms.h>
#include <fdid/winsys.h>

#include "drm_node.h"
#include "drm_util.h"
#endif

#define DQ FDID_METHOD_DUPFD_QUERY
#define KC FDID_METHOD_KCMP

static bool
make_drm(struct sandbox_world *w)
{
#ifdef FDID_SANDBOX_WORLD_DRM
   w->card = drm_open_driver("vgem", false);
   if (w->card < 0)
      return false;
   w->buf = prime_export(w->card, dumb_create(w->card, 64, 64).handle);
   w->buf2 = CHECK_SYS(fcntl(w->buf, F_DUPFD_CLOEXEC, 0));
   w->drm = true;
   return true;
#else
   (void)w;
   return false;
#endif
}

static bool
make_kms(struct sandbox_world *w)
{
#ifdef FDID_SANDBOX_WORLD_DRM
   w->kms_card = drm_open_driver("virtio_gpu", false);
   if (w->kms_card < 0)
      return false;
   struct dumb d = dumb_create(w->kms_card, 64, 64);
   w->kms_buf = prime_export(w->kms_card, d.handle);
   /* The buffer lives on through its dma-buf; the test's handle goes. */
   gem_close(w->kms_card, d.handle);
   w->kms_pitch = d.pitch;
   w->kms = true;
   return true;
#else
   (void)w;
   return false;
#endif
}

bool
sandbox_world_make(struct sandbox_world *w, unsigned ops)
{
   memset(w, 0, sizeof(*w));
   w->card = w->buf = w->buf2 = w->kms_card = w->kms_buf = -1;
   if ((ops & FDID_OP_KMS) && !make_kms(w))
      return false;
   /* A DRM client for the holder to share, where there is a device: the
    * inspector looks up its device in sysfs. */
   if (!make_drm(w) && (ops & (FDID_OP_WINSYS | FDID_OP_CONSUMERS)))
      return false;
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   w->p0 = p[0];
   w->p1 = p[1];
   char path[] = "/tmp/fdid-sandbox-XXXXXX";
   w->f1 = CHECK_SYS(mkstemp(path));
   w->f2 = CHECK_SYS(dup(w->f1));
   w->f3 = CHECK_SYS(open(path, O_RDONLY | O_CLOEXEC));
   unlink(path);
   w->ep = CHECK_SYS(epoll_create1(EPOLL_CLOEXEC));
   struct epoll_event ev = { .events = EPOLLIN };
   CHECK_SYS(epoll_ctl(w->ep, EPOLL_CTL_ADD, w->p0, &ev));
   w->closed = 1000;
   int rel[2];
   CHECK_SYS(pipe2(rel, O_CLOEXEC));
   w->holder = CHECK_SYS(fork());
   if (w->holder == 0) {
      close(rel[1]);
      char c;
      while (read(rel[0], &c, 1) > 0)
         ;
      _exit(0);
   }
   close(rel[0]);
   w->release = rel[1];
   return true;
}

void
sandbox_world_finish(struct sandbox_world *w)
{
   close(w->release);
   waitpid(w->holder, NULL, 0);
   int fds[] = { w->p0, w->p1, w->f1, w->f2, w->f3, w->ep, w->card, w->buf, w->buf2,
                 w->kms_card, w->kms_buf };
   for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
      if (fds[i] >= 0)
         close(fds[i]);
   }
}

static void
run_identity(const struct sandbox_world *w, unsigned m, bool strict)
{
   bool any = strict && m, exact = strict && (m & (DQ | KC));

   sandbox_expect(fdid_same_file_description(w->p0, w->p0), true, any, "same(p0, p0)");
   sandbox_expect(fdid_same_file_description(w->p0, w->p1), false, any, "same(p0, p1)");
   sandbox_expect(fdid_same_file_description(w->f1, w->f2), true, exact, "same(f1, dup)");
   sandbox_expect(fdid_same_file_description(w->f1, w->f3), false, exact, "same(f1, f3)");
   /* Different inodes: fstat alone knows. */
   sandbox_expect(fdid_same_file_description(w->p0, w->f1), false, strict, "same(p0, f1)");
   sandbox_expect(fdid_compare_file_description(w->p0, w->p1), false, strict && (m & KC),
                  "compare(p0, p1)");
   /* A closed fd is an error, never an answer. */
   int r = fdid_same_file_description(w->p0, w->closed);
   sandbox_expect(r >= 0 ? 0 : -1, false, false, "same(p0, closed)");
   if (exact && r != -EBADF)
      sandbox_expect(-1, false, true, "same(p0, closed) is -EBADF");
}

static void
run_cross(const struct sandbox_world *w, unsigned m, bool strict)
{
   pid_t me = getpid(), h = w->holder;
   bool any = strict && m, exact = strict && (m & (DQ | KC));
   sandbox_expect(fdid_same_file_description_pid(me, w->p0, h, w->p0), true, any, "x p0");
   sandbox_expect(fdid_same_file_description_pid(me, w->p0, h, w->p1), false, any, "x p0 p1");
   sandbox_expect(fdid_same_file_description_pid(h, w->f1, me, w->f2), true, exact, "x f1 f2");
   sandbox_expect(fdid_same_file_description_pid(h, w->f1, h, w->f3), false, exact, "x f1 f3");
}

static void
run_epoll_target(const struct sandbox_world *w, unsigned m, bool strict)
{
   pid_t me = getpid(), h = w->holder;
   bool kc = strict && (m & KC);
   sandbox_expect(fdid_same_epoll_target(h, w->p0, me, w->ep, w->p0, 0), true, kc, "target");
   sandbox_expect(fdid_same_epoll_target(h, w->p1, me, w->ep, w->p0, 0), false, kc,
                  "not the target");
}

/* Which of the world's descriptions an fd number is (the same numbers in
 * the holder: it inherited them), 0 for any other. */
static int
truth(const struct sandbox_world *w, int fd)
{
   if (fd == w->f2)
      return w->f1 + 1;
   int ours[] = { w->p0, w->p1, w->f1, w->f3, w->ep };
   for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
      if (fd == ours[i])
         return fd + 1;
   }
   return 0;
}

static void
run_inspector(const struct sandbox_world *w, unsigned m, bool strict)
{
   pid_t pids[] = { w->holder, getpid() };
   struct scan s;
   struct grouping g;
   CHECK_EQ(scan_processes(pids, 2, &s), 0);
   CHECK_EQ(group_descriptions(&s, &g), 0);
   CHECK_EQ(group_link_epoll_targets(&g, NULL, NULL), 0);
   for (size_t i = 0; i < g.n_descs; i++) {
      const struct description *d = &g.descs[i];
      scan_read_fdinfo(d->holders[0]);
      scan_name(d->holders[0]);
      int id = truth(w, d->holders[0]->fd);
      if (!id || !d->verified)
         continue;
      size_t mine = 0;
      /* Fds the world did not make (the scanner's own copies, left open
       * when a filter refuses close) may be in a group; none of the
       * world's may be in another's. */
      for (size_t h = 0; h < d->n_holders; h++) {
         int t = truth(w, d->holders[h]->fd);
         mine += t == id;
         sandbox_expect(t == id || t == 0 ? 0 : 3, true, false, "a group");
      }
      /* Every holder of a pollable description, when a method can tell. */
      bool pipe = d->holders[0]->fd == w->p0 || d->holders[0]->fd == w->p1;
      if (strict && m && pipe && mine != 2)
         sandbox_expect(-1, true, true, "a pipe end's group lacks a holder");
   }
   struct mem_report r;
   CHECK_EQ(mem_report_build(&s, &g, &r), 0);
   mem_report_finish(&r);
   grouping_finish(&g);
   scan_finish(&s);
}

#ifdef FDID_SANDBOX_WORLD_DRM
static int
count_import(void *context, const struct fdid_image *img, void **object)
{
   (void)img;
   (*(int *)context)++;
   *object = context;
   return 0;
}

static void
drop_object(void *context, void *object)
{
   (void)context;
   (void)object;
}

static void
run_consumers(const struct sandbox_world *w, bool strict)
{
   struct fdid_image a, b;
   fdid_image_init(&a, 0x34325258 /* XRGB8888 */, 64, 64);
   fdid_image_init(&b, 0x34325258, 64, 64);
   if (fdid_image_add_plane(&a, w->buf, 0, 256) != 0 ||
       fdid_image_add_plane(&b, w->buf2, 0, 256) != 0 || fdid_image_resolve(&a) != 0 ||
       fdid_image_resolve(&b) != 0) {
      sandbox_expect(-1, true, strict, "an image of the dma-buf");
      return;
   }
   int imports = 0;
   struct fdid_import_cache *cache;
   CHECK_EQ(fdid_import_cache_create(&imports, count_import, drop_object, &cache), 0);
   void *x = NULL, *y = NULL;
   int rx = fdid_import_cache_acquire(cache, &a, &x, NULL);
   int ry = fdid_import_cache_acquire(cache, &b, &y, NULL);
   if (rx == 0 && ry == 0)
      sandbox_expect(x == y && imports == 1 ? 0 : 3, true, strict, "one import of one buffer");
   else
      sandbox_expect(-1, true, strict, "cache acquire");
   if (rx == 0)
      fdid_import_cache_release(cache, x);
   if (ry == 0)
      fdid_import_cache_release(cache, y);
   /* The entry is idle now: dropping it asks the kernel whether the cache
    * is the buffer's last holder (the miss asked its count already). */
   if (rx == 0 || ry == 0)
      sandbox_expect(fdid_import_cache_trim(cache, 0) == 1 ? 0 : 3, true, strict,
                     "an idle entry dropped");
   fdid_import_cache_destroy(cache);
}

static void
run_winsys(const struct sandbox_world *w, bool strict)
{
   struct fdid_device *dev;
   if (fdid_device_acquire(w->card, &dev) != 0) {
      sandbox_expect(-1, true, strict, "device");
      return;
   }
   struct fdid_bo *a = NULL, *b = NULL, *c = NULL, *d = NULL;
   int ra = fdid_bo_import(dev, w->buf, &a);
   int rb = fdid_bo_import(dev, w->buf, &b);
   int rc = fdid_bo_import(dev, w->buf2, &c);
   if (ra == 0 && rb == 0 && rc == 0)
      sandbox_expect(a == b && b == c ? 0 : 3, true, strict, "one bo per buffer");
   else
      sandbox_expect(-1, true, strict, "import");
   int out = -1;
   if (ra == 0 && fdid_bo_export(a, &out) == 0) {
      struct fdid_bo *e = NULL;
      if (fdid_bo_import(dev, out, &e) == 0) {
         sandbox_expect(e == a ? 0 : 3, true, strict, "our export is our bo");
         fdid_bo_unref(e);
      }
      close(out);
   } else {
      sandbox_expect(-1, true, strict, "export");
   }
   uint32_t pitch;
   uint64_t size, offset;
   if (fdid_bo_create_dumb(dev, 32, 32, 32, &d, &pitch, &size) == 0) {
      sandbox_expect(fdid_bo_map_dumb_offset(d, &offset) == 0 ? 0 : -1, true, strict, "map");
      fdid_bo_unref(d);
   } else {
      sandbox_expect(-1, true, strict, "dumb");
   }
   if (ra == 0)
      fdid_bo_unref(a);
   if (rb == 0)
      fdid_bo_unref(b);
   if (rc == 0)
      fdid_bo_unref(c);
   fdid_device_unref(dev);
}

static void
run_kms(const struct sandbox_world *w, bool strict)
{
   struct fdid_device *dev;
   struct fdid_kms *kms;
   if (fdid_device_acquire(w->kms_card, &dev) != 0) {
      sandbox_expect(-1, true, strict, "the KMS device");
      return;
   }
   if (fdid_kms_create(dev, 0, &kms) != 0) {
      sandbox_expect(-1, true, strict, "a framebuffer cache");
      fdid_device_unref(dev);
      return;
   }
   struct fdid_image img;
   fdid_image_init(&img, 0x34325258 /* XRGB8888 */, 64, 64);
   struct fdid_kms_fb *a = NULL, *b = NULL;
   int ra = -1, rb = -1;
   if (fdid_image_add_plane(&img, w->kms_buf, 0, w->kms_pitch) == 0 &&
       fdid_image_resolve(&img) == 0) {
      ra = fdid_kms_fb_acquire(kms, &img, &a, NULL);
      rb = fdid_kms_fb_acquire(kms, &img, &b, NULL);
   }
   if (ra == 0 && rb == 0)
      sandbox_expect(a == b && fdid_kms_fb_id(a) ? 0 : 3, true, strict, "one framebuffer");
   else
      sandbox_expect(-1, true, strict, "a framebuffer");
   if (ra == 0)
      fdid_kms_fb_unref(a);
   if (rb == 0)
      fdid_kms_fb_unref(b);
   fdid_kms_destroy(kms);
   fdid_device_unref(dev);
}
#endif

void
sandbox_world_run(const struct sandbox_world *w, unsigned methods, unsigned ops, bool strict)
{
   /* What can be decided is what the allowed methods that work here can
    * (dupfd_query is allowed but absent before 6.10); the probe is part
    * of every operation anyway. */
   methods &= fdid_probe();
   /* Every operation stands on identity (sandbox.h): its rules are in
    * every set, so its questions are asked in every scenario. */
   run_identity(w, methods, strict);
   if (ops & (FDID_OP_CROSS_PROCESS | FDID_OP_INSPECTOR))
      run_cross(w, methods, strict);
   if (ops & (FDID_OP_EPOLL_TARGET | FDID_OP_INSPECTOR))
      run_epoll_target(w, methods, strict);
   if (ops & FDID_OP_INSPECTOR)
      run_inspector(w, methods, strict);
#ifdef FDID_SANDBOX_WORLD_DRM
   /* Each of these stands on the winsys (sandbox.h): its rules are in
    * their sets, so its operations run with them. */
   if (w->drm && (ops & (FDID_OP_WINSYS | FDID_OP_CONSUMERS | FDID_OP_KMS)))
      run_winsys(w, strict);
   if (w->drm && (ops & FDID_OP_CONSUMERS))
      run_consumers(w, strict);
   if (w->kms && (ops & FDID_OP_KMS))
      run_kms(w, strict);
#endif
}
