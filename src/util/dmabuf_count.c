/* SPDX-License-Identifier: MIT */
/* A dma-buf's file count from its fdinfo (dmabuf_count.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/dmabuf_count.h"
#include "util/number.h"

/*
 * The kernel prints pos, flags, mnt_id and ino, then the dma-buf's size,
 * count, exp_name and name. The name is anyone's text and may hold a
 * newline and a line that looks like a count: only the first `count:`
 * line is read, which the kernel prints before it.
 */
int
fdid_dmabuf_count_parse(const char *text, size_t len, uint64_t *count)
{
   static const char key[] = "count:\t";
   const size_t key_len = sizeof(key) - 1;
   size_t at = 0;
   while (at < len) {
      const char *nl = memchr(text + at, '\n', len - at);
      if (!nl)
         return -EBADMSG; /* a line without its end: cut short */
      size_t line_len = (size_t)(nl - (text + at));
      if (line_len > key_len && memcmp(text + at, key, key_len) == 0) {
         uint64_t v;
         size_t n = fdid_parse_digits(text + at + key_len, line_len - key_len, 10, INT64_MAX, &v);
         if (n == 0 || n != line_len - key_len)
            return -EBADMSG;
         *count = v;
         return 0;
      }
      /* exp_name: comes after count; past it only the name is left. */
      if (line_len >= 9 && memcmp(text + at, "exp_name:", 9) == 0)
         return -EBADMSG;
      at += line_len + 1;
   }
   return -EBADMSG;
}

int
fdid_dmabuf_file_count(int fd, uint64_t *count)
{
   char path[40];
   snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
   int pfd = open(path, O_RDONLY | O_CLOEXEC);
   if (pfd < 0)
      return -errno;
   /* The count line is within the first few hundred bytes; a name fills
    * the rest, and is not read. */
   char text[512];
   ssize_t n;
   do {
      n = read(pfd, text, sizeof(text));
   } while (n < 0 && errno == EINTR);
   int err = n < 0 ? -errno : 0;
   close(pfd);
   if (err)
      return err;
   return fdid_dmabuf_count_parse(text, (size_t)n, count);
}
