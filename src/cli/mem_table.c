/* SPDX-License-Identifier: MIT */
/*
 * fdid mem's tables (mem_view.h): processes, DRM clients, devices and,
 * with -B, dma-bufs, through libsmartcols with its encoding off and every
 * cell escaped here, as in `fdid ls`; then the totals beside the per-fd
 * sums.
 */
#include <errno.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cell.h"
#include "escape.h"
#include "mem_view.h"
#include "skipped.h"
#include "table_wrap.h"
#include "util/macros.h"


/* ---- cells ---------------------------------------------------------------- */

/* A size: bytes, or one decimal and a binary unit (no blank between them
 * in raw tables, whose cells are separated by blanks). */
static void
put_size(FILE *f, uint64_t v, const struct mem_view *view)
{
   static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
   const char *blank = view->raw ? "" : " ";
   if (view->bytes || v < 1024) {
      fprintf(f, "%" PRIu64 "%s%s", v, view->bytes ? "" : blank, view->bytes ? "" : "B");
      return;
   }
   double x = (double)v;
   unsigned u = 0;
   while (x >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
      x /= 1024;
      u++;
   }
   fprintf(f, "%.1f%s%s", x, blank, units[u]);
}

static void
put_holder(FILE *f, size_t i, const struct process *p, unsigned flags)
{
   /* One holder per line (table_wrap_at_newlines). */
   fprintf(f, "%s%d/", i ? ",\n" : "", (int)p->pid);
   text_escape_write(f, p->comm, flags | ESCAPE_SEPARATORS);
}

/* A row of cells being written into one memory stream per cell. */
struct row {
   char *cells[16];
   size_t n;
   FILE *f;
   size_t len;
};

/* Where a cell that could not be made is written: nowhere (row_add then
 * fails the row with -ENOMEM). */
static FILE *
nowhere(void)
{
   static char sink[1];
   static FILE *f;
   if (!f)
      f = fmemopen(sink, sizeof(sink), "w");
   if (f)
      rewind(f);
   return f ? f : stderr;
}

/* The next cell's stream; the row's cells are its own until row_add. */
static FILE *
cell(struct row *w)
{
   if (w->f)
      fclose(w->f);
   w->f = NULL;
   if (w->n < sizeof(w->cells) / sizeof(w->cells[0]))
      w->f = open_memstream(&w->cells[w->n++], &w->len);
   return w->f ? w->f : nowhere();
}

/* Ends the row and hands its cells to a new line of the table. */
static int
row_add(struct libscols_table *tb, struct row *w)
{
   if (w->f)
      fclose(w->f);
   w->f = NULL;
   struct libscols_line *ln = scols_table_new_line(tb, NULL);
   int r = ln ? 0 : -ENOMEM;
   for (size_t c = 0; c < w->n; c++) {
      if (r == 0 && w->cells[c] && scols_line_refer_data(ln, c, w->cells[c]) == 0)
         continue; /* the line took it */
      free(w->cells[c]);
      r = -ENOMEM;
   }
   w->n = 0;
   return r;
}

struct column {
   const char *name;
   double width;
   int flags;
};

static struct libscols_table *
table_new(const struct column *cols, size_t n)
{
   struct libscols_table *tb = scols_new_table();
   if (!tb)
      return NULL;
   /* Cells are escaped already (escape.h). */
   scols_table_enable_noencoding(tb, 1);
   for (size_t c = 0; c < n; c++) {
      struct libscols_column *cl = scols_table_new_column(tb, cols[c].name, cols[c].width,
                                                          cols[c].flags);
      if (!cl) {
         scols_unref_table(tb);
         return NULL;
      }
      if (cols[c].flags & SCOLS_FL_WRAP)
         table_wrap_at_newlines(cl);
   }
   return tb;
}

static int
table_print(struct libscols_table *tb, int r)
{
   if (r == 0) {
      table_keep_wrapped_lines_whole(tb);
      scols_print_table(tb);
   }
   scols_unref_table(tb);
   return r;
}

#define R SCOLS_FL_RIGHT

/* What every table's rows are made of: the view and the two samples. */
struct tables {
   const struct mem_view *v;
   const struct mem_sample *prev, *cur;
};

/* A table of cols with a row for each of n items that fill() writes one
 * for (it returns false to leave an item out), printed; *rows (may be
 * NULL) counts them, and a table of none is not printed. 0 or -ENOMEM. */
static int
table_of(const struct column *cols, size_t n_cols, size_t n,
         bool (*fill)(struct row *w, size_t i, const struct tables *t), const struct tables *t,
         size_t *rows)
{
   struct libscols_table *tb = table_new(cols, n_cols);
   if (!tb)
      return -ENOMEM;
   int r = 0;
   size_t made = 0;
   for (size_t i = 0; r == 0 && i < n; i++) {
      struct row w = { 0 };
      if (!fill(&w, i, t))
         continue;
      made++;
      r = row_add(tb, &w);
   }
   if (rows)
      *rows = made;
   if (r == 0 && made == 0) {
      scols_unref_table(tb);
      return 0;
   }
   return table_print(tb, r);
}

/* ---- tables ------------------------------------------------------------- */

/* The process table's columns, in process_row()'s order, and what each
 * shows (--list-columns). */
static const struct process_column {
   struct column col;
   const char *help;
} process_columns[] = {
   { { "PID", 5, R }, "process id" },
   { { "COMMAND", 0.2, 0 }, "its command name (comm), escaped" },
   { { "DMABUFS", 3, R }, "dma-bufs it holds, by fd or mapping, each once" },
   { { "HELD", 8, R }, "their size (the kernel's, fstat)" },
   { { "ALONE", 8, R }, "the size of those no other process holds" },
   { { "PSS", 8, R }, "each dma-buf's size divided among its holding processes" },
   { { "CLIENTS", 3, R }, "DRM clients (open descriptions of a DRM device) it holds" },
   { { "DRM-MEM", 8, R }, "their memory (fdinfo drm-total-* or drm-memory-*), whole" },
};

static bool
process_row(struct row *w, size_t i, const struct tables *t)
{
   const struct mem_proc *p = &t->cur->r.procs[i];
   if (!p->n_dmabufs && !p->n_clients)
      return false;
   fprintf(cell(w), "%d", (int)p->proc->pid);
   text_escape_write(cell(w), p->proc->comm, t->v->raw ? ESCAPE_BLANKS : 0);
   fprintf(cell(w), "%zu", p->n_dmabufs);
   put_size(cell(w), p->dmabuf_bytes, t->v);
   put_size(cell(w), p->dmabuf_alone_bytes, t->v);
   put_size(cell(w), p->dmabuf_pss_bytes, t->v);
   fprintf(cell(w), "%zu", p->n_clients);
   put_size(cell(w), p->drm_memory, t->v);
   return true;
}

static int
print_processes(const struct tables *t)
{
   struct column cols[FDID_ARRAY_SIZE(process_columns)];
   for (size_t c = 0; c < FDID_ARRAY_SIZE(cols); c++)
      cols[c] = process_columns[c].col;
   size_t rows;
   int r = table_of(cols, FDID_ARRAY_SIZE(cols), t->cur->r.n_procs, process_row, t, &rows);
   if (r == 0 && rows == 0)
      printf("(none holds a dma-buf or a DRM client)\n");
   return r;
}

void
mem_columns_default(struct mem_view *v)
{
   v->n_columns = FDID_ARRAY_SIZE(process_columns);
   for (size_t c = 0; c < v->n_columns; c++)
      v->columns[c] = (unsigned)c;
}

bool
mem_columns_parse(const char *list, struct mem_view *v)
{
   v->n_columns = 0;
   if (*list == '+') {
      mem_columns_default(v);
      list++;
   }
   for (const char *p = list;; p++) {
      size_t len = strcspn(p, ",");
      size_t c = 0;
      while (c < FDID_ARRAY_SIZE(process_columns) &&
             (strlen(process_columns[c].col.name) != len ||
              strncasecmp(p, process_columns[c].col.name, len) != 0))
         c++;
      if (c == FDID_ARRAY_SIZE(process_columns) || v->n_columns == MEM_COLUMNS_MAX) {
         char name[64];
         snprintf(name, sizeof(name), "%.*s", (int)(len < 63 ? len : 63), p);
         fprintf(stderr, "fdid: %s '", v->n_columns == MEM_COLUMNS_MAX ?
                                          "too many columns at" : "unknown column");
         text_escape_write(stderr, name, 0);
         fprintf(stderr, "' in -o (see fdid mem --list-columns)\n");
         return false;
      }
      v->columns[v->n_columns++] = (unsigned)c;
      p += len;
      if (!*p)
         return true;
   }
}

void
mem_columns_list(FILE *f)
{
   for (size_t c = 0; c < FDID_ARRAY_SIZE(process_columns); c++)
      fprintf(f, "%10s  %s\n", process_columns[c].col.name, process_columns[c].help);
}

/* A raw line: the cells one blank apart (libsmartcols' raw output would
 * escape the escapes' backslashes again). */
static void
raw_line(char *const *cells, size_t n)
{
   for (size_t c = 0; c < n; c++)
      printf("%s%s", c ? " " : "", cells[c] ? cells[c] : "");
   putchar('\n');
}

int
mem_print_process_table(const struct mem_view *v, const struct mem_sample *cur)
{
   const struct tables t = { v, NULL, cur };
   struct column cols[MEM_COLUMNS_MAX];
   for (size_t c = 0; c < v->n_columns; c++)
      cols[c] = process_columns[v->columns[c]].col;
   struct libscols_table *tb = NULL;
   if (!v->raw) {
      if (!(tb = table_new(cols, v->n_columns)))
         return -ENOMEM;
      scols_table_enable_noheadings(tb, v->noheadings);
   } else if (!v->noheadings) {
      for (size_t c = 0; c < v->n_columns; c++)
         printf("%s%s", c ? " " : "", cols[c].name);
      putchar('\n');
   }
   int r = 0;
   for (size_t i = 0; r == 0 && i < cur->r.n_procs; i++) {
      struct row all = { 0 };
      if (!process_row(&all, i, &t))
         continue;
      if (all.f)
         fclose(all.f);
      all.f = NULL;
      /* The chosen cells, in -o's order (a column may repeat). */
      struct row w = { 0 };
      for (size_t c = 0; c < v->n_columns; c++) {
         const char *text = v->columns[c] < all.n ? all.cells[v->columns[c]] : NULL;
         fputs(text ? text : "", cell(&w));
      }
      if (w.f)
         fclose(w.f);
      w.f = NULL;
      for (size_t c = 0; c < all.n; c++)
         free(all.cells[c]);
      if (tb) {
         r = row_add(tb, &w);
      } else {
         raw_line(w.cells, w.n);
         for (size_t c = 0; c < w.n; c++)
            free(w.cells[c]);
      }
   }
   return tb ? table_print(tb, r) : r;
}

static void
put_engines(FILE *f, const struct mem_sample *prev, const struct mem_sample *cur,
            const struct mem_client *c)
{
   const struct mem_client *before = mem_sample_before(prev, cur, c);
   uint64_t wall_ns = mem_sample_interval_ns(prev, cur);
   for (unsigned i = 0; i < c->usage.n_engines; i++) {
      fprintf(f, "%s", i ? "," : "");
      text_escape_write(f, c->usage.engines[i].name, ESCAPE_SEPARATORS | ESCAPE_BLANKS);
      double busy = mem_client_engine_busy(before, c, i, wall_ns);
      if (busy >= 0)
         fprintf(f, " %.1f%%", busy * 100);
   }
}

static bool
client_row(struct row *w, size_t i, const struct tables *t)
{
   const struct mem_report *m = &t->cur->r;
   const struct mem_client *c = &m->clients[i];
   const struct description *d = c->desc;
   fprintf(cell(w), "%zu", i + 1);
   text_escape_write(cell(w), m->devices[c->device].path, 0);
   text_escape_write(cell(w), m->devices[c->device].driver, 0);
   FILE *f = cell(w);
   if (c->usage.has_client_id)
      fprintf(f, "%" PRIu64, c->usage.client_id);
   f = cell(w);
   for (size_t h = 0; h < d->n_holders && h < CELL_LIST_SHOWN; h++) {
      put_holder(f, h, d->holders[h]->proc, 0);
      fprintf(f, "/%d", d->holders[h]->fd);
   }
   if (d->n_holders > CELL_LIST_SHOWN)
      fprintf(f, ",\n+%zu more", d->n_holders - CELL_LIST_SHOWN);
   put_size(cell(w), c->memory, t->v);
   put_size(cell(w), c->resident, t->v);
   put_engines(cell(w), t->prev, t->cur, c);
   f = cell(w);
   if (!d->verified)
      fputs("identity unknown (no permission)", f);
   else if (!c->has_usage)
      fputs("closed during the scan", f);
   else if (c->id_repeated)
      fputs("another client's id (fd moved during the scan): not counted", f);
   return true;
}

static int
print_clients(const struct tables *t)
{
   static const struct column cols[] = {
      { "ID", 3, R }, { "DEVICE", 0.2, 0 }, { "DRIVER", 6, 0 }, { "CLIENT", 4, R },
      { "HOLDERS", 0.3, SCOLS_FL_WRAP }, { "MEMORY", 8, R }, { "RESIDENT", 8, R },
      { "ENGINES", 0.2, 0 }, { "INFO", 0.1, 0 },
   };
   return table_of(cols, FDID_ARRAY_SIZE(cols), t->cur->r.n_clients, client_row, t, NULL);
}

static bool
device_row(struct row *w, size_t i, const struct tables *t)
{
   const struct mem_device *d = &t->cur->r.devices[i];
   text_escape_write(cell(w), d->path, 0);
   text_escape_write(cell(w), d->driver, 0);
   fprintf(cell(w), "%zu", d->n_clients);
   fprintf(cell(w), "%zu", d->n_fds);
   put_size(cell(w), d->memory, t->v);
   put_size(cell(w), d->memory_per_fd, t->v);
   put_size(cell(w), d->resident, t->v);
   return true;
}

static int
print_devices(const struct tables *t)
{
   static const struct column cols[] = {
      { "DEVICE", 0.3, 0 }, { "DRIVER", 6, 0 }, { "CLIENTS", 3, R }, { "FDS", 3, R },
      { "MEMORY", 8, R }, { "PER-FD", 8, R }, { "RESIDENT", 8, R },
   };
   return table_of(cols, FDID_ARRAY_SIZE(cols), t->cur->r.n_devices, device_row, t, NULL);
}

static bool
buffer_row(struct row *w, size_t i, const struct tables *t)
{
   const struct mem_report *m = &t->cur->r;
   const struct mem_buffer *b = &m->buffers[i];
   fprintf(cell(w), "%ju", (uintmax_t)b->ino);
   FILE *f = cell(w);
   if (b->size >= 0)
      put_size(f, (uint64_t)b->size, t->v);
   f = cell(w);
   if (b->fd && b->fd->has_info)
      text_escape_write(f, fdinfo_exp_name(&b->fd->info), 0);
   f = cell(w);
   for (size_t h = 0; h < b->n_holders && h < CELL_LIST_SHOWN; h++) {
      const struct mem_buffer_holder *x = &b->holders[h];
      put_holder(f, h, m->procs[x->proc].proc, 0);
      fprintf(f, "/%s%s", x->n_fds ? "fd" : "", x->n_fds && x->mapped ? "+" : "");
      fprintf(f, "%s", x->mapped ? "map" : "");
   }
   if (b->n_holders > CELL_LIST_SHOWN)
      fprintf(f, ",\n+%zu more", b->n_holders - CELL_LIST_SHOWN);
   return true;
}

static int
print_buffers(const struct tables *t)
{
   static const struct column cols[] = {
      { "INODE", 6, R }, { "SIZE", 8, R }, { "EXPORTER", 6, 0 },
      { "HOLDERS", 0.5, SCOLS_FL_WRAP },
   };
   return table_of(cols, FDID_ARRAY_SIZE(cols), t->cur->r.n_buffers, buffer_row, t, NULL);
}

/* "B counted once (per holding process: B, per fd: B)", the first sum
 * where there is one. */
static void
put_counted_once(const struct mem_view *v, uint64_t once, const uint64_t *per_process,
                 uint64_t per_fd)
{
   put_size(stdout, once, v);
   printf(" counted once (");
   if (per_process) {
      printf("per holding process: ");
      put_size(stdout, *per_process, v);
      printf(", ");
   }
   printf("per fd: ");
   put_size(stdout, per_fd, v);
   printf(")");
}

static void
print_totals(const struct mem_view *v, const struct mem_sample *s)
{
   const struct mem_totals *t = &s->r.totals;
   printf("dma-bufs: %zu, ", t->dmabufs);
   put_counted_once(v, t->dmabuf_bytes, &t->dmabuf_bytes_per_process, t->dmabuf_bytes_per_fd);
   if (t->dmabufs_size_unknown)
      printf("; %zu mapped only, size unknown (no access to map_files)", t->dmabufs_size_unknown);
   if (t->maps_unverified || t->maps_unreadable)
      printf("; %u mappings unverified, %u processes' maps unreadable", t->maps_unverified,
             t->maps_unreadable);
   printf("\nDRM: %zu client%s on %zu device%s, ", t->drm_clients, t->drm_clients == 1 ? "" : "s",
          s->r.n_devices, s->r.n_devices == 1 ? "" : "s");
   put_counted_once(v, t->drm_memory, NULL, t->drm_memory_per_fd);
   if (t->drm_clients_unverified)
      printf("; %zu clients unverified (each counted alone)", t->drm_clients_unverified);
   if (t->drm_clients_id_repeated)
      printf("; %zu read another client's id (not counted)", t->drm_clients_id_repeated);
   if (t->drm_path_fds)
      printf("; %zu O_PATH fds (no clients)", t->drm_path_fds);
   printf("\n%zu processes, %u denied, %u vanished, %u not verifiable (kcmp refused)\n",
          s->sc.n_procs - s->sc.n_thread_tables, s->sc.procs_denied, s->sc.procs_vanished,
          s->g.procs_unverifiable);
   skipped_print_text(stdout, &s->sc);
}

int
mem_print_tables(const struct mem_view *v, const struct mem_sample *prev,
                 const struct mem_sample *cur)
{
   const struct mem_report *m = &cur->r;
   const struct tables t = { v, prev, cur };
   int r = 0;
   printf("PROCESSES (dma-bufs held by fd or mapping; DRM clients, each once per process:\n"
          "a client shared by processes counts whole in each one's DRM-MEM, once in the "
          "totals)\n");
   r = print_processes(&t);
   if (r == 0 && m->n_clients) {
      printf("\nDRM CLIENTS (one per open description)\n");
      r = print_clients(&t);
   }
   if (r == 0 && m->n_devices) {
      printf("\nDEVICES\n");
      r = print_devices(&t);
   }
   if (r == 0 && v->buffers && m->n_buffers) {
      printf("\nDMA-BUFS\n");
      r = print_buffers(&t);
   }
   if (r == 0) {
      printf("\n");
      print_totals(v, cur);
   }
   return r;
}

