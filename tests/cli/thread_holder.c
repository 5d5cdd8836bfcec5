/* SPDX-License-Identifier: MIT */
/*
 * fds that only a thread holds, for the inspector's test: prints one JSON
 * line, holds until stdin closes.
 *
 *   thread_holder unshare   a thread calls unshare(CLONE_FILES) (its table
 *                           a copy of the process's, an eventfd in both),
 *                           then makes a pipe in its table alone
 *   thread_holder exit      a thread makes a pipe, then the main thread
 *                           exits (a zombie leader: /proc/PID/fd is empty)
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool unshared;
static int shared_fd = -1;

static void *
thread_main(void *arg)
{
   (void)arg;
   if (unshared && unshare(CLONE_FILES) != 0)
      exit(2);
   int p[2];
   if (pipe(p) != 0)
      exit(3);
   printf("{\"pid\": %d, \"tid\": %d, \"r\": %d, \"w\": %d, \"shared\": %d}\n", (int)getpid(),
          (int)syscall(SYS_gettid), p[0], p[1], shared_fd);
   fflush(stdout);
   char c;
   while (read(0, &c, 1) > 0)
      ;
   exit(0);
}

int
main(int argc, char **argv)
{
   if (argc != 2 || (strcmp(argv[1], "unshare") != 0 && strcmp(argv[1], "exit") != 0))
      return 2;
   unshared = strcmp(argv[1], "unshare") == 0;
   shared_fd = eventfd(0, 0);
   pthread_t t;
   if (shared_fd < 0 || pthread_create(&t, NULL, thread_main, NULL) != 0)
      return 1;
   if (!unshared)
      pthread_exit(NULL);
   pthread_join(t, NULL);
   return 0;
}
