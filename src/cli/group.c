/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <fdid/identity.h>

#include "group.h"

static unsigned long *question_counter;

static int
ask(const struct fd_entry *a, const struct fd_entry *b)
{
   (*question_counter)++;
   return fdid_same_file_description_pid(a->proc->pid, a->fd, b->proc->pid, b->fd);
}

static int
cmp_inode(const void *pa, const void *pb)
{
   const struct fd_entry *a = *(struct fd_entry *const *)pa;
   const struct fd_entry *b = *(struct fd_entry *const *)pb;
   if (a->dev != b->dev)
      return a->dev < b->dev ? -1 : 1;
   if (a->ino != b->ino)
      return a->ino < b->ino ? -1 : 1;
   return 0;
}

/* Position and status flags are shared by one description; close-on-exec
 * is per fd and is left out. An fd whose fdinfo is gone sorts last. */
static unsigned
shared_flags(const struct fd_entry *e)
{
   return e->info.flags & ~(unsigned)O_CLOEXEC;
}

static int
cmp_position(const void *pa, const void *pb)
{
   const struct fd_entry *a = *(struct fd_entry *const *)pa;
   const struct fd_entry *b = *(struct fd_entry *const *)pb;
   if (a->info.pos != b->info.pos)
      return a->info.pos < b->info.pos ? -1 : 1;
   if (shared_flags(a) != shared_flags(b))
      return shared_flags(a) < shared_flags(b) ? -1 : 1;
   return 0;
}

/* kcmp's order; an error (an fd closed meanwhile) orders by pid and fd so
 * the sort stays consistent. Neighbours are checked again afterwards. */
static int
cmp_kcmp(const struct fd_entry *a, const struct fd_entry *b)
{
   int r = ask(a, b);
   if (r == 0 || r == 1 || r == 2)
      return r == 0 ? 0 : r == 1 ? -1 : 1;
   if (a->proc->pid != b->proc->pid)
      return a->proc->pid < b->proc->pid ? -1 : 1;
   return a->fd < b->fd ? -1 : a->fd > b->fd;
}

/* A merge sort of our own: qsort's behaviour with a comparator that can
 * change its mind (a racing close) is undefined; this one always ends. */
static void
merge_sort(struct fd_entry **v, struct fd_entry **tmp, size_t n)
{
   if (n < 2)
      return;
   size_t h = n / 2;
   merge_sort(v, tmp, h);
   merge_sort(v + h, tmp, n - h);
   size_t i = 0, j = h, k = 0;
   while (i < h && j < n)
      tmp[k++] = cmp_kcmp(v[i], v[j]) <= 0 ? v[i++] : v[j++];
   while (i < h)
      tmp[k++] = v[i++];
   while (j < n)
      tmp[k++] = v[j++];
   memcpy(v, tmp, n * sizeof(*v));
}

static int
push(struct grouping *g, size_t *cap, struct fd_entry **holders, size_t n, bool verified)
{
   if (g->n_descs == *cap) {
      size_t c = *cap ? *cap * 2 : 256;
      struct description *d = realloc(g->descs, c * sizeof(*d));
      if (!d)
         return -ENOMEM;
      g->descs = d;
      *cap = c;
   }
   g->descs[g->n_descs++] = (struct description){ holders, n, verified };
   return 0;
}

/* Is kcmp usable on this process? Asked once per process, and only for
 * processes with an fd in a shared bucket. */
static bool
process_verifiable(struct grouping *g, struct fd_entry *e)
{
   if (e->proc->kcmp_ok < 0) {
      e->proc->kcmp_ok = ask(e, e) == 0;
      g->procs_unverifiable += !e->proc->kcmp_ok;
   }
   return e->proc->kcmp_ok;
}

/* One bucket of fds with equal inode, position and flags. */
static int
group_bucket(struct grouping *g, size_t *cap, struct fd_entry **v, size_t n,
             struct fd_entry **tmp, bool have_order)
{
   /* Fds of processes we may not inspect stand alone, marked: move them
    * to the end of the bucket, then give each its own description. */
   size_t k = n;
   for (size_t i = 0; i < k;) {
      if (process_verifiable(g, v[i])) {
         i++;
         continue;
      }
      struct fd_entry *t = v[--k];
      v[k] = v[i];
      v[i] = t;
   }
   for (size_t i = k; i < n; i++) {
      int r = push(g, cap, &v[i], 1, false);
      if (r < 0)
         return r;
   }
   n = k;

   if (have_order) {
      merge_sort(v, tmp, n);
      size_t start = 0;
      for (size_t i = 1; i <= n; i++) {
         if (i < n && ask(v[start], v[i]) == 0)
            continue;
         int r = push(g, cap, &v[start], i - start, true);
         if (r < 0)
            return r;
         start = i;
      }
      return 0;
   }

   /* Equality only (no kcmp: pidfd_getfd and a local method): compare with
    * each group's first member, swapping members into place. */
   size_t start = 0;
   while (start < n) {
      size_t end = start + 1;
      for (size_t i = end; i < n; i++) {
         if (ask(v[start], v[i]) == 0) {
            struct fd_entry *t = v[end];
            v[end++] = v[i];
            v[i] = t;
         }
      }
      int r = push(g, cap, &v[start], end - start, true);
      if (r < 0)
         return r;
      start = end;
   }
   return 0;
}

int
group_descriptions(struct scan *s, struct grouping *out)
{
   memset(out, 0, sizeof(*out));
   question_counter = &out->questions;
   size_t cap = 0;
   struct fd_entry **v = malloc((s->n_fds + 1) * sizeof(*v));
   struct fd_entry **tmp = malloc((s->n_fds + 1) * sizeof(*tmp));
   if (!v || !tmp) {
      free(v);
      free(tmp);
      return -ENOMEM;
   }
   out->members = v;
   for (size_t i = 0; i < s->n_fds; i++)
      v[i] = &s->fds[i];
   qsort(v, s->n_fds, sizeof(*v), cmp_inode);
   bool have_order = fdid_probe() & FDID_METHOD_KCMP;

   int r = 0;
   size_t i = 0;
   while (r == 0 && i < s->n_fds) {
      size_t j = i + 1;
      while (j < s->n_fds && cmp_inode(&v[i], &v[j]) == 0)
         j++;
      if (j - i == 1) {
         r = push(out, &cap, &v[i], 1, true);
         i = j;
         continue;
      }
      /* A shared inode: position and flags split the bucket further. */
      for (size_t k = i; k < j; k++)
         scan_read_fdinfo(v[k]);
      qsort(v + i, j - i, sizeof(*v), cmp_position);
      size_t a = i;
      while (r == 0 && a < j) {
         size_t b = a + 1;
         while (b < j && cmp_position(&v[a], &v[b]) == 0)
            b++;
         r = b - a == 1 ? push(out, &cap, &v[a], 1, true)
                        : group_bucket(out, &cap, v + a, b - a, tmp, have_order);
         a = b;
      }
      i = j;
   }
   free(tmp);
   if (r < 0)
      grouping_free(out);
   return r;
}

void
grouping_free(struct grouping *g)
{
   free(g->descs);
   free(g->members);
   memset(g, 0, sizeof(*g));
}
