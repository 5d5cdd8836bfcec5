/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>

#include "fdid_test.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "test_client.h"
#include "xdg-shell-client-protocol.h"

#define XRGB8888 0x34325258u

static void
dmabuf_format(void *data, struct zwp_linux_dmabuf_v1 *d, uint32_t format)
{
}

static void
dmabuf_modifier(void *data, struct zwp_linux_dmabuf_v1 *d, uint32_t format, uint32_t hi,
                uint32_t lo)
{
   struct test_client *c = data;
   if (format == XRGB8888 && hi == 0 && lo == 0)
      c->xrgb_linear++;
}

static const struct zwp_linux_dmabuf_v1_listener dmabuf_listener = {
   .format = dmabuf_format,
   .modifier = dmabuf_modifier,
};

static void
global(void *data, struct wl_registry *reg, uint32_t name, const char *iface, uint32_t version)
{
   struct test_client *c = data;
   if (!strcmp(iface, wl_compositor_interface.name)) {
      c->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 1);
   } else if (!strcmp(iface, xdg_wm_base_interface.name)) {
      c->wm = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
   } else if (!strcmp(iface, wl_shm_interface.name)) {
      c->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
   } else if (!strcmp(iface, zwp_linux_dmabuf_v1_interface.name)) {
      c->dmabuf_version = version;
      c->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface, 3);
      zwp_linux_dmabuf_v1_add_listener(c->dmabuf, &dmabuf_listener, c);
   }
}

static void
global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = { global, global_remove };

void
test_client_connect(struct test_client *c)
{
   memset(c, 0, sizeof(*c));
   c->display = wl_display_connect(NULL);
   CHECK(c->display);
   struct wl_registry *reg = wl_display_get_registry(c->display);
   wl_registry_add_listener(reg, &registry_listener, c);
   CHECK(wl_display_roundtrip(c->display) >= 0);
   CHECK(wl_display_roundtrip(c->display) >= 0); /* the dmabuf events */
   wl_registry_destroy(reg);
   CHECK(c->compositor && c->wm && c->dmabuf && c->shm);
}

void
test_client_disconnect(struct test_client *c)
{
   wl_display_disconnect(c->display);
   c->display = NULL;
}

static void
params_created(void *data, struct zwp_linux_buffer_params_v1 *p, struct wl_buffer *buffer)
{
   struct test_client *c = data;
   c->created++;
   c->last_created = buffer;
}

static void
params_failed(void *data, struct zwp_linux_buffer_params_v1 *p)
{
   struct test_client *c = data;
   c->failed++;
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
   .created = params_created,
   .failed = params_failed,
};

struct zwp_linux_buffer_params_v1 *
test_client_params(struct test_client *c)
{
   struct zwp_linux_buffer_params_v1 *p = zwp_linux_dmabuf_v1_create_params(c->dmabuf);
   zwp_linux_buffer_params_v1_add_listener(p, &params_listener, c);
   return p;
}

int
test_client_error(struct test_client *c, const char **iface_name)
{
   wl_display_roundtrip(c->display);
   int err = wl_display_get_error(c->display);
   if (!err)
      return -1;
   if (err == ECONNRESET || err == EPIPE)
      return -2;
   CHECK_EQ(err, EPROTO);
   const struct wl_interface *iface = NULL;
   uint32_t id;
   int code = (int)wl_display_get_protocol_error(c->display, &iface, &id);
   if (iface_name)
      *iface_name = iface ? iface->name : "";
   return code;
}

static void
wm_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
   xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = { wm_ping };

static void
surface_configure(void *data, struct xdg_surface *s, uint32_t serial)
{
   *(uint32_t *)data = serial + 1;
}

static const struct xdg_surface_listener xdg_surface_listener = { surface_configure };

void
test_client_show(struct test_client *c, struct wl_buffer *buffer)
{
   xdg_wm_base_add_listener(c->wm, &wm_listener, c);
   struct wl_surface *surface = wl_compositor_create_surface(c->compositor);
   struct xdg_surface *xs = xdg_wm_base_get_xdg_surface(c->wm, surface);
   uint32_t configured = 0;
   xdg_surface_add_listener(xs, &xdg_surface_listener, &configured);
   struct xdg_toplevel *top = xdg_surface_get_toplevel(xs);
   wl_surface_commit(surface);
   while (!configured)
      CHECK(wl_display_dispatch(c->display) >= 0);
   xdg_surface_ack_configure(xs, configured - 1);
   wl_surface_attach(surface, buffer, 0, 0);
   wl_surface_commit(surface);
   /* The kiosk has taken the commit (a client that hangs up at once may
    * have its last requests dropped unread). */
   CHECK(wl_display_roundtrip(c->display) >= 0);
   (void)top;
}

struct wl_buffer *
test_client_shm_buffer(struct test_client *c, int32_t width, int32_t height, uint32_t xrgb)
{
   size_t size = (size_t)width * (size_t)height * 4;
   int fd = CHECK_SYS(memfd_create("kiosk-test-shm", MFD_CLOEXEC));
   CHECK_SYS(ftruncate(fd, (off_t)size));
   uint32_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   CHECK(p != MAP_FAILED);
   for (size_t i = 0; i < size / 4; i++)
      p[i] = xrgb;
   munmap(p, size);
   struct wl_shm_pool *pool = wl_shm_create_pool(c->shm, fd, (int32_t)size);
   struct wl_buffer *b =
      wl_shm_pool_create_buffer(pool, 0, width, height, width * 4, WL_SHM_FORMAT_XRGB8888);
   wl_shm_pool_destroy(pool);
   close(fd);
   return b;
}
