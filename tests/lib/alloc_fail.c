/* SPDX-License-Identifier: MIT */
/*
 * The test program's own malloc, calloc, realloc and free: glibc routes
 * every allocation of the process through them (its internal calls too),
 * and they forward to glibc's allocator through its __libc_* entry points.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

#include "alloc_fail.h"
#include "fdid_test.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ALLOC_FAIL_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ALLOC_FAIL_OFF 1
#endif
#endif

#ifndef ALLOC_FAIL_OFF

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

static atomic_long countdown = -1; /* -1: disarmed */
static atomic_bool fired;
static atomic_long live;

static bool
fail_now(void)
{
   long c = atomic_load_explicit(&countdown, memory_order_relaxed);
   while (c >= 0) {
      if (atomic_compare_exchange_weak(&countdown, &c, c - 1)) {
         if (c == 0) {
            atomic_store(&fired, true);
            return true;
         }
         return false;
      }
   }
   return false;
}

void *
malloc(size_t size)
{
   if (fail_now()) {
      errno = ENOMEM;
      return NULL;
   }
   void *p = __libc_malloc(size);
   if (p)
      atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
   return p;
}

void *
calloc(size_t n, size_t size)
{
   if (fail_now()) {
      errno = ENOMEM;
      return NULL;
   }
   void *p = __libc_calloc(n, size);
   if (p)
      atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
   return p;
}

void *
realloc(void *old, size_t size)
{
   if (old && size == 0) {
      free(old);
      return NULL;
   }
   if (fail_now()) {
      errno = ENOMEM;
      return NULL;
   }
   void *p = __libc_realloc(old, size);
   if (p && !old)
      atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
   return p;
}

void
free(void *p)
{
   if (p)
      atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
   __libc_free(p);
}

bool
alloc_fail_available(void)
{
   return true;
}

void
alloc_fail_arm(long n)
{
   atomic_store(&fired, false);
   atomic_store(&countdown, n);
}

bool
alloc_fail_disarm(void)
{
   atomic_store(&countdown, -1);
   return atomic_load(&fired);
}

long
alloc_live(void)
{
   return atomic_load(&live);
}

#else

bool
alloc_fail_available(void)
{
   return false;
}

void
alloc_fail_arm(long n)
{
   (void)n;
}

bool
alloc_fail_disarm(void)
{
   return false;
}

long
alloc_live(void)
{
   return 0;
}

#endif

long
alloc_fail_each(int (*op)(void *arg), void (*cleanup)(void *arg, int result), void *arg)
{
   if (!alloc_fail_available())
      SKIP("allocation failures cannot be injected under a sanitizer");
   for (long n = 0;; n++) {
      long before = alloc_live();
      alloc_fail_arm(n);
      int r = op(arg);
      bool hit = alloc_fail_disarm();
      if (hit && r != 0 && r != -ENOMEM)
         fdid_test_fail(__FILE__, __LINE__, "allocation %ld failed: got %d, not -ENOMEM", n, r);
      if (!hit && r != 0)
         fdid_test_fail(__FILE__, __LINE__, "no allocation failed, yet %d", r);
      cleanup(arg, r);
      long after = alloc_live();
      if (after != before)
         fdid_test_fail(__FILE__, __LINE__, "allocation %ld failed: %ld allocations leaked", n,
                        after - before);
      if (!hit)
         return n;
   }
}
