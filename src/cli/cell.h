/* SPDX-License-Identifier: MIT */
/* One table cell being written: every piece of text goes through the
 * terminal escape (escape.h), trusted or not; trusted text only changes in
 * raw tables, where blanks would split the cell. */
#ifndef FDID_CLI_CELL_H
#define FDID_CLI_CELL_H

#include <stdbool.h>
#include <stdio.h>

#include "escape.h"

struct cell {
   FILE *f;
   unsigned flags; /* enum text_escape_flags */
   /* A list (the holders) one item per line: libsmartcols wraps such a
    * column at the newlines only (table_wrap_at_newlines), never inside
    * an item's "\xHH" escape. Aligned tables only: a raw one is a line. */
   bool one_per_line;
};

/* A list cell (the holders) shows this many items, then "+N more". */
enum { CELL_LIST_SHOWN = 10 };

/* Between two items of a list cell. */
static inline const char *
cell_list_separator(const struct cell *c)
{
   return c->one_per_line ? ",\n" : ",";
}

static inline void
cell_put(struct cell *c, const char *s)
{
   text_escape_write(c->f, s, c->flags);
}

#endif
