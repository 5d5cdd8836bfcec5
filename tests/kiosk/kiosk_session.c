/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "child_process.h"
#include "drm_util.h"
#include "fdid_test.h"
#include "kiosk_session.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* The kiosk's own pid: the child, or the child's child when wrapped. */
static int
kiosk_pid(int child, bool wrapped)
{
   int pid = wrapped ? wrapped_child(child, "fdid-kiosk") : child;
   if (pid < 0)
      fdid_test_fail(__FILE__, __LINE__, "no kiosk under the wrapper");
   return pid;
}

/* The kiosk's DRM fd: the one fd of it that names the KMS node. */
static int
grab_drm_fd(int pid)
{
   int pidfd = CHECK_SYS(syscall(SYS_pidfd_open, pid, 0));
   char dir[64];
   snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
   int found = -1;
   for (int tries = 0; tries < 100 && found < 0; tries++) {
      DIR *d = opendir(dir);
      CHECK(d);
      struct dirent *e;
      while ((e = readdir(d)) && found < 0) {
         if (e->d_name[0] == '.')
            continue;
         char link[320], target[128];
         snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
         ssize_t n = readlink(link, target, sizeof(target) - 1);
         if (n <= 0)
            continue;
         target[n] = 0;
         if (!strncmp(target, "/dev/dri/card", 13)) {
            int fd = (int)syscall(SYS_pidfd_getfd, pidfd, atoi(e->d_name), 0);
            if (fd >= 0 && drmIsKMS(fd))
               found = fd;
            else if (fd >= 0)
               close(fd);
         }
      }
      closedir(d);
      if (found < 0)
         sleep_ms(50);
   }
   close(pidfd);
   CHECK(found >= 0);
   return found;
}

void
kiosk_start(struct kiosk_session *s, uint32_t width, uint32_t height, const char *const *wrap)
{
   int lock = display_lock();
   int probe = open_kms();
   char *node = drmGetDeviceNameFromFd2(probe);
   CHECK(node);
   close(probe);
   memset(s, 0, sizeof(*s));
   s->lock = lock;
   snprintf(s->node, sizeof(s->node), "%s", node);
   snprintf(s->dir, sizeof(s->dir), "/tmp/fdid-kiosk-XXXXXX");
   CHECK(mkdtemp(s->dir));
   snprintf(s->socket, sizeof(s->socket), "wayland-kiosk-%d", (int)getpid());
   snprintf(s->stats, sizeof(s->stats), "%s/stats", s->dir);
   s->width = width;
   s->height = height;
   char mode[32];
   snprintf(mode, sizeof(mode), "%ux%u", width, height);
   const char *argv[32];
   unsigned n = 0;
   for (; wrap && wrap[n]; n++)
      argv[n] = wrap[n];
   const char *tail[] = { KIOSK_PATH, "--device", node,      "--mode", mode,
                          "--socket", s->socket, "--stats", s->stats, NULL };
   for (unsigned i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
      argv[n + i] = tail[i];
   int child = CHECK_SYS(fork());
   if (child == 0) {
      /* The display stays locked until the kiosk is gone, even when a
       * failed subtest leaves it behind (a dup of the lock's description,
       * without close-on-exec); and it goes with the subtest. */
      if (dup(lock) < 0 || prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
         _exit(127);
      setenv("XDG_RUNTIME_DIR", s->dir, 1);
      execvp(argv[0], (char *const *)argv);
      _exit(127);
   }
   free(node);
   s->pid = kiosk_pid(child, wrap != NULL);
   s->wrapper = wrap ? child : 0;
   char sock[256];
   snprintf(sock, sizeof(sock), "%s/%s", s->dir, s->socket);
   for (int i = 0; i < 400 && access(sock, F_OK) != 0; i++) {
      CHECK(kill(s->pid, 0) == 0);
      sleep_ms(50);
   }
   CHECK(access(sock, F_OK) == 0);
   s->drm = grab_drm_fd(s->pid);
}

bool
kiosk_alive(struct kiosk_session *s)
{
   int status;
   int child = s->wrapper ? s->wrapper : s->pid;
   return waitpid(child, &status, WNOHANG) == 0;
}

static void
remove_dir(const char *dir)
{
   DIR *d = opendir(dir);
   if (!d)
      return;
   struct dirent *e;
   while ((e = readdir(d))) {
      if (e->d_name[0] == '.')
         continue;
      char path[512];
      snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
      unlink(path);
   }
   closedir(d);
   rmdir(dir);
}

void
kiosk_stop(struct kiosk_session *s)
{
   close(s->drm);
   CHECK_SYS(kill(s->pid, SIGTERM));
   int status = wait_child(s->wrapper ? s->wrapper : s->pid);
   CHECK_EQ(status, 0);
   remove_dir(s->dir);
   display_unlock(s->lock);
}

struct kiosk_counts
kiosk_counts(struct kiosk_session *s)
{
   unlink(s->stats);
   CHECK_SYS(kill(s->pid, SIGUSR1));
   FILE *f = NULL;
   for (int i = 0; i < 400 && !(f = fopen(s->stats, "r")); i++) {
      CHECK(kiosk_alive(s));
      sleep_ms(25);
   }
   CHECK(f);
   struct kiosk_counts c = { 0 };
   char key[32];
   unsigned long long v;
   while (fscanf(f, "%31s %llu", key, &v) == 2) {
#define KEY(k) else if (!strcmp(key, #k)) c.k = v
      if (0) {
      }
      KEY(flips);
      KEY(flip_errors);
      KEY(commits);
      KEY(dmabuf_buffers);
      KEY(fbs_created);
      KEY(refused);
      KEY(shm_copies);
      KEY(kms_fbs);
#undef KEY
   }
   fclose(f);
   return c;
}

struct kiosk_counts
kiosk_wait_flips(struct kiosk_session *s, uint64_t flips, unsigned seconds)
{
   struct kiosk_counts c;
   for (unsigned i = 0; i < seconds * 10; i++) {
      c = kiosk_counts(s);
      if (c.flips >= flips)
         return c;
      sleep_ms(100);
   }
   fdid_test_fail(__FILE__, __LINE__, "%llu flips after %u s, %llu wanted",
                  (unsigned long long)c.flips, seconds, (unsigned long long)flips);
}

struct kiosk_held
kiosk_held(struct kiosk_session *s)
{
   struct kiosk_held h = { 0 };
   h.handles = count_handles(s->drm, 256);
   /* A description's framebuffers: GETRESOURCES lists the caller's own. */
   drmModeResPtr res = drmModeGetResources(s->drm);
   CHECK(res);
   h.fbs = (unsigned)res->count_fbs;
   for (int i = 0; i < res->count_fbs && i < 16; i++)
      h.fb_ids[i] = res->fbs[i];
   drmModeFreeResources(res);
   char dir[64];
   snprintf(dir, sizeof(dir), "/proc/%d/fd", s->pid);
   DIR *d = opendir(dir);
   CHECK(d);
   struct dirent *e;
   while ((e = readdir(d)))
      h.fds += e->d_name[0] != '.';
   closedir(d);
   return h;
}

void
kiosk_client_env(struct kiosk_session *s)
{
   setenv("XDG_RUNTIME_DIR", s->dir, 1);
   setenv("WAYLAND_DISPLAY", s->socket, 1);
}

int
kiosk_client_start(struct kiosk_session *s, const char *const *argv)
{
   if (!have_program(argv[0]))
      SKIP("%s is not installed here (Debian 13's guest has it: package weston)", argv[0]);
   int pid = CHECK_SYS(fork());
   if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      kiosk_client_env(s);
      /* Quiet: the clients print their warnings on every run. */
      int null = open("/dev/null", O_WRONLY);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      execvp(argv[0], (char *const *)argv);
      _exit(127);
   }
   return pid;
}

void
kiosk_client_stop(int pid)
{
   kill(pid, SIGTERM);
   int status;
   while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
}

void
kiosk_wait_held(struct kiosk_session *s, struct kiosk_held base)
{
   struct kiosk_held h;
   for (int i = 0; i < 200; i++) {
      h = kiosk_held(s);
      if (h.handles == base.handles && h.fbs == base.fbs && h.fds == base.fds)
         return;
      sleep_ms(50);
   }
   fdid_test_fail(__FILE__, __LINE__,
                  "the kiosk still holds %u handles, %u framebuffers, %u fds (%u, %u, %u before)",
                  h.handles, h.fbs, h.fds, base.handles, base.fbs, base.fds);
}
