/* SPDX-License-Identifier: MIT */
/*
 * The grouping when kcmp answers for some pairs and not others, as under
 * a sandbox that lets kcmp look at one process only: a seccomp filter
 * lets kcmp(P1, P1) and kcmp(self, self) through and fails every other
 * kcmp the scan can make with EIO (an error that is neither "no" nor "forbidden", so fdid asks
 * again through pidfd_getfd and a local question). P1's pairs then come
 * with kcmp's order, the others without (F_DUPFD_QUERY, where the kernel
 * has it), and the sort redoes the bucket without order. It once still
 * split that redo by the ordered answers, so one description's fds went
 * to both sides and came out as two verified groups.
 *
 * One file opened 8 times (one inode: one bucket of 8 descriptions),
 * held by two forked processes; each description must be one group of
 * exactly its two holders.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"
#include "group.h"
#include "scan.h"
#include "test_util.h"

enum { OPENS = 8 };

static pid_t
holder(const int rel[2])
{
   pid_t pid = CHECK_SYS(fork());
   if (pid == 0) {
      close(rel[1]);
      int release = rel[0];
      char c;
      while (read(release, &c, 1) > 0)
         ;
      _exit(0);
   }
   return pid;
}

/* kcmp fails with EIO when pid1 is a and pid2 is b (0: any). */
static void
fail_kcmp(scmp_filter_ctx ctx, pid_t a, pid_t b)
{
   struct scmp_arg_cmp args[2];
   unsigned n = 0;
   if (a)
      args[n++] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)a);
   if (b)
      args[n++] = SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)b);
   CHECK_EQ(seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EIO), SCMP_SYS(kcmp), n, args), 0);
}

FDID_TEST(kcmp_for_one_process_only_never_splits_a_group)
{
   if (!seccomp_kill_process_works())
      SKIP("seccomp filters cannot be installed here (old kernel or valgrind)");
   char path[] = "/tmp/fdid-partial-kcmp-XXXXXX";
   int tmp = CHECK_SYS(mkstemp(path));
   close(tmp);
   int fds[OPENS];
   for (int i = 0; i < OPENS; i++)
      fds[i] = CHECK_SYS(open(path, O_RDONLY | O_CLOEXEC));
   unlink(path);
   /* The sort's first pivot is P1's lowest fd in the bucket: give that
    * number the description kcmp orders last, so that every other answer
    * P1 gives the pivot is "before" and every one P2 gives is unordered:
    * the redo must not split by the former. */
   int last = 0;
   for (int i = 1; i < OPENS; i++) {
      int r = fdid_compare_file_description(fds[i], fds[last]);
      if (r == -ENOTSUP)
         SKIP("no kcmp order here");
      CHECK(r == 1 || r == 2);
      if (r == 2)
         last = i;
   }
   if (last != 0) {
      int t = CHECK_SYS(dup(fds[0]));
      CHECK_SYS(dup2(fds[last], fds[0]));
      CHECK_SYS(dup2(t, fds[last]));
      close(t);
   }
   int rel[2];
   CHECK_SYS(pipe(rel));
   pid_t p1 = holder(rel), p2 = holder(rel);
   close(rel[0]);
   for (int i = 0; i < OPENS; i++)
      close(fds[i]);

   /* In a child of ours, so the filter dies with it. */
   pid_t t = CHECK_SYS(fork());
   if (t == 0) {
      scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
      CHECK(ctx != NULL);
      /* kcmp answers for (P1, P1) and (self, self) only: every call the
       * scan can make involves P1, P2 and ourselves. */
      fail_kcmp(ctx, p2, 0);
      fail_kcmp(ctx, 0, p2);
      fail_kcmp(ctx, p1, getpid());
      fail_kcmp(ctx, getpid(), p1);
      CHECK_EQ(seccomp_load(ctx), 0);
      seccomp_release(ctx);

      pid_t pids[] = { p1, p2 };
      struct scan s;
      struct grouping g;
      CHECK_EQ(scan_processes(pids, 2, &s), 0);
      CHECK_EQ(group_descriptions(&s, &g), 0);
      size_t found = 0;
      for (size_t i = 0; i < g.n_descs; i++) {
         const struct description *d = &g.descs[i];
         bool ours = false;
         for (int k = 0; k < OPENS; k++)
            ours |= d->holders[0]->fd == fds[k];
         if (!ours || d->holders[0]->type != FD_FILE)
            continue;
         found++;
         CHECK(d->verified);
         CHECK_EQ(d->n_holders, 2);
         CHECK_EQ(d->holders[0]->fd, d->holders[1]->fd); /* one open, inherited */
         CHECK(d->holders[0]->proc->pid != d->holders[1]->proc->pid);
      }
      CHECK_EQ(found, OPENS);
      grouping_finish(&g);
      scan_finish(&s);
      _exit(0);
   }
   int status;
   CHECK_SYS(waitpid(t, &status, 0));
   close(rel[1]);
   waitpid(p1, NULL, 0);
   waitpid(p2, NULL, 0);
   CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

FDID_TEST_MAIN()
