/* SPDX-License-Identifier: MIT */
/* Process ids and fd numbers on the command line: one strict form for
 * every subcommand. */
#include <limits.h>
#include <string.h>

#include "cli.h"

/* Decimal digits only (no sign, no blanks), at most INT_MAX. */
static bool
parse_uint(const char *s, const char *end, int *out)
{
   if (s == end)
      return false;
   long v = 0;
   for (const char *p = s; p < end; p++) {
      if (*p < '0' || *p > '9')
         return false;
      v = v * 10 + (*p - '0');
      if (v > INT_MAX)
         return false;
   }
   *out = (int)v;
   return true;
}

bool
cli_parse_pid(const char *arg, pid_t *pid)
{
   int v;
   if (!parse_uint(arg, arg + strlen(arg), &v) || v == 0)
      return false;
   *pid = v;
   return true;
}

bool
cli_parse_pid_fd(const char *arg, pid_t *pid, int *fd)
{
   const char *colon = strchr(arg, ':');
   int p;
   if (!colon || !parse_uint(arg, colon, &p) || p == 0 ||
       !parse_uint(colon + 1, colon + strlen(colon), fd))
      return false;
   *pid = p;
   return true;
}
