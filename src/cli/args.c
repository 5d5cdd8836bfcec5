/* SPDX-License-Identifier: MIT */
/* Process ids and fd numbers on the command line: one strict form for
 * every subcommand. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "scan.h"
#include "util/number.h"

/* Decimal digits only (no sign, no blanks), at most INT_MAX. */
static bool
parse_uint(const char *s, const char *end, int *out)
{
   uint64_t v;
   size_t n = (size_t)(end - s);
   if (n == 0 || fdid_parse_digits(s, n, 10, INT_MAX, &v) != n)
      return false;
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

int
cli_add_pid(pid_t **pids, size_t *n_pids, const char *arg)
{
   pid_t pid;
   if (!cli_parse_pid(arg, &pid)) {
      fprintf(stderr, "fdid: bad pid '");
      text_escape_write(stderr, arg, 0);
      fprintf(stderr, "' (decimal, 1 to 2147483647)\n");
      return CLI_EXIT_ERROR;
   }
   pid_t *grown = realloc(*pids, (*n_pids + 1) * sizeof(*grown));
   if (!grown) {
      fprintf(stderr, "fdid: out of memory\n");
      return CLI_EXIT_ERROR;
   }
   *pids = grown;
   grown[(*n_pids)++] = pid;
   return CLI_EXIT_OK;
}

int
cli_resolve_pids(pid_t *pids, size_t n_pids)
{
   for (size_t i = 0; i < n_pids; i++) {
      int r = scan_tgid(pids[i]);
      if (r == -ESRCH) {
         fprintf(stderr, "fdid: no process %d\n", (int)pids[i]);
         return CLI_EXIT_NO_PROCESS;
      }
      if (r > 0)
         pids[i] = (pid_t)r;
   }
   return CLI_EXIT_OK;
}

int
cli_word(const char *arg, const char *const *words, const char *what)
{
   size_t n = 0;
   for (; words[n]; n++)
      if (strcmp(arg, words[n]) == 0)
         return (int)n;
   fprintf(stderr, "fdid: bad %s '", what);
   text_escape_write(stderr, arg, 0);
   fprintf(stderr, "' (");
   for (size_t i = 0; i < n; i++)
      fprintf(stderr, "%s%s", words[i], i + 2 < n ? ", " : i + 1 < n ? " or " : "");
   fprintf(stderr, ")\n");
   return -1;
}
