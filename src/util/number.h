/* SPDX-License-Identifier: MIT */
/*
 * Numbers in text: one strict reader for all the text fdid reads (the
 * command line, fdinfo, maps, /proc/PID/status, directory names). Digits
 * only: no sign, blank, "0x" or locale; hex in lowercase, as the kernel
 * prints it; a value past the caller's bound is no number, never a wrapped
 * one. What may follow the digits is the caller's to check.
 */
#ifndef FDID_UTIL_NUMBER_H
#define FDID_UTIL_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/*
 * The digits of `base` (8, 10 or 16) at the start of s[0..n): how many
 * there are, their value in *out. 0 (and *out untouched) when s starts
 * with none, or when the value passes max.
 */
static inline size_t
fdid_parse_digits(const char *s, size_t n, unsigned base, uint64_t max, uint64_t *out)
{
   uint64_t v = 0;
   size_t k = 0;
   for (; k < n; k++) {
      unsigned d;
      if (s[k] >= '0' && s[k] <= '9')
         d = (unsigned)(s[k] - '0');
      else if (base == 16 && s[k] >= 'a' && s[k] <= 'f')
         d = (unsigned)(s[k] - 'a') + 10;
      else
         break;
      if (d >= base)
         break;
      if (v > (max - d) / base)
         return 0;
      v = v * base + d;
   }
   if (k)
      *out = v;
   return k;
}

#endif /* FDID_UTIL_NUMBER_H */
