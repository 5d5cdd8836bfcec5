/* SPDX-License-Identifier: MIT */
/*
 * Across processes: fork, SCM_RIGHTS, pidfd_getfd; exited and forbidden
 * processes; and the cached state staying right in a child.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"
#include "test_util.h"

/* Cross-process answers with kcmp, and without it (pidfd_getfd plus the
 * local methods). */
static const unsigned masks[] = {
   FDID_METHOD_ALL,
   FDID_METHOD_DUPFD_QUERY | FDID_METHOD_EPOLL,
   FDID_METHOD_EPOLL,
};

struct holder {
   pid_t pid;
   int ctl; /* closing it lets the holder exit */
};

/* A child that runs `setup` (which opens what it holds), tells us it is
 * ready, and sleeps until we close ctl. */
static struct holder
spawn_holder(void (*setup)(void *), void *arg)
{
   int ready[2], ctl[2];
   CHECK_SYS(pipe2(ready, O_CLOEXEC));
   CHECK_SYS(pipe2(ctl, O_CLOEXEC));
   pid_t pid = CHECK_SYS(fork());
   if (pid == 0) {
      close(ready[0]);
      close(ctl[1]);
      if (setup)
         setup(arg);
      char c = 1;
      if (write(ready[1], &c, 1) != 1)
         _exit(1);
      while (read(ctl[0], &c, 1) < 0 && errno == EINTR)
         ;
      _exit(0);
   }
   close(ready[1]);
   close(ctl[0]);
   wait_ready_byte(ready[0]);
   return (struct holder){ pid, ctl[1] };
}

static void
reap_holder(struct holder h)
{
   int status;
   close(h.ctl);
   CHECK_SYS(waitpid(h.pid, &status, 0));
   CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static bool
is_different(int r)
{
   return r == 1 || r == 2 || r == 3;
}

/* Without kcmp, a cross-process question needs pidfd_getfd; where that is
 * missing too, "cannot tell" is the only right answer. */
static bool
cross_process_answerable(void)
{
   return (fdid_probe() & FDID_METHOD_KCMP) || pidfd_getfd_works();
}

#define CHECK_CROSS_SAME(r) CHECK(cross_process_answerable() ? (r) == 0 : (r) == -ENOTSUP)
#define CHECK_CROSS_DIFFERENT(r) \
   CHECK(cross_process_answerable() ? is_different(r) : (r) == -ENOTSUP)

/* eventfds: pollable, so the epoll trick can answer, and all of one anon
 * inode, so fstat cannot. */
static int
new_eventfd(void)
{
   return CHECK_SYS(eventfd(0, EFD_CLOEXEC));
}

static void
open_eventfd_at(void *arg)
{
   int want = *(int *)arg;
   int fd = eventfd(0, 0);
   if (fd < 0 || dup2(fd, want) < 0)
      _exit(1);
   close(fd);
}

FDID_TEST(fork_inherited_is_same)
{
   int a = CHECK_SYS(eventfd(0, 0)); /* inherited */
   int b = new_eventfd();
   int fresh = 200;
   struct holder h = spawn_holder(open_eventfd_at, &fresh);
   for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
      fdid_set_allowed_methods(masks[i]);
      pid_t me = getpid();
      CHECK_CROSS_SAME(fdid_same_file_description_pid(h.pid, a, me, a));
      CHECK_CROSS_SAME(fdid_same_file_description_pid(me, a, h.pid, a));
      CHECK_CROSS_DIFFERENT(fdid_same_file_description_pid(h.pid, a, me, b));
      CHECK_CROSS_DIFFERENT(fdid_same_file_description_pid(h.pid, fresh, me, a));
      CHECK_CROSS_DIFFERENT(fdid_same_file_description_pid(h.pid, fresh, h.pid, a));
      CHECK_CROSS_SAME(fdid_same_file_description_pid(h.pid, a, h.pid, a));
      int bad = cross_process_answerable() ? -EBADF : -ENOTSUP;
      CHECK_EQ(fdid_same_file_description_pid(h.pid, 999, me, a), bad);
      CHECK_EQ(fdid_same_file_description_pid(me, a, h.pid, 999), bad);
   }
   reap_holder(h);
   close(a);
   close(b);
}

struct sender {
   int sock;
   int number; /* where the holder keeps what it sent */
};

static void
open_and_send(void *arg)
{
   struct sender *s = arg;
   int fd = eventfd(0, 0);
   if (fd < 0 || dup2(fd, s->number) < 0)
      _exit(1);
   close(fd);
   send_fd(s->sock, s->number);
}

FDID_TEST(scm_rights_is_same)
{
   int sv[2];
   CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
   struct sender s = { sv[1], 300 };
   struct holder h = spawn_holder(open_and_send, &s);
   int got = recv_fd(sv[0]);
   int other = new_eventfd();
   for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
      fdid_set_allowed_methods(masks[i]);
      CHECK_CROSS_SAME(fdid_same_file_description_pid(h.pid, s.number, getpid(), got));
      CHECK_CROSS_DIFFERENT(fdid_same_file_description_pid(h.pid, s.number, getpid(), other));
   }
   reap_holder(h);
   close(got);
   close(other);
   close(sv[0]);
   close(sv[1]);
}

FDID_TEST(pidfd_getfd_is_same)
{
   int fresh = 201;
   struct holder h = spawn_holder(open_eventfd_at, &fresh);
   if (!pidfd_getfd_works()) {
      reap_holder(h);
      SKIP("no pidfd_getfd here");
   }
   int pidfd = CHECK_SYS(syscall(SYS_pidfd_open, h.pid, 0));
   int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fresh, 0);
   CHECK(copy >= 0);
   for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
      fdid_set_allowed_methods(masks[i]);
      CHECK_EQ(fdid_same_file_description_pid(getpid(), copy, h.pid, fresh), 0);
   }
   reap_holder(h);
   close(copy);
   close(pidfd);
}

FDID_TEST(exited_process_is_esrch)
{
   int fd = new_eventfd();
   pid_t pid = CHECK_SYS(fork());
   if (pid == 0)
      _exit(0);
   CHECK_SYS(waitpid(pid, NULL, 0));
   for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
      fdid_set_allowed_methods(masks[i]);
      /* Gone is known through kcmp or a pidfd; with neither (pidfd_open
       * ENOSYS: old kernels, valgrind, Chromium's renderer) nothing else is
       * asked, so cannot tell. */
      int gone = cross_process_answerable() ? -ESRCH : -ENOTSUP;
      CHECK_EQ(fdid_same_file_description_pid(pid, 0, getpid(), fd), gone);
      CHECK_EQ(fdid_same_file_description_pid(getpid(), fd, pid, 0), gone);
   }
   close(fd);
}

/* A process running as nobody may not inspect a root process: -EPERM, with
 * kcmp and with the pidfd_getfd fallback. */
FDID_TEST(forbidden_process_is_eperm)
{
   if (geteuid() != 0)
      SKIP("needs root to drop privileges in a child");
   int fresh = 202;
   struct holder h = spawn_holder(open_eventfd_at, &fresh);
   pid_t asker = CHECK_SYS(fork());
   if (asker == 0) {
      if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
         _exit(10);
      int mine = eventfd(0, 0);
      for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
         fdid_set_allowed_methods(masks[i]);
         int expect = cross_process_answerable() ? -EPERM : -ENOTSUP;
         if (fdid_same_file_description_pid(h.pid, fresh, getpid(), mine) != expect)
            _exit(20 + (int)i);
      }
      _exit(0);
   }
   int status;
   CHECK_SYS(waitpid(asker, &status, 0));
   CHECK(WIFEXITED(status));
   CHECK_EQ(WEXITSTATUS(status), 0);
   reap_holder(h);
}

/* kcmp needs our own pid: after fork the child must ask about its own fd
 * table, not its parent's, with fork() and with a raw clone() that no
 * pthread_atfork() handler sees. */
static void
check_child_sees_own_table(bool raw_clone)
{
   fdid_set_allowed_methods(FDID_METHOD_KCMP);
   if (!(fdid_probe() & FDID_METHOD_KCMP))
      SKIP("kcmp does not work here");
   int a = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
   int b = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
   CHECK(is_different(fdid_same_file_description(a, b))); /* warms the cache */

   pid_t pid = raw_clone ? (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0) : fork();
   CHECK(pid >= 0);
   if (pid == 0) {
      /* In the child only, b becomes a dup of a. */
      if (dup2(a, b) < 0)
         _exit(2);
      _exit(fdid_same_file_description(a, b) == 0 ? 0 : 1);
   }
   int status;
   CHECK_SYS(waitpid(pid, &status, 0));
   CHECK(WIFEXITED(status));
   CHECK_EQ(WEXITSTATUS(status), 0);
   CHECK(is_different(fdid_same_file_description(a, b)));
   close(a);
   close(b);
}

FDID_TEST(state_right_after_fork)
{
   check_child_sees_own_table(false);
}

FDID_TEST(state_right_after_raw_clone)
{
   check_child_sees_own_table(true);
}

FDID_TEST_MAIN()
