/* SPDX-License-Identifier: MIT */
/*
 * The methods cache against a thread that sits between reading the state
 * and installing its answer, while the state changes millions of times.
 *
 * The test program defines pipe2(), which the library's probe calls
 * first (the executable's definition comes before libc's): the first call
 * parks the probing thread until the main thread has changed the allowed
 * methods 2^23 times (an earlier design's epoch counter wrapped there, and
 * the parked thread then installed a mask computed for the old setting),
 * or for at most a second: a correct cache makes the changes wait for the
 * probe instead. Either way the cache must end up agreeing with the last
 * fdid_set_allowed_methods().
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"

static sem_t parked, release;
static atomic_bool park_next;

int pipe2(int fds[2], int flags);

int
pipe2(int fds[2], int flags)
{
   if (atomic_exchange(&park_next, false)) {
      sem_post(&parked);
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_sec += 1;
      while (sem_timedwait(&release, &until) != 0 && errno == EINTR)
         ;
   }
   return (int)syscall(SYS_pipe2, fds, flags);
}

static void *
first_question(void *arg)
{
   (void)fdid_probe();
   return NULL;
}

FDID_TEST(stale_mask_never_installed)
{
   CHECK_SYS(sem_init(&parked, 0, 0));
   CHECK_SYS(sem_init(&release, 0, 0));
   atomic_store(&park_next, true);
   pthread_t t;
   CHECK_EQ(pthread_create(&t, NULL, first_question, NULL), 0);
   CHECK_SYS(sem_wait(&parked)); /* it has read the state: everything allowed */

   for (unsigned long i = 0; i < (1ul << 23); i++)
      fdid_set_allowed_methods(0);
   sem_post(&release);
   CHECK_EQ(pthread_join(t, NULL), 0);

   CHECK_EQ(fdid_allowed_methods(), 0);
   CHECK_EQ(fdid_probe(), 0);
   CHECK_EQ(fdid_default_method(), 0);
   int p[2];
   CHECK_SYS(pipe(p));
   /* No method is called: fstat alone knows one fd number is one
    * description, and cannot tell the two ends of a pipe (one inode) or a
    * dup apart. */
   CHECK_EQ(fdid_same_file_description(p[0], p[0]), 0);
   CHECK_EQ(fdid_same_file_description(p[0], p[1]), -ENOTSUP);
   int d = CHECK_SYS(dup(p[0]));
   CHECK_EQ(fdid_same_file_description(p[0], d), -ENOTSUP);
   close(d);
   close(p[0]);
   close(p[1]);
   sem_destroy(&parked);
   sem_destroy(&release);
}

FDID_TEST_MAIN()
