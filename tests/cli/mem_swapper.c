/* SPDX-License-Identifier: MIT */
/*
 * A hostile process for `fdid mem`: one fd number that is a DRM client
 * (vgem's card) and, a moment later, a dma-buf whose name forges
 * drm-usage lines ("\ndrm-total-x:\t99999999 GiB"), swapped by a thread
 * as fast as it can; and an O_PATH open of the card, which takes no right
 * on the device and is no client. Prints one JSON line, swaps until stdin
 * closes. Exit 77: no vgem here.
 */
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "drm_node.h"
#include "drm_util.h"
#include "fdid_test.h"

static atomic_bool stop;
static int card, forged, swapped;

static void *
swap_loop(void *arg)
{
   (void)arg;
   while (!atomic_load(&stop)) {
      dup3(card, swapped, O_CLOEXEC);
      dup3(forged, swapped, O_CLOEXEC);
   }
   return NULL;
}

int
main(void)
{
   char path[64];
   if (!drm_node_of("vgem", false, path, sizeof(path)))
      return 77;
   card = open(path, O_RDWR | O_CLOEXEC);
   int opath = open(path, O_PATH | O_CLOEXEC);
   CHECK(card >= 0 && opath >= 0);
   forged = prime_export(card, dumb_create(card, 64, 64).handle);
   static const char name[] = "\ndrm-total-x:\t99999999 GiB";
   CHECK_EQ(ioctl(forged, DMA_BUF_SET_NAME_B, name), 0);
   swapped = CHECK_SYS(dup(card));
   pthread_t t;
   CHECK_EQ(pthread_create(&t, NULL, swap_loop, NULL), 0);
   printf("{\"p\": %d, \"card\": %d, \"swapped\": %d, \"opath\": %d}\n", (int)getpid(), card,
          swapped, opath);
   fflush(stdout);
   char c;
   while (read(0, &c, 1) > 0)
      ;
   atomic_store(&stop, true);
   pthread_join(t, NULL);
   return 0;
}
