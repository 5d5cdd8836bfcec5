/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "fd_passing.h"
#include "fdid_test.h"

union fd_cmsg {
   char buf[CMSG_SPACE(sizeof(int))];
   struct cmsghdr align;
};

void
send_fd(int sock, int fd)
{
   char byte = 0;
   struct iovec iov = { &byte, 1 };
   union fd_cmsg u;
   memset(&u, 0, sizeof(u));
   struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
   struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
   c->cmsg_level = SOL_SOCKET;
   c->cmsg_type = SCM_RIGHTS;
   c->cmsg_len = CMSG_LEN(sizeof(int));
   memcpy(CMSG_DATA(c), &fd, sizeof(int));
   CHECK_EQ(sendmsg(sock, &msg, 0), 1);
}

int
recv_fd(int sock)
{
   char byte;
   struct iovec iov = { &byte, 1 };
   union fd_cmsg u;
   struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
   CHECK_EQ(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC), 1);
   struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
   CHECK(c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS);
   int fd;
   memcpy(&fd, CMSG_DATA(c), sizeof(int));
   return fd;
}
