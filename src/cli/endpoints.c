/* SPDX-License-Identifier: MIT */
/* The other ends of pipes, sockets and ptys (endpoints.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "endpoints.h"

/* UNIX98 ptys: the multiplexer (5:2, /dev/ptmx and devpts' own ptmx)
 * and the terminals it makes, /dev/pts/N (majors 136 to 143, 256 each). */
static bool
is_ptmx(const struct fd_entry *e)
{
   return e->type == FD_CHR && major(e->rdev) == 5 && minor(e->rdev) == 2;
}

/* A pts' number, or -1. */
static long
pts_number(const struct fd_entry *e)
{
   unsigned ma = major(e->rdev);
   if (e->type != FD_CHR || ma < 136 || ma > 143)
      return -1;
   return (long)(ma - 136) * 256 + (long)minor(e->rdev);
}

/* The pty a description is an end of: a pts' number, or a ptmx's
 * tty-index (its fdinfo, Linux 5.17+); -1 for none or not known. */
static long
pty_of(const struct description *d)
{
   struct fd_entry *e = d->holders[0];
   if (!is_ptmx(e))
      return pts_number(e);
   if (!scan_read_fdinfo(e) || !e->info.has_tty_index)
      return -1;
   return e->info.tty_index;
}

struct pty_end {
   long pty;
   bool ptmx;
   const struct description *d;
};

static int
by_pty(const void *pa, const void *pb)
{
   const struct pty_end *a = pa, *b = pb;
   if (a->pty != b->pty)
      return a->pty < b->pty ? -1 : 1;
   return (int)a->ptmx - (int)b->ptmx;
}

static int
index_ptys(const struct grouping *g, struct endpoints *ep)
{
   size_t n = 0;
   for (size_t i = 0; i < g->n_descs; i++) {
      const struct fd_entry *e = g->descs[i].holders[0];
      n += is_ptmx(e) || pts_number(e) >= 0;
   }
   if (!n)
      return 0;
   struct pty_end *ends = malloc(n * sizeof(*ends));
   if (!ends)
      return -ENOMEM;
   size_t k = 0;
   for (size_t i = 0; i < g->n_descs; i++) {
      long pty = pty_of(&g->descs[i]);
      if (pty >= 0)
         ends[k++] = (struct pty_end){ pty, is_ptmx(g->descs[i].holders[0]), &g->descs[i] };
   }
   qsort(ends, k, sizeof(*ends), by_pty);
   /* The descriptions in that order: a pty's ends are then one run, its
    * terminals before its multiplexers. */
   ep->ptys = malloc((k ? k : 1) * sizeof(*ep->ptys));
   ep->pty_numbers = malloc((k ? k : 1) * sizeof(*ep->pty_numbers));
   if (!ep->ptys || !ep->pty_numbers) {
      free(ends);
      return -ENOMEM;
   }
   for (size_t i = 0; i < k; i++) {
      ep->ptys[i] = ends[i].d;
      ep->pty_numbers[i] = ends[i].pty;
   }
   ep->n_ptys = k;
   free(ends);
   return 0;
}

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
   if (r == 0)
      r = index_ptys(g, ep);
   if (r < 0)
      endpoints_finish(ep);
   return r;
}

void
endpoints_finish(struct endpoints *ep)
{
   free(ep->pipes);
   free(ep->sockets);
   free(ep->ptys);
   free(ep->pty_numbers);
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

/* A pty end's other ends: a pts' multiplexers, a multiplexer's pts. */
static size_t
pty_ends(const struct endpoints *ep, const struct description *d,
         const struct description *const **first)
{
   long pty = -1;
   bool ptmx = false;
   for (size_t i = 0; i < ep->n_ptys && pty < 0; i++) {
      if (ep->ptys[i] == d) {
         pty = ep->pty_numbers[i];
         ptmx = is_ptmx(d->holders[0]);
      }
   }
   if (pty < 0)
      return 0;
   size_t lo = 0;
   /* Sorted by pty, terminals before multiplexers: skip to the other kind. */
   while (lo < ep->n_ptys &&
          (ep->pty_numbers[lo] < pty ||
           (ep->pty_numbers[lo] == pty && is_ptmx(ep->ptys[lo]->holders[0]) != !ptmx)))
      lo++;
   size_t hi = lo;
   while (hi < ep->n_ptys && ep->pty_numbers[hi] == pty &&
          is_ptmx(ep->ptys[hi]->holders[0]) == !ptmx)
      hi++;
   *first = ep->ptys + lo;
   return hi - lo;
}

size_t
endpoints_of(const struct endpoints *ep, const struct description *d,
             const struct description *const **first)
{
   if (d->holders[0]->type == FD_CHR)
      return pty_ends(ep, d, first);
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
