/* SPDX-License-Identifier: MIT */
/*
 * fdid in a sandbox: the system calls each operation makes, with the
 * argument constraints that suffice, as data a sandbox can turn into its
 * own rules (`fdid sandbox` prints them as text, JSON, libseccomp C, a
 * systemd SystemCallFilter= line and Chromium's BPF DSL;
 * <fdid/sandbox_seccomp.h> adds them to a libseccomp filter).
 *
 * The rules depend on the identity methods the caller allows
 * (FDID_METHODS, fdid_set_allowed_methods()): a method not allowed is
 * never called, so its calls need no rule. They cover fdid's own calls;
 * the process's baseline is the caller's: memory allocation (brk, mmap,
 * munmap, mremap, and getrandom for glibc's malloc), futex (locks and
 * pthread_once, fdid's too: glibc aborts the process when it fails),
 * signal return, write and exit. The numbers are this
 * build's architecture's (x86-64 in the tests); where a call has none
 * there, `nr` is -1.
 *
 * By default no rule names a pid, so a filter of them holds in a child
 * forked after it was loaded (FDID_OP_PIN_SELF narrows kcmp to one pid).
 *
 * A rule that is missing never makes fdid answer wrong: a method whose
 * call fails is dropped and the next one tried, an operation without any
 * returns a negative errno (the tests take each rule away in turn). What
 * a filter does to a call it refuses decides only whether the process
 * lives: a filter that kills must cover every rule listed for the
 * allowed methods.
 */
#ifndef FDID_SANDBOX_H
#define FDID_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Operations, each with the calls of those it stands on. */
#define FDID_OP_IDENTITY      (1u << 0) /* fdid_same_/compare_file_description */
#define FDID_OP_CROSS_PROCESS (1u << 1) /* fdid_same_file_description_pid */
#define FDID_OP_EPOLL_TARGET  (1u << 2) /* fdid_same_epoll_target */
#define FDID_OP_WINSYS        (1u << 3) /* fdid_device_*, fdid_bo_* (import, export, dumb) */
#define FDID_OP_CONSUMERS     (1u << 4) /* image translators and import caches */
#define FDID_OP_INSPECTOR     (1u << 5) /* the fdid command's scan of /proc */
#define FDID_OP_KMS           (1u << 6) /* fdid_kms_*: planes and framebuffers */
#define FDID_OP_ALL           ((1u << 7) - 1)
/*
 * Not an operation but a form, or'ed into `ops`: kcmp on the caller's own
 * fds allowed only for the pid that loads the filter (FDID_ARG_SELF), as
 * Firefox's content sandbox and ChromeOS's GPU policy write it, instead of
 * for any pid. A filter is inherited by fork() but its pid is not: a child
 * forked after the filter is loaded asks kcmp about its own pid, and the
 * pinned rule refuses it (a filter that kills then kills the child). Only
 * for processes that load the filter themselves and never use fdid in a
 * child forked after that.
 */
#define FDID_OP_PIN_SELF      (1u << 31)

enum fdid_sandbox_cmp {
   FDID_ARG_EQ,   /* the argument equals value */
   FDID_ARG_SELF, /* the pid of the process that loads the filter (getpid()
                   * then): only in FDID_OP_PIN_SELF's rules */
};

struct fdid_sandbox_arg {
   unsigned index;            /* 0-based system call argument */
   enum fdid_sandbox_cmp cmp;
   uint64_t value;            /* FDID_ARG_EQ */
   const char *name;          /* the value's name: "F_DUPFD_QUERY", "self" */
};

struct fdid_sandbox_rule {
   const char *syscall;       /* the kernel's name: "fcntl", "kcmp" */
   long nr;                   /* this architecture's number, or -1 */
   unsigned n_args;           /* 0: any arguments */
   struct fdid_sandbox_arg args[3];
   const char *why;           /* what fdid does with it */
   /* NULL, or the systems where the call is made: one that only some
    * kernels lead fdid to, or that a library below fdid makes only in
    * some versions (libdrm, the C library). */
   const char *only_with;
};

/*
 * The rules that suffice for the operations `ops` (FDID_OP_*) with the
 * methods `methods` (FDID_METHOD_*) allowed, each once, in a fixed order.
 * Writes up to cap pointers to static rules into out (NULL: none is
 * written, whatever cap says) and returns how many there are.
 */
size_t fdid_sandbox_rules(unsigned methods, unsigned ops, const struct fdid_sandbox_rule **out,
                          size_t cap);

/* "identity", "cross_process", "epoll_target", "winsys", "consumers",
 * "inspector", "kms" for one FDID_OP_* bit; NULL otherwise. */
const char *fdid_sandbox_op_name(unsigned op);

#ifdef __cplusplus
}
#endif

#endif /* FDID_SANDBOX_H */
