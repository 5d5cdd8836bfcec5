/* SPDX-License-Identifier: MIT */
/*
 * parallel_for: helpers started per call (a scan makes a handful of calls,
 * each over thousands of system calls: a thread's start is noise beside
 * them), ranges handed out by one atomic counter so a slow range (a bucket
 * of many fds, a process with a long fdinfo) does not hold the others.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "util/number.h"

enum { MAX_THREADS = 8 };

struct job {
   size_t n, chunk;
   _Atomic size_t next;
   parallel_fn fn;
   void *ctx;
};

static void *
work(void *arg)
{
   struct job *j = arg;
   for (;;) {
      size_t begin = atomic_fetch_add_explicit(&j->next, j->chunk, memory_order_relaxed);
      if (begin >= j->n)
         return NULL;
      size_t end = j->n - begin < j->chunk ? j->n : begin + j->chunk;
      j->fn(j->ctx, begin, end);
   }
}

static unsigned
threads_from_env(void)
{
   const char *s = secure_getenv("FDID_THREADS");
   uint64_t v = 0;
   if (!s || !*s)
      return 0;
   size_t len = strlen(s);
   return fdid_parse_digits(s, len, 10, MAX_THREADS, &v) == len && v > 0 ? (unsigned)v : 0;
}

static _Atomic unsigned threads_used = 1;

void
parallel_use_cpus(void)
{
   unsigned n = threads_from_env();
   cpu_set_t set;
   if (!n)
      n = sched_getaffinity(0, sizeof(set), &set) == 0 ? (unsigned)CPU_COUNT(&set) : 1;
   atomic_store(&threads_used, n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : n);
}

unsigned
parallel_threads(void)
{
   return atomic_load_explicit(&threads_used, memory_order_relaxed);
}

void
parallel_for(size_t n, size_t chunk, parallel_fn fn, void *ctx)
{
   if (chunk == 0)
      chunk = 1;
   unsigned threads = parallel_threads();
   size_t chunks = n / chunk + (n % chunk != 0);
   if (threads > chunks)
      threads = (unsigned)chunks;
   if (threads <= 1) {
      if (n)
         fn(ctx, 0, n);
      return;
   }
   struct job j = { .n = n, .chunk = chunk, .fn = fn, .ctx = ctx };
   atomic_init(&j.next, 0);
   pthread_t helpers[MAX_THREADS];
   unsigned started = 0;
   for (unsigned i = 1; i < threads; i++) {
      /* A helper that cannot start leaves its share to the others. */
      if (pthread_create(&helpers[started], NULL, work, &j) == 0)
         started++;
   }
   work(&j);
   for (unsigned i = 0; i < started; i++)
      pthread_join(helpers[i], NULL);
}
