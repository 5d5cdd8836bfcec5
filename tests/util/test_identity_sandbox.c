/* SPDX-License-Identifier: MIT */
/*
 * Under seccomp filters like the ones real sandboxes install: a blocked
 * method is dropped (before or after the probe) and the answers stay right;
 * a method that would kill the process is never called once excluded.
 * Each subtest runs in its own child, so each filter dies with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"
#include "pair_cases.h"
#include "test_util.h"

#define F_DUPFD_QUERY_CMD 1027

static void
install_filter(int syscall_nr, uint32_t action, bool only_dupfd_query)
{
   if (!seccomp_kill_process_works())
      SKIP("seccomp filters cannot be installed here (old kernel or valgrind)");
   scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
   CHECK(ctx != NULL);
   int r = only_dupfd_query
              ? seccomp_rule_add(ctx, action, syscall_nr, 1,
                                 SCMP_A1(SCMP_CMP_EQ, F_DUPFD_QUERY_CMD))
              : seccomp_rule_add(ctx, action, syscall_nr, 0);
   CHECK_EQ(r, 0);
   CHECK_EQ(seccomp_load(ctx), 0);
   seccomp_release(ctx);
}

static void
block_kcmp(uint32_t action)
{
   install_filter(SCMP_SYS(kcmp), action, false);
}

static void
block_dupfd_query(uint32_t action)
{
   install_filter(SCMP_SYS(fcntl), action, true);
}

/* Every known pair: an answer, when given, is the right one. */
static void
check_answers_right(void)
{
   for (size_t i = 0; i < pair_case_count; i++) {
      const struct pair_case *c = &pair_cases[i];
      struct pair p = { 0 };
      c->make(&p);
      int r = fdid_same_file_description(p.fd1, p.fd2);
      if (r != -ENOTSUP && (c->same ? r != 0 : (r < 1 || r > 3)))
         fdid_test_fail(__FILE__, __LINE__, "%s: wrong answer %d", c->name, r);
      r = fdid_compare_file_description(p.fd1, p.fd2);
      if (r != -ENOTSUP && (c->same ? r != 0 : (r < 1 || r > 2)))
         fdid_test_fail(__FILE__, __LINE__, "%s: wrong order %d", c->name, r);
      pair_close(&p);
   }
}

/* Pollable pairs must still be decided: the epoll trick is left. */
static void
check_pollable_decided(void)
{
   int a = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   int b = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   int d = CHECK_SYS(dup(a));
   CHECK_EQ(fdid_same_file_description(a, d), 0);
   int r = fdid_same_file_description(a, b);
   CHECK(r >= 1 && r <= 3);
   close(a);
   close(b);
   close(d);
}

/* A child that exists only to be asked about, across processes. */
static void
check_cross_process(void)
{
   int a = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   int b = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   int ctl[2];
   CHECK_SYS(pipe2(ctl, O_CLOEXEC));
   pid_t pid = CHECK_SYS(fork());
   if (pid == 0) {
      char c;
      close(ctl[1]);
      (void)!read(ctl[0], &c, 1);
      _exit(0);
   }
   close(ctl[0]);
   int same = fdid_same_file_description_pid(pid, a, getpid(), a);
   int diff = fdid_same_file_description_pid(pid, a, getpid(), b);
   if ((fdid_probe() & FDID_METHOD_KCMP) || pidfd_getfd_works()) {
      CHECK_EQ(same, 0);
      CHECK(diff >= 1 && diff <= 3);
   } else {
      CHECK_EQ(same, -ENOTSUP);
      CHECK_EQ(diff, -ENOTSUP);
   }
   close(ctl[1]);
   CHECK_SYS(waitpid(pid, NULL, 0));
   close(a);
   close(b);
}

FDID_TEST(kcmp_eperm_before_probe)
{
   block_kcmp(SCMP_ACT_ERRNO(EPERM));
   CHECK(!(fdid_probe() & FDID_METHOD_KCMP));
   check_answers_right();
   check_pollable_decided();
   check_cross_process();
}

FDID_TEST(kcmp_enosys_after_probe)
{
   fdid_set_allowed_methods(FDID_METHOD_KCMP | FDID_METHOD_EPOLL);
   CHECK(fdid_probe() & FDID_METHOD_KCMP);
   block_kcmp(SCMP_ACT_ERRNO(ENOSYS));
   check_answers_right();
   check_pollable_decided();
   CHECK(!(fdid_probe() & FDID_METHOD_KCMP));
   check_cross_process();
}

FDID_TEST(kcmp_eperm_after_probe)
{
   fdid_set_allowed_methods(FDID_METHOD_KCMP | FDID_METHOD_EPOLL);
   CHECK(fdid_probe() & FDID_METHOD_KCMP);
   block_kcmp(SCMP_ACT_ERRNO(EPERM));
   /* Across processes first: EPERM must not be taken for "no permission to
    * inspect that process" once kcmp itself is refused. */
   check_cross_process();
   check_answers_right();
   check_pollable_decided();
   CHECK(!(fdid_probe() & FDID_METHOD_KCMP));
}

FDID_TEST(dupfd_query_einval_after_probe)
{
   unsigned before = fdid_probe();
   block_dupfd_query(SCMP_ACT_ERRNO(EINVAL));
   check_answers_right();
   check_pollable_decided();
   CHECK(!(fdid_probe() & FDID_METHOD_DUPFD_QUERY));
   CHECK_EQ(fdid_probe(), before & ~FDID_METHOD_DUPFD_QUERY);
}

FDID_TEST(dupfd_query_einval_before_probe)
{
   block_dupfd_query(SCMP_ACT_ERRNO(EINVAL));
   CHECK(!(fdid_probe() & FDID_METHOD_DUPFD_QUERY));
   check_answers_right();
   check_pollable_decided();
}

/* Chromium- and Firefox-style: kcmp kills the process. With kcmp excluded
 * through the environment fdid must never call it, not even to probe. */
FDID_TEST(kcmp_kills_excluded_by_env)
{
   setenv("FDID_METHODS", "dupfd_query,epoll", 1);
   block_kcmp(SCMP_ACT_KILL_PROCESS);
   CHECK_EQ(fdid_allowed_methods(), FDID_METHOD_DUPFD_QUERY | FDID_METHOD_EPOLL);
   check_answers_right();
   check_pollable_decided();
   check_cross_process();
}

FDID_TEST(kcmp_kills_excluded_by_api)
{
   fdid_set_allowed_methods(FDID_METHOD_DUPFD_QUERY | FDID_METHOD_EPOLL);
   block_kcmp(SCMP_ACT_KILL_PROCESS);
   check_answers_right();
   check_pollable_decided();
   check_cross_process();
}

/* crosvm/Android-style: an unknown fcntl command kills. */
FDID_TEST(dupfd_query_kills_excluded_by_env)
{
   setenv("FDID_METHODS", "kcmp,epoll", 1);
   block_dupfd_query(SCMP_ACT_KILL_PROCESS);
   check_answers_right();
   check_pollable_decided();
   check_cross_process();
}

/* The environment can only narrow: an unknown name allows nothing. */
FDID_TEST(env_unknown_name_allows_nothing)
{
   setenv("FDID_METHODS", "kcmpp,epol", 1);
   CHECK_EQ(fdid_allowed_methods(), 0);
   CHECK_EQ(fdid_probe(), 0);
   check_answers_right();
}

FDID_TEST(env_intersects_api)
{
   setenv("FDID_METHODS", "kcmp,epoll", 1);
   fdid_set_allowed_methods(FDID_METHOD_DUPFD_QUERY | FDID_METHOD_KCMP);
   CHECK_EQ(fdid_allowed_methods(), FDID_METHOD_KCMP);
}

/*
 * Chromium's renderer baseline: pidfd_open answers ENOSYS, kill() of
 * another pid kills, kcmp kills (not allowed here). A cross-process
 * question gets "cannot tell", and the process lives: fdid asked nothing
 * its rules do not list (it used to ask kill(pid, 0) whether the process
 * was there).
 */
FDID_TEST(pidfd_enosys_asks_nothing_more)
{
   if (!seccomp_kill_process_works())
      SKIP("seccomp filters cannot be installed here (old kernel or valgrind)");
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   pid_t holder = CHECK_SYS(fork());
   if (holder == 0) {
      char c;
      close(p[1]);
      _exit(read(p[0], &c, 1) < 0);
   }
   fdid_set_allowed_methods(FDID_METHOD_DUPFD_QUERY | FDID_METHOD_EPOLL);
   scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
   CHECK(ctx != NULL);
   CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(pidfd_open), 0), 0);
   CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(kill), 0), 0);
   CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(kcmp), 0), 0);
   CHECK_EQ(seccomp_load(ctx), 0);
   seccomp_release(ctx);
   CHECK_EQ(fdid_same_file_description_pid(getpid(), p[0], holder, p[0]), -ENOTSUP);
   /* A process that is gone cannot be told from one that is not asked. */
   CHECK_EQ(fdid_same_file_description_pid(getpid(), p[0], 0x7ffffff0, p[0]), -ENOTSUP);
   /* The caller's own fds are still answered. */
   CHECK_EQ(fdid_same_file_description_pid(getpid(), p[0], getpid(), p[0]), 0);
   close(p[1]);
   CHECK_EQ(wait_child(holder), 0);
   close(p[0]);
}

/* getpid trapped: the first call refused (EPERM), the later ones the
 * kernel's answer, as a handler that emulates the call could. */
static pid_t real_pid;
static unsigned getpid_calls;

static void
getpid_refused_once(int sig, siginfo_t *si, void *uctx)
{
   (void)sig;
   (void)si;
   ucontext_t *uc = uctx;
   uc->uc_mcontext.gregs[REG_RAX] = getpid_calls++ == 0 ? -EPERM : real_pid;
}

/* A refused getpid is no pid: it is not kept as the caller's, and the
 * next question, with getpid answered, knows the caller's own fds. */
FDID_TEST(refused_getpid_is_not_kept)
{
#if !defined(__x86_64__)
   SKIP("the trap handler sets x86-64's return register");
#endif
   if (!seccomp_kill_process_works())
      SKIP("seccomp filters cannot be installed here (old kernel or valgrind)");
   real_pid = getpid();
   int a = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   int d = CHECK_SYS(dup(a));
   /* The epoll trick where F_DUPFD_QUERY is not (before 6.10). */
   fdid_set_allowed_methods(FDID_METHOD_DUPFD_QUERY | FDID_METHOD_EPOLL);
   struct sigaction sa = { .sa_sigaction = getpid_refused_once, .sa_flags = SA_SIGINFO };
   CHECK_SYS(sigaction(SIGSYS, &sa, NULL));
   scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
   CHECK(ctx != NULL);
   CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(getpid), 0), 0);
   /* The other way to the caller's fds, pidfd_getfd, is refused too. */
   CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(pidfd_open), 0), 0);
   CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(pidfd_getfd), 0), 0);
   CHECK_EQ(seccomp_load(ctx), 0);
   seccomp_release(ctx);
   int first = fdid_same_file_description_pid(real_pid, a, real_pid, d);
   CHECK(first == 0 || first == -EPERM);
   CHECK_EQ(fdid_same_file_description_pid(real_pid, a, real_pid, d), 0);
   CHECK(getpid_calls >= 2);
   close(a);
   close(d);
}

FDID_TEST_MAIN()
