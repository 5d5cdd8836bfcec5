/* SPDX-License-Identifier: MIT */
/*
 * Sets up DRM fds and dma-bufs for the inspector's guest test, prints
 * where they are as one JSON line, and holds them until stdin closes.
 *
 *   parent: card0 opened twice (A, B); a dumb buffer on A exported twice
 *           (D1, D2: GEM keeps one dma-buf per object, so a second export
 *           is a new fd on the same description); D1 dup'ed (D3); a second
 *           buffer exported once (E).
 *   named:  one more buffer for each argument, named (DMA_BUF_SET_NAME)
 *           with the argument's hex-decoded bytes: hostile names.
 *   child:  forked after all that, so it shares every one of them.
 *
 * Every DRM call goes through libdrm. Exit 1 with a message on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xf86drm.h>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <xf86drmMode.h>

#include "drm_node.h"

static void
die(const char *what)
{
   fprintf(stderr, "inspect_holder: %s: %s\n", what, strerror(errno));
   exit(1);
}

static int
dumb_export(int card, uint32_t w, uint32_t h, uint64_t *size)
{
   struct drm_mode_create_dumb req = { .width = w, .height = h, .bpp = 32 };
   if (drmIoctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &req))
      die("DRM_IOCTL_MODE_CREATE_DUMB");
   int fd;
   if (drmPrimeHandleToFD(card, req.handle, DRM_CLOEXEC | DRM_RDWR, &fd))
      die("drmPrimeHandleToFD");
   *size = req.size;
   return fd;
}

/* "41420a" -> "AB\n"; at most DMA_BUF_NAME_LEN - 1 bytes. */
static void
unhex(const char *hex, char *out, size_t cap)
{
   size_t n = 0;
   for (; hex[0] && hex[1] && n + 1 < cap; hex += 2) {
      unsigned v;
      if (sscanf(hex, "%2x", &v) != 1) {
         errno = EINVAL;
         die("name in hex");
      }
      out[n++] = (char)v;
   }
   out[n] = 0;
}

int
main(int argc, char **argv)
{
   char card[64];
   if (!drm_node_of("vgem", false, card, sizeof(card))) {
      errno = ENOENT;
      die("vgem's primary node");
   }
   int a = open(card, O_RDWR | O_CLOEXEC);
   int b = open(card, O_RDWR | O_CLOEXEC);
   if (a < 0 || b < 0)
      die(card);

   struct drm_mode_create_dumb req = { .width = 64, .height = 64, .bpp = 32 };
   if (drmIoctl(a, DRM_IOCTL_MODE_CREATE_DUMB, &req))
      die("DRM_IOCTL_MODE_CREATE_DUMB");
   int d1, d2;
   if (drmPrimeHandleToFD(a, req.handle, DRM_CLOEXEC | DRM_RDWR, &d1) ||
       drmPrimeHandleToFD(a, req.handle, DRM_CLOEXEC | DRM_RDWR, &d2))
      die("drmPrimeHandleToFD");
   int d3 = dup(d1);
   if (d3 < 0)
      die("dup");
   uint64_t e_size;
   int e = dumb_export(a, 128, 128, &e_size);

   enum { MAX_NAMED = 16 };
   int named[MAX_NAMED];
   uint64_t named_size[MAX_NAMED];
   int n_named = argc - 1 < MAX_NAMED ? argc - 1 : MAX_NAMED;
   for (int i = 0; i < n_named; i++) {
      char name[DMA_BUF_NAME_LEN];
      unhex(argv[i + 1], name, sizeof(name));
      /* Sizes differ per buffer so that a forged size cannot match. */
      named[i] = dumb_export(a, 64, 16 * (uint32_t)(i + 1), &named_size[i]);
      if (ioctl(named[i], DMA_BUF_SET_NAME_B, name) != 0)
         die("DMA_BUF_SET_NAME");
   }

   fflush(stdout);
   pid_t child = fork();
   if (child < 0)
      die("fork");
   if (child == 0) {
      char c;
      while (read(0, &c, 1) > 0)
         ;
      _exit(0);
   }
   printf("{\"card\": \"%s\", \"parent\": %d, \"child\": %d, \"card_a\": %d, \"card_b\": %d, "
          "\"d1\": %d, \"d2\": %d, \"d3\": %d, \"d_size\": %llu, \"e\": %d, "
          "\"e_size\": %llu, \"named\": [",
          card, (int)getpid(), (int)child, a, b, d1, d2, d3, (unsigned long long)req.size, e,
          (unsigned long long)e_size);
   for (int i = 0; i < n_named; i++)
      printf("%s{\"fd\": %d, \"size\": %llu}", i ? ", " : "", named[i],
             (unsigned long long)named_size[i]);
   printf("]}\n");
   fflush(stdout);
   char c;
   while (read(0, &c, 1) > 0)
      ;
   waitpid(child, NULL, 0);
   return 0;
}
