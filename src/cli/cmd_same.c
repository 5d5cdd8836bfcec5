/* SPDX-License-Identifier: MIT */
/* fdid same PID:FD PID:FD */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fdid/identity.h>

#include "cli.h"

/* Strict decimal, no sign, fits in an int. */
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

static bool
parse_pid_fd(const char *arg, pid_t *pid, int *fd)
{
   const char *colon = strchr(arg, ':');
   int p;
   if (!colon || !parse_uint(arg, colon, &p) ||
       !parse_uint(colon + 1, colon + strlen(colon), fd))
      return false;
   *pid = p;
   return true;
}

int
cmd_same(int argc, char **argv)
{
   pid_t pid1, pid2;
   int fd1, fd2;
   if (argc != 3 || !parse_pid_fd(argv[1], &pid1, &fd1) ||
       !parse_pid_fd(argv[2], &pid2, &fd2)) {
      fprintf(stderr, "Usage: fdid same PID:FD PID:FD\n");
      return CLI_EXIT_ERROR;
   }

   int r = fdid_same_file_description_pid(pid1, fd1, pid2, fd2);
   if (r < 0) {
      fprintf(stderr, "fdid: cannot tell whether %s and %s share an open file description: %s\n",
              argv[1], argv[2], strerror(-r));
      return CLI_EXIT_ERROR;
   }
   if (r == 0) {
      printf("same\n");
      return CLI_EXIT_OK;
   }
   printf("different\n");
   return CLI_EXIT_DIFFERENT;
}
