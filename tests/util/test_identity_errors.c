/* SPDX-License-Identifier: MIT */
/* Bad fds get -EBADF, whichever position they are in and whichever method
 * answers; nothing is closed or leaked on the way. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"

static const unsigned masks[] = {
   FDID_METHOD_ALL, FDID_METHOD_DUPFD_QUERY, FDID_METHOD_KCMP, FDID_METHOD_EPOLL, 0,
};

/* A number that is certainly closed: opened, then closed. */
static int
closed_fd(void)
{
   int fd = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
   close(fd);
   return fd;
}

static void
check_bad_pairs(int good)
{
   int closed = closed_fd();
   for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
      fdid_set_allowed_methods(masks[i]);
      CHECK_EQ(fdid_same_file_description(-1, good), -EBADF);
      CHECK_EQ(fdid_same_file_description(good, -1), -EBADF);
      CHECK_EQ(fdid_same_file_description(-1, -1), -EBADF);
      CHECK_EQ(fdid_same_file_description(closed, good), -EBADF);
      CHECK_EQ(fdid_same_file_description(good, closed), -EBADF);
      CHECK_EQ(fdid_same_file_description(closed, closed), -EBADF);
      CHECK_EQ(fdid_compare_file_description(-5, good), -EBADF);
      CHECK_EQ(fdid_compare_file_description(good, closed), -EBADF);
      CHECK_EQ(fdid_compare_file_description(closed, good), -EBADF);
      /* The good fd survived every question. */
      CHECK_SYS(fcntl(good, F_GETFD));
   }
}

FDID_TEST(bad_fd_regular)
{
   int good = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
   check_bad_pairs(good);
   close(good);
}

FDID_TEST(bad_fd_pollable)
{
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   check_bad_pairs(p[0]);
   close(p[0]);
   close(p[1]);
}

/* O_PATH fds are open: old kernels say EBADF to unknown fcntl commands on
 * them, which must not turn into a -EBADF answer. */
FDID_TEST(bad_fd_o_path)
{
   int good = CHECK_SYS(open("/etc", O_PATH | O_CLOEXEC));
   check_bad_pairs(good);
   fdid_set_allowed_methods(FDID_METHOD_ALL);
   CHECK_EQ(fdid_same_file_description(good, good), 0);
   close(good);
}

FDID_TEST(bad_fd_huge_number)
{
   int good = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
   CHECK_EQ(fdid_same_file_description(good, 0x7fffffff), -EBADF);
   CHECK_EQ(fdid_same_file_description(0x7fffffff, good), -EBADF);
   close(good);
}

FDID_TEST(bad_pid)
{
   int good = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
   CHECK_EQ(fdid_same_file_description_pid(0, good, getpid(), good), -ESRCH);
   CHECK_EQ(fdid_same_file_description_pid(getpid(), good, -1, good), -ESRCH);
   CHECK_EQ(fdid_same_file_description_pid(getpid(), -1, getpid(), good), -EBADF);
   CHECK_EQ(fdid_same_file_description_pid(getpid(), good, getpid(), -1), -EBADF);
   close(good);
}

FDID_TEST_MAIN()
