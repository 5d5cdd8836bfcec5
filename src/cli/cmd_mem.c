/* SPDX-License-Identifier: MIT */
/*
 * fdid mem: GPU memory per process and per device, each dma-buf and each
 * DRM client counted once (mem.h), beside the per-fd sums other tools
 * show; -i SECONDS samples again and again and adds engine utilisation.
 *
 * Tables go through libsmartcols with its encoding off and every cell
 * escaped here, as in `fdid ls`. JSON is one document per line (JSON
 * Lines: a live view prints one per sample), keys fixed and documented
 * in the README.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cell.h"
#include "cli.h"
#include "escape.h"
#include "group.h"
#include "json.h"
#include "mem.h"
#include "scan.h"
#include "skipped.h"

enum { HOLDERS_SHOWN = 10 };

struct options {
   pid_t *pids;
   size_t n_pids;
   bool json, bytes, buffers;
   double interval;         /* seconds; 0: one report */
   long count;              /* samples shown in a live view; 0: until killed */
};

/* One scan and what was made of it. */
struct sample {
   struct scan sc;
   struct grouping g;
   struct mem_report r;
   uint64_t time_ns;        /* CLOCK_MONOTONIC when the scan began */
   bool has_grouping, has_report;
};

static uint64_t
now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
sample_finish(struct sample *s)
{
   if (s->has_report)
      mem_report_finish(&s->r);
   if (s->has_grouping)
      grouping_finish(&s->g);
   scan_finish(&s->sc);
   memset(s, 0, sizeof(*s));
}

static int
sample_take(const struct options *o, struct sample *s)
{
   memset(s, 0, sizeof(*s));
   s->time_ns = now_ns();
   int r = scan_processes(o->pids, o->n_pids, &s->sc);
   if (r == 0) {
      r = group_descriptions(&s->sc, &s->g);
      s->has_grouping = r == 0;
   }
   if (r == 0) {
      r = mem_report_build(&s->sc, &s->g, &s->r);
      s->has_report = r == 0;
   }
   if (r < 0) {
      fprintf(stderr, "fdid: cannot scan /proc: %s\n", strerror(-r));
      sample_finish(s);
   }
   return r;
}

/* ---- utilisation since the previous sample ------------------------------ */

/* Utilisation of engine i of c since the previous sample, or -1. */
static double
engine_busy(const struct sample *prev, const struct sample *cur, const struct mem_client *c,
            unsigned i)
{
   if (!prev)
      return -1;
   return mem_client_engine_busy(&prev->r, &cur->r, c, i, cur->time_ns - prev->time_ns);
}

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
   fprintf(f, "%s%d/", i ? "," : "", (int)p->pid);
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
      if (!scols_table_new_column(tb, cols[c].name, cols[c].width, cols[c].flags)) {
         scols_unref_table(tb);
         return NULL;
      }
   }
   return tb;
}

static int
table_print(struct libscols_table *tb, int r)
{
   if (r == 0)
      scols_print_table(tb);
   scols_unref_table(tb);
   return r;
}

#define R SCOLS_FL_RIGHT

/* ---- tables ------------------------------------------------------------- */

static int
print_processes(const struct options *o, const struct mem_report *m)
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
      put_bytes(cell(&w), p->dmabuf_bytes, o->bytes);
      put_bytes(cell(&w), p->dmabuf_alone_bytes, o->bytes);
      put_bytes(cell(&w), p->dmabuf_pss_bytes, o->bytes);
      fprintf(cell(&w), "%zu", p->n_clients);
      put_bytes(cell(&w), p->drm_memory, o->bytes);
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
put_engines(FILE *f, const struct sample *prev, const struct sample *cur,
            const struct mem_client *c)
{
   for (unsigned i = 0; i < c->usage.n_engines; i++) {
      fprintf(f, "%s", i ? "," : "");
      text_escape_write(f, c->usage.engines[i].name, ESCAPE_SEPARATORS | ESCAPE_BLANKS);
      double busy = engine_busy(prev, cur, c, i);
      if (busy >= 0)
         fprintf(f, " %.1f%%", busy * 100);
   }
}

static int
print_clients(const struct options *o, const struct sample *prev, const struct sample *cur)
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
      for (size_t h = 0; h < d->n_holders && h < HOLDERS_SHOWN; h++) {
         put_holder(f, h, d->holders[h]->proc, 0);
         fprintf(f, "/%d", d->holders[h]->fd);
      }
      if (d->n_holders > HOLDERS_SHOWN)
         fprintf(f, ",+%zu more", d->n_holders - HOLDERS_SHOWN);
      put_bytes(cell(&w), c->memory, o->bytes);
      put_bytes(cell(&w), c->resident, o->bytes);
      put_engines(cell(&w), prev, cur, c);
      f = cell(&w);
      if (!d->verified)
         fputs("identity unknown (no permission)", f);
      else if (!c->has_usage)
         fputs("closed during the scan", f);
      r = row_add(tb, &w);
   }
   return table_print(tb, r);
}

static int
print_devices(const struct options *o, const struct mem_report *m)
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
      put_bytes(cell(&w), d->memory, o->bytes);
      put_bytes(cell(&w), d->memory_per_fd, o->bytes);
      put_bytes(cell(&w), d->resident, o->bytes);
      r = row_add(tb, &w);
   }
   return table_print(tb, r);
}

static int
print_buffers(const struct options *o, const struct mem_report *m)
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
         put_bytes(f, (uint64_t)b->size, o->bytes);
      f = cell(&w);
      if (b->fd && b->fd->has_info)
         text_escape_write(f, b->fd->info.exp_name, 0);
      f = cell(&w);
      for (size_t h = 0; h < b->n_holders && h < HOLDERS_SHOWN; h++) {
         const struct mem_buffer_holder *x = &b->holders[h];
         put_holder(f, h, m->procs[x->proc].proc, 0);
         fprintf(f, "/%s%s", x->n_fds ? "fd" : "", x->n_fds && x->mapped ? "+" : "");
         fprintf(f, "%s", x->mapped ? "map" : "");
      }
      if (b->n_holders > HOLDERS_SHOWN)
         fprintf(f, ",+%zu more", b->n_holders - HOLDERS_SHOWN);
      r = row_add(tb, &w);
   }
   return table_print(tb, r);
}

static void
print_totals(const struct options *o, const struct sample *s)
{
   const struct mem_totals *t = &s->r.totals;
   printf("dma-bufs: %zu, ", t->dmabufs);
   put_bytes(stdout, t->dmabuf_bytes, o->bytes);
   printf(" counted once (per holding process: ");
   put_bytes(stdout, t->dmabuf_bytes_per_process, o->bytes);
   printf(", per fd: ");
   put_bytes(stdout, t->dmabuf_bytes_per_fd, o->bytes);
   printf(")");
   if (t->dmabufs_size_unknown)
      printf("; %zu mapped only, size unknown (no access to map_files)", t->dmabufs_size_unknown);
   if (t->maps_unverified || t->maps_unreadable)
      printf("; %u mappings unverified, %u processes' maps unreadable", t->maps_unverified,
             t->maps_unreadable);
   printf("\nDRM: %zu clients on %zu devices, ", t->drm_clients, s->r.n_devices);
   put_bytes(stdout, t->drm_memory, o->bytes);
   printf(" counted once (per fd: ");
   put_bytes(stdout, t->drm_memory_per_fd, o->bytes);
   printf(")");
   if (t->drm_clients_unverified)
      printf("; %zu clients unverified (each counted alone)", t->drm_clients_unverified);
   printf("\n%zu processes, %u denied, %u vanished, %u not verifiable (kcmp refused)\n",
          s->sc.n_procs, s->sc.procs_denied, s->sc.procs_vanished, s->g.procs_unverifiable);
   skipped_print_text(stdout, &s->sc);
}

static int
print_tables(const struct options *o, const struct sample *prev, const struct sample *cur)
{
   const struct mem_report *m = &cur->r;
   int r = 0;
   printf("PROCESSES (dma-bufs held by fd or mapping; DRM clients, each once)\n");
   r = print_processes(o, m);
   if (r == 0 && m->n_clients) {
      printf("\nDRM CLIENTS (one per open description)\n");
      r = print_clients(o, prev, cur);
   }
   if (r == 0 && m->n_devices) {
      printf("\nDEVICES\n");
      r = print_devices(o, m);
   }
   if (r == 0 && o->buffers && m->n_buffers) {
      printf("\nDMA-BUFS\n");
      r = print_buffers(o, m);
   }
   if (r == 0) {
      printf("\n");
      print_totals(o, cur);
   }
   return r;
}

/* ---- JSON ------------------------------------------------------------- */

static void
json_u64(FILE *f, const char *key, uint64_t v)
{
   json_member(f, key);
   fprintf(f, "%" PRIu64, v);
}

static void
json_holder(FILE *f, size_t i, const struct process *p)
{
   fprintf(f, "%s{\"pid\": %d", i ? ", " : "", (int)p->pid);
   json_member(f, "command");
   json_write_string(f, p->comm);
}

static void
json_buffers(FILE *f, const struct mem_report *m)
{
   fprintf(f, "\"dmabufs\": [");
   for (size_t i = 0; i < m->n_buffers; i++) {
      const struct mem_buffer *b = &m->buffers[i];
      fprintf(f, "%s{\"dev\": \"%u:%u\", \"inode\": %ju, \"size\": ", i ? ", " : "",
              major(b->dev), minor(b->dev), (uintmax_t)b->ino);
      if (b->size >= 0)
         fprintf(f, "%lld", b->size);
      else
         fputs("null", f);
      json_member(f, "exporter");
      json_write_string_or_null(f, b->fd && b->fd->has_info ? b->fd->info.exp_name : NULL);
      fprintf(f, ", \"fds\": %zu, \"holders\": [", b->n_fds);
      for (size_t h = 0; h < b->n_holders; h++) {
         const struct mem_buffer_holder *x = &b->holders[h];
         json_holder(f, h, m->procs[x->proc].proc);
         fprintf(f, ", \"fds\": %u, \"mapped\": %s, \"share\": %" PRIu64 "}", x->n_fds,
                 x->mapped ? "true" : "false",
                 b->size >= 0 ? (uint64_t)b->size / b->n_holders : 0);
      }
      fprintf(f, "]}");
   }
   fprintf(f, "]");
}

static void
json_region(FILE *f, const struct drm_usage_region *g)
{
   static const struct {
      unsigned bit;
      const char *key;
      size_t offset;
   } fields[] = {
      { REGION_TOTAL, "total", offsetof(struct drm_usage_region, total) },
      { REGION_SHARED, "shared", offsetof(struct drm_usage_region, shared) },
      { REGION_RESIDENT, "resident", offsetof(struct drm_usage_region, resident) },
      { REGION_PURGEABLE, "purgeable", offsetof(struct drm_usage_region, purgeable) },
      { REGION_ACTIVE, "active", offsetof(struct drm_usage_region, active) },
      { REGION_MEMORY, "memory", offsetof(struct drm_usage_region, memory) },
   };
   fprintf(f, "{\"name\": ");
   json_write_string(f, g->name);
   for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
      json_member(f, fields[k].key);
      if (g->present & fields[k].bit)
         fprintf(f, "%" PRIu64, *(const uint64_t *)((const char *)g + fields[k].offset));
      else
         fputs("null", f);
   }
   fputc('}', f);
}

static void
json_engine(FILE *f, const struct drm_usage_engine *e, double busy)
{
   fprintf(f, "{\"name\": ");
   json_write_string(f, e->name);
   json_member(f, "ns");
   e->present & ENGINE_NS ? fprintf(f, "%" PRIu64, e->ns) : fputs("null", f);
   json_member(f, "cycles");
   e->present & ENGINE_CYCLES ? fprintf(f, "%" PRIu64, e->cycles) : fputs("null", f);
   json_member(f, "total_cycles");
   e->present & ENGINE_TOTAL_CYCLES ? fprintf(f, "%" PRIu64, e->total_cycles) : fputs("null", f);
   fprintf(f, ", \"capacity\": %u, \"busy\": ", e->capacity ? e->capacity : 1);
   busy >= 0 ? fprintf(f, "%.6f", busy) : fputs("null", f);
   fputc('}', f);
}

static void
json_clients(FILE *f, const struct sample *prev, const struct sample *cur)
{
   const struct mem_report *m = &cur->r;
   fprintf(f, "\"clients\": [");
   for (size_t i = 0; i < m->n_clients; i++) {
      const struct mem_client *c = &m->clients[i];
      const struct description *d = c->desc;
      fprintf(f, "%s{\"id\": %zu", i ? ", " : "", i + 1);
      json_member(f, "device");
      json_write_string(f, m->devices[c->device].path);
      json_member(f, "driver");
      json_write_string_or_null(f, c->usage.driver);
      json_member(f, "client_id");
      c->usage.has_client_id ? fprintf(f, "%" PRIu64, c->usage.client_id) : fputs("null", f);
      json_member(f, "pdev");
      json_write_string_or_null(f, c->usage.pdev);
      fprintf(f, ", \"verified\": %s, \"fdinfo_read\": %s", d->verified ? "true" : "false",
              c->has_usage ? "true" : "false");
      json_u64(f, "memory", c->memory);
      json_u64(f, "resident", c->resident);
      fprintf(f, ", \"holders\": [");
      for (size_t h = 0; h < d->n_holders; h++) {
         json_holder(f, h, d->holders[h]->proc);
         fprintf(f, ", \"fd\": %d}", d->holders[h]->fd);
      }
      fprintf(f, "], \"regions\": [");
      for (unsigned k = 0; k < c->usage.n_regions; k++) {
         fputs(k ? ", " : "", f);
         json_region(f, &c->usage.regions[k]);
      }
      fprintf(f, "], \"engines\": [");
      for (unsigned k = 0; k < c->usage.n_engines; k++) {
         fputs(k ? ", " : "", f);
         json_engine(f, &c->usage.engines[k], engine_busy(prev, cur, c, k));
      }
      fprintf(f, "]}");
   }
   fprintf(f, "]");
}

static void
json_procs_and_devices(FILE *f, const struct mem_report *m)
{
   fprintf(f, "\"processes\": [");
   size_t n = 0;
   for (size_t i = 0; i < m->n_procs; i++) {
      const struct mem_proc *p = &m->procs[i];
      if (!p->n_dmabufs && !p->n_clients)
         continue;
      json_holder(f, n++, p->proc);
      fprintf(f, ", \"dmabufs\": %zu", p->n_dmabufs);
      json_u64(f, "dmabuf_bytes", p->dmabuf_bytes);
      json_u64(f, "dmabuf_alone_bytes", p->dmabuf_alone_bytes);
      json_u64(f, "dmabuf_pss_bytes", p->dmabuf_pss_bytes);
      fprintf(f, ", \"drm_clients\": %zu", p->n_clients);
      json_u64(f, "drm_memory_bytes", p->drm_memory);
      fprintf(f, ", \"maps_read\": %s, \"maps_unverified\": %u}", p->maps_read ? "true" : "false",
              p->maps_unverified);
   }
   fprintf(f, "], \"devices\": [");
   for (size_t i = 0; i < m->n_devices; i++) {
      const struct mem_device *d = &m->devices[i];
      fprintf(f, "%s{\"device\": ", i ? ", " : "");
      json_write_string(f, d->path);
      json_member(f, "driver");
      json_write_string_or_null(f, d->driver);
      fprintf(f, ", \"clients\": %zu, \"fds\": %zu", d->n_clients, d->n_fds);
      json_u64(f, "memory_bytes", d->memory);
      json_u64(f, "memory_bytes_per_fd", d->memory_per_fd);
      json_u64(f, "resident_bytes", d->resident);
      fputc('}', f);
   }
   fprintf(f, "]");
}

static void
print_json(const struct sample *prev, const struct sample *cur)
{
   FILE *f = stdout;
   const struct mem_report *m = &cur->r;
   const struct mem_totals *t = &m->totals;
   fprintf(f, "{\"interval_ns\": ");
   prev ? fprintf(f, "%" PRIu64, cur->time_ns - prev->time_ns) : fputs("null", f);
   fprintf(f, ", ");
   json_procs_and_devices(f, m);
   fprintf(f, ", ");
   json_clients(f, prev, cur);
   fprintf(f, ", ");
   json_buffers(f, m);
   fprintf(f, ", \"skipped\": ");
   skipped_print_json(f, &cur->sc);
   fprintf(f, ", \"totals\": {\"dmabufs\": %zu, \"dmabuf_fds\": %zu", t->dmabufs, t->dmabuf_fds);
   json_u64(f, "dmabuf_bytes", t->dmabuf_bytes);
   json_u64(f, "dmabuf_bytes_per_process", t->dmabuf_bytes_per_process);
   json_u64(f, "dmabuf_bytes_per_fd", t->dmabuf_bytes_per_fd);
   fprintf(f, ", \"dmabufs_size_unknown\": %zu, \"maps_unverified\": %u, "
              "\"maps_unreadable\": %u, \"drm_clients\": %zu, \"drm_clients_unverified\": %zu, "
              "\"drm_fds\": %zu, \"drm_devices\": %zu",
           t->dmabufs_size_unknown, t->maps_unverified, t->maps_unreadable, t->drm_clients,
           t->drm_clients_unverified, t->drm_fds, m->n_devices);
   json_u64(f, "drm_memory_bytes", t->drm_memory);
   json_u64(f, "drm_memory_bytes_per_fd", t->drm_memory_per_fd);
   fprintf(f, ", \"processes\": %zu, \"processes_denied\": %u, \"processes_vanished\": %u, "
              "\"processes_unverifiable\": %u, \"fdinfo_reads\": %lu}}\n",
           cur->sc.n_procs, cur->sc.procs_denied, cur->sc.procs_vanished,
           cur->g.procs_unverifiable, m->fdinfo_reads);
}

/* ---- the command ------------------------------------------------------ */

static void
usage(FILE *f)
{
   fprintf(f,
           "Usage: fdid mem [-p PID]... [-b] [-B] [-J] [-i SECONDS [-n COUNT]]\n"
           "\nGPU memory per process and per device: each dma-buf and each DRM client\n"
           "counted once, beside the sums counted per fd.\n\nOptions:\n"
           "  -p, --pid PID        only this process (repeatable; exit 3 if none such)\n"
           "  -b, --bytes          sizes in bytes, not KiB/MiB/GiB\n"
           "  -B, --buffers        also list every dma-buf and its holders\n"
           "  -J, --json           JSON, one document per line (per sample with -i)\n"
           "  -i, --interval SEC   live view: sample every SEC seconds (0.1 to 3600),\n"
           "                       with engine utilisation between samples\n"
           "  -n, --count N        with -i: stop after N samples shown\n"
           "\nPSS divides each dma-buf's size among the processes holding it (by fd or\n"
           "mapping). Text other processes control is escaped as in `fdid ls`.\n");
}

static bool
parse_interval(const char *s, double *out)
{
   char *end;
   errno = 0;
   double v = strtod(s, &end);
   if (errno || end == s || *end || !(v >= 0.1 && v <= 3600))
      return false;
   *out = v;
   return true;
}

/* CLI_EXIT_OK, an exit code, or -1 when --help was printed. */
static int
parse(int argc, char **argv, struct options *o)
{
   static const struct option longopts[] = {
      { "pid", required_argument, NULL, 'p' }, { "bytes", no_argument, NULL, 'b' },
      { "buffers", no_argument, NULL, 'B' }, { "json", no_argument, NULL, 'J' },
      { "interval", required_argument, NULL, 'i' }, { "count", required_argument, NULL, 'n' },
      { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
   };
   int c, r;
   bool count_given = false;
   optind = 1;
   while ((c = getopt_long(argc, argv, "p:bBJi:n:h", longopts, NULL)) != -1) {
      switch (c) {
      case 'p':
         if ((r = cli_add_pid(&o->pids, &o->n_pids, optarg)) != CLI_EXIT_OK)
            return r;
         break;
      case 'b': o->bytes = true; break;
      case 'B': o->buffers = true; break;
      case 'J': o->json = true; break;
      case 'i':
         if (!parse_interval(optarg, &o->interval)) {
            fprintf(stderr, "fdid: bad interval (seconds, 0.1 to 3600)\n");
            return CLI_EXIT_ERROR;
         }
         break;
      case 'n': {
         pid_t n; /* the same strict decimal as a pid: 1 to INT_MAX */
         if (!cli_parse_pid(optarg, &n)) {
            fprintf(stderr, "fdid: bad count (1 to %d)\n", INT_MAX);
            return CLI_EXIT_ERROR;
         }
         o->count = n;
         count_given = true;
         break;
      }
      case 'h': usage(stdout); return -1;
      default: usage(stderr); return CLI_EXIT_ERROR;
      }
   }
   if (optind != argc) {
      usage(stderr);
      return CLI_EXIT_ERROR;
   }
   if (count_given && o->interval == 0) {
      fprintf(stderr, "fdid: -n counts the samples of a live view (-i)\n");
      return CLI_EXIT_ERROR;
   }
   return CLI_EXIT_OK;
}

/* The exporter's name, from the fdinfo of one fd on each buffer: only
 * for the outputs that show it. */
static void
read_exporters(const struct sample *s)
{
   for (size_t i = 0; i < s->r.n_buffers; i++) {
      if (s->r.buffers[i].fd)
         scan_read_fdinfo(s->r.buffers[i].fd);
   }
}

static int
show(const struct options *o, const struct sample *prev, const struct sample *cur)
{
   if (o->json || o->buffers)
      read_exporters(cur);
   if (o->json) {
      print_json(prev, cur);
      return 0;
   }
   if (o->interval > 0) {
      /* In place on a terminal; a sample after another in a pipe. */
      if (isatty(STDOUT_FILENO))
         printf("\033[H\033[2J");
      printf("fdid mem: every %.1f s, engine utilisation over the last %.2f s\n\n", o->interval,
             (double)(cur->time_ns - prev->time_ns) / 1e9);
   }
   int r = print_tables(o, prev, cur);
   if (r < 0)
      fprintf(stderr, "fdid: %s\n", strerror(-r));
   return r;
}

static void
sleep_until(uint64_t t_ns)
{
   struct timespec ts = { (time_t)(t_ns / 1000000000u), (long)(t_ns % 1000000000u) };
   while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
      ;
}

static int
report(const struct options *o)
{
   int r = cli_resolve_pids(o->pids, o->n_pids);
   if (r != CLI_EXIT_OK)
      return r;
   struct sample samples[2];
   memset(samples, 0, sizeof(samples));
   if (sample_take(o, &samples[0]) < 0)
      return CLI_EXIT_ERROR;
   if (o->interval == 0) {
      r = show(o, NULL, &samples[0]) < 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
      sample_finish(&samples[0]);
      return r;
   }
   /* Each sample is shown against the one before; the first is only a
    * baseline. Sampling keeps to the interval's grid. */
   uint64_t step = (uint64_t)(o->interval * 1e9), next = samples[0].time_ns;
   r = CLI_EXIT_OK;
   for (long shown = 0; r == CLI_EXIT_OK && (o->count == 0 || shown < o->count); shown++) {
      struct sample *prev = &samples[shown % 2], *cur = &samples[(shown + 1) % 2];
      next += step;
      sleep_until(next);
      if (sample_take(o, cur) < 0) {
         r = CLI_EXIT_ERROR;
         break;
      }
      if (show(o, prev, cur) < 0)
         r = CLI_EXIT_ERROR;
      fflush(stdout);
      sample_finish(prev);
   }
   sample_finish(&samples[0]);
   sample_finish(&samples[1]);
   return r;
}

int
cmd_mem(int argc, char **argv)
{
   struct options o = { 0 };
   int r = parse(argc, argv, &o);
   if (r == CLI_EXIT_OK)
      r = report(&o);
   else if (r < 0)
      r = CLI_EXIT_OK; /* --help */
   free(o.pids);
   return r;
}
