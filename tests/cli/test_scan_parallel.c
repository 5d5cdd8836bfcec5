/* SPDX-License-Identifier: MIT */
/*
 * The scan and grouping spread over threads (parallel.h) give what one
 * thread gives, and what the kernel says. Real processes, forked: each
 * holds a few hundred pipes (both ends), eventfds (one inode for them all,
 * and for the timerfds and epoll sets beside them), dups of each, and
 * descriptions inherited from the parent, so that both levels of the
 * scan's threads (processes, and one process's stats) and the grouping's
 * parts have work. Also in the ThreadSanitizer stage (suite 'threads').
 *
 * GROUP_READS_FDINFO tells pipe ends and eventfds apart by fdinfo's facts
 * instead of questions: the same groups, fewer questions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"
#include "group.h"
#include "parallel.h"
#include "scan.h"

/* Enough fds (about 5000) for every parallel path: the sort by inode
 * runs on threads from 4096. */
enum { HOLDERS = 5, PIPES = 300, EVENTFDS = 200 };

/* A holder: its own pipes and eventfds (every third dup'ed), then waits
 * for its release pipe to close. */
static pid_t
holder(int ready_w, const int release[2])
{
   pid_t pid = CHECK_SYS(fork());
   if (pid != 0)
      return pid;
   close(release[1]);
   int release_r = release[0];
   for (int i = 0; i < PIPES; i++) {
      int p[2];
      if (pipe(p) != 0)
         _exit(1);
      if (i % 3 == 0 && dup(p[1]) < 0)
         _exit(1);
   }
   for (int i = 0; i < EVENTFDS; i++) {
      int e = eventfd(0, 0);
      if (e < 0 || (i % 3 == 0 && dup(e) < 0))
         _exit(1);
   }
   if (timerfd_create(CLOCK_MONOTONIC, 0) < 0 || epoll_create1(0) < 0)
      _exit(1);
   if (write(ready_w, "r", 1) != 1)
      _exit(1);
   char c;
   while (read(release_r, &c, 1) > 0)
      ;
   _exit(0);
}

struct world {
   pid_t pids[HOLDERS];
   int release_w;
};

static void
world_start(struct world *w)
{
   /* Inherited by every holder: one description each, several processes. */
   int shared_pipe[2];
   CHECK_SYS(pipe(shared_pipe));
   int shared_event = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   int ready[2], release[2];
   CHECK_SYS(pipe(ready));
   CHECK_SYS(pipe(release));
   for (int i = 0; i < HOLDERS; i++)
      w->pids[i] = holder(ready[1], release); /* no exec: they keep shared_event */
   close(ready[1]);
   close(release[0]);
   for (int i = 0; i < HOLDERS; i++) {
      char c;
      CHECK_EQ(read(ready[0], &c, 1), 1);
   }
   close(ready[0]);
   close(shared_pipe[0]);
   close(shared_pipe[1]);
   close(shared_event);
   w->release_w = release[1];
}

static void
world_end(struct world *w)
{
   close(w->release_w);
   for (int i = 0; i < HOLDERS; i++)
      CHECK_EQ(wait_child(w->pids[i]), 0);
}

struct result {
   struct scan s;
   struct grouping g;
};

/* Every holder (several processes: one thread each), or the first alone
 * (one process: its stats spread over the threads). */
static void
scan_and_group_n(const struct world *w, size_t n, unsigned flags, struct result *r)
{
   CHECK_EQ(scan_processes(w->pids, n, &r->s), 0);
   CHECK_EQ(r->s.fds_vanished, 0);
   CHECK_EQ(group_descriptions_with(&r->s, flags, &r->g), 0);
   CHECK_EQ(r->g.fds_vanished, 0);
}

static void
scan_and_group(const struct world *w, unsigned flags, struct result *r)
{
   scan_and_group_n(w, HOLDERS, flags, r);
}

static void
result_finish(struct result *r)
{
   grouping_finish(&r->g);
   scan_finish(&r->s);
}

/* The same descriptions, holders in the same order. */
static void
check_same_groups(const struct result *a, const struct result *b)
{
   CHECK_EQ(a->s.n_fds, b->s.n_fds);
   CHECK_EQ(a->g.n_descs, b->g.n_descs);
   for (size_t i = 0; i < a->g.n_descs; i++) {
      const struct description *x = &a->g.descs[i], *y = &b->g.descs[i];
      CHECK_EQ(x->n_holders, y->n_holders);
      CHECK_EQ(x->verified, y->verified);
      for (size_t h = 0; h < x->n_holders; h++) {
         CHECK_EQ(x->holders[h]->proc->pid, y->holders[h]->proc->pid);
         CHECK_EQ(x->holders[h]->fd, y->holders[h]->fd);
      }
   }
}

/* The description of b holding pid's fd, or NULL. */
static const struct description *
holding(const struct result *b, pid_t pid, int fd)
{
   for (size_t i = 0; i < b->g.n_descs; i++) {
      for (size_t h = 0; h < b->g.descs[i].n_holders; h++) {
         const struct fd_entry *e = b->g.descs[i].holders[h];
         if (e->proc->pid == pid && e->fd == fd)
            return &b->g.descs[i];
      }
   }
   return NULL;
}

/* The same descriptions, in any order (a bucket's order is kcmp's or
 * fdinfo's). */
static void
check_same_partition(const struct result *a, const struct result *b)
{
   CHECK_EQ(a->g.n_descs, b->g.n_descs);
   for (size_t i = 0; i < a->g.n_descs; i++) {
      const struct description *x = &a->g.descs[i];
      const struct description *y = holding(b, x->holders[0]->proc->pid, x->holders[0]->fd);
      CHECK(y != NULL);
      CHECK_EQ(x->n_holders, y->n_holders);
      for (size_t h = 1; h < x->n_holders; h++)
         CHECK(holding(b, x->holders[h]->proc->pid, x->holders[h]->fd) == y);
   }
}

/* The kernel's word: each group's holders are its first's description,
 * and a group's first is not the one before of the same inode. */
static void
check_against_kernel(const struct result *r)
{
   for (size_t i = 0; i < r->g.n_descs; i++) {
      const struct description *d = &r->g.descs[i];
      const struct fd_entry *f = d->holders[0];
      CHECK(d->verified);
      for (size_t h = 1; h < d->n_holders; h++)
         CHECK_EQ(fdid_same_file_description_pid(f->proc->pid, f->fd, d->holders[h]->proc->pid,
                                                 d->holders[h]->fd),
                  0);
      for (size_t k = i; k-- > 0;) {
         const struct fd_entry *o = r->g.descs[k].holders[0];
         if (o->dev != f->dev || o->ino != f->ino)
            break;
         CHECK(fdid_same_file_description_pid(f->proc->pid, f->fd, o->proc->pid, o->fd) > 0);
      }
   }
}

FDID_TEST(threads_group_as_one_thread_and_as_the_kernel_says)
{
   struct world w;
   world_start(&w);
   struct result one, many, one_alone, many_alone;
   CHECK_EQ(parallel_threads(), 1); /* until the command asks for more */
   scan_and_group(&w, GROUP_READS_FDINFO, &one);
   scan_and_group_n(&w, 1, GROUP_READS_FDINFO, &one_alone);
   setenv("FDID_THREADS", "4", 1);
   parallel_use_cpus();
   CHECK_EQ(parallel_threads(), 4);
   scan_and_group(&w, GROUP_READS_FDINFO, &many);
   scan_and_group_n(&w, 1, GROUP_READS_FDINFO, &many_alone);
   setenv("FDID_THREADS", "1", 1);
   parallel_use_cpus();
   unsetenv("FDID_THREADS");

   check_same_groups(&one, &many);
   check_against_kernel(&many);
   check_same_groups(&one_alone, &many_alone);
   check_against_kernel(&many_alone);
   result_finish(&one_alone);
   result_finish(&many_alone);
   /* Each holder's pipes and eventfds, their dups and the inherited two:
    * all listed. */
   CHECK(many.s.n_fds >= HOLDERS * (PIPES * 2 + PIPES / 3 + EVENTFDS + EVENTFDS / 3 + 4));
   result_finish(&one);
   result_finish(&many);
   world_end(&w);
}

FDID_TEST(fdinfo_facts_spare_questions_not_groups)
{
   struct world w;
   world_start(&w);
   struct result asked, told;
   scan_and_group(&w, 0, &asked);
   scan_and_group(&w, GROUP_READS_FDINFO, &told);
   check_same_partition(&asked, &told);
   check_against_kernel(&told);
   /* Without fdinfo, a pipe's two ends cost a question, and the eventfds'
    * one inode n log n; with it, only the fds of one eventfd or pipe end
    * are asked about. */
   CHECK(asked.g.questions >= HOLDERS * (PIPES + EVENTFDS));
   CHECK(told.g.questions < asked.g.questions / 4);
   result_finish(&asked);
   result_finish(&told);
   world_end(&w);
}

FDID_TEST_MAIN()
