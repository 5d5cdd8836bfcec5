/* SPDX-License-Identifier: MIT */
/*
 * Planted outcomes for the runner's self-test:
 *   plant pass | exit N | segv | hang | panic
 * Batch members take no arguments, so a link named plant-MODE[-N] (e.g.
 * plant-exit-7) plants MODE too.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
   const char *mode = argc > 1 ? argv[1] : NULL;
   const char *arg = argc > 2 ? argv[2] : NULL;
   char name[64];
   if (!mode) {
      const char *base = strrchr(argv[0], '/');
      snprintf(name, sizeof(name), "%s", base ? base + 1 : argv[0]);
      if (strncmp(name, "plant-", 6) != 0)
         return 2;
      mode = name + 6;
      char *dash = strchr(name + 6, '-');
      if (dash) {
         *dash = 0;
         arg = dash + 1;
      }
   }

   if (strcmp(mode, "pass") == 0) {
      printf("planted output\n");
      return 0;
   }
   if (strcmp(mode, "exit") == 0 && arg)
      return atoi(arg);
   if (strcmp(mode, "segv") == 0)
      raise(SIGSEGV);
   if (strcmp(mode, "hang") == 0) {
      for (;;)
         pause();
   }
   if (strcmp(mode, "panic") == 0) {
      int fd = open("/proc/sysrq-trigger", O_WRONLY);
      if (fd >= 0 && write(fd, "c", 1) == 1)
         pause();
      return 3;
   }
   return 2;
}
