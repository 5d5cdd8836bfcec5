/* SPDX-License-Identifier: MIT */
/*
 * A small chained hash map over intrusive nodes with a two-word key. The
 * winsys keeps its devices by inode and its buffers by dma-buf inode and by
 * GEM handle in these. Not thread-safe: the owner's lock protects it.
 */
#ifndef FDID_DRM_HASH_MAP_H
#define FDID_DRM_HASH_MAP_H

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

struct fdid_hnode *fdid_hmap_find(const struct fdid_hmap *m, uint64_t k1, uint64_t k2);

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

#endif /* FDID_DRM_HASH_MAP_H */
