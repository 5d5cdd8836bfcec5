/* SPDX-License-Identifier: MIT */
/* fdid ls --assoc's block (ls_assoc.h). */
#include <errno.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "cell.h"
#include "json.h"
#include "ls_assoc.h"
#include "table_wrap.h"
#include "util/buffer_id.h"

/* The listing's descriptions by file, for the IDs beside each file. */
struct by_file {
   const struct description **v;
   size_t n;
   const struct description *base; /* g->descs: an ID is the index + 1 */
};

static int
cmp_desc(const void *pa, const void *pb)
{
   const struct fd_entry *a = (*(const struct description *const *)pa)->holders[0];
   const struct fd_entry *b = (*(const struct description *const *)pb)->holders[0];
   return fdid_inode_cmp(a->dev, a->ino, b->dev, b->ino);
}

static int
index_files(const struct grouping *g, struct by_file *x)
{
   x->base = g->descs;
   x->n = g->n_descs;
   x->v = malloc((x->n ? x->n : 1) * sizeof(*x->v));
   if (!x->v)
      return -ENOMEM;
   for (size_t i = 0; i < x->n; i++)
      x->v[i] = &g->descs[i];
   qsort(x->v, x->n, sizeof(*x->v), cmp_desc);
   return 0;
}

/* The descriptions of file (dev, ino): *first and the count. */
static size_t
descriptions_of(const struct by_file *x, dev_t dev, ino_t ino,
                const struct description *const **first)
{
   size_t lo = 0, hi = x->n;
   while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      const struct fd_entry *e = x->v[mid]->holders[0];
      if (fdid_inode_cmp(e->dev, e->ino, dev, ino) < 0)
         lo = mid + 1;
      else
         hi = mid;
   }
   size_t end = lo;
   while (end < x->n && x->v[end]->holders[0]->dev == dev && x->v[end]->holders[0]->ino == ino)
      end++;
   *first = x->v + lo;
   return end - lo;
}

/* The end of the run of associations of l->v[i]'s file. */
static size_t
run_end(const struct assoc_list *l, size_t i)
{
   size_t j = i + 1;
   while (j < l->n && l->v[j].dev == l->v[i].dev && l->v[j].ino == l->v[i].ino)
      j++;
   return j;
}

static void
put_holders(struct cell *c, const struct assoc *a, size_t n)
{
   for (size_t k = 0; k < n && k < CELL_LIST_SHOWN; k++) {
      fprintf(c->f, "%s%d/", k ? cell_list_separator(c) : "", (int)a[k].proc->pid);
      text_escape_write(c->f, a[k].proc->comm, c->flags | ESCAPE_SEPARATORS);
      fprintf(c->f, "/%s", assoc_kind_name(a[k].kind));
   }
   if (n > CELL_LIST_SHOWN)
      fprintf(c->f, "%s+%zu more", cell_list_separator(c), n - CELL_LIST_SHOWN);
}

static void
put_ids(FILE *f, const struct by_file *x, const struct assoc *a)
{
   const struct description *const *d;
   size_t n = descriptions_of(x, a->dev, a->ino, &d);
   /* In ID order. */
   size_t *ids = malloc((n ? n : 1) * sizeof(*ids));
   for (size_t k = 0; ids && k < n; k++)
      ids[k] = (size_t)(d[k] - x->base) + 1;
   for (size_t k = 1; ids && k < n; k++)
      for (size_t m = k; m > 0 && ids[m - 1] > ids[m]; m--) {
         size_t t = ids[m];
         ids[m] = ids[m - 1];
         ids[m - 1] = t;
      }
   for (size_t k = 0; ids && k < n; k++)
      fprintf(f, "%s%zu", k ? "," : "", ids[k]);
   free(ids);
}

/* One row's cells, escaped, as malloc'ed strings. */
static int
row_cells(const struct assoc_list *l, size_t i, size_t j, const struct by_file *x, bool raw,
          char *cells[4])
{
   size_t len;
   FILE *f[4];
   for (int k = 0; k < 4; k++) {
      cells[k] = NULL;
      f[k] = open_memstream(&cells[k], &len);
      if (!f[k]) {
         for (int m = 0; m < k; m++)
            fclose(f[m]);
         for (int m = 0; m < 4; m++)
            free(cells[m]);
         return -ENOMEM;
      }
   }
   unsigned flags = raw ? ESCAPE_BLANKS : 0;
   fprintf(f[0], "%ju", (uintmax_t)l->v[i].ino);
   text_escape_write(f[1], l->v[i].name, flags);
   struct cell c = { f[2], flags, !raw };
   put_holders(&c, &l->v[i], j - i);
   put_ids(f[3], x, &l->v[i]);
   int r = 0;
   for (int k = 0; k < 4; k++)
      r |= fclose(f[k]);
   if (r) {
      for (int k = 0; k < 4; k++)
         free(cells[k]);
      return -ENOMEM;
   }
   return 0;
}

int
ls_assoc_print_table(const struct assoc_list *l, const struct grouping *g, bool raw,
                     bool noheadings)
{
   static const char *const names[] = { "INODE", "NAME", "HOLDERS", "DESCRIPTIONS" };
   struct by_file x;
   if (index_files(g, &x) < 0)
      return -ENOMEM;
   printf("\nFILES HELD WITHOUT AN FD (exe, cwd, root, mem)\n");
   struct libscols_table *tb = NULL;
   int r = 0;
   if (!raw) {
      tb = scols_new_table();
      r = tb ? 0 : -ENOMEM;
      if (tb) {
         scols_table_enable_noencoding(tb, 1);
         scols_table_enable_noheadings(tb, noheadings);
      }
      static const double widths[] = { 6, 0.3, 0.4, 0.1 };
      for (int k = 0; r == 0 && k < 4; k++) {
         struct libscols_column *cl = scols_table_new_column(
            tb, names[k], widths[k], k == 0 ? SCOLS_FL_RIGHT : k == 2 ? SCOLS_FL_WRAP : 0);
         if (!cl)
            r = -ENOMEM;
         else if (k == 2)
            table_wrap_at_newlines(cl);
      }
   } else if (!noheadings) {
      printf("%s %s %s %s\n", names[0], names[1], names[2], names[3]);
   }
   for (size_t i = 0; r == 0 && i < l->n;) {
      size_t j = run_end(l, i);
      char *cells[4];
      r = row_cells(l, i, j, &x, raw, cells);
      if (r == 0 && tb) {
         struct libscols_line *ln = scols_table_new_line(tb, NULL);
         for (int k = 0; k < 4; k++) {
            if (r == 0 && ln && scols_line_refer_data(ln, (size_t)k, cells[k]) == 0)
               continue; /* the line took it */
            free(cells[k]);
            r = -ENOMEM;
         }
      } else if (r == 0) {
         printf("%s %s %s %s\n", cells[0], cells[1], cells[2], cells[3]);
         for (int k = 0; k < 4; k++)
            free(cells[k]);
      }
      i = j;
   }
   if (tb) {
      if (r == 0) {
         table_keep_wrapped_lines_whole(tb);
         scols_print_table(tb);
      }
      scols_unref_table(tb);
   }
   if (r == 0 && l->procs_unreadable)
      printf("%u processes' links or maps could not be read\n", l->procs_unreadable);
   free(x.v);
   return r;
}

void
ls_assoc_print_json(FILE *f, const struct assoc_list *l, const struct grouping *g)
{
   struct by_file x;
   bool ids = index_files(g, &x) == 0;
   fprintf(f, ",\n   \"pinned\": [");
   for (size_t i = 0; i < l->n;) {
      size_t j = run_end(l, i);
      const struct assoc *a = &l->v[i];
      fprintf(f, "%s\n      {\"dev\": \"%u:%u\", \"inode\": %ju", i ? "," : "", major(a->dev),
              minor(a->dev), (uintmax_t)a->ino);
      json_member(f, "name");
      json_write_string(f, a->name);
      fputs(", \"holders\": [", f);
      for (size_t k = i; k < j; k++) {
         fprintf(f, "%s{\"pid\": %d", k > i ? ", " : "", (int)l->v[k].proc->pid);
         json_member(f, "command");
         json_write_string(f, l->v[k].proc->comm);
         json_member(f, "assoc");
         json_write_string(f, assoc_kind_name(l->v[k].kind));
         fputc('}', f);
      }
      fputs("], \"descriptions\": [", f);
      if (ids)
         put_ids(f, &x, a);
      fputs("]}", f);
      i = j;
   }
   fprintf(f, "\n   ],\n   \"pinned_unreadable\": %u", l->procs_unreadable);
   if (ids)
      free(x.v);
}
