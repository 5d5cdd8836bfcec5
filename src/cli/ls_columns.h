/* SPDX-License-Identifier: MIT */
/*
 * fdid ls's columns: each one's name, help (-H) and how it fills a cell
 * from a description; and the listing's tables the columns read, made
 * once per listing (cmd_ls.c): the other ends of pipes, UNIX sockets and
 * ptys (endpoints.h), and the kernel's socket tables (sockets.h).
 */
#ifndef FDID_CLI_LS_COLUMNS_H
#define FDID_CLI_LS_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "cell.h"
#include "endpoints.h"
#include "group.h"
#include "sockets.h"

/* In -H's order (ls_columns[] is indexed by these). */
enum ls_column_id {
   LS_ID,
   LS_TYPE,
   LS_NHOLDERS,
   LS_HOLDERS,
   LS_NAME,
   LS_INODE,
   LS_SIZE,
   LS_EXPORTER,
   LS_TARGETS,
   LS_AINODECLASS,
   LS_POS,
   LS_FLAGS,
   LS_MODE,
   LS_ENDPOINTS,
   LS_SOCK_PROTONAME,
   LS_SOCK_STATE,
   LS_UNIX_PATH,
   LS_INET_LADDR,
   LS_INET_RADDR,
   LS_DELETED,
   LS_USER,
   LS_MNTID,
   LS_NS_TYPE,
   LS_PIDFD_PID,
   LS_PTMX_TTY_INDEX,
   LS_TUN_IFACE,
   LS_INFO,
   LS_N_COLUMNS
};

struct ls_column {
   const char *name;
   const char *help;
   double width;
   int flags; /* libsmartcols' SCOLS_FL_* */
   void (*fill)(struct cell *c, const struct description *d, size_t id);
};

extern const struct ls_column ls_columns[LS_N_COLUMNS];

/* A column by name, any case; NULL for none. */
const struct ls_column *ls_find_column(const char *name, size_t len);

/* The cell's text, escaped (blanks too when raw), as a malloc'ed string;
 * NULL: no memory. */
char *ls_cell_text(const struct ls_column *col, const struct description *d, size_t id,
                   bool raw);

/* The listing's tables: one listing per run. */
struct ls_listing {
   struct endpoints endpoints; /* ENDPOINTS: pipes, sockets, ptys */
   struct socket_table sockets; /* sock_diag and /proc/PID/net */
};
extern struct ls_listing ls_listing;

/* A socket description's row of the kernel's tables, or NULL. */
const struct socket_info *ls_socket_of(const struct description *d);

/* Calls each() for every holder of d's other ends, with a pipe end's
 * access (NULL for a socket's peer or a pty's end). */
void ls_each_end(const struct description *d,
                 void (*each)(const struct fd_entry *x, const char *mode, void *arg), void *arg);

/* Has e a size from the scan's stat (dma-bufs and regular files)? */
bool ls_has_size(const struct fd_entry *e);

#endif
