/* SPDX-License-Identifier: MIT */
/*
 * fdid-kiosk [--device PATH] [--mode WxH] [--socket NAME] [--stats FILE]
 *
 * Serves Wayland clients on NAME (default wayland-fdid) in
 * $XDG_RUNTIME_DIR, showing the first fullscreen client's buffers on the
 * primary plane of PATH (default /dev/dri/card0). --mode picks a mode of
 * that size from the connector's list, else makes one (virtual displays
 * take any size); default: the preferred mode. Clients are configured to
 * the mode's size and dma-bufs of another size are refused (a primary
 * plane cannot place them); shm buffers of any size are centred.
 *
 * SIGUSR1 writes the counters to FILE (key value lines, replaced
 * atomically); SIGTERM and SIGINT end the kiosk, which writes them again.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kiosk.h"

static void
write_stats(struct kiosk *k)
{
   if (!k->stats_path)
      return;
   char tmp[4096];
   snprintf(tmp, sizeof(tmp), "%s.tmp", k->stats_path);
   FILE *f = fopen(tmp, "w");
   if (!f)
      return;
   const struct kiosk_stats *s = &k->stats;
   fprintf(f, "flips %llu\nflip_errors %llu\ncommits %llu\ndmabuf_buffers %llu\n"
              "fbs_created %llu\nrefused %llu\nshm_copies %llu\nkms_fbs %zu\nkms_idle %zu\n"
              "width %u\nheight %u\n",
           (unsigned long long)s->flips, (unsigned long long)s->flip_errors,
           (unsigned long long)s->commits, (unsigned long long)s->dmabuf_buffers,
           (unsigned long long)s->fbs_created, (unsigned long long)s->refused,
           (unsigned long long)s->shm_copies, fdid_kms_fb_count(k->output.kms),
           fdid_kms_idle_count(k->output.kms), k->output.width, k->output.height);
   if (fclose(f) == 0)
      rename(tmp, k->stats_path);
}

static int
on_signal(int signum, void *data)
{
   struct kiosk *k = data;
   if (signum == SIGUSR1)
      write_stats(k);
   else
      wl_display_terminate(k->display);
   return 0;
}

/* A client that leaves takes its idle framebuffers with it: those of its
 * buffers not on screen go once libwayland has destroyed its resources
 * (after the client's destroy signal, hence an idle callback); the one on
 * screen goes after the flip that replaces it (output.c). The cache does
 * not know whose a framebuffer is, so every idle one goes: a client still
 * here holds its live buffers' framebuffers and loses nothing it uses. */
struct client_watch {
   struct wl_listener destroy;
   struct kiosk *kiosk;
};

static void
trim_idle(void *data)
{
   struct kiosk *k = data;
   fdid_kms_trim(k->output.kms, 0);
}

static void
client_destroyed(struct wl_listener *l, void *data)
{
   struct client_watch *w = wl_container_of(l, w, destroy);
   wl_event_loop_add_idle(wl_display_get_event_loop(w->kiosk->display), trim_idle, w->kiosk);
   free(w);
}

static void
client_created(struct wl_listener *l, void *data)
{
   struct kiosk *k = wl_container_of(l, k, client_created);
   struct client_watch *w = calloc(1, sizeof(*w));
   if (!w)
      return; /* its idle framebuffers then wait for the next trim */
   w->kiosk = k;
   w->destroy.notify = client_destroyed;
   wl_client_add_destroy_listener(data, &w->destroy);
}

static void
usage(FILE *f)
{
   fprintf(f, "usage: fdid-kiosk [--device PATH] [--mode WxH] [--socket NAME] [--stats FILE]\n");
}

int
main(int argc, char **argv)
{
   static const struct option opts[] = {
      { "device", required_argument, NULL, 'd' }, { "mode", required_argument, NULL, 'm' },
      { "socket", required_argument, NULL, 's' }, { "stats", required_argument, NULL, 'S' },
      { "help", no_argument, NULL, 'h' },         { 0 },
   };
   const char *device = "/dev/dri/card0", *socket_name = "wayland-fdid";
   struct kiosk k = { 0 };
   unsigned w = 0, h = 0;
   int c;
   while ((c = getopt_long(argc, argv, "d:m:s:S:h", opts, NULL)) != -1) {
      switch (c) {
      case 'd': device = optarg; break;
      case 's': socket_name = optarg; break;
      case 'S': k.stats_path = optarg; break;
      case 'm': {
         char end;
         if (sscanf(optarg, "%ux%u%c", &w, &h, &end) != 2 || !w || !h || w > 8192 || h > 8192) {
            fprintf(stderr, "fdid-kiosk: --mode %s: want WxH, each 1 to 8192\n", optarg);
            return 2;
         }
         break;
      }
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
      }
   }
   if (optind != argc) {
      usage(stderr);
      return 2;
   }
   /* Clients' plane fds wait here until their buffer is made: room for
    * every client's share (dmabuf.c bounds each). */
   struct rlimit lim;
   if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
      lim.rlim_cur = lim.rlim_max;
      setrlimit(RLIMIT_NOFILE, &lim);
   }
   /* A client that vanishes mid-write must not end the kiosk. */
   signal(SIGPIPE, SIG_IGN);

   k.display = wl_display_create();
   if (!k.display)
      return 1;
   int status = 1;
   struct wl_event_loop *loop = wl_display_get_event_loop(k.display);
   struct wl_event_source *sig[3];
   int signums[3] = { SIGTERM, SIGINT, SIGUSR1 };
   sigset_t mask;
   sigemptyset(&mask);
   for (int i = 0; i < 3; i++)
      sigaddset(&mask, signums[i]);
   sigprocmask(SIG_BLOCK, &mask, NULL);
   for (int i = 0; i < 3; i++)
      sig[i] = wl_event_loop_add_signal(loop, signums[i], on_signal, &k);

   if (kiosk_output_init(&k, device, w, h) < 0 || kiosk_shell_init(&k) < 0 ||
       kiosk_dmabuf_init(&k) < 0 || wl_display_init_shm(k.display) != 0)
      goto out;
   k.client_created.notify = client_created;
   wl_display_add_client_created_listener(k.display, &k.client_created);
   if (wl_display_add_socket(k.display, socket_name) != 0) {
      fprintf(stderr, "fdid-kiosk: socket %s in $XDG_RUNTIME_DIR: %s\n", socket_name,
              strerror(errno));
      goto out;
   }
   fprintf(stderr, "fdid-kiosk: %s, %ux%u, on %s\n", device, k.output.width, k.output.height,
           socket_name);
   wl_display_run(k.display);
   status = 0;
out:
   write_stats(&k);
   /* Clients first: their buffers and callbacks go with them. */
   wl_display_destroy_clients(k.display);
   kiosk_output_finish(&k.output);
   for (int i = 0; i < 3; i++)
      if (sig[i])
         wl_event_source_remove(sig[i]);
   wl_display_destroy(k.display);
   return status;
}
