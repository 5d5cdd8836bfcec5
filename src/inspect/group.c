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
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <fdid/identity.h>

#include "group.h"
#include "parallel.h"
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
   unsigned flags;     /* GROUP_* */
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

/* Same inode: one bucket. */
static int
inode_facts(const struct fd_entry *a, const struct fd_entry *b)
{
   return fdid_inode_cmp(a->dev, a->ino, b->dev, b->ino);
}

/* Equal facts keep the scan's order (the entries are in it): one order
 * whatever sort makes it, so a description's holders come in the same
 * order on any number of threads. */
#define BY_FACTS_THEN_SCAN(name, facts)                                  \
   static int name(const void *pa, const void *pb)                       \
   {                                                                     \
      const struct fd_entry *a = *(struct fd_entry *const *)pa;         \
      const struct fd_entry *b = *(struct fd_entry *const *)pb;         \
      int r = facts(a, b);                                               \
      return r ? r : a < b ? -1 : a > b;                                 \
   }
BY_FACTS_THEN_SCAN(cmp_inode_then_scan, inode_facts)

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

/*
 * Facts that never change while a file or description lives: two fds
 * differing in one hold two descriptions, no question asked. An anonymous
 * inode's name ("anon_inode:[eventfd]"; one inode serves every eventfd,
 * timerfd, signalfd and epoll set of the machine) and the type the scan
 * gave are the file's. From fdinfo, where the caller reads it anyway: a
 * description's access (F_SETFL keeps it: a pipe's two ends) and an
 * eventfd's context id (one per eventfd() call, never reopened).
 * Equal facts prove nothing: those fds are still asked about.
 */
static bool
is_eventfd(const struct fd_entry *e)
{
   return e->type == FD_ANON && e->name && strcmp(e->name, "anon_inode:[eventfd]") == 0;
}

/* The file's facts, compared: its type, then an anonymous inode's name. */
static int
file_facts(const struct fd_entry *a, const struct fd_entry *b)
{
   if (a->type != b->type)
      return a->type < b->type ? -1 : 1;
   if (a->type != FD_ANON && a->type != FD_EPOLL)
      return 0;
   return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/* The description's fact from fdinfo: for runs fdinfo_keyed() accepts. */
static int
description_facts(const struct fd_entry *a, const struct fd_entry *b)
{
   unsigned ka = a->type == FD_PIPE ? a->info.flags & O_ACCMODE : (unsigned)a->info.eventfd_id;
   unsigned kb = b->type == FD_PIPE ? b->info.flags & O_ACCMODE : (unsigned)b->info.eventfd_id;
   return ka < kb ? -1 : ka > kb;
}

BY_FACTS_THEN_SCAN(cmp_file_facts, file_facts)
BY_FACTS_THEN_SCAN(cmp_description_facts, description_facts)

/*
 * Does fdinfo's fact pay for this run of fds of one file? A pipe's two
 * fds (mostly its two ends, where a kcmp would be asked), or three or
 * more eventfds (their one inode costs n log n questions). Each fd's
 * fdinfo is then read (the caller reads first holders' anyway), and the
 * fact used only if every fd has it.
 */
static bool
fdinfo_keyed(const struct ctx *c, struct fd_entry **v, size_t n)
{
   if (!(c->flags & GROUP_READS_FDINFO) ||
       !((v[0]->type == FD_PIPE && n == 2) || (is_eventfd(v[0]) && n > 2)))
      return false;
   for (size_t i = 0; i < n; i++) {
      if (!scan_read_fdinfo(v[i]) ||
          !(v[0]->type == FD_PIPE ? v[i]->info.has_flags : v[i]->info.has_eventfd_id))
         return false;
   }
   return true;
}

/* Fds of one file whose facts are all equal: sorted by the kernel's order. */
static int
group_run(struct ctx *c, struct fd_entry **v, size_t k)
{
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


/* v[0..n) sorted by sort, then each run that facts finds equal grouped
 * apart by next. */
static int
split_runs(struct ctx *c, struct fd_entry **v, size_t n, int (*sort)(const void *, const void *),
           int (*facts)(const struct fd_entry *, const struct fd_entry *),
           int (*next)(struct ctx *, struct fd_entry **, size_t))
{
   qsort(v, n, sizeof(*v), sort);
   int r = 0;
   for (size_t i = 0, j; r == 0 && i < n; i = j) {
      for (j = i + 1; j < n && facts(v[i], v[j]) == 0;)
         j++;
      r = next(c, v + i, j - i);
   }
   return r;
}

/* A run of one file's fds with equal file facts. */
static int
group_file_run(struct ctx *c, struct fd_entry **v, size_t n)
{
   if (n > 1 && fdinfo_keyed(c, v, n))
      return split_runs(c, v, n, cmp_description_facts, description_facts, group_run);
   return group_run(c, v, n);
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
   if (k == 0)
      return 0;
   /* Only an anonymous inode holds files of several names. */
   if (v[0]->type == FD_ANON || v[0]->type == FD_EPOLL)
      return split_runs(c, v, k, cmp_file_facts, file_facts, group_file_run);
   return group_file_run(c, v, k);
}

/* Buckets are grouped by several threads, each run of whole buckets (a
 * part) into descriptions of its own, joined in order afterwards. */
struct part {
   size_t begin, end;  /* in members */
   struct grouping g;  /* its descriptions and counters */
   int result;
};

struct group_job {
   struct fd_entry **v, **tmp, **loose;
   struct part *parts;
   unsigned flags;
};

static size_t
bucket_end(struct fd_entry **v, size_t i, size_t n)
{
   size_t j = i + 1;
   while (j < n && inode_facts(v[i], v[j]) == 0)
      j++;
   return j;
}

static void
group_parts(void *arg, size_t begin, size_t end)
{
   const struct group_job *j = arg;
   for (size_t k = begin; k < end; k++) {
      struct part *p = &j->parts[k];
      /* A part's scratch and loose fds are its slice of the shared arrays. */
      struct ctx c = { .g = &p->g, .tmp = j->tmp + p->begin, .loose = j->loose + p->begin,
                       .flags = j->flags };
      int r = 0;
      for (size_t i = p->begin, e; r == 0 && i < p->end; i = e) {
         e = bucket_end(j->v, i, p->end);
         r = e - i == 1 ? push(&c, &j->v[i], 1, true) : group_bucket(&c, j->v + i, e - i);
      }
      p->result = r;
   }
}

/* Cuts v into runs of whole buckets of about `target` fds: how many. Asks
 * meanwhile, once per process, whether kcmp may be used on it (before the
 * threads: the answer is the process's, shared by its buckets). */
static size_t
cut_parts(struct ctx *c, struct fd_entry **v, size_t n, size_t target, struct part *parts)
{
   size_t n_parts = 0;
   for (size_t i = 0, e; i < n; i = e) {
      e = bucket_end(v, i, n);
      for (size_t k = i; e - i > 1 && k < e; k++)
         process_verifiable(c, v[k]);
      if (n_parts == 0 || parts[n_parts - 1].end - parts[n_parts - 1].begin >= target)
         parts[n_parts++] = (struct part){ .begin = i };
      parts[n_parts - 1].end = e;
   }
   return n_parts;
}

/* The parts' descriptions, in order, become out's. */
static int
join_parts(struct grouping *out, struct part *parts, size_t n_parts)
{
   size_t total = 0;
   int r = 0;
   for (size_t k = 0; k < n_parts; k++) {
      total += parts[k].g.n_descs;
      if (parts[k].result < 0)
         r = parts[k].result;
      out->questions += parts[k].g.questions;
      out->fds_vanished += parts[k].g.fds_vanished;
   }
   if (r == 0 && n_parts == 1) {
      out->descs = parts[0].g.descs;
      out->n_descs = total;
      return 0;
   }
   out->descs = r == 0 ? malloc((total ? total : 1) * sizeof(*out->descs)) : NULL;
   if (r == 0 && !out->descs)
      r = -ENOMEM;
   for (size_t k = 0; k < n_parts; k++) {
      if (r == 0)
         memcpy(out->descs + out->n_descs, parts[k].g.descs,
                parts[k].g.n_descs * sizeof(*out->descs));
      out->n_descs += r == 0 ? parts[k].g.n_descs : 0;
      free(parts[k].g.descs);
   }
   return r;
}

/* The sort by inode, a run per thread, then merged: at a million fds a
 * sort on one thread is a quarter of a second. */
enum { MAX_RUNS = 8 };

struct sort_job {
   struct fd_entry **v;
   size_t n, runs;
};

static size_t
run_start(const struct sort_job *j, size_t k)
{
   return j->n / j->runs * k + (k == j->runs ? j->n % j->runs : 0);
}

static void
sort_runs(void *arg, size_t begin, size_t end)
{
   const struct sort_job *j = arg;
   for (size_t k = begin; k < end; k++)
      qsort(j->v + run_start(j, k), run_start(j, k + 1) - run_start(j, k), sizeof(*j->v),
            cmp_inode_then_scan);
}

static void
sort_by_inode(struct fd_entry **v, struct fd_entry **tmp, size_t n)
{
   struct sort_job j = { v, n, parallel_threads() };
   if (j.runs > MAX_RUNS)
      j.runs = MAX_RUNS;
   if (j.runs < 2 || n < 4096) {
      qsort(v, n, sizeof(*v), cmp_inode_then_scan);
      return;
   }
   parallel_for(j.runs, 1, sort_runs, &j);
   size_t at[MAX_RUNS], end[MAX_RUNS];
   for (size_t k = 0; k < j.runs; k++) {
      at[k] = run_start(&j, k);
      end[k] = run_start(&j, k + 1);
   }
   for (size_t i = 0; i < n; i++) {
      size_t best = MAX_RUNS;
      for (size_t k = 0; k < j.runs; k++) {
         if (at[k] < end[k] &&
             (best == MAX_RUNS || cmp_inode_then_scan(&v[at[k]], &v[at[best]]) < 0))
            best = k;
      }
      tmp[i] = v[at[best]++];
   }
   memcpy(v, tmp, n * sizeof(*v));
}

int
group_descriptions_with(struct scan *s, unsigned flags, struct grouping *out)
{
   memset(out, 0, sizeof(*out));
   size_t n = s->n_fds;
   struct fd_entry **v = malloc((n + 1) * sizeof(*v));
   struct fd_entry **tmp = malloc((n + 1) * sizeof(*tmp));
   struct fd_entry **loose = malloc((n + 1) * sizeof(*loose));
   /* Parts of at least 1024 fds, sixteen per thread where there are
    * enough: a thread that a busy CPU slows takes fewer of them. On one
    * thread, one part (nothing to join). */
   size_t threads = parallel_threads();
   size_t target = threads > 1 ? n / (16 * threads) : n + 1;
   if (target < 1024)
      target = 1024;
   struct part *parts = calloc(n / target + 2, sizeof(*parts));
   if (!v || !tmp || !loose || !parts) {
      free(v);
      free(tmp);
      free(loose);
      free(parts);
      return -ENOMEM;
   }
   out->members = v;
   out->loose = loose;
   for (size_t i = 0; i < n; i++)
      v[i] = &s->fds[i];
   sort_by_inode(v, tmp, n);

   struct ctx serial = { .g = out };
   size_t n_parts = cut_parts(&serial, v, n, target, parts);
   struct group_job job = { v, tmp, loose, parts, flags };
   parallel_for(n_parts, 1, group_parts, &job);
   int r = join_parts(out, parts, n_parts);
   free(tmp);
   free(parts);
   if (r < 0)
      grouping_finish(out);
   return r;
}

int
group_descriptions(struct scan *s, struct grouping *out)
{
   return group_descriptions_with(s, 0, out);
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
