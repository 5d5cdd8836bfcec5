/* SPDX-License-Identifier: MIT */
/*
 * fdid_same_epoll_target(): an fd against the targets of an epoll set, in
 * this process and across processes, including a target whose fd number
 * was closed while its description stayed open and watched.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"
#include "test_util.h"

static bool
have_kcmp(void)
{
   return fdid_probe() & FDID_METHOD_KCMP;
}

static void
watch(int ep, int fd)
{
   struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
   CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
}

FDID_TEST(target_matches_its_description_and_dups)
{
   if (!have_kcmp())
      SKIP("kcmp is not usable here");
   int ep = CHECK_SYS(epoll_create1(EPOLL_CLOEXEC));
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   int other = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   watch(ep, p[0]);
   watch(ep, other);
   int dup_r = CHECK_SYS(dup(p[0]));
   pid_t me = getpid();

   CHECK_EQ(fdid_same_epoll_target(me, p[0], me, ep, p[0], 0), 0);
   CHECK_EQ(fdid_same_epoll_target(me, dup_r, me, ep, p[0], 0), 0);
   CHECK_EQ(fdid_same_epoll_target(me, other, me, ep, other, 0), 0);
   /* The write end is the same pipe but another description. */
   int r = fdid_same_epoll_target(me, p[1], me, ep, p[0], 0);
   CHECK(r == 1 || r == 2);
   /* The order is kcmp's, the same as between the fds themselves. */
   CHECK_EQ(r, fdid_compare_file_description(p[1], p[0]));
   CHECK_EQ(fdid_same_epoll_target(me, other, me, ep, p[0], 0),
            fdid_compare_file_description(other, p[0]));
   close(dup_r);
   close(other);
   close(p[0]);
   close(p[1]);
   close(ep);
}

FDID_TEST(target_found_after_its_fd_number_is_closed)
{
   if (!have_kcmp())
      SKIP("kcmp is not usable here");
   int ep = CHECK_SYS(epoll_create1(EPOLL_CLOEXEC));
   int efd = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   watch(ep, efd);
   int kept = CHECK_SYS(dup(efd));
   int old_number = efd;
   close(efd);
   /* The set still watches the description, registered under old_number,
    * which is now free. */
   pid_t me = getpid();
   CHECK_EQ(fdid_same_epoll_target(me, kept, me, ep, old_number, 0), 0);

   /* The number reused by another file does not change the target. */
   int reuse = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   CHECK_EQ(reuse, old_number);
   int r = fdid_same_epoll_target(me, reuse, me, ep, old_number, 0);
   CHECK(r == 1 || r == 2);
   CHECK_EQ(fdid_same_epoll_target(me, kept, me, ep, old_number, 0), 0);
   close(reuse);
   close(kept);
   close(ep);
}

FDID_TEST(across_processes)
{
   if (!have_kcmp())
      SKIP("kcmp is not usable here");
   int ep = CHECK_SYS(epoll_create1(EPOLL_CLOEXEC));
   int efd = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   watch(ep, efd);
   int go[2];
   CHECK_SYS(pipe2(go, O_CLOEXEC));
   pid_t child = CHECK_SYS(fork());
   if (child == 0) {
      /* Holds the epoll set (inherited) and the eventfd under another
       * number; waits for the parent. */
      close(go[1]);
      char c;
      (void)!read(go[0], &c, 1);
      _exit(0);
   }
   close(go[0]);
   int other = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   /* Our eventfd against the child's epoll set, and the reverse. */
   CHECK_EQ(fdid_same_epoll_target(getpid(), efd, child, ep, efd, 0), 0);
   CHECK_EQ(fdid_same_epoll_target(child, efd, getpid(), ep, efd, 0), 0);
   int r = fdid_same_epoll_target(getpid(), other, child, ep, efd, 0);
   CHECK(r == 1 || r == 2);
   close(go[1]);
   CHECK_SYS(waitpid(child, NULL, 0));
   /* The child is gone. */
   CHECK_EQ(fdid_same_epoll_target(getpid(), efd, child, ep, efd, 0), -ESRCH);
   close(other);
   close(efd);
   close(ep);
}

FDID_TEST(errors)
{
   if (!have_kcmp())
      SKIP("kcmp is not usable here");
   int ep = CHECK_SYS(epoll_create1(EPOLL_CLOEXEC));
   int efd = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   int unwatched = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   watch(ep, efd);
   pid_t me = getpid();
   CHECK_EQ(fdid_same_epoll_target(me, -1, me, ep, efd, 0), -EBADF);
   CHECK_EQ(fdid_same_epoll_target(me, efd, me, -1, efd, 0), -EBADF);
   CHECK_EQ(fdid_same_epoll_target(me, efd, me, ep, -1, 0), -EBADF);
   CHECK_EQ(fdid_same_epoll_target(me, 1000, me, ep, efd, 0), -EBADF);
   CHECK_EQ(fdid_same_epoll_target(me, efd, me, 1000, efd, 0), -EBADF);
   /* Not in the set, or not that offset. */
   CHECK_EQ(fdid_same_epoll_target(me, efd, me, ep, unwatched, 0), -ENOENT);
   CHECK_EQ(fdid_same_epoll_target(me, efd, me, ep, efd, 1), -ENOENT);
   /* Not an epoll fd. */
   CHECK_EQ(fdid_same_epoll_target(me, efd, me, unwatched, efd, 0), -EINVAL);
   CHECK_EQ(fdid_same_epoll_target(0, efd, me, ep, efd, 0), -ESRCH);
   CHECK_EQ(fdid_same_epoll_target(me, efd, -5, ep, efd, 0), -ESRCH);
   /* Forbidden: pid 1 cannot be inspected by an unprivileged process, but
    * this test may run as root, so only check what holds either way. */
   close(unwatched);
   close(efd);
   close(ep);
}

FDID_TEST(kcmp_not_allowed_is_never_called)
{
   int ep = CHECK_SYS(epoll_create1(EPOLL_CLOEXEC));
   int efd = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   watch(ep, efd);
   fdid_set_allowed_methods(FDID_METHOD_ALL & ~FDID_METHOD_KCMP);
   if (seccomp_kill_process_works()) {
      /* Any kcmp call from here on kills this subtest's process. */
      scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
      CHECK(ctx != NULL);
      CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(kcmp), 0), 0);
      CHECK_EQ(seccomp_load(ctx), 0);
      seccomp_release(ctx);
   }
   CHECK_EQ(fdid_same_epoll_target(getpid(), efd, getpid(), ep, efd, 0), -ENOTSUP);
   close(efd);
   close(ep);
}

FDID_TEST(kcmp_blocked_by_a_filter_is_not_supported)
{
   if (!seccomp_kill_process_works())
      SKIP("seccomp filters cannot be installed here");
   int ep = CHECK_SYS(epoll_create1(EPOLL_CLOEXEC));
   int efd = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   watch(ep, efd);
   scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
   CHECK(ctx != NULL);
   CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kcmp), 0), 0);
   CHECK_EQ(seccomp_load(ctx), 0);
   seccomp_release(ctx);
   /* EPERM on ourselves is a filter, not a permission: -ENOTSUP, and the
    * identity core stops using kcmp. */
   CHECK_EQ(fdid_same_epoll_target(getpid(), efd, getpid(), ep, efd, 0), -ENOTSUP);
   CHECK(!(fdid_probe() & FDID_METHOD_KCMP));
   close(efd);
   close(ep);
}

FDID_TEST_MAIN()
