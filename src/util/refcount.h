/* SPDX-License-Identifier: MIT */
/*
 * Reference counts that never wrap. A count that went from its largest
 * value to 0 would free an object its holders still use; so taking a
 * reference at FDID_REF_MAX is refused instead, and the caller reports it
 * (-EOVERFLOW, or NULL from a _ref that returns its object). Holding 2^32
 * references is a caller's bug or an attack, never a workload.
 *
 * FDID_REF_MAX is the count's largest value; a test build of the library
 * sets a small one to reach it in a few calls (tests/api/meson.build).
 */
#ifndef FDID_UTIL_REFCOUNT_H
#define FDID_UTIL_REFCOUNT_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>

#ifndef FDID_REF_MAX
#define FDID_REF_MAX UINT_MAX
#endif

/* One more reference on an atomic count; false, and no change, at the
 * limit. */
static inline bool
fdid_ref_get(atomic_uint *refs)
{
   unsigned v = atomic_load_explicit(refs, memory_order_relaxed);
   do {
      if (v >= (unsigned)FDID_REF_MAX)
         return false;
   } while (!atomic_compare_exchange_weak_explicit(refs, &v, v + 1, memory_order_relaxed,
                                                   memory_order_relaxed));
   return true;
}

/* The same, for a count under its owner's lock. */
static inline bool
fdid_ref_get_locked(unsigned *refs)
{
   if (*refs >= (unsigned)FDID_REF_MAX)
      return false;
   (*refs)++;
   return true;
}

#endif /* FDID_UTIL_REFCOUNT_H */
