/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall_count.h"

/* Syscall-entry stops of a child between its SIGSTOP and its exit. */
static long
count_traced(void (*setup)(void *), void (*fn)(void *, long), void *arg, long rounds)
{
   pid_t pid = fork();
   if (pid < 0)
      return -1;
   if (pid == 0) {
      if (setup)
         setup(arg);
      if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
         _exit(99);
      raise(SIGSTOP);
      fn(arg, rounds);
      _exit(0);
   }

   int status;
   if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
      return -1;
   }
   ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)PTRACE_O_TRACESYSGOOD);

   long stops = 0;
   for (;;) {
      if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) != 0)
         break;
      if (waitpid(pid, &status, 0) != pid)
         break;
      if (WIFEXITED(status) || WIFSIGNALED(status))
         break;
      if (WIFSTOPPED(status) && WSTOPSIG(status) == (SIGTRAP | 0x80))
         stops++;
   }
   /* Each call stops on entry and on exit, but exit_group has no exit. */
   return (stops + 1) / 2;
}

double
syscalls_per_round(void (*setup)(void *), void (*fn)(void *, long), void *arg, long rounds)
{
   long base = count_traced(setup, fn, arg, 0);
   long with = count_traced(setup, fn, arg, rounds);
   if (base < 0 || with < 0)
      return -1;
   return (double)(with - base) / (double)rounds;
}
