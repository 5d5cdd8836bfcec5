/* SPDX-License-Identifier: MIT */
/*
 * The inspector's grouping at scale: N fds (1k, 10k, 100k) spread over K
 * processes that this benchmark forks, grouped by open file description
 * with the code behind `fdid ls` (scan /proc, fstat buckets, kcmp sort),
 * against a naive grouping that asks kcmp about every pair, in the same
 * run. Prints time per fd, the ratio, and kcmp calls per fd (exact: the
 * grouping counts its questions).
 *
 * The fds look like a desktop's: a quarter are descriptions the parent
 * made before forking (so every process holds them, as with stdio and
 * sockets to a compositor), a quarter dups of those, 2% eventfds (all one
 * anonymous inode: a bucket of distinct descriptions), the rest private
 * pipes. FDID_BENCH_SIZES=1000,10000 picks the sizes; the naive grouping
 * stops after FDID_BENCH_NAIVE_SECONDS (5) and its time is then projected
 * from the pairs it did, and marked so.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "group.h"
#include "holders.h"
#include "scan.h"
#include "util/clock.h"

static void
die(const char *what)
{
   fprintf(stderr, "bench_inspect: %s: %s\n", what, strerror(errno));
   exit(1);
}

struct world {
   struct holders h;    /* children, then ourselves */
   int shared[65536];
   size_t n_shared;
};

/* Makes one child's fds and waits. */
static void
child_body(const struct world *w, size_t quota)
{
   size_t made = w->n_shared;
   for (size_t i = 0; made < quota / 2 && i < quota; i++, made++) {
      if (dup(w->shared[i % w->n_shared]) < 0)
         _exit(2);
   }
   for (size_t i = 0; i < quota / 50; i++, made++) {
      if (eventfd(0, 0) < 0)
         _exit(2);
   }
   while (made + 2 <= quota) {
      int p[2];
      if (pipe(p) < 0)
         _exit(2);
      made += 2;
   }
   holder_ready(&w->h);
}

static void
make_world(struct world *w, size_t n_fds, size_t procs)
{
   memset(w, 0, sizeof(*w));
   size_t quota = n_fds / procs;
   /* A quarter of each process's fds are the parent's, inherited. */
   for (size_t i = 0; i + 2 <= quota / 4; i += 2) {
      int p[2];
      if (pipe(p) < 0)
         die("pipe");
      w->shared[w->n_shared++] = p[0];
      w->shared[w->n_shared++] = p[1];
   }
   holders_begin(&w->h, procs);
   for (size_t k = 0; k < procs; k++) {
      if (holders_fork(&w->h) == 0)
         child_body(w, quota);
   }
   holders_wait(&w->h, "its fds");
}

static void
end_world(struct world *w)
{
   holders_end(&w->h);
   for (size_t i = 0; i < w->n_shared; i++)
      close(w->shared[i]);
}

/* ---- the naive grouping: kcmp on every pair, union-find --------------- */

static size_t
find(size_t *parent, size_t i)
{
   while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
   return i;
}

/* Returns pairs asked; *complete says whether all were asked in time. */
static double
naive_group(const struct scan *s, double budget, bool *complete, size_t *groups)
{
   size_t n = s->n_fds;
   size_t *parent = malloc(n * sizeof(*parent));
   if (!parent)
      die("malloc");
   for (size_t i = 0; i < n; i++)
      parent[i] = i;
   double start = (fdid_now_ns() * 1e-9), pairs = 0;
   *complete = true;
   for (size_t i = 0; i < n && *complete; i++) {
      const struct fd_entry *a = &s->fds[i];
      for (size_t j = i + 1; j < n; j++) {
         const struct fd_entry *b = &s->fds[j];
         long r = syscall(SYS_kcmp, a->proc->pid, b->proc->pid, KCMP_FILE, a->fd, b->fd);
         pairs++;
         if (r == 0)
            parent[find(parent, i)] = find(parent, j);
      }
      if ((fdid_now_ns() * 1e-9) - start > budget)
         *complete = false;
   }
   *groups = 0;
   for (size_t i = 0; i < n; i++)
      *groups += find(parent, i) == i;
   free(parent);
   return pairs;
}

static void
bench_size(size_t n_fds, double naive_budget)
{
   struct rlimit rl;
   getrlimit(RLIMIT_NOFILE, &rl);
   size_t per_proc_max = rl.rlim_cur > 400 ? rl.rlim_cur - 200 : 200;
   size_t procs = 8;
   while (n_fds / procs > per_proc_max && procs < 200)
      procs++;

   struct world w;
   make_world(&w, n_fds, procs);

   double t0 = (fdid_now_ns() * 1e-9);
   struct scan s;
   if (scan_processes(w.h.pids, w.h.n_pids, &s) < 0)
      die("scan");
   double t1 = (fdid_now_ns() * 1e-9);
   struct grouping g;
   if (group_descriptions(&s, &g) < 0)
      die("group");
   double t2 = (fdid_now_ns() * 1e-9);

   bool complete;
   size_t naive_groups;
   double pairs_done = naive_group(&s, naive_budget, &complete, &naive_groups);
   double t3 = (fdid_now_ns() * 1e-9);
   double all_pairs = (double)s.n_fds * (double)(s.n_fds - 1) / 2;
   double naive_group_s = (t3 - t2) * (complete ? 1 : all_pairs / pairs_done);
   if (complete && naive_groups != g.n_descs) {
      fprintf(stderr, "bench_inspect: naive grouping found %zu descriptions, fdid %zu\n",
              naive_groups, g.n_descs);
      exit(1);
   }

   double fdid_s = t2 - t0, naive_s = (t1 - t0) + naive_group_s;
   char op[64];
   snprintf(op, sizeof(op), "ls %zuk fds / %zu procs", s.n_fds / 1000, w.h.n_pids);
   printf("%-28s %10.1f %10.4f %10.3f  scan %.3f s + group %.3f s = %.3f s; naive %.1f s%s, "
          "%.3g kcmp\n",
          op, fdid_s * 1e9 / (double)s.n_fds, fdid_s / naive_s,
          (double)g.questions / (double)s.n_fds, t1 - t0, t2 - t1, fdid_s, naive_s,
          complete ? "" : " (projected)", all_pairs);
   printf("# %zu fds: %zu descriptions, fdid %.3f s in all (target < 1 s for 100k), "
          "%.2f kcmp per fd (target < 1.5), %.0fx faster than naive%s\n",
          s.n_fds, g.n_descs, fdid_s, (double)g.questions / (double)s.n_fds,
          naive_s / fdid_s, complete ? "" : " (projected)");
   fflush(stdout);
   grouping_finish(&g);
   scan_finish(&s);
   end_world(&w);
}

int
main(void)
{
   struct rlimit rl;
   getrlimit(RLIMIT_NOFILE, &rl);
   rl.rlim_cur = rl.rlim_max;
   setrlimit(RLIMIT_NOFILE, &rl);

   const char *sizes = getenv("FDID_BENCH_SIZES");
   if (!sizes)
      sizes = "1000,10000,100000";
   const char *b = getenv("FDID_BENCH_NAIVE_SECONDS");
   double budget = b ? atof(b) : 5;

   printf("# fdid inspector benchmark: scan + group vs scan + all-pairs kcmp\n");
   printf("%-28s %10s %10s %10s  %s\n", "operation", "ns/op", "x naive", "syscalls",
          "note (ns/op is per fd; syscalls: kcmp calls per fd)");
   for (const char *p = sizes; *p;) {
      size_t n = strtoul(p, NULL, 10);
      if (n >= 100)
         bench_size(n, budget);
      p += strcspn(p, ",");
      p += *p == ',';
   }
   return 0;
}
