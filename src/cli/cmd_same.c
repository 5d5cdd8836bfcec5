/* SPDX-License-Identifier: MIT */
/* fdid same PID:FD PID:FD */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fdid/identity.h>

#include "cli.h"

int
cmd_same(int argc, char **argv)
{
   pid_t pid1, pid2;
   int fd1, fd2;
   if (argc == 2 && cli_is_help(argv[1])) {
      printf("Usage: fdid same PID:FD PID:FD\n\nWhether two fds, of one process or two, "
             "refer to one open file\ndescription: exit 0 same, 1 different, 2 cannot tell "
             "(the reason on\nstderr).\n\nOptions:\n  -h, --help         this text\n");
      return CLI_EXIT_OK;
   }
   if (argc != 3 || !cli_parse_pid_fd(argv[1], &pid1, &fd1) ||
       !cli_parse_pid_fd(argv[2], &pid2, &fd2)) {
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
