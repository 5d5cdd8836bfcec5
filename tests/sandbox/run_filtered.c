/* SPDX-License-Identifier: MIT */
/*
 * Runs a command under a seccomp filter given on the command line, for
 * the tests of `fdid probe` and `fdid ls` in sandboxes:
 *
 *   run_filtered RULE... -- COMMAND [ARGS]
 *
 * RULE is CALL=ACTION or CALL:VALUE=ACTION (the call's second argument,
 * fcntl's command, equals VALUE), or kcmp:others=ACTION (kcmp with a pid
 * that is not this process's, as browser renderers forbid). ACTION is an
 * errno name (EPERM, EACCES, ENOSYS, EINVAL) or kill. Everything else is
 * allowed. The filter stays across exec, and so does the pid.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t
action_of(const char *s)
{
   static const struct { const char *name; int err; } errs[] = {
      { "EPERM", EPERM }, { "EACCES", EACCES }, { "ENOSYS", ENOSYS }, { "EINVAL", EINVAL },
   };
   if (strcmp(s, "kill") == 0)
      return SCMP_ACT_KILL_PROCESS;
   for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
      if (strcmp(s, errs[i].name) == 0)
         return SCMP_ACT_ERRNO(errs[i].err);
   }
   fprintf(stderr, "run_filtered: unknown action %s\n", s);
   exit(2);
}

static void
add(scmp_filter_ctx ctx, char *spec)
{
   char *eq = strchr(spec, '=');
   if (!eq) {
      fprintf(stderr, "run_filtered: no action in %s\n", spec);
      exit(2);
   }
   *eq = 0;
   uint32_t action = action_of(eq + 1);
   char *colon = strchr(spec, ':');
   if (colon)
      *colon = 0;
   int nr = seccomp_syscall_resolve_name(spec);
   if (nr == __NR_SCMP_ERROR) {
      fprintf(stderr, "run_filtered: unknown call %s\n", spec);
      exit(2);
   }
   int r;
   if (!colon) {
      r = seccomp_rule_add(ctx, action, nr, 0);
   } else if (strcmp(colon + 1, "others") == 0) {
      scmp_datum_t self = (scmp_datum_t)getpid();
      r = seccomp_rule_add(ctx, action, nr, 1, SCMP_A0(SCMP_CMP_NE, self));
      if (r == 0)
         r = seccomp_rule_add(ctx, action, nr, 1, SCMP_A1(SCMP_CMP_NE, self));
   } else {
      r = seccomp_rule_add(ctx, action, nr, 1,
                           SCMP_A1(SCMP_CMP_EQ, strtoull(colon + 1, NULL, 0)));
   }
   if (r != 0) {
      fprintf(stderr, "run_filtered: %s: %s\n", spec, strerror(-r));
      exit(2);
   }
}

int
main(int argc, char **argv)
{
   scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
   if (!ctx)
      return 2;
   int i = 1;
   for (; i < argc && strcmp(argv[i], "--") != 0; i++)
      add(ctx, argv[i]);
   if (i + 1 >= argc) {
      fprintf(stderr, "usage: run_filtered RULE... -- COMMAND [ARGS]\n");
      return 2;
   }
   if (seccomp_load(ctx) != 0) {
      perror("run_filtered: seccomp_load");
      return 2;
   }
   execvp(argv[i + 1], argv + i + 1);
   perror("run_filtered: exec");
   return 127;
}
