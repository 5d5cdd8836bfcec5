/* SPDX-License-Identifier: MIT */
/*
 * How many references a dma-buf's file holds: the `count:` line of its
 * fdinfo (/proc/self/fdinfo/FD), the kernel's file_count() less the one
 * its own read takes. Every fd, every GEM import (attachment) and every
 * exporter's handle that keeps the buffer alive counts one; the kernel
 * gives this number nowhere else. The import caches ask it on a miss and
 * when they choose an idle entry to drop (import_cache.c), never per frame.
 */
#ifndef FDID_UTIL_DMABUF_COUNT_H
#define FDID_UTIL_DMABUF_COUNT_H

#include <stddef.h>
#include <stdint.h>

/*
 * 0 and *count; or a negative errno: the open's or read's (-ENOENT where
 * /proc is not mounted), -EBADMSG for a text with no whole `count:` line
 * (cut short, or another file's fdinfo: the fd is not a dma-buf). Costs an
 * openat, a read and a close.
 */
int fdid_dmabuf_file_count(int fd, uint64_t *count);

/* The same reading of a text already read (for the tests and the fuzz
 * target): 0 and *count, or -EBADMSG. */
int fdid_dmabuf_count_parse(const char *text, size_t len, uint64_t *count);

#endif /* FDID_UTIL_DMABUF_COUNT_H */
