/* SPDX-License-Identifier: MIT */
/* fdid_compare_file_description() is a total order: reflexive on shared
 * descriptions, antisymmetric, transitive, and the same in every process. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"

enum { N = 128 };

static int fds[2 * N];

static void
open_descriptions(void)
{
   /* N descriptions of one inode (fstat cannot help), each also as a dup
    * at the far end of the array. */
   for (int i = 0; i < N; i++) {
      fds[i] = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
      fds[2 * N - 1 - i] = CHECK_SYS(dup(fds[i]));
   }
}

static void
close_descriptions(void)
{
   for (int i = 0; i < 2 * N; i++)
      close(fds[i]);
}

static int
cmp_fd(const void *a, const void *b)
{
   int r = fdid_compare_file_description(*(const int *)a, *(const int *)b);
   if (r < 0)
      fdid_test_fail(__FILE__, __LINE__, "compare failed: %d", r);
   return r == 0 ? 0 : r == 1 ? -1 : 1;
}

FDID_TEST(kcmp_order_total)
{
   if (!(fdid_probe() & FDID_METHOD_KCMP))
      SKIP("kcmp does not work here");
   open_descriptions();

   for (int i = 0; i < 2 * N; i++) {
      int mate = 2 * N - 1 - i;
      CHECK_EQ(fdid_compare_file_description(fds[i], fds[i]), 0);
      CHECK_EQ(fdid_compare_file_description(fds[i], fds[mate]), 0);
      for (int j = 0; j < 2 * N; j++) {
         if (j == i || j == mate)
            continue;
         int a = fdid_compare_file_description(fds[i], fds[j]);
         int b = fdid_compare_file_description(fds[j], fds[i]);
         CHECK(a == 1 || a == 2);
         CHECK_EQ(a + b, 3); /* antisymmetric */
      }
   }

   /* Transitive: after sorting, every earlier element orders before or
    * equal to every later one, and equal ones are adjacent pairs. */
   int sorted[2 * N];
   for (int i = 0; i < 2 * N; i++)
      sorted[i] = fds[i];
   qsort(sorted, 2 * N, sizeof(int), cmp_fd);
   for (int i = 0; i < 2 * N; i++) {
      for (int j = i + 1; j < 2 * N; j++) {
         int r = fdid_compare_file_description(sorted[i], sorted[j]);
         CHECK(r == 0 || r == 1);
         CHECK_EQ(r == 0, j == i + 1 && (i % 2) == 0);
      }
   }
   close_descriptions();
}

/* The order seen from another process (kcmp across pids) is this one. */
FDID_TEST(kcmp_order_same_in_child)
{
   if (!(fdid_probe() & FDID_METHOD_KCMP))
      SKIP("kcmp does not work here");
   open_descriptions();
   pid_t parent = getpid();
   pid_t child = CHECK_SYS(fork());
   if (child == 0) {
      for (int i = 0; i < N; i++) {
         int j = (i * 7 + 3) % N;
         int mine = fdid_compare_file_description(fds[i], fds[j]);
         int across = fdid_same_file_description_pid(getpid(), fds[i], parent, fds[j]);
         if (mine != across)
            _exit(1);
      }
      _exit(0);
   }
   int status;
   CHECK_SYS(waitpid(child, &status, 0));
   CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
   close_descriptions();
}

/* Without kcmp there is no order: equality still answers, order does not. */
FDID_TEST(no_order_without_kcmp)
{
   fdid_set_allowed_methods(FDID_METHOD_DUPFD_QUERY | FDID_METHOD_EPOLL);
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   int d = CHECK_SYS(dup(p[0]));
   CHECK_EQ(fdid_compare_file_description(p[0], d), 0);
   CHECK_EQ(fdid_compare_file_description(p[0], p[1]), -ENOTSUP);
   close(d);
   close(p[0]);
   close(p[1]);
}

FDID_TEST_MAIN()
