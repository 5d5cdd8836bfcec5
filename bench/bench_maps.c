/* SPDX-License-Identifier: MIT */
/*
 * The maps reader (src/inspect/maps.c) against the floor of reading the same
 * /proc/self/maps text, at 1k, 10k and 60k distinct mapped buffers: its
 * time per mapping should stay flat as buffers grow (each buffer becomes
 * one entry by a sort at the end, not by a search per mapping). memfds
 * stand in for dma-bufs (the reader is told their file system is the
 * dma-buf one): the host has no dma-buf, and the reader's work per line
 * is the same for any inode. FDID_BENCH_SIZES picks the sizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maps.h"
#include "util/clock.h"

static void
die(const char *what)
{
   fprintf(stderr, "bench_maps: %s: %s\n", what, strerror(errno));
   exit(1);
}

/* The floor: the same text read and its lines found, nothing parsed. */
static size_t
read_raw(void)
{
   int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      die("open maps");
   static char buf[64 << 10];
   size_t lines = 0;
   ssize_t n;
   while ((n = read(fd, buf, sizeof(buf))) > 0) {
      for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p))); p++)
         lines++;
   }
   close(fd);
   return lines;
}

int
main(void)
{
   const char *sizes = getenv("FDID_BENCH_SIZES");
   char list[256];
   snprintf(list, sizeof(list), "%s", sizes ? sizes : "1000,10000,60000");
   printf("# maps reader: distinct buffers mapped, per mapping, against reading the text\n");
   printf("%-34s  %10s  %10s  %8s\n", "operation", "ns/op", "x baseline", "buffers");
   size_t made = 0;
   dev_t dev = 0;
   for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
      size_t n = strtoul(tok, NULL, 10);
      for (; made < n; made++) {
         int fd = memfd_create("bench-maps", MFD_CLOEXEC);
         if (fd < 0 || ftruncate(fd, 4096) != 0)
            die("memfd");
         struct stat st;
         if (fstat(fd, &st) != 0)
            die("fstat");
         dev = st.st_dev;
         if (mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
            die("mmap");
         close(fd);
      }
      enum { ROUNDS = 5 };
      double t0 = fdid_now_ns();
      size_t lines = 0;
      for (int i = 0; i < ROUNDS; i++)
         lines = read_raw();
      double raw = (fdid_now_ns() - t0) / ROUNDS / (double)lines;

      struct maps_context ctx = { .dmabuf_dev_known = true, .dmabuf_dev = dev };
      size_t found = 0;
      t0 = fdid_now_ns();
      for (int i = 0; i < ROUNDS; i++) {
         struct maps_result r;
         if (maps_read_dmabufs(getpid(), &ctx, &r) != 0)
            die("maps_read_dmabufs");
         found = r.n_bufs;
         maps_result_finish(&r);
      }
      double ours = (fdid_now_ns() - t0) / ROUNDS / (double)lines;
      maps_context_finish(&ctx);
      if (found != made) {
         fprintf(stderr, "bench_maps: %zu buffers found of %zu\n", found, made);
         return 1;
      }
      char op[64];
      snprintf(op, sizeof(op), "read maps, %zu buffers (text)", made);
      printf("%-34s  %10.1f  %10.2f  %8s\n", op, raw, 1.0, "-");
      snprintf(op, sizeof(op), "read maps, %zu buffers (fdid)", made);
      printf("%-34s  %10.1f  %10.2f  %8zu\n", op, ours, ours / raw, found);
   }
   return 0;
}
