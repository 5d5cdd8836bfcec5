/* SPDX-License-Identifier: MIT */
/*
 * fdid ls: the open file descriptions held by more than one fd, across
 * every process the caller may inspect, grouped by the kernel's identity.
 * fdid dmabuf: every dma-buf, its holders, and totals counted once.
 *
 * Aligned tables go through libsmartcols, like lsfd and lsblk, with its
 * own encoding off: every cell is escaped here (escape.h), so aligned and
 * raw output (written here, one space between cells) escape alike. JSON
 * is written here too: lsfd's conventions (lowercase keys, typed values),
 * but holders are an array of objects, which libsmartcols can only nest as
 * "children".
 *
 * What processes control (names, comm, fdinfo text) is never trusted for
 * a number: a dma-buf's size is its inode's (fstat), and the fdinfo parser
 * takes nothing after a dma-buf's name.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "cell.h"
#include "cli.h"
#include "escape.h"
#include "fd_class.h"
#include "fd_facts.h"
#include "file_state.h"
#include "filter.h"
#include "assoc.h"
#include "ls_assoc.h"
#include "ls_columns.h"
#include "ls_counters.h"
#include "group.h"
#include "json.h"
#include "mem.h"
#include "parallel.h"
#include "scan.h"
#include "skipped.h"
#include "sockets.h"
#include "table_wrap.h"

/* fdid ls's own: a description's first holder. */
static struct fd_entry *
first(const struct description *d)
{
   return d->holders[0];
}

static const void *
filter_lookup(const char *name, size_t len)
{
   return ls_find_column(name, len);
}

/* ---- options ---------------------------------------------------------- */

struct options {
   pid_t *pids;
   size_t n_pids;
   bool all, json, raw, dmabuf_only;
   bool noheadings; /* -n: no header line */
   bool notruncate; /* -u: cells whole, never cut or wrapped */
   bool assoc;      /* --assoc: also files held without an fd */
   unsigned types; /* 1 << enum fd_type for each -t; 0: any */
   const char **classes; /* anonymous inode classes from -t */
   size_t n_classes;
   struct filter *filter;  /* -Q */
   enum { COUNTERS_NEVER, COUNTERS_ONLY, COUNTERS_APPEND } counters; /* --summary */
   const struct description *descs; /* the listing's, for a row's ID in -Q */
   const struct ls_column **cols;
   size_t n_cols;
};

/* Does -o or -Q name this column? */
static bool
asks_for(const struct options *o, enum ls_column_id id)
{
   for (size_t i = 0; i < o->n_cols; i++) {
      if (o->cols[i] == &ls_columns[id])
         return true;
   }
   return o->filter && filter_uses(o->filter, &ls_columns[id]);
}

/* Is e's anonymous inode of a class -t named? */
static bool
class_wanted(const struct options *o, const struct fd_entry *e)
{
   char buf[64];
   const char *k = o->n_classes ? fd_ainode_class(e, buf, sizeof(buf)) : NULL;
   for (size_t i = 0; k && i < o->n_classes; i++) {
      if (strcmp(o->classes[i], k) == 0)
         return true;
   }
   return false;
}


/* -Q's value of a column in a row: the cell as a raw table shows it. */
static char *
filter_value(const void *column, const void *row, void *arg)
{
   const struct options *o = arg;
   const struct description *d = row;
   return ls_cell_text(column, d, (size_t)(d - o->descs) + 1, true);
}

static bool
shown(const struct options *o, const struct description *d)
{
   const struct fd_entry *e = first(d);
   if (o->dmabuf_only && !fd_class_of(e->type)->dmabuf)
      return false;
   if ((o->types || o->n_classes) && !(o->types & (1u << e->type)) && !class_wanted(o, e))
      return false;
   if (!(o->all || o->dmabuf_only || d->n_holders > 1))
      return false;
   bool failed = false; /* out of memory: the row is not shown */
   return !o->filter || filter_match(o->filter, d, filter_value, (void *)o, &failed);
}

/* ---- summary ---------------------------------------------------------- */

struct summary {
   size_t descriptions, shared, shown, dmabufs, dmabuf_fds;
   long long dmabuf_bytes, dmabuf_bytes_per_fd;
};

/*
 * dma-buf bytes count each buffer once, as fdid mem counts them
 * (mem_dmabuf_fd_totals): a dma-buf is one file, so one description, and
 * its inode is its own on the dma-buf file system, even for fds whose
 * description could not be verified (listed alone, still one buffer).
 * Sizes are the inodes'.
 */
static int
summarize(const struct options *o, struct scan *sc, struct grouping *g, struct summary *s)
{
   memset(s, 0, sizeof(*s));
   for (size_t i = 0; i < g->n_descs; i++) {
      const struct description *d = &g->descs[i];
      s->descriptions++;
      s->shared += d->n_holders > 1;
      s->shown += shown(o, d);
   }
   struct mem_totals t;
   int r = mem_dmabuf_fd_totals(sc, &t);
   s->dmabufs = t.dmabufs;
   s->dmabuf_fds = t.dmabuf_fds;
   s->dmabuf_bytes = (long long)t.dmabuf_bytes;
   s->dmabuf_bytes_per_fd = (long long)t.dmabuf_bytes_per_fd;
   return r;
}

/* ---- JSON ------------------------------------------------------------- */

struct ends_json {
   FILE *f;
   size_t written;
};

/* `{"pid": P, "tid": T, "fd": N` of an fd (a holder, an endpoint), after
 * a comma unless it is its array's first: written for each fd of a
 * listing, so no format is parsed. The caller adds members and the `}`. */
static void
json_open_fd(FILE *f, const struct fd_entry *x, bool first)
{
   fputs(first ? "{\"pid\": " : ", {\"pid\": ", f);
   json_write_int(f, x->proc->pid);
   json_member(f, "tid");
   json_write_int(f, x->proc->tid);
   json_member(f, "fd");
   json_write_int(f, x->fd);
}

static void
json_end(const struct fd_entry *x, const char *mode, void *arg)
{
   struct ends_json *w = arg;
   json_open_fd(w->f, x, w->written++ == 0);
   json_member(w->f, "command");
   json_write_string(w->f, x->proc->comm);
   json_member(w->f, "mode");
   json_write_string_or_null(w->f, mode);
   fputc('}', w->f);
}

/* A pipe's other ends, a UNIX socket's peer: [{"pid", "tid", "fd",
 * "command", "mode"}] (mode null for a socket). */
static void
print_json_endpoints(FILE *f, const struct description *d)
{
   struct ends_json w = { f, 0 };
   json_member(f, "endpoints");
   fputc('[', f);
   ls_each_end(d, json_end, &w);
   fputc(']', f);
}

/* "socket": {"protocol", "state", "local", "remote"} (null when the
 * kernel's tables do not have it), and a UNIX socket's peer's endpoints. */
static void
print_json_socket(FILE *f, const struct description *d)
{
   const struct socket_info *s = ls_socket_of(d);
   json_member(f, "socket");
   if (!s) {
      fputs("null", f);
      return;
   }
   fputs("{\"protocol\": ", f);
   json_write_string(f, s->proto);
   json_member(f, "state");
   json_write_string(f, s->state);
   json_member(f, "local");
   json_write_string_or_null(f, s->local);
   json_member(f, "remote");
   json_write_string_or_null(f, s->remote);
   fputc('}', f);
   if (strncmp(s->proto, "UNIX", 4) == 0)
      print_json_endpoints(f, d);
}

static void
print_json_description(FILE *f, const struct description *d, size_t id)
{
   const struct fd_entry *e = first(d);
   const struct fd_class *k = fd_class_of(e->type);
   fputs("{\"id\": ", f);
   json_write_int(f, (long long)id);
   json_member(f, "type");
   json_write_string(f, k->name);
   json_member(f, "name");
   json_write_string(f, scan_name(d->holders[0]));
   json_member(f, "dev");
   fputc('"', f);
   json_write_uint(f, major(e->dev));
   fputc(':', f);
   json_write_uint(f, minor(e->dev));
   fputc('"', f);
   json_member(f, "inode");
   json_write_uint(f, e->ino);
   json_member(f, "verified");
   fputs(d->verified ? "true" : "false", f);
   char class_buf[64];
   json_member(f, "ainode_class");
   json_write_string_or_null(f, fd_ainode_class(e, class_buf, sizeof(class_buf)));
   json_member(f, "pos");
   e->has_info && e->info.has_pos ? json_write_int(f, e->info.pos) : (void)fputs("null", f);
   json_member(f, "flags");
   if (e->has_info && e->info.has_flags) {
      fputc('"', f);
      file_state_write_flags(f, &e->info); /* names of [a-z]: no escaping needed */
      fputc('"', f);
   } else {
      fputs("null", f);
   }
   json_member(f, "mode");
   json_write_string_or_null(f, e->has_info ? file_state_mode(&e->info) : NULL);
   if (e->type == FD_PIPE || e->type == FD_CHR)
      print_json_endpoints(f, d);
   if (e->type == FD_SOCKET)
      print_json_socket(f, d);
   json_member(f, "mnt_id");
   e->has_info && e->info.has_mnt_id ? json_write_int(f, e->info.mnt_id) : (void)fputs("null", f);
   if (e->type == FD_FILE) {
      char ns[32];
      fprintf(f, ", \"size\": %lld, \"deleted\": %s", e->size, e->unlinked ? "true" : "false");
      json_member(f, "ns_type");
      json_write_string_or_null(f, fd_facts_ns_type(first(d), ns, sizeof(ns)));
   }
   if (e->has_info && e->info.has_pidfd_pid)
      fprintf(f, ", \"pidfd_pid\": %d", e->info.pidfd_pid);
   if (e->has_info && e->info.has_tty_index)
      fprintf(f, ", \"tty_index\": %d", e->info.tty_index);
   if (e->has_info && fdinfo_tun_iface(&e->info)[0]) {
      json_member(f, "tun_iface");
      json_write_string(f, fdinfo_tun_iface(&e->info));
   }
   if (k->json)
      k->json(f, d);
   json_member(f, "holders");
   fputc('[', f);
   for (size_t h = 0; h < d->n_holders; h++) {
      const struct fd_entry *x = d->holders[h];
      json_open_fd(f, x, h == 0);
      json_member(f, "uid");
      if (x->proc->uid != (uid_t)-1)
         json_write_int(f, x->proc->uid);
      else
         fputs("null", f);
      json_member(f, "command");
      json_write_string(f, x->proc->comm);
      fputc('}', f);
   }
   fprintf(f, "]}");
}

/*
 * The descriptions' JSON is most of a listing's output (20 MB for 75k
 * fds): rendered into memory by several threads, a window at a time (its
 * memory stays bounded), and written in order. Each rendered description
 * starts with its separator; the listing's first drops the comma.
 */
enum { JSON_CHUNK = 256, JSON_WINDOW = 16 * JSON_CHUNK };

struct json_window {
   const struct options *o;
   const struct grouping *g;
   size_t base, end;
   char *text[JSON_WINDOW / JSON_CHUNK]; /* NULL: not rendered (no memory) */
   size_t len[JSON_WINDOW / JSON_CHUNK];
};

/* One chunk's descriptions; each with its comma when first is NULL (a
 * text rendered apart), else all but the listing's first. */
static void
write_json_descriptions(FILE *f, const struct json_window *w, size_t chunk, bool *first)
{
   size_t from = w->base + chunk * JSON_CHUNK;
   size_t to = w->end - from < JSON_CHUNK ? w->end : from + JSON_CHUNK;
   for (size_t i = from; i < to; i++) {
      if (!shown(w->o, &w->g->descs[i]))
         continue;
      fputs(first && *first ? "\n      " : ",\n      ", f);
      if (first)
         *first = false;
      print_json_description(f, &w->g->descs[i], i + 1);
   }
}

static void
render_json_chunks(void *arg, size_t begin, size_t end)
{
   struct json_window *w = arg;
   for (size_t c = begin; c < end; c++) {
      FILE *m = open_memstream(&w->text[c], &w->len[c]);
      if (!m) {
         w->text[c] = NULL;
         continue;
      }
      /* This thread's alone: no lock taken per character written. */
      __fsetlocking(m, FSETLOCKING_BYCALLER);
      write_json_descriptions(m, w, c, NULL);
      if (fclose(m) != 0) {
         free(w->text[c]);
         w->text[c] = NULL;
      }
   }
}

static void
print_json_window(const struct options *o, const struct grouping *g, size_t base, bool *first)
{
   struct json_window w = { .o = o, .g = g, .base = base };
   w.end = g->n_descs - base < JSON_WINDOW ? g->n_descs : base + JSON_WINDOW;
   size_t chunks = (w.end - base + JSON_CHUNK - 1) / JSON_CHUNK;
   /* -Q's columns may name users (a cache of one thread): one thread. */
   if (o->filter)
      render_json_chunks(&w, 0, chunks);
   else
      parallel_for(chunks, 1, render_json_chunks, &w);
   for (size_t c = 0; c < chunks; c++) {
      char *text = w.text[c];
      size_t len = w.len[c];
      if (!text) {
         /* No memory to render it apart: straight out, the same text. */
         write_json_descriptions(stdout, &w, c, first);
         continue;
      }
      size_t skip = *first && len ? 1 : 0; /* the first description's comma */
      fwrite(text + skip, 1, len - skip, stdout);
      *first = *first && !len;
      free(text);
   }
}

static void
print_json(const struct options *o, struct scan *sc, struct grouping *g,
           const struct summary *s, const struct assoc_list *assoc)
{
   FILE *f = stdout;
   fprintf(f, "{\n   \"descriptions\": [");
   bool first = true;
   for (size_t at = 0; at < g->n_descs; at += JSON_WINDOW)
      print_json_window(o, g, at, &first);
   fprintf(f, "\n   ]");
   if (assoc)
      ls_assoc_print_json(f, assoc, g);
   fprintf(f, ",\n   \"skipped\": ");
   skipped_print_json(f, sc);
   fprintf(f, ",\n   \"summary\": {\"descriptions\": %zu, \"shared\": %zu, \"shown\": %zu, "
              "\"processes\": %zu, \"processes_denied\": %u, \"processes_vanished\": %u, "
              "\"processes_unverifiable\": %u, \"fds\": %zu, \"fds_vanished\": %lu, "
              "\"dmabufs\": %zu, \"dmabuf_fds\": %zu, \"dmabuf_bytes\": %lld, "
              "\"dmabuf_bytes_per_fd\": %lld, \"identity_questions\": %lu, "
              "\"epoll_targets_unsearched\": %lu}\n}\n",
           s->descriptions, s->shared, s->shown, sc->n_procs - sc->n_thread_tables,
           sc->procs_denied, sc->procs_vanished, g->procs_unverifiable, sc->n_fds,
           sc->fds_vanished + g->fds_vanished, s->dmabufs, s->dmabuf_fds, s->dmabuf_bytes,
           s->dmabuf_bytes_per_fd, g->questions, g->targets_unsearched);
}

/* ---- tables ----------------------------------------------------------- */

/* Raw: the header, then one line per description, cells separated by one
 * space (blanks inside cells are escaped). */
static int
print_raw(const struct options *o, struct grouping *g)
{
   for (size_t c = 0; !o->noheadings && c < o->n_cols; c++)
      printf("%s%s", c ? " " : "", o->cols[c]->name);
   if (!o->noheadings)
      printf("\n");
   size_t id = 0;
   for (size_t i = 0; i < g->n_descs; i++) {
      const struct description *d = &g->descs[i];
      id++;
      if (!shown(o, d))
         continue;
      for (size_t c = 0; c < o->n_cols; c++) {
         char *text = ls_cell_text(o->cols[c], d, id, true);
         if (!text)
            return -ENOMEM;
         printf("%s%s", c ? " " : "", text);
         free(text);
      }
      printf("\n");
   }
   return 0;
}

static int
print_aligned(const struct options *o, struct grouping *g)
{
   struct libscols_table *tb = scols_new_table();
   if (!tb)
      return -ENOMEM;
   /* Cells are escaped already (escape.h); libsmartcols' own encoding
    * would escape the escapes. */
   scols_table_enable_noencoding(tb, 1);
   scols_table_enable_noheadings(tb, o->noheadings);
   int r = 0;
   for (size_t c = 0; r == 0 && c < o->n_cols; c++) {
      int flags = o->cols[c]->flags;
      if (o->notruncate)
         flags &= ~(SCOLS_FL_TRUNC | SCOLS_FL_WRAP);
      struct libscols_column *cl =
         scols_table_new_column(tb, o->cols[c]->name, o->cols[c]->width, flags);
      if (!cl)
         r = -ENOMEM;
      else if (flags & SCOLS_FL_WRAP)
         table_wrap_at_newlines(cl);
   }
   size_t id = 0;
   for (size_t i = 0; r == 0 && i < g->n_descs; i++) {
      const struct description *d = &g->descs[i];
      id++;
      if (!shown(o, d))
         continue;
      struct libscols_line *ln = scols_table_new_line(tb, NULL);
      for (size_t c = 0; r == 0 && c < o->n_cols; c++) {
         char *text = ln ? ls_cell_text(o->cols[c], d, id, false) : NULL;
         /* The line takes the string. */
         if (!text || scols_line_refer_data(ln, c, text) != 0) {
            free(text);
            r = -ENOMEM;
         }
      }
   }
   if (r == 0) {
      table_keep_wrapped_lines_whole(tb);
      scols_print_table(tb);
   }
   scols_unref_table(tb);
   return r;
}

/* ---- the commands ----------------------------------------------------- */

static void
usage(FILE *f, bool dmabuf)
{
   fprintf(f, "Usage: fdid %s [-p PID]... %s[-Q EXPR] [-J | [-o [+]COLUMNS] [--raw] [-n] [-u]]\n",
           dmabuf ? "dmabuf" : "ls", dmabuf ? "" : "[--all] [--type TYPE]... ");
   fprintf(f, "\n%s\n\nOptions:\n",
           dmabuf ? "Every dma-buf: holders and size; totals count each buffer once."
                  : "Open file descriptions held by more than one fd, across processes.");
   fprintf(f, "  -p, --pid PID      only this process (repeatable; a thread id stands for\n"
              "                     its process); exit 3 if one does not exist\n");
   if (!dmabuf) {
      fprintf(f, "  -a, --all          also descriptions held by a single fd\n");
      fprintf(f, "  -t, --type TYPE    only this type (repeatable: any of them): %s;\n"
                 "                     or an anonymous inode's class (AINODECLASS)\n",
              fd_type_names());
      fprintf(f, "      --assoc        also the files held without an fd: executables,\n"
                 "                     working and root directories, mappings (exe, cwd,\n"
                 "                     root, mem), each file once, after the descriptions\n");
   }
   fprintf(f, "  -J, --json         JSON output: every field (not with -o or --raw)\n");
   fprintf(f, "  -o, --output LIST  table columns, comma-separated; +LIST adds to the\n"
              "                     default ones:\n");
   for (size_t i = 0; i < LS_N_COLUMNS; i++)
      fprintf(f, "        %-11s %s\n", ls_columns[i].name, ls_columns[i].help);
   fprintf(f, "  -r, --raw          raw table (no alignment; blanks in cells escaped)\n");
   fprintf(f, "  -n, --noheadings   no header line\n");
   fprintf(f, "  -u, --notruncate   cells whole: never cut or wrapped\n");
   fprintf(f, "  -H, --list-columns the columns and what they show, then exit\n");
   fprintf(f, "  -Q, --filter EXPR  only rows where EXPR holds: columns, \"strings\", numbers,\n"
              "                     == != < <= > >= =~ !~, && || !, parentheses\n");
   fprintf(f, "      --summary[=WHEN] counters of the rows (processes, fds, modes, types):\n"
              "                     only (the default), append (after the table), never\n");
   fprintf(f, "\nText other processes control is escaped: \\\\ for a backslash, \\xHH for\n"
              "a byte that is not a printable character.\n");
}

static const char *
default_columns(const struct options *o)
{
   return o->dmabuf_only ? "ID,INODE,SIZE,EXPORTER,NHOLDERS,HOLDERS"
                         : "ID,TYPE,NHOLDERS,HOLDERS,NAME,INFO";
}

/* -o LIST: these columns; -o +LIST: the default ones, then these (as
 * lsfd takes it). */
static int
parse_columns(struct options *o, const char *spec)
{
   char *joined = NULL;
   if (spec[0] == '+') {
      if (asprintf(&joined, "%s,%s", default_columns(o), spec + 1) < 0) {
         fprintf(stderr, "fdid: out of memory\n");
         return CLI_EXIT_ERROR;
      }
      spec = joined;
   }
   size_t n = 1;
   for (const char *p = spec; *p; p++)
      n += *p == ',';
   const struct ls_column **cols = calloc(n, sizeof(*cols));
   if (!cols) {
      free(joined);
      fprintf(stderr, "fdid: out of memory\n");
      return CLI_EXIT_ERROR;
   }
   free(o->cols);
   o->cols = cols;
   o->n_cols = 0;
   for (const char *p = spec;; p++) {
      size_t len = strcspn(p, ",");
      const struct ls_column *col = ls_find_column(p, len);
      if (!col) {
         char *name = strndup(p, len);
         fprintf(stderr, "fdid: %s column '", len ? "unknown" : "empty");
         text_escape_write(stderr, name ? name : "", 0);
         fprintf(stderr, "' in -o (see fdid %s --list-columns)\n",
                 o->dmabuf_only ? "dmabuf" : "ls");
         free(name);
         free(joined);
         return CLI_EXIT_ERROR;
      }
      o->cols[o->n_cols++] = col;
      p += len;
      if (!*p) {
         free(joined);
         return CLI_EXIT_OK;
      }
   }
}

static int
parse_column_default(struct options *o)
{
   return parse_columns(o, default_columns(o));
}

static void
list_columns(void)
{
   for (size_t i = 0; i < LS_N_COLUMNS; i++)
      printf("%-11s %s\n", ls_columns[i].name, ls_columns[i].help);
}

static const struct option ls_options[] = {
   { "pid", required_argument, NULL, 'p' },    /* only these processes */
   { "all", no_argument, NULL, 'a' },          /* also descriptions of one fd */
   { "type", required_argument, NULL, 't' },   /* only these types */
   { "json", no_argument, NULL, 'J' },
   { "output", required_argument, NULL, 'o' }, /* columns */
   { "raw", no_argument, NULL, 'r' },
   { "noheadings", no_argument, NULL, 'n' },
   { "notruncate", no_argument, NULL, 'u' },
   { "list-columns", no_argument, NULL, 'H' },
   { "filter", required_argument, NULL, 'Q' },
   { "summary", optional_argument, NULL, 'S' },
   { "assoc", no_argument, NULL, 'A' },
   { "help", no_argument, NULL, 'h' },
   { NULL, 0, NULL, 0 },
};

/* CLI_EXIT_OK, an exit code, or -1 when --help was printed. */
static int
parse(int argc, char **argv, struct options *o)
{
   /* dmabuf: no -a, no -t. */
   const char *shortopts = o->dmabuf_only ? "p:Jo:rnuHQ:h" : "p:at:Jo:rnuHQ:h";
   bool columns_given = false;
   int c, r;
   optind = 1;
   while ((c = getopt_long(argc, argv, shortopts, ls_options, NULL)) != -1) {
      switch (c) {
      case 'p':
         if ((r = cli_add_pid(&o->pids, &o->n_pids, optarg)) != CLI_EXIT_OK)
            return r;
         break;
      case 'a': o->all = true; break;
      case 'A':
         if (o->dmabuf_only) {
            usage(stderr, true);
            return CLI_EXIT_ERROR;
         }
         o->assoc = true;
         break;
      case 't': {
         int t = fd_type_from_name(optarg);
         if (t >= 0) {
            o->types |= 1u << t;
         } else if (fd_ainode_class_known(optarg)) {
            const char **more = realloc(o->classes, (o->n_classes + 1) * sizeof(*more));
            if (!more) {
               fprintf(stderr, "fdid: out of memory\n");
               return CLI_EXIT_ERROR;
            }
            o->classes = more;
            o->classes[o->n_classes++] = optarg;
         } else {
            fprintf(stderr, "fdid: unknown type '");
            text_escape_write(stderr, optarg, 0);
            fprintf(stderr, "' (a type: %s; or an anonymous inode's class: %s)\n",
                    fd_type_names(), fd_ainode_class_names());
            return CLI_EXIT_ERROR;
         }
         break;
      }
      case 'J': o->json = true; break;
      case 'o':
         if ((r = parse_columns(o, optarg)) != CLI_EXIT_OK)
            return r;
         columns_given = true;
         break;
      case 'r': o->raw = true; break;
      case 'n': o->noheadings = true; break;
      case 'u': o->notruncate = true; break;
      case 'H': list_columns(); return -1;
      case 'S': {
         /* In the order of the enum. */
         static const char *const whens[] = { "never", "only", "append", NULL };
         int w = optarg ? cli_word(optarg, whens, "--summary") : COUNTERS_ONLY;
         if (w < 0)
            return CLI_EXIT_ERROR;
         o->counters = w;
         break;
      }
      case 'Q': {
         char why[160];
         filter_free(o->filter);
         o->filter = NULL;
         r = filter_parse(optarg, filter_lookup, &o->filter, why, sizeof(why));
         if (r == 0 && asks_for(o, LS_TARGETS)) {
            snprintf(why, sizeof(why), "TARGETS cannot be filtered (linked for shown rows only)");
            r = -EINVAL;
         }
         if (r < 0) {
            fprintf(stderr, "fdid: bad -Q expression: ");
            text_escape_write(stderr, r == -ENOMEM ? "out of memory" : why, 0);
            fputc('\n', stderr);
            return CLI_EXIT_ERROR;
         }
         break;
      }
      case 'h': usage(stdout, o->dmabuf_only); return -1;
      default: usage(stderr, o->dmabuf_only); return CLI_EXIT_ERROR;
      }
   }
   if (optind != argc) {
      usage(stderr, o->dmabuf_only);
      return CLI_EXIT_ERROR;
   }
   if (o->json && (columns_given || o->raw || o->noheadings || o->notruncate ||
                   o->counters != COUNTERS_NEVER)) {
      fprintf(stderr, "fdid: -J prints every field; -o, --raw, -n, -u and --summary are for "
                      "tables\n");
      return CLI_EXIT_ERROR;
   }
   return columns_given ? CLI_EXIT_OK : parse_column_default(o);
}

static bool
shown_description(const struct description *d, const void *o)
{
   return shown(o, d);
}

/* Are POS, FLAGS or MODE shown (JSON has them all)? Then each shown
 * description's first holder's fdinfo is read. */
static bool
wants_state(const struct options *o)
{
   return o->json || o->counters != COUNTERS_NEVER || asks_for(o, LS_POS) ||
          asks_for(o, LS_FLAGS) || asks_for(o, LS_MODE) || asks_for(o, LS_MNTID) ||
          asks_for(o, LS_PIDFD_PID) || asks_for(o, LS_PTMX_TTY_INDEX) ||
          asks_for(o, LS_TUN_IFACE);
}

static bool
wants_endpoints(const struct options *o)
{
   return o->json || asks_for(o, LS_ENDPOINTS);
}

static bool
wants_sockets(const struct options *o)
{
   return o->json || asks_for(o, LS_ENDPOINTS) || asks_for(o, LS_SOCK_PROTONAME) ||
          asks_for(o, LS_SOCK_STATE) || asks_for(o, LS_UNIX_PATH) ||
          asks_for(o, LS_INET_LADDR) || asks_for(o, LS_INET_RADDR);
}

/* The sockets, as the first process holding one sees its network. */
static int
read_sockets(const struct grouping *g)
{
   pid_t netns_of = getpid();
   for (size_t i = 0; i < g->n_descs; i++) {
      if (g->descs[i].holders[0]->type == FD_SOCKET) {
         netns_of = g->descs[i].holders[0]->proc->pid;
         break;
      }
   }
   return sockets_read(&ls_listing.sockets, netns_of);
}

static bool
wants_targets(const struct options *o)
{
   for (size_t i = 0; i < o->n_cols; i++) {
      if (o->cols[i] == &ls_columns[LS_TARGETS])
         return true;
   }
   return o->json;
}

/* What the listing reads from fdinfo (and names with it), for descriptions
 * [begin, end): each call touches only its own descriptions' entries. */
struct fdinfo_job {
   const struct options *o;
   struct grouping *g;
   bool state, ends, names;
};

static void
read_fdinfo_of(void *arg, size_t begin, size_t end)
{
   const struct fdinfo_job *j = arg;
   const struct options *o = j->o;
   for (size_t i = begin; i < end; i++) {
      const struct description *d = &j->g->descs[i];
      /* (With -Q, whether a row is shown may depend on this fdinfo: it is
       * read for every row then.) */
      bool shown_here = o->filter || shown(o, d);
      for (size_t h = 0; h < d->n_holders; h++) {
         struct fd_entry *e = d->holders[h];
         enum fdinfo_need need = scan_fdinfo_need(e->type);
         bool first_shown = h == 0 && shown_here;
         if (j->state && first_shown && j->names)
            scan_name_and_fdinfo(e); /* the name's check is the fdinfo's */
         else if (need == FDINFO_EVERY_HOLDER ||
                  ((need == FDINFO_FIRST_SHOWN || j->state) && first_shown) ||
                  /* a pipe end's access, for the other ends' ENDPOINTS,
                   * shown or not */
                  (j->ends && h == 0 && e->type == FD_PIPE))
            scan_read_fdinfo(e);
      }
   }
}

static int
list(struct options *o)
{
   int r = cli_resolve_pids(o->pids, o->n_pids);
   if (r != CLI_EXIT_OK)
      return r;
   struct scan sc;
   r = scan_processes(o->pids, o->n_pids, &sc);
   if (r < 0) {
      fprintf(stderr, "fdid: cannot scan /proc: %s\n", strerror(-r));
      scan_finish(&sc);
      return CLI_EXIT_ERROR;
   }
   struct grouping g;
   /* POS/FLAGS/MODE read descriptions' fdinfo, ENDPOINTS every pipe's:
    * the grouping may use it. */
   bool reads_fdinfo = wants_state(o) || wants_endpoints(o);
   r = group_descriptions_with(&sc, reads_fdinfo ? GROUP_READS_FDINFO : 0, &g);
   if (r < 0) {
      fprintf(stderr, "fdid: %s\n", strerror(-r));
      scan_finish(&sc);
      return CLI_EXIT_ERROR;
   }
   o->descs = g.descs;
   /* DRM and dma-buf details, epoll targets, and a description's position
    * and flags come from fdinfo. */
   struct fdinfo_job job = { o, &g, wants_state(o), wants_endpoints(o),
                             o->json || asks_for(o, LS_NAME) };
   parallel_for(g.n_descs, 64, read_fdinfo_of, &job);
   bool ends = job.ends;
   r = ends ? endpoints_index(&ls_listing.endpoints, &g) : 0;
   if (r == 0 && wants_sockets(o))
      r = read_sockets(&g);
   if (r < 0) {
      fprintf(stderr, "fdid: %s\n", strerror(-r));
      grouping_finish(&g);
      scan_finish(&sc);
      return CLI_EXIT_ERROR;
   }
   struct summary s;
   /* Each target costs a question that walks its set in the kernel: only
    * where they are shown. */
   r = wants_targets(o) ? group_link_epoll_targets(&g, shown_description, o) : 0;
   if (r == 0)
      r = summarize(o, &sc, &g, &s);
   struct assoc_list assoc = { 0 };
   if (r == 0 && o->assoc)
      r = assoc_scan(&sc, &assoc);
   if (r == 0 && !o->json && o->counters != COUNTERS_ONLY)
      r = o->raw ? print_raw(o, &g) : print_aligned(o, &g);
   if (r == 0 && o->assoc && !o->json && o->counters != COUNTERS_ONLY)
      r = ls_assoc_print_table(&assoc, &g, o->raw, o->noheadings);
   if (r == 0 && o->counters != COUNTERS_NEVER)
      r = ls_print_counters(stdout, &g, shown_description, o);
   if (r < 0) {
      fprintf(stderr, "fdid: %s\n", strerror(-r));
      assoc_finish(&assoc);
      endpoints_finish(&ls_listing.endpoints);
      sockets_finish(&ls_listing.sockets);
      grouping_finish(&g);
      scan_finish(&sc);
      return CLI_EXIT_ERROR;
   }
   if (o->json) {
      print_json(o, &sc, &g, &s, o->assoc ? &assoc : NULL);
   } else {
      if (o->dmabuf_only)
         printf("%zu dma-bufs, %lld bytes (each buffer counted once; %lld if counted per fd)\n",
                s.dmabufs, s.dmabuf_bytes, s.dmabuf_bytes_per_fd);
      else
         printf("%zu descriptions, %zu shared; %zu processes, %u denied, %u vanished, "
                "%u not verifiable (kcmp refused); dma-bufs: %lld bytes, each counted once\n",
                s.descriptions, s.shared, sc.n_procs - sc.n_thread_tables, sc.procs_denied,
                sc.procs_vanished,
                g.procs_unverifiable, s.dmabuf_bytes);
      skipped_print_text(stdout, &sc);
   }
   assoc_finish(&assoc);
   endpoints_finish(&ls_listing.endpoints);
   sockets_finish(&ls_listing.sockets);
   grouping_finish(&g);
   scan_finish(&sc);
   return CLI_EXIT_OK;
}

static int
run(int argc, char **argv, bool dmabuf)
{
   struct options o = { .dmabuf_only = dmabuf };
   int r = parse(argc, argv, &o);
   parallel_use_cpus();
   if (cli_parsed(&r))
      r = list(&o);
   free(o.pids);
   free(o.cols);
   free(o.classes);
   filter_free(o.filter);
   return r;
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
