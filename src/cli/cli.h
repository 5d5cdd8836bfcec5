/* SPDX-License-Identifier: MIT */
#ifndef FDID_CLI_H
#define FDID_CLI_H

#include <stdbool.h>
#include <sys/types.h>

/* Exit codes shared by the subcommands (the README lists them). */
enum {
   CLI_EXIT_OK = 0,
   CLI_EXIT_DIFFERENT = 1,  /* `fdid same`: different descriptions */
   CLI_EXIT_ERROR = 2,      /* cannot tell, bad usage, system error */
   CLI_EXIT_NO_PROCESS = 3, /* `fdid ls/dmabuf -p`: no such process */
};

/* PID: decimal digits, 1 to INT_MAX. PID:FD: the same, a colon, and an fd
 * number 0 to INT_MAX. Nothing else (no sign, no blanks, no 0x). */
bool cli_parse_pid(const char *arg, pid_t *pid);
bool cli_parse_pid_fd(const char *arg, pid_t *pid, int *fd);

/* Each subcommand: argv[0] is the subcommand's name. */
int cmd_probe(int argc, char **argv);
int cmd_same(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_dmabuf(int argc, char **argv);

#endif /* FDID_CLI_H */
