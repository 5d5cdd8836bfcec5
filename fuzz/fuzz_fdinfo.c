/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the inspector's fdinfo parsers (src/inspect/fdinfo.c) on
 * arbitrary text. Any process can make fdid read text it shaped (a DRM
 * driver's keys, a dma-buf's name it set itself), so neither parser may
 * read out of bounds, leak, or produce a field that is not terminated.
 * The maps line reader (src/inspect/maps.c) too: a mapped file's path is a
 * process's to choose; and the import caches' reader of a dma-buf's count
 * (src/util/dmabuf_count.c), under a name the buffer's maker chose; and
 * the socket tables' reader (src/inspect/sockets.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drm_usage.h"
#include "fdinfo.h"
#include "maps.h"
#include "sockets.h"
#include "util/dmabuf_count.h"

static void
check_terminated(const char *s, size_t size)
{
   if (!memchr(s, 0, size))
      abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   /* A copy without a terminator: the parsers take a length. */
   char *text = malloc(size ? size : 1);
   if (!text)
      return 0;
   memcpy(text, data, size);

   uint64_t count = 0;
   if (fdid_dmabuf_count_parse(text, size, &count) == 0 && count > INT64_MAX)
      abort();
   /* /proc/net/{tcp,udp}[6]: numbers only, but cut and odd lines too. */
   struct socket_table sockets = { 0 };
   sockets_parse_inet(&sockets, text, size, size & 1, size & 2);
   sockets_sort(&sockets);
   sockets_finish(&sockets);

   struct fdinfo info;
   fdinfo_parse(text, size, &info);
   if (info.names) {
      check_terminated(info.names->tun_iface, sizeof(info.names->tun_iface));
      check_terminated(info.names->drm_driver, sizeof(info.names->drm_driver));
      check_terminated(info.names->drm_client_id, sizeof(info.names->drm_client_id));
      check_terminated(info.names->exp_name, sizeof(info.names->exp_name));
      check_terminated(info.names->buf_name, sizeof(info.names->buf_name));
   }
   /* Nothing is read after a dma-buf's name: a name that looks like a
    * key never sets one. */
   if (info.has_buf_name && !info.is_dmabuf)
      abort();
   fdinfo_finish(&info);

   /* drm-usage-stats: bounded arrays, terminated names, one region or
    * engine per name. */
   struct drm_usage u;
   drm_usage_parse(text, size, &u);
   if (u.n_regions > DRM_USAGE_MAX || u.n_engines > DRM_USAGE_MAX)
      abort();
   check_terminated(u.driver, sizeof(u.driver));
   check_terminated(u.pdev, sizeof(u.pdev));
   for (unsigned i = 0; i < u.n_regions; i++) {
      check_terminated(u.regions[i].name, sizeof(u.regions[i].name));
      if (drm_usage_region(&u, u.regions[i].name) != &u.regions[i])
         abort();
   }
   for (unsigned i = 0; i < u.n_engines; i++) {
      check_terminated(u.engines[i].name, sizeof(u.engines[i].name));
      if (drm_usage_engine(&u, u.engines[i].name) != &u.engines[i] ||
          u.engines[i].capacity == 0)
         abort();
   }

   struct epoll_target *targets;
   size_t n;
   if (fdinfo_parse_epoll(text, size, &targets, &n) == 0) {
      for (size_t i = 0; i < n; i++) {
         if (targets[i].tfd < 0)
            abort();
         /* toff counts earlier targets with the same number. */
         unsigned same = 0;
         for (size_t j = 0; j < i; j++)
            same += targets[j].tfd == targets[i].tfd;
         if (targets[i].toff != same)
            abort();
      }
      free(targets);
   }
   /* A maps line: a range that is one, a device that fits a dev_t. */
   unsigned long start, end;
   unsigned maj, min;
   unsigned long long ino;
   if (maps_parse_line(text, size, &start, &end, &maj, &min, &ino) &&
       (start >= end || maj > 0xfff || min > 0xfffff))
      abort();
   free(text);
   return 0;
}
