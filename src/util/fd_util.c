/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>

#include "util/fd_util.h"

int
fdid_dup_cloexec(int fd)
{
   int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
   return dup >= 0 ? dup : -errno;
}
