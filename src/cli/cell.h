/* SPDX-License-Identifier: MIT */
/* One table cell being written: every piece of text goes through the
 * terminal escape (escape.h), trusted or not; trusted text only changes in
 * raw tables, where blanks would split the cell. */
#ifndef FDID_CLI_CELL_H
#define FDID_CLI_CELL_H

#include <stdio.h>

#include "escape.h"

struct cell {
   FILE *f;
   unsigned flags; /* enum text_escape_flags */
};

static inline void
cell_put(struct cell *c, const char *s)
{
   text_escape_write(c->f, s, c->flags);
}

#endif
