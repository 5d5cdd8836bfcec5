/* SPDX-License-Identifier: MIT */
/*
 * One sample of `fdid mem`: a scan, its grouping and the report made of
 * them, timed, and how it relates to the sample before it (the live view's
 * engine utilisation is between two samples).
 */
#ifndef FDID_INSPECT_MEM_SAMPLE_H
#define FDID_INSPECT_MEM_SAMPLE_H

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

/* c (a client of cur) in the sample before (prev, NULL: none): found once
 * per client, for all its engines; NULL when it is new. */
const struct mem_client *mem_sample_before(const struct mem_sample *prev,
                                           const struct mem_sample *cur,
                                           const struct mem_client *c);

/* The time between the samples; 0 without a previous one. */
uint64_t mem_sample_interval_ns(const struct mem_sample *prev, const struct mem_sample *cur);

#endif
