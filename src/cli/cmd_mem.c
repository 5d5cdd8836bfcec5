/* SPDX-License-Identifier: MIT */
/*
 * fdid mem: GPU memory per process and per device, each dma-buf and each
 * DRM client counted once (mem.h), beside the per-fd sums other tools
 * show; -i SECONDS samples again and again and adds engine utilisation.
 *
 * This file takes the samples (one, or one per interval on a fixed grid)
 * and reads the options; mem_table.c, mem_json.c and mem_prometheus.c show
 * them.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mem_view.h"
#include "parallel.h"
#include "util/clock.h"
#include "util/number.h"

struct options {
   pid_t *pids;
   size_t n_pids;
   enum { FORMAT_TABLE, FORMAT_JSON, FORMAT_PROMETHEUS } format;
   struct mem_view view;
   double interval;         /* seconds; 0: one report */
   long count;              /* samples shown in a live view; 0: until killed */
};

static void
sample_finish(struct mem_sample *s)
{
   if (s->has_report)
      mem_report_finish(&s->r);
   if (s->has_grouping)
      grouping_finish(&s->g);
   scan_finish(&s->sc);
   memset(s, 0, sizeof(*s));
}

static int
sample_take(const struct options *o, struct mem_sample *s)
{
   memset(s, 0, sizeof(*s));
   s->time_ns = fdid_now_ns_u64();
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

/* ---- the command ------------------------------------------------------ */

static void
usage(FILE *f)
{
   fprintf(f,
           "Usage: fdid mem [-p PID]... [-b] [-B] [-J | --format FORMAT |\n"
           "                [-o [+]COLUMNS] [--raw] [--noheadings]] [-i SECONDS [-n COUNT]]\n"
           "\nGPU memory per process and per device: each dma-buf and each DRM client\n"
           "counted once, beside the sums counted per fd.\n\nOptions:\n"
           "  -p, --pid PID        only this process (repeatable; exit 3 if none such)\n"
           "  -b, --bytes          sizes in bytes, not KiB/MiB/GiB\n"
           "  -B, --buffers        also list every dma-buf and its holders\n"
           "  -J, --json           JSON, one document per line (per sample with -i)\n"
           "      --format FORMAT  table (the default), json (-J), or prometheus: the\n"
           "                       text format node_exporter's textfile collector reads\n"
           "                       (one sample: not with -i)\n"
           "  -o, --output COLUMNS the process table alone, with these columns\n"
           "                       (comma-separated; +COLUMNS adds to all of them)\n"
           "  -r, --raw            the process table alone, raw (cells separated by one\n"
           "                       blank, blanks in cells escaped, no blank before a unit)\n"
           "      --noheadings     the process table alone, without its header line\n"
           "  -H, --list-columns   the process table's columns, then exit\n"
           "  -i, --interval SEC   live view: sample every SEC seconds (0.1 to 3600),\n"
           "                       with engine utilisation between samples\n"
           "  -n, --count N        with -i: stop after N samples shown\n"
           "\nPSS divides each dma-buf's size among the processes holding it (by fd or\n"
           "mapping). Text other processes control is escaped as in `fdid ls`.\n");
}

/* Seconds as "D[.D]", digits only: no sign, blank, exponent, hex float
 * or locale's decimal comma (strtod would take all of those). */
static bool
parse_interval(const char *s, double *out)
{
   uint64_t whole, frac = 0;
   size_t n = strlen(s), k = fdid_parse_digits(s, n, 10, 3600, &whole);
   double scale = 1;
   if (k == 0)
      return false;
   if (s[k] == '.') {
      /* Nine decimals are a nanosecond; more say nothing more. */
      size_t f = fdid_parse_digits(s + k + 1, n - k - 1 < 9 ? n - k - 1 : 9, 10, UINT64_MAX,
                                   &frac);
      if (f == 0)
         return false;
      for (size_t i = 0; i < f; i++)
         scale *= 10;
      k += 1 + f;
      while (s[k] >= '0' && s[k] <= '9')
         k++;
   }
   double v = (double)whole + (double)frac / scale;
   if (s[k] || !(v >= 0.1 && v <= 3600))
      return false;
   *out = v;
   return true;
}

static const struct option mem_options[] = {
   { "pid", required_argument, NULL, 'p' }, { "bytes", no_argument, NULL, 'b' },
   { "buffers", no_argument, NULL, 'B' }, { "json", no_argument, NULL, 'J' },
   { "format", required_argument, NULL, 'F' },
   { "interval", required_argument, NULL, 'i' }, { "count", required_argument, NULL, 'n' },
   { "output", required_argument, NULL, 'o' }, { "raw", no_argument, NULL, 'r' },
   { "noheadings", no_argument, NULL, 'N' }, { "list-columns", no_argument, NULL, 'H' },
   { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
};

/* CLI_EXIT_OK, an exit code, or -1 when --help was printed. */
static int
parse(int argc, char **argv, struct options *o)
{
   bool count_given = false, columns_given = false;
   int c, r;
   for (optind = 1; (c = getopt_long(argc, argv, "p:bBJi:n:o:rHh", mem_options, NULL)) != -1;) {
      switch (c) {
      case 'p':
         if ((r = cli_add_pid(&o->pids, &o->n_pids, optarg)) != CLI_EXIT_OK)
            return r;
         break;
      case 'b': o->view.bytes = true; break;
      case 'B': o->view.buffers = true; break;
      case 'J': o->format = FORMAT_JSON; break;
      case 'F': {
         /* In the order of the enum. */
         static const char *const formats[] = { "table", "json", "prometheus", NULL };
         int f = cli_word(optarg, formats, "format");
         if (f < 0)
            return CLI_EXIT_ERROR;
         o->format = f;
         break;
      }
      case 'o':
         if (!mem_columns_parse(optarg, &o->view))
            return CLI_EXIT_ERROR;
         o->view.script = true;
         columns_given = true;
         break;
      case 'r': o->view.raw = o->view.script = true; break;
      case 'N': o->view.noheadings = o->view.script = true; break;
      case 'H': mem_columns_list(stdout); return -1;
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
   if (o->view.script && (o->format != FORMAT_TABLE || o->view.buffers)) {
      fprintf(stderr, "fdid: -o, --raw and --noheadings print the process table alone: "
                      "not with -J, --format or -B\n");
      return CLI_EXIT_ERROR;
   }
   if (o->view.script && !columns_given)
      mem_columns_default(&o->view);
   if (o->format == FORMAT_PROMETHEUS && o->interval > 0) {
      fprintf(stderr, "fdid: the prometheus format is one sample: no -i (a timer runs fdid "
                      "mem again)\n");
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
read_exporters(const struct mem_sample *s)
{
   for (size_t i = 0; i < s->r.n_buffers; i++) {
      if (s->r.buffers[i].fd)
         scan_read_fdinfo(s->r.buffers[i].fd);
   }
}

static int
show(const struct options *o, const struct mem_sample *prev, const struct mem_sample *cur)
{
   if (o->format == FORMAT_JSON || o->view.buffers)
      read_exporters(cur);
   if (o->format == FORMAT_JSON) {
      mem_print_json(prev, cur);
      return 0;
   }
   if (o->format == FORMAT_PROMETHEUS) {
      mem_print_prometheus(cur);
      return 0;
   }
   if (o->view.script) {
      int r = mem_print_process_table(&o->view, cur);
      if (r < 0)
         fprintf(stderr, "fdid: %s\n", strerror(-r));
      return r;
   }
   if (o->interval > 0) {
      /* In place on a terminal; a sample after another in a pipe. */
      if (isatty(STDOUT_FILENO))
         printf("\033[H\033[2J");
      printf("fdid mem: every %.1f s, engine utilisation over the last %.2f s\n\n", o->interval,
             (double)mem_sample_interval_ns(prev, cur) / 1e9);
   }
   int r = mem_print_tables(&o->view, prev, cur);
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
   struct mem_sample samples[2];
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
      struct mem_sample *prev = &samples[shown % 2], *cur = &samples[(shown + 1) % 2];
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
   parallel_use_cpus();
   if (cli_parsed(&r))
      r = report(&o);
   free(o.pids);
   return r;
}
