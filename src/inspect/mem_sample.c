/* SPDX-License-Identifier: MIT */
/* Samples of fdid mem, each beside the one before (mem_sample.h). */
#include "mem_sample.h"

const struct mem_client *
mem_sample_before(const struct mem_sample *prev, const struct mem_sample *cur,
                  const struct mem_client *c)
{
   return prev ? mem_client_in(&prev->r, &cur->r, c) : NULL;
}

uint64_t
mem_sample_interval_ns(const struct mem_sample *prev, const struct mem_sample *cur)
{
   return prev ? cur->time_ns - prev->time_ns : 0;
}
