/* SPDX-License-Identifier: MIT */
/*
 * `fdid ls -a -J` against util-linux's `lsfd -J` and against a floor, on
 * the same processes in one run: N fds (1k, 10k, 100k, 1M;
 * FDID_BENCH_SIZES) over 9 processes this benchmark forks, or as many more
 * as this machine's per-process fd limit needs. Each holds three quarters
 * of its share (bench_inspect's shape, whose last quarter is fds shared by
 * fork, not made here): pipes with both ends open, an eventfd in fifty and
 * a dup of stdin or stdout as many; so each fd is mostly a description of
 * its own. The
 * floor does exactly what a listing of shared descriptions needs and
 * nothing more: readdir of each /proc/PID/fd, one fstatat per fd, one
 * readlinkat per distinct inode. Each is a command run to completion
 * (fork, exec, wait4): wall time per fd, best of 3 taken in turns, the
 * CPU time of all its threads, and the peak resident memory the kernel
 * counted (ru_maxrss). fdid runs twice: with a thread per CPU, as it
 * does, and on one (FDID_THREADS=1). Ratios are against lsfd.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "holders.h"
#include "util/clock.h"

enum { MIN_PROCS = 9, MAX_PROCS = 256, REPEATS = 3 };

static void
die(const char *what)
{
   fprintf(stderr, "bench_vs_lsfd: %s: %s\n", what, strerror(errno));
   exit(1);
}

/* The holders' fds, as bench_inspect shapes them: fds per process. */
static void
hold(size_t per_proc)
{
   size_t shared = per_proc / 4;
   for (size_t i = 0; i < per_proc - shared; i++) {
      int fd;
      if (i % 50 == 0) {
         fd = eventfd(0, 0);
      } else if (i % 2 == 0) {
         int p[2];
         if (pipe(p) != 0)
            die("pipe");
         fd = p[0];
         i++;
      } else {
         fd = dup(i % 4 == 1 ? 0 : 1);
      }
      if (fd < 0)
         die("an fd");
   }
}

/* ---- the floor: readdir, fstatat per fd, readlinkat per new inode ------ */

struct seen {
   dev_t *dev;
   ino_t *ino;
   size_t n, cap;
};

static bool
seen_add(struct seen *s, dev_t dev, ino_t ino)
{
   /* Open addressing over a table twice the fds: the floor is cheap. */
   size_t h = ((size_t)ino * 0x9e3779b97f4a7c15ull ^ (size_t)dev) % s->cap;
   while (s->ino[h] || s->dev[h]) {
      if (s->ino[h] == ino && s->dev[h] == dev)
         return false;
      h = (h + 1) % s->cap;
   }
   s->dev[h] = dev;
   s->ino[h] = ino;
   s->n++;
   return true;
}

static void
floor_scan(const pid_t *pids, size_t n_pids, size_t n_fds)
{
   struct seen s = { calloc(4 * n_fds + 64, sizeof(dev_t)), calloc(4 * n_fds + 64, sizeof(ino_t)),
                     0, 4 * n_fds + 64 };
   if (!s.dev || !s.ino)
      die("memory");
   for (size_t i = 0; i < n_pids; i++) {
      char path[64];
      snprintf(path, sizeof(path), "/proc/%d/fd", (int)pids[i]);
      int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
      if (!d)
         continue;
      struct dirent *de;
      while ((de = readdir(d))) {
         if (de->d_name[0] == '.')
            continue;
         struct stat st;
         if (fstatat(dfd, de->d_name, &st, 0) != 0)
            continue;
         if (seen_add(&s, st.st_dev, st.st_ino)) {
            char name[4096];
            if (readlinkat(dfd, de->d_name, name, sizeof(name)) < 0)
               continue;
         }
      }
      closedir(d);
   }
   free(s.dev);
   free(s.ino);
}

/* ---- commands, timed and measured ---------------------------------------- */

struct run {
   double seconds;
   long max_rss_kib;
   double cpu_seconds; /* user and system, all threads */
};

static double
cpu_of(const struct rusage *ru)
{
   return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
          (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

/* argv as a command; threads, when not NULL, its FDID_THREADS. */
static struct run
run_command(char *const argv[], const char *threads)
{
   uint64_t t0 = fdid_now_ns_u64();
   pid_t pid = fork();
   if (pid < 0)
      die("fork");
   if (pid == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      if (threads)
         setenv("FDID_THREADS", threads, 1);
      execvp(argv[0], argv);
      _exit(127);
   }
   int status;
   struct rusage ru;
   if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "bench_vs_lsfd: %s failed\n", argv[0]);
      exit(1);
   }
   return (struct run){ (double)(fdid_now_ns_u64() - t0) / 1e9, ru.ru_maxrss, cpu_of(&ru) };
}

/* The floor in a child, so its memory is its own too. */
static struct run
run_floor(const pid_t *pids, size_t n_pids, size_t n_fds)
{
   uint64_t t0 = fdid_now_ns_u64();
   pid_t pid = fork();
   if (pid < 0)
      die("fork");
   if (pid == 0) {
      floor_scan(pids, n_pids, n_fds);
      _exit(0);
   }
   int status;
   struct rusage ru;
   if (wait4(pid, &status, 0, &ru) != pid)
      die("wait4");
   return (struct run){ (double)(fdid_now_ns_u64() - t0) / 1e9, ru.ru_maxrss, cpu_of(&ru) };
}

static size_t
count_fds(const pid_t *pids, size_t n)
{
   size_t total = 0;
   for (size_t i = 0; i < n; i++) {
      char path[64];
      snprintf(path, sizeof(path), "/proc/%d/fd", (int)pids[i]);
      DIR *d = opendir(path);
      struct dirent *de;
      while (d && (de = readdir(d)))
         total += de->d_name[0] != '.';
      if (d)
         closedir(d);
   }
   return total;
}

static void
one_size(size_t n_fds, const char *fdid)
{
   struct rlimit rl;
   getrlimit(RLIMIT_NOFILE, &rl);
   /* 9 processes, or more where the per-process fd limit needs them. */
   size_t room = rl.rlim_max > 128 ? rl.rlim_max - 64 : 64;
   size_t procs = (n_fds + room - 1) / room;
   if (procs < MIN_PROCS)
      procs = MIN_PROCS;
   if (procs > MAX_PROCS) {
      printf("# %zu fds: more than %d processes of %zu fds (this machine's fd limit): "
             "not run\n", n_fds, MAX_PROCS, room);
      return;
   }
   const int n_procs = (int)procs;
   size_t per_proc = n_fds / procs;
   rl.rlim_cur = rl.rlim_max;
   setrlimit(RLIMIT_NOFILE, &rl);
   struct holders h;
   holders_begin(&h, n_procs);
   for (int i = 0; i < n_procs; i++) {
      if (holders_fork(&h) == 0) {
         hold(per_proc);
         holder_ready(&h);
      }
   }
   holders_wait(&h, "fds");
   size_t fds = count_fds(h.pids, h.n_pids - 1);

   /* -p for each holder, and the same processes for lsfd. */
   char **fdid_argv = calloc(5 + 2 * procs, sizeof(char *));
   char *pidlist = calloc(procs, 16);
   char (*pid_args)[16] = calloc(procs, 16);
   if (!fdid_argv || !pidlist || !pid_args)
      die("calloc");
   size_t a = 0;
   fdid_argv[a++] = (char *)fdid;
   fdid_argv[a++] = "ls";
   fdid_argv[a++] = "-a";
   fdid_argv[a++] = "-J";
   for (int i = 0; i < n_procs; i++) {
      snprintf(pid_args[i], sizeof(pid_args[i]), "%d", (int)h.pids[i]);
      fdid_argv[a++] = "-p";
      fdid_argv[a++] = pid_args[i];
      snprintf(pidlist + strlen(pidlist), procs * 16 - strlen(pidlist), "%s%d",
               i ? "," : "", (int)h.pids[i]);
   }
   char *lsfd_argv[] = { "lsfd", "-J", "-p", pidlist, NULL };

   /* fdid as it runs (a thread per CPU) and on one thread. */
   enum { LSFD, FDID, FDID_ONE, FLOOR, N_RUNS };
   struct run best[N_RUNS];
   for (int k = 0; k < N_RUNS; k++)
      best[k] = (struct run){ 1e9, 0, 1e9 };
   for (int r = 0; r < REPEATS; r++) {
      struct run x[N_RUNS] = { run_command(lsfd_argv, NULL), run_command(fdid_argv, NULL),
                               run_command(fdid_argv, "1"), run_floor(h.pids, n_procs, fds) };
      for (int k = 0; k < N_RUNS; k++) {
         if (x[k].seconds < best[k].seconds)
            best[k].seconds = x[k].seconds;
         if (x[k].cpu_seconds < best[k].cpu_seconds)
            best[k].cpu_seconds = x[k].cpu_seconds;
         if (x[k].max_rss_kib > best[k].max_rss_kib)
            best[k].max_rss_kib = x[k].max_rss_kib;
      }
   }
   static const char *const names[] = { "lsfd -J", "fdid ls -a -J",
                                        "fdid ls -a -J, FDID_THREADS=1",
                                        "floor (readdir, fstatat, readlinkat)" };
   for (int k = 0; k < N_RUNS; k++)
      printf("%s, %zu fds  %.0f  %.2f  -\n", names[k], fds, best[k].seconds * 1e9 / (double)fds,
             best[k].seconds / best[LSFD].seconds);
   printf("# %zu fds / %d procs: fdid %.3f s = %.2fx lsfd (target <= 0.5), %.2fx the floor "
          "(target <= 1.5); on one thread %.2fx lsfd, %.2fx the floor; CPU time %.2fx lsfd's, "
          "%.2fx the floor's; peak memory fdid %ld KiB, lsfd %ld KiB (%.2fx; target <= 0.33)\n",
          fds, n_procs, best[FDID].seconds, best[FDID].seconds / best[LSFD].seconds,
          best[FDID].seconds / best[FLOOR].seconds, best[FDID_ONE].seconds / best[LSFD].seconds,
          best[FDID_ONE].seconds / best[FLOOR].seconds,
          best[FDID].cpu_seconds / best[LSFD].cpu_seconds,
          best[FDID].cpu_seconds / best[FLOOR].cpu_seconds, best[FDID].max_rss_kib,
          best[LSFD].max_rss_kib, (double)best[FDID].max_rss_kib / (double)best[LSFD].max_rss_kib);
   free(fdid_argv);
   free(pidlist);
   free(pid_args);
   holders_end(&h);
}

/* The fdid of this build: beside bench/ in the build tree. */
static const char *
build_fdid(void)
{
   static char path[4096];
   ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 32);
   if (n <= 0)
      return "fdid";
   path[n] = 0;
   char *slash = strrchr(path, '/');
   strcpy(slash ? slash : path, "/../src/cli/fdid");
   return path;
}

int
main(int argc, char **argv)
{
   const char *fdid = argc > 1 ? argv[1] : build_fdid();
   const char *sizes = getenv("FDID_BENCH_SIZES");
   if (!sizes)
      sizes = "1000,10000,100000,1000000";
   printf("operation  ns/op  ratio  syscalls\n");
   for (const char *p = sizes; *p;) {
      char *end;
      unsigned long n = strtoul(p, &end, 10);
      if (end == p)
         break;
      one_size(n, fdid);
      p = *end == ',' ? end + 1 : end;
      fflush(stdout);
   }
   return 0;
}
