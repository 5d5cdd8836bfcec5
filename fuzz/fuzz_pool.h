/* SPDX-License-Identifier: MIT */
/* Real fds for the fuzz targets: a pipe, /dev/null, a memfd (none of them
 * a dma-buf: on the host every parse must fail cleanly), and numbers that
 * are not open. */
#ifndef FDID_FUZZ_POOL_H
#define FDID_FUZZ_POOL_H

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static inline int
fuzz_pool_fd(unsigned selector)
{
   static int pool[3] = { -1, -1, -1 };
   if (pool[0] < 0) {
      int p[2];
      if (pipe(p) != 0)
         abort();
      pool[0] = p[0];
      pool[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
      pool[2] = memfd_create("fuzz", MFD_CLOEXEC);
   }
   selector &= 7;
   return selector < 3 ? pool[selector] : selector == 3 ? -1 : 900 + (int)selector;
}

#endif
