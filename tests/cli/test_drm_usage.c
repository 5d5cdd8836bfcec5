/* SPDX-License-Identifier: MIT */
/*
 * The drm-usage-stats parser (src/inspect/drm_usage.c) on fdinfo texts shaped
 * as the kernel's drm-usage-stats document and the drivers that print
 * these keys print them (amdgpu, i915, xe, msm, panfrost, v3d), field by
 * field; and on hostile text: repeated keys, bad numbers, long names.
 */
#include <string.h>

#include "drm_usage.h"
#include "fdid_test.h"

static void
parse(const char *text, struct drm_usage *u)
{
   drm_usage_parse(text, strlen(text), u);
}

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)

FDID_TEST(amdgpu_legacy_memory_and_regions)
{
   struct drm_usage u;
   parse("pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1037\n"
         "drm-driver:\tamdgpu\ndrm-client-id:\t52\ndrm-pdev:\t0000:03:00.0\npasid:\t32771\n"
         "drm-memory-vram:\t145376 KiB\ndrm-memory-gtt: \t4120 KiB\ndrm-memory-cpu: \t0 KiB\n"
         "amd-memory-visible-vram:\t25000 KiB\n"
         "drm-total-vram:\t145376 KiB\ndrm-shared-vram:\t0 KiB\ndrm-resident-vram:\t145376 KiB\n"
         "drm-engine-gfx:\t2134560 ns\ndrm-engine-compute:\t0 ns\ndrm-engine-dec:\t17 ns\n",
         &u);
   CHECK(strcmp(u.driver, "amdgpu") == 0);
   CHECK(strcmp(u.pdev, "0000:03:00.0") == 0);
   CHECK(u.has_client_id && u.client_id == 52);
   const struct drm_usage_region *vram = drm_usage_region(&u, "vram");
   CHECK(vram != NULL);
   CHECK_EQ(vram->present, REGION_MEMORY | REGION_TOTAL | REGION_SHARED | REGION_RESIDENT);
   CHECK_EQ(vram->memory, KiB(145376));
   CHECK_EQ(vram->total, KiB(145376));
   CHECK_EQ(vram->shared, 0);
   CHECK_EQ(drm_usage_region(&u, "gtt")->memory, KiB(4120));
   CHECK_EQ(drm_usage_region(&u, "cpu")->memory, 0);
   CHECK_EQ(u.n_regions, 3);
   CHECK_EQ(drm_usage_engine(&u, "gfx")->ns, 2134560);
   CHECK_EQ(drm_usage_engine(&u, "dec")->ns, 17);
   CHECK_EQ(drm_usage_engine(&u, "gfx")->capacity, 1);
   CHECK_EQ(u.n_engines, 3);
   CHECK_EQ(u.malformed, 0);
   CHECK_EQ(u.dropped, 0);
}

FDID_TEST(i915_regions_and_engine_capacity)
{
   struct drm_usage u;
   parse("drm-driver:\ti915\ndrm-client-id:\t9\ndrm-pdev:\t0000:00:02.0\n"
         "drm-total-system0:\t16 MiB\ndrm-shared-system0:\t0\ndrm-active-system0:\t0\n"
         "drm-resident-system0:\t16 MiB\ndrm-purgeable-system0:\t4 KiB\n"
         "drm-total-stolen-system0:\t0\n"
         "drm-engine-render:\t123456789 ns\ndrm-engine-copy:\t0 ns\n"
         "drm-engine-video:\t5 ns\ndrm-engine-capacity-video:\t2\n"
         "drm-engine-video-enhance:\t0 ns\n",
         &u);
   const struct drm_usage_region *s0 = drm_usage_region(&u, "system0");
   CHECK_EQ(s0->total, MiB(16));
   CHECK_EQ(s0->resident, MiB(16));
   CHECK_EQ(s0->purgeable, KiB(4));
   CHECK_EQ(s0->present, REGION_TOTAL | REGION_SHARED | REGION_ACTIVE | REGION_RESIDENT |
                            REGION_PURGEABLE);
   CHECK(drm_usage_region(&u, "stolen-system0") != NULL);
   const struct drm_usage_engine *video = drm_usage_engine(&u, "video");
   CHECK_EQ(video->ns, 5);
   CHECK_EQ(video->capacity, 2);
   CHECK_EQ(video->present, ENGINE_NS | ENGINE_CAPACITY);
   CHECK_EQ(drm_usage_engine(&u, "video-enhance")->ns, 0);
   CHECK_EQ(drm_usage_engine(&u, "render")->ns, 123456789);
   CHECK_EQ(u.malformed, 0);
}

FDID_TEST(xe_cycles_and_total_cycles)
{
   struct drm_usage u;
   parse("drm-driver:\txe\ndrm-client-id:\t4\ndrm-pdev:\t0000:03:00.0\n"
         "drm-total-gtt:\t192 KiB\ndrm-resident-gtt:\t192 KiB\ndrm-total-vram0:\t23992 KiB\n"
         "drm-cycles-rcs:\t28257900\ndrm-total-cycles-rcs:\t7655183225\n"
         "drm-cycles-bcs:\t0\ndrm-total-cycles-bcs:\t7655183225\n"
         "drm-engine-capacity-vcs:\t2\ndrm-cycles-vcs:\t0\ndrm-total-cycles-vcs:\t7655183225\n",
         &u);
   const struct drm_usage_engine *rcs = drm_usage_engine(&u, "rcs");
   CHECK_EQ(rcs->cycles, 28257900);
   CHECK_EQ(rcs->total_cycles, 7655183225ull);
   CHECK_EQ(rcs->present, ENGINE_CYCLES | ENGINE_TOTAL_CYCLES);
   CHECK_EQ(drm_usage_engine(&u, "vcs")->capacity, 2);
   CHECK_EQ(drm_usage_region(&u, "vram0")->total, KiB(23992));
   CHECK(drm_usage_region(&u, "cycles-rcs") == NULL); /* not a region */
   CHECK_EQ(u.n_engines, 3);
}

FDID_TEST(msm_panfrost_v3d_single_memory_region)
{
   struct drm_usage u;
   parse("drm-driver:\tmsm\ndrm-client-id:\t1\ndrm-engine-gpu:\t123456 ns\n"
         "drm-cycles-gpu:\t987654\ndrm-maxfreq-gpu:\t800000000 Hz\n"
         "drm-total-memory:\t12 MiB\ndrm-shared-memory:\t0\ndrm-active-memory:\t1 MiB\n"
         "drm-resident-memory:\t12 MiB\ndrm-purgeable-memory:\t0\n",
         &u);
   CHECK_EQ(drm_usage_engine(&u, "gpu")->cycles, 987654);
   CHECK_EQ(drm_usage_region(&u, "memory")->active, MiB(1));
   CHECK_EQ(u.malformed, 0); /* maxfreq is not ours, and not an error */
   parse("drm-driver:\tpanfrost\ndrm-client-id:\t28\n"
         "drm-engine-fragment:\t1846584880 ns\ndrm-cycles-fragment:\t1424359409\n"
         "drm-maxfreq-fragment:\t799999987 Hz\ndrm-curfreq-fragment:\t799999987 Hz\n"
         "drm-engine-vertex-tiler:\t71932239 ns\ndrm-cycles-vertex-tiler:\t52617357\n"
         "drm-total-memory:\t290 MiB\ndrm-shared-memory:\t0 MiB\ndrm-resident-memory:\t221 MiB\n",
         &u);
   CHECK_EQ(drm_usage_engine(&u, "vertex-tiler")->ns, 71932239);
   CHECK_EQ(drm_usage_region(&u, "memory")->resident, MiB(221));
   parse("drm-driver: v3d\ndrm-client-id: 81\ndrm-engine-bin: 4916187 ns\nv3d-jobs-bin: 2 jobs\n"
         "drm-engine-render: 65559 ns\ndrm-engine-tfu: 0 ns\ndrm-total-memory: 1 MiB\n",
         &u);
   CHECK(strcmp(u.driver, "v3d") == 0);
   CHECK_EQ(u.client_id, 81);
   CHECK_EQ(drm_usage_engine(&u, "bin")->ns, 4916187);
   CHECK_EQ(u.n_engines, 3);
}

/* What a process could slip in (a DRM fdinfo line after the kernel's, a
 * name long or odd): the first line of a key counts, bad values are
 * counted as malformed and change nothing, and more than DRM_USAGE_MAX
 * names are dropped and counted. */
FDID_TEST(hostile_lines)
{
   struct drm_usage u;
   parse("drm-driver:\tvgem\ndrm-driver:\tamdgpu\ndrm-client-id:\t7\ndrm-client-id:\t8\n"
         "drm-total-vram:\t1 KiB\ndrm-total-vram:\t999 GiB\n"
         "drm-total-gtt:\t-1 KiB\ndrm-total-x:\t12 TiB\ndrm-engine-gfx:\t5 ms\n"
         "drm-resident-vram:\t99999999999999999999 KiB\n"
         "drm-engine-capacity-gfx:\t0\n",
         &u);
   CHECK(strcmp(u.driver, "vgem") == 0);
   CHECK_EQ(u.client_id, 7);
   CHECK_EQ(drm_usage_region(&u, "vram")->total, KiB(1));
   CHECK(!(drm_usage_region(&u, "vram")->present & REGION_RESIDENT));
   CHECK(!(drm_usage_region(&u, "gtt")->present & REGION_TOTAL));
   CHECK(!(drm_usage_engine(&u, "gfx")->present & ENGINE_NS));
   CHECK_EQ(u.malformed, 5);
   char text[4096] = "drm-driver:\tx\n";
   for (int i = 0; i < 20; i++)
      snprintf(text + strlen(text), sizeof(text) - strlen(text), "drm-total-r%d:\t%d\n", i, i);
   strcat(text, "drm-total-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:\t1\n");
   parse(text, &u);
   CHECK_EQ(u.n_regions, DRM_USAGE_MAX);
   CHECK_EQ(u.dropped, 20 - DRM_USAGE_MAX + 1);
   /* Not a DRM client at all: nothing. */
   parse("pos:\t0\nflags:\t02\nsize:\t4096\nexp_name:\tdrm\n", &u);
   CHECK_EQ(u.driver[0], 0);
   CHECK_EQ(u.n_regions + u.n_engines + u.malformed, 0);
}

/* Utilisation between two samples, as drm-usage-stats defines it. */
/* What a swapped fd number shows: a dma-buf's fdinfo, its name forging
 * drm- lines (DMA_BUF_SET_NAME takes newlines; the name comes last). No
 * client, and nothing after the exporter's line is read. */
FDID_TEST(a_dmabuf_text_is_no_client)
{
   struct drm_usage u;
   parse("pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t9\nsize:\t16384\ncount:\t1\n"
         "exp_name:\tdrm\nname:\t\ndrm-total-x:\t99999999 GiB\ndrm-driver:\tforged\n", &u);
   CHECK(u.not_a_client);
   CHECK_EQ(u.n_regions, 0);
   CHECK_EQ(u.driver[0], 0);
   /* A name line alone (a kernel printing no exporter) is as final. */
   parse("name:\tx\ndrm-total-vram:\t1 GiB\n", &u);
   CHECK(u.not_a_client);
   CHECK_EQ(u.n_regions, 0);
}

/* The description's flags, for O_PATH opens of a node. */
FDID_TEST(open_flags)
{
   struct drm_usage u;
   parse("pos:\t0\nflags:\t012000000\nmnt_id:\t24\n", &u);
   CHECK(u.has_flags && !u.not_a_client);
   CHECK_EQ(u.flags, 012000000);
   parse("flags:\t0x12\n", &u);
   CHECK(!u.has_flags);
   parse("flags:\t9\n", &u);
   CHECK(!u.has_flags);
}

FDID_TEST(engine_busy_from_nanoseconds_and_capacity)
{
   struct drm_usage a, b;
   parse("drm-driver:\ti915\ndrm-engine-render:\t1000000 ns\n"
         "drm-engine-capacity-video:\t2\ndrm-engine-video:\t0 ns\n", &a);
   parse("drm-driver:\ti915\ndrm-engine-render:\t251000000 ns\n"
         "drm-engine-capacity-video:\t2\ndrm-engine-video:\t500000000 ns\n", &b);
   /* 250 ms busy in 500 ms of wall time: half. */
   double r = drm_usage_engine_busy(drm_usage_engine(&a, "render"),
                                    drm_usage_engine(&b, "render"), 500000000);
   CHECK(r > 0.4999 && r < 0.5001);
   /* Two engines of a class: 500 ms busy over 500 ms is one of two. */
   r = drm_usage_engine_busy(drm_usage_engine(&a, "video"), drm_usage_engine(&b, "video"),
                             500000000);
   CHECK(r > 0.4999 && r < 0.5001);
   /* A counter gone back (a new client on the old key) cannot tell. */
   CHECK(drm_usage_engine_busy(drm_usage_engine(&b, "render"), drm_usage_engine(&a, "render"),
                               500000000) < 0);
   CHECK(drm_usage_engine_busy(drm_usage_engine(&a, "render"), drm_usage_engine(&b, "render"),
                               0) < 0);
}

FDID_TEST(engine_busy_from_cycles)
{
   struct drm_usage a, b;
   parse("drm-driver:\txe\ndrm-cycles-rcs:\t100\ndrm-total-cycles-rcs:\t1000\n"
         "drm-cycles-bcs:\t5\n", &a);
   parse("drm-driver:\txe\ndrm-cycles-rcs:\t400\ndrm-total-cycles-rcs:\t2000\n"
         "drm-cycles-bcs:\t9\n", &b);
   /* 300 busy cycles of 1000: no wall clock needed, none used. */
   double r = drm_usage_engine_busy(drm_usage_engine(&a, "rcs"), drm_usage_engine(&b, "rcs"),
                                    123);
   CHECK(r > 0.2999 && r < 0.3001);
   /* Cycles without total cycles: nothing to divide by. */
   CHECK(drm_usage_engine_busy(drm_usage_engine(&a, "bcs"), drm_usage_engine(&b, "bcs"),
                               1000000) < 0);
   /* Total cycles that did not advance cannot tell either. */
   CHECK(drm_usage_engine_busy(drm_usage_engine(&a, "rcs"), drm_usage_engine(&a, "rcs"),
                               1000000) < 0);
}

FDID_TEST_MAIN()
