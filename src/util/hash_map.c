/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "util/hash_map.h"

enum { INITIAL_BUCKETS = 16 };

/* splitmix64's finalizer over both words: handles and inode numbers are
 * small consecutive integers, which must not land in neighbouring buckets
 * by their low bits alone. */
static size_t
hash_key(uint64_t k1, uint64_t k2)
{
   uint64_t h = k1 * 0x9e3779b97f4a7c15ull ^ k2;
   h ^= h >> 30;
   h *= 0xbf58476d1ce4e5b9ull;
   h ^= h >> 27;
   h *= 0x94d049bb133111ebull;
   h ^= h >> 31;
   return (size_t)h;
}

int
fdid_hmap_init(struct fdid_hmap *m)
{
   m->heads = calloc(INITIAL_BUCKETS, sizeof(*m->heads));
   m->mask = INITIAL_BUCKETS - 1;
   m->count = 0;
   return m->heads ? 0 : -ENOMEM;
}

void
fdid_hmap_fini(struct fdid_hmap *m)
{
   free(m->heads);
   m->heads = NULL;
   m->mask = 0;
   m->count = 0;
}

struct fdid_hnode *
fdid_hmap_find(const struct fdid_hmap *m, uint64_t k1, uint64_t k2)
{
   for (struct fdid_hnode *n = m->heads[hash_key(k1, k2) & m->mask]; n; n = n->next) {
      if (n->k1 == k1 && n->k2 == k2)
         return n;
   }
   return NULL;
}

struct fdid_hnode *
fdid_hmap_next_match(const struct fdid_hnode *n)
{
   for (struct fdid_hnode *x = n->next; x; x = x->next) {
      if (x->k1 == n->k1 && x->k2 == n->k2)
         return x;
   }
   return NULL;
}

static void
grow(struct fdid_hmap *m)
{
   size_t size = (m->mask + 1) * 2;
   struct fdid_hnode **heads = calloc(size, sizeof(*heads));
   if (!heads)
      return;
   for (size_t i = 0; i <= m->mask; i++) {
      struct fdid_hnode *n = m->heads[i];
      while (n) {
         struct fdid_hnode *next = n->next;
         size_t b = hash_key(n->k1, n->k2) & (size - 1);
         n->next = heads[b];
         heads[b] = n;
         n = next;
      }
   }
   free(m->heads);
   m->heads = heads;
   m->mask = size - 1;
}

void
fdid_hmap_insert(struct fdid_hmap *m, struct fdid_hnode *n, uint64_t k1, uint64_t k2)
{
   if (m->count >= m->mask + 1)
      grow(m);
   n->k1 = k1;
   n->k2 = k2;
   struct fdid_hnode **head = &m->heads[hash_key(k1, k2) & m->mask];
   n->next = *head;
   *head = n;
   m->count++;
}

void
fdid_hmap_remove(struct fdid_hmap *m, struct fdid_hnode *n)
{
   struct fdid_hnode **p = &m->heads[hash_key(n->k1, n->k2) & m->mask];
   while (*p && *p != n)
      p = &(*p)->next;
   if (*p) {
      *p = n->next;
      m->count--;
   }
   n->next = NULL;
}

void
fdid_hmap_clear(struct fdid_hmap *m)
{
   for (size_t i = 0; i <= m->mask; i++)
      m->heads[i] = NULL;
   m->count = 0;
}
