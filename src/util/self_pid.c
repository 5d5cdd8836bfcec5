/* SPDX-License-Identifier: MIT */
/*
 * The caller's pid without a system call per question.
 *
 * kcmp() needs our own pid twice; getpid() is a real system call since
 * glibc 2.25, which would double the cost of the kcmp path. The cache lives
 * in a page marked MADV_WIPEONFORK: the kernel zeroes it in every child
 * made without CLONE_VM, including children of a raw clone() that
 * pthread_atfork() handlers never see. A zero means "ask the kernel".
 * Where MADV_WIPEONFORK is missing (Linux < 4.14) there is no cache.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/identity_private.h"

static _Atomic pid_t *pid_slot;
static pthread_once_t pid_slot_once = PTHREAD_ONCE_INIT;

static void
pid_slot_setup(void)
{
   long page = sysconf(_SC_PAGESIZE);
   void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
   if (p == MAP_FAILED)
      return;
   if (madvise(p, (size_t)page, MADV_WIPEONFORK) != 0) {
      munmap(p, (size_t)page);
      return;
   }
   pid_slot = p;
}

pid_t
fdid_self_pid(void)
{
   pthread_once(&pid_slot_once, pid_slot_setup);
   if (!pid_slot)
      return getpid();

   pid_t pid = atomic_load_explicit(pid_slot, memory_order_relaxed);
   if (likely(pid != 0))
      return pid;
   /* A sandbox may refuse getpid (glibc then hands back the error as a
    * negative "pid"): never cached, so a later call can still get it. */
   pid = getpid();
   if (likely(pid > 0))
      atomic_store_explicit(pid_slot, pid, memory_order_relaxed);
   return pid;
}

/* Called when kcmp says ESRCH for what we think is our own pid. The cache
 * can only be stale in a CLONE_VM child that is not a thread (vfork), which
 * may call nothing but exec and _exit; refresh it all the same. */
void
fdid_self_pid_forget(void)
{
   if (pid_slot)
      atomic_store_explicit(pid_slot, 0, memory_order_relaxed);
}
