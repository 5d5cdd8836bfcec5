/* SPDX-License-Identifier: MIT */
/* What the consumers layer's own caches ask of import_cache.c beyond the
 * public API. */
#ifndef FDID_CONSUMERS_IMPORT_CACHE_PRIVATE_H
#define FDID_CONSUMERS_IMPORT_CACHE_PRIVATE_H

#include <fdid/import_cache.h>

/*
 * The object the import makes holds its buffers itself (a KMS framebuffer:
 * its GEM handles hold their dma-bufs, and a dma-buf with a handle cannot
 * be freed nor its inode reused), so an entry keeps no dup of its own: a
 * buffer is not pinned twice, and a framebuffer costs no fd. The import
 * must check that the image's fds still hold its buffers (image_bos.c
 * does).
 */
#define FDID_IMPORT_CACHE_OBJECT_HOLDS_BUFFERS (1u << 0)

int fdid_import_cache_create_with(void *context, fdid_import_fn import, fdid_destroy_fn destroy,
                                  unsigned flags, struct fdid_import_cache **out);

#endif
