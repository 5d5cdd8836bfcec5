/* SPDX-License-Identifier: MIT */
/*
 * fdid ls: the open file descriptions held by more than one fd, across
 * every process the caller may inspect, grouped by the kernel's identity.
 * fdid dmabuf: every dma-buf, its holders, and totals counted once.
 *
 * Tables go through libsmartcols, like lsfd and lsblk. JSON is written
 * here: lsfd's conventions (lowercase keys, typed values), but holders are
 * an array of objects, which libsmartcols can only nest as "children".
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <fdid/identity.h>

#include "cli.h"
#include "group.h"
#include "scan.h"

enum { MAX_PIDS = 256 };

struct options {
   pid_t pids[MAX_PIDS];
   size_t n_pids;
   bool all, json, raw, dmabuf_only;
   int type; /* -1: any */
   const char *columns;
};

/* ---- columns ---------------------------------------------------------- */

struct column {
   const char *name;
   const char *help;
   double width;
   int flags;
   void (*fill)(const struct description *d, size_t id, char *buf, size_t len);
};

static struct fd_entry *
first(const struct description *d)
{
   return d->holders[0];
}

static void
fill_id(const struct description *d, size_t id, char *b, size_t n)
{
   snprintf(b, n, "%zu", id);
}

static void
fill_type(const struct description *d, size_t id, char *b, size_t n)
{
   snprintf(b, n, "%s", fd_type_name(first(d)->type));
}

static void
fill_nholders(const struct description *d, size_t id, char *b, size_t n)
{
   snprintf(b, n, "%zu", d->n_holders);
}

static void
fill_holders(const struct description *d, size_t id, char *b, size_t n)
{
   size_t used = 0;
   b[0] = 0;
   for (size_t i = 0; i < d->n_holders && used + 1 < n; i++) {
      const struct fd_entry *e = d->holders[i];
      int w = snprintf(b + used, n - used, "%s%d/%s/%d", i ? "," : "", (int)e->proc->pid,
                       e->proc->comm, e->fd);
      if (w < 0)
         break;
      used += (size_t)w;
   }
}

static void
fill_name(const struct description *d, size_t id, char *b, size_t n)
{
   snprintf(b, n, "%s", scan_name(first(d)));
}

static void
fill_inode(const struct description *d, size_t id, char *b, size_t n)
{
   snprintf(b, n, "%ju", (uintmax_t)first(d)->ino);
}

static void
fill_info(const struct description *d, size_t id, char *b, size_t n)
{
   const struct fd_entry *e = first(d);
   b[0] = 0;
   if (e->type == FD_DRM)
      snprintf(b, n, "%s%s%s%s", e->info.drm_driver[0] ? "driver=" : "", e->info.drm_driver,
               e->info.drm_client_id[0] ? " client=" : "", e->info.drm_client_id);
   else if (e->type == FD_DMABUF)
      snprintf(b, n, "size=%lld exporter=%s", e->info.size, e->info.exp_name);
   else if (e->type == FD_EPOLL && d->target_ids)
      snprintf(b, n, "targets=%zu", e->n_targets);
   if (!d->verified)
      snprintf(b + strlen(b), n - strlen(b), "%sidentity unknown (no permission)",
               b[0] ? " " : "");
}

static void
fill_size(const struct description *d, size_t id, char *b, size_t n)
{
   if (first(d)->info.size >= 0)
      snprintf(b, n, "%lld", first(d)->info.size);
   else
      b[0] = 0;
}

static void
fill_exporter(const struct description *d, size_t id, char *b, size_t n)
{
   snprintf(b, n, "%s", first(d)->info.exp_name);
}

/* "5:#12" per target: fd number as registered, watched description. */
static void
fill_targets(const struct description *d, size_t id, char *b, size_t n)
{
   const struct fd_entry *e = first(d);
   size_t used = 0;
   b[0] = 0;
   for (size_t t = 0; d->target_ids && t < e->n_targets && used + 1 < n; t++) {
      int w = d->target_ids[t]
                 ? snprintf(b + used, n - used, "%s%d:#%zu", t ? "," : "", e->targets[t].tfd,
                            d->target_ids[t])
                 : snprintf(b + used, n - used, "%s%d:?", t ? "," : "", e->targets[t].tfd);
      if (w < 0)
         break;
      used += (size_t)w;
   }
}

static const struct column columns[] = {
   { "ID", "description number in this listing", 3, SCOLS_FL_RIGHT, fill_id },
   { "TYPE", "drm, dmabuf, epoll, pipe, socket, file, dir, chr, blk, anon, other", 6, 0, fill_type },
   { "NHOLDERS", "number of fds", 3, SCOLS_FL_RIGHT, fill_nholders },
   { "HOLDERS", "pid/command/fd of each fd", 0.4, SCOLS_FL_WRAP, fill_holders },
   { "NAME", "path or kind", 0.3, SCOLS_FL_TRUNC, fill_name },
   { "INODE", "inode number", 6, SCOLS_FL_RIGHT, fill_inode },
   { "SIZE", "dma-buf size in bytes", 6, SCOLS_FL_RIGHT, fill_size },
   { "EXPORTER", "dma-buf exporter", 6, 0, fill_exporter },
   { "TARGETS", "epoll: fd:#ID of each watched description (? not found)", 0.2, 0, fill_targets },
   { "INFO", "DRM driver and client, dma-buf size and exporter", 0.2, 0, fill_info },
};

static const struct column *
find_column(const char *name, size_t len)
{
   for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
      if (strlen(columns[i].name) == len && strncasecmp(columns[i].name, name, len) == 0)
         return &columns[i];
   }
   return NULL;
}

/* ---- selection and summary -------------------------------------------- */

static bool
shown(const struct options *o, const struct description *d)
{
   const struct fd_entry *e = first(d);
   if (o->dmabuf_only && e->type != FD_DMABUF)
      return false;
   if (o->type >= 0 && (int)e->type != o->type)
      return false;
   return o->all || o->dmabuf_only || d->n_holders > 1;
}

struct summary {
   size_t descriptions, shared, shown, dmabufs;
   long long dmabuf_bytes, dmabuf_bytes_per_fd;
};

static struct summary
summarize(const struct options *o, struct grouping *g)
{
   struct summary s = { 0 };
   for (size_t i = 0; i < g->n_descs; i++) {
      struct description *d = &g->descs[i];
      s.descriptions++;
      s.shared += d->n_holders > 1;
      s.shown += shown(o, d);
      if (first(d)->type == FD_DMABUF && first(d)->info.size > 0) {
         /* One dma-buf is one description: its size counts once. */
         s.dmabufs++;
         s.dmabuf_bytes += first(d)->info.size;
         s.dmabuf_bytes_per_fd += first(d)->info.size * (long long)d->n_holders;
      }
   }
   return s;
}

/* ---- JSON ------------------------------------------------------------- */

static void
json_string(FILE *f, const char *s)
{
   fputc('"', f);
   for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
      if (*p == '"' || *p == '\\')
         fprintf(f, "\\%c", *p);
      else if (*p < 0x20)
         fprintf(f, "\\u%04x", *p);
      else
         fputc(*p, f);
   }
   fputc('"', f);
}

/* Which processes the listing could not see, or not verify, and why. */
static void
print_skipped(const struct scan *sc)
{
   enum { SHOWN = 8 };
   size_t n = 0;
   for (size_t i = 0; i < sc->n_skipped; i++, n++) {
      if (n < SHOWN)
         printf("%s%d/%s (%s)", n ? ", " : "skipped: ", (int)sc->skipped[i].pid,
                sc->skipped[i].comm, sc->skipped[i].reason);
   }
   for (size_t i = 0; i < sc->n_procs; i++) {
      if (sc->procs[i]->kcmp_ok != 0)
         continue;
      if (n++ < SHOWN)
         printf("%s%d/%s (unverifiable)", n > 1 ? ", " : "skipped: ", (int)sc->procs[i]->pid,
                sc->procs[i]->comm);
   }
   if (n > SHOWN)
      printf(", and %zu more (-J lists all)", n - SHOWN);
   if (n)
      printf("\n");
}

static void
print_json(const struct options *o, struct scan *sc, struct grouping *g,
           const struct summary *s)
{
   FILE *f = stdout;
   fprintf(f, "{\n   \"descriptions\": [");
   size_t id = 0, n = 0;
   for (size_t i = 0; i < g->n_descs; i++) {
      const struct description *d = &g->descs[i];
      id++;
      if (!shown(o, d))
         continue;
      const struct fd_entry *e = first(d);
      fprintf(f, "%s\n      {\"id\": %zu, \"type\": ", n++ ? "," : "", id);
      json_string(f, fd_type_name(e->type));
      fprintf(f, ", \"name\": ");
      json_string(f, scan_name(d->holders[0]));
      fprintf(f, ", \"dev\": \"%u:%u\", \"inode\": %ju, \"verified\": %s",
              major(e->dev), minor(e->dev), (uintmax_t)e->ino, d->verified ? "true" : "false");
      if (e->type == FD_DRM) {
         fprintf(f, ", \"rdev\": \"%u:%u\", \"driver\": ", major(e->rdev), minor(e->rdev));
         json_string(f, e->info.drm_driver);
         fprintf(f, ", \"client_id\": ");
         json_string(f, e->info.drm_client_id);
      }
      if (e->type == FD_DMABUF) {
         fprintf(f, ", \"size\": %lld, \"exporter\": ", e->info.size);
         json_string(f, e->info.exp_name);
      }
      if (e->type == FD_EPOLL && d->target_ids) {
         fprintf(f, ", \"targets\": [");
         for (size_t t = 0; t < e->n_targets; t++) {
            fprintf(f, "%s{\"fd\": %d, ", t ? ", " : "", e->targets[t].tfd);
            if (d->target_ids[t])
               fprintf(f, "\"id\": %zu}", d->target_ids[t]);
            else
               fprintf(f, "\"id\": null}");
         }
         fputc(']', f);
      }
      fprintf(f, ", \"holders\": [");
      for (size_t h = 0; h < d->n_holders; h++) {
         const struct fd_entry *x = d->holders[h];
         fprintf(f, "%s{\"pid\": %d, \"fd\": %d, \"command\": ", h ? ", " : "",
                 (int)x->proc->pid, x->fd);
         json_string(f, x->proc->comm);
         fputc('}', f);
      }
      fprintf(f, "]}");
   }
   fprintf(f, "\n   ],\n   \"skipped\": [");
   size_t k = 0;
   for (size_t i = 0; i < sc->n_skipped; i++, k++) {
      fprintf(f, "%s{\"pid\": %d, \"command\": ", k ? ", " : "", (int)sc->skipped[i].pid);
      json_string(f, sc->skipped[i].comm);
      fprintf(f, ", \"reason\": \"%s\"}", sc->skipped[i].reason);
   }
   for (size_t i = 0; i < sc->n_procs; i++) {
      const struct process *p = sc->procs[i];
      if (p->kcmp_ok != 0)
         continue;
      fprintf(f, "%s{\"pid\": %d, \"command\": ", k++ ? ", " : "", (int)p->pid);
      json_string(f, p->comm);
      fprintf(f, ", \"reason\": \"unverifiable\"}");
   }
   fprintf(f, "],\n   \"summary\": {\"descriptions\": %zu, \"shared\": %zu, "
              "\"processes\": %zu, \"processes_denied\": %u, \"processes_vanished\": %u, "
              "\"processes_unverifiable\": %u, \"fds\": %zu, \"fds_vanished\": %lu, "
              "\"dmabufs\": %zu, \"dmabuf_bytes\": %lld, \"dmabuf_bytes_per_fd\": %lld, "
              "\"identity_questions\": %lu}\n}\n",
           s->descriptions, s->shared, sc->n_procs, sc->procs_denied, sc->procs_vanished,
           g->procs_unverifiable, sc->n_fds, sc->fds_vanished + g->fds_vanished, s->dmabufs, s->dmabuf_bytes,
           s->dmabuf_bytes_per_fd, g->questions);
}

/* ---- table ------------------------------------------------------------ */

static int
print_table(const struct options *o, struct grouping *g, const char *spec)
{
   const struct column *cols[16];
   size_t n_cols = 0;
   for (const char *p = spec; *p && n_cols < 16;) {
      size_t len = strcspn(p, ",");
      cols[n_cols] = find_column(p, len);
      if (!cols[n_cols]) {
         fprintf(stderr, "fdid: unknown column '%.*s' (see fdid ls --help)\n", (int)len, p);
         return CLI_EXIT_ERROR;
      }
      n_cols++;
      p += len + (p[len] == ',');
   }

   struct libscols_table *tb = scols_new_table();
   if (!tb) {
      fprintf(stderr, "fdid: out of memory\n");
      return CLI_EXIT_ERROR;
   }
   scols_table_enable_raw(tb, o->raw);
   scols_table_enable_noheadings(tb, 0);
   for (size_t c = 0; c < n_cols; c++)
      scols_table_new_column(tb, cols[c]->name, cols[c]->width, o->raw ? 0 : cols[c]->flags);

   char buf[8192];
   size_t id = 0;
   for (size_t i = 0; i < g->n_descs; i++) {
      const struct description *d = &g->descs[i];
      id++;
      if (!shown(o, d))
         continue;
      struct libscols_line *ln = scols_table_new_line(tb, NULL);
      for (size_t c = 0; ln && c < n_cols; c++) {
         cols[c]->fill(d, id, buf, sizeof(buf));
         scols_line_set_data(ln, c, buf);
      }
   }
   scols_print_table(tb);
   scols_unref_table(tb);
   return CLI_EXIT_OK;
}

/* ---- the commands ----------------------------------------------------- */

static void
usage(FILE *f, bool dmabuf)
{
   fprintf(f, "Usage: fdid %s [-p PID]... %s[-J] [-o COLUMNS] [--raw]\n",
           dmabuf ? "dmabuf" : "ls", dmabuf ? "" : "[--all] [--type TYPE] ");
   fprintf(f, "\n%s\n\nOptions:\n",
           dmabuf ? "Every dma-buf: holders and size; totals count each buffer once."
                  : "Open file descriptions held by more than one fd, across processes.");
   fprintf(f, "  -p, --pid PID      only these processes (repeatable)\n");
   if (!dmabuf) {
      fprintf(f, "  -a, --all          also descriptions held by a single fd\n");
      fprintf(f, "  -t, --type TYPE    drm, dmabuf, epoll, pipe, socket, file, dir, chr, blk, anon, other\n");
   }
   fprintf(f, "  -J, --json         JSON output\n");
   fprintf(f, "  -o, --output LIST  columns, comma-separated:\n");
   for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
      fprintf(f, "        %-9s %s\n", columns[i].name, columns[i].help);
   fprintf(f, "  -r, --raw          raw table (no alignment)\n");
}

static int
parse(int argc, char **argv, struct options *o)
{
   static const struct option longopts[] = {
      { "pid", required_argument, NULL, 'p' }, { "all", no_argument, NULL, 'a' },
      { "type", required_argument, NULL, 't' }, { "json", no_argument, NULL, 'J' },
      { "output", required_argument, NULL, 'o' }, { "raw", no_argument, NULL, 'r' },
      { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
   };
   int c;
   optind = 1;
   while ((c = getopt_long(argc, argv, o->dmabuf_only ? "p:Jo:rh" : "p:at:Jo:rh",
                           longopts, NULL)) != -1) {
      char *end;
      long v;
      switch (c) {
      case 'p':
         v = strtol(optarg, &end, 10);
         if (*end || v <= 0 || v > 0x7fffffff || o->n_pids == MAX_PIDS) {
            fprintf(stderr, "fdid: bad pid '%s'\n", optarg);
            return CLI_EXIT_ERROR;
         }
         o->pids[o->n_pids++] = (pid_t)v;
         break;
      case 'a': o->all = true; break;
      case 't':
         o->type = fd_type_from_name(optarg);
         if (o->type < 0) {
            fprintf(stderr, "fdid: unknown type '%s'\n", optarg);
            return CLI_EXIT_ERROR;
         }
         break;
      case 'J': o->json = true; break;
      case 'o': o->columns = optarg; break;
      case 'r': o->raw = true; break;
      case 'h': usage(stdout, o->dmabuf_only); return -1;
      default: usage(stderr, o->dmabuf_only); return CLI_EXIT_ERROR;
      }
   }
   if (optind != argc) {
      usage(stderr, o->dmabuf_only);
      return CLI_EXIT_ERROR;
   }
   return CLI_EXIT_OK;
}

static int
run(int argc, char **argv, bool dmabuf)
{
   struct options o = { .type = -1, .dmabuf_only = dmabuf };
   int r = parse(argc, argv, &o);
   if (r != CLI_EXIT_OK)
      return r < 0 ? CLI_EXIT_OK : r;
   if (!o.columns)
      o.columns = dmabuf ? "ID,INODE,SIZE,EXPORTER,NHOLDERS,HOLDERS"
                         : "ID,TYPE,NHOLDERS,HOLDERS,NAME,INFO";

   struct scan sc;
   r = scan_processes(o.pids, o.n_pids, &sc);
   if (r < 0) {
      fprintf(stderr, "fdid: cannot scan /proc: %s\n", strerror(-r));
      scan_free(&sc);
      return CLI_EXIT_ERROR;
   }
   struct grouping g;
   r = group_descriptions(&sc, &g);
   if (r < 0) {
      fprintf(stderr, "fdid: %s\n", strerror(-r));
      scan_free(&sc);
      return CLI_EXIT_ERROR;
   }
   /* DRM and dma-buf details and epoll targets come from fdinfo. */
   for (size_t i = 0; i < g.n_descs; i++) {
      for (size_t h = 0; h < g.descs[i].n_holders; h++) {
         struct fd_entry *e = g.descs[i].holders[h];
         if (e->type == FD_DRM || e->type == FD_DMABUF ||
             (e->type == FD_EPOLL && h == 0 && shown(&o, &g.descs[i])))
            scan_read_fdinfo(e);
      }
   }
   if (group_link_epoll_targets(&g) < 0) {
      fprintf(stderr, "fdid: out of memory\n");
      grouping_free(&g);
      scan_free(&sc);
      return CLI_EXIT_ERROR;
   }

   struct summary s = summarize(&o, &g);
   int status = CLI_EXIT_OK;
   if (o.json) {
      print_json(&o, &sc, &g, &s);
   } else {
      status = print_table(&o, &g, o.columns);
      if (dmabuf)
         printf("%zu dma-bufs, %lld bytes (each buffer counted once; %lld if counted per fd)\n",
                s.dmabufs, s.dmabuf_bytes, s.dmabuf_bytes_per_fd);
      else
         printf("%zu descriptions, %zu shared; %zu processes, %u denied, %u vanished, "
                "%u not verifiable (kcmp refused); dma-bufs: %lld bytes, each counted once\n",
                s.descriptions, s.shared, sc.n_procs, sc.procs_denied, sc.procs_vanished,
                g.procs_unverifiable, s.dmabuf_bytes);
      print_skipped(&sc);
   }
   grouping_free(&g);
   scan_free(&sc);
   return status;
}

int
cmd_ls(int argc, char **argv)
{
   return run(argc, argv, false);
}

int
cmd_dmabuf(int argc, char **argv)
{
   return run(argc, argv, true);
}
