/* SPDX-License-Identifier: MIT */
/*
 * The public identity questions: each walks the usable methods in order
 * until one gives a final answer, then falls back on fstat, which can only
 * ever say "certainly different".
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/identity_private.h"
#include "util/linux_abi.h"

/* What is left when no method could decide: fstat can prove "different",
 * and the same fd number is the same description once we know it is open. */
static int
fallback_without_methods(int fd1, int fd2, int why)
{
   int r = fdid_fstat_same(fd1, fd2);
   return r == FDID_ANSWER_CANNOT ? why : r;
}

/* kcmp on two fds of this process. The pid is cached (self_pid.c); a
 * child made by a raw clone() still has its parent's, which kcmp answers
 * with ESRCH: the one place that refreshes it. */
static int
kcmp_self(int fd1, int fd2)
{
   pid_t self = fdid_self_pid();
   int r = fdid_kcmp_file(self, fd1, self, fd2);
   if (unlikely(r == -ESRCH)) {
      fdid_self_pid_forget();
      self = fdid_self_pid();
      r = fdid_kcmp_file(self, fd1, self, fd2);
   }
   return r;
}

/* The methods that answer in one system call, among `usable`. */
static int
same_one_call(int fd1, int fd2, unsigned usable)
{
   if (likely(usable & FDID_METHOD_DUPFD_QUERY)) {
      int r = fdid_dupfd_query_same(fd1, fd2);
      if (likely(fdid_answer_is_final(r)))
         return r;
   }
   if (usable & FDID_METHOD_KCMP)
      return kcmp_self(fd1, fd2);
   return FDID_ANSWER_CANNOT;
}

int
fdid_same_fast(int fd1, int fd2)
{
   return same_one_call(fd1, fd2, fdid_usable_methods());
}

/* The local chain, with `skip` methods left out. */
static int
same_local(int fd1, int fd2, unsigned skip)
{
   unsigned usable = fdid_usable_methods() & ~skip;
   /* What to say if nothing decides: a resource error from the epoll
    * trick is more useful to the caller than a bare ENOTSUP. */
   int why = -ENOTSUP;
   int r = same_one_call(fd1, fd2, usable);
   if (likely(fdid_answer_is_final(r)))
      return r;
   if (usable & FDID_METHOD_EPOLL) {
      r = fdid_epoll_same(fd1, fd2);
      if (r == -EMFILE || r == -ENFILE || r == -ENOMEM || r == -ENOSPC)
         why = r;
      else if (fdid_answer_is_final(r))
         return r;
   }
   return fallback_without_methods(fd1, fd2, why);
}

FDID_PUBLIC int
fdid_same_file_description(int fd1, int fd2)
{
   if (unlikely(fd1 < 0 || fd2 < 0))
      return -EBADF;
   return same_local(fd1, fd2, 0);
}

FDID_PUBLIC int
fdid_compare_file_description(int fd1, int fd2)
{
   if (unlikely(fd1 < 0 || fd2 < 0))
      return -EBADF;

   if (likely(fdid_usable_methods() & FDID_METHOD_KCMP)) {
      int r = kcmp_self(fd1, fd2);
      /* kcmp documents 3 "not equal, no order"; no order is no answer. */
      if (fdid_answer_is_final(r) && r != 3)
         return r;
   }

   /* Without kcmp, equality is all we can offer. */
   int r = same_local(fd1, fd2, FDID_METHOD_KCMP);
   return r > 0 ? -ENOTSUP : r;
}


/* A pidfd for pid, a process or a thread. kcmp takes a thread id as the
 * thread's file table, so this must too: PIDFD_THREAD (Linux 6.9) names
 * the thread itself. Before it, only a thread-group leader has a pidfd; a
 * thread's table may be its own (unshare(CLONE_FILES)), so it is not
 * guessed from its leader's: -ENOTSUP. */
static int
open_pidfd(pid_t pid)
{
   int pidfd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
   if (pidfd >= 0)
      return pidfd;
   if (errno != EINVAL)
      return -errno;
   /* EINVAL: no PIDFD_THREAD here. */
   pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
   if (pidfd >= 0)
      return pidfd;
   if (errno == EINVAL || errno == ENOENT)
      return -ENOTSUP; /* a thread, not a leader */
   return -errno;
}

/* A local fd for `fd` of process `pid`, through pidfd_getfd(). The caller
 * closes it. */
static int
fetch_remote_fd(pid_t pid, int fd)
{
   int pidfd = open_pidfd(pid);
   /* No pidfds (Linux < 5.3, or a sandbox that answers ENOSYS, as
    * Chromium's renderer does): cannot tell. Nothing else is asked, not
    * even whether the process exists (kill(pid, 0) is a call such a
    * sandbox kills on, and no rule lists it). */
   if (pidfd == -ENOSYS)
      return -ENOTSUP;
   if (pidfd < 0)
      return pidfd;

   int local = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
   int err = local < 0 ? -errno : 0;
   close(pidfd);
   if (err == -ENOSYS || err == -EINVAL)
      return -ENOTSUP;
   return local < 0 ? err : local;
}

static int
same_via_pidfd(pid_t pid1, int fd1, pid_t pid2, int fd2)
{
   pid_t self = fdid_self_pid();
   int local1 = pid1 == self ? fd1 : fetch_remote_fd(pid1, fd1);
   if (local1 < 0)
      return local1;
   int local2 = pid2 == self ? fd2 : fetch_remote_fd(pid2, fd2);
   int r = local2 < 0 ? local2 : same_local(local1, local2, 0);
   if (pid2 != self && local2 >= 0)
      close(local2);
   if (pid1 != self)
      close(local1);
   return r;
}

FDID_PUBLIC int
fdid_same_file_description_pid(pid_t pid1, int fd1, pid_t pid2, int fd2)
{
   if (unlikely(fd1 < 0 || fd2 < 0))
      return -EBADF;
   if (unlikely(pid1 <= 0 || pid2 <= 0))
      return -ESRCH;

   pid_t self = fdid_self_pid();
   if (pid1 == self && pid2 == self)
      return same_local(fd1, fd2, 0);

   if (fdid_usable_methods() & FDID_METHOD_KCMP) {
      int r = fdid_kcmp_file(pid1, fd1, pid2, fd2);
      if (fdid_answer_is_final(r))
         return r;
   }
   return same_via_pidfd(pid1, fd1, pid2, fd2);
}
