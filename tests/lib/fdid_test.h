/* SPDX-License-Identifier: MIT */
/*
 * A small test harness: each test program is a list of subtests, each run
 * in its own forked child so that a crash, a leak check or a changed global
 * (allowed methods) stays with that subtest.
 *
 * Output is TAP for meson (protocol: 'tap'); with PIGLIT_PLATFORM or
 * FDID_TEST_PIGLIT set in the environment it is piglit's native protocol
 * instead ("PIGLIT: {...}" lines), so one source serves both harnesses.
 *
 *   FDID_TEST(name) { CHECK(cond); CHECK_EQ(a, b); ... }
 *   FDID_TEST_MAIN()
 *
 * A subtest passes by returning, fails on a failed check, a crash or a
 * non-zero exit, and skips through SKIP("why"). Arguments on the command
 * line select subtests by name.
 *
 * Every subtest is also a leak check: an fd opened during the subtest and
 * still open when it returns fails it, and so does leaked memory in a
 * build with AddressSanitizer.
 */
#ifndef FDID_TEST_H
#define FDID_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fdid_test {
   const char *name;
   void (*fn)(void);
   struct fdid_test *next;
};

void fdid_test_register(struct fdid_test *t);
int fdid_test_main(int argc, char **argv);
void fdid_test_fail(const char *file, int line, const char *fmt, ...)
   __attribute__((noreturn, format(printf, 3, 4)));
void fdid_test_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define FDID_TEST(tname)                                                     \
   static void test_##tname(void);                                           \
   static struct fdid_test test_entry_##tname = { #tname, test_##tname, 0 }; \
   __attribute__((constructor)) static void test_register_##tname(void)      \
   {                                                                         \
      fdid_test_register(&test_entry_##tname);                               \
   }                                                                         \
   static void test_##tname(void)

#define CHECK(cond)                                                          \
   do {                                                                      \
      if (!(cond))                                                           \
         fdid_test_fail(__FILE__, __LINE__, "%s", #cond);                    \
   } while (0)

#define CHECK_EQ(a, b)                                                       \
   do {                                                                      \
      long long check_a_ = (long long)(a), check_b_ = (long long)(b);        \
      if (check_a_ != check_b_)                                              \
         fdid_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, \
                        check_a_, check_b_);                                 \
   } while (0)

/* A system call that must succeed: evaluates to its result. */
#define CHECK_SYS(expr)                                                      \
   __extension__({                                                                        \
      long check_r_ = (long)(expr);                                          \
      if (check_r_ < 0)                                                      \
         fdid_test_fail(__FILE__, __LINE__, "%s: %s", #expr, strerror(errno)); \
      check_r_;                                                              \
   })

#define SKIP(...) fdid_test_skip(__VA_ARGS__)

/* How many fds this process has open now (from /proc/self/fd, as the
 * harness' leak check lists them). */
int open_fd_count(void);

/* Reaps a child: its exit status; a child killed by a signal fails the
 * subtest. */
int wait_child(int pid);

/* Waits for a child's one-byte "ready" on fd (the read end of a pipe), then
 * closes fd; a child that died first fails the subtest. */
void wait_ready_byte(int fd);

/* The main() of a test program: runs its subtests. */
#define FDID_TEST_MAIN()                                                     \
   int main(int argc, char **argv)                                          \
   {                                                                         \
      return fdid_test_main(argc, argv);                                     \
   }

#endif /* FDID_TEST_H */
