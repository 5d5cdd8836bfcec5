/* SPDX-License-Identifier: MIT */
/*
 * fdid mem's output (cmd_mem.c takes the samples): one sample of the
 * machine, shown as libsmartcols tables (mem_table.c) or as one JSON
 * document (mem_json.c), each beside the sample before it for engine
 * utilisation in the live view.
 */
#ifndef FDID_CLI_MEM_VIEW_H
#define FDID_CLI_MEM_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "group.h"
#include "mem.h"
#include "scan.h"

/* One scan and what was made of it. */
struct mem_sample {
   struct scan sc;
   struct grouping g;
   struct mem_report r;
   uint64_t time_ns;        /* CLOCK_MONOTONIC when the scan began */
   bool has_grouping, has_report;
};

/* How tables show it. */
struct mem_view {
   bool bytes;              /* sizes in bytes, not KiB/MiB/GiB */
   bool buffers;            /* also the table of every dma-buf */
};

/* c (a client of cur) in the sample before (prev, NULL: none): found once
 * per client, for all its engines; NULL when it is new. */
const struct mem_client *mem_sample_before(const struct mem_sample *prev,
                                           const struct mem_sample *cur,
                                           const struct mem_client *c);

/* The time between the samples; 0 without a previous one. */
uint64_t mem_sample_interval_ns(const struct mem_sample *prev, const struct mem_sample *cur);

/* The tables and the totals on stdout. 0 or -ENOMEM. */
int mem_print_tables(const struct mem_view *v, const struct mem_sample *prev,
                     const struct mem_sample *cur);

/* One JSON document on one line of stdout (keys in the README). */
void mem_print_json(const struct mem_sample *prev, const struct mem_sample *cur);

#endif
