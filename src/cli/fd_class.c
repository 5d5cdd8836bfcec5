/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "fd_class.h"
#include "json.h"

/* An O_PATH open of a DRM node: it needs no right on the device and is
 * no client (no ioctl, no memory). */
static bool
path_only(const struct fdinfo *i)
{
   return i->has_flags && (i->flags & O_PATH);
}

static bool
drm_info(struct cell *c, const struct description *d)
{
   const struct fdinfo *i = &d->holders[0]->info;
   if (path_only(i)) {
      cell_put(c, "O_PATH (no client)");
      return true;
   }
   const char *driver = fdinfo_drm_driver(i), *client = fdinfo_drm_client_id(i);
   if (driver[0]) {
      cell_put(c, "driver=");
      cell_put(c, driver);
   }
   if (client[0]) {
      cell_put(c, driver[0] ? " client=" : "client=");
      cell_put(c, client);
   }
   return driver[0] || client[0];
}

/* driver and client_id are null where the kernel prints none (before 6.5,
 * and vgem on 6.1). */
static void
drm_json(FILE *f, const struct description *d)
{
   const struct fd_entry *e = d->holders[0];
   json_member(f, "rdev");
   fprintf(f, "\"%u:%u\"", major(e->rdev), minor(e->rdev));
   json_member(f, "driver");
   json_write_string_or_null(f, fdinfo_drm_driver(&e->info));
   json_member(f, "client_id");
   json_write_string_or_null(f, fdinfo_drm_client_id(&e->info));
   json_member(f, "path_only");
   fputs(path_only(&e->info) ? "true" : "false", f);
}

/* The size is the inode's (fstat); the exporter and name are fdinfo's. */
static bool
dmabuf_info(struct cell *c, const struct description *d)
{
   const struct fd_entry *e = d->holders[0];
   fprintf(c->f, "size=%lld", e->size);
   cell_put(c, " exporter=");
   cell_put(c, fdinfo_exp_name(&e->info));
   return true;
}

static void
dmabuf_json(FILE *f, const struct description *d)
{
   const struct fd_entry *e = d->holders[0];
   json_member(f, "size");
   fprintf(f, "%lld", e->size);
   json_member(f, "exporter");
   json_write_string_or_null(f, fdinfo_exp_name(&e->info));
   json_member(f, "buffer_name");
   if (e->info.has_buf_name)
      json_write_string(f, fdinfo_buf_name(&e->info));
   else
      fputs("null", f);
}

static bool
epoll_info(struct cell *c, const struct description *d)
{
   if (!d->holders[0]->has_info)
      return false;
   fprintf(c->f, "targets=%zu", d->holders[0]->n_targets);
   return true;
}

/* Each target as registered (fd) and the description it watches (id, null
 * when that is not among the scanned fds). */
static void
epoll_json(FILE *f, const struct description *d)
{
   const struct fd_entry *e = d->holders[0];
   if (!d->target_ids)
      return;
   json_member(f, "targets");
   fputc('[', f);
   for (size_t t = 0; t < e->n_targets; t++) {
      fprintf(f, "%s{\"fd\": %d, ", t ? ", " : "", e->targets[t].tfd);
      if (d->target_ids[t])
         fprintf(f, "\"id\": %zu}", d->target_ids[t]);
      else
         fprintf(f, "\"id\": null}");
   }
   fputc(']', f);
}

static const struct fd_class classes[] = {
   [FD_OTHER] = { "other" },
   [FD_FILE] = { "file" },
   [FD_DIR] = { "dir" },
   [FD_PIPE] = { "pipe" },
   [FD_SOCKET] = { "socket" },
   [FD_CHR] = { "chr" },
   [FD_BLK] = { "blk" },
   [FD_DRM] = { "drm", false, drm_info, drm_json },
   [FD_DMABUF] = { "dmabuf", true, dmabuf_info, dmabuf_json },
   [FD_EPOLL] = { "epoll", false, epoll_info, epoll_json },
   [FD_ANON] = { "anon" },
};

const struct fd_class *
fd_class_of(enum fd_type t)
{
   return &classes[t];
}

int
fd_type_from_name(const char *name)
{
   for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
      if (strcmp(classes[i].name, name) == 0)
         return (int)i;
   }
   return -1;
}

const char *
fd_type_names(void)
{
   return "drm, dmabuf, epoll, pipe, socket, file, dir, chr, blk, anon, other";
}

/* The classes the kernel's anon_inode_getfd() and friends name (and
 * pidfs, which keeps the name): what -t accepts beside the types. */
static const char *const ainode_classes[] = {
   "eventfd", "eventpoll", "inotify", "fanotify", "pidfd", "signalfd", "timerfd",
   "userfaultfd", "io_uring", "bpf-map", "bpf-prog", "bpf-link", "bpf_iter", "btf",
   "perf_event", "sync_file", "dmabuf", "kvm-vm", "kvm-vcpu", "iommufd", "memfd_secret",
   "seccomp notify", "landlock-ruleset", "vfio-device",
};
#define N_AINODE_CLASSES (sizeof(ainode_classes) / sizeof(ainode_classes[0]))

const char *
fd_ainode_class(const struct fd_entry *e, char *buf, size_t len)
{
   static const char prefix[] = "anon_inode:";
   if (e->type == FD_DMABUF)
      return "dmabuf";
   if (!e->name || strncmp(e->name, prefix, sizeof(prefix) - 1) != 0)
      return NULL;
   const char *c = e->name + sizeof(prefix) - 1;
   size_t n = strlen(c);
   if (n >= 2 && c[0] == '[' && c[n - 1] == ']') {
      c++;
      n -= 2;
   }
   if (n == 0 || n >= len)
      return NULL;
   memcpy(buf, c, n);
   buf[n] = '\0';
   return buf;
}

bool
fd_ainode_class_known(const char *name)
{
   for (size_t i = 0; i < N_AINODE_CLASSES; i++) {
      if (strcmp(ainode_classes[i], name) == 0)
         return true;
   }
   return false;
}

const char *
fd_ainode_class_names(void)
{
   static char names[512];
   if (!names[0]) {
      size_t at = 0;
      for (size_t i = 0; i < N_AINODE_CLASSES && at < sizeof(names); i++)
         at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s", i ? ", " : "",
                                ainode_classes[i]);
   }
   return names;
}
