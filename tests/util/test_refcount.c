/* SPDX-License-Identifier: MIT */
/*
 * util/refcount.h at its real limit, UINT_MAX: the last reference a count
 * can hold is given, the next one refused, and the count stays where it
 * was (it used to wrap to 0 and free the object). Each object's count is
 * tested at a small limit through the public API in the guests
 * (tests/drm/test_ref_limits.c); this is the same code at the default.
 */
#include <limits.h>

#include "fdid_test.h"
#include "util/refcount.h"

FDID_TEST(atomic_count_stops_at_uint_max)
{
   atomic_uint refs;
   atomic_init(&refs, UINT_MAX - 1);
   CHECK(fdid_ref_get(&refs));
   CHECK_EQ(atomic_load(&refs), UINT_MAX);
   CHECK(!fdid_ref_get(&refs));
   CHECK(!fdid_ref_get(&refs));
   CHECK_EQ(atomic_load(&refs), UINT_MAX);
}

FDID_TEST(locked_count_stops_at_uint_max)
{
   unsigned refs = UINT_MAX - 1;
   CHECK(fdid_ref_get_locked(&refs));
   CHECK_EQ(refs, UINT_MAX);
   CHECK(!fdid_ref_get_locked(&refs));
   CHECK_EQ(refs, UINT_MAX);
}

FDID_TEST(counts_below_the_limit_go_up_by_one)
{
   atomic_uint refs;
   atomic_init(&refs, 1);
   CHECK(fdid_ref_get(&refs));
   CHECK_EQ(atomic_load(&refs), 2);
   unsigned plain = 0;
   CHECK(fdid_ref_get_locked(&plain));
   CHECK_EQ(plain, 1);
}

FDID_TEST_MAIN()
