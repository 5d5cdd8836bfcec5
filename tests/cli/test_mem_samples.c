/* SPDX-License-Identifier: MIT */
/*
 * The live view's arithmetic (src/inspect/mem.c): a client found again in the
 * previous sample, and its engines' utilisation between the two. No
 * kernel here prints engine counters (vgem and virtio-gpu print none), so
 * the samples are built from fdinfo texts shaped as drm-usage-stats
 * documents them (i915's nanoseconds, xe's cycles), on reports made by
 * hand: the client's holders and devices are plain data here.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdid_test.h"
#include "json.h"
#include "mem.h"

struct world {
   struct process proc;
   struct fd_entry fd;
   struct fd_entry *holders[1];
   struct description desc;
   struct mem_device device;
   struct mem_client client;
   struct mem_report report;
};

/* A report of one client, held by pid's fd on inode ino, on `device`,
 * with the given fdinfo. */
static void
world(struct world *w, pid_t pid, int fd, ino_t ino, const char *device, const char *fdinfo)
{
   memset(w, 0, sizeof(*w));
   w->proc.pid = w->proc.tid = pid;
   w->fd = (struct fd_entry){ .proc = &w->proc, .fd = fd, .type = FD_DRM, .ino = ino };
   w->holders[0] = &w->fd;
   w->desc = (struct description){ .holders = w->holders, .n_holders = 1, .verified = true };
   strcpy(w->device.path, device);
   w->client.desc = &w->desc;
   w->client.has_usage = true;
   drm_usage_parse(fdinfo, strlen(fdinfo), &w->client.usage);
   w->report = (struct mem_report){ .clients = &w->client, .n_clients = 1,
                                    .devices = &w->device, .n_devices = 1 };
}

static const char i915_before[] = "drm-driver:\ti915\ndrm-client-id:\t7\n"
                                   "drm-engine-render:\t1000000000 ns\n"
                                   "drm-engine-video:\t0 ns\ndrm-engine-capacity-video:\t2\n";
static const char i915_after[] = "drm-driver:\ti915\ndrm-client-id:\t7\n"
                                  "drm-engine-render:\t1750000000 ns\n"
                                  "drm-engine-video:\t1000000000 ns\ndrm-engine-capacity-video:\t2\n";

static double
busy(struct world *before, struct world *after, unsigned engine, uint64_t wall_ns)
{
   return mem_client_engine_busy(mem_client_in(&before->report, &after->report, &after->client),
                                 &after->client, engine, wall_ns);
}

FDID_TEST(same_client_id_on_the_same_device)
{
   struct world a, b;
   world(&a, 100, 5, 1, "pci0000:00/0000:00:02.0", i915_before);
   /* Another holder shows it now (the first one closed): the id says it
    * is the same client. */
   world(&b, 200, 9, 1, "pci0000:00/0000:00:02.0", i915_after);
   CHECK(mem_client_in(&a.report, &b.report, &b.client) == &a.client);
   /* 750 ms busy in one second; video: 1 s of two engines' 2 s. */
   double r = busy(&a, &b, 0, 1000000000);
   CHECK(r > 0.7499 && r < 0.7501);
   r = busy(&a, &b, 1, 1000000000);
   CHECK(r > 0.4999 && r < 0.5001);
   CHECK(busy(&a, &b, 2, 1000000000) < 0); /* no such engine */
}

FDID_TEST(same_id_on_another_device_is_another_client)
{
   struct world a, b;
   world(&a, 100, 5, 1, "pci0000:00/0000:00:02.0", i915_before);
   world(&b, 100, 5, 1, "pci0000:00/0000:03:00.0", i915_after);
   CHECK(mem_client_in(&a.report, &b.report, &b.client) == NULL);
   CHECK(busy(&a, &b, 0, 1000000000) < 0);
}

FDID_TEST(another_id_is_another_client)
{
   static const char other[] = "drm-driver:\ti915\ndrm-client-id:\t8\n"
                               "drm-engine-render:\t1750000000 ns\n";
   struct world a, b;
   world(&a, 100, 5, 1, "dev", i915_before);
   world(&b, 100, 5, 1, "dev", other);
   CHECK(mem_client_in(&a.report, &b.report, &b.client) == NULL);
}

FDID_TEST(without_ids_the_first_holder_decides)
{
   static const char xe_before[] = "drm-driver:\txe\ndrm-cycles-rcs:\t100\n"
                                   "drm-total-cycles-rcs:\t1000\n";
   static const char xe_after[] = "drm-driver:\txe\ndrm-cycles-rcs:\t600\n"
                                  "drm-total-cycles-rcs:\t3000\n";
   struct world a, b, c, d;
   world(&a, 100, 5, 1, "dev", xe_before);
   world(&b, 100, 5, 1, "dev", xe_after);
   CHECK(mem_client_in(&a.report, &b.report, &b.client) == &a.client);
   double r = busy(&a, &b, 0, 777); /* cycles need no wall time */
   CHECK(r > 0.2499 && r < 0.2501);
   /* The fd number reused for another open of the device: the inode of
    * one device node is the same, so only pid, fd and inode can tell;
    * another fd or process is another client. */
   world(&c, 100, 6, 1, "dev", xe_after);
   CHECK(mem_client_in(&a.report, &c.report, &c.client) == NULL);
   world(&d, 101, 5, 1, "dev", xe_after);
   CHECK(mem_client_in(&a.report, &d.report, &d.client) == NULL);
}

FDID_TEST(a_client_with_an_id_never_matches_one_without)
{
   static const char no_id[] = "drm-driver:\ti915\ndrm-engine-render:\t1750000000 ns\n";
   struct world a, b;
   world(&a, 100, 5, 1, "dev", i915_before);
   world(&b, 100, 5, 1, "dev", no_id);
   CHECK(mem_client_in(&a.report, &b.report, &b.client) == NULL);
   CHECK(mem_client_in(&b.report, &a.report, &a.client) == NULL);
}

/* A locale whose decimal point is a comma, made from the C library's
 * sources (Debian's `locales`) into a folder of ours: false when none can
 * be made here. */
static bool
comma_locale(char *dir, size_t cap)
{
   snprintf(dir, cap, "/tmp/fdid-locale-XXXXXX");
   if (!mkdtemp(dir))
      return false;
   char path[128], cmd[512];
   snprintf(path, sizeof(path), "%s/comma", dir);
   FILE *f = fopen(path, "w");
   if (!f)
      return false;
   /* German's decimal comma, numbers only, in ASCII: made in milliseconds. */
   fputs("comment_char %\nescape_char /\nLC_NUMERIC\ndecimal_point \",\"\n"
         "thousands_sep \".\"\ngrouping 3;3\nEND LC_NUMERIC\n", f);
   fclose(f);
   snprintf(cmd, sizeof(cmd), "localedef -c -f ANSI_X3.4-1968 -i %s %s/xx_XX >/dev/null 2>&1",
            path, dir);
   if (system(cmd) == -1)
      return false;
   setenv("LOCPATH", dir, 1);
   return setlocale(LC_NUMERIC, "xx_XX") != NULL;
}

static void
fraction_text(double x, char *out, size_t cap)
{
   FILE *f = fmemopen(out, cap, "w");
   CHECK(f != NULL);
   json_write_fraction(f, x);
   fclose(f);
}

FDID_TEST(utilisation_is_a_json_number_in_every_locale)
{
   char dir[64], text[64];
   bool comma = comma_locale(dir, sizeof(dir));
   char cleanup[128];
   snprintf(cleanup, sizeof(cleanup), "rm -rf %s", dir);
   if (!comma) {
      CHECK_EQ(system(cleanup), 0);
      SKIP("no locale with a decimal comma can be made here (Debian's locales)");
   }
   /* The locale's own printf says "0,5": the writer must not. */
   snprintf(text, sizeof(text), "%.1f", 0.5);
   CHECK(strcmp(text, "0,5") == 0);
   fraction_text(0.499292, text, sizeof(text));
   CHECK(strcmp(text, "0.499292") == 0);
   fraction_text(1.25, text, sizeof(text));
   CHECK(strcmp(text, "1.250000") == 0);
   fraction_text(-1, text, sizeof(text));
   CHECK(strcmp(text, "null") == 0);
   setlocale(LC_ALL, "C");
   CHECK_EQ(system(cleanup), 0);
}

FDID_TEST_MAIN()
