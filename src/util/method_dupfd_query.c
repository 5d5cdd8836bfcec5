/* SPDX-License-Identifier: MIT */
/*
 * fcntl(fd1, F_DUPFD_QUERY, fd2), Linux 6.10+: 1 when fd2 refers to the same
 * struct file as fd1, 0 when not. Equality only.
 *
 * Quirks handled here:
 *  - Only bit 0 of a positive answer means "same" (more bits may come).
 *  - 6.10/6.11 before the "associative" fix answer 0, not EBADF, for a
 *    closed fd2; on such kernels a "different" is checked with F_GETFD.
 *  - EBADF does not prove an fd closed: kernels that refuse the command on
 *    an O_PATH fd say EBADF too. F_GETFD, allowed on O_PATH, tells.
 */
#include <errno.h>
#include <fcntl.h>

#include "util/identity_private.h"
#include "util/linux_abi.h"


int
fdid_sys_dupfd_query(int fd1, int fd2)
{
   int r = fcntl(fd1, F_DUPFD_QUERY, fd2);
   return r < 0 ? -errno : r;
}

int
fdid_fd_check_open(int fd)
{
   return fcntl(fd, F_GETFD) < 0 ? -errno : 0;
}

int
fdid_dupfd_query_same(int fd1, int fd2)
{
   int r = fdid_sys_dupfd_query(fd1, fd2);
   if (likely(r >= 0)) {
      if (r & 1)
         return 0;
      if (unlikely(fdid_dupfd_query_misses_bad_fd2())) {
         int open = fdid_fd_check_open(fd2);
         if (open < 0)
            return open;
      }
      return 3;
   }

   switch (r) {
   case -EBADF: {
      int open = fdid_fd_check_open(fd1);
      if (open == 0)
         open = fdid_fd_check_open(fd2);
      return open < 0 ? open : FDID_ANSWER_CANNOT;
   }
   case -EINVAL:
   case -ENOSYS:
   case -EPERM:
   case -EACCES:
      fdid_method_failed(FDID_METHOD_DUPFD_QUERY);
      return FDID_ANSWER_BROKEN;
   default:
      return FDID_ANSWER_CANNOT;
   }
}
