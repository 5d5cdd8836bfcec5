/* SPDX-License-Identifier: MIT */
/*
 * Is this fd the same description as a target registered in an epoll set?
 * kcmp(pid, epoll_pid, KCMP_EPOLL_TFD, fd, &slot) looks the target up in
 * the epoll set itself, by the fd number it was added with, so it finds a
 * watched description even after that fd number was closed or reused
 * (CRIU restores epoll sets this way).
 */
#include <errno.h>
#include <linux/kcmp.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/identity_private.h"

FDID_PUBLIC int
fdid_same_epoll_target(pid_t pid, int fd, pid_t epoll_pid, int epfd, int target_fd,
                       unsigned target_off)
{
   if (fd < 0 || epfd < 0 || target_fd < 0)
      return -EBADF;
   if (pid <= 0 || epoll_pid <= 0)
      return -ESRCH;
   if (!(fdid_usable_methods() & FDID_METHOD_KCMP))
      return -ENOTSUP;
#ifdef SYS_kcmp
   struct kcmp_epoll_slot slot = {
      .efd = (uint32_t)epfd,
      .tfd = (uint32_t)target_fd,
      .toff = target_off,
   };
   long r = syscall(SYS_kcmp, pid, epoll_pid, KCMP_EPOLL_TFD, (unsigned long)fd,
                    (unsigned long)&slot);
   if (r >= 0)
      return (int)r;
   switch (errno) {
   case EBADF:
   case ESRCH:
   case ENOENT:
   case EINVAL:
      return -errno;
   case EOPNOTSUPP:   /* a kernel built without epoll */
   case ENOSYS:
      return -ENOTSUP;
   case EPERM:
   case EACCES:
      /* A refused process, or a filter on kcmp itself: the latter shows on
       * a KCMP_FILE call that can only fail with EBADF. */
      if (fdid_sys_kcmp_file(fdid_self_pid(), -1, fdid_self_pid(), -1) == -EBADF)
         return -EPERM;
      fdid_method_failed(FDID_METHOD_KCMP);
      return -ENOTSUP;
   default:
      return -errno;
   }
#else
   return -ENOTSUP;
#endif
}
