/* SPDX-License-Identifier: MIT */
/* dma-buf mappings from /proc/PID/maps (maps.h). */
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "maps.h"
#include "proc_read.h"
#include "util/array.h"
#include "util/buffer_id.h"
#include "util/linux_abi.h"
#include "util/number.h"


/* Lowercase hex digits up to `stop` (not empty, no overflow). */
static bool
hex_until(const char **s, const char *end, char stop, unsigned long long *v)
{
   uint64_t x;
   size_t k = fdid_parse_digits(*s, (size_t)(end - *s), 16, UINT64_MAX, &x);
   if (k == 0 || *s + k == end || (*s)[k] != stop)
      return false;
   *v = x;
   *s += k + 1;
   return true;
}

bool
maps_parse_line(const char *line, size_t len, unsigned long *start, unsigned long *end,
                unsigned *dev_major, unsigned *dev_minor, unsigned long long *ino)
{
   const char *s = line, *e = line + len;
   unsigned long long a, b, off, maj, min;
   if (!hex_until(&s, e, '-', &a) || !hex_until(&s, e, ' ', &b) || a >= b)
      return false;
   if (e - s < 5 || s[4] != ' ')
      return false;
   s += 5;
   if (!hex_until(&s, e, ' ', &off) || !hex_until(&s, e, ':', &maj) ||
       !hex_until(&s, e, ' ', &min) || maj > 0xfff || min > 0xfffff)
      return false;
   uint64_t v;
   size_t k = fdid_parse_digits(s, (size_t)(e - s), 10, UINT64_MAX, &v);
   s += k;
   /* The kernel prints a blank after the inode, path or not: a line that
    * ends on the digits was cut, and its inode may be cut too. */
   if (k == 0 || s == e || *s != ' ')
      return false;
   *start = (unsigned long)a;
   *end = (unsigned long)b;
   *dev_major = (unsigned)maj;
   *dev_minor = (unsigned)min;
   *ino = v;
   return true;
}

static bool
is_other_dev(const struct maps_context *ctx, dev_t dev)
{
   for (size_t i = 0; i < ctx->n_other_devs; i++) {
      if (ctx->other_devs[i] == dev)
         return true;
   }
   return false;
}

static int
add_other_dev(struct maps_context *ctx, dev_t dev)
{
   return fdid_array_push(ctx->other_devs, ctx->n_other_devs, ctx->cap_other_devs, dev);
}

/* Every mapping is added; each buffer is made one entry once the whole
 * file is read (merge_bufs): a search per mapping would make a process
 * with many buffers cost their square. */
static int
add_buf(struct maps_result *out, struct mapped_dmabuf b)
{
   return fdid_array_push(out->bufs, out->n_bufs, out->cap_bufs, b);
}

/* By buffer, and of one buffer's mappings one with a size first. */
static int
cmp_buf(const void *pa, const void *pb)
{
   const struct mapped_dmabuf *a = pa, *b = pb;
   int c = fdid_inode_cmp(a->dev, a->ino, b->dev, b->ino);
   if (c)
      return c;
   if ((a->size < 0) != (b->size < 0))
      return a->size < 0 ? 1 : -1;
   return a->start < b->start ? -1 : a->start > b->start;
}

static void
merge_bufs(struct maps_result *out)
{
   if (out->n_bufs < 2)
      return;
   qsort(out->bufs, out->n_bufs, sizeof(*out->bufs), cmp_buf);
   size_t n = 1;
   for (size_t i = 1; i < out->n_bufs; i++) {
      const struct mapped_dmabuf *last = &out->bufs[n - 1];
      if (out->bufs[i].dev != last->dev || out->bufs[i].ino != last->ino)
         out->bufs[n++] = out->bufs[i];
   }
   out->n_bufs = n;
}

enum { MAP_FILES_PATH = 96 };

/* The file behind one mapping of process pid (/proc/PID/map_files/RANGE,
 * its path into path): 0 when it is still the inode the maps line named,
 * 1 when the range holds another file now, or a negative errno. */
static int
stat_mapping(pid_t pid, const struct mapped_dmabuf *m, char path[MAP_FILES_PATH], struct stat *st)
{
   snprintf(path, MAP_FILES_PATH, "/proc/%d/map_files/%lx-%lx", (int)pid, m->start, m->end);
   if (stat(path, st) != 0)
      return -errno;
   return st->st_dev != m->dev || st->st_ino != m->ino;
}

long long
maps_mapping_size(pid_t pid, const struct mapped_dmabuf *buf)
{
   char path[MAP_FILES_PATH];
   struct stat st;
   return stat_mapping(pid, buf, path, &st) == 0 ? (long long)st.st_size : -1;
}

/* One mapping of a file on a pseudo file system (major 0). */
static int
check_mapping(pid_t pid, unsigned long start, unsigned long end, dev_t dev, ino_t ino,
              struct maps_context *ctx, struct maps_result *out)
{
   struct mapped_dmabuf b = { dev, ino, -1, start, end };
   if (is_other_dev(ctx, dev))
      return 0;
   if (ctx->dmabuf_dev_known)
      return dev == ctx->dmabuf_dev ? add_buf(out, b) : 0;
   /* Not known yet: is this device the dma-buf file system? */
   char path[MAP_FILES_PATH];
   struct stat st;
   int r = stat_mapping(pid, &b, path, &st);
   if (r == -ENOMEM)
      return r;
   if (r == -EPERM || r == -EACCES)
      out->unverified++; /* no right to map_files */
   if (r != 0)
      return 0; /* or unmapped, or mapped anew, since the maps read */
   struct statfs fs;
   ctx->checks++;
   if (statfs(path, &fs) != 0)
      return errno == ENOMEM ? -ENOMEM : 0;
   if (!fdid_statfs_is_dmabuf(&fs))
      return add_other_dev(ctx, dev);
   ctx->dmabuf_dev_known = true;
   ctx->dmabuf_dev = dev;
   b.size = (long long)st.st_size;
   return add_buf(out, b);
}

struct maps_read {
   pid_t pid;
   struct maps_context *ctx;
   struct maps_result *out;
};

bool
maps_line_file(const char *line, size_t len, unsigned long *start, unsigned long *end,
               dev_t *dev, ino_t *ino)
{
   unsigned maj, min;
   unsigned long long i;
   if (!maps_parse_line(line, len, start, end, &maj, &min, &i) || i == 0)
      return false;
   *dev = makedev(maj, min);
   *ino = (ino_t)i;
   return true;
}

/* One line of the maps file (its start, when it is longer than the
 * reader's buffer: the fields come before the path). */
static int
take_line(const char *line, size_t len, bool whole, void *arg)
{
   struct maps_read *m = arg;
   unsigned long start, end;
   dev_t dev;
   ino_t ino;
   /* dma-bufs live on a pseudo file system: major 0. */
   if (!maps_line_file(line, len, &start, &end, &dev, &ino) || major(dev) != 0)
      return 0;
   return check_mapping(m->pid, start, end, dev, ino, m->ctx, m->out);
}

int
maps_read_dmabufs(pid_t pid, struct maps_context *ctx, struct maps_result *out)
{
   memset(out, 0, sizeof(*out));
   char path[64];
   snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
   struct maps_read m = { pid, ctx, out };
   /* Read as a stream, whatever its length: a text cut short (-EBADMSG)
    * is an error, never a list of what came before the cut. */
   int r = proc_read_lines(path, take_line, &m);
   if (r == -ENOENT)
      r = -ESRCH;
   if (r < 0)
      maps_result_finish(out);
   else
      merge_bufs(out);
   return r;
}

void
maps_result_finish(struct maps_result *r)
{
   free(r->bufs);
   memset(r, 0, sizeof(*r));
}

void
maps_context_finish(struct maps_context *ctx)
{
   free(ctx->other_devs);
   memset(ctx, 0, sizeof(*ctx));
}
