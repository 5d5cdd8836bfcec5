/* SPDX-License-Identifier: MIT */
/* The one clock for timing: `fdid probe` and the benchmarks. */
#ifndef FDID_UTIL_CLOCK_H
#define FDID_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds, as a double (ratios and means follow). */
static inline double
fdid_now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The same in whole nanoseconds, for timestamps that are subtracted. */
static inline uint64_t
fdid_now_ns_u64(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif /* FDID_UTIL_CLOCK_H */
