/* SPDX-License-Identifier: MIT */
#ifndef FDID_TEST_FD_PASSING_H
#define FDID_TEST_FD_PASSING_H

/* Pass one fd over a unix socket (SCM_RIGHTS); recv_fd returns it
 * close-on-exec. Failures fail the subtest. */
void send_fd(int sock, int fd);
int recv_fd(int sock);

#endif
