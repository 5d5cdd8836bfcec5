/* SPDX-License-Identifier: MIT */
/*
 * A hostile client against fdid-kiosk: every malformed dma-buf params gets
 * its protocol error (or `failed`), never a crash or a leaked fd; a flood
 * of plane fds is cut off; a client that closes its fds early still gets
 * its buffer; one that disconnects mid-frame loses its framebuffer after
 * the next flip. Meanwhile Debian's weston-simple-dmabuf-egl, where
 * installed, keeps being shown. Runs in both guests (the hostile client is
 * this program's own), and under ASan: the kiosk must exit without a leak.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include <xf86drm.h>

#include "drm_util.h"
#include "fdid_test.h"
#include "kiosk_session.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "test_client.h"

#define SIZE 256
#define XRGB8888 0x34325258u
#define NV12 0x3231564eu
#define P(e) ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_##e

/* A 256x256 XRGB8888 dumb buffer on the kiosk's node, exported. */
struct src {
   int card, fd;
   uint32_t handle, pitch;
};

static void
add(struct zwp_linux_buffer_params_v1 *p, int fd, uint32_t plane, uint32_t offset,
    uint32_t pitch, uint64_t modifier)
{
   zwp_linux_buffer_params_v1_add(p, fd, plane, offset, pitch, (uint32_t)(modifier >> 32),
                                  (uint32_t)modifier);
}

static void
create(struct zwp_linux_buffer_params_v1 *p, int32_t w, int32_t h, uint32_t format)
{
   zwp_linux_buffer_params_v1_create(p, w, h, format, 0);
}

static void
case_not_dmabuf(struct test_client *c, const struct src *s)
{
   int memfd = CHECK_SYS(memfd_create("not-a-dmabuf", MFD_CLOEXEC));
   CHECK_SYS(ftruncate(memfd, (off_t)s->pitch * SIZE));
   struct zwp_linux_buffer_params_v1 *p = test_client_params(c);
   add(p, memfd, 0, 0, s->pitch, 0);
   close(memfd);
   create(p, SIZE, SIZE, XRGB8888);
}

static void
case_not_dmabuf_immed(struct test_client *c, const struct src *s)
{
   int memfd = CHECK_SYS(memfd_create("not-a-dmabuf", MFD_CLOEXEC));
   CHECK_SYS(ftruncate(memfd, (off_t)s->pitch * SIZE));
   struct zwp_linux_buffer_params_v1 *p = test_client_params(c);
   add(p, memfd, 0, 0, s->pitch, 0);
   close(memfd);
   zwp_linux_buffer_params_v1_create_immed(p, SIZE, SIZE, XRGB8888, 0);
}

static void
case_plane_index(struct test_client *c, const struct src *s)
{
   add(test_client_params(c), s->fd, 4, 0, s->pitch, 0);
}

static void
case_plane_twice(struct test_client *c, const struct src *s)
{
   struct zwp_linux_buffer_params_v1 *p = test_client_params(c);
   add(p, s->fd, 0, 0, s->pitch, 0);
   add(p, s->fd, 0, 0, s->pitch, 0);
}

static void
one_plane(struct test_client *c, const struct src *s, uint32_t offset, uint32_t pitch,
          uint64_t modifier, int32_t w, int32_t h, uint32_t format)
{
   struct zwp_linux_buffer_params_v1 *p = test_client_params(c);
   add(p, s->fd, 0, offset, pitch, modifier);
   create(p, w, h, format);
}

static void
case_offset_2_32(struct test_client *c, const struct src *s)
{
   one_plane(c, s, UINT32_MAX, s->pitch, 0, SIZE, SIZE, XRGB8888);
}

static void
case_stride_2_31(struct test_client *c, const struct src *s)
{
   one_plane(c, s, 0, 1u << 31, 0, SIZE, SIZE, XRGB8888);
}

static void
case_stride_short(struct test_client *c, const struct src *s)
{
   one_plane(c, s, 0, 4, 0, SIZE, SIZE, XRGB8888);
}

static void
case_extra_plane(struct test_client *c, const struct src *s)
{
   struct zwp_linux_buffer_params_v1 *p = test_client_params(c);
   add(p, s->fd, 0, 0, s->pitch, 0);
   add(p, s->fd, 1, 0, s->pitch, 0);
   create(p, SIZE, SIZE, XRGB8888);
}

static void
case_plane_gap(struct test_client *c, const struct src *s)
{
   struct zwp_linux_buffer_params_v1 *p = test_client_params(c);
   add(p, s->fd, 1, 0, s->pitch, 0);
   create(p, SIZE, SIZE, XRGB8888);
}

static void
case_no_plane(struct test_client *c, const struct src *s)
{
   create(test_client_params(c), SIZE, SIZE, XRGB8888);
}

static void
case_format_not_shown(struct test_client *c, const struct src *s)
{
   struct zwp_linux_buffer_params_v1 *p = test_client_params(c);
   add(p, s->fd, 0, 0, s->pitch, 0);
   add(p, s->fd, 1, 0, s->pitch, 0);
   create(p, SIZE, SIZE, NV12);
}

static void
case_modifier_not_shown(struct test_client *c, const struct src *s)
{
   one_plane(c, s, 0, s->pitch, 0x0100000000000001ull /* Intel X-tiled */, SIZE, SIZE,
             XRGB8888);
}

static void
case_modifiers_disagree(struct test_client *c, const struct src *s)
{
   struct zwp_linux_buffer_params_v1 *p = test_client_params(c);
   add(p, s->fd, 0, 0, s->pitch, 0);
   add(p, s->fd, 1, 0, s->pitch, 0x0100000000000001ull);
}

static void
case_zero_size(struct test_client *c, const struct src *s)
{
   one_plane(c, s, 0, s->pitch, 0, 0, SIZE, XRGB8888);
}

static void
case_not_mode_size(struct test_client *c, const struct src *s)
{
   one_plane(c, s, 0, s->pitch, 0, SIZE / 2, SIZE / 2, XRGB8888);
}

static void
case_used_twice(struct test_client *c, const struct src *s)
{
   struct zwp_linux_buffer_params_v1 *p = test_client_params(c);
   add(p, s->fd, 0, 0, s->pitch, 0);
   create(p, SIZE, SIZE, XRGB8888);
   CHECK(wl_display_roundtrip(c->display) >= 0); /* `created` */
   create(p, SIZE, SIZE, XRGB8888);
}

/* The kiosk holds its own fds of what it received: closing ours at once
 * changes nothing. */
static void
case_closed_early(struct test_client *c, const struct src *s)
{
   int fd = CHECK_SYS(dup(s->fd));
   struct zwp_linux_buffer_params_v1 *p = test_client_params(c);
   add(p, fd, 0, 0, s->pitch, 0);
   close(fd);
   create(p, SIZE, SIZE, XRGB8888);
}

/* Plane fds waiting in params past what a client may keep there. */
static void
case_flood(struct test_client *c, const struct src *s)
{
   for (int i = 0; i < 400; i++) {
      add(test_client_params(c), s->fd, 0, 0, s->pitch, 0);
      if (i % 50 == 49)
         wl_display_flush(c->display);
   }
}

struct hostile_case {
   const char *name;
   void (*run)(struct test_client *c, const struct src *s);
   int error;           /* the protocol error, or -1 */
   const char *iface;   /* of the object it is raised on */
   unsigned failed, created;
};

static const struct hostile_case cases[] = {
   { "not a dma-buf (create)", case_not_dmabuf, -1, NULL, 1, 0 },
   { "not a dma-buf (create_immed)", case_not_dmabuf_immed, P(INVALID_WL_BUFFER),
     "zwp_linux_buffer_params_v1", 0, 0 },
   { "plane index 4", case_plane_index, P(PLANE_IDX), "zwp_linux_buffer_params_v1", 0, 0 },
   { "plane given twice", case_plane_twice, P(PLANE_SET), "zwp_linux_buffer_params_v1", 0, 0 },
   { "offset 2^32-1", case_offset_2_32, P(OUT_OF_BOUNDS), "zwp_linux_buffer_params_v1", 0, 0 },
   { "stride 2^31", case_stride_2_31, P(OUT_OF_BOUNDS), "zwp_linux_buffer_params_v1", 0, 0 },
   { "stride shorter than a row", case_stride_short, P(OUT_OF_BOUNDS),
     "zwp_linux_buffer_params_v1", 0, 0 },
   { "two planes for XRGB8888", case_extra_plane, P(PLANE_IDX), "zwp_linux_buffer_params_v1",
     0, 0 },
   { "plane 1 without plane 0", case_plane_gap, P(INCOMPLETE), "zwp_linux_buffer_params_v1",
     0, 0 },
   { "no plane", case_no_plane, P(INCOMPLETE), "zwp_linux_buffer_params_v1", 0, 0 },
   { "NV12 (no plane shows it)", case_format_not_shown, P(INVALID_FORMAT),
     "zwp_linux_buffer_params_v1", 0, 0 },
   { "X-tiled modifier", case_modifier_not_shown, P(INVALID_FORMAT),
     "zwp_linux_buffer_params_v1", 0, 0 },
   { "planes disagree on the modifier", case_modifiers_disagree, P(INVALID_FORMAT),
     "zwp_linux_buffer_params_v1", 0, 0 },
   { "width 0", case_zero_size, P(INVALID_DIMENSIONS), "zwp_linux_buffer_params_v1", 0, 0 },
   { "not the mode's size", case_not_mode_size, -1, NULL, 1, 0 },
   { "params used twice", case_used_twice, P(ALREADY_USED), "zwp_linux_buffer_params_v1", 0,
     1 },
   { "fd closed right after sending", case_closed_early, -1, NULL, 0, 1 },
   { "a flood of plane fds", case_flood, WL_DISPLAY_ERROR_IMPLEMENTATION, "wl_display", 0, 0 },
};

static struct src
src_create(void)
{
   struct src s;
   s.card = open_kms();
   struct dumb d = dumb_create(s.card, SIZE, SIZE);
   s.handle = d.handle;
   s.pitch = d.pitch;
   s.fd = prime_export(s.card, d.handle);
   return s;
}

static void
src_destroy(struct src *s)
{
   close(s->fd);
   gem_close(s->card, s->handle);
   close(s->card);
}

/* Runs fn as a client process of its own that ends with _exit(): a
 * hostile client dies with its proxies (and the protocol errors leave
 * many), so it has no leak check of its own; the kiosk has. */
static void
as_client(void (*fn)(void *), void *arg)
{
   fflush(stdout);
   int pid = CHECK_SYS(fork());
   if (pid == 0) {
      fn(arg);
      fflush(stdout);
      _exit(0);
   }
   CHECK_EQ(wait_child(pid), 0);
}

struct case_run {
   const struct hostile_case *hc;
   const struct src *src;
};

static void
run_case(void *data)
{
   const struct case_run *r = data;
   const struct hostile_case *hc = r->hc;
   struct test_client c;
   test_client_connect(&c);
   CHECK(c.xrgb_linear >= 1);
   hc->run(&c, r->src);
   const char *iface = "";
   int err = test_client_error(&c, &iface);
   /* A flood: the connection may be cut before the error is read. */
   if (err == -2 && hc->run == case_flood) {
      err = hc->error;
      iface = hc->iface;
   }
   if (err != hc->error || (hc->iface && strcmp(iface, hc->iface)) ||
       c.failed != hc->failed || c.created != hc->created)
      fdid_test_fail(__FILE__, __LINE__,
                     "%s: error %d on %s, %u failed, %u created; wanted %d on %s, %u, %u",
                     hc->name, err, iface, c.failed, c.created, hc->error,
                     hc->iface ? hc->iface : "-", hc->failed, hc->created);
   printf("# %s: %s\n", hc->name,
          err >= 0 ? "protocol error" : c.created ? "created" : "failed");
}

static void
show_and_hang_up(void *data)
{
   const struct src *s = data;
   struct test_client c;
   test_client_connect(&c);
   struct zwp_linux_buffer_params_v1 *p = test_client_params(&c);
   add(p, s->fd, 0, 0, s->pitch, 0);
   test_client_show(&c, zwp_linux_buffer_params_v1_create_immed(p, SIZE, SIZE, XRGB8888, 0));
}

FDID_TEST(hostile_params)
{
   struct kiosk_session ks;
   kiosk_start(&ks, SIZE, SIZE, NULL);
   kiosk_client_env(&ks);
   /* A well-behaved Debian client on screen throughout, where installed. */
   int debian = -1;
   if (have_program("weston-simple-dmabuf-egl")) {
      const char *argv[] = { "weston-simple-dmabuf-egl", "-d", ks.node, NULL };
      debian = kiosk_client_start(&ks, argv);
      kiosk_wait_flips(&ks, 30, 240);
   }
   struct kiosk_held base = kiosk_held(&ks);
   struct kiosk_counts before = kiosk_counts(&ks);
   struct src s = src_create();
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct case_run run = { &cases[i], &s };
      as_client(run_case, &run);
      CHECK(kiosk_alive(&ks));
   }
   /* Shown, then gone mid-frame: its flip still in flight. */
   as_client(show_and_hang_up, &s);
   src_destroy(&s);

   /* The Debian client went on being shown. */
   if (debian >= 0) {
      struct kiosk_counts after = kiosk_wait_flips(&ks, before.flips + 20, 240);
      CHECK(after.commits > before.commits);
      /* "used twice", "closed early" and the one shown last were made. */
      CHECK_EQ(after.dmabuf_buffers, before.dmabuf_buffers + 3);
   } else {
      kiosk_wait_flips(&ks, before.flips + 2, 60);
   }
   kiosk_wait_held(&ks, base);
   if (debian >= 0)
      kiosk_client_stop(debian);
   kiosk_stop(&ks);
}

/* A kiosk must show shm clients of any size: a smaller buffer is centred
 * on black. (Our client: Debian's simple-shm fills the screen.) */
FDID_TEST(shm_smaller_buffer_centred)
{
   struct kiosk_session ks;
   kiosk_start(&ks, SIZE, SIZE, NULL);
   kiosk_client_env(&ks);
   struct kiosk_held base = kiosk_held(&ks);
   int go[2];
   CHECK_SYS(pipe2(go, O_CLOEXEC));
   fflush(stdout);
   int client = CHECK_SYS(fork());
   if (client == 0) {
      close(go[1]);
      struct test_client c;
      test_client_connect(&c);
      test_client_show(&c, test_client_shm_buffer(&c, SIZE / 2, SIZE / 2, 0x00ff0000));
      char byte;
      (void)!read(go[0], &byte, 1); /* shown until the screen was read */
      _exit(0);
   }
   close(go[0]);
   struct kiosk_counts n;
   for (int i = 0; i < 200 && (n = kiosk_counts(&ks)).shm_copies < 1; i++)
      usleep(50000);
   CHECK_EQ(n.shm_copies, 1);
   kiosk_wait_flips(&ks, n.flips, 10);
   unsigned w, h;
   FILE *f = screendump_open(&w, &h);
   if (f) {
      CHECK_EQ(w, SIZE);
      CHECK_EQ(h, SIZE);
      unsigned red = 0, black = 0, inside_red = 0;
      for (unsigned y = 0; y < h; y++) {
         for (unsigned x = 0; x < w; x++) {
            int r = fgetc(f), g = fgetc(f), b = fgetc(f);
            CHECK(b != EOF);
            bool inside = x >= SIZE / 4 && x < 3 * SIZE / 4 && y >= SIZE / 4 && y < 3 * SIZE / 4;
            bool is_red = r == 255 && g == 0 && b == 0;
            red += is_red;
            black += !r && !g && !b;
            inside_red += inside && is_red;
         }
      }
      fclose(f);
      CHECK_EQ(inside_red, SIZE * SIZE / 4);
      CHECK_EQ(red, SIZE * SIZE / 4);
      CHECK_EQ(black, SIZE * SIZE * 3 / 4);
   }
   close(go[1]);
   CHECK_EQ(wait_child(client), 0);
   kiosk_wait_held(&ks, base);
   kiosk_stop(&ks);
}

FDID_TEST_MAIN()
