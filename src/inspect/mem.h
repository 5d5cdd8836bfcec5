/* SPDX-License-Identifier: MIT */
/*
 * GPU memory counted once (`fdid mem`): from a scan and its grouping into
 * open file descriptions, every dma-buf once with the processes that hold
 * it by fd or by mapping, and every DRM client (an open description of a
 * DRM device) once with every fd that holds it and its drm-usage-stats.
 *
 * Counted once: a dma-buf is one inode of the dma-buf file system (its
 * size the inode's); a DRM client is one description, as the kernel's
 * identity grouped it. A process's proportional share (PSS) divides each
 * buffer's size among the processes that hold it, rounded down per
 * buffer. A DRM description fdid could not verify (kcmp refused, process
 * not inspectable) is a client of its own, flagged: never merged with
 * another on a guess, so its memory may count more than once, and the
 * report says how many such clients there are.
 */
#ifndef FDID_INSPECT_MEM_H
#define FDID_INSPECT_MEM_H

#include <stdint.h>

#include "drm_usage.h"
#include "group.h"
#include "maps.h"
#include "scan.h"

/* One holder of a dma-buf: a process, by its fds, its mappings or both. */
struct mem_buffer_holder {
   size_t proc;             /* index in mem_report.procs */
   unsigned n_fds;          /* fds of that process on the buffer */
   bool mapped;
};

struct mem_buffer {
   dev_t dev;
   ino_t ino;
   long long size;          /* the inode's; -1 when no holder could tell */
   struct fd_entry *fd;      /* one fd on it, NULL when only mapped */
   struct mem_buffer_holder *holders;
   size_t n_holders;        /* processes */
   size_t n_fds;            /* fds, across processes */
};

struct mem_client {
   const struct description *desc;
   size_t device;           /* index in mem_report.devices */
   bool has_usage;          /* fdinfo read (a holder's fd was still open) */
   bool pinned;             /* ... through a local fd of the very file */
   bool id_repeated;        /* its drm-client-id was another's: not counted */
   struct drm_usage usage;
   uint64_t memory;         /* sum of drm-total-* (else drm-memory-*) */
   uint64_t resident;       /* sum of drm-resident-* */
};

struct mem_device {
   char path[128];          /* sysfs device ("platform/vgem"), or "char M:m" */
   char driver[32];         /* fdinfo's drm-driver, else sysfs; may be empty */
   size_t n_clients, n_fds;
   uint64_t memory, memory_per_fd, resident;
};

struct mem_proc {
   const struct process *proc;
   size_t n_dmabufs;        /* buffers held, by fd or mapping */
   uint64_t dmabuf_bytes, dmabuf_alone_bytes, dmabuf_pss_bytes;
   size_t n_clients;        /* DRM clients held (a client once) */
   uint64_t drm_memory;     /* their memory, each client once */
   bool maps_read;
   pid_t maps_tid;          /* the thread whose maps were read */
   unsigned maps_unverified;
   size_t last_client;      /* the client last counted here, 1-based */
};

struct mem_totals {
   size_t dmabufs, dmabuf_fds, dmabufs_size_unknown;
   uint64_t dmabuf_bytes;            /* each buffer once */
   uint64_t dmabuf_bytes_per_fd;     /* what counting per fd shows */
   uint64_t dmabuf_bytes_per_process; /* ... and per holding process */
   size_t drm_clients, drm_clients_unverified, drm_fds;
   size_t drm_clients_id_repeated; /* read another client's id: not counted */
   size_t drm_path_fds;             /* O_PATH fds of DRM nodes: no clients */
   uint64_t drm_memory, drm_memory_per_fd;
   unsigned maps_unverified, maps_unreadable;
};

struct mem_report {
   struct mem_buffer *buffers;
   size_t n_buffers;
   struct mem_client *clients;
   size_t n_clients;
   struct mem_device *devices;
   size_t n_devices;
   struct mem_proc *procs;  /* as the scan's procs */
   size_t n_procs;
   struct mem_totals totals;
   unsigned long fdinfo_reads; /* one per DRM description (the benchmark) */
   unsigned long maps_checks;  /* statfs calls to find the dma-buf fs */
};

/* Builds the report: reads every scanned process's maps and one fdinfo
 * per DRM description. 0, or -ENOMEM (the report is then empty). */
int mem_report_build(struct scan *sc, const struct grouping *g, struct mem_report *out);

void mem_report_finish(struct mem_report *r);

/* The dma-bufs held by fd alone, counted as the report counts them (each
 * buffer once, its size the inode's; per fd beside it): the totals `fdid
 * ls` and `fdid dmabuf` print. Only the dmabuf totals are set. 0 or
 * -ENOMEM. */
int mem_dmabuf_fd_totals(struct scan *sc, struct mem_totals *out);

/* Client c of report r in an earlier report prev: on the same device with
 * the same drm-client-id, or, where the kernel prints no ids, with the
 * same first holder (process, fd, inode). NULL when it is new. */
const struct mem_client *mem_client_in(const struct mem_report *prev,
                                       const struct mem_report *r,
                                       const struct mem_client *c);

/* Utilisation of c's engine number `engine` since `before` (c in an
 * earlier report, mem_client_in(); NULL: none), taken wall_ns apart
 * (drm_usage_engine_busy); -1 when there is no before, the engine was not
 * there before, or the counters cannot tell. */
double mem_client_engine_busy(const struct mem_client *before, const struct mem_client *c,
                              unsigned engine, uint64_t wall_ns);

#endif
