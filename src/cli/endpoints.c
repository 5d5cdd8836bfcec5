/* SPDX-License-Identifier: MIT */
/* The other ends of pipes (endpoints.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* The descriptions of one type, sorted by inode, into *out. */
static int
index_type(const struct grouping *g, enum fd_type type, const struct description ***out,
           size_t *n_out)
{
   size_t n = 0;
   for (size_t i = 0; i < g->n_descs; i++)
      n += g->descs[i].holders[0]->type == type;
   *out = NULL;
   *n_out = 0;
   if (!n)
      return 0;
   if (!(*out = malloc(n * sizeof(**out))))
      return -ENOMEM;
   for (size_t i = 0; i < g->n_descs; i++) {
      if (g->descs[i].holders[0]->type == type)
         (*out)[(*n_out)++] = &g->descs[i];
   }
   qsort(*out, *n_out, sizeof(**out), by_inode);
   return 0;
}

int
endpoints_index(struct endpoints *ep, const struct grouping *g)
{
   int r = index_type(g, FD_PIPE, &ep->pipes, &ep->n_pipes);
   if (r == 0)
      r = index_type(g, FD_SOCKET, &ep->sockets, &ep->n_sockets);
   if (r < 0)
      endpoints_finish(ep);
   return r;
}

void
endpoints_finish(struct endpoints *ep)
{
   free(ep->pipes);
   free(ep->sockets);
   memset(ep, 0, sizeof(*ep));
}

size_t
endpoints_socket(const struct endpoints *ep, unsigned long long ino,
                 const struct description *const **first)
{
   size_t lo = 0, hi = ep->n_sockets;
   while (lo < hi) { /* the first with an inode >= ino */
      size_t mid = lo + (hi - lo) / 2;
      if ((unsigned long long)ep->sockets[mid]->holders[0]->ino < ino)
         lo = mid + 1;
      else
         hi = mid;
   }
   size_t end = lo;
   while (end < ep->n_sockets && (unsigned long long)ep->sockets[end]->holders[0]->ino == ino)
      end++;
   *first = ep->sockets + lo;
   return end - lo;
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
