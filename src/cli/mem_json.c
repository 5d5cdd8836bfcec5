/* SPDX-License-Identifier: MIT */
/*
 * fdid mem's JSON (mem_view.h): one document per line (JSON Lines: the
 * live view prints one per sample), keys fixed and documented in the
 * README, strings by json.h's rule (always valid UTF-8).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/sysmacros.h>

#include "json.h"
#include "mem_view.h"
#include "skipped.h"

static void
json_u64(FILE *f, const char *key, uint64_t v)
{
   json_member(f, key);
   fprintf(f, "%" PRIu64, v);
}

static void
json_holder(FILE *f, size_t i, const struct process *p)
{
   fprintf(f, "%s{\"pid\": %d", i ? ", " : "", (int)p->pid);
   json_member(f, "command");
   json_write_string(f, p->comm);
}

static void
json_buffers(FILE *f, const struct mem_report *m)
{
   fprintf(f, "\"dmabufs\": [");
   for (size_t i = 0; i < m->n_buffers; i++) {
      const struct mem_buffer *b = &m->buffers[i];
      fprintf(f, "%s{\"dev\": \"%u:%u\", \"inode\": %ju, \"size\": ", i ? ", " : "",
              major(b->dev), minor(b->dev), (uintmax_t)b->ino);
      if (b->size >= 0)
         fprintf(f, "%lld", b->size);
      else
         fputs("null", f);
      json_member(f, "exporter");
      json_write_string_or_null(f, b->fd && b->fd->has_info ? fdinfo_exp_name(&b->fd->info) : NULL);
      fprintf(f, ", \"fds\": %zu, \"holders\": [", b->n_fds);
      for (size_t h = 0; h < b->n_holders; h++) {
         const struct mem_buffer_holder *x = &b->holders[h];
         json_holder(f, h, m->procs[x->proc].proc);
         fprintf(f, ", \"fds\": %u, \"mapped\": %s, \"share\": %" PRIu64 "}", x->n_fds,
                 x->mapped ? "true" : "false",
                 b->size >= 0 ? (uint64_t)b->size / b->n_holders : 0);
      }
      fprintf(f, "]}");
   }
   fprintf(f, "]");
}

static void
json_region(FILE *f, const struct drm_usage_region *g)
{
   static const struct {
      unsigned bit;
      const char *key;
      size_t offset;
   } fields[] = {
      { REGION_TOTAL, "total", offsetof(struct drm_usage_region, total) },
      { REGION_SHARED, "shared", offsetof(struct drm_usage_region, shared) },
      { REGION_RESIDENT, "resident", offsetof(struct drm_usage_region, resident) },
      { REGION_PURGEABLE, "purgeable", offsetof(struct drm_usage_region, purgeable) },
      { REGION_ACTIVE, "active", offsetof(struct drm_usage_region, active) },
      { REGION_MEMORY, "memory", offsetof(struct drm_usage_region, memory) },
   };
   fprintf(f, "{\"name\": ");
   json_write_string(f, g->name);
   for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
      json_member(f, fields[k].key);
      if (g->present & fields[k].bit)
         fprintf(f, "%" PRIu64, *(const uint64_t *)((const char *)g + fields[k].offset));
      else
         fputs("null", f);
   }
   fputc('}', f);
}

static void
json_engine(FILE *f, const struct drm_usage_engine *e, double busy)
{
   fprintf(f, "{\"name\": ");
   json_write_string(f, e->name);
   json_member(f, "ns");
   e->present & ENGINE_NS ? fprintf(f, "%" PRIu64, e->ns) : fputs("null", f);
   json_member(f, "cycles");
   e->present & ENGINE_CYCLES ? fprintf(f, "%" PRIu64, e->cycles) : fputs("null", f);
   json_member(f, "total_cycles");
   e->present & ENGINE_TOTAL_CYCLES ? fprintf(f, "%" PRIu64, e->total_cycles) : fputs("null", f);
   fprintf(f, ", \"capacity\": %u, \"busy\": ", e->capacity ? e->capacity : 1);
   json_write_fraction(f, busy);
   fputc('}', f);
}

static void
json_clients(FILE *f, const struct mem_sample *prev, const struct mem_sample *cur)
{
   const struct mem_report *m = &cur->r;
   fprintf(f, "\"clients\": [");
   for (size_t i = 0; i < m->n_clients; i++) {
      const struct mem_client *c = &m->clients[i];
      const struct description *d = c->desc;
      fprintf(f, "%s{\"id\": %zu", i ? ", " : "", i + 1);
      json_member(f, "device");
      json_write_string(f, m->devices[c->device].path);
      json_member(f, "driver");
      json_write_string_or_null(f, c->usage.driver);
      json_member(f, "client_id");
      c->usage.has_client_id ? fprintf(f, "%" PRIu64, c->usage.client_id) : fputs("null", f);
      json_member(f, "pdev");
      json_write_string_or_null(f, c->usage.pdev);
      fprintf(f, ", \"verified\": %s, \"fdinfo_read\": %s, \"fdinfo_pinned\": %s, "
                 "\"id_repeated\": %s", d->verified ? "true" : "false",
              c->has_usage ? "true" : "false", c->pinned ? "true" : "false",
              c->id_repeated ? "true" : "false");
      json_u64(f, "memory", c->memory);
      json_u64(f, "resident", c->resident);
      fprintf(f, ", \"holders\": [");
      for (size_t h = 0; h < d->n_holders; h++) {
         json_holder(f, h, d->holders[h]->proc);
         fprintf(f, ", \"fd\": %d}", d->holders[h]->fd);
      }
      fprintf(f, "], \"regions\": [");
      for (unsigned k = 0; k < c->usage.n_regions; k++) {
         fputs(k ? ", " : "", f);
         json_region(f, &c->usage.regions[k]);
      }
      fprintf(f, "], \"engines\": [");
      const struct mem_client *before = mem_sample_before(prev, cur, c);
      uint64_t wall_ns = mem_sample_interval_ns(prev, cur);
      for (unsigned k = 0; k < c->usage.n_engines; k++) {
         fputs(k ? ", " : "", f);
         json_engine(f, &c->usage.engines[k], mem_client_engine_busy(before, c, k, wall_ns));
      }
      fprintf(f, "]}");
   }
   fprintf(f, "]");
}

static void
json_procs_and_devices(FILE *f, const struct mem_report *m)
{
   fprintf(f, "\"processes\": [");
   size_t n = 0;
   for (size_t i = 0; i < m->n_procs; i++) {
      const struct mem_proc *p = &m->procs[i];
      if (!p->n_dmabufs && !p->n_clients)
         continue;
      json_holder(f, n++, p->proc);
      fprintf(f, ", \"dmabufs\": %zu", p->n_dmabufs);
      json_u64(f, "dmabuf_bytes", p->dmabuf_bytes);
      json_u64(f, "dmabuf_alone_bytes", p->dmabuf_alone_bytes);
      json_u64(f, "dmabuf_pss_bytes", p->dmabuf_pss_bytes);
      fprintf(f, ", \"drm_clients\": %zu", p->n_clients);
      json_u64(f, "drm_memory_bytes", p->drm_memory);
      fprintf(f, ", \"maps_read\": %s, \"maps_unverified\": %u}", p->maps_read ? "true" : "false",
              p->maps_unverified);
   }
   fprintf(f, "], \"devices\": [");
   for (size_t i = 0; i < m->n_devices; i++) {
      const struct mem_device *d = &m->devices[i];
      fprintf(f, "%s{\"device\": ", i ? ", " : "");
      json_write_string(f, d->path);
      json_member(f, "driver");
      json_write_string_or_null(f, d->driver);
      fprintf(f, ", \"clients\": %zu, \"fds\": %zu", d->n_clients, d->n_fds);
      json_u64(f, "memory_bytes", d->memory);
      json_u64(f, "memory_bytes_per_fd", d->memory_per_fd);
      json_u64(f, "resident_bytes", d->resident);
      fputc('}', f);
   }
   fprintf(f, "]");
}

void
mem_print_json(const struct mem_sample *prev, const struct mem_sample *cur)
{
   FILE *f = stdout;
   const struct mem_report *m = &cur->r;
   const struct mem_totals *t = &m->totals;
   fprintf(f, "{\"interval_ns\": ");
   prev ? fprintf(f, "%" PRIu64, mem_sample_interval_ns(prev, cur)) : fputs("null", f);
   fprintf(f, ", ");
   json_procs_and_devices(f, m);
   fprintf(f, ", ");
   json_clients(f, prev, cur);
   fprintf(f, ", ");
   json_buffers(f, m);
   fprintf(f, ", \"skipped\": ");
   skipped_print_json(f, &cur->sc);
   fprintf(f, ", \"totals\": {\"dmabufs\": %zu, \"dmabuf_fds\": %zu", t->dmabufs, t->dmabuf_fds);
   json_u64(f, "dmabuf_bytes", t->dmabuf_bytes);
   json_u64(f, "dmabuf_bytes_per_process", t->dmabuf_bytes_per_process);
   json_u64(f, "dmabuf_bytes_per_fd", t->dmabuf_bytes_per_fd);
   fprintf(f, ", \"dmabufs_size_unknown\": %zu, \"maps_unverified\": %u, "
              "\"maps_unreadable\": %u, \"drm_clients\": %zu, \"drm_clients_unverified\": %zu, "
              "\"drm_fds\": %zu, \"drm_devices\": %zu, \"drm_clients_id_repeated\": %zu, "
              "\"drm_path_fds\": %zu",
           t->dmabufs_size_unknown, t->maps_unverified, t->maps_unreadable, t->drm_clients,
           t->drm_clients_unverified, t->drm_fds, m->n_devices, t->drm_clients_id_repeated,
           t->drm_path_fds);
   json_u64(f, "drm_memory_bytes", t->drm_memory);
   json_u64(f, "drm_memory_bytes_per_fd", t->drm_memory_per_fd);
   fprintf(f, ", \"processes\": %zu, \"processes_denied\": %u, \"processes_vanished\": %u, "
              "\"processes_unverifiable\": %u, \"fdinfo_reads\": %lu}}\n",
           cur->sc.n_procs - cur->sc.n_thread_tables, cur->sc.procs_denied, cur->sc.procs_vanished,
           cur->g.procs_unverifiable, m->fdinfo_reads);
}

