/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdid_test.h"
#include "pair_cases.h"

static int
own(struct pair *p, int fd)
{
   CHECK(fd >= 0);
   p->owned[p->n_owned++] = fd;
   return fd;
}

static int
open_null(void)
{
   return CHECK_SYS(open("/dev/null", O_RDWR | O_CLOEXEC));
}

void
pair_close(struct pair *p)
{
   for (int i = 0; i < p->n_owned; i++)
      close(p->owned[i]);
   p->n_owned = 0;
}

/* Same description. */

static void
make_self(struct pair *p)
{
   p->fd1 = p->fd2 = own(p, open_null());
}

static void
make_dup(struct pair *p)
{
   p->fd1 = own(p, open_null());
   p->fd2 = own(p, CHECK_SYS(dup(p->fd1)));
}

static void
make_dup2(struct pair *p)
{
   p->fd1 = own(p, open_null());
   /* A high, certainly free number, so dup2 does not close anything. */
   p->fd2 = own(p, CHECK_SYS(dup2(p->fd1, 900)));
}

static void
make_dup3(struct pair *p)
{
   p->fd1 = own(p, open_null());
   p->fd2 = own(p, CHECK_SYS(dup3(p->fd1, 901, O_CLOEXEC)));
}

static void
make_f_dupfd(struct pair *p)
{
   p->fd1 = own(p, open_null());
   p->fd2 = own(p, CHECK_SYS(fcntl(p->fd1, F_DUPFD, 50)));
}

static void
make_f_dupfd_cloexec(struct pair *p)
{
   p->fd1 = own(p, open_null());
   p->fd2 = own(p, CHECK_SYS(fcntl(p->fd1, F_DUPFD_CLOEXEC, 60)));
}

static void
make_o_path_dup(struct pair *p)
{
   p->fd1 = own(p, CHECK_SYS(open("/etc/passwd", O_PATH | O_CLOEXEC)));
   p->fd2 = own(p, CHECK_SYS(dup(p->fd1)));
}

static void
make_pipe_dup(struct pair *p)
{
   int fds[2];
   CHECK_SYS(pipe2(fds, O_CLOEXEC));
   p->fd1 = own(p, fds[0]);
   own(p, fds[1]);
   p->fd2 = own(p, CHECK_SYS(dup(fds[0])));
}

static void
make_eventfd_dup(struct pair *p)
{
   p->fd1 = own(p, CHECK_SYS(eventfd(0, EFD_CLOEXEC)));
   p->fd2 = own(p, CHECK_SYS(dup(p->fd1)));
}

/* Different descriptions. */

static void
make_null_twice(struct pair *p)
{
   p->fd1 = own(p, open_null());
   p->fd2 = own(p, open_null());
}

static void
make_regular_twice(struct pair *p)
{
   char path[] = "/tmp/fdid-test-XXXXXX";
   p->fd1 = own(p, CHECK_SYS(mkostemp(path, O_CLOEXEC)));
   p->fd2 = own(p, CHECK_SYS(open(path, O_RDONLY | O_CLOEXEC)));
   unlink(path);
}

static void
make_proc_reopen(struct pair *p)
{
   char path[64];
   p->fd1 = own(p, open_null());
   snprintf(path, sizeof(path), "/proc/self/fd/%d", p->fd1);
   p->fd2 = own(p, CHECK_SYS(open(path, O_RDWR | O_CLOEXEC)));
}

static void
make_pipe_ends(struct pair *p)
{
   int fds[2];
   CHECK_SYS(pipe2(fds, O_CLOEXEC));
   p->fd1 = own(p, fds[0]);
   p->fd2 = own(p, fds[1]);
}

static void
make_socketpair_ends(struct pair *p)
{
   int fds[2];
   CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
   p->fd1 = own(p, fds[0]);
   p->fd2 = own(p, fds[1]);
}

static void
make_two_eventfds(struct pair *p)
{
   p->fd1 = own(p, CHECK_SYS(eventfd(0, EFD_CLOEXEC)));
   p->fd2 = own(p, CHECK_SYS(eventfd(0, EFD_CLOEXEC)));
}

static void
make_memfd_reopen(struct pair *p)
{
   char path[64];
   p->fd1 = own(p, CHECK_SYS(memfd_create("fdid-test", MFD_CLOEXEC)));
   snprintf(path, sizeof(path), "/proc/self/fd/%d", p->fd1);
   p->fd2 = own(p, CHECK_SYS(open(path, O_RDWR | O_CLOEXEC)));
}

static void
make_number_reused(struct pair *p)
{
   int first = open_null();
   p->fd1 = own(p, CHECK_SYS(dup(first)));
   close(first);
   int again = open_null();
   CHECK_EQ(again, first); /* lowest free number: the one just closed */
   p->fd2 = own(p, again);
}

const struct pair_case pair_cases[] = {
   { "self", true, false, make_self },
   { "dup", true, false, make_dup },
   { "dup2", true, false, make_dup2 },
   { "dup3", true, false, make_dup3 },
   { "f_dupfd", true, false, make_f_dupfd },
   { "f_dupfd_cloexec", true, false, make_f_dupfd_cloexec },
   { "o_path_dup", true, false, make_o_path_dup },
   { "pipe_dup", true, true, make_pipe_dup },
   { "eventfd_dup", true, true, make_eventfd_dup },
   { "null_twice", false, false, make_null_twice },
   { "regular_twice", false, false, make_regular_twice },
   { "proc_reopen", false, false, make_proc_reopen },
   { "pipe_ends", false, true, make_pipe_ends },
   { "socketpair_ends", false, true, make_socketpair_ends },
   { "two_eventfds", false, true, make_two_eventfds },
   { "memfd_reopen", false, false, make_memfd_reopen },
   { "number_reused", false, false, make_number_reused },
};
const size_t pair_case_count = sizeof(pair_cases) / sizeof(pair_cases[0]);
