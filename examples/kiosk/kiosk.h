/* SPDX-License-Identifier: MIT */
/*
 * fdid-kiosk: a Wayland compositor for one fullscreen client at a time,
 * whose dma-buf buffers go straight to the primary plane through fdid's
 * KMS framebuffer cache (fdid/kms.h). No renderer, no composition: a
 * client buffer is either the screen's framebuffer or refused. wl_shm
 * buffers are copied into one of two dumb buffers.
 *
 * The files, one job each: main.c (options, the event loop, statistics),
 * output.c (KMS: the mode, page flips, frame callbacks, releases),
 * buffer.c (wl_buffer: dma-buf framebuffers and shm copies), dmabuf.c
 * (zwp_linux_dmabuf_v1: params into fdid images), shell.c (wl_compositor,
 * wl_surface, xdg_wm_base, wl_output).
 */
#ifndef FDID_KIOSK_H
#define FDID_KIOSK_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>
#include <wayland-server-protocol.h>
#include <xf86drmMode.h>

#include <fdid/kms.h>
#include <fdid/winsys.h>

/* What the kiosk counts, for its tests and benchmark (--stats). */
struct kiosk_stats {
   uint64_t flips;          /* page flips completed */
   uint64_t flip_errors;    /* page flips the kernel refused */
   uint64_t commits;        /* surface commits with a new buffer */
   uint64_t dmabuf_buffers; /* wl_buffers made from dma-bufs */
   uint64_t fbs_created;    /* framebuffers the cache had to add (AddFB2) */
   uint64_t refused;        /* params refused (protocol error or failed) */
   uint64_t shm_copies;     /* shm buffers copied to a dumb buffer */
};

/* One buffer shown, or about to be: the framebuffer (a reference), the
 * client buffer to release once it is off screen (NULL for the kiosk's
 * own), and the frame callbacks to answer when it reaches the screen. */
struct kiosk_frame {
   struct fdid_kms_fb *fb;
   struct kiosk_buffer *buffer;
   struct wl_list callbacks; /* wl_resource links */
   bool used;
};

/* A dumb buffer of the mode's size: the background, and the target of
 * shm copies. */
struct kiosk_dumb {
   struct fdid_bo *bo;
   struct fdid_kms_fb *fb;
   uint32_t *pixels;
   uint32_t pitch;
   uint64_t size;
};

struct kiosk_output {
   struct fdid_device *dev;
   struct fdid_kms *kms;
   int fd;
   uint32_t crtc_id, connector_id, plane_id;
   uint32_t *formats; /* the primary plane's, read once */
   uint32_t n_formats;
   drmModeModeInfo mode;
   uint32_t width, height;
   struct kiosk_dumb dumb[2];
   unsigned dumb_shown; /* the dumb buffer on screen or in flight */
   struct kiosk_frame shown, flipping, queued;
   bool flip_pending;
   bool client_shown; /* a client's buffer is on screen or in flight */
   struct wl_event_source *drm_source;
   struct kiosk_stats *stats;
};

struct kiosk {
   struct wl_display *display;
   struct kiosk_output output;
   struct kiosk_stats stats;
   struct wl_list surfaces; /* kiosk_surface.link, toplevels in map order */
   const char *stats_path;
   struct wl_listener client_created;
};

/* A client buffer (a wl_buffer's user data). Freed once its resource is
 * gone and nothing holds it. */
struct kiosk_buffer {
   struct wl_resource *resource; /* NULL once the client destroyed it */
   unsigned holds;               /* surfaces and frames using it */
   struct fdid_kms_fb *fb;       /* dma-buf: the framebuffer showing it */
   bool shm;
   uint32_t width, height;
   struct wl_listener resource_destroy;
};

struct kiosk_surface {
   struct kiosk *kiosk;
   struct wl_resource *resource;
   struct wl_resource *xdg_surface, *toplevel;
   struct wl_list link; /* kiosk.surfaces once it is a toplevel */
   bool configured;
   /* Double-buffered state: what the next commit applies. */
   struct wl_resource *pending_buffer;
   bool pending_attached;
   struct wl_listener pending_buffer_destroy;
   struct wl_list pending_callbacks;
   /* The committed buffer (held), and callbacks waiting for it to show. */
   struct kiosk_buffer *current;
   struct wl_list current_callbacks;
};

/* output.c */
int kiosk_output_init(struct kiosk *k, const char *device, uint32_t want_w, uint32_t want_h);
void kiosk_output_finish(struct kiosk_output *o);
/* Puts buf (NULL: the background) on screen at the next flip; takes the
 * callbacks (moved out of the list). */
void kiosk_output_present(struct kiosk_output *o, struct kiosk_buffer *buf,
                          struct wl_list *callbacks);
/* The surface shown is going away: the background replaces it. */
void kiosk_output_clear(struct kiosk_output *o);

/* buffer.c */
struct kiosk_buffer *kiosk_buffer_from_resource(struct wl_resource *resource);
/* A dma-buf wl_buffer for client with the given id (0 for params.create's
 * new object), holding fb. NULL when out of memory. */
struct kiosk_buffer *kiosk_buffer_create_dmabuf(struct wl_client *client, uint32_t id,
                                                struct fdid_kms_fb *fb, uint32_t width,
                                                uint32_t height);
void kiosk_buffer_hold(struct kiosk_buffer *b);
/* The last release sends wl_buffer.release (if the client still has it). */
void kiosk_buffer_release(struct kiosk_buffer *b);
/* Copies an shm buffer into a dumb buffer, centred, cropped to it. */
int kiosk_buffer_copy_shm(struct kiosk_buffer *b, struct kiosk_dumb *dst, uint32_t width,
                          uint32_t height);

/* dmabuf.c */
int kiosk_dmabuf_init(struct kiosk *k);

/* shell.c */
int kiosk_shell_init(struct kiosk *k);

#endif
