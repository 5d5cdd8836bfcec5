/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <unistd.h>

#include "faults.h"
#include "fdid_test.h"

int
fill_fds(int *fds, int max)
{
   int n = 0;
   while (n < max) {
      int fd = eventfd(0, EFD_CLOEXEC);
      if (fd < 0) {
         CHECK_EQ(errno, EMFILE);
         break;
      }
      fds[n++] = fd;
   }
   return n;
}

void
close_fds(const int *fds, int n)
{
   while (n > 0)
      close(fds[--n]);
}

static atomic_long hits;

static void
on_alarm(int sig)
{
   (void)sig;
   atomic_fetch_add_explicit(&hits, 1, memory_order_relaxed);
}

void
signal_storm(bool on)
{
   if (on)
      atomic_store(&hits, 0);
   struct sigaction sa;
   memset(&sa, 0, sizeof(sa));
   sa.sa_handler = on ? on_alarm : SIG_IGN;
   sigemptyset(&sa.sa_mask);
   sa.sa_flags = 0; /* no SA_RESTART */
   CHECK_SYS(sigaction(SIGALRM, &sa, NULL));
   struct itimerval it = { .it_interval = { 0, on ? 50 : 0 }, .it_value = { 0, on ? 50 : 0 } };
   CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
}

long
signal_storm_hits(void)
{
   return atomic_load(&hits);
}
