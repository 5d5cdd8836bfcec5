/* SPDX-License-Identifier: MIT */
/*
 * The kiosk (examples/kiosk) as a test sees it from outside: a child
 * process on virtio-gpu's primary node, its counters (--stats, asked with
 * SIGUSR1), and the kernel's view of what it holds, through a dup of its
 * DRM fd taken with pidfd_getfd(): the GEM handles open on its
 * description, its framebuffers, its fds. Clients are other processes with
 * WAYLAND_DISPLAY set to the kiosk's socket.
 */
#ifndef FDID_TEST_KIOSK_SESSION_H
#define FDID_TEST_KIOSK_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "child_process.h" /* have_program() */

struct kiosk_session {
   int pid;
   int wrapper;        /* the wrapper's pid (strace), or 0 */
   int lock;           /* display_lock(): the display is this test's */
   int drm;            /* a dup of the kiosk's DRM fd (same description) */
   char node[64];      /* the KMS node, /dev/dri/cardN */
   char dir[64];       /* XDG_RUNTIME_DIR */
   char socket[32];
   char stats[128];
   uint32_t width, height;
};

struct kiosk_counts {
   uint64_t flips, flip_errors, commits, dmabuf_buffers, fbs_created, refused, shm_copies;
   uint64_t kms_fbs;
};

/* What the kernel says the kiosk holds. */
struct kiosk_held {
   unsigned handles; /* GEM handles open on its description */
   unsigned fbs;     /* its framebuffers */
   uint32_t fb_ids[16];
   unsigned fds;     /* open fds */
};

/* Starts the kiosk on virtio-gpu's primary node at a width x height mode;
 * skips where there is no such node. `wrap` (NULL, or a program and its
 * arguments ending in NULL) runs it under another program (strace). */
void kiosk_start(struct kiosk_session *s, uint32_t width, uint32_t height,
                 const char *const *wrap);
/* SIGTERM; the kiosk must exit 0 (under ASan: no leak). */
void kiosk_stop(struct kiosk_session *s);
struct kiosk_counts kiosk_counts(struct kiosk_session *s);
struct kiosk_held kiosk_held(struct kiosk_session *s);
/* Waits until the kiosk has flipped `flips` times in all; fails after
 * `seconds`. */
struct kiosk_counts kiosk_wait_flips(struct kiosk_session *s, uint64_t flips, unsigned seconds);
bool kiosk_alive(struct kiosk_session *s);
/* Waits until the kernel says the kiosk holds what it held at `base` (a
 * client's framebuffers and handles go after the flip that replaces its
 * last frame); fails after 10 s. */
void kiosk_wait_held(struct kiosk_session *s, struct kiosk_held base);

/* Runs argv (argv[0] found on PATH) as a client of the kiosk; its pid.
 * Skips when the program is not installed. */
int kiosk_client_start(struct kiosk_session *s, const char *const *argv);
/* SIGTERM, then reaps it. */
void kiosk_client_stop(int pid);
/* Points this process's libwayland-client at the kiosk. */
void kiosk_client_env(struct kiosk_session *s);

#endif
