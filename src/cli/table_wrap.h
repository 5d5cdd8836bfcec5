/* SPDX-License-Identifier: MIT */
/* Wrapping a libsmartcols column where fdid says, not where it is full. */
#ifndef FDID_CLI_TABLE_WRAP_H
#define FDID_CLI_TABLE_WRAP_H

#include <libsmartcols.h>
#include <string.h>

/* The column wraps at the newlines in its cells and nowhere else, so a
 * list cell's items (cell.h) stay whole: libsmartcols would otherwise cut
 * a "\xHH" escape across two lines of a narrow terminal. */
static inline void
table_wrap_at_newlines(struct libscols_column *cl)
{
   scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk, NULL);
}

/*
 * Once the cells are in: each wrapping column at least as wide as its
 * widest line, so that libsmartcols (2.38 narrows a column below its
 * chunks and cuts them by width) never cuts an item, nor an escape in it.
 * On a terminal narrower than that the table is wider than the terminal,
 * which wraps it without changing a byte. Cells are escaped ASCII, or
 * UTF-8 no wider than its bytes.
 */
static inline void
table_keep_wrapped_lines_whole(struct libscols_table *tb)
{
   for (size_t c = 0; c < scols_table_get_ncols(tb); c++) {
      struct libscols_column *cl = scols_table_get_column(tb, c);
      if (!cl || !scols_column_is_wrap(cl))
         continue;
      size_t widest = 0;
      struct libscols_iter *itr = scols_new_iter(SCOLS_ITER_FORWARD);
      struct libscols_line *ln;
      while (itr && scols_table_next_line(tb, itr, &ln) == 0) {
         struct libscols_cell *ce = scols_line_get_cell(ln, c);
         const char *text = ce ? scols_cell_get_data(ce) : NULL;
         while (text && *text) {
            size_t n = strcspn(text, "\n");
            widest = n > widest ? n : widest;
            text += n + (text[n] == '\n');
         }
      }
      scols_free_iter(itr);
      if (widest > 0)
         scols_column_set_whint(cl, (double)widest);
   }
}

#endif
