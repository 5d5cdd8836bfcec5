/* SPDX-License-Identifier: MIT */
/* Reading /proc files (proc_read.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_read.h"

ssize_t
proc_read_file(const char *path, char *buf, size_t len)
{
   int fd = open(path, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return -1;
   ssize_t n = read(fd, buf, len);
   int err = errno;
   close(fd);
   errno = err;
   return n;
}

/* read() that retries an interrupted call. */
static ssize_t
read_some(int fd, char *buf, size_t len)
{
   ssize_t n;
   do
      n = read(fd, buf, len);
   while (n < 0 && errno == EINTR);
   return n;
}

/* one_record: a seq_file whose text is one record (fdinfo); the kernel
 * builds a record whole before copying any of it, so a read that stops
 * short of the room given has reached its end: no read more to see 0. */
static char *
read_whole(int dir, const char *path, size_t *len, bool one_record)
{
   enum { LIMIT = 64 << 20 };
   int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return NULL;
   size_t cap = 4096, used = 0;
   char *buf = malloc(cap);
   int err = ENOMEM;
   while (buf) {
      if (used == cap) {
         /* Full at the bound: the text goes on past what we may hold. */
         char *grown = cap < LIMIT ? realloc(buf, cap * 2) : NULL;
         err = cap < LIMIT ? ENOMEM : EFBIG;
         if (!grown) {
            free(buf);
            buf = NULL;
            break;
         }
         buf = grown;
         cap *= 2;
      }
      ssize_t n = read_some(fd, buf + used, cap - used);
      if (n < 0) {
         err = errno;
         free(buf);
         buf = NULL;
      } else if (n == 0) {
         break;
      } else {
         bool short_read = (size_t)n < cap - used;
         used += (size_t)n;
         if (one_record && short_read)
            break;
      }
   }
   close(fd);
   *len = used;
   if (!buf)
      errno = err;
   return buf;
}

char *
proc_read_whole(const char *path, size_t *len)
{
   return read_whole(AT_FDCWD, path, len, false);
}

char *
proc_read_record_at(int dir, const char *path, size_t *len)
{
   return read_whole(dir, path, len, true);
}

int
proc_read_lines(const char *path, int (*line)(const char *text, size_t len, bool whole,
                                              void *arg),
                void *arg)
{
   enum { CHUNK = 64 << 10 };
   int fd = open(path, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return -errno;
   char *buf = malloc(CHUNK);
   if (!buf) {
      close(fd);
      return -ENOMEM;
   }
   size_t used = 0;     /* bytes of the current, unfinished line(s) */
   bool skipping = false; /* the rest of a line given cut */
   int r = 0;
   for (;;) {
      ssize_t n = read_some(fd, buf + used, CHUNK - used);
      if (n < 0) {
         r = -errno;
         break;
      }
      if (n == 0) {
         /* Whatever is left has no newline: the text was cut short. */
         if (used || skipping)
            r = -EBADMSG;
         break;
      }
      used += (size_t)n;
      size_t at = 0;
      const char *nl;
      while (r == 0 && (nl = memchr(buf + at, '\n', used - at))) {
         size_t len = (size_t)(nl - (buf + at));
         if (!skipping)
            r = line(buf + at, len, true, arg);
         skipping = false;
         at += len + 1;
      }
      if (r)
         break;
      if (at == 0 && used == CHUNK) {
         /* One line fills the buffer: its start is all a reader needs. */
         if (!skipping)
            r = line(buf, used, false, arg);
         skipping = true;
         used = 0;
         if (r)
            break;
         continue;
      }
      memmove(buf, buf + at, used - at);
      used -= at;
   }
   free(buf);
   close(fd);
   return r;
}
