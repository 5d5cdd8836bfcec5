/* SPDX-License-Identifier: MIT */
#ifndef FDID_CLI_H
#define FDID_CLI_H

/* Exit codes shared by the subcommands. */
enum {
   CLI_EXIT_OK = 0,
   CLI_EXIT_DIFFERENT = 1, /* `fdid same`: different descriptions */
   CLI_EXIT_ERROR = 2,     /* cannot tell, bad usage, system error */
};

/* Each subcommand: argv[0] is the subcommand's name. */
int cmd_probe(int argc, char **argv);
int cmd_same(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_dmabuf(int argc, char **argv);

#endif /* FDID_CLI_H */
