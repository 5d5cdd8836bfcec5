/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdid_test.h"
#include "test_util.h"

bool
pidfd_getfd_works(void)
{
   int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
   if (pidfd < 0)
      return false;
   int copy = (int)syscall(SYS_pidfd_getfd, pidfd, pidfd, 0);
   close(pidfd);
   if (copy < 0)
      return false;
   close(copy);
   return true;
}

#include <seccomp.h>

bool
seccomp_kill_process_works(void)
{
   /* API level 3 brings SCMP_ACT_KILL_PROCESS. */
   return seccomp_api_get() >= 3;
}
