/* SPDX-License-Identifier: MIT */
/*
 * Cost of one "same open file description?" question: fdid's default path
 * and each method alone, beside a null system call (getppid) and the bare
 * F_DUPFD_QUERY and kcmp system calls, all timed in this run; and the exact
 * number of system calls per question, counted under ptrace.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "syscall_count.h"
#include "util/clock.h"

enum { REPEATS = 7 };
/* FDID_BENCH_ROUNDS shortens a run (under emulation, in the guest). */
static long ROUNDS = 200000;

static int pipe_fds[2];

struct subject {
   const char *name;
   unsigned mask;  /* allowed methods for fdid subjects */
   void (*loop)(void *arg, long rounds);
   const char *note;
};

static void
loop_getppid(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++)
      (void)getppid();
}

static void
loop_raw_dupfd_query(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++)
      (void)fcntl(pipe_fds[0], 1027, pipe_fds[1]);
}

static void
loop_raw_kcmp(void *arg, long rounds)
{
   pid_t self = getpid();
   for (long i = 0; i < rounds; i++)
      (void)syscall(SYS_kcmp, self, self, 0, pipe_fds[0], pipe_fds[1]);
}

static void
loop_fdid(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++)
      (void)fdid_same_file_description(pipe_fds[0], pipe_fds[1]);
}

static void
loop_fdid_compare(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++)
      (void)fdid_compare_file_description(pipe_fds[0], pipe_fds[1]);
}

/* Warm fdid up (probe) with the subject's methods, outside the count. */
static void
setup_subject(void *arg)
{
   const struct subject *s = arg;
   fdid_set_allowed_methods(s->mask);
   (void)fdid_same_file_description(pipe_fds[0], pipe_fds[1]);
}

static void
run_subject(void *arg, long rounds)
{
   ((const struct subject *)arg)->loop(NULL, rounds);
}

/* Best of REPEATS: the least disturbed run on a noisy machine. */
static double
time_subject(const struct subject *s)
{
   setup_subject((void *)s);
   double best = 1e18;
   for (int r = 0; r < REPEATS; r++) {
      double t0 = fdid_now_ns();
      s->loop(NULL, ROUNDS);
      double ns = (fdid_now_ns() - t0) / ROUNDS;
      if (ns < best)
         best = ns;
   }
   return best;
}

int
main(void)
{
   const char *rounds = getenv("FDID_BENCH_ROUNDS");
   if (rounds && atol(rounds) > 0)
      ROUNDS = atol(rounds);
   if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
      perror("pipe2");
      return 1;
   }
   unsigned works = fdid_probe();
   unsigned def = fdid_default_method();

   const struct subject subjects[] = {
      { "getppid (null syscall)", 0, loop_getppid, "baseline" },
      { "fcntl F_DUPFD_QUERY (bare)", 0, loop_raw_dupfd_query, "floor of the default path" },
      { "kcmp (bare)", 0, loop_raw_kcmp, "floor of the kcmp path" },
      { "fdid default path", FDID_METHOD_ALL, loop_fdid, fdid_method_name(def) },
      { "fdid dupfd_query alone", FDID_METHOD_DUPFD_QUERY, loop_fdid, "" },
      { "fdid kcmp alone", FDID_METHOD_KCMP, loop_fdid, "" },
      { "fdid epoll alone", FDID_METHOD_EPOLL, loop_fdid, "" },
      { "fdid compare (order)", FDID_METHOD_ALL, loop_fdid_compare, "kcmp" },
   };

   printf("# fdid identity benchmark: %ld rounds, best of %d, pipe ends (different "
          "descriptions of one inode)\n", ROUNDS, REPEATS);
   printf("%-28s %10s %10s %10s  %s\n", "operation", "ns/op", "x getppid", "syscalls", "note");
   double base = 0;
   for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
      const struct subject *s = &subjects[i];
      bool is_raw_query = s->loop == loop_raw_dupfd_query;
      bool is_raw_kcmp = s->loop == loop_raw_kcmp;
      if ((is_raw_query && !(works & FDID_METHOD_DUPFD_QUERY)) ||
          (is_raw_kcmp && !(works & FDID_METHOD_KCMP)) ||
          (s->mask && s->mask != FDID_METHOD_ALL && !(works & s->mask))) {
         printf("%-28s %10s %10s %10s  %s\n", s->name, "-", "-", "-", "not available here");
         continue;
      }
      double ns = time_subject(s);
      if (i == 0)
         base = ns;
      double calls = syscalls_per_round(setup_subject, run_subject, (void *)s, 1000);
      printf("%-28s %10.1f %10.2f %10.2f  %s\n", s->name, ns, ns / base, calls, s->note);
   }
   fdid_set_allowed_methods(FDID_METHOD_ALL);
   close(pipe_fds[0]);
   close(pipe_fds[1]);
   return 0;
}
