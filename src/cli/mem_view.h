/* SPDX-License-Identifier: MIT */
/*
 * fdid mem's output (cmd_mem.c takes the samples): one sample of the
 * machine, shown as libsmartcols tables (mem_table.c), as one JSON
 * document (mem_json.c) or in Prometheus' text format (mem_prometheus.c), each beside the sample before it for engine
 * utilisation in the live view.
 */
#ifndef FDID_CLI_MEM_VIEW_H
#define FDID_CLI_MEM_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mem_sample.h"

/* As many cells as a table row has (mem_table.c). */
#define MEM_COLUMNS_MAX 16

/* How tables show it. */
struct mem_view {
   bool bytes;              /* sizes in bytes, not KiB/MiB/GiB */
   bool buffers;            /* also the table of every dma-buf */
   /* The script form (-o, --raw, --noheadings): the process table alone,
    * with these columns (indices into the process columns). */
   bool script, raw, noheadings;
   unsigned columns[MEM_COLUMNS_MAX];
   size_t n_columns;
};

/* -o's LIST into v->columns: names of the process table's columns,
 * comma-separated, any case; a leading "+" adds them to every column.
 * false after a message on stderr. */
bool mem_columns_parse(const char *list, struct mem_view *v);
/* Every column of the process table: the default of the script form. */
void mem_columns_default(struct mem_view *v);
/* --list-columns: each column and what it shows. */
void mem_columns_list(FILE *f);

/* The script form: the process table alone, on stdout. 0 or -ENOMEM. */
int mem_print_process_table(const struct mem_view *v, const struct mem_sample *cur);

/* The tables and the totals on stdout. 0 or -ENOMEM. */
int mem_print_tables(const struct mem_view *v, const struct mem_sample *prev,
                     const struct mem_sample *cur);

/* One JSON document on one line of stdout (keys in the README). */
void mem_print_json(const struct mem_sample *prev, const struct mem_sample *cur);

/* One sample in Prometheus' text format (mem_prometheus.c). */
void mem_print_prometheus(const struct mem_sample *cur);

#endif
