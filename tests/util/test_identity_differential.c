/* SPDX-License-Identifier: MIT */
/*
 * Differential test: random sequences of open, dup, dup2, close, fork,
 * SCM_RIGHTS, pidfd_getfd and fd-number reuse, against a model that knows
 * which fds share a description by construction. Every working method,
 * alone and chained, is asked about random pairs (in this process and
 * across processes); a wrong "same" or a wrong "different" fails at once.
 *
 * FDID_DIFF_QUESTIONS (default 100000) and FDID_DIFF_SEED change the run;
 * the seed is printed so that a failure can be replayed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"
#include "test_util.h"

enum {
   MAX_FD = 1024,   /* model covers fd numbers below this */
   MAX_LIVE = 48,   /* open fds we keep at most */
   MAX_HOLDERS = 3, /* forked children at most */
};

/* model[fd]: description id, or 0 when we do not hold fd. */
struct table {
   uint32_t model[MAX_FD];
};

struct holder {
   pid_t pid;
   int ctl;
   struct table t; /* its table as it was at fork time */
};

static struct table self;
static struct holder holders[MAX_HOLDERS];
static int n_holders;
static uint32_t next_id = 1;
static uint64_t rng;
static int scm[2]; /* a socketpair to pass fds to ourselves */
static long wrong, asked, undecided;

static uint32_t
rnd(uint32_t n)
{
   /* xorshift64*: small, seedable, good enough to pick operations. */
   rng ^= rng >> 12;
   rng ^= rng << 25;
   rng ^= rng >> 27;
   return (uint32_t)((rng * 2685821657736338717ull) >> 32) % n;
}

static int
live_count(const struct table *t)
{
   int n = 0;
   for (int fd = 0; fd < MAX_FD; fd++)
      n += t->model[fd] != 0;
   return n;
}

static int
random_live(const struct table *t)
{
   int n = live_count(t);
   if (n == 0)
      return -1;
   int k = (int)rnd((uint32_t)n);
   for (int fd = 0; fd < MAX_FD; fd++) {
      if (t->model[fd] && k-- == 0)
         return fd;
   }
   return -1;
}

static void
hold(int fd, uint32_t id)
{
   CHECK(fd >= 0 && fd < MAX_FD);
   CHECK_EQ(self.model[fd], 0);
   self.model[fd] = id;
}

/* New descriptions of several kinds: one inode for many (/dev/null,
 * eventfds) so fstat cannot decide, pollable and not. */
static void
op_open(void)
{
   int fds[2];
   switch (rnd(5)) {
   case 0:
      hold(CHECK_SYS(open("/dev/null", O_RDWR | O_CLOEXEC)), next_id++);
      break;
   case 1:
      hold(CHECK_SYS(eventfd(0, EFD_CLOEXEC)), next_id++);
      break;
   case 2:
      CHECK_SYS(pipe2(fds, O_CLOEXEC));
      hold(fds[0], next_id++);
      hold(fds[1], next_id++);
      break;
   case 3:
      CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
      hold(fds[0], next_id++);
      hold(fds[1], next_id++);
      break;
   default:
      hold(CHECK_SYS(memfd_create("fdid-diff", MFD_CLOEXEC)), next_id++);
      break;
   }
}

static void
op_dup(void)
{
   int fd = random_live(&self);
   if (fd >= 0)
      hold(CHECK_SYS(fcntl(fd, F_DUPFD_CLOEXEC, (int)rnd(64) + 3)), self.model[fd]);
}

static void
op_dup2(void)
{
   int fd = random_live(&self);
   /* A target we hold (replaced) or a free number above the harness's. */
   int target = rnd(2) ? random_live(&self) : (int)rnd(MAX_FD - 100) + 100;
   if (fd < 0 || target < 0 || fd == target ||
       (!self.model[target] && fcntl(target, F_GETFD) >= 0))
      return;
   CHECK_SYS(dup3(fd, target, O_CLOEXEC));
   self.model[target] = self.model[fd];
}

static void
op_close(void)
{
   int fd = random_live(&self);
   if (fd >= 0) {
      CHECK_SYS(close(fd));
      self.model[fd] = 0;
   }
}

static void
op_scm_rights(void)
{
   int fd = random_live(&self);
   if (fd < 0)
      return;
   send_fd(scm[0], fd);
   hold(recv_fd(scm[1]), self.model[fd]);
}

static void
drop_holder(int i)
{
   close(holders[i].ctl);
   CHECK_SYS(waitpid(holders[i].pid, NULL, 0));
   holders[i] = holders[--n_holders];
}

/* A child keeps the table as it is now and sleeps until ctl closes. */
static void
op_fork(void)
{
   if (n_holders == MAX_HOLDERS)
      drop_holder((int)rnd(MAX_HOLDERS));
   int ctl[2];
   CHECK_SYS(pipe2(ctl, O_CLOEXEC));
   /* ctl must not be in the model: the child gets a copy of our table.
    * Move the read end out of the modelled range. */
   int rd = CHECK_SYS(fcntl(ctl[0], F_DUPFD_CLOEXEC, MAX_FD));
   int wr = CHECK_SYS(fcntl(ctl[1], F_DUPFD_CLOEXEC, MAX_FD));
   close(ctl[0]);
   close(ctl[1]);
   pid_t pid = CHECK_SYS(fork());
   if (pid == 0) {
      char c;
      close(wr);
      /* Other holders must see EOF when we drop them. */
      for (int i = 0; i < n_holders; i++)
         close(holders[i].ctl);
      while (read(rd, &c, 1) < 0 && errno == EINTR)
         ;
      _exit(0);
   }
   close(rd);
   holders[n_holders].pid = pid;
   holders[n_holders].ctl = wr;
   holders[n_holders].t = self;
   n_holders++;
}

static void
op_pidfd_getfd(void)
{
   if (n_holders == 0)
      return;
   struct holder *h = &holders[rnd((uint32_t)n_holders)];
   int fd = random_live(&h->t);
   if (fd < 0)
      return;
   int pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
   if (pidfd < 0)
      return; /* no pidfd on this kernel: nothing to model */
   int got = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
   close(pidfd);
   CHECK(got >= 0);
   if (got >= MAX_FD) {
      close(got);
      return;
   }
   CHECK_SYS(fcntl(got, F_SETFD, FD_CLOEXEC));
   hold(got, h->t.model[fd]);
}

static const unsigned masks[] = {
   FDID_METHOD_ALL, FDID_METHOD_DUPFD_QUERY, FDID_METHOD_KCMP, FDID_METHOD_EPOLL, 0,
};

static void
judge(int r, bool same, const char *what, unsigned mask, int fd1, int fd2)
{
   asked++;
   if (r == -ENOTSUP) {
      undecided++;
      return;
   }
   bool ok = same ? r == 0 : (r >= 1 && r <= 3);
   if (!ok) {
      wrong++;
      fdid_test_fail(__FILE__, __LINE__,
                     "%s(%d, %d) with methods 0x%x: %d, but the model says %s",
                     what, fd1, fd2, mask, r, same ? "same" : "different");
   }
}

static void
ask_local(unsigned mask)
{
   int a = random_live(&self), b = rnd(4) ? random_live(&self) : a;
   if (a < 0 || b < 0)
      return;
   bool same = self.model[a] == self.model[b];
   judge(fdid_same_file_description(a, b), same, "same", mask, a, b);
   int o = fdid_compare_file_description(a, b);
   if (o != -ENOTSUP && o == 3)
      fdid_test_fail(__FILE__, __LINE__, "compare gave 3");
   judge(o, same, "compare", mask, a, b);
}

static void
ask_across(unsigned mask)
{
   if (n_holders == 0)
      return;
   struct holder *h = &holders[rnd((uint32_t)n_holders)];
   int a = random_live(&h->t), b = random_live(&self);
   if (a < 0 || b < 0)
      return;
   /* Ids are never reused, so a child's id equals ours only when the
    * description was inherited. */
   bool same = h->t.model[a] == self.model[b];
   judge(fdid_same_file_description_pid(h->pid, a, getpid(), b), same, "same_pid",
         mask, a, b);
}

FDID_TEST(random_operations_against_model)
{
   const char *q = getenv("FDID_DIFF_QUESTIONS");
   const char *s = getenv("FDID_DIFF_SEED");
   long questions = q ? atol(q) : 100000;
   rng = s ? strtoull(s, NULL, 0) : 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
   if (rng == 0)
      rng = 1;
   printf("# seed 0x%llx, %ld questions, methods working here 0x%x\n",
          (unsigned long long)rng, questions, fdid_probe());

   /* The model covers fds below MAX_FD; our own plumbing lives above it. */
   struct rlimit rl;
   CHECK_SYS(getrlimit(RLIMIT_NOFILE, &rl));
   if (rl.rlim_cur < 2 * MAX_FD) {
      rl.rlim_cur = rl.rlim_max = 2 * MAX_FD;
      if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
         SKIP("RLIMIT_NOFILE below %d and cannot be raised", 2 * MAX_FD);
   }
   CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, scm));
   int s0 = CHECK_SYS(fcntl(scm[0], F_DUPFD_CLOEXEC, MAX_FD + 10));
   int s1 = CHECK_SYS(fcntl(scm[1], F_DUPFD_CLOEXEC, MAX_FD + 10));
   close(scm[0]);
   close(scm[1]);
   scm[0] = s0;
   scm[1] = s1;

   unsigned working = fdid_probe();
   long per_mask[sizeof(masks) / sizeof(masks[0])] = { 0 };
   while (asked < questions) {
      switch (rnd(16)) {
      case 0:
      case 1:
         if (live_count(&self) < MAX_LIVE)
            op_open();
         break;
      case 2:
         if (live_count(&self) < MAX_LIVE)
            op_dup();
         break;
      case 3:
         op_dup2();
         break;
      case 4:
         op_close();
         break;
      case 5:
         if (live_count(&self) < MAX_LIVE)
            op_scm_rights();
         break;
      case 6:
         if (rnd(8) == 0)
            op_fork();
         break;
      case 7:
         if (live_count(&self) < MAX_LIVE)
            op_pidfd_getfd();
         break;
      default: {
         size_t m = rnd(sizeof(masks) / sizeof(masks[0]));
         if (masks[m] && !(working & masks[m]))
            break; /* that method alone is not here */
         fdid_set_allowed_methods(masks[m]);
         long before = asked;
         if (rnd(4) == 0)
            ask_across(masks[m]);
         else
            ask_local(masks[m]);
         per_mask[m] += asked - before;
         break;
      }
      }
   }

   printf("# %ld answers checked, %ld wrong, %ld undecided (fstat alone, or the "
          "epoll trick on non-pollable files)\n", asked, wrong, undecided);
   for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++)
      printf("#   methods 0x%x: %ld answers\n", masks[m], per_mask[m]);
   CHECK_EQ(wrong, 0);
   /* Every working method got its share of the questions. */
   for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++)
      CHECK(!(masks[m] == 0 || (working & masks[m])) || per_mask[m] > questions / 20);

   while (n_holders)
      drop_holder(0);
   for (int fd = 0; fd < MAX_FD; fd++) {
      if (self.model[fd])
         close(fd);
   }
   close(scm[0]);
   close(scm[1]);
}

FDID_TEST_MAIN()
