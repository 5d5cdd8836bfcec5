/* SPDX-License-Identifier: MIT */
#ifndef FDID_UTIL_MACROS_H
#define FDID_UTIL_MACROS_H

/* The library is built with hidden visibility; the public API opts in. */
#define FDID_PUBLIC __attribute__((visibility("default")))

#define FDID_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif /* FDID_UTIL_MACROS_H */
