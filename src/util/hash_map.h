/* SPDX-License-Identifier: MIT */
/*
 * The one hash map: chained, over intrusive nodes with a two-word key. The
 * winsys keeps its devices by inode and its buffers by dma-buf inode and by
 * GEM handle in these; an import cache its entries by image and by object.
 * Several nodes may share a key (fdid_hmap_next_match() walks them). Not
 * thread-safe: the owner's lock protects it.
 */
#ifndef FDID_UTIL_HASH_MAP_H
#define FDID_UTIL_HASH_MAP_H

#include <stddef.h>
#include <stdint.h>

struct fdid_hnode {
   struct fdid_hnode *next;
   uint64_t k1, k2;
};

struct fdid_hmap {
   struct fdid_hnode **heads;
   size_t mask;   /* bucket count - 1 (a power of two) */
   size_t count;
};

/* 0 or -ENOMEM. The map starts with room, so that inserts cannot fail. */
int fdid_hmap_init(struct fdid_hmap *m);
void fdid_hmap_fini(struct fdid_hmap *m);

/* The first node with this key, or NULL. */
struct fdid_hnode *fdid_hmap_find(const struct fdid_hmap *m, uint64_t k1, uint64_t k2);
/* The next node after n with n's key, or NULL. */
struct fdid_hnode *fdid_hmap_next_match(const struct fdid_hnode *n);

/* Folds v into a running hash h, for keys made of many fields (an image):
 * the map mixes the result again, so this need only keep every bit. */
static inline uint64_t
fdid_hash_combine(uint64_t h, uint64_t v)
{
   return (h ^ v) * 0x100000001b3ull + (h >> 29);
}

/* Never fails: a map that cannot grow only gets longer chains. */
void fdid_hmap_insert(struct fdid_hmap *m, struct fdid_hnode *n, uint64_t k1, uint64_t k2);

/* n must be in m. */
void fdid_hmap_remove(struct fdid_hmap *m, struct fdid_hnode *n);

/* Forget every node (the nodes themselves are the caller's). */
void fdid_hmap_clear(struct fdid_hmap *m);

#define fdid_container_of(ptr, type, member) \
   ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Visit every node; the loop body must not change the map. */
#define fdid_hmap_foreach(m, n)                                              \
   for (size_t fdid_hi_ = 0; (m)->heads && fdid_hi_ <= (m)->mask; fdid_hi_++) \
      for (struct fdid_hnode *n = (m)->heads[fdid_hi_]; n; n = n->next)

#endif /* FDID_UTIL_HASH_MAP_H */
