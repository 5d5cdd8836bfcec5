/* SPDX-License-Identifier: MIT */
/*
 * fdid-kiosk (examples/kiosk) serving Debian's unmodified Weston demo
 * clients and a hostile client written here, on virtio-gpu in the guests.
 * The kernel is the witness: the kiosk's GEM handles, framebuffers and fds
 * through a dup of its DRM fd (pidfd_getfd), its ioctls through strace,
 * the screen through QEMU's screendump.
 *
 * FDID_KIOSK_FRAMES (default 1000): the frames over which what the kiosk
 * holds must stay flat.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
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

static unsigned
frames(void)
{
   const char *v = getenv("FDID_KIOSK_FRAMES");
   return v && atoi(v) > 0 ? (unsigned)atoi(v) : 1000;
}

/* The screen: how many pixels are not black, and whether a border of
 * `border` pixels is all black. NULL screendump (not in the guest): skip. */
static unsigned
screen_lit(unsigned *w, unsigned *h, unsigned border, bool *border_black)
{
   FILE *f = screendump_open(w, h);
   if (!f)
      SKIP("no screendump (not in the guest)");
   unsigned lit = 0;
   *border_black = true;
   for (unsigned y = 0; y < *h; y++) {
      for (unsigned x = 0; x < *w; x++) {
         int r = fgetc(f), g = fgetc(f), b = fgetc(f);
         CHECK(b != EOF);
         bool on = r || g || b;
         lit += on;
         if (on && (x < border || y < border || x >= *w - border || y >= *h - border))
            *border_black = false;
      }
   }
   fclose(f);
   return lit;
}

/* How many times strace saw each ioctl in the log. */
static unsigned
count_ioctl(const char *log, const char *name)
{
   FILE *f = fopen(log, "r");
   CHECK(f);
   char line[1024];
   unsigned n = 0;
   while (fgets(line, sizeof(line), f))
      n += strstr(line, name) != NULL && strstr(line, "= -1") == NULL;
   fclose(f);
   return n;
}

static const char *const dmabuf_client[] = { "weston-simple-dmabuf-egl", "-d", NULL, NULL };

static int
start_dmabuf_client(struct kiosk_session *s)
{
   const char *argv[4];
   memcpy(argv, dmabuf_client, sizeof(argv));
   argv[2] = s->node;
   return kiosk_client_start(s, argv);
}

/*
 * weston-simple-dmabuf-egl (Mesa's GBM on the same node renders each
 * buffer): frames flipped, its pixels on screen, each of its buffers
 * imported and added once (strace), the kiosk's handles, framebuffers and
 * fds flat over FDID_KIOSK_FRAMES frames, and back to the kiosk's own
 * after the client is killed mid-frame.
 */
FDID_TEST(dmabuf_egl_direct_scanout)
{
   if (!have_program("weston-simple-dmabuf-egl"))
      SKIP("weston-simple-dmabuf-egl is not installed (Debian 13's guest has it; "
           "Debian 12's Weston 10 is not in this root)");
   char log[96] = "";
   const char *wrap[] = { "strace", "-qq", "-f", "-e", "trace=ioctl", "-e", "signal=none",
                          "-o", log, NULL };
   snprintf(log, sizeof(log), "/tmp/fdid-kiosk-ioctls-%d", (int)getpid());
   struct kiosk_session s;
   kiosk_start(&s, SIZE, SIZE, have_program("strace") ? wrap : NULL);
   struct kiosk_held base = kiosk_held(&s);
   CHECK_EQ(base.fbs, 2); /* its two dumb buffers */

   int client = start_dmabuf_client(&s);
   struct kiosk_counts c0 = kiosk_wait_flips(&s, 30, 240);
   struct kiosk_held h0 = kiosk_held(&s);
   unsigned w, h;
   bool border_black;
   unsigned lit = screen_lit(&w, &h, 0, &border_black);
   CHECK_EQ(w, SIZE);
   CHECK_EQ(h, SIZE);
   CHECK(lit > SIZE * SIZE / 8); /* the client's square, not the black background */

   struct kiosk_counts c1 = kiosk_wait_flips(&s, c0.flips + frames(), 600);
   struct kiosk_held h1 = kiosk_held(&s);
   CHECK_EQ(c1.flip_errors, 0);
   CHECK(c1.dmabuf_buffers >= 2);
   /* No framebuffer added after the first frames: one per client buffer. */
   CHECK_EQ(c1.fbs_created, c0.fbs_created);
   CHECK_EQ(c1.fbs_created, c1.dmabuf_buffers);
   CHECK_EQ(h1.fbs, base.fbs + c1.dmabuf_buffers);
   CHECK_EQ(h1.handles, base.handles + c1.dmabuf_buffers);
   CHECK_EQ(h1.handles, h0.handles);
   CHECK_EQ(h1.fbs, h0.fbs);
   CHECK(!memcmp(h1.fb_ids, h0.fb_ids, sizeof(h0.fb_ids)));
   CHECK_EQ(h1.fds, h0.fds);

   /* Killed mid-frame: its framebuffers and handles go after the next flip. */
   kill(client, SIGKILL);
   kiosk_client_stop(client);
   kiosk_wait_held(&s, base);
   lit = screen_lit(&w, &h, 0, &border_black);
   CHECK_EQ(lit, 0);
   struct kiosk_counts end = kiosk_counts(&s);
   kiosk_stop(&s);
   printf("# %llu flips, %llu buffers, %llu framebuffers added\n",
          (unsigned long long)end.flips, (unsigned long long)end.dmabuf_buffers,
          (unsigned long long)end.fbs_created);
   if (log[0] && access(log, F_OK) == 0) {
      /* The kiosk's own two dumb buffers were added once too; they are
       * made, not imported. */
      CHECK_EQ(count_ioctl(log, "DRM_IOCTL_PRIME_FD_TO_HANDLE"), end.dmabuf_buffers);
      CHECK_EQ(count_ioctl(log, "DRM_IOCTL_MODE_ADDFB2"), end.dmabuf_buffers + 2);
      printf("# strace: %u PRIME imports, %u AddFB2 over %llu flips\n",
             count_ioctl(log, "DRM_IOCTL_PRIME_FD_TO_HANDLE"),
             count_ioctl(log, "DRM_IOCTL_MODE_ADDFB2"), (unsigned long long)end.flips);
      unlink(log);
   }
}

/* weston-simple-shm, configured to the screen's size: copied into the
 * kiosk's dumb buffers at each flip, its frame (20 pixels painted white
 * by the client) on screen. */
FDID_TEST(shm_client_shown)
{
   if (!have_program("weston-simple-shm"))
      SKIP("weston-simple-shm is not installed (Debian 13's guest has it)");
   struct kiosk_session s;
   kiosk_start(&s, SIZE, SIZE, NULL);
   struct kiosk_held base = kiosk_held(&s);
   const char *argv[] = { "weston-simple-shm", NULL };
   int client = kiosk_client_start(&s, argv);
   struct kiosk_counts c;
   for (int i = 0; i < 600 && (c = kiosk_counts(&s)).shm_copies < 30; i++)
      usleep(100000);
   CHECK(c.shm_copies >= 30);
   unsigned w, h;
   FILE *f = screendump_open(&w, &h);
   if (!f)
      SKIP("no screendump (not in the guest)");
   CHECK_EQ(w, SIZE);
   CHECK_EQ(h, SIZE);
   unsigned char corner[3];
   CHECK_EQ(fread(corner, 1, 3, f), 3);
   fclose(f);
   CHECK(corner[0] == 255 && corner[1] == 255 && corner[2] == 255);
   kiosk_client_stop(client);
   kiosk_wait_held(&s, base);
   kiosk_stop(&s);
}

/* One client at a time: the second is shown once the first leaves. */
FDID_TEST(second_client_after_first)
{
   if (!have_program("weston-simple-dmabuf-egl") || !have_program("weston-simple-shm"))
      SKIP("Weston's demo clients are not installed (Debian 13's guest has them)");
   struct kiosk_session s;
   kiosk_start(&s, SIZE, SIZE, NULL);
   struct kiosk_held base = kiosk_held(&s);
   int first = start_dmabuf_client(&s);
   struct kiosk_counts c = kiosk_wait_flips(&s, 20, 240);
   const char *argv[] = { "weston-simple-shm", NULL };
   int second = kiosk_client_start(&s, argv);
   c = kiosk_wait_flips(&s, c.flips + 40, 240);
   CHECK_EQ(c.shm_copies, 0);
   kiosk_client_stop(first);
   for (int i = 0; i < 600 && (c = kiosk_counts(&s)).shm_copies < 10; i++)
      usleep(100000);
   CHECK(c.shm_copies >= 10);
   kiosk_client_stop(second);
   kiosk_wait_held(&s, base);
   kiosk_stop(&s);
}

FDID_TEST_MAIN()
