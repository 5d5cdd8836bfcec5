/* SPDX-License-Identifier: MIT */
/*
 * The epoll trick, for kernels and sandboxes without F_DUPFD_QUERY or kcmp.
 *
 * epoll keys its entries by (struct file, fd number). Register a private dup
 * of fd1 under number T in a fresh epoll set, make T refer to fd2's file
 * with dup3(), and register T again: EEXIST means fd2's file is fd1's.
 * T comes from F_DUPFD, so the caller's fd numbers are never touched, and
 * fd1's file stays registered because fd1 itself still holds it.
 *
 * Only pollable files can be registered; regular files and O_PATH fds are
 * out of reach (EPERM, EBADF) and get FDID_ANSWER_CANNOT.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "util/identity_private.h"

static int
epoll_add(int epfd, int fd)
{
   struct epoll_event ev = { .events = 0 };
   return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

/* Errors that say "not now" rather than "not this pair". */
static int
resource_error(int err)
{
   return err == -EMFILE || err == -ENFILE || err == -ENOMEM || err == -ENOSPC;
}

static int
epoll_trick(int fd1, int fd2)
{
   int epfd = epoll_create1(EPOLL_CLOEXEC);
   if (epfd < 0) {
      int err = -errno;
      if (resource_error(err))
         return err;
      fdid_method_failed(FDID_METHOD_EPOLL);
      return FDID_ANSWER_BROKEN;
   }

   int answer;
   int tmp = fcntl(fd1, F_DUPFD_CLOEXEC, 0);
   if (tmp < 0) {
      answer = -errno;
      goto out_epoll;
   }

   int r = epoll_add(epfd, tmp);
   if (r < 0) {
      /* EPERM: not pollable. EBADF: O_PATH. ELOOP/EINVAL: fd1 is an epoll
       * set that cannot nest here. None says anything about fd2. */
      answer = resource_error(r) ? r : FDID_ANSWER_CANNOT;
      goto out_tmp;
   }

   if (dup3(fd2, tmp, O_CLOEXEC) < 0) {
      answer = -errno;
      goto out_tmp;
   }

   r = epoll_add(epfd, tmp);
   if (r == -EEXIST)
      answer = 0;
   else if (r == 0 || r == -EPERM)
      answer = 3; /* fd1's file is pollable, so one that is not differs */
   else
      answer = resource_error(r) ? r : FDID_ANSWER_CANNOT;

out_tmp:
   close(tmp);
out_epoll:
   close(epfd);
   return answer;
}

int
fdid_epoll_same(int fd1, int fd2)
{
   int r = fdid_fstat_same(fd1, fd2);
   return r == FDID_ANSWER_CANNOT ? epoll_trick(fd1, fd2) : r;
}
