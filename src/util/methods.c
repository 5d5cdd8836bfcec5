/* SPDX-License-Identifier: MIT */
/*
 * Which identity methods fdid may call, and which of those work.
 *
 * Allowed: FDID_METHODS (read once) intersected with
 * fdid_set_allowed_methods(). A method that is not allowed is never called,
 * not even by the probe, because some sandboxes kill the process on the
 * first forbidden system call.
 *
 * Working: each allowed method is probed once, on a private pipe, the first
 * time it is needed. A method that later fails as a whole (a seccomp filter
 * installed after the probe) is cleared with fdid_method_failed().
 *
 * The fast path is one atomic load of `usable_cache` and no lock. Every
 * write of the cache happens under `cache_lock`: a recomputation (probe
 * and install) holds it throughout, and every change (the allowed mask, a
 * failed method) invalidates under it. So no change can fall between a
 * recomputation's reading of the state and its install: a stale mask can
 * never outlive fdid_set_allowed_methods(). (An epoch compared at install
 * time, as before, could wrap while a thread sat in between: improbable,
 * not impossible.) The lock is taken only off the fast path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/identity_private.h"
#include "util/lock.h"

static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static unsigned env_allowed = FDID_METHOD_ALL;
static _Atomic unsigned api_allowed = FDID_METHOD_ALL;
static _Atomic unsigned tested;
static _Atomic unsigned working;
static atomic_bool dupfd_query_bad_fd2_quirk;

/* The usable mask, or CACHE_INVALID. */
#define CACHE_INVALID (1u << 31)
static _Atomic unsigned usable_cache = CACHE_INVALID;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
/* This thread holds cache_lock to recompute: a method failing inside the
 * probe is seen by that recomputation itself. */
static _Thread_local bool recomputing;

static void
invalidate_cache_locked(void)
{
   fdid_assert_locked(&cache_lock);
   atomic_store(&usable_cache, CACHE_INVALID);
}

static const struct {
   unsigned bit;
   const char *name;
} method_names[] = {
   { FDID_METHOD_DUPFD_QUERY, "dupfd_query" },
   { FDID_METHOD_KCMP, "kcmp" },
   { FDID_METHOD_EPOLL, "epoll" },
};

FDID_PUBLIC const char *
fdid_method_name(unsigned method)
{
   for (size_t i = 0; i < FDID_ARRAY_SIZE(method_names); i++) {
      if (method_names[i].bit == method)
         return method_names[i].name;
   }
   return NULL;
}

/* "kcmp,epoll" -> mask. Unknown names allow nothing, so a typo can only
 * make fdid more careful, never less. */
static unsigned
parse_methods(const char *s)
{
   unsigned mask = 0;
   while (*s) {
      size_t len = strcspn(s, ",");
      if (len == 3 && strncmp(s, "all", 3) == 0)
         mask |= FDID_METHOD_ALL;
      for (size_t i = 0; i < FDID_ARRAY_SIZE(method_names); i++) {
         if (strlen(method_names[i].name) == len &&
             strncmp(s, method_names[i].name, len) == 0)
            mask |= method_names[i].bit;
      }
      s += len;
      if (*s == ',')
         s++;
   }
   return mask;
}

static void
read_env(void)
{
   /* secure_getenv: a setuid program must not let its caller pick. */
   const char *s = secure_getenv("FDID_METHODS");
   if (s)
      env_allowed = parse_methods(s);
}

FDID_PUBLIC unsigned
fdid_allowed_methods(void)
{
   pthread_once(&env_once, read_env);
   return env_allowed & atomic_load_explicit(&api_allowed, memory_order_relaxed);
}

FDID_PUBLIC void
fdid_set_allowed_methods(unsigned mask)
{
   pthread_mutex_lock(&cache_lock);
   atomic_store(&api_allowed, mask & FDID_METHOD_ALL);
   invalidate_cache_locked();
   pthread_mutex_unlock(&cache_lock);
}

/* Each probe checks both a "same" and a "different" answer on a pipe. */
/* Why each method's probe failed, by bit position (fdid_method_status). */
static _Atomic int probe_error[3];

static int
bit_index(unsigned method)
{
   return method == FDID_METHOD_DUPFD_QUERY ? 0 : method == FDID_METHOD_KCMP ? 1 : 2;
}

/* A probe's verdict: its calls' answers, or the first error they met. */
static bool
probe_result(unsigned method, int same, int diff, bool right)
{
   int err = same < 0 ? same : diff < 0 ? diff : right ? 0 : -EPROTO;
   atomic_store(&probe_error[bit_index(method)], err);
   return err == 0;
}

static bool
probe_dupfd_query(int a, int b)
{
   int same = fdid_sys_dupfd_query(a, a);
   int diff = fdid_sys_dupfd_query(a, b);
   if (!probe_result(FDID_METHOD_DUPFD_QUERY, same, diff, (same & 1) && !(diff & 1)))
      return false;
   /* No fd can have number INT_MAX (fs.nr_open is below 2^30). */
   atomic_store(&dupfd_query_bad_fd2_quirk,
                fdid_sys_dupfd_query(a, INT_MAX) >= 0);
   return true;
}

static bool
probe_kcmp(int a, int b)
{
   pid_t self = fdid_self_pid();
   int same = fdid_sys_kcmp_file(self, a, self, a);
   int diff = fdid_sys_kcmp_file(self, a, self, b);
   return probe_result(FDID_METHOD_KCMP, same, diff, same == 0 && (diff == 1 || diff == 2));
}

/* The trick's own verdicts carry no errno: the failed call's is still in
 * errno (only successful calls, which leave it, follow a failure). */
static int
epoll_probe_call(int a, int b)
{
   int r = fdid_epoll_same(a, b);
   return r == FDID_ANSWER_BROKEN || r == FDID_ANSWER_CANNOT ? -errno : r;
}

static bool
probe_epoll(int a, int b)
{
   int same = epoll_probe_call(a, a);
   int diff = same < 0 ? 0 : epoll_probe_call(a, b);
   return probe_result(FDID_METHOD_EPOLL, same, diff, same == 0 && diff == 3);
}

static void
probe(unsigned which)
{
   int p[2];
   /* Out of fds: leave the methods untested and try again next time. */
   if (pipe2(p, O_CLOEXEC) != 0)
      return;

   unsigned ok = 0;
   if ((which & FDID_METHOD_DUPFD_QUERY) && probe_dupfd_query(p[0], p[1]))
      ok |= FDID_METHOD_DUPFD_QUERY;
   if ((which & FDID_METHOD_KCMP) && probe_kcmp(p[0], p[1]))
      ok |= FDID_METHOD_KCMP;
   if ((which & FDID_METHOD_EPOLL) && probe_epoll(p[0], p[1]))
      ok |= FDID_METHOD_EPOLL;
   close(p[0]);
   close(p[1]);

   atomic_fetch_or(&working, ok);
   atomic_fetch_or(&tested, which);
}

static unsigned
recompute_usable(void)
{
   pthread_mutex_lock(&cache_lock);
   unsigned usable = atomic_load(&usable_cache);
   if (usable & CACHE_INVALID) {
      recomputing = true;
      unsigned allowed = fdid_allowed_methods();
      unsigned untested = allowed & ~atomic_load(&tested);
      if (untested)
         probe(untested);
      usable = allowed & atomic_load(&working);
      /* Only a complete answer is kept: a probe that found no fd to work
       * with must run again on the next question. */
      if (!(allowed & ~atomic_load(&tested)))
         atomic_store_explicit(&usable_cache, usable, memory_order_release);
      recomputing = false;
   }
   pthread_mutex_unlock(&cache_lock);
   return usable;
}

unsigned
fdid_usable_methods(void)
{
   unsigned cached = atomic_load_explicit(&usable_cache, memory_order_acquire);
   if (likely(!(cached & CACHE_INVALID)))
      return cached;
   return recompute_usable();
}

void
fdid_method_failed(unsigned method)
{
   atomic_fetch_and(&working, ~method);
   if (recomputing)
      return; /* the recomputation under way reads `working` after this */
   pthread_mutex_lock(&cache_lock);
   invalidate_cache_locked();
   pthread_mutex_unlock(&cache_lock);
}

bool
fdid_dupfd_query_misses_bad_fd2(void)
{
   return atomic_load_explicit(&dupfd_query_bad_fd2_quirk, memory_order_relaxed);
}

FDID_PUBLIC unsigned
fdid_probe(void)
{
   return fdid_usable_methods();
}

FDID_PUBLIC unsigned
fdid_default_method(void)
{
   unsigned usable = fdid_usable_methods();
   return usable & -usable;
}

FDID_PUBLIC int
fdid_method_status(unsigned method)
{
   if (method != FDID_METHOD_DUPFD_QUERY && method != FDID_METHOD_KCMP &&
       method != FDID_METHOD_EPOLL)
      return -EINVAL;
   if (!(fdid_allowed_methods() & method))
      return 1;
   if (fdid_usable_methods() & method)
      return 0;
   int err = atomic_load(&probe_error[bit_index(method)]);
   /* Probed fine, dropped later: a call of it failed as a whole. */
   return err ? err : -ENOTRECOVERABLE;
}
