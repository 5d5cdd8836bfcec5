/* SPDX-License-Identifier: MIT */
/*
 * Cost of importing a dma-buf into a DRM device's buffer table, in the vgem
 * guest: a first import through fdid; a re-import of a known dma-buf
 * through fdid; and the same re-import done the way Mesa's winsyses do it
 * (the PRIME ioctl, then a lookup by handle under a global lock; amdgpu's
 * variant adds two lseeks for the size and a second lookup), all timed in
 * this run beside a null system call and bare fstat, with the exact number
 * of system calls per operation counted under ptrace.
 *
 * One setup makes every description and buffer; the traced child of each
 * count (bench/syscall_count.c) runs it again, so that it owns what it
 * measures (a fork child does not close the GEM handles it inherits).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include <fdid/winsys.h>

#include "syscall_count.h"
#include "util/clock.h"
#include "drm_node.h"

enum { ROUNDS = 20000, REPEATS = 7, FIRST_IMPORTS = 200 };

static void
die(const char *what, int err)
{
   fprintf(stderr, "bench_winsys: %s: %s\n", what, strerror(err));
   exit(1);
}

static int
open_card(void)
{
   int fd = drm_open_driver("vgem", false);
   if (fd < 0)
      die("vgem's node (run in the guest)", errno);
   return fd;
}

/* A small dumb buffer on fd, exported; the handle stays with the exporter. */
static int
exported_dumb(int fd)
{
   struct drm_mode_create_dumb c = { .width = 16, .height = 16, .bpp = 32 };
   if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c) != 0)
      die("CREATE_DUMB", errno);
   int dmabuf;
   if (drmPrimeHandleToFD(fd, c.handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf) != 0)
      die("PRIME_HANDLE_TO_FD", errno);
   return dmabuf;
}

/* ---- Mesa-style buffer table: handle -> bo, under one global lock ------ */

struct mesa_bo {
   uint32_t handle;
   uint64_t size;
   int refcount;
   struct mesa_bo *next;
};

enum { MESA_BUCKETS = 256 };

struct mesa_table {
   pthread_mutex_t lock;
   struct mesa_bo *by_handle[MESA_BUCKETS];
   struct mesa_bo *by_size_handle[MESA_BUCKETS];  /* amdgpu's second table */
};

static unsigned
mesa_hash(uint32_t handle)
{
   return (handle * 2654435761u) >> 24;
}

static struct mesa_bo *
mesa_lookup(struct mesa_bo *const *table, uint32_t handle)
{
   for (struct mesa_bo *bo = table[mesa_hash(handle) % MESA_BUCKETS]; bo; bo = bo->next) {
      if (bo->handle == handle)
         return bo;
   }
   return NULL;
}

/* ---- One setup for every subject ------------------------------------ */

struct state {
   int exporter;                /* makes and exports the buffers */
   int importer;                /* fdid's description of card0 */
   int mesa_importer;           /* the Mesa-style table's own description */
   int dmabuf;                  /* the known dma-buf */
   int twins[2];                /* two more fds of it, one hint slot apart */
   struct fdid_device *dev;
   struct fdid_bo *held;        /* keeps the dma-buf known to the table */
   struct mesa_table mesa;
   struct mesa_bo mesa_bo, mesa_twin;
   int fresh[FIRST_IMPORTS];    /* dma-bufs the importer has never seen */
   struct fdid_bo *fresh_bo[FIRST_IMPORTS];
};

static struct state st;

/* Also the setup of each traced child that counts system calls. */
static void
setup(void *arg)
{
   memset(&st, 0, sizeof(st));
   st.exporter = open_card();
   st.importer = open_card();
   st.mesa_importer = open_card();
   st.dmabuf = exported_dumb(st.exporter);

   int r = fdid_device_acquire(st.importer, &st.dev);
   if (r < 0)
      die("fdid_device_acquire", -r);
   r = fdid_bo_import(st.dev, st.dmabuf, &st.held);
   if (r < 0)
      die("fdid_bo_import", -r);
   /* fd numbers 16 apart share a hint slot (src/drm/bo_hint.c): taking
    * turns, they never arm it, so every import takes the fstat path. */
   st.twins[0] = fcntl(st.dmabuf, F_DUPFD_CLOEXEC, 200);
   st.twins[1] = dup3(st.twins[0], st.twins[0] + 16, O_CLOEXEC);
   if (st.twins[0] < 0 || st.twins[1] < 0)
      die("dup", errno);
   for (int i = 0; i < FIRST_IMPORTS; i++)
      st.fresh[i] = exported_dumb(st.exporter);

   pthread_mutex_init(&st.mesa.lock, NULL);
   if (drmPrimeFDToHandle(st.mesa_importer, st.dmabuf, &st.mesa_bo.handle) != 0)
      die("PRIME_FD_TO_HANDLE", errno);
   st.mesa_bo.refcount = 1;
   st.mesa_bo.size = 16 * 16 * 4;
   st.mesa.by_handle[mesa_hash(st.mesa_bo.handle) % MESA_BUCKETS] = &st.mesa_bo;
   st.mesa_twin = st.mesa_bo;
   st.mesa.by_size_handle[mesa_hash(st.mesa_twin.handle) % MESA_BUCKETS] = &st.mesa_twin;
}

static void
loop_getppid(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++)
      (void)getppid();
}

static void
loop_fstat_glibc(void *arg, long rounds)
{
   struct stat s;
   for (long i = 0; i < rounds; i++)
      (void)fstat(st.dmabuf, &s);
}

static void
loop_fstat_raw(void *arg, long rounds)
{
   struct stat s;
   for (long i = 0; i < rounds; i++)
      (void)syscall(SYS_fstat, st.dmabuf, &s);
}

static void
loop_kcmp_bare(void *arg, long rounds)
{
   pid_t self = getpid();
   for (long i = 0; i < rounds; i++)
      (void)syscall(SYS_kcmp, self, self, 0 /* KCMP_FILE */, st.dmabuf, st.twins[0]);
}

static void
loop_prime_bare(void *arg, long rounds)
{
   uint32_t h;
   for (long i = 0; i < rounds; i++)
      (void)drmPrimeFDToHandle(st.mesa_importer, st.dmabuf, &h);
}

/* Re-import and drop it again: the table keeps its own reference. */
static void
loop_fdid_reimport(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++) {
      struct fdid_bo *bo;
      if (fdid_bo_import(st.dev, st.dmabuf, &bo) != 0)
         die("fdid_bo_import", EIO);
      fdid_bo_unref(bo);
   }
}

/* The same dma-buf through another fd each time: the fstat path. */
static void
loop_fdid_reimport_other_fd(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++) {
      struct fdid_bo *bo;
      if (fdid_bo_import(st.dev, st.twins[i & 1], &bo) != 0)
         die("fdid_bo_import", EIO);
      fdid_bo_unref(bo);
   }
}

/* iris, freedreno, etnaviv: ask the kernel for the handle, then find the
 * buffer by handle under the bufmgr lock. */
/* What every driver's re-import starts with: the kernel's handle for the
 * dma-buf on the importer's description. */
static uint32_t
peer_prime_handle(void)
{
   uint32_t handle;
   if (drmPrimeFDToHandle(st.mesa_importer, st.dmabuf, &handle) != 0)
      die("PRIME_FD_TO_HANDLE", errno);
   return handle;
}

/* ... and ends with: the reference dropped under the table's lock. */
static void
peer_unref(struct mesa_bo *bo)
{
   pthread_mutex_lock(&st.mesa.lock);
   bo->refcount--;
   pthread_mutex_unlock(&st.mesa.lock);
}

static void
loop_mesa_reimport(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++) {
      uint32_t handle = peer_prime_handle();
      pthread_mutex_lock(&st.mesa.lock);
      struct mesa_bo *bo = mesa_lookup(st.mesa.by_handle, handle);
      if (bo)
         bo->refcount++;
      pthread_mutex_unlock(&st.mesa.lock);
      peer_unref(bo);
   }
}

/* amdgpu: the handle, the size by two lseeks, and two table lookups. */
static void
loop_amdgpu_reimport(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++) {
      uint32_t handle = peer_prime_handle();
      off_t size = lseek(st.dmabuf, 0, SEEK_END);
      lseek(st.dmabuf, 0, SEEK_SET);
      pthread_mutex_lock(&st.mesa.lock);
      struct mesa_bo *bo = mesa_lookup(st.mesa.by_handle, handle);
      struct mesa_bo *twin = mesa_lookup(st.mesa.by_size_handle, handle);
      if (bo && twin && (uint64_t)size >= bo->size)
         bo->refcount++;
      pthread_mutex_unlock(&st.mesa.lock);
      peer_unref(bo);
   }
}

/* First imports: each of `rounds` (<= FIRST_IMPORTS) dma-bufs is new to
 * the table. The objects stay, released outside the timing. */
static void
loop_fdid_first(void *arg, long rounds)
{
   for (long i = 0; i < rounds; i++) {
      if (fdid_bo_import(st.dev, st.fresh[i], &st.fresh_bo[i]) != 0)
         die("fdid_bo_import", EIO);
   }
}

static void
release_fresh(void)
{
   for (int i = 0; i < FIRST_IMPORTS; i++) {
      fdid_bo_unref(st.fresh_bo[i]);
      st.fresh_bo[i] = NULL;
   }
}

static void
teardown(void)
{
   release_fresh();
   for (int i = 0; i < FIRST_IMPORTS; i++)
      close(st.fresh[i]);
   fdid_bo_unref(st.held);
   fdid_device_unref(st.dev);
   close(st.twins[0]);
   close(st.twins[1]);
   close(st.dmabuf);
   close(st.mesa_importer);
   close(st.importer);
   close(st.exporter);
}

static long
rounds_of(const struct bench_subject *s)
{
   return s->loop == loop_fdid_first ? FIRST_IMPORTS : ROUNDS;
}

/* ns per operation of one timed run. */
static double
time_once(const struct bench_subject *s)
{
   long rounds = rounds_of(s);
   double t0 = fdid_now_ns();
   s->loop(NULL, rounds);
   double ns = (fdid_now_ns() - t0) / (double)rounds;
   if (s->loop == loop_fdid_first)
      release_fresh();
   return ns;
}

int
main(void)
{
   const struct bench_subject subjects[] = {
      { "getppid (null syscall)", loop_getppid, "baseline" },
      { "fstat, glibc", loop_fstat_glibc, "newfstatat(fd, \"\")" },
      { "fstat, system call", loop_fstat_raw, "fdid's inode probe" },
      { "kcmp (bare)", loop_kcmp_bare, "floor of the hint" },
      { "PRIME_FD_TO_HANDLE (bare)", loop_prime_bare, "known dma-buf" },
      { "fdid first import", loop_fdid_first, "fstat + PRIME + insert" },
      { "fdid re-import, same fd", loop_fdid_reimport, "hint: one identity question" },
      { "fdid re-import, other fd", loop_fdid_reimport_other_fd, "fstat path" },
      { "Mesa-style re-import", loop_mesa_reimport, "iris/freedreno/etnaviv" },
      { "amdgpu-style re-import", loop_amdgpu_reimport, "+ 2 lseek, 2 lookups" },
   };
   enum { N = sizeof(subjects) / sizeof(subjects[0]) };
   enum { FDID_SAME = 6, FDID_OTHER = 7, MESA = 8, AMDGPU = 9 };
   double ns[N], calls[N];

   setup(NULL);
   bench_best_of(subjects, N, REPEATS, time_once, ns);
   teardown();
   for (int i = 0; i < N; i++) {
      long rounds = subjects[i].loop == loop_fdid_first ? FIRST_IMPORTS : 1000;
      calls[i] = syscalls_per_round(setup, bench_run_subject, (void *)&subjects[i], rounds);
   }

   printf("# fdid winsys benchmark: %d rounds (first imports: %d), best of %d taking "
          "turns, vgem, descriptions of card0\n", ROUNDS, FIRST_IMPORTS, REPEATS);
   printf("%-28s %10s %10s %10s %10s  %s\n", "operation", "ns/op", "x getppid",
          "Mesa/this", "syscalls", "note");
   for (int i = 0; i < N; i++) {
      printf("%-28s %10.1f %10.2f %10.2f %10.2f  %s\n", subjects[i].name, ns[i],
             ns[i] / ns[0], ns[MESA] / ns[i], calls[i], subjects[i].note);
   }
   printf("# fdid re-import vs Mesa-style: %.2fx faster through the same fd, %.2fx "
          "through another fd\n", ns[MESA] / ns[FDID_SAME], ns[MESA] / ns[FDID_OTHER]);
   printf("# fdid re-import vs amdgpu-style: %.2fx faster through the same fd, %.2fx "
          "through another fd\n", ns[AMDGPU] / ns[FDID_SAME], ns[AMDGPU] / ns[FDID_OTHER]);
   printf("# floors, one system call each: PRIME ioctl / fstat %.2f, PRIME ioctl / kcmp %.2f\n",
          ns[4] / ns[2], ns[4] / ns[3]);
   return 0;
}
