/* SPDX-License-Identifier: MIT */
/* Planted failures for the runner's self-test: plant pass|exit N|segv|hang|panic */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
   if (argc < 2)
      return 2;
   if (strcmp(argv[1], "pass") == 0) {
      printf("planted output\n");
      return 0;
   }
   if (strcmp(argv[1], "exit") == 0 && argc == 3)
      return atoi(argv[2]);
   if (strcmp(argv[1], "segv") == 0)
      raise(SIGSEGV);
   if (strcmp(argv[1], "hang") == 0) {
      for (;;)
         pause();
   }
   if (strcmp(argv[1], "panic") == 0) {
      int fd = open("/proc/sysrq-trigger", O_WRONLY);
      if (fd >= 0 && write(fd, "c", 1) == 1)
         pause();
      return 3;
   }
   return 2;
}
