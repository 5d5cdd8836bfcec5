/* SPDX-License-Identifier: MIT */
/*
 * Lock preconditions that debug builds check: every `_locked` helper
 * starts with fdid_assert_locked(&lock), as Mesa's simple_mtx_assert_locked
 * does. A trylock that succeeds means nobody held the lock: the caller
 * forgot it (a lock held by another thread passes; the thread sanitizer
 * stage catches that race).
 */
#ifndef FDID_UTIL_LOCK_H
#define FDID_UTIL_LOCK_H

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

static inline bool
fdid_mutex_is_held(pthread_mutex_t *m)
{
   if (pthread_mutex_trylock(m) == EBUSY)
      return true;
   pthread_mutex_unlock(m);
   return false;
}

#ifdef NDEBUG
#define fdid_assert_locked(m) ((void)(m))
#else
#define fdid_assert_locked(m) assert(fdid_mutex_is_held(m))
#endif

#endif /* FDID_UTIL_LOCK_H */
