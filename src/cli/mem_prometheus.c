/* SPDX-License-Identifier: MIT */
/*
 * fdid mem --format=prometheus (mem_view.h): one sample in Prometheus'
 * text exposition format, for node_exporter's textfile collector. Every
 * metric is a gauge named fdid_*; the names and labels are documented in
 * docs/inspector.md. Figures that count each buffer or client once have
 * metrics of their own beside the per-fd and per-process sums, never a
 * label that would add them up twice. Numbers are integers in the C
 * locale's digits; label values go through prom_write_label_value().
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "mem_view.h"
#include "prometheus.h"

static void
family(FILE *f, const char *name, const char *help)
{
   fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void
sample(FILE *f, const char *name, uint64_t v)
{
   fprintf(f, "%s %" PRIu64 "\n", name, v);
}

/* A gauge of one row kind: a field of each row, size_t or uint64_t. */
struct metric {
   const char *name, *help;
   size_t offset;
   bool is_size;
};

static uint64_t
field(const void *base, const struct metric *m)
{
   const char *p = (const char *)base + m->offset;
   return m->is_size ? (uint64_t) * (const size_t *)p : *(const uint64_t *)p;
}

/* How a row kind is written: which rows have samples, and their labels. */
struct rows {
   const void *base;
   size_t n, size;
   bool (*keep)(const void *row);
   void (*labels)(FILE *f, const void *row);
};

/* Each metric's family, with a sample per row kept. */
static void
families(FILE *f, const struct metric *metrics, size_t n_metrics, const struct rows *r)
{
   for (size_t k = 0; k < n_metrics; k++) {
      family(f, metrics[k].name, metrics[k].help);
      for (size_t i = 0; i < r->n; i++) {
         const void *row = (const char *)r->base + i * r->size;
         if (!r->keep(row))
            continue;
         fputs(metrics[k].name, f);
         r->labels(f, row);
         fprintf(f, " %" PRIu64 "\n", field(row, &metrics[k]));
      }
   }
}

/* Processes that hold nothing have no samples. */
static bool
process_kept(const void *row)
{
   const struct mem_proc *mp = row;
   return mp->n_dmabufs || mp->n_clients;
}

/* pid, command and, for a thread's own file table, tid: one series per
 * table, never two with one label set. */
static void
process_labels(FILE *f, const void *row)
{
   const struct process *p = ((const struct mem_proc *)row)->proc;
   fprintf(f, "{pid=\"%d\"", (int)p->pid);
   if (p->tid != p->pid)
      fprintf(f, ",tid=\"%d\"", (int)p->tid);
   fputs(",command=\"", f);
   prom_write_label_value(f, p->comm);
   fputs("\"}", f);
}

static const struct metric proc_metrics[] = {
#define PROC(name, field, size, help) { name, help, offsetof(struct mem_proc, field), size }
   PROC("fdid_process_dmabufs", n_dmabufs, true, "dma-bufs the process holds (fd or mapping)."),
   PROC("fdid_process_dmabuf_bytes", dmabuf_bytes, false,
        "Bytes of the dma-bufs the process holds, each buffer once."),
   PROC("fdid_process_dmabuf_alone_bytes", dmabuf_alone_bytes, false,
        "Bytes of dma-bufs no other process holds."),
   PROC("fdid_process_dmabuf_pss_bytes", dmabuf_pss_bytes, false,
        "Each held dma-buf's size divided among its holding processes."),
   PROC("fdid_process_drm_clients", n_clients, true, "DRM clients the process holds, each once."),
   PROC("fdid_process_drm_memory_bytes", drm_memory, false,
        "Memory of the DRM clients the process holds, each client once."),
#undef PROC
};

static bool
every_row(const void *row)
{
   return true;
}

static void
device_labels(FILE *f, const void *row)
{
   const struct mem_device *d = row;
   fputs("{device=\"", f);
   prom_write_label_value(f, d->path);
   fputs("\",driver=\"", f);
   prom_write_label_value(f, d->driver);
   fputs("\"}", f);
}

static const struct metric device_metrics[] = {
#define DEV(name, field, size, help) { name, help, offsetof(struct mem_device, field), size }
   DEV("fdid_device_drm_clients", n_clients, true, "DRM clients of the device, each once."),
   DEV("fdid_device_drm_fds", n_fds, true, "fds of the device's nodes."),
   DEV("fdid_device_memory_bytes", memory, false, "Memory of the device's clients, each once."),
   DEV("fdid_device_memory_per_fd_bytes", memory_per_fd, false,
       "The same memory counted once per fd, as per-fd tools count it."),
   DEV("fdid_device_resident_bytes", resident, false,
       "Resident memory of the device's clients, each once."),
#undef DEV
};

void
mem_print_prometheus(const struct mem_sample *cur)
{
   FILE *f = stdout;
   const struct mem_report *m = &cur->r;
   const struct mem_totals *t = &m->totals;
   const struct rows procs = { m->procs, m->n_procs, sizeof(m->procs[0]), process_kept,
                               process_labels };
   const struct rows devs = { m->devices, m->n_devices, sizeof(m->devices[0]), every_row,
                              device_labels };
   families(f, proc_metrics, sizeof(proc_metrics) / sizeof(proc_metrics[0]), &procs);
   families(f, device_metrics, sizeof(device_metrics) / sizeof(device_metrics[0]), &devs);
   const struct {
      const char *name, *help;
      uint64_t v;
   } totals[] = {
      { "fdid_dmabufs", "dma-bufs on the machine, each once.", t->dmabufs },
      { "fdid_dmabuf_bytes", "Bytes of dma-bufs, each buffer once.", t->dmabuf_bytes },
      { "fdid_dmabuf_bytes_per_process", "The same, counted once per holding process.",
        t->dmabuf_bytes_per_process },
      { "fdid_dmabuf_bytes_per_fd", "The same, counted once per fd.", t->dmabuf_bytes_per_fd },
      { "fdid_dmabuf_fds", "fds of dma-bufs.", t->dmabuf_fds },
      { "fdid_dmabufs_size_unknown", "dma-bufs whose size could not be read.",
        t->dmabufs_size_unknown },
      { "fdid_drm_clients", "DRM clients (open file descriptions of DRM nodes), each once.",
        t->drm_clients },
      { "fdid_drm_clients_unverified", "DRM clients that could not be told apart by identity.",
        t->drm_clients_unverified },
      { "fdid_drm_fds", "fds of DRM nodes.", t->drm_fds },
      { "fdid_drm_devices", "DRM devices with clients.", m->n_devices },
      { "fdid_drm_memory_bytes", "Memory of DRM clients, each client once.", t->drm_memory },
      { "fdid_drm_memory_per_fd_bytes", "The same, counted once per fd.", t->drm_memory_per_fd },
      { "fdid_processes", "Processes scanned.", cur->sc.n_procs - cur->sc.n_thread_tables },
      { "fdid_processes_denied", "Processes whose fds could not be read.", cur->sc.procs_denied },
      { "fdid_processes_vanished", "Processes gone during the scan.", cur->sc.procs_vanished },
   };
   for (size_t k = 0; k < sizeof(totals) / sizeof(totals[0]); k++) {
      family(f, totals[k].name, totals[k].help);
      sample(f, totals[k].name, totals[k].v);
   }
}
