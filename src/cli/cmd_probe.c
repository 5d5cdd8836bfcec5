/* SPDX-License-Identifier: MIT */
/*
 * fdid probe: which identity methods work in this process (kernel and
 * sandbox), how the others are refused (the errno their probe got: ENOSYS
 * or EINVAL from an old kernel or a filter, EPERM or EACCES from a filter),
 * which one answers first, and what a question costs with each, beside a
 * null system call timed in the same run. Methods not allowed are never
 * called.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "cli.h"
#include "util/clock.h"

enum { ROUNDS = 20000 };

static double
ns_per_null_syscall(void)
{
   double t0 = fdid_now_ns();
   for (int i = 0; i < ROUNDS; i++)
      (void)getppid();
   return (fdid_now_ns() - t0) / ROUNDS;
}

/* One method alone, asked about the two ends of a pipe (different
 * descriptions of one inode, so fstat cannot shortcut the answer). */
static double
ns_per_question(unsigned method, int a, int b)
{
   fdid_set_allowed_methods(method);
   double t0 = fdid_now_ns();
   for (int i = 0; i < ROUNDS; i++)
      (void)fdid_same_file_description(a, b);
   double ns = (fdid_now_ns() - t0) / ROUNDS;
   fdid_set_allowed_methods(FDID_METHOD_ALL);
   return ns;
}

static const struct {
   unsigned method;
   const char *syscalls;
   const char *reach;
} rows[] = {
   { FDID_METHOD_DUPFD_QUERY, "1", "Linux 6.10+, this process's fds, equality only" },
   { FDID_METHOD_KCMP, "1", "CONFIG_KCMP, across processes, total order" },
   { FDID_METHOD_EPOLL, "9", "pollable files only (DRM, dma-buf, pipe, socket)" },
};

/* "no (EPERM)": how the kernel or a filter refused the method's probe. A
 * method not allowed is never called, so it is never asked why. */
static const char *
refusal(unsigned method, char buf[32])
{
   int st = fdid_method_status(method);
   const char *name = st < 0 ? strerrorname_np(-st) : NULL;
   snprintf(buf, 32, "no (%s)", name ? name : "?");
   return buf;
}

int
cmd_probe(int argc, char **argv)
{
   if (argc == 2 && cli_is_help(argv[1])) {
      printf("Usage: fdid probe\n\nWhich identity methods work here, how a refused one was "
             "refused,\nwhich one is used, and what each costs.\n\nOptions:\n"
             "  -h, --help         this text\n");
      return CLI_EXIT_OK;
   }
   if (argc != 1) {
      fprintf(stderr, "Usage: fdid probe\n");
      return CLI_EXIT_ERROR;
   }

   struct utsname u;
   if (uname(&u) == 0)
      printf("kernel: %s %s\n", u.sysname, u.release);

   unsigned allowed = fdid_allowed_methods();
   unsigned working = fdid_probe();
   int p[2];
   if (pipe2(p, O_CLOEXEC) != 0) {
      perror("fdid probe: pipe2");
      return CLI_EXIT_ERROR;
   }

   printf("%-12s %-8s %-13s %12s %9s  %s\n", "method", "allowed", "works",
          "ns/question", "syscalls", "reach");
   for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
      unsigned m = rows[i].method;
      char why[32];
      const char *works = !(allowed & m) ? "-" : (working & m) ? "yes" : refusal(m, why);
      if (working & m)
         printf("%-12s %-8s %-13s %12.0f %9s  %s\n", fdid_method_name(m),
                (allowed & m) ? "yes" : "no", works, ns_per_question(m, p[0], p[1]),
                rows[i].syscalls, rows[i].reach);
      else
         printf("%-12s %-8s %-13s %12s %9s  %s\n", fdid_method_name(m),
                (allowed & m) ? "yes" : "no", works, "-", rows[i].syscalls, rows[i].reach);
   }
   printf("%-12s %-8s %-13s %12.0f %9s  %s\n", "getppid", "", "", ns_per_null_syscall(),
          "1", "a null system call, for scale");

   unsigned def = fdid_default_method();
   printf("default: %s\n", def ? fdid_method_name(def) : "none (fstat can only tell \"different\")");
   close(p[0]);
   close(p[1]);
   return CLI_EXIT_OK;
}
