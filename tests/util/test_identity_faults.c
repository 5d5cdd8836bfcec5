/* SPDX-License-Identifier: MIT */
/*
 * Fault injection for the identity core: fd exhaustion (RLIMIT_NOFILE) in
 * the middle of the epoll trick and of the probe. Answers stay right or say
 * why they cannot be had; nothing leaks; nothing is closed that is not ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "faults.h"
#include "fdid_test.h"

static void
set_nofile(rlim_t n)
{
   struct rlimit rl = { n, n };
   CHECK_SYS(setrlimit(RLIMIT_NOFILE, &rl));
}

FDID_TEST(epoll_trick_out_of_fds)
{
   fdid_set_allowed_methods(FDID_METHOD_EPOLL);
   int a = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   int d = CHECK_SYS(dup(a));
   int b = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   CHECK_EQ(fdid_same_file_description(a, d), 0); /* probed while fds last */

   set_nofile(64);
   int fds[64];
   int n = fill_fds(fds, 64);
   /* No fd left for the epoll set: say so, never guess. */
   CHECK_EQ(fdid_same_file_description(a, d), -EMFILE);
   CHECK_EQ(fdid_same_file_description(a, b), -EMFILE);
   /* One fd free: the epoll set gets it, the private dup does not. */
   close(fds[--n]);
   CHECK_EQ(fdid_same_file_description(a, d), -EMFILE);
   /* Two free: enough again. */
   close(fds[--n]);
   CHECK_EQ(fdid_same_file_description(a, d), 0);
   int r = fdid_same_file_description(a, b);
   CHECK(r >= 1 && r <= 3);
   /* Every temporary was closed: the table is as full as before. */
   int again[2];
   CHECK_EQ(fill_fds(again, 2), 2);
   CHECK_EQ(eventfd(0, 0), -1);
   close(again[0]);
   close(again[1]);

   while (n)
      close(fds[--n]);
   close(a);
   close(b);
   close(d);
}

/* The one-call methods need no fd of their own: exhaustion changes nothing. */
FDID_TEST(one_call_methods_need_no_fd)
{
   int a = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   int d = CHECK_SYS(dup(a));
   int b = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   unsigned working = fdid_probe() & (FDID_METHOD_DUPFD_QUERY | FDID_METHOD_KCMP);
   if (!working)
      SKIP("neither F_DUPFD_QUERY nor kcmp here");

   set_nofile(64);
   int fds[64];
   int n = fill_fds(fds, 64);
   for (unsigned m = 1; m <= FDID_METHOD_KCMP; m <<= 1) {
      if (!(working & m))
         continue;
      fdid_set_allowed_methods(m);
      CHECK_EQ(fdid_same_file_description(a, d), 0);
      int r = fdid_same_file_description(a, b);
      CHECK(r >= 1 && r <= 3);
   }
   while (n)
      close(fds[--n]);
   close(a);
   close(b);
   close(d);
}

/* A probe that finds no fd for its pipe leaves the methods untested and
 * tries again on the next question, rather than writing them off. */
FDID_TEST(probe_out_of_fds_retries)
{
   int a = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   int d = CHECK_SYS(dup(a));
   set_nofile(64);
   int fds[64];
   int n = fill_fds(fds, 64);

   CHECK_EQ(fdid_probe(), 0); /* first use: no fd to probe with */
   int r = fdid_same_file_description(a, d);
   CHECK(r == -ENOTSUP || r == 0);

   while (n)
      close(fds[--n]);
   CHECK(fdid_probe() & FDID_METHOD_EPOLL);
   CHECK_EQ(fdid_same_file_description(a, d), 0);
   close(a);
   close(d);
}

FDID_TEST_MAIN()
