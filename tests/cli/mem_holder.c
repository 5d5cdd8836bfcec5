/* SPDX-License-Identifier: MIT */
/*
 * Processes that hold DRM clients and dma-bufs every way `fdid mem` must
 * count them, for its guest test. Prints one JSON line, holds until stdin
 * closes.
 *
 *   mem_holder DRIVER            DRM clients only (virtio_gpu)
 *   mem_holder DRIVER buffers    and dma-bufs (vgem)
 *
 * Processes: P (this one), C0 (forked first: gets fds only by SCM_RIGHTS),
 * C1 (forked last: inherits, then closes all but card A).
 *   clients: A opened by P, shared with C1 by fork;
 *            B opened by P, sent to C0 (SCM_RIGHTS), closed in C1.
 *   buffers: F   P by fd, C0 by fd (SCM_RIGHTS)
 *            M   P by mapping (fd closed), C1 by the inherited mapping
 *            Bo  P by fd and mapping, C0 by fd and mapping, C1 by mapping
 *            L   C1 alone, by fd (exported from A after the fork)
 * Every DRM call goes through libdrm; the exit code says what failed, 77
 * that there is no such device here.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drm_node.h"
#include "drm_util.h"
#include "fd_passing.h"
#include "fdid_test.h"

struct exported {
   int fd;
   uint64_t size;
};

static struct exported
export(int card, uint32_t height)
{
   struct dumb d = dumb_create(card, 64, height);
   return (struct exported){ prime_export(card, d.handle), d.size };
}

static void *
map(struct exported b)
{
   void *p = mmap(NULL, b.size, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, 0);
   CHECK(p != MAP_FAILED);
   return p;
}

static void
wait_stdin(void)
{
   char c;
   while (read(0, &c, 1) > 0)
      ;
}

int
main(int argc, char **argv)
{
   if (argc < 2)
      fdid_test_fail(__FILE__, __LINE__, "usage: mem_holder DRIVER [buffers]");
   bool buffers = argc > 2 && strcmp(argv[2], "buffers") == 0;
   char card[64];
   if (!drm_node_of(argv[1], false, card, sizeof(card))) {
      fprintf(stderr, "mem_holder: no %s node\n", argv[1]);
      return 77;
   }

   int sv[2];
   CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
   int report[2];
   CHECK_EQ(pipe(report), 0);
   fflush(stdout);
   pid_t c0 = fork();
   CHECK(c0 >= 0);
   if (c0 == 0) {
      close(sv[0]);
      close(report[0]);
      int b = recv_fd(sv[1]);
      if (buffers) {
         struct exported f = { recv_fd(sv[1]), 0 }, bo = { recv_fd(sv[1]), 0 };
         CHECK_EQ(read(sv[1], &bo.size, sizeof(bo.size)), sizeof(bo.size));
         map(bo);
         (void)f;
      }
      dprintf(report[1], "{\"b\": %d}\n", b);
      close(report[1]);
      wait_stdin();
      _exit(0);
   }
   close(sv[1]);

   int a = open(card, O_RDWR | O_CLOEXEC), b = open(card, O_RDWR | O_CLOEXEC);
   CHECK(a >= 0 && b >= 0);
   send_fd(sv[0], b);
   struct exported f = { -1, 0 }, m = { -1, 0 }, bo = { -1, 0 };
   if (buffers) {
      f = export(a, 64);
      m = export(a, 128);
      bo = export(a, 256);
      map(m);
      close(m.fd);
      map(bo);
      send_fd(sv[0], f.fd);
      send_fd(sv[0], bo.fd);
      CHECK_EQ(write(sv[0], &bo.size, sizeof(bo.size)), sizeof(bo.size));
   }
   char line[64] = { 0 };
   CHECK(read(report[0], line, sizeof(line) - 1) > 0); /* C0 is set up */

   int ready[2];
   CHECK_EQ(pipe(ready), 0);
   pid_t c1 = fork();
   CHECK(c1 >= 0);
   if (c1 == 0) {
      close(ready[0]);
      close(b);
      if (buffers) {
         close(f.fd);
         close(bo.fd);
      }
      struct exported l = { -1, 0 };
      if (buffers)
         l = export(a, 512);
      dprintf(ready[1], "{\"l\": %d, \"l_size\": %llu}\n", l.fd, (unsigned long long)l.size);
      close(ready[1]);
      wait_stdin();
      _exit(0);
   }
   close(ready[1]);
   char c1_line[96] = { 0 };
   CHECK(read(ready[0], c1_line, sizeof(c1_line) - 1) > 0);
   *strchrnul(c1_line, '\n') = 0;
   *strchrnul(line, '\n') = 0;

   printf("{\"card\": \"%s\", \"p\": %d, \"c0\": %d, \"c1\": %d, \"a\": %d, \"b\": %d, "
          "\"c0_fds\": %s, \"c1_fds\": %s, \"f\": %d, \"f_size\": %llu, \"m_size\": %llu, "
          "\"bo\": %d, \"bo_size\": %llu}\n",
          card, (int)getpid(), (int)c0, (int)c1, a, b, line, c1_line, f.fd,
          (unsigned long long)f.size, (unsigned long long)m.size, bo.fd,
          (unsigned long long)bo.size);
   fflush(stdout);
   wait_stdin();
   int status;
   waitpid(c0, &status, 0);
   waitpid(c1, &status, 0);
   return 0;
}
