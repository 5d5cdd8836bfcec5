/* SPDX-License-Identifier: MIT */
/* Growing arrays: one way to make room, for every layer. */
#ifndef FDID_UTIL_ARRAY_H
#define FDID_UTIL_ARRAY_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Room for at least `need` elements of `size` bytes in *arr, whose
 * capacity is *cap: doubled (from 16) when short. 0, or -ENOMEM with
 * *arr and *cap unchanged.
 */
static inline int
fdid_array_reserve(void *arr, size_t *cap, size_t need, size_t size)
{
   if (need <= *cap)
      return 0;
   size_t grown = *cap ? *cap : 16;
   while (grown < need)
      grown *= 2;
   if (grown > SIZE_MAX / size)
      return -ENOMEM;
   void *p = realloc(*(void **)arr, grown * size);
   if (!p)
      return -ENOMEM;
   *(void **)arr = p;
   *cap = grown;
   return 0;
}

/* Appends value to the array arr of n elements and capacity cap (lvalues):
 * 0, or -ENOMEM with nothing changed. */
#define fdid_array_push(arr, n, cap, value)                                              \
   (fdid_array_reserve(&(arr), &(cap), (n) + 1, sizeof(*(arr))) != 0 ? -ENOMEM          \
                                                                      : ((arr)[(n)++] = (value), 0))

#endif /* FDID_UTIL_ARRAY_H */
