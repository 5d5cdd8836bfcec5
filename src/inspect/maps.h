/* SPDX-License-Identifier: MIT */
/*
 * The dma-bufs a process maps, from /proc/PID/maps: a buffer mapped stays
 * held after its fd is closed, so `fdid mem` counts mappings beside fds.
 *
 * maps is the kernel's text, but its last field is a path a process names
 * (a dma-buf's name is any bytes), so nothing is read from the path: a
 * mapping is a dma-buf when the file behind it (/proc/PID/map_files/RANGE,
 * stat'ed and statfs'ed) is on the dma-buf file system (DMA_BUF_MAGIC),
 * with the inode the maps line gives. Once the dma-buf file system's
 * device is known (from a dma-buf fd of the scan, or one such check), the
 * line's device and inode, printed by the kernel before the path (whose
 * newlines the kernel escapes), are enough: no file is opened per
 * mapping. A buffer's size is its inode's: from an fd on it, else from
 * one stat of a mapping (maps_mapping_size). Reading map_files takes
 * CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE): without it, a mapping that
 * might be a dma-buf on a device not known is counted as unverified,
 * never guessed, and a buffer only mapped has no size.
 */
#ifndef FDID_INSPECT_MAPS_H
#define FDID_INSPECT_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct mapped_dmabuf {
   dev_t dev;
   ino_t ino;
   long long size;          /* -1: not asked yet (maps_mapping_size) */
   unsigned long start, end; /* one mapping of it */
};

/* What the reader learnt about pseudo file systems (device numbers of
 * major 0), shared across processes so that each is checked once. */
struct maps_context {
   bool dmabuf_dev_known;
   dev_t dmabuf_dev;
   dev_t *other_devs;       /* checked: not the dma-buf file system */
   size_t n_other_devs, cap_other_devs;
   unsigned long checks;    /* statfs calls made */
};

struct maps_result {
   struct mapped_dmabuf *bufs; /* each buffer once, however often mapped */
   size_t n_bufs, cap_bufs;
   unsigned unverified;     /* mappings that may be dma-bufs: not checked */
};

/* Reads one process's maps, whole, whatever its length (a stream, each
 * buffer one entry: the cost is linear in mappings). 0; -ESRCH (gone),
 * -EACCES/-EPERM (maps not readable), -EBADMSG (the text ended inside a
 * line: cut short, so nothing of it is taken), -ENOMEM. On error *out is
 * empty. */
int maps_read_dmabufs(pid_t pid, struct maps_context *ctx, struct maps_result *out);

/* The fields of one maps line before its path, strictly as the kernel
 * prints them ("%lx-%lx %4c %llx %x:%x %lu "); false when it is not such a
 * line. Exposed for the fuzzer and the tests. */
bool maps_parse_line(const char *line, size_t len, unsigned long *start, unsigned long *end,
                     unsigned *dev_major, unsigned *dev_minor, unsigned long long *ino);

/* A maps line's mapping of a file (an inode: anonymous memory has 0):
 * its range, device and inode; false for another line or no file. */
bool maps_line_file(const char *line, size_t len, unsigned long *start, unsigned long *end,
                    dev_t *dev, ino_t *ino);

/* The size of the buffer behind one mapping (buf, read from pid's maps),
 * from a stat of /proc/PID/map_files/RANGE that must show the same inode;
 * -1 when it cannot (no right, unmapped since). */
long long maps_mapping_size(pid_t pid, const struct mapped_dmabuf *buf);

void maps_result_finish(struct maps_result *r);
void maps_context_finish(struct maps_context *ctx);

#endif
