/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdid_test.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

enum { EXIT_SKIP = 77, MAX_FDS = 4096 };

static struct fdid_test *first, **last = &first;

void
fdid_test_register(struct fdid_test *t)
{
   *last = t;
   last = &t->next;
}

void
fdid_test_fail(const char *file, int line, const char *fmt, ...)
{
   va_list ap;
   printf("# %s:%d: check failed: ", file, line);
   va_start(ap, fmt);
   vprintf(fmt, ap);
   va_end(ap);
   printf("\n");
   fflush(stdout);
   _exit(1);
}

void
fdid_test_skip(const char *fmt, ...)
{
   va_list ap;
   printf("# skip: ");
   va_start(ap, fmt);
   vprintf(fmt, ap);
   va_end(ap);
   printf("\n");
   fflush(stdout);
   _exit(EXIT_SKIP);
}

/* Open fds as a bitmap, to find what a subtest left open. */
static int
open_fds(unsigned char *set)
{
   memset(set, 0, MAX_FDS);
   DIR *d = opendir("/proc/self/fd");
   if (!d)
      return -1;
   int self = dirfd(d);
   struct dirent *e;
   while ((e = readdir(d))) {
      int fd = atoi(e->d_name);
      if (e->d_name[0] != '.' && fd != self && fd < MAX_FDS)
         set[fd] = 1;
   }
   closedir(d);
   return 0;
}

int
open_fd_count(void)
{
   static unsigned char set[MAX_FDS];
   CHECK_EQ(open_fds(set), 0);
   int n = 0;
   for (int fd = 0; fd < MAX_FDS; fd++)
      n += set[fd];
   return n;
}

static void
run_child(const struct fdid_test *t)
{
   static unsigned char before[MAX_FDS], after[MAX_FDS];
   const char *timeout = getenv("FDID_TEST_TIMEOUT");
   alarm(timeout ? (unsigned)atoi(timeout) : 120);

   if (open_fds(before) != 0)
      fdid_test_fail(__FILE__, __LINE__, "cannot list /proc/self/fd");
   t->fn();
   if (open_fds(after) != 0)
      fdid_test_fail(__FILE__, __LINE__, "cannot list /proc/self/fd");
   for (int fd = 0; fd < MAX_FDS; fd++) {
      if (after[fd] && !before[fd])
         fdid_test_fail(__FILE__, __LINE__, "fd %d leaked by the subtest", fd);
   }
#ifdef __SANITIZE_ADDRESS__
   /* _exit() skips LeakSanitizer's own check: run it here. */
   if (__lsan_do_recoverable_leak_check())
      fdid_test_fail(__FILE__, __LINE__, "memory leaked by the subtest");
#endif
   fflush(stdout);
   _exit(0);
}

enum result { PASS, FAIL, SKIP_ };

static enum result
run_one(const struct fdid_test *t, char *why, size_t why_len)
{
   fflush(stdout);
   fflush(stderr);
   pid_t pid = fork();
   if (pid < 0) {
      snprintf(why, why_len, "fork: %s", strerror(errno));
      return FAIL;
   }
   if (pid == 0)
      run_child(t);

   int status;
   while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) {
         snprintf(why, why_len, "waitpid: %s", strerror(errno));
         return FAIL;
      }
   }
   if (WIFSIGNALED(status)) {
      snprintf(why, why_len, "killed by signal %d (%s)", WTERMSIG(status),
               strsignal(WTERMSIG(status)));
      return FAIL;
   }
   if (WEXITSTATUS(status) == EXIT_SKIP)
      return SKIP_;
   if (WEXITSTATUS(status) != 0) {
      snprintf(why, why_len, "exit status %d", WEXITSTATUS(status));
      return FAIL;
   }
   return PASS;
}

/* Arguments name subtests; options (piglit adds -auto and -fbo) are not
 * names and are ignored. */
static bool
selected(const struct fdid_test *t, int argc, char **argv)
{
   bool any_name = false;
   for (int i = 1; i < argc; i++) {
      if (argv[i][0] == '-')
         continue;
      any_name = true;
      if (strcmp(argv[i], t->name) == 0)
         return true;
   }
   return !any_name;
}

int
fdid_test_main(int argc, char **argv)
{
   bool piglit = getenv("PIGLIT_PLATFORM") || getenv("FDID_TEST_PIGLIT");
   int count = 0, passed = 0, failed = 0, skipped = 0, n = 0;

   /* Output goes through a pipe when run under a harness: keep the order of
    * our lines and the children's lines right. */
   setvbuf(stdout, NULL, _IOLBF, 0);

   for (struct fdid_test *t = first; t; t = t->next)
      count += selected(t, argc, argv);
   if (count == 0) {
      fprintf(stderr, "%s: no subtest matches\n", argv[0]);
      return 1;
   }
   if (!piglit)
      printf("1..%d\n", count);

   for (struct fdid_test *t = first; t; t = t->next) {
      if (!selected(t, argc, argv))
         continue;
      char why[256] = "";
      enum result r = run_one(t, why, sizeof(why));
      n++;
      if (piglit) {
         static const char *const names[] = { "pass", "fail", "skip" };
         printf("PIGLIT: {\"subtest\": {\"%s\" : \"%s\"}}\n", t->name, names[r]);
      } else if (r == PASS) {
         printf("ok %d - %s\n", n, t->name);
      } else if (r == SKIP_) {
         printf("ok %d - %s # SKIP\n", n, t->name);
      } else {
         printf("not ok %d - %s%s%s\n", n, t->name, why[0] ? " # " : "", why);
      }
      passed += r == PASS;
      failed += r == FAIL;
      skipped += r == SKIP_;
   }

   if (piglit) {
      const char *overall = failed ? "fail" : passed ? "pass" : "skip";
      printf("PIGLIT: {\"result\": \"%s\" }\n", overall);
   } else {
      printf("# %d passed, %d failed, %d skipped\n", passed, failed, skipped);
   }
   return failed ? 1 : 0;
}

void
wait_ready_byte(int fd)
{
   char c;
   CHECK_EQ(read(fd, &c, 1), 1);
   close(fd);
}

int
wait_child(int pid)
{
   int status;
   CHECK_EQ(waitpid(pid, &status, 0), pid);
   CHECK(WIFEXITED(status));
   return WEXITSTATUS(status);
}
