/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
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

void
fd_squeeze_begin(struct fd_squeeze *s, int fd, int keep_free)
{
   struct rlimit rl;
   CHECK_SYS(getrlimit(RLIMIT_NOFILE, &rl));
   s->old_limit = (long)rl.rlim_cur;
   rl.rlim_cur = 64;
   CHECK_SYS(setrlimit(RLIMIT_NOFILE, &rl));
   s->n = 0;
   for (int d; s->n < 64 && (d = dup(fd)) >= 0;)
      s->fill[s->n++] = d;
   CHECK(s->n > keep_free && s->n < 64);
   for (int i = 0; i < keep_free; i++)
      close(s->fill[--s->n]);
}

void
fd_squeeze_end(struct fd_squeeze *s)
{
   close_fds(s->fill, s->n);
   s->n = 0;
   struct rlimit rl;
   CHECK_SYS(getrlimit(RLIMIT_NOFILE, &rl));
   rl.rlim_cur = (rlim_t)s->old_limit;
   CHECK_SYS(setrlimit(RLIMIT_NOFILE, &rl));
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
