/* SPDX-License-Identifier: MIT */
/*
 * A busy event loop under the inspector: one process with N eventfds in
 * one epoll set (every eventfd on one anonymous inode), the set's fd
 * dup'ed, as `fdid ls -p PID` (scan and grouping) and `fdid ls -J -p PID`
 * (and every target linked to its description) see it, against the scan
 * alone (the floor: readdir and one fstatat per fd), in the same run.
 * Prints the time in all, per fd, the ratio to the floor, and identity
 * questions per fd (exact: the grouping counts them). N: FDID_BENCH_SIZES
 * (1000,10000). Before the targets were found by their fd number, 1000
 * took 6 s and 10000 minutes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "group.h"
#include "scan.h"
#include "util/clock.h"

static void
die(const char *what)
{
   fprintf(stderr, "bench_epoll: %s: %s\n", what, strerror(errno));
   exit(1);
}

/* The event loop: n eventfds in a set, the set dup'ed; holds until its
 * pipe closes. */
static pid_t
event_loop(size_t n, int *release)
{
   int ready[2], hold[2];
   if (pipe(ready) || pipe(hold))
      die("pipe");
   pid_t pid = fork();
   if (pid < 0)
      die("fork");
   if (pid == 0) {
      close(ready[0]);
      close(hold[1]);
      int ep = epoll_create1(0);
      for (size_t i = 0; i < n; i++) {
         int e = eventfd(0, 0);
         struct epoll_event ev = { .events = EPOLLIN, .data.fd = e };
         if (e < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) != 0)
            _exit(2);
      }
      if (dup(ep) < 0 || write(ready[1], "x", 1) != 1)
         _exit(2);
      char c;
      while (read(hold[0], &c, 1) > 0)
         ;
      _exit(0);
   }
   close(ready[1]);
   close(hold[0]);
   char c;
   if (read(ready[0], &c, 1) != 1)
      die("event loop");
   close(ready[0]);
   *release = hold[1];
   return pid;
}

enum stage { FLOOR, LS, LS_JSON };

/* One run of a stage: its time; *questions and *fds of the run. */
static double
run(pid_t pid, enum stage stage, unsigned long *questions, size_t *fds)
{
   double t0 = fdid_now_ns();
   struct scan sc;
   if (scan_processes(&pid, 1, &sc) != 0)
      die("scan");
   *fds = sc.n_fds;
   *questions = 0;
   if (stage != FLOOR) {
      struct grouping g;
      if (group_descriptions(&sc, &g) != 0)
         die("group");
      if (stage == LS_JSON) {
         for (size_t i = 0; i < g.n_descs; i++) {
            if (g.descs[i].holders[0]->type == FD_EPOLL)
               scan_read_fdinfo(g.descs[i].holders[0]);
         }
         if (group_link_epoll_targets(&g, NULL, NULL) != 0)
            die("targets");
      }
      *questions = g.questions;
      grouping_finish(&g);
   }
   scan_finish(&sc);
   return fdid_now_ns() - t0;
}

int
main(void)
{
   const char *env = getenv("FDID_BENCH_SIZES");
   char list[128];
   snprintf(list, sizeof(list), "%s", env ? env : "1000,10000");
   struct rlimit rl = { 1 << 20, 1 << 20 };
   if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
      getrlimit(RLIMIT_NOFILE, &rl);
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
   }
   printf("# an event loop: N eventfds in one epoll set (its fd dup'ed)\n");
   printf("%-34s  %10s  %10s  %8s\n", "operation", "ns/op", "x baseline", "syscalls");
   for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
      size_t n = strtoul(tok, NULL, 10);
      int release;
      pid_t pid = event_loop(n, &release);
      static const char *const names[] = { "scan alone (floor)", "fdid ls", "fdid ls -J" };
      double floor_ns = 0;
      for (int s = FLOOR; s <= LS_JSON; s++) {
         unsigned long q;
         size_t fds;
         double ns = run(pid, s, &q, &fds);
         if (s == FLOOR)
            floor_ns = ns;
         char op[64];
         snprintf(op, sizeof(op), "%s, %zu targets", names[s], n);
         printf("%-34s  %10.1f  %10.2f  %8.2f\n", op, ns / (double)fds, ns / floor_ns,
                (double)q / (double)fds);
         if (s != FLOOR)
            printf("# %s of %zu epoll'ed eventfds: %.3f s in all (target < 1 s for 10000)\n",
                   names[s], n, ns / 1e9);
      }
      close(release);
      waitpid(pid, NULL, 0);
   }
   return 0;
}
