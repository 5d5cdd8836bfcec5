/* SPDX-License-Identifier: MIT */
/*
 * Walks /proc. Processes and fds come and go while we read: a vanished one
 * is counted and skipped, a forbidden one is counted, nothing is fatal.
 * fdinfo is read lazily (scan_read_fdinfo): for 100k fds most have an
 * inode of their own and need no more than a stat and a readlink.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/kcmp.h>

#include <fdid/identity.h>

#include "parallel.h"
#include "proc_read.h"
#include "scan.h"
#include "util/array.h"
#include "util/linux_abi.h"
#include "util/number.h"


/* A directory entry named by a number (a pid, a thread id, an fd): the
 * number, or -1. */
static int
entry_number(const char *name)
{
   uint64_t v;
   size_t n = strlen(name);
   return n && fdid_parse_digits(name, n, 10, INT_MAX, &v) == n ? (int)v : -1;
}

static enum fd_type
classify(const struct stat *st, const char *name)
{
   if (strncmp(name, "/dmabuf:", 8) == 0 || strcmp(name, "anon_inode:dmabuf") == 0 ||
       strncmp(name, "dmabuf:", 7) == 0)
      return FD_DMABUF;
   if (strcmp(name, "anon_inode:[eventpoll]") == 0)
      return FD_EPOLL;
   if (strncmp(name, "anon_inode:", 11) == 0)
      return FD_ANON;
   switch (st->st_mode & S_IFMT) {
   case S_IFREG: return FD_FILE;
   case S_IFDIR: return FD_DIR;
   case S_IFIFO: return FD_PIPE;
   case S_IFSOCK: return FD_SOCKET;
   case S_IFBLK: return FD_BLK;
   case S_IFCHR: return major(st->st_rdev) == FDID_DRM_MAJOR ? FD_DRM : FD_CHR;
   default: return FD_OTHER;
   }
}

enum fdinfo_need
scan_fdinfo_need(enum fd_type t)
{
   switch (t) {
   case FD_DRM:
   case FD_DMABUF: return FDINFO_EVERY_HOLDER;
   case FD_EPOLL: return FDINFO_FIRST_SHOWN;
   default: return FDINFO_NONE;
   }
}

/* How many /proc/TID/fd and fdinfo directories a scan keeps open (two
 * per process, the first 128): far below any fd
 * limit, so that keeping them never costs the scan an open it needs. */
enum { DIR_FDS_BUDGET = 256 };
_Static_assert(sizeof(((struct scan *)0)->kept_fds) / sizeof(int) == DIR_FDS_BUDGET,
               "a number for each kept directory");

/* Is fd one of the directories the scan keeps (in our own table)? */
static bool
kept_dir_fd(const struct scan *s, int fd)
{
   for (unsigned i = 0; i < s->dir_fds_kept; i++) {
      if (s->kept_fds[i] == fd)
         return true;
   }
   return false;
}

/* e's entry under its process's /proc/TID: "fd/N" or "fdinfo/N" as a path
 * relative to the kept fd or fdinfo directory (one component), or the
 * whole path from / past the budget. The directory fd (or AT_FDCWD). */
static int
fd_path(const struct fd_entry *e, bool info, char *buf, size_t len)
{
   int dir = info ? e->proc->info_dir : e->proc->fd_dir;
   if (dir >= 0) {
      snprintf(buf, len, "%d", e->fd);
      return dir;
   }
   snprintf(buf, len, "/proc/%d/%s/%d", (int)e->proc->tid, info ? "fdinfo" : "fd", e->fd);
   return AT_FDCWD;
}

bool
scan_read_fdinfo(struct fd_entry *e)
{
   if (e->has_info)
      return true;
   char path[64];
   int dir = fd_path(e, true, path, sizeof(path));
   size_t n;
   char *text = proc_read_record_at(dir, path, &n);
   if (!text)
      return false;
   fdinfo_parse(text, n, &e->info);
   /* The fd number may hold another file since the stat (closed and
    * reused): its fdinfo is not this entry's. Kernels before 5.14 print
    * no inode to tell. */
   if (e->info.has_ino && e->info.ino != (unsigned long long)e->ino) {
      free(text);
      fdinfo_finish(&e->info);
      return false;
   }
   if (e->type == FD_EPOLL)
      fdinfo_parse_epoll(text, n, &e->targets, &e->n_targets); /* none on ENOMEM */
   free(text);
   e->has_info = true;
   return true;
}

static const char name_too_long[] = "(name too long)";

/* readlinkat of an fd's link into a malloc'ed string, or NULL with errno.
 * The kernel refuses a path longer than a page (ENAMETOOLONG); one that
 * fills our buffer is as long and is refused the same way. */
static char *
read_link(int dir, const char *path)
{
   char name[PATH_MAX + 1];
   ssize_t n = readlinkat(dir, path, name, sizeof(name));
   if (n < 0)
      return NULL;
   if ((size_t)n >= sizeof(name)) {
      errno = ENAMETOOLONG;
      return NULL;
   }
   name[n] = 0;
   return strdup(name);
}

/* The pipe file system's st_dev, learned once from a pipe of our own: 0
 * when no pipe can be made. Names are read by several threads at once. */
static dev_t pipefs_st_dev;
static pthread_once_t pipefs_once = PTHREAD_ONCE_INIT;

static void
learn_pipefs_dev(void)
{
   int p[2];
   struct stat st;
   if (pipe2(p, O_CLOEXEC) == 0) {
      if (fstat(p[0], &st) == 0)
         pipefs_st_dev = st.st_dev;
      close(p[0]);
      close(p[1]);
   }
}

static dev_t
pipefs_dev(void)
{
   pthread_once(&pipefs_once, learn_pipefs_dev);
   return pipefs_st_dev;
}

/*
 * The names the kernel makes from the inode alone: every socket is
 * "socket:[INO]" and every pipe of the pipe file system "pipe:[INO]" (a
 * FIFO on a disk has its path). From the scan's stat, so no readlink and no
 * check after it: the stat is the file grouped.
 */
static bool
name_from_stat(struct fd_entry *e)
{
   const char *kind = e->type == FD_SOCKET                            ? "socket"
                      : e->type == FD_PIPE && e->dev == pipefs_dev() ? "pipe"
                                                                      : NULL;
   if (!kind || (e->type == FD_PIPE && !e->dev))
      return false;
   char buf[48];
   snprintf(buf, sizeof(buf), "%s:[%ju]", kind, (uintmax_t)e->ino);
   e->name = strdup(buf);
   return e->name != NULL;
}

/* The name just read counts only if the fd still refers to the inode the
 * scan's stat saw (one fstatat); else it is dropped. */
static void
keep_name_if_same_file(struct fd_entry *e, int dir, const char *path, bool too_long)
{
   struct stat st;
   if ((e->name || too_long) &&
       (fstatat(dir, path, &st, 0) != 0 || st.st_dev != e->dev || st.st_ino != e->ino)) {
      free(e->name);
      e->name = NULL;
      too_long = false;
   }
   e->name_too_long = too_long;
}

const char *
scan_name(struct fd_entry *e)
{
   static const char gone[] = "(closed during the scan)";
   if (e->name || name_from_stat(e))
      return e->name;
   if (e->name_too_long)
      return name_too_long;
   char path[64];
   int dir = fd_path(e, false, path, sizeof(path));
   e->name = read_link(dir, path);
   bool too_long = !e->name && errno == ENAMETOOLONG;
   /* Read later than the stat: the fd may have been closed, or its number
    * reused by another file, since. */
   keep_name_if_same_file(e, dir, path, too_long);
   return e->name ? e->name : e->name_too_long ? name_too_long : gone;
}

void
scan_name_and_fdinfo(struct fd_entry *e)
{
   if (e->name || e->name_too_long || e->has_info || name_from_stat(e)) {
      scan_name(e);
      scan_read_fdinfo(e);
      return;
   }
   char path[64];
   int dir = fd_path(e, false, path, sizeof(path));
   e->name = read_link(dir, path);
   bool too_long = !e->name && errno == ENAMETOOLONG;
   /* Read after the name, fdinfo's inode says for both whether the fd
    * still holds the scanned file (scan_read_fdinfo() refuses another). */
   if (scan_read_fdinfo(e) && e->info.has_ino) {
      e->name_too_long = too_long;
      return;
   }
   /* No inode to tell (before 5.14) or no fdinfo: as scan_name() checks. */
   keep_name_if_same_file(e, dir, path, too_long);
}

/* What became of an fd's stat (stat_entry). */
enum fd_stat { FD_LISTED, FD_DENIED, FD_VANISHED, FD_NO_MEMORY };

/* The stat of e (its proc and fd set), relative to the open /proc/TID/fd
 * dir: no walk from the root per fd. Touches only e: run on many threads. */
static enum fd_stat
stat_entry(struct fd_entry *e, int dir)
{
   char fd_name[16];
   snprintf(fd_name, sizeof(fd_name), "%d", e->fd);
   struct stat st;
   if (fstatat(dir, fd_name, &st, 0) != 0) {
      /* The fd list of a process can be readable while its fds are not
       * (ptrace access is checked per fd): the process is denied. */
      if (errno == EACCES || errno == EPERM)
         return FD_DENIED;
      return errno == ENOMEM ? FD_NO_MEMORY : FD_VANISHED;
   }
   e->dev = st.st_dev;
   e->ino = st.st_ino;
   e->rdev = st.st_rdev;
   e->size = st.st_size;
   e->unlinked = S_ISREG(st.st_mode) && st.st_nlink == 0;
   /* Files of a known type are classified by the stat alone and named
    * later, when shown. Anonymous inodes (no type bits: eventfd, epoll,
    * dma-buf...) are told apart by their name, read now. */
   if (st.st_mode & S_IFMT) {
      e->type = classify(&st, "");
      return FD_LISTED;
   }
   /* Anonymous inodes have short names of the kernel's making; a dma-buf's
    * carries its holder's name but stays far below a page. */
   e->name = read_link(dir, fd_name);
   if (!e->name)
      return errno == ENOMEM ? FD_NO_MEMORY : FD_VANISHED;
   e->type = classify(&st, e->name);
   return FD_LISTED;
}

/* Keeps fds[0..*n) stat'ed FD_LISTED, in order; counts the vanished. 0,
 * 1 when the process is denied (the fds before the first refused one
 * stay), or -ENOMEM. */
static int
keep_listed(struct fd_entry *fds, size_t *n, const unsigned char *result,
            unsigned *vanished)
{
   size_t kept = 0;
   int r = 0;
   for (size_t i = 0; i < *n; i++) {
      if (r == 0 && result[i] == FD_LISTED) {
         if (kept != i)
            fds[kept] = fds[i];
         kept++;
         continue;
      }
      free(fds[i].name); /* not listed: vanished, or past a refusal */
      if (r == 0 && result[i] == FD_VANISHED)
         (*vanished)++;
      else if (r == 0)
         r = result[i] == FD_DENIED ? 1 : -ENOMEM;
   }
   *n = kept;
   return r;
}

/*
 * File tables read together: each one's fd numbers (read_fd_numbers()),
 * then all their fds made entries and stat'ed by several threads, by fd
 * rather than by table (however the fds are spread, the threads share the
 * work evenly, and each entry's memory is first touched by the thread
 * that fills it), then kept in order.
 */
struct tables {
   size_t n;
   struct process **p;
   DIR **d;
   int **numbers;           /* each table's fd numbers */
   size_t *n_numbers;
   /* Filled by stat_tables(): */
   struct fd_entry *all;    /* the tables' entries, table k's from start[k] */
   size_t *start;           /* n + 1 of them, from 0 */
   unsigned char *result;   /* enum fd_stat, per entry */
};

static void
stat_table_fds(void *arg, size_t begin, size_t end)
{
   const struct tables *t = arg;
   size_t k = 0;
   while (t->start[k + 1] <= begin)
      k++;
   for (size_t i = begin; i < end; i++) {
      while (t->start[k + 1] <= i)
         k++;
      struct fd_entry *e = &t->all[i];
      memset(e, 0, sizeof(*e));
      e->proc = t->p[k];
      e->fd = t->numbers[k][i - t->start[k]];
      t->result[i] = (unsigned char)stat_entry(e, dirfd(t->d[k]));
   }
}

/* Appends the tables' fds to the scan, stat'ed, each table's listed ones
 * in order; each table's result (0, 1 denied, -ENOMEM) in res[]. 0 or
 * -ENOMEM for them all (nothing appended). */
static int
stat_tables(struct scan *s, struct tables *t, int *res)
{
   size_t *starts = malloc((t->n + 1) * sizeof(*starts));
   size_t total = 0;
   for (size_t k = 0; starts && k < t->n; k++) {
      starts[k] = total;
      total += t->n_numbers[k];
   }
   t->start = starts;
   t->result = starts ? malloc(total ? total : 1) : NULL;
   if (!t->result ||
       fdid_array_reserve(&s->fds, &s->cap_fds, s->n_fds + total, sizeof(*s->fds)) != 0) {
      free(t->result);
      free(starts);
      return -ENOMEM;
   }
   starts[t->n] = total;
   t->all = s->fds + s->n_fds;
   parallel_for(total, 256, stat_table_fds, t);
   for (size_t k = 0; k < t->n; k++) {
      size_t n = starts[k + 1] - starts[k];
      res[k] = keep_listed(t->all + starts[k], &n, t->result + starts[k], &s->fds_vanished);
      if (s->fds + s->n_fds != t->all + starts[k])
         memmove(s->fds + s->n_fds, t->all + starts[k], n * sizeof(*s->fds));
      s->n_fds += n;
   }
   free(t->result);
   free(starts);
   return 0;
}

/* The command name: up to 15 bytes of anything but NUL (newlines too),
 * then the kernel's newline. Kept whole; escaped when shown. */
static void
read_comm(pid_t pid, char comm[17])
{
   char path[64];
   snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
   ssize_t n = proc_read_file(path, comm, 16);
   if (n > 0 && comm[n - 1] == '\n')
      n--;
   comm[n > 0 ? n : 0] = 0;
}

/* Remembered so the listing can say which processes it could not see. */
static int
skip(struct scan *s, pid_t pid, const char *reason)
{
   struct skipped_process *grown = realloc(s->skipped, (s->n_skipped + 1) * sizeof(*grown));
   if (!grown)
      return -ENOMEM;
   s->skipped = grown;
   struct skipped_process *k = &s->skipped[s->n_skipped++];
   k->pid = pid;
   k->reason = reason;
   read_comm(pid, k->comm);
   return 0;
}

static struct process *
add_process(struct scan *s, pid_t pid, pid_t tid)
{
   struct process *p = calloc(1, sizeof(*p));
   struct process **grown = p ? realloc(s->procs, (s->n_procs + 1) * sizeof(*grown)) : NULL;
   if (!grown) {
      free(p);
      return NULL;
   }
   s->procs = grown;
   s->procs[s->n_procs++] = p;
   p->pid = pid;
   p->tid = tid;
   p->index = s->n_procs - 1;
   p->kcmp_ok = -1;
   p->fd_dir = -1;
   p->info_dir = -1;
   read_comm(pid, p->comm);
   return p;
}

/* Keeps p's /proc/TID/fd and fdinfo open for the names and fdinfo read
 * later, within the budget (both or neither). */
static void
keep_dir(struct scan *s, struct process *p, DIR *d)
{
   if (s->dir_fds_kept + 2 <= DIR_FDS_BUDGET) {
      p->fd_dir = openat(dirfd(d), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (p->fd_dir >= 0)
         s->kept_fds[s->dir_fds_kept++] = p->fd_dir;
      p->info_dir = p->fd_dir >= 0 ? openat(p->fd_dir, "../fdinfo",
                                            O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                                   : -1;
      if (p->info_dir >= 0)
         s->kept_fds[s->dir_fds_kept++] = p->info_dir;
   }
}

/* The fd numbers of p's table, from the open listing d, into a malloc'ed
 * array. 0 or -ENOMEM. */
static int
read_fd_numbers(const struct scan *s, struct process *p, DIR *d, int **numbers, size_t *n)
{
   size_t cap = 0;
   struct dirent *de;
   *numbers = NULL;
   *n = 0;
   errno = 0;
   while ((de = readdir(d))) {
      int fd = entry_number(de->d_name);
      if (fd < 0)
         continue;
      if (p->self && (fd == dirfd(d) || kept_dir_fd(s, fd)))
         continue; /* our own listing and kept directories, not the process's */
      if (fdid_array_reserve(numbers, &cap, *n + 1, sizeof(**numbers)) != 0) {
         free(*numbers);
         *numbers = NULL;
         return -ENOMEM;
      }
      (*numbers)[(*n)++] = fd;
   }
   return 0;
}

/* The fds of p's file table, from the open /proc/TID/fd listing d (kept:
 * keep_dir()), the stats spread over threads. 0, 1 when the process is
 * denied, or -ENOMEM. */
static int
scan_table(struct scan *s, struct process *p, DIR *d)
{
   int *numbers, res = 0;
   size_t n;
   if (read_fd_numbers(s, p, d, &numbers, &n) != 0)
      return -ENOMEM;
   struct tables t = { .n = 1, .p = &p, .d = &d, .numbers = &numbers, .n_numbers = &n };
   int r = stat_tables(s, &t, &res);
   free(numbers);
   return r < 0 ? r : res;
}

/*
 * Does thread b use the file table of a (a thread id too)? kcmp's
 * KCMP_FILES, where kcmp may be called: 1 yes, 0 no. Else each table's
 * listing, fd numbers and inodes: a table unshared from another holds the
 * same descriptions at the same numbers until it changes, so an equal
 * listing loses no description. -1 when neither can tell (b is gone).
 */
static int
same_table(pid_t a, pid_t b)
{
   if (fdid_allowed_methods() & fdid_probe() & FDID_METHOD_KCMP) {
      long r = syscall(SYS_kcmp, a, b, KCMP_FILES, 0, 0);
      if (r >= 0)
         return r == 0;
   }
   char pa[64], pb[64];
   snprintf(pa, sizeof(pa), "/proc/%d/fd", (int)a);
   snprintf(pb, sizeof(pb), "/proc/%d/fd", (int)b);
   DIR *da = opendir(pa), *db = opendir(pb);
   int same = da && db;
   struct dirent *ea, *eb;
   while (same == 1) {
      /* Both listings come in the kernel's fd order. */
      do
         ea = readdir(da);
      while (ea && ea->d_name[0] == '.');
      do
         eb = readdir(db);
      while (eb && eb->d_name[0] == '.');
      if (!ea || !eb) {
         same = !ea && !eb;
         break;
      }
      struct stat sa, sb;
      same = strcmp(ea->d_name, eb->d_name) == 0 &&
             fstatat(dirfd(da), ea->d_name, &sa, 0) == 0 &&
             fstatat(dirfd(db), eb->d_name, &sb, 0) == 0 && sa.st_dev == sb.st_dev &&
             sa.st_ino == sb.st_ino;
   }
   if (!db)
      same = -1;
   if (da)
      closedir(da);
   if (db)
      closedir(db);
   return same;
}

/*
 * The file tables of pid's threads that are not its own: a thread that
 * called unshare(CLONE_FILES), or every thread of a process whose main
 * thread exited (its /proc/PID/fd is then empty). Each is listed as a
 * table of its own, of the same process. The common case costs one stat:
 * the task directory's link count is 2 plus the number of threads.
 */
static int
scan_thread_tables(struct scan *s, struct process *leader)
{
   char path[64];
   snprintf(path, sizeof(path), "/proc/%d/task", (int)leader->pid);
   struct stat st;
   if (stat(path, &st) != 0 || st.st_nlink <= 3)
      return 0;
   DIR *d = opendir(path);
   if (!d)
      return 0;
   size_t first = s->n_procs;
   struct dirent *de;
   int r = 0;
   while (r == 0 && (de = readdir(d))) {
      pid_t tid = (pid_t)entry_number(de->d_name);
      if (tid <= 0 || tid == leader->pid || same_table(leader->pid, tid) != 0)
         continue;
      /* One listing per table, however many threads share it. */
      bool known = false;
      for (size_t i = first; i < s->n_procs && !known; i++)
         known = same_table(s->procs[i]->tid, tid) != 0;
      if (known)
         continue;
      char fds[64];
      snprintf(fds, sizeof(fds), "/proc/%d/fd", (int)tid);
      DIR *t = opendir(fds);
      if (!t)
         continue; /* gone since */
      struct process *p = add_process(s, leader->pid, tid);
      if (!p) {
         closedir(t);
         r = -ENOMEM;
         break;
      }
      p->owner = leader->index;
      p->self = leader->self;
      p->uid = leader->uid;
      s->n_thread_tables++;
      keep_dir(s, p, t);
      r = scan_table(s, p, t);
      closedir(t);
      if (r > 0) {
         p->denied = true;
         r = 0;
      }
   }
   closedir(d);
   return r;
}

/* Opens pid's /proc/PID/fd and adds the process: 0 with *d set, 0 with
 * *d NULL when it is skipped (denied, gone), or a negative errno. */
static int
open_table(struct scan *s, pid_t pid, pid_t me, struct process **p, DIR **d)
{
   char path[64];
   snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
   *d = opendir(path);
   if (!*d) {
      if (errno == ENOMEM || errno == EMFILE || errno == ENFILE)
         return -errno; /* ours, not the process's */
      bool denied = errno == EACCES || errno == EPERM;
      if (denied)
         s->procs_denied++;
      else
         s->procs_vanished++;
      return skip(s, pid, denied ? "denied" : "vanished");
   }
   *p = add_process(s, pid, pid);
   if (!*p) {
      closedir(*d);
      *d = NULL;
      return -ENOMEM;
   }
   (*p)->owner = (*p)->index;
   (*p)->self = pid == me;
   struct stat dir_st;
   (*p)->uid = fstat(dirfd(*d), &dir_st) == 0 ? dir_st.st_uid : (uid_t)-1;
   keep_dir(s, *p, *d);
   return 0;
}

/* After p's own table is read (r from it): a denied process is skipped,
 * another gets its threads' tables. */
static int
finish_process(struct scan *s, struct process *p, int r)
{
   if (r > 0) {
      s->procs_denied++;
      p->denied = true;
      return skip(s, p->pid, "denied");
   }
   return r < 0 ? r : scan_thread_tables(s, p);
}

/*
 * Processes are read in batches: their fd directories opened in order,
 * each listed by one of several threads (a listing's getdents is as
 * costly as its stats: the kernel makes each fd's entry), then all the
 * batch's fds stat'ed by all the threads, and kept in order. Our own
 * process is read alone, when no batch directory is open in it to be
 * listed as its fd.
 */
enum { BATCH = 64 };

struct batch {
   const struct scan *s;
   size_t n;
   struct process *p[BATCH];
   DIR *d[BATCH];
   int *numbers[BATCH];   /* each process's fd numbers */
   size_t n_numbers[BATCH];
   int listed[BATCH];     /* 0, or -ENOMEM when its numbers could not be kept */
};

static void
list_batch(void *arg, size_t begin, size_t end)
{
   struct batch *b = arg;
   for (size_t k = begin; k < end; k++)
      b->listed[k] = read_fd_numbers(b->s, b->p[k], b->d[k], &b->numbers[k], &b->n_numbers[k]);
}

/* Reads the batch's processes, appends their fds in order, and empties
 * it. 0 or a negative errno. */
static int
flush_batch(struct scan *s, struct batch *b)
{
   int r = 0, res[BATCH];
   parallel_for(b->n, 1, list_batch, b);
   for (size_t k = 0; k < b->n; k++) {
      if (b->listed[k] < 0)
         r = b->listed[k];
   }
   struct tables t = { b->n, b->p, b->d, b->numbers, b->n_numbers, NULL, NULL, NULL };
   if (r == 0)
      r = stat_tables(s, &t, res);
   /* Then each process's threads' tables, after all the batch's fds. */
   for (size_t k = 0; r == 0 && k < b->n; k++)
      r = finish_process(s, b->p[k], res[k]);
   for (size_t k = 0; k < b->n; k++) {
      free(b->numbers[k]);
      b->numbers[k] = NULL;
      closedir(b->d[k]);
   }
   b->n = 0;
   return r;
}

/* Adds pid to the batch, read when full (or alone, for our own). */
static int
batch_add(struct scan *s, struct batch *b, pid_t pid, pid_t me)
{
   int r = pid == me && b->n ? flush_batch(s, b) : 0;
   if (r < 0)
      return r;
   r = open_table(s, pid, me, &b->p[b->n], &b->d[b->n]);
   if (r < 0 || !b->d[b->n])
      return r;
   b->n++;
   return b->n == BATCH || pid == me ? flush_batch(s, b) : 0;
}

int
scan_tgid(pid_t pid)
{
   char path[64], buf[1024];
   snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
   ssize_t n = proc_read_file(path, buf, sizeof(buf) - 1);
   if (n < 0)
      return errno == ENOENT || errno == ESRCH ? -ESRCH : -errno;
   buf[n] = 0;
   /* At the start of a line only; the kernel escapes newlines in the
    * "Name:" line before it, so no command name can forge this one. */
   const char *t = strstr(buf, "\nTgid:");
   if (!t)
      return -ESRCH;
   t += 6;
   while (*t == '\t' || *t == ' ')
      t++;
   uint64_t v;
   size_t k = fdid_parse_digits(t, strlen(t), 10, 0x7fffffff, &v);
   if (k == 0 || v == 0 || t[k] != '\n')
      return -ESRCH;
   return (int)v;
}

int
scan_processes(const pid_t *pids, size_t n_pids, struct scan *out)
{
   memset(out, 0, sizeof(*out));
   pid_t me = getpid();
   struct batch *b = calloc(1, sizeof(*b));
   if (!b)
      return -ENOMEM;
   b->s = out;
   int r = 0;
   if (n_pids) {
      /* A process given twice would list every fd twice, as if shared:
       * one scan per pid. */
      for (size_t i = 0; r == 0 && i < n_pids; i++) {
         bool seen = false;
         for (size_t k = 0; k < i && !seen; k++)
            seen = pids[k] == pids[i];
         if (!seen)
            r = batch_add(out, b, pids[i], me);
      }
   } else {
      DIR *d = opendir("/proc");
      if (!d) {
         free(b);
         return -errno;
      }
      struct dirent *de;
      while (r == 0 && (de = readdir(d))) {
         int pid = entry_number(de->d_name);
         if (pid > 0)
            r = batch_add(out, b, (pid_t)pid, me);
      }
      closedir(d);
   }
   /* What is left, read; or, after a failure, closed. */
   if (r == 0 && b->n)
      r = flush_batch(out, b);
   for (size_t k = 0; k < b->n; k++)
      closedir(b->d[k]);
   free(b);
   return r;
}

void
scan_finish(struct scan *s)
{
   for (size_t i = 0; i < s->n_fds; i++) {
      free(s->fds[i].name);
      free(s->fds[i].targets);
      fdinfo_finish(&s->fds[i].info);
   }
   for (size_t i = 0; i < s->n_procs; i++) {
      if (s->procs[i]->fd_dir >= 0)
         close(s->procs[i]->fd_dir);
      if (s->procs[i]->info_dir >= 0)
         close(s->procs[i]->info_dir);
      free(s->procs[i]);
   }
   free(s->fds);
   free(s->procs);
   free(s->skipped);
   memset(s, 0, sizeof(*s));
}
