/* SPDX-License-Identifier: MIT */
/*
 * KMS framebuffers from images (kms.h) on virtio-gpu in the guests, as a
 * compositor sees them: a client renders into buffers of its own (its own
 * open of the device) and sends each frame's dma-buf as a new fd; the
 * compositor shows it through the framebuffer cache. The kernel is asked
 * about every handle and framebuffer; what is on screen is read back from
 * the host (the runner's screendump).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include <fdid/kms.h>
#include <gbm.h>
#include <seccomp.h>
#include <sys/socket.h>

#include "drm_node.h"
#include "fdid_test.h"
#include "fd_passing.h"
#include "fourccs.h"
#include "gl_context.h"
#include "test_winsys_util.h"

enum { RING = 3, MARK = 16 };

/* The compositor: its own open of virtio-gpu, the table's device, the
 * framebuffer cache, and what it shows on. */
struct compositor {
   int display; /* the display lock: one test shows at a time */
   int fd;
   struct fdid_device *dev;
   struct fdid_kms *kms;
   uint32_t crtc, connector, primary;
   drmModeModeInfo mode;
};

static void
compositor_open(struct compositor *c)
{
   c->display = display_lock();
   c->fd = open_kms_master();
   CHECK_EQ(drmSetClientCap(c->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1), 0);
   c->dev = dev_acquire(c->fd);
   CHECK_EQ(fdid_kms_create(c->dev, 0, &c->kms), 0);
   /* A compositor's references, the last unref removing: no idle
    * framebuffers, but in the tests that ask for them. */
   CHECK_EQ(fdid_kms_set_idle_limit(c->kms, 0), 0);
   drmModeResPtr res = drmModeGetResources(c->fd);
   CHECK(res && res->count_crtcs > 0);
   c->crtc = res->crtcs[0];
   c->connector = 0;
   for (int i = 0; i < res->count_connectors && !c->connector; i++) {
      drmModeConnectorPtr k = drmModeGetConnector(c->fd, res->connectors[i]);
      if (k && k->connection == DRM_MODE_CONNECTED && k->count_modes > 0) {
         c->connector = k->connector_id;
         c->mode = k->modes[0];
      }
      drmModeFreeConnector(k);
   }
   CHECK(c->connector != 0);
   drmModeFreeResources(res);
   drmModePlaneResPtr planes = drmModeGetPlaneResources(c->fd);
   CHECK(planes && planes->count_planes > 0);
   c->primary = planes->planes[0];
   drmModeFreePlaneResources(planes);
}

/* Everything released: no framebuffer of ours, no GEM handle left on the
 * compositor's description (the kernel says). */
static void
compositor_close(struct compositor *c)
{
   drmModeSetCrtc(c->fd, c->crtc, 0, 0, 0, NULL, 0, NULL);
   fdid_kms_destroy(c->kms);
   fdid_device_unref(c->dev);
   check_no_handles(c->fd, 64);
   close(c->fd);
   display_unlock(c->display);
}

static void
show(struct compositor *c, struct fdid_kms_fb *fb)
{
   CHECK_EQ(drmModeSetCrtc(c->fd, c->crtc, fdid_kms_fb_id(fb), 0, 0, &c->connector, 1,
                           &c->mode), 0);
}

/* The client: its own open of virtio-gpu and a buffer the size of the
 * mode, mapped (it "renders" with the CPU: a mark encoding the frame). */
struct client_buf {
   uint32_t handle, pitch;
   uint64_t size;
   uint32_t *map;
};

static struct client_buf
client_buf_create(int cfd, const drmModeModeInfo *mode)
{
   struct dumb d = dumb_create(cfd, mode->hdisplay, mode->vdisplay);
   return (struct client_buf){ d.handle, d.pitch, d.size, gem_map(cfd, d.handle, d.size) };
}

static void
client_buf_destroy(int cfd, struct client_buf *b)
{
   munmap(b->map, b->size);
   gem_close(cfd, b->handle);
}

static uint32_t
mark_colour(unsigned frame, unsigned i)
{
   return ((frame * 7u + i) & 0xff) << 16 | ((frame >> 3) & 0xff) << 8 | (i * 13u & 0xff);
}

static void
render(struct client_buf *b, unsigned frame)
{
   for (unsigned i = 0; i < MARK; i++)
      b->map[i] = mark_colour(frame, i);
}

/* A compositor and a client with a ring of buffers: each subtest's scene. */
struct scene {
   struct compositor c;
   int cfd;
   struct client_buf ring[RING];
};

static void
scene_begin(struct scene *sc)
{
   compositor_open(&sc->c);
   sc->cfd = open_kms();
   for (int i = 0; i < RING; i++)
      sc->ring[i] = client_buf_create(sc->cfd, &sc->c.mode);
}

static void
scene_end(struct scene *sc)
{
   for (int i = 0; i < RING; i++)
      client_buf_destroy(sc->cfd, &sc->ring[i]);
   close(sc->cfd);
   compositor_close(&sc->c);
}

/* A new fd of the buffer's dma-buf, as a client sends one with each frame,
 * and the image the compositor makes of it. */
static int
frame_image(int cfd, const struct client_buf *b, const drmModeModeInfo *mode,
            struct fdid_image *img)
{
   int fd = prime_export(cfd, b->handle);
   fdid_image_init(img, XR24, mode->hdisplay, mode->vdisplay);
   CHECK_EQ(fdid_image_add_plane(img, fd, 0, b->pitch), 0);
   CHECK_EQ(fdid_image_resolve(img), 0);
   return fd;
}

/* The first n pixels (0xRRGGBB) of what the display shows, from the
 * host's screendump; false where no runner takes screendumps. */
static bool
read_screen(uint32_t *px, unsigned n)
{
   unsigned w, h;
   FILE *f = screendump_open(&w, &h);
   if (!f)
      return false;
   for (unsigned i = 0; i < n; i++) {
      unsigned char rgb[3];
      CHECK_EQ(fread(rgb, 1, 3, f), 3);
      px[i] = (uint32_t)rgb[0] << 16 | (uint32_t)rgb[1] << 8 | rgb[2];
   }
   fclose(f);
   return true;
}

/* The first MARK pixels on screen are frame's mark. */
static void
check_screen_shows(unsigned frame)
{
   uint32_t px[MARK];
   if (!read_screen(px, MARK))
      return; /* not under the guest runner: the kernel's answers stand */
   for (unsigned i = 0; i < MARK; i++) {
      if (px[i] != mark_colour(frame, i))
         fdid_test_fail(__FILE__, __LINE__, "pixel %u: %06x, frame %u's is %06x", i, px[i],
                        frame, mark_colour(frame, i));
   }
}

/* 1000 frames over a ring of 3 buffers, each frame a new fd: 3 framebuffers
 * made in all, fds and handles flat, the last frame on screen, nothing of
 * ours left after teardown. */
FDID_TEST(thousand_frames_over_a_ring_of_three)
{
   struct scene sc;
   scene_begin(&sc);

   /* As a compositor does: one reference per client buffer while it lives
    * (a wl_buffer), and one per frame while the frame is on screen. */
   int fds_before = open_fd_count();
   unsigned created = 0;
   struct fdid_kms_fb *held[RING] = { 0 };
   struct fdid_kms_fb *shown = NULL;
   enum { FRAMES = 1000 };
   for (unsigned frame = 0; frame < FRAMES; frame++) {
      int slot = frame % RING;
      struct client_buf *b = &sc.ring[slot];
      render(b, frame);
      struct fdid_image img;
      int fd = frame_image(sc.cfd, b, &sc.c.mode, &img);
      struct fdid_kms_fb *fb;
      bool made;
      CHECK_EQ(fdid_kms_fb_acquire(sc.c.kms, &img, &fb, &made), 0);
      close(fd); /* the compositor keeps nothing of the client's fd */
      created += made;
      if (!held[slot]) {
         CHECK(fdid_kms_fb_ref(fb) == fb);
         held[slot] = fb;
      }
      CHECK(fb == held[slot]);
      show(&sc.c, fb);
      if (shown)
         fdid_kms_fb_unref(shown); /* after the commit that replaced it */
      shown = fb;
      if (frame == 10)
         fds_before = open_fd_count(); /* the cache's own dups are in by now */
      /* One GEM handle per client buffer on the compositor's description,
       * from the third frame on, whatever the number of frames. */
      if (frame >= RING - 1 && frame % 250 == 0)
         CHECK_EQ(count_handles(sc.c.fd, 64), RING);
   }
   uint32_t ids[RING];
   for (int i = 0; i < RING; i++)
      ids[i] = fdid_kms_fb_id(held[i]);
   CHECK_EQ(created, RING);
   CHECK_EQ(open_fd_count(), fds_before);
   check_screen_shows(FRAMES - 1);
   printf("# %d frames, %u framebuffers made, %zu held\n", FRAMES, created,
          fdid_kms_fb_count(sc.c.kms));

   /* The framebuffers stay cached while referenced; the last unref of
    * each removes it. */
   CHECK_EQ(fdid_kms_fb_count(sc.c.kms), RING);
   fdid_kms_fb_unref(shown);
   for (int i = 0; i < RING; i++)
      fdid_kms_fb_unref(held[i]);
   CHECK_EQ(fdid_kms_fb_count(sc.c.kms), 0);
   /* The kernel: the framebuffers not on screen are gone. The one on
    * screen is gone too where it was removed with RmFB (before 6.8: the
    * CRTC went dark); with CLOSEFB (6.8+) it stays shown, its id alive,
    * until a commit replaces it. */
   uint32_t on_screen = ids[(FRAMES - 1) % RING];
   for (int i = 0; i < RING; i++) {
      if (ids[i] == on_screen)
         continue;
      CHECK(drmModeGetFB(sc.c.fd, ids[i]) == NULL);
   }
   drmModeCrtcPtr crtc = drmModeGetCrtc(sc.c.fd, sc.c.crtc);
   CHECK(crtc != NULL);
   printf("# after the last unref the CRTC shows fb %u (%s)\n", crtc->buffer_id,
          crtc->buffer_id ? "CLOSEFB: still on screen" : "RmFB: dark");
   CHECK(crtc->buffer_id == 0 || crtc->buffer_id == on_screen);
   drmModeFreeCrtc(crtc);
   CHECK_EQ(drmModeSetCrtc(sc.c.fd, sc.c.crtc, 0, 0, 0, NULL, 0, NULL), 0);
   CHECK(drmModeGetFB(sc.c.fd, on_screen) == NULL);
   scene_end(&sc);
}

/* A player's pattern: only the frame on screen is referenced, each buffer
 * released after the commit that replaced it. The idle framebuffers make
 * that RING framebuffers over 60 frames; a bound of 0 makes one per frame,
 * as before idle entries. Trim removes the idle ones from the kernel. */
static unsigned
play_on_screen(struct scene *sc, unsigned frames)
{
   unsigned created = 0;
   struct fdid_kms_fb *shown = NULL;
   for (unsigned frame = 0; frame < frames; frame++) {
      struct client_buf *b = &sc->ring[frame % RING];
      render(b, frame);
      struct fdid_image img;
      int fd = frame_image(sc->cfd, b, &sc->c.mode, &img);
      struct fdid_kms_fb *fb;
      bool made;
      CHECK_EQ(fdid_kms_fb_acquire(sc->c.kms, &img, &fb, &made), 0);
      close(fd);
      created += made;
      show(&sc->c, fb);
      fdid_kms_fb_unref(shown);
      shown = fb;
   }
   fdid_kms_fb_unref(shown);
   return created;
}

FDID_TEST(player_releasing_every_frame_keeps_idle_framebuffers)
{
   struct scene sc;
   scene_begin(&sc);
   CHECK_EQ(fdid_kms_set_idle_limit(sc.c.kms, FDID_KMS_IDLE_DEFAULT), 0);
   CHECK_EQ(play_on_screen(&sc, 60), RING);
   check_screen_shows(59);
   CHECK_EQ(fdid_kms_idle_count(sc.c.kms), RING);
   CHECK_EQ(fdid_kms_fb_count(sc.c.kms), RING);
   CHECK_EQ(count_handles(sc.c.fd, 64), RING);

   /* Memory pressure: the idle framebuffers go, their handles with them
    * (the one on screen stays shown until a commit replaces it, or goes
    * dark with RmFB before 6.8). */
   CHECK_EQ(drmModeSetCrtc(sc.c.fd, sc.c.crtc, 0, 0, 0, NULL, 0, NULL), 0);
   CHECK_EQ(fdid_kms_trim(sc.c.kms, 0), RING);
   CHECK_EQ(fdid_kms_fb_count(sc.c.kms), 0);
   CHECK_EQ(count_handles(sc.c.fd, 64), 0);

   /* Bound 0: a framebuffer per frame, none kept. */
   CHECK_EQ(fdid_kms_set_idle_limit(sc.c.kms, 0), 0);
   CHECK_EQ(play_on_screen(&sc, 12), 12);
   CHECK_EQ(fdid_kms_fb_count(sc.c.kms), 0);
   scene_end(&sc);
}

/* A buffer destroyed mid-run and a new one: the new buffer gets a new
 * framebuffer; the old one's framebuffer and handle go exactly once. */
FDID_TEST(buffer_churn)
{
   struct scene sc;
   scene_begin(&sc);
   struct fdid_kms_fb *held[RING] = { 0 };
   unsigned created = 0;
   for (unsigned frame = 0; frame < 30; frame++) {
      int slot = frame % RING;
      if (frame == 15) {
         /* Buffer 0 goes: the compositor lets its framebuffer go (not on
          * screen now), the client destroys it and makes a new one. */
         int old_fd = prime_export(sc.cfd, sc.ring[0].handle);
         uint32_t old_handle = prime_import(sc.c.fd, old_fd); /* the table's */
         close(old_fd);
         uint32_t old_id = fdid_kms_fb_id(held[0]);
         fdid_kms_fb_unref(held[0]);
         held[0] = NULL;
         CHECK(drmModeGetFB(sc.c.fd, old_id) == NULL);
         check_handle_closed(sc.c.fd, old_handle);
         client_buf_destroy(sc.cfd, &sc.ring[0]);
         sc.ring[0] = client_buf_create(sc.cfd, &sc.c.mode);
      }
      render(&sc.ring[slot], frame);
      struct fdid_image img;
      int fd = frame_image(sc.cfd, &sc.ring[slot], &sc.c.mode, &img);
      struct fdid_kms_fb *fb;
      bool made;
      CHECK_EQ(fdid_kms_fb_acquire(sc.c.kms, &img, &fb, &made), 0);
      close(fd);
      created += made;
      show(&sc.c, fb);
      if (held[slot])
         fdid_kms_fb_unref(held[slot]);
      held[slot] = fb;
   }
   CHECK_EQ(created, RING + 1);
   for (int i = 0; i < RING; i++)
      fdid_kms_fb_unref(held[i]);
   CHECK_EQ(fdid_kms_fb_count(sc.c.kms), 0);
   scene_end(&sc);
}

/* Refusals: each a clear negative errno, nothing kept, no fd of the
 * caller's closed. */
FDID_TEST(refusals)
{
   struct compositor c;
   compositor_open(&c);
   int cfd = open_kms();
   struct client_buf b = client_buf_create(cfd, &c.mode);
   struct fdid_kms_fb *fb = NULL;

   /* A format the plane cannot show: the plane says so, AddFB2 too. */
   CHECK_EQ(fdid_kms_plane_supports(c.kms, c.primary, XR24, FDID_MODIFIER_LINEAR), 1);
   CHECK_EQ(fdid_kms_plane_supports(c.kms, c.primary, NV12, FDID_MODIFIER_LINEAR), 0);
   CHECK_EQ(fdid_kms_plane_supports(c.kms, 0xdead, XR24, FDID_MODIFIER_LINEAR), -ENOENT);
   int fd = prime_export(cfd, b.handle);
   struct fdid_image nv12;
   fdid_image_init(&nv12, NV12, 64, 64);
   CHECK_EQ(fdid_image_add_plane(&nv12, fd, 0, 64), 0);
   CHECK_EQ(fdid_image_add_plane(&nv12, fd, 64 * 64, 64), 0);
   CHECK_EQ(fdid_image_resolve(&nv12), 0);
   int r = fdid_kms_fb_acquire(c.kms, &nv12, &fb, NULL);
   CHECK_EQ(r, -ENOTSUP);
   /* A modifier the device cannot take (X tiling: virtio-gpu takes none). */
   struct fdid_image tiled;
   fdid_image_init(&tiled, XR24, 64, 64);
   tiled.modifier = (1ull << 56) | 1;
   CHECK_EQ(fdid_image_add_plane(&tiled, fd, 0, b.pitch), 0);
   CHECK_EQ(fdid_image_resolve(&tiled), 0);
   CHECK_EQ(fdid_kms_plane_supports(c.kms, c.primary, XR24, tiled.modifier), 0);
   CHECK_EQ(fdid_kms_fb_acquire(c.kms, &tiled, &fb, NULL), -ENOTSUP);
   CHECK_EQ(fdid_kms_fb_count(c.kms), 0);
   CHECK(fd_is_open(fd));

   /* Bigger than the buffer, a pipe, a closed fd: refused when resolved,
    * and an image never resolved is refused here. */
   struct fdid_image big;
   fdid_image_init(&big, XR24, c.mode.hdisplay, c.mode.vdisplay * 2);
   CHECK_EQ(fdid_image_add_plane(&big, fd, 0, b.pitch), 0);
   CHECK_EQ(fdid_image_resolve(&big), -EINVAL);
   CHECK_EQ(fdid_kms_fb_acquire(c.kms, &big, &fb, NULL), -EINVAL);
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   struct fdid_image piped;
   fdid_image_init(&piped, XR24, 64, 64);
   CHECK_EQ(fdid_image_add_plane(&piped, p[0], 0, 256), 0);
   CHECK_EQ(fdid_image_resolve(&piped), -EBADFD);
   CHECK_EQ(fdid_kms_fb_acquire(c.kms, &piped, &fb, NULL), -EINVAL);
   int closed = CHECK_SYS(dup(fd));
   close(closed);
   struct fdid_image gone;
   fdid_image_init(&gone, XR24, 64, 64);
   CHECK_EQ(fdid_image_add_plane(&gone, closed, 0, b.pitch), 0);
   CHECK_EQ(fdid_image_resolve(&gone), -EBADF);
   CHECK_EQ(fdid_kms_fb_acquire(c.kms, &gone, &fb, NULL), -EINVAL);
   CHECK(fd_is_open(p[0]));
   close(p[0]);
   close(p[1]);
   CHECK_EQ(fdid_kms_fb_acquire(NULL, &tiled, &fb, NULL), -EINVAL);
   CHECK_EQ(fdid_kms_fb_acquire(c.kms, &tiled, NULL, NULL), -EINVAL);
   fdid_kms_fb_unref(NULL);
   CHECK(fdid_kms_fb_ref(NULL) == NULL);

   /* A vgem dma-buf: virtio-gpu refuses it (ENODEV), nothing is kept. */
   struct buf v = buf_create(64, 64, 32);
   struct fdid_image foreign;
   fdid_image_init(&foreign, XR24, 64, 64);
   CHECK_EQ(fdid_image_add_plane(&foreign, v.fd, 0, v.pitch), 0);
   CHECK_EQ(fdid_image_resolve(&foreign), 0);
   r = fdid_kms_fb_acquire(c.kms, &foreign, &fb, NULL);
   CHECK(r < 0);
   printf("# a vgem buffer as a virtio-gpu framebuffer: %s\n", strerror(-r));
   CHECK(fd_is_open(v.fd));
   buf_destroy(&v);

   /* Not a KMS device (vgem), and a description shared with Mesa. */
   struct one_card vc = one_card_open();
   struct fdid_kms *none = NULL;
   CHECK_EQ(fdid_kms_create(vc.dev, 0, &none), -ENOTSUP);
   CHECK(none == NULL);
   one_card_close(&vc);
   CHECK_EQ(fdid_kms_create(c.dev, FDID_KMS_SHARED, &none), -EBUSY);
   CHECK_EQ(fdid_kms_create(NULL, 0, &none), -EINVAL);
   fdid_kms_destroy(NULL);

   CHECK_EQ(fdid_kms_fb_count(c.kms), 0);
   close(fd);
   client_buf_destroy(cfd, &b);
   close(cfd);
   compositor_close(&c); /* no handle of the refused imports is left */
}

/* Four threads showing and releasing the same three buffers through fresh
 * fds: every acquire finds or makes one framebuffer per buffer; at the end
 * none is left, nor any handle. */
struct racer {
   struct compositor *c;
   int cfd;
   struct client_buf *ring;
};

static void *
race(void *arg)
{
   struct racer *r = arg;
   for (unsigned i = 0; i < 150; i++) {
      struct fdid_image img;
      int fd = frame_image(r->cfd, &r->ring[i % RING], &r->c->mode, &img);
      struct fdid_kms_fb *fb;
      if (fdid_kms_fb_acquire(r->c->kms, &img, &fb, NULL) != 0)
         abort();
      close(fd);
      bool shown_ok = fdid_kms_fb_id(fb) != 0;
      fdid_kms_fb_unref(fb);
      if (!shown_ok)
         abort();
   }
   return NULL;
}

/*
 * LINEAR named explicitly, as many clients send it, on a device without
 * DRM_CAP_ADDFB2_MODIFIERS (virtio-gpu on both kernels): the plane shows
 * it, and so must a framebuffer (AddFB2 without the modifier flag, which
 * such a device refuses); shown on the CRTC. And the fd number of an image
 * given to another buffer after it was resolved: refused, nothing cached
 * under the first buffer's key.
 */
FDID_TEST(explicit_linear_and_a_reused_fd_number)
{
   struct compositor c;
   compositor_open(&c);
   uint64_t cap = 1;
   CHECK_EQ(drmGetCap(c.fd, DRM_CAP_ADDFB2_MODIFIERS, &cap), 0);
   printf("# ADDFB2_MODIFIERS: %llu\n", (unsigned long long)cap);
   int cfd = open_kms();
   struct client_buf a = client_buf_create(cfd, &c.mode), b = client_buf_create(cfd, &c.mode);
   struct fdid_image img;
   int fd = frame_image(cfd, &a, &c.mode, &img);
   img.modifier = FDID_MODIFIER_LINEAR;
   CHECK_EQ(fdid_image_resolve(&img), 0);
   CHECK_EQ(fdid_kms_plane_supports(c.kms, c.primary, XR24, FDID_MODIFIER_LINEAR), 1);
   struct fdid_kms_fb *fb = NULL;
   bool created = false;
   CHECK_EQ(fdid_kms_fb_acquire(c.kms, &img, &fb, &created), 0);
   CHECK(created);
   show(&c, fb);
   fdid_kms_fb_unref(fb);

   int other = prime_export(cfd, b.handle);
   CHECK_SYS(dup2(other, fd));
   close(other);
   CHECK_EQ(fdid_kms_fb_acquire(c.kms, &img, &fb, &created), -ESTALE);
   CHECK_EQ(fdid_kms_fb_count(c.kms), 0);
   close(fd);
   client_buf_destroy(cfd, &a);
   client_buf_destroy(cfd, &b);
   close(cfd);
   compositor_close(&c);
}

/*
 * The planes are read once, when the cache is made: a new buffer then asks
 * the kernel nothing about them (every plane ioctl fails from here on, by a
 * seccomp filter), and still gets its framebuffer; a refresh that cannot
 * read them says so and keeps what it had.
 */
FDID_TEST(a_new_buffer_asks_no_plane_ioctl)
{
   struct compositor c;
   compositor_open(&c);
   int cfd = open_kms();
   struct client_buf a = client_buf_create(cfd, &c.mode), b = client_buf_create(cfd, &c.mode);
   scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
   CHECK(ctx != NULL);
   static const unsigned long plane_ioctls[] = {
      DRM_IOCTL_MODE_GETPLANERESOURCES, DRM_IOCTL_MODE_GETPLANE,
      DRM_IOCTL_MODE_OBJ_GETPROPERTIES, DRM_IOCTL_MODE_GETPROPERTY,
      DRM_IOCTL_MODE_GETPROPBLOB,
   };
   for (size_t i = 0; i < sizeof(plane_ioctls) / sizeof(plane_ioctls[0]); i++)
      CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                SCMP_A1(SCMP_CMP_EQ, plane_ioctls[i])), 0);
   CHECK_EQ(seccomp_load(ctx), 0);
   seccomp_release(ctx);

   struct fdid_image img;
   int fds_before = open_fd_count();
   int fd = frame_image(cfd, &a, &c.mode, &img);
   struct fdid_kms_fb *fb = NULL;
   bool created = false;
   CHECK_EQ(fdid_kms_fb_acquire(c.kms, &img, &fb, &created), 0);
   CHECK(created);
   /* The framebuffer's GEM handle holds the buffer: no dup of the client's
    * fd is kept beside it. */
   CHECK_EQ(open_fd_count(), fds_before + 1);
   CHECK_EQ(fdid_kms_plane_supports(c.kms, c.primary, XR24, FDID_MODIFIER_LINEAR), 1);
   CHECK_EQ(fdid_kms_refresh_planes(c.kms), -EPERM);
   int fd2 = frame_image(cfd, &b, &c.mode, &img);
   struct fdid_kms_fb *fb2 = NULL;
   CHECK_EQ(fdid_kms_fb_acquire(c.kms, &img, &fb2, &created), 0);
   CHECK(created && fb2 != fb);
   fdid_kms_fb_unref(fb);
   fdid_kms_fb_unref(fb2);
   close(fd);
   close(fd2);
   client_buf_destroy(cfd, &a);
   client_buf_destroy(cfd, &b);
   close(cfd);
   compositor_close(&c);
}

FDID_TEST(four_threads)
{
   struct scene sc;
   scene_begin(&sc);
   pthread_t t[4];
   struct racer r = { &sc.c, sc.cfd, sc.ring };
   for (int i = 0; i < 4; i++)
      CHECK_EQ(pthread_create(&t[i], NULL, race, &r), 0);
   for (int i = 0; i < 4; i++)
      CHECK_EQ(pthread_join(t[i], NULL), 0);
   CHECK_EQ(fdid_kms_fb_count(sc.c.kms), 0);
   scene_end(&sc);
}

/* ---- a present loop with real GL, across processes -------------------- */

/* Atomic modesetting on the compositor's CRTC and primary plane. */
struct atomic {
   uint32_t plane_fb, plane_crtc, src_x, src_y, src_w, src_h, crtc_x, crtc_y, crtc_w, crtc_h;
   uint32_t crtc_mode, crtc_active, conn_crtc, mode_blob;
};

static uint32_t
prop_id(int fd, uint32_t object, uint32_t type, const char *name)
{
   drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, object, type);
   uint32_t id = 0;
   for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
      drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);
      if (p && strcmp(p->name, name) == 0)
         id = p->prop_id;
      drmModeFreeProperty(p);
   }
   drmModeFreeObjectProperties(props);
   CHECK(id != 0);
   return id;
}

static void
atomic_init(struct compositor *c, struct atomic *a)
{
   CHECK_EQ(drmSetClientCap(c->fd, DRM_CLIENT_CAP_ATOMIC, 1), 0);
   const uint32_t P = DRM_MODE_OBJECT_PLANE;
   a->plane_fb = prop_id(c->fd, c->primary, P, "FB_ID");
   a->plane_crtc = prop_id(c->fd, c->primary, P, "CRTC_ID");
   a->src_x = prop_id(c->fd, c->primary, P, "SRC_X");
   a->src_y = prop_id(c->fd, c->primary, P, "SRC_Y");
   a->src_w = prop_id(c->fd, c->primary, P, "SRC_W");
   a->src_h = prop_id(c->fd, c->primary, P, "SRC_H");
   a->crtc_x = prop_id(c->fd, c->primary, P, "CRTC_X");
   a->crtc_y = prop_id(c->fd, c->primary, P, "CRTC_Y");
   a->crtc_w = prop_id(c->fd, c->primary, P, "CRTC_W");
   a->crtc_h = prop_id(c->fd, c->primary, P, "CRTC_H");
   a->crtc_mode = prop_id(c->fd, c->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID");
   a->crtc_active = prop_id(c->fd, c->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE");
   a->conn_crtc = prop_id(c->fd, c->connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID");
   CHECK_EQ(drmModeCreatePropertyBlob(c->fd, &c->mode, sizeof(c->mode), &a->mode_blob), 0);
}

/* One atomic commit showing fb; the first also sets the mode. */
static void
atomic_show(struct compositor *c, struct atomic *a, uint32_t fb, bool first)
{
   drmModeAtomicReqPtr req = drmModeAtomicAlloc();
   uint32_t w = c->mode.hdisplay, h = c->mode.vdisplay;
   if (first) {
      drmModeAtomicAddProperty(req, c->connector, a->conn_crtc, c->crtc);
      drmModeAtomicAddProperty(req, c->crtc, a->crtc_mode, a->mode_blob);
      drmModeAtomicAddProperty(req, c->crtc, a->crtc_active, 1);
      drmModeAtomicAddProperty(req, c->primary, a->plane_crtc, c->crtc);
      drmModeAtomicAddProperty(req, c->primary, a->src_x, 0);
      drmModeAtomicAddProperty(req, c->primary, a->src_y, 0);
      drmModeAtomicAddProperty(req, c->primary, a->src_w, (uint64_t)w << 16);
      drmModeAtomicAddProperty(req, c->primary, a->src_h, (uint64_t)h << 16);
      drmModeAtomicAddProperty(req, c->primary, a->crtc_x, 0);
      drmModeAtomicAddProperty(req, c->primary, a->crtc_y, 0);
      drmModeAtomicAddProperty(req, c->primary, a->crtc_w, w);
      drmModeAtomicAddProperty(req, c->primary, a->crtc_h, h);
   }
   drmModeAtomicAddProperty(req, c->primary, a->plane_fb, fb);
   CHECK_EQ(drmModeAtomicCommit(c->fd, req, first ? DRM_MODE_ATOMIC_ALLOW_MODESET : 0, NULL),
            0);
   drmModeAtomicFree(req);
}

/* Frame n's clear colour, and the frame message the client sends. */
static uint32_t
frame_colour(unsigned frame)
{
   return ((frame * 37u) & 0xff) << 16 | ((frame * 91u) & 0xff) << 8 | 0x80;
}

struct frame_msg {
   uint32_t slot, frame, stride;
};

/* The client: GL on GBM on its own open of virtio-gpu, RING buffers, each
 * frame cleared to its colour and sent as a new fd. */
static void
client_run(int sock, uint32_t w, uint32_t h, unsigned frames)
{
   struct gl_context gl;
   gl_context_init_on(&gl, "virtio_gpu");
   struct gbm_bo *bos[RING];
   GLuint fbos[RING], texs[RING];
   for (int i = 0; i < RING; i++) {
      bos[i] = gbm_bo_create(gl.gbm, w, h, GBM_FORMAT_XRGB8888,
                             GBM_BO_USE_RENDERING | GBM_BO_USE_SCANOUT | GBM_BO_USE_LINEAR);
      CHECK(bos[i] != NULL);
      EGLImageKHR img = gl.create_image(gl.dpy, EGL_NO_CONTEXT, EGL_NATIVE_PIXMAP_KHR,
                                        (EGLClientBuffer)bos[i], NULL);
      CHECK(img != EGL_NO_IMAGE_KHR);
      glGenTextures(1, &texs[i]);
      glBindTexture(GL_TEXTURE_2D, texs[i]);
      gl.image_target_texture(GL_TEXTURE_2D, img);
      glGenFramebuffers(1, &fbos[i]);
      glBindFramebuffer(GL_FRAMEBUFFER, fbos[i]);
      glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texs[i], 0);
      CHECK_EQ(glCheckFramebufferStatus(GL_FRAMEBUFFER), GL_FRAMEBUFFER_COMPLETE);
   }
   for (unsigned frame = 0; frame < frames; frame++) {
      int slot = frame % RING;
      uint32_t col = frame_colour(frame);
      glBindFramebuffer(GL_FRAMEBUFFER, fbos[slot]);
      glViewport(0, 0, (GLsizei)w, (GLsizei)h);
      glClearColor((col >> 16 & 0xff) / 255.0f, (col >> 8 & 0xff) / 255.0f, (col & 0xff) / 255.0f,
                   1.0f);
      glClear(GL_COLOR_BUFFER_BIT);
      glFinish();
      int fd = gbm_bo_get_fd(bos[slot]);
      CHECK(fd >= 0);
      struct frame_msg m = { (uint32_t)slot, frame, gbm_bo_get_stride(bos[slot]) };
      CHECK_EQ(write(sock, &m, sizeof(m)), (ssize_t)sizeof(m));
      send_fd(sock, fd);
      close(fd);
      char ack;
      CHECK_EQ(read(sock, &ack, 1), 1); /* shown: the next slot is free */
   }
   for (int i = 0; i < RING; i++)
      gbm_bo_destroy(bos[i]);
   gl_context_fini(&gl);
}

/* A client process renders frames with GL and sends each as a new fd; the
 * compositor shows them through the cache with atomic commits: one
 * framebuffer per client buffer, the last frame's colour on screen (read
 * from the host), nothing of ours left. */
FDID_TEST(present_loop_real_gl_across_processes)
{
   enum { FRAMES = 60 };
   struct compositor c;
   compositor_open(&c);
   struct atomic a;
   atomic_init(&c, &a);
   int sv[2];
   CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
   pid_t pid = CHECK_SYS(fork());
   if (pid == 0) {
      close(sv[0]);
      client_run(sv[1], c.mode.hdisplay, c.mode.vdisplay, FRAMES);
      _exit(0);
   }
   close(sv[1]);
   struct fdid_kms_fb *held[RING] = { 0 }, *shown = NULL;
   unsigned created = 0;
   for (unsigned n = 0; n < FRAMES; n++) {
      struct frame_msg m;
      CHECK_EQ(read(sv[0], &m, sizeof(m)), (ssize_t)sizeof(m));
      CHECK(m.frame == n && m.slot < RING);
      int fd = recv_fd(sv[0]);
      struct fdid_image img;
      fdid_image_init(&img, XR24, c.mode.hdisplay, c.mode.vdisplay);
      CHECK_EQ(fdid_image_add_plane(&img, fd, 0, m.stride), 0);
      CHECK_EQ(fdid_image_resolve(&img), 0);
      struct fdid_kms_fb *fb;
      bool made;
      CHECK_EQ(fdid_kms_fb_acquire(c.kms, &img, &fb, &made), 0);
      close(fd);
      created += made;
      if (!held[m.slot]) {
         CHECK(fdid_kms_fb_ref(fb) == fb);
         held[m.slot] = fb;
      }
      atomic_show(&c, &a, fdid_kms_fb_id(fb), n == 0);
      if (shown)
         fdid_kms_fb_unref(shown);
      shown = fb;
      CHECK_EQ(write(sv[0], "k", 1), 1);
   }
   CHECK_EQ(wait_child(pid), 0);
   close(sv[0]);
   CHECK_EQ(created, RING);
   /* The whole screen is the last frame's colour. */
   uint32_t px[MARK];
   if (read_screen(px, MARK)) {
      for (unsigned i = 0; i < MARK; i++)
         CHECK_EQ(px[i], frame_colour(FRAMES - 1));
   }
   fdid_kms_fb_unref(shown);
   for (int i = 0; i < RING; i++)
      fdid_kms_fb_unref(held[i]);
   CHECK_EQ(fdid_kms_fb_count(c.kms), 0);
   drmModeDestroyPropertyBlob(c.fd, a.mode_blob);
   compositor_close(&c);
}

/* The same-description hazard with real Mesa: GBM's buffer on Mesa's own
 * description has a handle the kernel would hand fdid's table too on that
 * description (one namespace), so fdid refuses a description the caller
 * says is shared (FDID_KMS_SHARED); on its own open, fdid's framebuffer of
 * Mesa's buffer comes and goes and Mesa's handle and buffer live on. */
FDID_TEST(mesa_on_one_description)
{
   struct gl_context gl;
   gl_context_init_on(&gl, "virtio_gpu");
   struct gbm_bo *bo = gbm_bo_create(gl.gbm, 64, 64, GBM_FORMAT_XRGB8888,
                                     GBM_BO_USE_RENDERING | GBM_BO_USE_SCANOUT |
                                        GBM_BO_USE_LINEAR);
   CHECK(bo != NULL);
   uint32_t mesa_handle = gbm_bo_get_handle(bo).u32;
   int dmabuf = gbm_bo_get_fd(bo);
   CHECK(dmabuf >= 0);
   /* The hazard: on Mesa's description an import is Mesa's own handle. */
   CHECK_EQ(prime_import(gl.card, dmabuf), mesa_handle);
   /* The guarantee, part one: that description is refused when said. */
   struct fdid_device *shared = dev_acquire(gl.card);
   struct fdid_kms *refused = NULL;
   CHECK_EQ(fdid_kms_create(shared, FDID_KMS_SHARED, &refused), -EBUSY);
   CHECK(refused == NULL);
   fdid_device_unref(shared);
   CHECK(gem_handle_alive(gl.card, mesa_handle)); /* the table made no handle of it */

   /* Part two: on fdid's own description, its handle is its own. */
   struct compositor c;
   compositor_open(&c);
   struct fdid_image img;
   fdid_image_init(&img, XR24, 64, 64);
   CHECK_EQ(fdid_image_add_plane(&img, dmabuf, 0, gbm_bo_get_stride(bo)), 0);
   CHECK_EQ(fdid_image_resolve(&img), 0);
   struct fdid_kms_fb *fb;
   CHECK_EQ(fdid_kms_fb_acquire(c.kms, &img, &fb, NULL), 0);
   CHECK(fdid_kms_fb_id(fb) != 0);
   fdid_kms_fb_unref(fb);
   CHECK(gem_handle_alive(gl.card, mesa_handle));
   compositor_close(&c); /* fdid's description: no handle left */
   /* Mesa's buffer still works: render into it. */
   EGLImageKHR eimg = gl.create_image(gl.dpy, EGL_NO_CONTEXT, EGL_NATIVE_PIXMAP_KHR,
                                      (EGLClientBuffer)bo, NULL);
   CHECK(eimg != EGL_NO_IMAGE_KHR);
   gl.destroy_image(gl.dpy, eimg);
   close(dmabuf);
   gbm_bo_destroy(bo);
   gl_context_fini(&gl);
}

FDID_TEST_MAIN()
