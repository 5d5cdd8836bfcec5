/* SPDX-License-Identifier: MIT */
/*
 * The system calls fdid makes, per operation and identity method: one
 * table, read by fdid_sandbox_rules() (sandbox.h), printed by `fdid
 * sandbox`, installed by fdid_sandbox_seccomp_add(). Found by tracing
 * every operation under every method (strace) and kept honest by the
 * tests: a default-deny filter of these rules must let every operation
 * answer right, and each rule must be one an operation calls.
 */
#include <fcntl.h>
#include <linux/ioctl.h>
#include <linux/kcmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fdid/identity.h>
#include <fdid/sandbox.h>

#include "util/linux_abi.h"
#include "util/macros.h"

/* A call this architecture has not: no number. */
#define NR(name) nr_##name
#ifdef SYS_fstat
#define nr_fstat SYS_fstat
#else
#define nr_fstat -1
#endif
#ifdef SYS_newfstatat
#define nr_newfstatat SYS_newfstatat
#else
#define nr_newfstatat -1
#endif
#ifdef SYS_readlink
#define nr_readlink SYS_readlink
#else
#define nr_readlink -1
#endif
#define nr_pidfd_open SYS_pidfd_open
#define nr_pidfd_getfd SYS_pidfd_getfd
#define nr_pipe2 SYS_pipe2
#define nr_close SYS_close
#define nr_getpid SYS_getpid
#define nr_madvise SYS_madvise
#define nr_fcntl SYS_fcntl
#define nr_kcmp SYS_kcmp
#define nr_epoll_create1 SYS_epoll_create1
#define nr_epoll_ctl SYS_epoll_ctl
#define nr_dup3 SYS_dup3
#define nr_fstatfs SYS_fstatfs
#define nr_statfs SYS_statfs
#define nr_ioctl SYS_ioctl
#define nr_openat SYS_openat
#define nr_getdents64 SYS_getdents64
#define nr_readlinkat SYS_readlinkat
#define nr_socket SYS_socket
#define nr_sendto SYS_sendto
#define nr_recvfrom SYS_recvfrom
#define nr_read SYS_read
#ifdef SYS_access
#define nr_access SYS_access
#else
#define nr_access -1
#endif

/* Rules without and with argument constraints. */
#define ANY(call, text) { #call, NR(call), 0, { { 0 } }, text, NULL }
#define ANY_WITH(call, text, with) { #call, NR(call), 0, { { 0 } }, text, with }
#define ARG1(call, i, v, text) \
   { #call, NR(call), 1, { { i, FDID_ARG_EQ, (uint64_t)(v), #v } }, text, NULL }
#define ARG1_WITH(call, i, v, text, with) \
   { #call, NR(call), 1, { { i, FDID_ARG_EQ, (uint64_t)(v), #v } }, text, with }
#define IOCTL_WITH(v, text, with) \
   { "ioctl", NR(ioctl), 1, { { 1, FDID_ARG_EQ, (uint64_t)(v), #v } }, text, with }
#define KCMP_SELF(type, text)                                                        \
   { "kcmp", NR(kcmp), 3, { { 0, FDID_ARG_SELF, 0, "self" }, { 1, FDID_ARG_SELF, 0, "self" },  \
                            { 2, FDID_ARG_EQ, type, #type } }, text, NULL }

/* When a rule applies, beyond its operations. */
enum when {
   ALWAYS,
   ANY_METHOD,       /* some method is allowed (the probe runs) */
   METHODS,          /* one of entry.methods is allowed */
   WITHOUT_KCMP,     /* kcmp is not allowed: pidfd_getfd and a local method */
   /* METHODS, in one of the two forms of a rule (FDID_OP_PIN_SELF): */
   METHODS_UNPINNED, /* the default: holds in a child forked after the filter */
   METHODS_PINNED,   /* names the pid that loads the filter */
};

struct entry {
   struct fdid_sandbox_rule rule;
   unsigned ops;
   enum when when;
   unsigned methods;
};

#define DQ FDID_METHOD_DUPFD_QUERY
#define KC FDID_METHOD_KCMP
#define EP FDID_METHOD_EPOLL
#define OP_ID FDID_OP_IDENTITY
#define OP_X FDID_OP_CROSS_PROCESS
#define OP_EPT FDID_OP_EPOLL_TARGET
#define OP_WS FDID_OP_WINSYS
#define OP_INS FDID_OP_INSPECTOR

static const struct entry table[] = {
   /* Identity: the probe, then the methods' questions. */
   { ARG1(pipe2, 1, O_CLOEXEC, "the probe's private pipe, once per process"), OP_ID, ANY_METHOD,
     0 },
   { ANY(close, "closes the probe's pipe and fdid's temporary fds"), OP_ID, ANY_METHOD, 0 },
   { ARG1(fcntl, 1, F_DUPFD_QUERY, "dupfd_query: the question"), OP_ID, METHODS, DQ },
   { ARG1_WITH(fcntl, 1, F_GETFD, "dupfd_query: tells a closed fd (-EBADF) from an answer",
               "kernels with F_DUPFD_QUERY (6.10+)"), OP_ID, METHODS, DQ },
   { ANY(getpid, "kcmp names the caller by pid (read once per process)"), OP_ID | OP_X |
     OP_EPT, METHODS, KC },
   { ARG1(madvise, 2, MADV_WIPEONFORK, "a page for the caller's pid that a fork wipes"), OP_ID |
     OP_X | OP_EPT, METHODS, KC },
   { ARG1(kcmp, 2, KCMP_FILE, "kcmp: the question and its order, on the caller's own fds (any "
                               "pid: a forked child asks under its own)"), OP_ID,
     METHODS_UNPINNED, KC },
   { KCMP_SELF(KCMP_FILE, "kcmp: the question and its order, on the caller's own fds (this "
                          "process only: a child forked after the filter is refused)"), OP_ID,
     METHODS_PINNED, KC },
   { ARG1(epoll_create1, 0, EPOLL_CLOEXEC, "epoll: the trick's private set"), OP_ID, METHODS,
     EP },
   { ARG1(fcntl, 1, F_DUPFD_CLOEXEC, "epoll: a private copy of the first fd"), OP_ID, METHODS,
     EP },
   { ARG1(epoll_ctl, 1, EPOLL_CTL_ADD, "epoll: registering under one number twice"), OP_ID,
     METHODS, EP },
   { ARG1(dup3, 2, O_CLOEXEC, "epoll: pointing that number at the second fd's file"), OP_ID,
     METHODS, EP },
   { ANY(fstat, "epoll: a certain \"different\" (st_dev, st_ino) before the trick"), OP_ID,
     METHODS, EP },
   { ANY_WITH(fstat, "without kcmp (and dupfd_query, which kernels before 6.10 lack), fstat "
                     "has the last word: certainly different, or cannot tell",
              "kernels without F_DUPFD_QUERY (before 6.10)"), OP_ID, WITHOUT_KCMP, 0 },

   /* Across processes: kcmp, else a copy of the fd and a local method. */
   { ANY(getpid, "is a pid the caller's own"), OP_X, ALWAYS, 0 },
   { ARG1(madvise, 2, MADV_WIPEONFORK, "a page for the caller's pid that a fork wipes"), OP_X,
     ALWAYS, 0 },
   { ARG1(kcmp, 2, KCMP_FILE, "kcmp across processes (PTRACE_MODE_READ on both)"), OP_X, METHODS,
     KC },
   { ARG1(pidfd_open, 1, PIDFD_THREAD, "without kcmp: a pidfd of a thread or process (6.9+)"),
     OP_X, WITHOUT_KCMP, 0 },
   { ARG1_WITH(pidfd_open, 1, 0, "without kcmp, before 6.9: a process's pidfd",
               "kernels without PIDFD_THREAD (before 6.9)"), OP_X, WITHOUT_KCMP, 0 },
   { ARG1(pidfd_getfd, 2, 0, "without kcmp: a copy of the other process's fd, for a local "
                             "method (PTRACE_MODE_ATTACH)"), OP_X, WITHOUT_KCMP, 0 },
   { ANY(close, "the pidfd and the copy"), OP_X, WITHOUT_KCMP, 0 },

   /* An epoll set's targets: only kcmp can name them. */
   { ARG1(kcmp, 2, KCMP_EPOLL_TFD, "kcmp: is this the file an epoll set watches"), OP_EPT, METHODS,
     KC },

   /* The winsys: identity of devices and buffers, and the DRM ioctls. */
   { ANY(fstat, "device and dma-buf identity (st_dev, st_ino, st_rdev)"), OP_WS, ALWAYS, 0 },
   { ANY(fstatfs, "is an fd a dma-buf (DMA_BUF_MAGIC)"), OP_WS, ALWAYS, 0 },
   { ANY(newfstatat, "libdrm: a node's type (its fstat), and the device's sysfs directory"),
     OP_WS, ALWAYS, 0 },
   { ANY(readlink, "the device's sysfs path (realpath)"), OP_WS, ALWAYS, 0 },
   { ANY_WITH(access, "libdrm: is there such a sysfs file",
              "some libdrm versions (seen in the Debian 13 guest)"), OP_WS, ALWAYS, 0 },
   { ANY(getpid, "a buffer's identity hint is asked about the caller's own fds"), OP_WS, ALWAYS,
     0 },
   { ARG1(madvise, 2, MADV_WIPEONFORK, "a page for the caller's pid that a fork wipes"), OP_WS,
     ALWAYS, 0 },
   { ARG1(fcntl, 1, F_DUPFD_CLOEXEC, "the device table's own fd of a device"), OP_WS, ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_PRIME_FD_TO_HANDLE, "import: a dma-buf's GEM handle"), OP_WS,
     ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_PRIME_HANDLE_TO_FD, "export, and a buffer's identity hint"), OP_WS,
     ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_GEM_CLOSE, "release: the handle, once"), OP_WS, ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_MODE_CREATE_DUMB, "fdid_bo_create_dumb()"), OP_WS, ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_MODE_MAP_DUMB, "fdid_bo_map_dumb_offset()"), OP_WS, ALWAYS, 0 },
   { ANY(close, "the device's fd and a buffer's hint fd"), OP_WS, ALWAYS, 0 },

   /* The consumers' import caches keep their own copies of object fds. */
   { ARG1(fcntl, 1, F_DUPFD_CLOEXEC, "an import cache's own copy of an object fd"),
     FDID_OP_CONSUMERS, ALWAYS, 0 },
   { ANY(close, "an import cache's copies, and its fdinfo reads"), FDID_OP_CONSUMERS, ALWAYS, 0 },
   /* Idle entries: a dma-buf's reference count is in its fdinfo alone. */
   { ANY(openat, "/proc/self/fdinfo of a cached dma-buf: its count, on a miss and when an "
                 "idle entry is dropped"), FDID_OP_CONSUMERS, ALWAYS, 0 },
   { ANY(read, "that fdinfo"), FDID_OP_CONSUMERS, ALWAYS, 0 },

   /* The KMS consumer: the planes' formats, and framebuffers. */
   { ARG1(ioctl, 1, DRM_IOCTL_SET_CLIENT_CAP, "universal planes, to see every plane"),
     FDID_OP_KMS, ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_MODE_GETRESOURCES, "is the device a KMS device"), FDID_OP_KMS,
     ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_GET_CAP, "does AddFB2 take modifiers (ADDFB2_MODIFIERS)"),
     FDID_OP_KMS, ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_MODE_GETPLANERESOURCES, "the planes"), FDID_OP_KMS, ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_MODE_GETPLANE, "a plane's formats"), FDID_OP_KMS, ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, "a plane's properties"), FDID_OP_KMS,
     ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_MODE_GETPROPERTY, "which property is IN_FORMATS"), FDID_OP_KMS,
     ALWAYS, 0 },
   { IOCTL_WITH(DRM_IOCTL_MODE_GETPROPBLOB, "a plane's formats and modifiers (IN_FORMATS)",
                "devices whose planes list IN_FORMATS"), FDID_OP_KMS, ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_MODE_ADDFB2, "a framebuffer of an image's buffers"), FDID_OP_KMS,
     ALWAYS, 0 },
   { ARG1(ioctl, 1, DRM_IOCTL_MODE_CLOSEFB, "removes a framebuffer, leaving the screen on "
                                            "(Linux 6.8+)"), FDID_OP_KMS, ALWAYS, 0 },
   { IOCTL_WITH(DRM_IOCTL_MODE_RMFB, "removes a framebuffer where CLOSEFB is not",
                "kernels before 6.8"), FDID_OP_KMS, ALWAYS, 0 },
   { ARG1(fcntl, 1, F_DUPFD_CLOEXEC, "the framebuffer cache's own copy of an image's fds"),
     FDID_OP_KMS, ALWAYS, 0 },
   { ANY(close, "those copies"), FDID_OP_KMS, ALWAYS, 0 },

   /* The inspector: /proc, read. */
   { ANY(openat, "/proc/PID/fd, fdinfo, comm, status, maps"), OP_INS, ALWAYS, 0 },
   { ANY(getdents64, "listing /proc and /proc/PID/fd"), OP_INS, ALWAYS, 0 },
   { ANY(newfstatat, "each fd's identity, relative to /proc/PID/fd"), OP_INS, ALWAYS, 0 },
   { ANY(readlinkat, "an fd's name"), OP_INS, ALWAYS, 0 },
   { ANY(readlink, "a DRM device's sysfs path (realpath)"), OP_INS, ALWAYS, 0 },
   { ANY(read, "fdinfo, comm, status, maps"), OP_INS, ALWAYS, 0 },
   { ANY(statfs, "is a mapping a dma-buf (DMA_BUF_MAGIC), until a dma-buf fd tells"), OP_INS,
     ALWAYS, 0 },
   { ANY_WITH(fstat, "the C library's opendir()",
              "some C libraries (seen in the Debian 13 guest)"), OP_INS, ALWAYS, 0 },
   { ANY(close, "each /proc file"), OP_INS, ALWAYS, 0 },
   { ANY(pipe2, "once: a pipe of its own, whose st_dev names the pipe file system (a pipe's "
                "name is then its inode's, without a readlink)"), OP_INS, ALWAYS, 0 },
   { ARG1_WITH(socket, 0, AF_NETLINK, "the socket columns: NETLINK_SOCK_DIAG for UNIX sockets",
               "fdid ls with socket columns, ENDPOINTS or -J"), OP_INS, ALWAYS, 0 },
   { ANY_WITH(sendto, "the sock_diag dump's request", "fdid ls with socket columns"), OP_INS,
     ALWAYS, 0 },
   { ANY_WITH(recvfrom, "the sock_diag dump", "fdid ls with socket columns"), OP_INS, ALWAYS,
     0 },
   { ARG1(kcmp, 2, KCMP_FILES, "a process with several threads: is a thread's file table the "
                               "process's (else the two listings are compared)"), OP_INS,
     METHODS, KC },
   { ARG1(pidfd_open, 1, 0, "fdid mem: a DRM client's holder, to pin the client's file"), OP_INS,
     ALWAYS, 0 },
   { ARG1(pidfd_open, 1, PIDFD_THREAD, "fdid mem: the same, for a thread's own file table "
                                       "(Linux 6.9+; else fdinfo is read)"), OP_INS, ALWAYS, 0 },
   { ARG1(pidfd_getfd, 2, 0, "fdid mem: the client's file, whose fdinfo is read through it "
                             "(PTRACE_MODE_ATTACH; without it /proc/PID/fdinfo is read)"),
     OP_INS, ALWAYS, 0 },
   { ANY(fstat, "fdid mem: the pinned file is still a node of the client's device"), OP_INS,
     ALWAYS, 0 },
   { IOCTL_WITH(DRM_IOCTL_VERSION, "fdid mem: the pinned client's DRM driver, where its "
                                   "fdinfo names none",
                "kernels before 6.5, or drivers without drm-usage-stats"), OP_INS, ALWAYS, 0 },
};

/* Each operation stands on those below it. */
static unsigned
expand(unsigned ops)
{
   if (ops & FDID_OP_INSPECTOR)
      ops |= FDID_OP_CROSS_PROCESS | FDID_OP_EPOLL_TARGET;
   if (ops & (FDID_OP_CONSUMERS | FDID_OP_KMS))
      ops |= FDID_OP_WINSYS;
   if (ops & (FDID_OP_CROSS_PROCESS | FDID_OP_EPOLL_TARGET | FDID_OP_WINSYS))
      ops |= FDID_OP_IDENTITY;
   return ops;
}

static bool
applies(const struct entry *e, unsigned methods, unsigned ops)
{
   if (!(e->ops & ops))
      return false;
   switch (e->when) {
   case ALWAYS: return true;
   case ANY_METHOD: return methods != 0;
   case METHODS: return (methods & e->methods) != 0;
   case WITHOUT_KCMP: return !(methods & FDID_METHOD_KCMP);
   case METHODS_UNPINNED: return (methods & e->methods) && !(ops & FDID_OP_PIN_SELF);
   case METHODS_PINNED: return (methods & e->methods) && (ops & FDID_OP_PIN_SELF);
   }
   return false;
}

/* Does b allow every call a allows: the same call, and each of b's
 * constraints one of a's? (Equal rules subsume each other.) */
static bool
subsumes(const struct fdid_sandbox_rule *b, const struct fdid_sandbox_rule *a)
{
   if (a->nr != b->nr)
      return false;
   for (unsigned i = 0; i < b->n_args; i++) {
      bool found = false;
      for (unsigned k = 0; k < a->n_args && !found; k++)
         found = a->args[k].index == b->args[i].index && a->args[k].cmp == b->args[i].cmp &&
                 a->args[k].value == b->args[i].value;
      if (!found)
         return false;
   }
   return true;
}

/* A rule is listed once, and not where a broader one applies (kcmp on
 * the caller's own fds, when kcmp across processes is allowed). */
static bool
redundant(size_t i, unsigned methods, unsigned ops)
{
   for (size_t k = 0; k < FDID_ARRAY_SIZE(table); k++) {
      if (k == i || !applies(&table[k], methods, ops) ||
          !subsumes(&table[k].rule, &table[i].rule))
         continue;
      /* Of equal rules the first stays. */
      if (!subsumes(&table[i].rule, &table[k].rule) || k < i)
         return true;
   }
   return false;
}

FDID_PUBLIC size_t
fdid_sandbox_rules(unsigned methods, unsigned ops, const struct fdid_sandbox_rule **out,
                   size_t cap)
{
   methods &= FDID_METHOD_ALL;
   ops = expand(ops & FDID_OP_ALL) | (ops & FDID_OP_PIN_SELF);
   size_t n = 0;
   for (size_t i = 0; i < FDID_ARRAY_SIZE(table); i++) {
      if (!applies(&table[i], methods, ops) || redundant(i, methods, ops))
         continue;
      if (out && n < cap)
         out[n] = &table[i].rule;
      n++;
   }
   return n;
}

FDID_PUBLIC const char *
fdid_sandbox_op_name(unsigned op)
{
   static const char *const names[] = { "identity", "cross_process", "epoll_target", "winsys",
                                        "consumers", "inspector", "kms" };
   for (unsigned i = 0; i < FDID_ARRAY_SIZE(names); i++) {
      if (op == 1u << i)
         return names[i];
   }
   return NULL;
}
