/* SPDX-License-Identifier: MIT */
/*
 * kcmp(pid1, pid2, KCMP_FILE, fd1, fd2): 0 equal, 1 less, 2 greater, by an
 * obfuscated kernel pointer that is stable for one boot. Works across
 * processes given PTRACE_MODE_READ access; needs CONFIG_KCMP.
 */
#include <errno.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/identity_private.h"

int
fdid_sys_kcmp_file(pid_t pid1, int fd1, pid_t pid2, int fd2)
{
#ifdef SYS_kcmp
   long r = syscall(SYS_kcmp, pid1, pid2, KCMP_FILE,
                    (unsigned long)fd1, (unsigned long)fd2);
   return r < 0 ? -errno : (int)r;
#else
   return -ENOSYS;
#endif
}

/* Is kcmp itself usable right now? A call that can only fail with EBADF
 * (no fd has number -1 as unsigned) tells a refused system call apart from
 * a refused process. */
static bool
kcmp_still_allowed(void)
{
   pid_t self = fdid_self_pid();
   return fdid_sys_kcmp_file(self, -1, self, -1) == -EBADF;
}

int
fdid_kcmp_file(pid_t pid1, int fd1, pid_t pid2, int fd2)
{
   int r = fdid_sys_kcmp_file(pid1, fd1, pid2, fd2);
   if (likely(r >= 0))
      return r;

   switch (r) {
   case -EBADF:
   case -ESRCH:
      return r;
   case -EPERM:
   case -EACCES:
      /* Across processes this is usually ptrace permission; on ourselves
       * it can only be a filter. */
      if (pid1 != fdid_self_pid() || pid2 != fdid_self_pid()) {
         if (kcmp_still_allowed())
            return -EPERM;
      }
      fdid_method_failed(FDID_METHOD_KCMP);
      return FDID_ANSWER_BROKEN;
   case -ENOSYS:
   case -EINVAL:
      fdid_method_failed(FDID_METHOD_KCMP);
      return FDID_ANSWER_BROKEN;
   default:
      return FDID_ANSWER_CANNOT;
   }
}
