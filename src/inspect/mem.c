/* SPDX-License-Identifier: MIT */
/* GPU memory counted once (mem.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mem.h"
#include "proc_read.h"
#include "util/array.h"
#include "util/buffer_id.h"
#include "util/linux_abi.h"
#include "util/sysfs_device.h"


/* ---- dma-bufs ---------------------------------------------------------- */

/* One process holding one buffer, by one fd or by its mappings. */
struct hold {
   dev_t dev;
   ino_t ino;
   size_t proc;
   long long size;
   struct fd_entry *fd;     /* NULL: a mapping */
   struct mapped_dmabuf map; /* a mapping's */
};

static int
cmp_hold(const void *pa, const void *pb)
{
   const struct hold *a = pa, *b = pb;
   int c = fdid_inode_cmp(a->dev, a->ino, b->dev, b->ino);
   return c ? c : a->proc < b->proc ? -1 : a->proc > b->proc;
}

struct holds {
   struct hold *v;
   size_t n, cap;
};

static int
push_hold(struct holds *h, struct hold x)
{
   return fdid_array_push(h->v, h->n, h->cap, x);
}

/* Every dma-buf fd, then every dma-buf mapping of every listed process. */
static int
collect_holds(struct scan *sc, struct mem_report *r, struct holds *h, bool mappings)
{
   struct maps_context ctx = { 0 };
   int err = 0;
   for (size_t i = 0; err == 0 && i < sc->n_fds; i++) {
      struct fd_entry *e = &sc->fds[i];
      if (e->type != FD_DMABUF || e->proc->denied)
         continue;
      /* The dma-buf file system is one superblock: every buffer's st_dev. */
      ctx.dmabuf_dev_known = true;
      ctx.dmabuf_dev = e->dev;
      err = push_hold(h, (struct hold){ e->dev, e->ino, e->proc->owner, e->size, e, { 0 } });
   }
   /* Maps once per process (its threads share them), read through a
    * thread of a table of its own where there is one: a main thread that
    * exited has no maps to show. */
   for (size_t p = 0; mappings && err == 0 && p < sc->n_procs; p++) {
      if (sc->procs[p]->denied || sc->procs[p]->owner != p)
         continue;
      pid_t through = p + 1 < sc->n_procs && sc->procs[p + 1]->owner == p ? sc->procs[p + 1]->tid
                                                                          : sc->procs[p]->pid;
      struct maps_result m;
      int rr = maps_read_dmabufs(through, &ctx, &m);
      if (rr == -ENOMEM) {
         err = rr;
         break;
      }
      if (rr < 0) {
         r->totals.maps_unreadable++;
         continue;
      }
      r->procs[p].maps_read = true;
      r->procs[p].maps_tid = through;
      r->procs[p].maps_unverified = m.unverified;
      r->totals.maps_unverified += m.unverified;
      for (size_t b = 0; err == 0 && b < m.n_bufs; b++)
         err = push_hold(h, (struct hold){ m.bufs[b].dev, m.bufs[b].ino, p, m.bufs[b].size,
                                           NULL, m.bufs[b] });
      maps_result_finish(&m);
   }
   r->maps_checks = ctx.checks;
   maps_context_finish(&ctx);
   return err;
}

/* A buffer only mapped: its size from one of its mappings. */
static long long
mapped_size(const struct mem_report *r, const struct hold *v, size_t n)
{
   for (size_t i = 0; i < n; i++) {
      long long size = maps_mapping_size(r->procs[v[i].proc].maps_tid, &v[i].map);
      if (size >= 0)
         return size;
   }
   return -1;
}

/* The holds of one buffer (v[0..n), sorted by process) into a buffer. */
static int
make_buffer(struct mem_report *r, const struct hold *v, size_t n)
{
   struct mem_buffer *b = &r->buffers[r->n_buffers];
   memset(b, 0, sizeof(*b));
   b->dev = v[0].dev;
   b->ino = v[0].ino;
   b->size = -1;
   b->holders = calloc(n, sizeof(*b->holders));
   if (!b->holders)
      return -ENOMEM;
   r->n_buffers++;
   for (size_t i = 0; i < n; i++) {
      if (v[i].size >= 0 && (b->size < 0 || v[i].fd))
         b->size = v[i].size; /* an fd's fstat first; a mapping's is as good */
      if (v[i].fd && !b->fd)
         b->fd = v[i].fd;
      if (!b->n_holders || b->holders[b->n_holders - 1].proc != v[i].proc)
         b->holders[b->n_holders++].proc = v[i].proc;
      struct mem_buffer_holder *hd = &b->holders[b->n_holders - 1];
      if (v[i].fd) {
         hd->n_fds++;
         b->n_fds++;
      } else {
         hd->mapped = true;
      }
   }
   if (b->size < 0)
      b->size = mapped_size(r, v, n);
   return 0;
}

static void
count_buffer(struct mem_report *r, const struct mem_buffer *b)
{
   struct mem_totals *t = &r->totals;
   t->dmabufs++;
   t->dmabuf_fds += b->n_fds;
   for (size_t i = 0; i < b->n_holders; i++)
      r->procs[b->holders[i].proc].n_dmabufs++;
   if (b->size < 0) {
      t->dmabufs_size_unknown++;
      return;
   }
   uint64_t size = (uint64_t)b->size;
   t->dmabuf_bytes += size;
   t->dmabuf_bytes_per_fd += size * b->n_fds;
   t->dmabuf_bytes_per_process += size * b->n_holders;
   for (size_t i = 0; i < b->n_holders; i++) {
      struct mem_proc *p = &r->procs[b->holders[i].proc];
      p->dmabuf_bytes += size;
      p->dmabuf_pss_bytes += size / b->n_holders;
      if (b->n_holders == 1)
         p->dmabuf_alone_bytes += size;
   }
}

static int
build_buffers(struct scan *sc, struct mem_report *r, bool mappings)
{
   struct holds h = { 0 };
   int err = collect_holds(sc, r, &h, mappings);
   if (err == 0 && h.n) {
      qsort(h.v, h.n, sizeof(*h.v), cmp_hold);
      r->buffers = calloc(h.n, sizeof(*r->buffers));
      if (!r->buffers)
         err = -ENOMEM;
   }
   for (size_t i = 0, j; err == 0 && i < h.n; i = j) {
      for (j = i + 1; j < h.n && h.v[j].dev == h.v[i].dev && h.v[j].ino == h.v[i].ino; j++)
         ;
      err = make_buffer(r, &h.v[i], j - i);
      if (err == 0)
         count_buffer(r, &r->buffers[r->n_buffers - 1]);
   }
   free(h.v);
   return err;
}

/* ---- DRM clients -------------------------------------------------------- */

/* src into dst of cap bytes, cut to fit (sysfs paths are short). */
static void
copy_cut(char *dst, size_t cap, const char *src)
{
   size_t n = strnlen(src, cap - 1);
   memcpy(dst, src, n);
   dst[n] = 0;
}

/* The link's target's last component into out (empty when none). */
static void
link_basename(const char *path, char *out, size_t cap)
{
   char target[PATH_MAX];
   out[0] = 0;
   if (!realpath(path, target))
      return;
   const char *slash = strrchr(target, '/');
   copy_cut(out, cap, slash ? slash + 1 : target);
}

/* The device a DRM node belongs to, as sysfs names it (the card and
 * render nodes of one GPU share it), and its driver; both are the
 * kernel's text, not a process's. */
static void
device_of(dev_t rdev, char path_out[128], char driver_out[32])
{
   char link[64];
   fdid_sysfs_device_link(rdev, link, sizeof(link));
   char *target = fdid_sysfs_device_path(rdev);
   if (target) {
      const char *p = target;
      if (strncmp(p, "/sys/devices/", 13) == 0)
         p += 13;
      copy_cut(path_out, 128, p);
      free(target);
   } else {
      snprintf(path_out, 128, "char %u:%u", major(rdev), minor(rdev));
   }
   char drv[128];
   snprintf(drv, sizeof(drv), "%s/driver", link);
   link_basename(drv, driver_out, 32);
}

static int
find_device(struct mem_report *r, const struct mem_client *c, dev_t rdev, size_t *cap)
{
   char path[128], driver[32];
   device_of(rdev, path, driver);
   for (size_t i = 0; i < r->n_devices; i++) {
      if (strcmp(r->devices[i].path, path) == 0)
         return (int)i;
   }
   if (fdid_array_reserve(&r->devices, cap, r->n_devices + 1, sizeof(*r->devices)) != 0)
      return -ENOMEM;
   struct mem_device *d = &r->devices[r->n_devices];
   memset(d, 0, sizeof(*d));
   memcpy(d->path, path, sizeof(path));
   /* drm-driver is printed by the DRM core from the driver's own name. */
   snprintf(d->driver, sizeof(d->driver), "%s", c->usage.driver[0] ? c->usage.driver : driver);
   return (int)r->n_devices++;
}

/*
 * A local fd of the file behind a holder's fd (pidfd_getfd), or -1: the
 * fdinfo read through it is that file's, whatever the process puts at
 * that fd number meanwhile (a dma-buf whose name forges drm- lines, say).
 * It takes ptrace's attach right; without it, or for an O_PATH fd (which
 * pidfd_getfd does not hand out), the caller reads /proc/PID/fdinfo.
 */
static int
pin_file(const struct fd_entry *e)
{
   /* A thread's table (scan.h) is reached through that thread. */
   int pidfd = (int)syscall(SYS_pidfd_open, e->proc->tid,
                            e->proc->tid == e->proc->pid ? 0 : PIDFD_THREAD);
   if (pidfd < 0)
      return -1;
   int local = (int)syscall(SYS_pidfd_getfd, pidfd, e->fd, 0);
   close(pidfd);
   return local;
}

/* The DRM driver's own name (virtio_gpu, where sysfs names the PCI
 * function's, virtio-pci), asked of a file of ours: the pinned client. */
static void
driver_name(int fd, char out[DRM_USAGE_NAME])
{
   char name[DRM_USAGE_NAME] = { 0 };
   struct fdid_abi_version v = { .name_len = sizeof(name) - 1, .name = name };
   if (ioctl(fd, DRM_IOCTL_VERSION, &v) != 0 || !name[0])
      return;
   /* The kernel's text, cut to fit: a name only. */
   for (size_t i = 0; name[i]; i++) {
      if (name[i] < 0x21 || name[i] > 0x7e)
         return;
   }
   memcpy(out, name, sizeof(name));
}

/* The holder's fdinfo as drm-usage-stats, into u: 1 read, 0 the fd holds
 * something else now (another node's file, a dma-buf), -1 unreadable. */
static int
read_holder_usage(struct mem_report *r, const struct fd_entry *e, struct drm_usage *u,
                  bool *pinned)
{
   char path[64];
   int pin = pin_file(e);
   *pinned = pin >= 0;
   if (pin >= 0) {
      struct stat st;
      bool same_node = fstat(pin, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == e->rdev;
      if (!same_node) {
         close(pin);
         return 0;
      }
      snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pin);
   } else {
      snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)e->proc->tid, e->fd);
   }
   size_t len;
   char *text = proc_read_whole(path, &len);
   r->fdinfo_reads++;
   if (text)
      drm_usage_parse(text, len, u);
   free(text);
   /* Kernels before 6.5 (and drivers without drm-usage-stats) print no
    * drm-driver: the pinned file tells, an O_PATH one excepted (it takes no
    * ioctl: pidfd_getfd does not hand it out anyway). */
   if (text && pin >= 0 && !u->driver[0] && !u->not_a_client)
      driver_name(pin, u->driver);
   if (pin >= 0)
      close(pin);
   if (!text)
      return -1;
   return u->not_a_client ? 0 : 1;
}

/* One fdinfo read per description: the first holder whose fd is open and
 * still holds a file of the node. */
static void
read_usage(struct mem_report *r, struct mem_client *c)
{
   const struct description *d = c->desc;
   for (size_t h = 0; h < d->n_holders && !c->has_usage; h++) {
      struct drm_usage u;
      bool pinned;
      if (read_holder_usage(r, d->holders[h], &u, &pinned) <= 0)
         continue;
      c->usage = u;
      c->has_usage = true;
      c->pinned = pinned;
   }
   for (unsigned i = 0; i < c->usage.n_regions; i++) {
      const struct drm_usage_region *g = &c->usage.regions[i];
      /* drm-total- supersedes the legacy drm-memory-: a driver printing
       * both means the same bytes. */
      c->memory += (g->present & REGION_TOTAL) ? g->total : g->memory;
      c->resident += g->resident;
   }
}

/* A process holding the client through several fds counts it once. */
static void
count_client(struct mem_report *r, const struct mem_client *c)
{
   const struct description *d = c->desc;
   struct mem_device *dev = &r->devices[c->device];
   struct mem_totals *t = &r->totals;
   dev->n_clients++;
   dev->n_fds += d->n_holders;
   dev->memory += c->memory;
   dev->resident += c->resident;
   dev->memory_per_fd += c->memory * d->n_holders;
   t->drm_clients++;
   t->drm_clients_unverified += !d->verified;
   t->drm_fds += d->n_holders;
   t->drm_memory += c->memory;
   t->drm_memory_per_fd += c->memory * d->n_holders;
   /* Each process once per client, however many fds (and threads' file
    * tables) hold it: marked with the client, not searched per holder. */
   size_t mark = (size_t)(c - r->clients) + 1;
   for (size_t h = 0; h < d->n_holders; h++) {
      struct mem_proc *p = &r->procs[d->holders[h]->proc->owner];
      if (p->last_client == mark)
         continue;
      p->last_client = mark;
      p->n_clients++;
      p->drm_memory += c->memory;
   }
}

/* By device, then drm-client-id; clients without an id last. */
static int
cmp_client_id(const void *pa, const void *pb)
{
   const struct mem_client *a = *(const struct mem_client *const *)pa;
   const struct mem_client *b = *(const struct mem_client *const *)pb;
   if (a->device != b->device)
      return a->device < b->device ? -1 : 1;
   if (a->usage.has_client_id != b->usage.has_client_id)
      return a->usage.has_client_id ? -1 : 1;
   if (a->usage.client_id != b->usage.client_id)
      return a->usage.client_id < b->usage.client_id ? -1 : 1;
   return a < b ? -1 : a > b;
}

/*
 * drm-client-id names one client (one drm_file) per device. Two
 * descriptions that read the same id read one client: a process moved a
 * file between fd numbers while it was scanned. The first keeps its usage;
 * the others' is dropped and counted, never added twice.
 */
static int
drop_repeated_ids(struct mem_report *r)
{
   struct mem_client **v = malloc((r->n_clients ? r->n_clients : 1) * sizeof(*v));
   if (!v)
      return -ENOMEM;
   for (size_t i = 0; i < r->n_clients; i++)
      v[i] = &r->clients[i];
   qsort(v, r->n_clients, sizeof(*v), cmp_client_id);
   for (size_t i = 1; i < r->n_clients; i++) {
      if (!v[i]->usage.has_client_id || v[i]->device != v[i - 1]->device ||
          !v[i - 1]->usage.has_client_id || v[i]->usage.client_id != v[i - 1]->usage.client_id)
         continue;
      v[i]->memory = v[i]->resident = 0;
      v[i]->id_repeated = true;
      r->totals.drm_clients_id_repeated++;
   }
   free(v);
   return 0;
}

static int
build_clients(const struct grouping *g, struct mem_report *r)
{
   size_t n = 0, cap_devices = 0;
   for (size_t i = 0; i < g->n_descs; i++)
      n += g->descs[i].holders[0]->type == FD_DRM;
   r->clients = calloc(n ? n : 1, sizeof(*r->clients));
   if (!r->clients)
      return -ENOMEM;
   for (size_t i = 0; i < g->n_descs; i++) {
      const struct description *d = &g->descs[i];
      if (d->holders[0]->type != FD_DRM)
         continue;
      struct mem_client *c = &r->clients[r->n_clients];
      c->desc = d;
      read_usage(r, c);
      /* An O_PATH open needs no right on the device and makes no client. */
      if (c->has_usage && c->usage.has_flags && (c->usage.flags & O_PATH)) {
         r->totals.drm_path_fds += d->n_holders;
         memset(c, 0, sizeof(*c));
         continue;
      }
      /* Descriptions come in inode order, so one node's clients are
       * neighbours: its device is looked up in sysfs once, not per client. */
      const struct mem_client *last = r->n_clients ? &r->clients[r->n_clients - 1] : NULL;
      int dev = last && last->desc->holders[0]->rdev == d->holders[0]->rdev
                   ? (int)last->device
                   : find_device(r, c, d->holders[0]->rdev, &cap_devices);
      if (dev < 0)
         return dev;
      c->device = (size_t)dev;
      r->n_clients++;
   }
   int err = drop_repeated_ids(r);
   for (size_t i = 0; err == 0 && i < r->n_clients; i++)
      count_client(r, &r->clients[i]);
   return err;
}

/* ---- across samples ------------------------------------------------------ */

/* On the same device with the same drm-client-id (unique per device while
 * the client is open), or, without ids (vgem, kernels before 6.5), with
 * the same first holder: process, fd and inode. */
const struct mem_client *
mem_client_in(const struct mem_report *prev, const struct mem_report *r,
              const struct mem_client *c)
{
   const struct fd_entry *e = c->desc->holders[0];
   const char *device = r->devices[c->device].path;
   for (size_t i = 0; i < prev->n_clients; i++) {
      const struct mem_client *p = &prev->clients[i];
      if (strcmp(prev->devices[p->device].path, device) != 0)
         continue;
      if (c->usage.has_client_id || p->usage.has_client_id) {
         if (c->usage.has_client_id && p->usage.has_client_id &&
             c->usage.client_id == p->usage.client_id)
            return p;
         continue;
      }
      const struct fd_entry *x = p->desc->holders[0];
      if (x->proc->tid == e->proc->tid && x->fd == e->fd && x->ino == e->ino)
         return p;
   }
   return NULL;
}

double
mem_client_engine_busy(const struct mem_client *before, const struct mem_client *c,
                       unsigned engine, uint64_t wall_ns)
{
   if (!before || engine >= c->usage.n_engines)
      return -1;
   const struct drm_usage_engine *then =
      drm_usage_engine(&before->usage, c->usage.engines[engine].name);
   if (!then)
      return -1;
   return drm_usage_engine_busy(then, &c->usage.engines[engine], wall_ns);
}

/* ---- the report --------------------------------------------------------- */

static int
report_begin(struct scan *sc, struct mem_report *out)
{
   memset(out, 0, sizeof(*out));
   out->procs = calloc(sc->n_procs ? sc->n_procs : 1, sizeof(*out->procs));
   if (!out->procs)
      return -ENOMEM;
   out->n_procs = sc->n_procs;
   for (size_t i = 0; i < sc->n_procs; i++)
      out->procs[i].proc = sc->procs[i];
   return 0;
}

int
mem_report_build(struct scan *sc, const struct grouping *g, struct mem_report *out)
{
   int r = report_begin(sc, out);
   if (r == 0)
      r = build_buffers(sc, out, true);
   if (r == 0)
      r = build_clients(g, out);
   if (r < 0)
      mem_report_finish(out);
   return r;
}

int
mem_dmabuf_fd_totals(struct scan *sc, struct mem_totals *out)
{
   struct mem_report r;
   int err = report_begin(sc, &r);
   if (err == 0)
      err = build_buffers(sc, &r, false);
   memset(out, 0, sizeof(*out));
   if (err == 0)
      *out = r.totals;
   mem_report_finish(&r);
   return err;
}

static void
buffers_free(struct mem_buffer *buffers, size_t n)
{
   while (n)
      free(buffers[--n].holders);
   free(buffers);
}

void
mem_report_finish(struct mem_report *r)
{
   buffers_free(r->buffers, r->n_buffers);
   free(r->clients);
   free(r->devices);
   free(r->procs);
   memset(r, 0, sizeof(*r));
}
