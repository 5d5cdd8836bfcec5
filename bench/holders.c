/* SPDX-License-Identifier: MIT */
/* Holder processes for the benchmarks (holders.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "holders.h"

static void
die(const char *what)
{
   perror(what);
   exit(1);
}

void
holders_begin(struct holders *h, size_t max)
{
   memset(h, 0, sizeof(*h));
   h->pids = calloc(max + 1, sizeof(*h->pids));
   if (!h->pids)
      die("holders: calloc");
   if (pipe(h->ready) < 0 || pipe(h->release) < 0)
      die("holders: pipe");
}

pid_t
holders_fork(struct holders *h)
{
   pid_t pid = fork();
   if (pid < 0)
      die("holders: fork");
   if (pid == 0) {
      close(h->ready[0]);
      close(h->release[1]);
      return 0;
   }
   h->pids[h->n_pids++] = pid;
   return pid;
}

void
holder_ready(const struct holders *h)
{
   char c = 1;
   if (write(h->ready[1], &c, 1) != 1)
      _exit(2);
   while (read(h->release[0], &c, 1) > 0)
      ;
   _exit(0);
}

void
holders_wait(struct holders *h, const char *what)
{
   close(h->ready[1]);
   close(h->release[0]);
   for (size_t k = 0; k < h->n_pids; k++) {
      char c;
      if (read(h->ready[0], &c, 1) != 1) {
         fprintf(stderr, "a holder failed to make %s\n", what);
         exit(1);
      }
   }
   close(h->ready[0]);
   h->pids[h->n_pids++] = getpid();
}

void
holders_end(struct holders *h)
{
   close(h->release[1]);
   for (size_t k = 0; k + 1 < h->n_pids; k++)
      waitpid(h->pids[k], NULL, 0);
   free(h->pids);
}
