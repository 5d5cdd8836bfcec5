/* SPDX-License-Identifier: MIT */
/*
 * Grouping, as group.h says: fstat buckets, then a three-way quicksort by
 * the kernel's order inside a bucket. The pivot's question to each other
 * fd splits the bucket into "same as the pivot" (a finished group),
 * "before" and "after"; only the latter two are sorted further. A bucket
 * that is one description (a shared stdout, /dev/null) costs n - 1
 * questions; n distinct ones cost n log n.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <fdid/identity.h>

#include "group.h"
#include "util/array.h"
#include "util/buffer_id.h"

struct ctx {
   struct grouping *g;
   size_t cap;
   struct fd_entry **tmp;
   bool ordered;       /* this bucket is being sorted by kcmp's order */
   bool order_lost;    /* an answer came without an order: redo unordered */
   /* Fds no question could place (-ENOTSUP, -EPERM, -EMFILE...), each its
    * own unverified description; stable storage for their holders. */
   struct fd_entry **loose;
   size_t n_loose;
};

static int
ask(struct ctx *c, const struct fd_entry *a, const struct fd_entry *b)
{
   c->g->questions++;
   /* Two of the scanner's own fds: the cross-process question answers
    * them locally, by equality alone where F_DUPFD_QUERY is, which would
    * cost the sort its order; the ordered question keeps it. */
   if (c->ordered && a->proc->self && b->proc->self) {
      int r = fdid_compare_file_description(a->fd, b->fd);
      return r == -ENOTSUP ? 3 : r;
   }
   return fdid_same_file_description_pid(a->proc->tid, a->fd, b->proc->tid, b->fd);
}

static int
cmp_inode(const void *pa, const void *pb)
{
   const struct fd_entry *a = *(struct fd_entry *const *)pa;
   const struct fd_entry *b = *(struct fd_entry *const *)pb;
   return fdid_inode_cmp(a->dev, a->ino, b->dev, b->ino);
}

static int
push(struct ctx *c, struct fd_entry **holders, size_t n, bool verified)
{
   struct grouping *g = c->g;
   return fdid_array_push(g->descs, g->n_descs, c->cap,
                          ((struct description){ holders, n, verified, NULL }));
}

/* Is kcmp usable on this process? Asked once per process, and only for
 * processes with an fd in a shared bucket. */
static bool
process_verifiable(struct ctx *c, struct fd_entry *e)
{
   if (e->proc->kcmp_ok < 0) {
      /* Only a refusal says anything about the process: another error
       * (a closed fd, a method that cannot do this file) is the pair's. */
      if (ask(c, e, e) == -EPERM) {
         e->proc->kcmp_ok = 0;
         c->g->procs_unverifiable++;
      } else {
         e->proc->kcmp_ok = 1;
      }
   }
   return e->proc->kcmp_ok;
}

/* Sorts v[0..n) into groups. Fds that close meanwhile are dropped and
 * counted; a pivot that closes restarts its step without it. */
static int
sort_range(struct ctx *c, struct fd_entry **v, size_t n)
{
   while (n > 0) {
      if (n == 1)
         return push(c, v, 1, true);

      struct fd_entry *pivot = v[0];
      struct fd_entry **tmp = c->tmp;
      size_t eq = 1, lt = 0, gt = 0, k;
      bool pivot_gone = false, complete = true;
      for (k = 1; k < n; k++) {
         struct fd_entry *x = v[k];
         int r = ask(c, pivot, x);
         if (r == -EBADF || r == -ESRCH) {
            if (ask(c, x, x) != 0) {
               c->g->fds_vanished++;
               continue;
            }
            pivot_gone = true;
            break;
         }
         if (r < 0) {
            /* Cannot tell: x stands alone, unverified, and the pivot's
             * group may lack it, so that one is unverified too. */
            c->loose[c->n_loose] = x;
            int pr = push(c, &c->loose[c->n_loose++], 1, false);
            if (pr < 0)
               return pr;
            complete = false;
            continue;
         }
         if (r == 3 && c->ordered) {
            c->order_lost = true;
            return 0;
         }
         if (r == 0)
            v[eq++] = x;          /* eq <= k: never overwrites unread slots */
         else if (r == 2 && c->ordered)
            tmp[lt++] = x;        /* x orders before the pivot */
         else
            /* After; or, sorting without order, simply not the pivot's:
             * one side, since an order some answers give (kcmp across
             * processes) and others lack (a local question) could put
             * one description's fds on both sides. */
            tmp[n - 1 - gt++] = x;
      }

      if (pivot_gone) {
         /* Everything but the pivot goes back into v, and the step starts
          * over with a new pivot: each restart drops one fd, so it ends. */
         c->g->fds_vanished++;
         size_t m = 0;
         memmove(v, v + 1, (eq - 1) * sizeof(*v));
         m = eq - 1;
         memcpy(v + m, tmp, lt * sizeof(*v));
         m += lt;
         memcpy(v + m, tmp + n - gt, gt * sizeof(*v));
         m += gt;
         memmove(v + m, v + k, (n - k) * sizeof(*v));
         n = m + (n - k);
         continue;
      }

      int r = push(c, v, eq, complete);
      if (r < 0)
         return r;
      struct fd_entry **before = v + eq, **after = v + eq + lt;
      memcpy(before, tmp, lt * sizeof(*v));
      memcpy(after, tmp + n - gt, gt * sizeof(*v));
      /* Recurse into the smaller side, loop on the larger: depth log n. */
      if (lt < gt) {
         r = sort_range(c, before, lt);
         v = after, n = gt;
      } else {
         r = sort_range(c, after, gt);
         v = before, n = lt;
      }
      if (r < 0 || c->order_lost)
         return r;
   }
   return 0;
}

/* One bucket of fds with one inode. */
static int
group_bucket(struct ctx *c, struct fd_entry **v, size_t n)
{
   /* Fds of processes we may not inspect stand alone, marked: move them
    * to the end of the bucket, then give each its own description. */
   size_t k = n;
   for (size_t i = 0; i < k;) {
      if (process_verifiable(c, v[i])) {
         i++;
         continue;
      }
      struct fd_entry *t = v[--k];
      v[k] = v[i];
      v[i] = t;
   }
   for (size_t i = k; i < n; i++) {
      int r = push(c, &v[i], 1, false);
      if (r < 0)
         return r;
   }

   size_t mark = c->g->n_descs, loose_mark = c->n_loose;
   unsigned long vanished = c->g->fds_vanished;
   c->ordered = fdid_allowed_methods() & fdid_probe() & FDID_METHOD_KCMP;
   c->order_lost = false;
   struct fd_entry **saved = c->ordered ? malloc(k * sizeof(*saved)) : NULL;
   if (c->ordered && !saved)
      return -ENOMEM;
   if (saved)
      memcpy(saved, v, k * sizeof(*v));
   int r = sort_range(c, v, k);
   if (r == 0 && c->order_lost) {
      /* Some answer had no order (kcmp refused for one pair): an ordered
       * sort could split a group, so this bucket is redone by equality,
       * from the bucket as it was. */
      c->g->n_descs = mark;
      c->n_loose = loose_mark;
      c->g->fds_vanished = vanished;
      c->ordered = false;
      c->order_lost = false;
      memcpy(v, saved, k * sizeof(*v));
      r = sort_range(c, v, k);
   }
   free(saved);
   return r;
}

int
group_descriptions(struct scan *s, struct grouping *out)
{
   memset(out, 0, sizeof(*out));
   struct ctx c = { .g = out };
   struct fd_entry **v = malloc((s->n_fds + 1) * sizeof(*v));
   c.tmp = malloc((s->n_fds + 1) * sizeof(*c.tmp));
   c.loose = malloc((s->n_fds + 1) * sizeof(*c.loose));
   if (!v || !c.tmp || !c.loose) {
      free(v);
      free(c.tmp);
      free(c.loose);
      return -ENOMEM;
   }
   out->members = v;
   out->loose = c.loose;
   for (size_t i = 0; i < s->n_fds; i++)
      v[i] = &s->fds[i];
   qsort(v, s->n_fds, sizeof(*v), cmp_inode);

   int r = 0;
   for (size_t i = 0, j; r == 0 && i < s->n_fds; i = j) {
      for (j = i + 1; j < s->n_fds && cmp_inode(&v[i], &v[j]) == 0;)
         j++;
      r = j - i == 1 ? push(&c, &v[i], 1, true) : group_bucket(&c, v + i, j - i);
   }
   free(c.tmp);
   if (r < 0)
      grouping_finish(out);
   return r;
}

/* The first description of inode (dev, ino): descs are in inode order. */
static size_t
lower_bound(const struct grouping *g, dev_t dev, ino_t ino)
{
   size_t lo = 0, hi = g->n_descs;
   while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      const struct fd_entry *e = g->descs[mid].holders[0];
      if (e->dev < dev || (e->dev == dev && e->ino < ino))
         lo = mid + 1;
      else
         hi = mid;
   }
   return lo;
}

/* Every listed fd, by process and fd number, with its description. */
struct holder_ref {
   const struct fd_entry *e;
   size_t desc;
};

struct targets_ctx {
   struct grouping *g;
   struct holder_ref *by_fd;
   size_t n;
   /* KCMP_EPOLL_TFD questions left for targets whose fd number no longer
    * holds them. Each walks the epoll set in the kernel, and one inode
    * (every eventfd's) may stand for thousands of descriptions: without a
    * bound, a process makes the search cost the square of its targets
    * times their number. */
   unsigned long search_budget;
};

static int
cmp_holder_ref(const void *pa, const void *pb)
{
   const struct fd_entry *a = ((const struct holder_ref *)pa)->e;
   const struct fd_entry *b = ((const struct holder_ref *)pb)->e;
   if (a->proc != b->proc)
      return a->proc->index < b->proc->index ? -1 : 1;
   return a->fd < b->fd ? -1 : a->fd > b->fd;
}

static const struct holder_ref *
holder_at(const struct targets_ctx *c, const struct process *p, int fd)
{
   size_t lo = 0, hi = c->n;
   while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      const struct fd_entry *e = c->by_fd[mid].e;
      if (e->proc->index < p->index || (e->proc == p && e->fd < fd))
         lo = mid + 1;
      else
         hi = mid;
   }
   return lo < c->n && c->by_fd[lo].e->proc == p && c->by_fd[lo].e->fd == fd ? &c->by_fd[lo]
                                                                             : NULL;
}

static bool
is_target(struct grouping *g, const struct fd_entry *e, const struct fd_entry *ep,
          const struct epoll_target *t)
{
   g->questions++;
   return fdid_same_epoll_target(e->proc->tid, e->fd, ep->proc->tid, ep->fd, t->tfd,
                                 t->toff) == 0;
}

/*
 * The description a target is, 1-based, or 0. First the fd its own
 * process registered it under, when that fd still has the target's
 * inode: one question, the answer for every set whose fds stay open.
 * Then the other descriptions of that inode, within the search budget.
 */
static size_t
find_target(struct targets_ctx *c, const struct fd_entry *ep, const struct epoll_target *t)
{
   struct grouping *g = c->g;
   /* fdinfo prints the kernel's dev_t, stat the userspace encoding. */
   dev_t dev = makedev(t->sdev >> 20, t->sdev & 0xfffff);
   const struct holder_ref *h = holder_at(c, ep->proc, t->tfd);
   if (h && h->e->dev == dev && h->e->ino == (ino_t)t->ino && is_target(g, h->e, ep, t))
      return h->desc + 1;
   for (size_t i = lower_bound(g, dev, (ino_t)t->ino); i < g->n_descs; i++) {
      const struct fd_entry *e = g->descs[i].holders[0];
      if (e->dev != dev || e->ino != (ino_t)t->ino)
         break;
      if (h && i == h->desc)
         continue;
      if (!c->search_budget) {
         g->targets_unsearched++;
         return 0;
      }
      c->search_budget--;
      if (is_target(g, e, ep, t))
         return i + 1;
   }
   return 0;
}

int
group_link_epoll_targets(struct grouping *g, bool (*wanted)(const struct description *d,
                                                            const void *arg),
                         const void *arg)
{
   struct targets_ctx c = { .g = g, .search_budget = 4096 };
   size_t n = 0;
   for (size_t i = 0; i < g->n_descs; i++) {
      n += g->descs[i].n_holders;
      if (g->descs[i].holders[0]->type == FD_EPOLL)
         c.search_budget += g->descs[i].holders[0]->n_targets;
   }
   c.by_fd = malloc((n ? n : 1) * sizeof(*c.by_fd));
   if (!c.by_fd)
      return -ENOMEM;
   for (size_t i = 0; i < g->n_descs; i++) {
      for (size_t h = 0; h < g->descs[i].n_holders; h++)
         c.by_fd[c.n++] = (struct holder_ref){ g->descs[i].holders[h], i };
   }
   qsort(c.by_fd, c.n, sizeof(*c.by_fd), cmp_holder_ref);

   int r = 0;
   for (size_t i = 0; r == 0 && i < g->n_descs; i++) {
      struct description *d = &g->descs[i];
      const struct fd_entry *ep = d->holders[0];
      if (ep->type != FD_EPOLL || !ep->n_targets || d->target_ids || (wanted && !wanted(d, arg)))
         continue;
      d->target_ids = calloc(ep->n_targets, sizeof(*d->target_ids));
      if (!d->target_ids) {
         r = -ENOMEM;
         break;
      }
      for (size_t t = 0; t < ep->n_targets; t++)
         d->target_ids[t] = find_target(&c, ep, &ep->targets[t]);
   }
   free(c.by_fd);
   return r;
}

void
grouping_finish(struct grouping *g)
{
   for (size_t i = 0; i < g->n_descs; i++)
      free(g->descs[i].target_ids);
   free(g->descs);
   free(g->members);
   free(g->loose);
   memset(g, 0, sizeof(*g));
}
