/* SPDX-License-Identifier: MIT */
/*
 * Many threads asking at once while another keeps changing the allowed
 * methods: every answer stays right, and a method is never called after
 * fdid_set_allowed_methods() excluded it (checked with a seccomp filter
 * that kills the process on kcmp once kcmp has been excluded).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"
#include "test_util.h"

enum { THREADS = 4, ROUNDS = 5000 };

static int a, a_dup, b;
static atomic_bool stop;
static atomic_long wrong;

static void *
asker(void *arg)
{
   for (int i = 0; i < ROUNDS; i++) {
      int same = fdid_same_file_description(a, a_dup);
      int diff = fdid_same_file_description(a, b);
      if ((same != 0 && same != -ENOTSUP) || (diff < 1 && diff != -ENOTSUP) || diff > 3)
         atomic_fetch_add(&wrong, 1);
   }
   return NULL;
}

static void *
flipper(void *arg)
{
   static const unsigned masks[] = {
      FDID_METHOD_ALL, FDID_METHOD_EPOLL, FDID_METHOD_KCMP,
      FDID_METHOD_DUPFD_QUERY | FDID_METHOD_EPOLL, 0,
   };
   for (unsigned i = 0; !atomic_load(&stop); i++)
      fdid_set_allowed_methods(masks[i % 5]);
   return NULL;
}

static void
open_fds(void)
{
   a = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   a_dup = CHECK_SYS(dup(a));
   b = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
}

static void
close_fds(void)
{
   close(a);
   close(a_dup);
   close(b);
}

FDID_TEST(concurrent_questions_and_mask_changes)
{
   open_fds();
   pthread_t t[THREADS], f;
   CHECK_EQ(pthread_create(&f, NULL, flipper, NULL), 0);
   for (int i = 0; i < THREADS; i++)
      CHECK_EQ(pthread_create(&t[i], NULL, asker, NULL), 0);
   for (int i = 0; i < THREADS; i++)
      pthread_join(t[i], NULL);
   atomic_store(&stop, true);
   pthread_join(f, NULL);
   CHECK_EQ(atomic_load(&wrong), 0);
   close_fds();
}

/* Once excluded, never called: kcmp now kills the whole process. */
FDID_TEST(excluded_method_never_called_by_any_thread)
{
   if (!seccomp_kill_process_works())
      SKIP("seccomp filters cannot be installed here (old kernel or valgrind)");
   open_fds();
   CHECK_EQ(fdid_same_file_description(a, a_dup), 0); /* probe everything */
   fdid_set_allowed_methods(FDID_METHOD_DUPFD_QUERY | FDID_METHOD_EPOLL);

   scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
   CHECK(ctx != NULL);
   CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(kcmp), 0), 0);
   CHECK_EQ(seccomp_load(ctx), 0);
   seccomp_release(ctx);

   pthread_t t[THREADS];
   for (int i = 0; i < THREADS; i++)
      CHECK_EQ(pthread_create(&t[i], NULL, asker, NULL), 0);
   for (int i = 0; i < THREADS; i++)
      pthread_join(t[i], NULL);
   CHECK_EQ(atomic_load(&wrong), 0);
   CHECK_EQ(fdid_compare_file_description(a, b), -ENOTSUP);
   close_fds();
}

FDID_TEST_MAIN()
