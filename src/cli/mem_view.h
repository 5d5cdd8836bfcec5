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
#include <stdint.h>

#include "mem_sample.h"

/* How tables show it. */
struct mem_view {
   bool bytes;              /* sizes in bytes, not KiB/MiB/GiB */
   bool buffers;            /* also the table of every dma-buf */
};

/* The tables and the totals on stdout. 0 or -ENOMEM. */
int mem_print_tables(const struct mem_view *v, const struct mem_sample *prev,
                     const struct mem_sample *cur);

/* One JSON document on one line of stdout (keys in the README). */
void mem_print_json(const struct mem_sample *prev, const struct mem_sample *cur);

/* One sample in Prometheus' text format (mem_prometheus.c). */
void mem_print_prometheus(const struct mem_sample *cur);

#endif
