/* SPDX-License-Identifier: MIT */
/* Files held without an fd (assoc.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "assoc.h"
#include "maps.h"
#include "proc_read.h"
#include "util/array.h"
#include "util/buffer_id.h"

const char *
assoc_kind_name(enum assoc_kind k)
{
   static const char *const names[] = { "exe", "cwd", "root", "mem" };
   return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static int
add(struct assoc_list *l, struct process *p, enum assoc_kind kind, dev_t dev, ino_t ino,
    const char *name, size_t name_len)
{
   char *copy = strndup(name, name_len);
   if (!copy)
      return -ENOMEM;
   struct assoc a = { p, kind, dev, ino, copy };
   if (fdid_array_push(l->v, l->n, l->cap, a) != 0) {
      free(copy);
      return -ENOMEM;
   }
   return 0;
}

/* exe, cwd, root: the magic link's inode (stat follows it to the file the
 * kernel holds) and its text; one that cannot be read is counted. */
static int
add_link(struct assoc_list *l, struct process *p, enum assoc_kind kind, const char *link,
         bool *unreadable)
{
   char path[64], target[PATH_MAX];
   snprintf(path, sizeof(path), "/proc/%d/%s", (int)p->pid, link);
   struct stat st;
   ssize_t n = readlink(path, target, sizeof(target));
   if (n < 0 || stat(path, &st) != 0) {
      /* A kernel thread has no exe; no permission, or gone: counted. */
      if (errno != ENOENT || kind != ASSOC_EXE)
         *unreadable = true;
      return 0;
   }
   return add(l, p, kind, st.st_dev, st.st_ino, target, (size_t)n);
}

struct maps_walk {
   struct assoc_list *l;
   struct process *p;
   size_t first; /* this process's first mapping in l */
};

/* One maps line: a mapping of a file (an inode) is an association; the
 * path is what follows the fields (the kernel escapes its newlines). */
static int
map_line(const char *text, size_t len, bool whole, void *arg)
{
   struct maps_walk *w = arg;
   unsigned long start, end;
   dev_t dev;
   ino_t ino;
   if (!maps_line_file(text, len, &start, &end, &dev, &ino))
      return 0;
   /* Consecutive mappings of one file (text, data, bss...) are one; the
    * others fold once the process is read (add_maps). */
   if (w->l->n > w->first) {
      const struct assoc *last = &w->l->v[w->l->n - 1];
      if (last->dev == dev && last->ino == ino)
         return 0;
   }
   const char *path = memchr(text, '/', len);
   size_t path_len = path ? len - (size_t)(path - text) : 0;
   if (!whole)
      path_len = 0; /* a name cut by the reader: not shown */
   int r = add(w->l, w->p, ASSOC_MEM, dev, ino, path ? path : "", path_len);
   return r;
}

static int
by_file(const void *pa, const void *pb)
{
   const struct assoc *a = pa, *b = pb;
   int c = fdid_inode_cmp(a->dev, a->ino, b->dev, b->ino);
   if (c)
      return c;
   if (a->proc->pid != b->proc->pid)
      return a->proc->pid < b->proc->pid ? -1 : 1;
   return (int)a->kind - (int)b->kind;
}

/* One process's mappings, each file once. */
static int
add_maps(struct assoc_list *l, struct process *p, bool *unreadable)
{
   char path[64];
   snprintf(path, sizeof(path), "/proc/%d/maps", (int)p->pid);
   struct maps_walk w = { l, p, l->n };
   int r = proc_read_lines(path, map_line, &w);
   if (r == -ENOMEM)
      return r;
   if (r < 0) {
      /* Unreadable or cut short: nothing of it is taken. */
      for (size_t i = w.first; i < l->n; i++)
         free(l->v[i].name);
      l->n = w.first;
      *unreadable = true;
      return 0;
   }
   /* Each file once per process: sort this process's part and fold. */
   qsort(l->v + w.first, l->n - w.first, sizeof(*l->v), by_file);
   size_t n = w.first;
   for (size_t i = w.first; i < l->n; i++) {
      if (n > w.first && l->v[n - 1].dev == l->v[i].dev && l->v[n - 1].ino == l->v[i].ino) {
         free(l->v[i].name);
         continue;
      }
      l->v[n++] = l->v[i];
   }
   l->n = n;
   return 0;
}

int
assoc_scan(const struct scan *sc, struct assoc_list *out)
{
   memset(out, 0, sizeof(*out));
   static const struct {
      enum assoc_kind kind;
      const char *link;
   } links[] = { { ASSOC_EXE, "exe" }, { ASSOC_CWD, "cwd" }, { ASSOC_ROOT, "root" } };
   for (size_t i = 0; i < sc->n_procs; i++) {
      struct process *p = sc->procs[i];
      /* A thread's own file table shares its process's associations. */
      if (p->tid != p->pid || p->denied)
         continue;
      bool unreadable = false;
      int r = 0;
      for (size_t k = 0; r == 0 && k < sizeof(links) / sizeof(links[0]); k++)
         r = add_link(out, p, links[k].kind, links[k].link, &unreadable);
      if (r == 0)
         r = add_maps(out, p, &unreadable);
      if (r < 0) {
         assoc_finish(out);
         return r;
      }
      out->procs_unreadable += unreadable;
   }
   qsort(out->v, out->n, sizeof(*out->v), by_file);
   return 0;
}

void
assoc_finish(struct assoc_list *l)
{
   for (size_t i = 0; i < l->n; i++)
      free(l->v[i].name);
   free(l->v);
   memset(l, 0, sizeof(*l));
}
