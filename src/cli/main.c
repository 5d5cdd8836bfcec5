/* SPDX-License-Identifier: MIT */
/* fdid: open file description identity on the command line. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "escape.h"

static const struct command {
   const char *name;
   int (*run)(int argc, char **argv);
   const char *summary;
} commands[] = {
   { "ls", cmd_ls, "open file descriptions shared by several fds, across processes (the default)" },
   { "dmabuf", cmd_dmabuf, "every dma-buf: holders, size, totals counted once" },
   { "mem", cmd_mem, "GPU memory per process and device: dma-bufs and DRM clients counted once" },
   { "probe", cmd_probe, "which identity methods work here, and their cost" },
   { "sandbox", cmd_sandbox, "the system calls fdid needs, as rules for a sandbox (text, JSON, libseccomp C, systemd, Chromium)" },
   { "same", cmd_same, "PID:FD PID:FD: same open file description? (exit 0 same, 1 different, 2 cannot tell)" },
};

static void
usage(FILE *out)
{
   fprintf(out, "Usage: fdid [COMMAND [ARGS]]   (no command: fdid ls)\n\nCommands:\n");
   for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
      fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
   fprintf(out, "\nEnvironment: FDID_METHODS=dupfd_query,kcmp,epoll restricts the methods tried.\n"
                "fdid --version prints the version; man fdid has the details.\n");
}

int
main(int argc, char **argv)
{
   /* Names in a UTF-8 locale show as text; everything else is escaped.
    * Numbers are not the locale's: JSON and scripts read "0.5", never
    * "0,5", and arguments are read the same way everywhere. */
   setlocale(LC_ALL, "");
   setlocale(LC_NUMERIC, "C");
   text_escape_init();
   if (argc < 2 || argv[1][0] == '-') {
      /* `fdid` and `fdid -J ...` are `fdid ls ...`; --help is ours. */
      if (argc < 2 || (strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--help") != 0 &&
                       strcmp(argv[1], "-V") != 0 && strcmp(argv[1], "--version") != 0))
         return cmd_ls(argc, argv);
   }
   if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
      printf("fdid %s\n", FDID_VERSION);
      return CLI_EXIT_OK;
   }
   if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
       strcmp(argv[1], "help") == 0) {
      usage(stdout);
      return CLI_EXIT_OK;
   }
   for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
      if (strcmp(argv[1], commands[i].name) == 0)
         return commands[i].run(argc - 1, argv + 1);
   }
   fprintf(stderr, "fdid: unknown command '");
   text_escape_write(stderr, argv[1], 0);
   fprintf(stderr, "'\n");
   usage(stderr);
   return CLI_EXIT_ERROR;
}
