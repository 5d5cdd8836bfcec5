/* SPDX-License-Identifier: MIT */
/* Reading /proc files (proc_read.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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

char *
proc_read_whole(const char *path, size_t *len)
{
   enum { LIMIT = 64 << 20 };
   int fd = open(path, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return NULL;
   size_t cap = 4096, used = 0;
   char *buf = malloc(cap);
   int err = ENOMEM;
   while (buf) {
      if (used == cap) {
         char *grown = cap < LIMIT ? realloc(buf, cap * 2) : NULL;
         if (!grown)
            break; /* keep what fits: the bound, or no memory */
         buf = grown;
         cap *= 2;
      }
      ssize_t n = read(fd, buf + used, cap - used);
      if (n < 0 && errno == EINTR)
         continue;
      if (n < 0) {
         err = errno;
         free(buf);
         buf = NULL;
      } else if (n == 0) {
         break;
      } else {
         used += (size_t)n;
      }
   }
   close(fd);
   *len = used;
   if (!buf)
      errno = err;
   return buf;
}
