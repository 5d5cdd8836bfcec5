/* SPDX-License-Identifier: MIT */
/* The --summary counters (ls_counters.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "fd_class.h"
#include "ls_counters.h"

enum { N_TYPES = FD_ANON + 1 };

struct counters {
   size_t procs, descs, shared, fds, ro, wo, rw, unread;
   size_t by_type[N_TYPES];
};

/* One shown description: its mode and type, and its holders' processes,
 * each counted once (marked as met by their scan entry). */
static void
count_description(struct counters *c, const struct description *d, bool *met, size_t n_met)
{
   const struct fd_entry *e = d->holders[0];
   c->descs++;
   c->shared += d->n_holders > 1;
   c->fds += d->n_holders;
   if ((unsigned)e->type < N_TYPES)
      c->by_type[e->type]++;
   if (!e->has_info || !e->info.has_flags)
      c->unread++;
   else if ((e->info.flags & O_ACCMODE) == O_RDONLY && !(e->info.flags & O_PATH))
      c->ro++;
   else if ((e->info.flags & O_ACCMODE) == O_WRONLY)
      c->wo++;
   else if (!(e->info.flags & O_PATH))
      c->rw++;
   for (size_t h = 0; h < d->n_holders; h++) {
      size_t p = d->holders[h]->proc->owner;
      if (p < n_met && !met[p]) {
         met[p] = true;
         c->procs++;
      }
   }
}

int
ls_print_counters(FILE *f, const struct grouping *g,
                  bool (*shown)(const struct description *d, const void *arg), const void *arg)
{
   /* Scan entries are numbered from 0: the highest owner bounds them. */
   size_t n_met = 0;
   for (size_t i = 0; i < g->n_descs; i++) {
      for (size_t h = 0; h < g->descs[i].n_holders; h++) {
         size_t p = g->descs[i].holders[h]->proc->owner + 1;
         if (p > n_met)
            n_met = p;
      }
   }
   bool *met = calloc(n_met ? n_met : 1, sizeof(*met));
   if (!met)
      return -ENOMEM;
   struct counters c = { 0 };
   for (size_t i = 0; i < g->n_descs; i++)
      if (shown(&g->descs[i], arg))
         count_description(&c, &g->descs[i], met, n_met);
   free(met);

   fprintf(f, "VALUE COUNTER\n");
   fprintf(f, "%5zu processes\n", c.procs);
   fprintf(f, "%5zu open files (fds)\n", c.fds);
   fprintf(f, "%5zu descriptions\n", c.descs);
   fprintf(f, "%5zu shared descriptions (more than one fd)\n", c.shared);
   fprintf(f, "%5zu RO descriptions\n", c.ro);
   fprintf(f, "%5zu WO descriptions\n", c.wo);
   fprintf(f, "%5zu RW descriptions\n", c.rw);
   if (c.unread)
      fprintf(f, "%5zu descriptions whose mode could not be read\n", c.unread);
   for (unsigned t = 0; t < N_TYPES; t++)
      fprintf(f, "%5zu %s descriptions\n", c.by_type[t], fd_class_of((enum fd_type)t)->name);
   return 0;
}
