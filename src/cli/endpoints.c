/* SPDX-License-Identifier: MIT */
/* The other ends of pipes (endpoints.h). */
#include <errno.h>
#include <stdlib.h>

#include "endpoints.h"

static int
by_inode(const void *pa, const void *pb)
{
   const struct fd_entry *a = (*(const struct description *const *)pa)->holders[0];
   const struct fd_entry *b = (*(const struct description *const *)pb)->holders[0];
   if (a->dev != b->dev)
      return a->dev < b->dev ? -1 : 1;
   if (a->ino != b->ino)
      return a->ino < b->ino ? -1 : 1;
   return 0;
}

int
endpoints_index(struct endpoints *ep, const struct grouping *g)
{
   ep->pipes = NULL;
   ep->n_pipes = 0;
   size_t n = 0;
   for (size_t i = 0; i < g->n_descs; i++)
      n += g->descs[i].holders[0]->type == FD_PIPE;
   if (!n)
      return 0;
   ep->pipes = malloc(n * sizeof(*ep->pipes));
   if (!ep->pipes)
      return -ENOMEM;
   for (size_t i = 0; i < g->n_descs; i++) {
      if (g->descs[i].holders[0]->type == FD_PIPE)
         ep->pipes[ep->n_pipes++] = &g->descs[i];
   }
   qsort(ep->pipes, ep->n_pipes, sizeof(*ep->pipes), by_inode);
   return 0;
}

void
endpoints_finish(struct endpoints *ep)
{
   free(ep->pipes);
   ep->pipes = NULL;
   ep->n_pipes = 0;
}

size_t
endpoints_of(const struct endpoints *ep, const struct description *d,
             const struct description *const **first)
{
   if (d->holders[0]->type != FD_PIPE || !ep->n_pipes)
      return 0;
   const struct description *const *hit =
      bsearch(&d, ep->pipes, ep->n_pipes, sizeof(*ep->pipes), by_inode);
   if (!hit)
      return 0;
   const struct description *const *lo = hit, *const *hi = hit + 1;
   while (lo > ep->pipes && by_inode(lo - 1, hit) == 0)
      lo--;
   while (hi < ep->pipes + ep->n_pipes && by_inode(hi, hit) == 0)
      hi++;
   *first = lo;
   return (size_t)(hi - lo);
}
