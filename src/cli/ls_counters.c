/* SPDX-License-Identifier: MIT */
/* The --summary counters (ls_counters.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "fd_class.h"
#include "ls_counters.h"

/* Processes are counted once each: their scan entries marked as met. */
static size_t
count_processes(const struct grouping *g,
                bool (*shown)(const struct description *d, const void *arg), const void *arg,
                size_t n_procs_max, bool *met)
{
   size_t n = 0;
   for (size_t i = 0; i < g->n_descs; i++) {
      const struct description *d = &g->descs[i];
      if (!shown(d, arg))
         continue;
      for (size_t h = 0; h < d->n_holders; h++) {
         size_t p = d->holders[h]->proc->owner;
         if (p < n_procs_max && !met[p]) {
            met[p] = true;
            n++;
         }
      }
   }
   return n;
}

int
ls_print_counters(FILE *f, const struct grouping *g,
                  bool (*shown)(const struct description *d, const void *arg), const void *arg)
{
   size_t n_procs_max = 0;
   for (size_t i = 0; i < g->n_descs; i++) {
      for (size_t h = 0; h < g->descs[i].n_holders; h++) {
         size_t p = g->descs[i].holders[h]->proc->owner + 1;
         if (p > n_procs_max)
            n_procs_max = p;
      }
   }
   bool *met = calloc(n_procs_max ? n_procs_max : 1, sizeof(*met));
   if (!met)
      return -ENOMEM;
   size_t procs = count_processes(g, shown, arg, n_procs_max, met);
   free(met);

   enum { N_TYPES = FD_ANON + 1 };
   size_t descs = 0, shared = 0, fds = 0, ro = 0, wo = 0, rw = 0, unread = 0;
   size_t by_type[N_TYPES] = { 0 };
   for (size_t i = 0; i < g->n_descs; i++) {
      const struct description *d = &g->descs[i];
      if (!shown(d, arg))
         continue;
      const struct fd_entry *e = d->holders[0];
      descs++;
      shared += d->n_holders > 1;
      fds += d->n_holders;
      if ((unsigned)e->type < N_TYPES)
         by_type[e->type]++;
      if (!e->has_info || !e->info.has_flags)
         unread++;
      else if ((e->info.flags & O_ACCMODE) == O_RDONLY && !(e->info.flags & O_PATH))
         ro++;
      else if ((e->info.flags & O_ACCMODE) == O_WRONLY)
         wo++;
      else if (!(e->info.flags & O_PATH))
         rw++;
   }
   fprintf(f, "VALUE COUNTER\n");
   fprintf(f, "%5zu processes\n", procs);
   fprintf(f, "%5zu open files (fds)\n", fds);
   fprintf(f, "%5zu descriptions\n", descs);
   fprintf(f, "%5zu shared descriptions (more than one fd)\n", shared);
   fprintf(f, "%5zu RO descriptions\n", ro);
   fprintf(f, "%5zu WO descriptions\n", wo);
   fprintf(f, "%5zu RW descriptions\n", rw);
   if (unread)
      fprintf(f, "%5zu descriptions whose mode could not be read\n", unread);
   for (unsigned t = 0; t < N_TYPES; t++)
      fprintf(f, "%5zu %s descriptions\n", by_type[t], fd_class_of((enum fd_type)t)->name);
   return 0;
}
