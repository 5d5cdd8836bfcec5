/* SPDX-License-Identifier: MIT */
/*
 * dma-buf mappings from /proc/PID/maps (src/inspect/maps.c): the line reader
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
#include "proc_read.h"

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
   CHECK(parse("7ffd1000-7ffd2000 rw-p 00000000 00:00 0 ", &s, &e, &maj, &min, &ino));
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
      "7f00-7f01 rw-s 00000000 00:0d 1",            /* cut after the inode's digits */
      "7f00-7f01 rw-s 00000000 00:0d 12",           /* ... which may be cut too */
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

/* proc_read_lines on a file of ours: what each line() call was given. */
struct lines_seen {
   unsigned n;
   size_t len[4];
   bool whole[4];
   char first[4];
};

static int
note_line(const char *text, size_t len, bool whole, void *arg)
{
   struct lines_seen *l = arg;
   if (l->n < 4) {
      l->len[l->n] = len;
      l->whole[l->n] = whole;
      l->first[l->n] = len ? text[0] : 0;
   }
   l->n++;
   return 0;
}

static int
lines_of(const char *content, size_t len, struct lines_seen *l)
{
   char path[] = "/tmp/fdid-lines-XXXXXX";
   int fd = CHECK_SYS(mkstemp(path));
   CHECK_EQ(write(fd, content, len), (long long)len);
   close(fd);
   memset(l, 0, sizeof(*l));
   int r = proc_read_lines(path, note_line, l);
   unlink(path);
   return r;
}

FDID_TEST(a_text_cut_short_is_an_error)
{
   struct lines_seen l;
   CHECK_EQ(lines_of("a\nbc\n", 5, &l), 0);
   CHECK_EQ(l.n, 2);
   CHECK_EQ(l.len[1], 2);
   /* No newline at the end: the last part is never given as a line. */
   CHECK_EQ(lines_of("a\nbc", 4, &l), -EBADMSG);
   CHECK_EQ(l.n, 1);
   CHECK_EQ(lines_of("", 0, &l), 0);
   CHECK_EQ(l.n, 0);
}

FDID_TEST(a_line_longer_than_the_buffer_gives_its_start)
{
   size_t long_len = 200 << 10;
   char *text = malloc(long_len + 4);
   CHECK(text != NULL);
   memset(text, 'x', long_len);
   memcpy(text + long_len, "\ny\n", 3);
   struct lines_seen l;
   CHECK_EQ(lines_of(text, long_len + 3, &l), 0);
   CHECK_EQ(l.n, 2);
   CHECK(!l.whole[0] && l.len[0] > 0 && l.len[0] < long_len && l.first[0] == 'x');
   CHECK(l.whole[1] && l.len[1] == 1 && l.first[1] == 'y');
   /* Cut inside the long line: an error too. */
   CHECK_EQ(lines_of(text, long_len, &l), -EBADMSG);
   free(text);
}

/* A directory path of about `len` bytes under base, made one component
 * at a time (each below NAME_MAX); into out. */
static void
make_long_dir(const char *base, size_t len, char *out, size_t cap)
{
   snprintf(out, cap, "%s", base);
   char part[201];
   memset(part, 'd', 200);
   part[200] = 0;
   while (strlen(out) + 202 < len) {
      strcat(out, "/");
      strcat(out, part);
      CHECK(mkdir(out, 0700) == 0 || errno == EEXIST);
   }
}

static void
remove_long_dir(const char *base, char *path)
{
   while (strlen(path) > strlen(base)) {
      rmdir(path);
      *strrchr(path, '/') = 0;
   }
   rmdir(base);
}

/*
 * Another process with more than 64 MiB of maps (20000 mappings of a
 * file with a 3.8 KiB path), and a memfd mapped above them all, so that
 * its line comes last: the reader reads to the end (it used to stop at
 * 64 MiB and return what came before as if it were all).
 */
FDID_TEST(maps_past_64_mib_are_read_whole)
{
   if (geteuid() != 0)
      SKIP("needs map_files (root) to see which mappings were checked");
   char base[] = "/tmp/fdid-longmaps-XXXXXX";
   CHECK(mkdtemp(base) != NULL);
   static char dir[4096];
   make_long_dir(base, 3800, dir, sizeof(dir));
   char file[4200];
   snprintf(file, sizeof(file), "%s/f", dir);
   int ffd = CHECK_SYS(open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
   CHECK_SYS(ftruncate(ffd, 4096));
   int mfd = CHECK_SYS(memfd_create("fdid-last", MFD_CLOEXEC));
   CHECK_SYS(ftruncate(mfd, 4096));
   struct stat mst;
   CHECK_SYS(fstat(mfd, &mst));

   int ready[2], hold[2];
   CHECK_SYS(pipe2(ready, O_CLOEXEC));
   CHECK_SYS(pipe2(hold, O_CLOEXEC));
   pid_t child = CHECK_SYS(fork());
   if (child == 0) {
      close(ready[0]);
      close(hold[1]);
      /* Top-down placement: the first mapping has the highest address. */
      bool ok = mmap(NULL, 4096, PROT_READ, MAP_SHARED, mfd, 0) != MAP_FAILED;
      for (int i = 0; ok && i < 20000; i++)
         ok = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ffd, 0) != MAP_FAILED;
      char c = ok;
      if (write(ready[1], &c, 1) != 1)
         _exit(1);
      if (read(hold[0], &c, 1) < 0)
         _exit(1);
      _exit(0);
   }
   close(ready[1]);
   close(hold[0]);
   char ok = 0;
   CHECK_EQ(read(ready[0], &ok, 1), 1);
   CHECK(ok);

   struct maps_context ctx = { 0 };
   struct maps_result r;
   CHECK_EQ(maps_read_dmabufs(child, &ctx, &r), 0);
   CHECK_EQ(r.n_bufs, 0);
   bool last_line_read = false;
   for (size_t i = 0; i < ctx.n_other_devs; i++)
      last_line_read |= ctx.other_devs[i] == mst.st_dev;
   CHECK(last_line_read);
   maps_result_finish(&r);
   maps_context_finish(&ctx);

   close(hold[1]);
   close(ready[0]);
   CHECK_EQ(wait_child(child), 0);
   close(ffd);
   close(mfd);
   unlink(file);
   remove_long_dir(base, dir);
}

/*
 * Many buffers, each mapped twice: one entry per buffer, with a size
 * where one was learnt. memfds stand in for dma-bufs here (the context
 * is told their file system is the dma-buf one): the host has no dma-buf
 * to map, and the merge is the same for any inode.
 */
FDID_TEST(many_buffers_each_once)
{
   enum { N = 5000 };
   struct stat st;
   dev_t memfd_dev = 0;
   void **maps = calloc(2 * N, sizeof(*maps));
   CHECK(maps != NULL);
   for (int i = 0; i < N; i++) {
      int fd = CHECK_SYS(memfd_create("fdid-many", MFD_CLOEXEC));
      CHECK_SYS(ftruncate(fd, 4096));
      CHECK_SYS(fstat(fd, &st));
      memfd_dev = st.st_dev;
      maps[2 * i] = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
      maps[2 * i + 1] = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
      CHECK(maps[2 * i] != MAP_FAILED && maps[2 * i + 1] != MAP_FAILED);
      close(fd);
   }
   struct maps_context ctx = { .dmabuf_dev_known = true, .dmabuf_dev = memfd_dev };
   struct maps_result r;
   CHECK_EQ(maps_read_dmabufs(getpid(), &ctx, &r), 0);
   CHECK_EQ(r.n_bufs, N);
   for (size_t i = 1; i < r.n_bufs; i++)
      CHECK(r.bufs[i].ino != r.bufs[i - 1].ino);
   maps_result_finish(&r);
   maps_context_finish(&ctx);
   for (int i = 0; i < 2 * N; i++)
      munmap(maps[i], 4096);
   free(maps);
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
