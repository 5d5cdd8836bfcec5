/* SPDX-License-Identifier: MIT */
/* Internals of the identity core: method state and the methods themselves. */
#ifndef FDID_IDENTITY_PRIVATE_H
#define FDID_IDENTITY_PRIVATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "fdid/identity.h"
#include "util/macros.h"

/*
 * What one method says about one pair of fds. Non-negative values are the
 * public answers (0 same, 1/2 ordered, 3 different). Negative errnos are
 * final answers (-EBADF, -ESRCH, -EPERM). Two internal values ask the
 * caller to try the next method:
 */
enum {
   /* This pair is out of the method's reach (a regular file for the epoll
    * trick, an O_PATH fd refused by fcntl); the method itself is fine. */
   FDID_ANSWER_CANNOT = -4096,
   /* The method failed as a whole (ENOSYS, EPERM, EINVAL from a seccomp
    * filter or an old kernel): it has been marked broken. */
   FDID_ANSWER_BROKEN = -4097,
};

static inline bool
fdid_answer_is_final(int r)
{
   return r != FDID_ANSWER_CANNOT && r != FDID_ANSWER_BROKEN;
}

/* methods.c: allowed and working methods, probed once per process. */
unsigned fdid_usable_methods(void);
void fdid_method_failed(unsigned method);
/* Set by the probe: this kernel answers F_DUPFD_QUERY with 0 (not EBADF)
 * for a closed fd2 (6.10 and 6.11 before the "associative" fix). */
bool fdid_dupfd_query_misses_bad_fd2(void);

/* identity.c: the one-system-call methods alone (F_DUPFD_QUERY, then
 * kcmp with the pid refresh), for hot paths that have a slower way of
 * their own (the winsys hint): an answer, or FDID_ANSWER_CANNOT. */
int fdid_same_fast(int fd1, int fd2);

/* The methods. Each returns an answer as above. */
int fdid_dupfd_query_same(int fd1, int fd2);
int fdid_kcmp_file(pid_t pid1, int fd1, pid_t pid2, int fd2);
int fdid_epoll_same(int fd1, int fd2);

/* Raw probes used by methods.c and by `fdid probe`: the system call as is,
 * returning its result or -errno. */
int fdid_sys_dupfd_query(int fd1, int fd2);
int fdid_sys_kcmp_file(pid_t pid1, int fd1, pid_t pid2, int fd2);

/* fstat_identity.c: 1 same inode, 0 different inode, -EBADF. */
int fdid_same_inode(int fd1, int fd2);
/* fstat's answer: 3 (different inodes), 0 (one fd number), -EBADF, or
 * FDID_ANSWER_CANNOT. */
int fdid_fstat_same(int fd1, int fd2);
/* 0 when fd is open (O_PATH included), -EBADF otherwise. */
int fdid_fd_check_open(int fd);

/* self_pid.c: getpid() without a system call, right after any fork. */
pid_t fdid_self_pid(void);
void fdid_self_pid_forget(void);

#endif /* FDID_IDENTITY_PRIVATE_H */
