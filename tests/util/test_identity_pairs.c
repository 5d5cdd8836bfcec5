/* SPDX-License-Identifier: MIT */
/*
 * Every pair of known relation, asked with the default chain, with each
 * method forced alone, and with no method at all: an answer, when there is
 * one, is right; a method that can decide does decide; orders only come
 * from kcmp.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"
#include "pair_cases.h"

#define FAIL_CASE(c, ...) fdid_test_fail(__FILE__, __LINE__, __VA_ARGS__)

static bool
inodes_differ(int a, int b)
{
   struct stat sa, sb;
   CHECK_SYS(fstat(a, &sa));
   CHECK_SYS(fstat(b, &sb));
   return sa.st_dev != sb.st_dev || sa.st_ino != sb.st_ino;
}

/* Which answers `mask` must give for case `c`: the right relation always;
 * "cannot tell" only when no allowed method reaches the pair. */
static void
check_case(const struct pair_case *c, unsigned mask)
{
   struct pair p = { 0 };
   c->make(&p);
   unsigned usable = fdid_probe() & mask;
   bool differ_by_inode = inodes_differ(p.fd1, p.fd2);
   bool decidable = (usable & (FDID_METHOD_DUPFD_QUERY | FDID_METHOD_KCMP)) ||
                    ((usable & FDID_METHOD_EPOLL) && c->pollable) ||
                    differ_by_inode || p.fd1 == p.fd2;

   int r = fdid_same_file_description(p.fd1, p.fd2);
   int rev = fdid_same_file_description(p.fd2, p.fd1);

   if (r == -ENOTSUP) {
      if (decidable)
         FAIL_CASE(c, "%s, methods 0x%x: cannot tell, but a method could", c->name, usable);
   } else if (c->same ? r != 0 : (r < 1 || r > 3)) {
      FAIL_CASE(c, "%s, methods 0x%x: wrong answer %d (%s)", c->name, usable, r,
                c->same ? "same" : "different");
   }

   /* Swapping the fds swaps an order and keeps everything else. */
   int expect_rev = (r == 1 || r == 2) ? 3 - r : r;
   if (rev != expect_rev)
      FAIL_CASE(c, "%s: reversed answer %d, forward %d", c->name, rev, r);

   /* Only kcmp orders; F_DUPFD_QUERY and the epoll trick never claim to. */
   bool kcmp_first = (usable & FDID_METHOD_KCMP) && !(usable & FDID_METHOD_DUPFD_QUERY);
   if ((r == 1 || r == 2) && !kcmp_first)
      FAIL_CASE(c, "%s: order %d claimed without kcmp first", c->name, r);
   if (r == 3 && kcmp_first)
      FAIL_CASE(c, "%s: kcmp first but no order", c->name);

   /* The Mesa-style wrapper agrees. */
   CHECK_EQ(fdid_same_file_description(p.fd1, p.fd2), r);
   pair_close(&p);
}

static void
check_all(unsigned mask)
{
   fdid_set_allowed_methods(mask);
   CHECK_EQ(fdid_allowed_methods(), mask);
   for (size_t i = 0; i < pair_case_count; i++)
      check_case(&pair_cases[i], mask);
}

FDID_TEST(default_chain)
{
   check_all(FDID_METHOD_ALL);
}

FDID_TEST(dupfd_query_alone)
{
   check_all(FDID_METHOD_DUPFD_QUERY);
}

FDID_TEST(kcmp_alone)
{
   check_all(FDID_METHOD_KCMP);
}

FDID_TEST(epoll_alone)
{
   if (!(fdid_probe() & FDID_METHOD_EPOLL))
      FAIL_CASE(0, "the epoll trick works on every kernel fdid supports");
   check_all(FDID_METHOD_EPOLL);
}

FDID_TEST(no_method_fstat_only)
{
   check_all(0);
   CHECK_EQ(fdid_probe(), 0);
   CHECK_EQ(fdid_default_method(), 0);
}

/* The probe tells the truth about the kernel: F_DUPFD_QUERY is reported
 * exactly when fcntl knows the command, kcmp when the system call answers. */
FDID_TEST(probe_matches_kernel)
{
   int a = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
   bool has_query = fcntl(a, 1027 /* F_DUPFD_QUERY */, a) == 1;
   bool has_kcmp = syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, a, a) == 0;
   close(a);

   unsigned m = fdid_probe();
   CHECK_EQ(!!(m & FDID_METHOD_DUPFD_QUERY), has_query);
   CHECK_EQ(!!(m & FDID_METHOD_KCMP), has_kcmp);
   unsigned expect_default = has_query ? FDID_METHOD_DUPFD_QUERY
                             : has_kcmp ? FDID_METHOD_KCMP
                                        : FDID_METHOD_EPOLL;
   CHECK_EQ(fdid_default_method(), expect_default);
}

FDID_TEST(method_names)
{
   CHECK(strcmp(fdid_method_name(FDID_METHOD_DUPFD_QUERY), "dupfd_query") == 0);
   CHECK(strcmp(fdid_method_name(FDID_METHOD_KCMP), "kcmp") == 0);
   CHECK(strcmp(fdid_method_name(FDID_METHOD_EPOLL), "epoll") == 0);
   CHECK(fdid_method_name(0) == NULL);
   CHECK(fdid_method_name(FDID_METHOD_ALL) == NULL);
}

FDID_TEST(unknown_mask_bits_ignored)
{
   fdid_set_allowed_methods(~0u);
   CHECK_EQ(fdid_allowed_methods(), FDID_METHOD_ALL);
}

FDID_TEST_MAIN()
