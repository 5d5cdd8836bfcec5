/* SPDX-License-Identifier: MIT */
/*
 * A Wayland client written here, for what no Debian client does on
 * purpose: malformed dma-buf params, floods, early closes, a disconnect
 * mid-frame. libwayland-client on the kiosk's socket (kiosk_client_env()).
 */
#ifndef FDID_TEST_KIOSK_CLIENT_H
#define FDID_TEST_KIOSK_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

struct wl_display;
struct wl_buffer;
struct zwp_linux_buffer_params_v1;

struct test_client {
   struct wl_display *display;
   struct wl_compositor *compositor;
   struct xdg_wm_base *wm;
   struct zwp_linux_dmabuf_v1 *dmabuf;
   struct wl_shm *shm;
   uint32_t dmabuf_version;
   unsigned xrgb_linear; /* modifier events: XRGB8888 with the linear modifier */
   /* params events */
   unsigned created, failed;
   struct wl_buffer *last_created;
};

/* Connects and binds the globals (fails the subtest without them). */
void test_client_connect(struct test_client *c);
void test_client_disconnect(struct test_client *c);

struct zwp_linux_buffer_params_v1 *test_client_params(struct test_client *c);

/* A round trip; then the protocol error the kiosk raised: its code, and
 * the interface of the object it names; -1 for none; -2 when the kiosk
 * cut the connection before the error could be read (it ends a client
 * with its error sent and the rest of what the client wrote unread, and
 * a client still writing then sees the connection reset). */
int test_client_error(struct test_client *c, const char **iface_name);

/* A width x height XRGB8888 shm buffer of one colour. */
struct wl_buffer *test_client_shm_buffer(struct test_client *c, int32_t width, int32_t height,
                                         uint32_t xrgb);

/* A toplevel configured by the kiosk, `buffer` attached and committed,
 * and a round trip: the kiosk has the commit. */
void test_client_show(struct test_client *c, struct wl_buffer *buffer);

#endif
