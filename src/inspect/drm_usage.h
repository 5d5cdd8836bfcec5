/* SPDX-License-Identifier: MIT */
/*
 * DRM client usage from fdinfo, the keys of the kernel's drm-usage-stats
 * document (Documentation/gpu/drm-usage-stats.rst): the client's driver,
 * PCI device and id; per memory region its total, shared, resident,
 * purgeable and active bytes (and the legacy drm-memory-); per engine its
 * busy time, cycles, total cycles and capacity. The first step of
 * `fdid mem` (GPU memory counted once per client).
 *
 * fdinfo is hostile input like every file another process shapes: the
 * first line of each key counts, numbers are strict, names are bounded
 * copies, and what does not fit is counted, not guessed.
 */
#ifndef FDID_INSPECT_DRM_USAGE_H
#define FDID_INSPECT_DRM_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { DRM_USAGE_MAX = 16, DRM_USAGE_NAME = 32 };

/* Which fields of a region were printed. */
enum {
   REGION_TOTAL = 1 << 0, REGION_SHARED = 1 << 1, REGION_RESIDENT = 1 << 2,
   REGION_PURGEABLE = 1 << 3, REGION_ACTIVE = 1 << 4, REGION_MEMORY = 1 << 5,
};

struct drm_usage_region {
   char name[DRM_USAGE_NAME];     /* "vram", "system0", "memory" */
   unsigned present;              /* REGION_* */
   uint64_t total, shared, resident, purgeable, active, memory; /* bytes */
};

enum {
   ENGINE_NS = 1 << 0, ENGINE_CYCLES = 1 << 1, ENGINE_TOTAL_CYCLES = 1 << 2,
   ENGINE_CAPACITY = 1 << 3,
};

struct drm_usage_engine {
   char name[DRM_USAGE_NAME];     /* "gfx", "render", "rcs" */
   unsigned present;              /* ENGINE_* */
   uint64_t ns, cycles, total_cycles;
   unsigned capacity;             /* 1 when not printed */
};

struct drm_usage {
   char driver[DRM_USAGE_NAME];   /* empty: not a DRM client's fdinfo */
   char pdev[DRM_USAGE_NAME];
   bool has_client_id;
   uint64_t client_id;
   unsigned n_regions, n_engines;
   struct drm_usage_region regions[DRM_USAGE_MAX];
   struct drm_usage_engine engines[DRM_USAGE_MAX];
   unsigned dropped;              /* regions or engines past DRM_USAGE_MAX */
   unsigned malformed;            /* drm- lines whose value did not parse */
   bool has_flags;
   unsigned flags;                /* the description's open flags (O_PATH...) */
   /* The text is a dma-buf's (it has an exporter or a name): whatever the
    * scan saw at that fd number, this is no DRM client. Nothing after the
    * line that said so is read. */
   bool not_a_client;
};

/* Parses fdinfo text (len bytes, not NUL-terminated). Never fails. */
void drm_usage_parse(const char *text, size_t len, struct drm_usage *out);

/* The region or engine of that name, or NULL. */
const struct drm_usage_region *drm_usage_region(const struct drm_usage *u, const char *name);
const struct drm_usage_engine *drm_usage_engine(const struct drm_usage *u, const char *name);

/* An engine's utilisation between two samples of one client taken wall_ns
 * apart, as drm-usage-stats defines it: from drm-cycles- over
 * drm-total-cycles- when both samples have them, else from drm-engine-
 * busy nanoseconds over the wall time times drm-engine-capacity-. A
 * fraction (1.0 = the engine busy all the time; sampling jitter can make
 * it a little more); -1 when the samples cannot tell (a counter missing
 * or gone back). */
double drm_usage_engine_busy(const struct drm_usage_engine *before,
                             const struct drm_usage_engine *after, uint64_t wall_ns);

#endif
