/* SPDX-License-Identifier: MIT */
/*
 * fdid-kiosk beside Weston, in Debian 13's guest on virtio-gpu, serving
 * the same unmodified client (weston-simple-dmabuf-egl, 256x256, Mesa's
 * GBM on the KMS node) for the same time:
 *   - frames per second: the frame callbacks the client received (its
 *     WAYLAND_DEBUG trace), the same instrument for both compositors;
 *   - compositor CPU time per frame: utime + stime of the compositor's
 *     process (its threads included: Weston's renderer is llvmpipe's);
 *   - PRIME imports and AddFB2 per frame: strace of the compositor, in a
 *     second run of its own (ptrace slows what it watches);
 *   - whether the client's buffer reached a plane: the primary plane's
 *     framebuffer, read back as a dma-buf (GETFB2 as root, then PRIME
 *     export: an imported buffer exports as its own dma-buf), is one of
 *     the dma-bufs the client holds.
 * Weston 14 (Debian's, drm-backend, kiosk-shell, GL renderer) is the
 * baseline. It runs at the connector's preferred mode and composites the
 * client (llvmpipe: there is no GPU here, and its GL renderer imports each
 * buffer once); the kiosk sets a 256x256 mode and puts the client's buffer
 * on the primary plane. On hardware Weston can also put a fullscreen
 * client's buffer on a plane when the output's size and format allow it;
 * what it does then per frame is what the kiosk does here.
 *
 *   FDID_BENCH_SECONDS (default 8): each run's length.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "child_process.h"
#include "drm_node.h"

#define CLIENT "weston-simple-dmabuf-egl"

static char node[64];
static char rundir[64];

static _Noreturn void
die(const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   fputs("bench_kiosk: ", stderr);
   vfprintf(stderr, fmt, ap);
   fputc('\n', stderr);
   va_end(ap);
   exit(1);
}

/* virtio-gpu's primary node. */
static void
find_node(void)
{
   if (!drm_node_of("virtio_gpu", false, node, sizeof(node)))
      die("no virtio_gpu node (runs in the guest)");
}

static int
spawn(const char *const *argv, const char *out, const char *const *env)
{
   int pid = fork();
   if (pid < 0)
      die("fork: %s", strerror(errno));
   if (pid == 0) {
      setenv("XDG_RUNTIME_DIR", rundir, 1);
      for (unsigned i = 0; env && env[i]; i += 2)
         setenv(env[i], env[i + 1], 1);
      int fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      execvp(argv[0], (char *const *)argv);
      _exit(127);
   }
   return pid;
}

static void
stop(int pid)
{
   kill(pid, SIGTERM);
   int status;
   for (int i = 0; i < 100; i++) {
      if (waitpid(pid, &status, WNOHANG) == pid)
         return;
      sleep_ms(50);
   }
   kill(pid, SIGKILL);
   waitpid(pid, &status, 0);
}

/* The compositor's own pid: the child, or under strace its child. */
static int
compositor_pid(int child, bool traced, const char *comm)
{
   int pid = traced ? wrapped_child(child, comm) : child;
   if (pid < 0)
      die("no %s under strace", comm);
   return pid;
}

static uint64_t
cpu_ns(int pid)
{
   char path[64], buf[1024];
   snprintf(path, sizeof(path), "/proc/%d/stat", pid);
   FILE *f = fopen(path, "r");
   if (!f || !fgets(buf, sizeof(buf), f))
      die("%s: %s", path, strerror(errno));
   fclose(f);
   char *p = strrchr(buf, ')');
   unsigned long long ut, st;
   /* Fields 14 and 15 (utime, stime), counted after the comm. */
   if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
      die("%s: unreadable", path);
   return (ut + st) * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
}

static unsigned
count_lines(const char *file, const char *a, const char *b)
{
   FILE *f = fopen(file, "r");
   if (!f)
      return 0;
   char line[2048];
   unsigned n = 0;
   while (fgets(line, sizeof(line), f))
      n += strstr(line, a) && (!b || strstr(line, b)) && !strstr(line, "= -1 ");
   fclose(f);
   return n;
}

/* The dma-buf inodes the client holds. */
static unsigned
client_dmabufs(int pid, ino_t *inos, unsigned max)
{
   char dir[64];
   snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
   DIR *d = opendir(dir);
   unsigned n = 0;
   struct dirent *e;
   while (d && (e = readdir(d)) && n < max) {
      char path[320], target[128];
      snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
      ssize_t len = readlink(path, target, sizeof(target) - 1);
      struct stat st;
      if (len > 0 && (target[len] = 0, strstr(target, "dmabuf")) && stat(path, &st) == 0)
         inos[n++] = st.st_ino;
   }
   if (d)
      closedir(d);
   return n;
}

/* Is the primary plane showing one of the client's dma-bufs? */
static bool
client_on_plane(int client, uint32_t *fb_w, uint32_t *fb_h)
{
   ino_t inos[16];
   unsigned n = client_dmabufs(client, inos, 16);
   int fd = open(node, O_RDWR | O_CLOEXEC);
   drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
   drmModePlaneResPtr planes = drmModeGetPlaneResources(fd);
   bool on = false;
   for (uint32_t i = 0; planes && i < planes->count_planes; i++) {
      drmModePlanePtr p = drmModeGetPlane(fd, planes->planes[i]);
      if (p && p->fb_id && p->crtc_id) {
         drmModeFB2Ptr fb = drmModeGetFB2(fd, p->fb_id);
         if (fb && fb->handles[0]) {
            *fb_w = fb->width;
            *fb_h = fb->height;
            int dmabuf = -1;
            struct stat st;
            if (drmPrimeHandleToFD(fd, fb->handles[0], DRM_CLOEXEC, &dmabuf) == 0 &&
                fstat(dmabuf, &st) == 0)
               for (unsigned j = 0; j < n; j++)
                  on |= inos[j] == st.st_ino;
            if (dmabuf >= 0)
               close(dmabuf);
            drmCloseBufferHandle(fd, fb->handles[0]);
         }
         drmModeFreeFB2(fb);
      }
      drmModeFreePlane(p);
   }
   drmModeFreePlaneResources(planes);
   close(fd);
   return on;
}

struct result {
   double fps, cpu_per_frame_ns, imports_per_frame, addfb_per_frame;
   unsigned frames, imports, addfbs, traced_frames;
   bool on_plane;
   uint32_t fb_w, fb_h;
};

/* One run: the compositor, then the client for `seconds`. */
static void
run(bool kiosk, bool traced, unsigned seconds, struct result *r)
{
   char sock[64], trace[128], client_log[128], comp_log[128];
   snprintf(sock, sizeof(sock), "wayland-bench-%s", kiosk ? "kiosk" : "weston");
   snprintf(trace, sizeof(trace), "%s/ioctls", rundir);
   snprintf(client_log, sizeof(client_log), "%s/client", rundir);
   snprintf(comp_log, sizeof(comp_log), "%s/compositor", rundir);
   char socket_arg[96], device_arg[96];
   snprintf(socket_arg, sizeof(socket_arg), "--socket=%s", sock);
   snprintf(device_arg, sizeof(device_arg), "--drm-device=%s", node + strlen("/dev/dri/"));
   const char *argv[32];
   unsigned n = 0;
   if (traced) {
      const char *wrap[] = { "strace", "-qq", "-f", "-e", "trace=ioctl", "-e", "signal=none",
                             "-o", trace };
      for (unsigned i = 0; i < sizeof(wrap) / sizeof(wrap[0]); i++)
         argv[n++] = wrap[i];
   }
   if (kiosk) {
      const char *k[] = { KIOSK_PATH, "--device", node, "--mode", "256x256", "--socket", sock };
      for (unsigned i = 0; i < sizeof(k) / sizeof(k[0]); i++)
         argv[n++] = k[i];
   } else {
      const char *w[] = { "weston", "--backend=drm-backend.so", device_arg,
                          "--shell=kiosk-shell.so", "--continue-without-input", socket_arg };
      for (unsigned i = 0; i < sizeof(w) / sizeof(w[0]); i++)
         argv[n++] = w[i];
   }
   argv[n] = NULL;
   const char *comp_env[] = { "LIBSEAT_BACKEND", "noop", NULL };
   int child = spawn(argv, comp_log, comp_env);
   int comp = compositor_pid(child, traced, kiosk ? "fdid-kiosk" : "weston");
   char path[160];
   snprintf(path, sizeof(path), "%s/%s", rundir, sock);
   for (int i = 0; i < 600 && access(path, F_OK) != 0; i++)
      sleep_ms(50);
   if (access(path, F_OK) != 0)
      die("%s did not start (see its log in the guest)", kiosk ? "fdid-kiosk" : "weston");
   sleep_ms(300);

   const char *cargv[] = { CLIENT, "-d", node, NULL };
   const char *cenv[] = { "WAYLAND_DISPLAY", sock, "WAYLAND_DEBUG", "client", NULL };
   uint64_t cpu0 = cpu_ns(comp);
   int client = spawn(cargv, client_log, cenv);
   sleep_ms(seconds * 1000 / 2);
   if (!traced)
      r->on_plane = client_on_plane(client, &r->fb_w, &r->fb_h);
   sleep_ms(seconds * 1000 - seconds * 1000 / 2);
   stop(client);
   uint64_t cpu = cpu_ns(comp) - cpu0;
   unsigned frames = count_lines(client_log, "wl_callback", ".done(");
   if (comp != child)
      kill(comp, SIGTERM);
   stop(child);
   if (!frames)
      die("the client saw no frame on %s", kiosk ? "fdid-kiosk" : "weston");
   if (traced) {
      r->traced_frames = frames;
      r->imports = count_lines(trace, "DRM_IOCTL_PRIME_FD_TO_HANDLE", NULL);
      r->addfbs = count_lines(trace, "DRM_IOCTL_MODE_ADDFB2", NULL);
      r->imports_per_frame = (double)r->imports / frames;
      r->addfb_per_frame = (double)r->addfbs / frames;
      unlink(trace);
   } else {
      r->frames = frames;
      r->fps = (double)frames / seconds;
      r->cpu_per_frame_ns = (double)cpu / frames;
   }
}

int
main(void)
{
   if (!have_program("weston") || !have_program(CLIENT) || !have_program("strace")) {
      printf("# skipped: weston, %s and strace are in Debian 13's guest root only\n", CLIENT);
      return 0;
   }
   find_node();
   snprintf(rundir, sizeof(rundir), "/tmp/fdid-bench-kiosk-XXXXXX");
   if (!mkdtemp(rundir))
      die("mkdtemp: %s", strerror(errno));
   unsigned seconds = 8;
   if (getenv("FDID_BENCH_SECONDS") && atoi(getenv("FDID_BENCH_SECONDS")) > 0)
      seconds = (unsigned)atoi(getenv("FDID_BENCH_SECONDS"));
   struct result res[2] = { 0 };
   const char *names[2] = { "weston 14 (GL, composited)", "fdid-kiosk (direct scan-out)" };
   for (int k = 0; k < 2; k++) {
      run(k == 1, false, seconds, &res[k]);
      run(k == 1, true, seconds, &res[k]);
   }
   printf("# %s, 256x256 XRGB8888 on virtio-gpu under TCG, %u s per run; CPU = the\n"
          "# compositor's utime+stime per frame presented; imports and AddFB2 from strace\n",
          CLIENT, seconds);
   printf("operation  ns/op  x weston  fps  imports/frame  addfb2/frame  on plane  syscalls\n");
   for (int k = 0; k < 2; k++)
      printf("%s: CPU per frame  %.0f  %.2f  %.1f  %.4f  %.4f  %s (%ux%u fb)  -\n", names[k],
             res[k].cpu_per_frame_ns, res[k].cpu_per_frame_ns / res[0].cpu_per_frame_ns,
             res[k].fps, res[k].imports_per_frame, res[k].addfb_per_frame,
             res[k].on_plane ? "yes" : "no", res[k].fb_w, res[k].fb_h);
   for (int k = 0; k < 2; k++)
      printf("# %s: %u frames, %.1f fps; under strace %u PRIME imports and %u AddFB2 "
             "over %u frames\n",
             names[k], res[k].frames, res[k].fps, res[k].imports, res[k].addfbs,
             res[k].traced_frames);
   printf("# the kiosk: %.1fx Weston's frame rate at %.2fx its CPU per frame\n",
          res[1].fps / res[0].fps, res[1].cpu_per_frame_ns / res[0].cpu_per_frame_ns);
   rmdir(rundir);
   return 0;
}
