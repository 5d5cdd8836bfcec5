/* SPDX-License-Identifier: MIT */
/*
 * fdid identity: do two file descriptors refer to the same open file
 * description (the same kernel `struct file`)?
 *
 * Two fds share a description when one was made from the other by dup(),
 * dup2(), dup3(), fcntl(F_DUPFD*), fork(), SCM_RIGHTS or pidfd_getfd().
 * Opening the same path twice gives two descriptions of one inode.
 *
 * Methods, tried in this order when allowed and working:
 *   FDID_METHOD_DUPFD_QUERY  fcntl(fd1, F_DUPFD_QUERY, fd2), Linux 6.10+.
 *                            Equality only; one system call.
 *   FDID_METHOD_KCMP         kcmp(2) KCMP_FILE. Equality and a total
 *                            order, across processes; one system call.
 *   FDID_METHOD_EPOLL        the epoll trick: works on pollable files only
 *                            (DRM fds, dma-bufs, pipes, sockets, eventfds);
 *                            about seven system calls.
 * fstat() is always used as a cheap "certainly different" answer (different
 * st_dev/st_ino), never as proof of "same".
 *
 * Return convention (Mesa's os_same_file_description()):
 *   0  same open file description
 *   1  different, and fd1's description orders before fd2's
 *   2  different, and fd1's description orders after fd2's
 *   3  different, no order known
 *  <0  a negative errno: it cannot tell (see each function).
 *
 * A wrong "same" is never returned: when no allowed method can decide, the
 * answer is a negative errno, not a guess.
 *
 * All functions are thread-safe and async-signal-unsafe. Methods are probed
 * once per process on first use; a method that later fails with ENOSYS, EPERM
 * or EINVAL (a seccomp filter installed after the probe) is dropped and the
 * next one is tried. The state stays right across fork().
 */
#ifndef FDID_IDENTITY_H
#define FDID_IDENTITY_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FDID_METHOD_DUPFD_QUERY (1u << 0)
#define FDID_METHOD_KCMP        (1u << 1)
#define FDID_METHOD_EPOLL       (1u << 2)
#define FDID_METHOD_ALL (FDID_METHOD_DUPFD_QUERY | FDID_METHOD_KCMP | FDID_METHOD_EPOLL)

/*
 * Same open file description? 0/1/2/3 as above.
 *
 * The default path (F_DUPFD_QUERY) gives equality only, so a "different"
 * answer is usually 3; with kcmp as the first working method it is 1 or 2.
 * Use fdid_compare_file_description() when an order is needed.
 *
 * Errors:
 *   -EBADF    fd1 or fd2 is negative or not open (in either position).
 *   -ENOTSUP  no allowed method can decide (e.g. only the epoll trick is
 *             allowed and both fds are one regular file's inode).
 *   -EMFILE, -ENFILE, -ENOMEM
 *             the epoll trick was the only method left and it could not
 *             get a temporary fd or memory.
 */
int fdid_same_file_description(int fd1, int fd2);

/*
 * Same question across processes: fd1 in process pid1, fd2 in process pid2
 * (pids in the caller's pid namespace). Uses kcmp; where kcmp is not allowed
 * or not working, pidfd_getfd() copies the fds here and the local methods
 * answer. Same return convention.
 *
 * Errors:
 *   -EBADF    an fd is negative or not open in its process.
 *   -ESRCH    a pid is not positive, or the process is gone (or outside
 *             the caller's pid namespace): known through kcmp or a pidfd;
 *             where neither works (pidfd_open ENOSYS) nothing else is asked
 *             and the answer is -ENOTSUP.
 *   -EPERM    the caller may not inspect one of the processes (kcmp needs
 *             PTRACE_MODE_READ access, pidfd_getfd PTRACE_MODE_ATTACH).
 *   -ENOTSUP  neither kcmp nor pidfd_getfd plus a local method can decide.
 *   -EMFILE, -ENFILE, -ENOMEM  as above.
 */
int fdid_same_file_description_pid(pid_t pid1, int fd1, pid_t pid2, int fd2);

/*
 * A total order of open file descriptions, for sorting and trees: 0 same,
 * 1 fd1's before fd2's, 2 after. The order is kcmp's: stable for one boot,
 * the same in every process, antisymmetric and transitive.
 *
 * Errors:
 *   -EBADF    as above.
 *   -ENOTSUP  kcmp is not allowed or not working and the two fds are
 *             different descriptions (equality alone can still be had).
 *   others    as for fdid_same_file_description() when kcmp is unusable.
 */
int fdid_compare_file_description(int fd1, int fd2);

/*
 * Is fd (in process pid) the same open file description as a target of the
 * epoll set epfd (in process epoll_pid)? The target is named as it was
 * registered: target_fd is the fd number given to EPOLL_CTL_ADD (the "tfd:"
 * lines of the epoll fd's /proc/PID/fdinfo), and target_off tells apart
 * several targets registered under that number (0 for the first). The
 * target is found even when target_fd has since been closed or reused, as
 * long as its description is still open somewhere. Same return convention;
 * the order is kcmp's, so it agrees with fdid_compare_file_description().
 * Needs kcmp (KCMP_EPOLL_TFD, Linux 4.13+): there is no fallback.
 *
 * Errors:
 *   -EBADF    fd, epfd or target_fd is negative, or fd or epfd not open.
 *   -EINVAL   epfd is not an epoll instance.
 *   -ENOENT   the set has no target (target_fd, target_off).
 *   -ESRCH    a pid is not positive, or the process is gone.
 *   -EPERM    the caller may not inspect one of the processes.
 *   -ENOTSUP  kcmp is not allowed, not working, or the kernel lacks epoll.
 */
int fdid_same_epoll_target(pid_t pid, int fd, pid_t epoll_pid, int epfd, int target_fd,
                           unsigned target_off);

/*
 * The methods that work here: allowed (see below) and probed successfully,
 * as a mask of FDID_METHOD_*. Methods not allowed are never called, not even
 * to probe them.
 */
unsigned fdid_probe(void);

/*
 * Restrict the methods fdid may call. The effective set is this mask
 * intersected with the environment variable FDID_METHODS (read once per
 * process; comma-separated names "dupfd_query", "kcmp", "epoll", or "all",
 * or "none"; unset means all). Call it before the first question when a
 * sandbox kills the process on a system call (Chromium's and Firefox's
 * content sandboxes do so on kcmp): fdid then never makes that call.
 * Unknown bits are ignored. Thread-safe; takes effect for the next question.
 */
void fdid_set_allowed_methods(unsigned mask);

/* The effective allowed mask (FDID_METHODS and fdid_set_allowed_methods()). */
unsigned fdid_allowed_methods(void);

/*
 * The method that answers "same?" first: the lowest working bit, or 0 when
 * none works and only fstat can give "certainly different".
 */
unsigned fdid_default_method(void);

/*
 * How one method fares in this process, probing it if need be:
 *   0  it works
 *   1  it is not allowed (FDID_METHODS, fdid_set_allowed_methods()): never
 *      called, not even probed
 *  <0  why it does not: the negative errno its probe's system call got
 *      (-ENOSYS or -EINVAL: the kernel lacks it, or a filter says so;
 *      -EPERM or -EACCES: a seccomp filter or a security module refused
 *      it), -EPROTO when it answered wrong, -ENOTRECOVERABLE when it
 *      probed fine and a later call of it failed as a whole (a filter
 *      installed since), -EINVAL when `method` is not one FDID_METHOD_*.
 */
int fdid_method_status(unsigned method);

/* "dupfd_query", "kcmp", "epoll" for one FDID_METHOD_* bit; NULL otherwise. */
const char *fdid_method_name(unsigned method);

#ifdef __cplusplus
}
#endif

#endif /* FDID_IDENTITY_H */
