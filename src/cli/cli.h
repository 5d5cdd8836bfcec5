/* SPDX-License-Identifier: MIT */
#ifndef FDID_CLI_H
#define FDID_CLI_H

#include <stdbool.h>
#include <stddef.h>
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

/* -p PID: parses arg (cli_parse_pid) onto the array; CLI_EXIT_OK, or
 * CLI_EXIT_ERROR after a message. */
int cli_add_pid(pid_t **pids, size_t *n_pids, const char *arg);

/* arg as one of words (NULL-terminated): its index; or -1 after "fdid: bad
 * WHAT 'ARG' (w1, w2 or w3)" on stderr. */
int cli_word(const char *arg, const char *const *words, const char *what);

/* Every -p names a process that exists now (one that exits later is
 * counted as vanished, like any other) and becomes its thread group's id:
 * /proc/TID/fd is the process's table, so the scan wants the group.
 * CLI_EXIT_OK, or CLI_EXIT_NO_PROCESS after a message. */
int cli_resolve_pids(pid_t *pids, size_t n_pids);

/* Each subcommand: argv[0] is the subcommand's name. */
/* "-h" or "--help". */
static inline bool
cli_is_help(const char *arg)
{
   return arg[0] == '-' && (!__builtin_strcmp(arg, "-h") || !__builtin_strcmp(arg, "--help"));
}

/* A command's parse result: true when it should run; false when it should
 * not, *r then its exit code (a --help that was printed, -1, is success). */
static inline bool
cli_parsed(int *r)
{
   if (*r < 0) {
      *r = CLI_EXIT_OK;
      return false;
   }
   return *r == CLI_EXIT_OK;
}

int cmd_probe(int argc, char **argv);
int cmd_same(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_dmabuf(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_sandbox(int argc, char **argv);

#endif /* FDID_CLI_H */
