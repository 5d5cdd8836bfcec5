/* SPDX-License-Identifier: MIT */
/*
 * dma-buf mappings from /proc/PID/maps (src/cli/maps.c): the line reader
 * on the kernel's format and on what is not it, and the reader on real
 * mappings of this process that are not dma-bufs (the host has none to
 * map; the guest test check-mem.py maps vgem's): a memfd is checked once
 * and never counted, and a mapped file whose name forges a dma-buf's
 * maps line forges nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fdid_test.h"
#include "maps.h"

static bool
parse(const char *line, unsigned long *start, unsigned long *end, unsigned *maj, unsigned *min,
      unsigned long long *ino)
{
   return maps_parse_line(line, strlen(line), start, end, maj, min, ino);
}

FDID_TEST(kernel_lines)
{
   unsigned long s, e;
   unsigned maj, min;
   unsigned long long ino;
   CHECK(parse("7f3c1a000000-7f3c1a021000 rw-s 00000000 00:0d 1234"
               "                       /dmabuf:name", &s, &e, &maj, &min, &ino));
   CHECK_EQ(s, 0x7f3c1a000000ul);
   CHECK_EQ(e, 0x7f3c1a021000ul);
   CHECK_EQ(maj, 0);
   CHECK_EQ(min, 0xd);
   CHECK_EQ(ino, 1234);
   CHECK(parse("00400000-00452000 r-xp 00001000 103:02 173521      /usr/bin/x", &s, &e, &maj,
               &min, &ino));
   CHECK_EQ(maj, 0x103);
   CHECK_EQ(min, 2);
   /* Anonymous memory: inode 0, no path. */
   CHECK(parse("7ffd1000-7ffd2000 rw-p 00000000 00:00 0", &s, &e, &maj, &min, &ino));
   CHECK_EQ(ino, 0);
}

FDID_TEST(not_kernel_lines)
{
   unsigned long s, e;
   unsigned maj, min;
   unsigned long long ino;
   static const char *const bad[] = {
      "",
      "7F00-7F01 rw-s 00000000 00:0d 12 x",         /* the kernel's hex is lowercase */
      "7f01-7f00 rw-s 00000000 00:0d 12 x",         /* start after end */
      "7f00-7f00 rw-s 00000000 00:0d 12 x",         /* empty range */
      "7f00-7f01 rw-s 00000000 00:0d",              /* no inode */
      "7f00-7f01 rw- 00000000 00:0d 12 x",          /* short permissions */
      "7f00-7f01 rw-s 00000000 1000:0d 12 x",       /* major past 12 bits */
      "7f00-7f01 rw-s 00000000 00:100000 12 x",     /* minor past 20 bits */
      "7f00-7f01 rw-s 00000000 00:0d 12x",          /* inode not a number */
      "7f00-7f01 rw-s 00000000 00:0d 99999999999999999999 x", /* past 64 bits */
      "1ffffffffffffffff-2ffffffffffffffff rw-s 0 00:0d 12 x",  /* past 64 bits */
      "-7f01 rw-s 00000000 00:0d 12 x",
      "\\012 7f00-7f01 rw-s 00000000 00:0d 12 x",  /* a name's escaped newline */
   };
   for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      if (parse(bad[i], &s, &e, &maj, &min, &ino))
         fdid_test_fail(__FILE__, __LINE__, "took '%s'", bad[i]);
   }
}

FDID_TEST(memfd_is_checked_once_and_never_counted)
{
   int fd = CHECK_SYS(memfd_create("fdid-test", MFD_CLOEXEC));
   CHECK_SYS(ftruncate(fd, 8192));
   void *a = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
   void *b = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
   CHECK(a != MAP_FAILED && b != MAP_FAILED);
   struct stat st;
   CHECK_SYS(fstat(fd, &st));

   struct maps_context ctx = { 0 };
   struct maps_result r;
   CHECK_EQ(maps_read_dmabufs(getpid(), &ctx, &r), 0);
   CHECK_EQ(r.n_bufs, 0);
   if (geteuid() == 0) {
      /* With the right to map_files, the memfd's file system was asked
       * once (both mappings are on it) and remembered as not dma-buf. */
      CHECK_EQ(r.unverified, 0);
      bool remembered = false;
      for (size_t i = 0; i < ctx.n_other_devs; i++)
         remembered |= ctx.other_devs[i] == st.st_dev;
      CHECK(remembered);
      unsigned long checks = ctx.checks;
      maps_result_finish(&r);
      CHECK_EQ(maps_read_dmabufs(getpid(), &ctx, &r), 0);
      CHECK_EQ(ctx.checks, checks);
   }
   maps_result_finish(&r);
   maps_context_finish(&ctx);
   munmap(a, 4096);
   munmap(b, 4096);
   close(fd);
}

FDID_TEST(a_name_that_forges_a_dmabuf_line_forges_nothing)
{
   /* A file on tmpfs (a major-0 device, like the dma-buf file system)
    * named so that, unescaped, its maps line would end and a dma-buf's
    * begin (no slash: a name cannot hold one). The kernel escapes the
    * newline; the reader never reads the
    * path anyway. */
   char dir[] = "/dev/shm/fdid-maps-XXXXXX";
   if (!mkdtemp(dir))
      SKIP("no /dev/shm");
   char path[256];
   snprintf(path, sizeof(path), "%s/x\n7f0000000000-7f0000001000 rw-s 00000000 00:0d 99 "
            "dmabuf:forged", dir);
   int fd = CHECK_SYS(open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
   CHECK_SYS(ftruncate(fd, 4096));
   void *a = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
   CHECK(a != MAP_FAILED);

   /* No line of our maps reads as the forged one. */
   FILE *f = fopen("/proc/self/maps", "re");
   CHECK(f != NULL);
   char *line = NULL;
   size_t cap = 0;
   ssize_t n;
   unsigned forged = 0, ours = 0;
   while ((n = getline(&line, &cap, f)) > 0) {
      unsigned long s, e;
      unsigned maj, min;
      unsigned long long ino;
      if (!maps_parse_line(line, (size_t)n, &s, &e, &maj, &min, &ino))
         continue;
      forged += ino == 99 && s == 0x7f0000000000ul;
      ours += s == (unsigned long)a;
   }
   free(line);
   fclose(f);
   CHECK_EQ(forged, 0);
   CHECK_EQ(ours, 1);

   struct maps_context ctx = { .dmabuf_dev_known = true, .dmabuf_dev = makedev(0, 0xd) };
   struct maps_result r;
   CHECK_EQ(maps_read_dmabufs(getpid(), &ctx, &r), 0);
   CHECK_EQ(r.n_bufs, 0);
   maps_result_finish(&r);
   maps_context_finish(&ctx);
   munmap(a, 4096);
   close(fd);
   unlink(path);
   rmdir(dir);
}

FDID_TEST(process_that_does_not_exist)
{
   struct maps_context ctx = { 0 };
   struct maps_result r;
   CHECK_EQ(maps_read_dmabufs(0x7fffffff, &ctx, &r), -ESRCH);
   CHECK_EQ(r.n_bufs, 0);
   maps_context_finish(&ctx);
}

FDID_TEST_MAIN()
