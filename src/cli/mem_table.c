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

#include "table_wrap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "escape.h"
#include "mem_view.h"
#include "skipped.h"


/* ---- cells ---------------------------------------------------------------- */

static void
put_bytes(FILE *f, uint64_t v, bool bytes)
{
   static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
   if (bytes || v < 1024) {
      fprintf(f, "%" PRIu64 "%s", v, bytes ? "" : " B");
      return;
   }
   double x = (double)v;
   unsigned u = 0;
   while (x >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
      x /= 1024;
      u++;
   }
   fprintf(f, "%.1f %s", x, units[u]);
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

/* ---- tables ------------------------------------------------------------- */

static int
print_processes(const struct mem_view *v, const struct mem_report *m)
{
   static const struct column cols[] = {
      { "PID", 5, R }, { "COMMAND", 0.2, 0 }, { "DMABUFS", 3, R }, { "HELD", 8, R },
      { "ALONE", 8, R }, { "PSS", 8, R }, { "CLIENTS", 3, R }, { "DRM-MEM", 8, R },
   };
   struct libscols_table *tb = table_new(cols, sizeof(cols) / sizeof(cols[0]));
   if (!tb)
      return -ENOMEM;
   int r = 0;
   size_t rows = 0;
   for (size_t i = 0; r == 0 && i < m->n_procs; i++) {
      const struct mem_proc *p = &m->procs[i];
      if (!p->n_dmabufs && !p->n_clients)
         continue;
      rows++;
      struct row w = { 0 };
      fprintf(cell(&w), "%d", (int)p->proc->pid);
      text_escape_write(cell(&w), p->proc->comm, 0);
      fprintf(cell(&w), "%zu", p->n_dmabufs);
      put_bytes(cell(&w), p->dmabuf_bytes, v->bytes);
      put_bytes(cell(&w), p->dmabuf_alone_bytes, v->bytes);
      put_bytes(cell(&w), p->dmabuf_pss_bytes, v->bytes);
      fprintf(cell(&w), "%zu", p->n_clients);
      put_bytes(cell(&w), p->drm_memory, v->bytes);
      r = row_add(tb, &w);
   }
   if (r == 0 && rows == 0) {
      scols_unref_table(tb);
      printf("(none holds a dma-buf or a DRM client)\n");
      return 0;
   }
   return table_print(tb, r);
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

static int
print_clients(const struct mem_view *v, const struct mem_sample *prev, const struct mem_sample *cur)
{
   static const struct column cols[] = {
      { "ID", 3, R }, { "DEVICE", 0.2, 0 }, { "DRIVER", 6, 0 }, { "CLIENT", 4, R },
      { "HOLDERS", 0.3, SCOLS_FL_WRAP }, { "MEMORY", 8, R }, { "RESIDENT", 8, R },
      { "ENGINES", 0.2, 0 }, { "INFO", 0.1, 0 },
   };
   const struct mem_report *m = &cur->r;
   struct libscols_table *tb = table_new(cols, sizeof(cols) / sizeof(cols[0]));
   if (!tb)
      return -ENOMEM;
   int r = 0;
   for (size_t i = 0; r == 0 && i < m->n_clients; i++) {
      const struct mem_client *c = &m->clients[i];
      const struct description *d = c->desc;
      struct row w = { 0 };
      fprintf(cell(&w), "%zu", i + 1);
      text_escape_write(cell(&w), m->devices[c->device].path, 0);
      text_escape_write(cell(&w), m->devices[c->device].driver, 0);
      FILE *f = cell(&w);
      if (c->usage.has_client_id)
         fprintf(f, "%" PRIu64, c->usage.client_id);
      f = cell(&w);
      for (size_t h = 0; h < d->n_holders && h < CELL_LIST_SHOWN; h++) {
         put_holder(f, h, d->holders[h]->proc, 0);
         fprintf(f, "/%d", d->holders[h]->fd);
      }
      if (d->n_holders > CELL_LIST_SHOWN)
         fprintf(f, ",\n+%zu more", d->n_holders - CELL_LIST_SHOWN);
      put_bytes(cell(&w), c->memory, v->bytes);
      put_bytes(cell(&w), c->resident, v->bytes);
      put_engines(cell(&w), prev, cur, c);
      f = cell(&w);
      if (!d->verified)
         fputs("identity unknown (no permission)", f);
      else if (!c->has_usage)
         fputs("closed during the scan", f);
      else if (c->id_repeated)
         fputs("another client's id (fd moved during the scan): not counted", f);
      r = row_add(tb, &w);
   }
   return table_print(tb, r);
}

static int
print_devices(const struct mem_view *v, const struct mem_report *m)
{
   static const struct column cols[] = {
      { "DEVICE", 0.3, 0 }, { "DRIVER", 6, 0 }, { "CLIENTS", 3, R }, { "FDS", 3, R },
      { "MEMORY", 8, R }, { "PER-FD", 8, R }, { "RESIDENT", 8, R },
   };
   struct libscols_table *tb = table_new(cols, sizeof(cols) / sizeof(cols[0]));
   if (!tb)
      return -ENOMEM;
   int r = 0;
   for (size_t i = 0; r == 0 && i < m->n_devices; i++) {
      const struct mem_device *d = &m->devices[i];
      struct row w = { 0 };
      text_escape_write(cell(&w), d->path, 0);
      text_escape_write(cell(&w), d->driver, 0);
      fprintf(cell(&w), "%zu", d->n_clients);
      fprintf(cell(&w), "%zu", d->n_fds);
      put_bytes(cell(&w), d->memory, v->bytes);
      put_bytes(cell(&w), d->memory_per_fd, v->bytes);
      put_bytes(cell(&w), d->resident, v->bytes);
      r = row_add(tb, &w);
   }
   return table_print(tb, r);
}

static int
print_buffers(const struct mem_view *v, const struct mem_report *m)
{
   static const struct column cols[] = {
      { "INODE", 6, R }, { "SIZE", 8, R }, { "EXPORTER", 6, 0 },
      { "HOLDERS", 0.5, SCOLS_FL_WRAP },
   };
   struct libscols_table *tb = table_new(cols, sizeof(cols) / sizeof(cols[0]));
   if (!tb)
      return -ENOMEM;
   int r = 0;
   for (size_t i = 0; r == 0 && i < m->n_buffers; i++) {
      const struct mem_buffer *b = &m->buffers[i];
      struct row w = { 0 };
      fprintf(cell(&w), "%ju", (uintmax_t)b->ino);
      FILE *f = cell(&w);
      if (b->size >= 0)
         put_bytes(f, (uint64_t)b->size, v->bytes);
      f = cell(&w);
      if (b->fd && b->fd->has_info)
         text_escape_write(f, b->fd->info.exp_name, 0);
      f = cell(&w);
      for (size_t h = 0; h < b->n_holders && h < CELL_LIST_SHOWN; h++) {
         const struct mem_buffer_holder *x = &b->holders[h];
         put_holder(f, h, m->procs[x->proc].proc, 0);
         fprintf(f, "/%s%s", x->n_fds ? "fd" : "", x->n_fds && x->mapped ? "+" : "");
         fprintf(f, "%s", x->mapped ? "map" : "");
      }
      if (b->n_holders > CELL_LIST_SHOWN)
         fprintf(f, ",\n+%zu more", b->n_holders - CELL_LIST_SHOWN);
      r = row_add(tb, &w);
   }
   return table_print(tb, r);
}

static void
print_totals(const struct mem_view *v, const struct mem_sample *s)
{
   const struct mem_totals *t = &s->r.totals;
   printf("dma-bufs: %zu, ", t->dmabufs);
   put_bytes(stdout, t->dmabuf_bytes, v->bytes);
   printf(" counted once (per holding process: ");
   put_bytes(stdout, t->dmabuf_bytes_per_process, v->bytes);
   printf(", per fd: ");
   put_bytes(stdout, t->dmabuf_bytes_per_fd, v->bytes);
   printf(")");
   if (t->dmabufs_size_unknown)
      printf("; %zu mapped only, size unknown (no access to map_files)", t->dmabufs_size_unknown);
   if (t->maps_unverified || t->maps_unreadable)
      printf("; %u mappings unverified, %u processes' maps unreadable", t->maps_unverified,
             t->maps_unreadable);
   printf("\nDRM: %zu client%s on %zu device%s, ", t->drm_clients, t->drm_clients == 1 ? "" : "s",
          s->r.n_devices, s->r.n_devices == 1 ? "" : "s");
   put_bytes(stdout, t->drm_memory, v->bytes);
   printf(" counted once (per fd: ");
   put_bytes(stdout, t->drm_memory_per_fd, v->bytes);
   printf(")");
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
   int r = 0;
   printf("PROCESSES (dma-bufs held by fd or mapping; DRM clients, each once per process:\n"
          "a client shared by processes counts whole in each one's DRM-MEM, once in the "
          "totals)\n");
   r = print_processes(v, m);
   if (r == 0 && m->n_clients) {
      printf("\nDRM CLIENTS (one per open description)\n");
      r = print_clients(v, prev, cur);
   }
   if (r == 0 && m->n_devices) {
      printf("\nDEVICES\n");
      r = print_devices(v, m);
   }
   if (r == 0 && v->buffers && m->n_buffers) {
      printf("\nDMA-BUFS\n");
      r = print_buffers(v, m);
   }
   if (r == 0) {
      printf("\n");
      print_totals(v, cur);
   }
   return r;
}

