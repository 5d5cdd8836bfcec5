/* SPDX-License-Identifier: MIT */
/*
 * The surfaces: wl_compositor, wl_surface (attach, frame, commit; damage,
 * regions, scale and transform are accepted and ignored: the whole buffer
 * is the screen), xdg_wm_base (one fullscreen toplevel shown at a time,
 * configured to the mode's size; popups are dismissed at once), and
 * wl_output (the mode), which many clients wait for.
 *
 * Toplevels are kept in the order they were made: the first is shown; when
 * it goes, the background replaces it at the next flip (which releases its
 * framebuffers) and the next toplevel, if any, is shown.
 */
#include <stdlib.h>
#include <string.h>

#include "kiosk.h"
#include "xdg-shell-server-protocol.h"

#define KIOSK_COMPOSITOR_VERSION 4
#define KIOSK_XDG_VERSION 3
#define KIOSK_OUTPUT_VERSION 3

static void
resource_destroy(struct wl_client *client, struct wl_resource *resource)
{
   wl_resource_destroy(resource);
}

static bool
surface_active(struct kiosk_surface *s)
{
   return s->toplevel && s->kiosk->surfaces.next == &s->link;
}

static void
surface_show(struct kiosk_surface *s)
{
   kiosk_output_present(&s->kiosk->output, s->current, &s->current_callbacks);
}

/* The toplevel leaves the screen. */
static void
surface_unmap(struct kiosk_surface *s)
{
   if (!s->toplevel)
      return;
   bool was_active = surface_active(s);
   wl_list_remove(&s->link);
   wl_list_init(&s->link);
   s->toplevel = NULL;
   if (!was_active)
      return;
   struct kiosk *k = s->kiosk;
   kiosk_output_clear(&k->output);
   if (!wl_list_empty(&k->surfaces)) {
      struct kiosk_surface *next = wl_container_of(k->surfaces.next, next, link);
      if (next->configured)
         surface_show(next);
   }
}

static void
destroy_callbacks(struct wl_list *list)
{
   struct wl_resource *cb, *tmp;
   wl_resource_for_each_safe(cb, tmp, list)
      wl_resource_destroy(cb);
}

static void
pending_buffer_gone(struct wl_listener *l, void *data)
{
   struct kiosk_surface *s = wl_container_of(l, s, pending_buffer_destroy);
   s->pending_buffer = NULL;
   wl_list_remove(&l->link);
   wl_list_init(&l->link);
}

static void
set_pending_buffer(struct kiosk_surface *s, struct wl_resource *buffer)
{
   wl_list_remove(&s->pending_buffer_destroy.link);
   wl_list_init(&s->pending_buffer_destroy.link);
   s->pending_buffer = buffer;
   if (buffer)
      wl_resource_add_destroy_listener(buffer, &s->pending_buffer_destroy);
}

static void
surface_attach(struct wl_client *client, struct wl_resource *resource,
               struct wl_resource *buffer, int32_t x, int32_t y)
{
   struct kiosk_surface *s = wl_resource_get_user_data(resource);
   set_pending_buffer(s, buffer);
   s->pending_attached = true;
}

static void
surface_damage(struct wl_client *client, struct wl_resource *resource, int32_t x, int32_t y,
               int32_t w, int32_t h)
{
}

static void
callback_unlink(struct wl_resource *resource)
{
   wl_list_remove(wl_resource_get_link(resource));
}

static void
surface_frame(struct wl_client *client, struct wl_resource *resource, uint32_t id)
{
   struct kiosk_surface *s = wl_resource_get_user_data(resource);
   struct wl_resource *cb = wl_resource_create(client, &wl_callback_interface, 1, id);
   if (!cb) {
      wl_client_post_no_memory(client);
      return;
   }
   wl_resource_set_implementation(cb, NULL, NULL, callback_unlink);
   wl_list_insert(s->pending_callbacks.prev, wl_resource_get_link(cb));
}

static void
surface_region(struct wl_client *client, struct wl_resource *resource,
               struct wl_resource *region)
{
}

static void
send_configure(struct kiosk_surface *s)
{
   struct kiosk_output *o = &s->kiosk->output;
   struct wl_array states;
   wl_array_init(&states);
   uint32_t *st = wl_array_add(&states, 2 * sizeof(uint32_t));
   if (st) {
      st[0] = XDG_TOPLEVEL_STATE_FULLSCREEN;
      st[1] = XDG_TOPLEVEL_STATE_ACTIVATED;
   }
   xdg_toplevel_send_configure(s->toplevel, (int32_t)o->width, (int32_t)o->height, &states);
   wl_array_release(&states);
   xdg_surface_send_configure(s->xdg_surface,
                              wl_display_next_serial(s->kiosk->display));
   s->configured = true;
}

static void
surface_commit(struct wl_client *client, struct wl_resource *resource)
{
   struct kiosk_surface *s = wl_resource_get_user_data(resource);
   if (s->pending_attached) {
      struct kiosk_buffer *b = NULL;
      if (s->pending_buffer) {
         b = kiosk_buffer_from_resource(s->pending_buffer);
         if (!b) {
            /* wl_surface has no error for it: the protocol's catch-all. */
            wl_client_post_implementation_error(client, "attached a buffer that is neither "
                                                        "a dma-buf nor shm");
            return;
         }
         kiosk_buffer_hold(b);
         s->kiosk->stats.commits++;
      }
      if (s->current)
         kiosk_buffer_release(s->current);
      s->current = b;
      set_pending_buffer(s, NULL);
      s->pending_attached = false;
   }
   wl_list_insert_list(s->current_callbacks.prev, &s->pending_callbacks);
   wl_list_init(&s->pending_callbacks);
   if (s->toplevel && !s->configured) {
      /* The initial commit: the first configure answers it. */
      send_configure(s);
      return;
   }
   if (surface_active(s))
      surface_show(s);
}

static void
surface_ignore_int(struct wl_client *client, struct wl_resource *resource, int32_t v)
{
}

static void
surface_offset(struct wl_client *client, struct wl_resource *resource, int32_t x, int32_t y)
{
}

static const struct wl_surface_interface surface_impl = {
   .destroy = resource_destroy,
   .attach = surface_attach,
   .damage = surface_damage,
   .frame = surface_frame,
   .set_opaque_region = surface_region,
   .set_input_region = surface_region,
   .commit = surface_commit,
   .set_buffer_transform = surface_ignore_int,
   .set_buffer_scale = surface_ignore_int,
   .damage_buffer = surface_damage,
   .offset = surface_offset,
};

static void
surface_destroyed(struct wl_resource *resource)
{
   struct kiosk_surface *s = wl_resource_get_user_data(resource);
   if (s->toplevel)
      wl_resource_set_user_data(s->toplevel, NULL);
   surface_unmap(s);
   set_pending_buffer(s, NULL);
   destroy_callbacks(&s->pending_callbacks);
   destroy_callbacks(&s->current_callbacks);
   if (s->current)
      kiosk_buffer_release(s->current);
   if (s->xdg_surface)
      wl_resource_set_user_data(s->xdg_surface, NULL);
   free(s);
}

static void
compositor_create_surface(struct wl_client *client, struct wl_resource *resource, uint32_t id)
{
   struct kiosk_surface *s = calloc(1, sizeof(*s));
   if (!s) {
      wl_client_post_no_memory(client);
      return;
   }
   s->kiosk = wl_resource_get_user_data(resource);
   s->resource = wl_resource_create(client, &wl_surface_interface,
                                    wl_resource_get_version(resource), id);
   if (!s->resource) {
      free(s);
      wl_client_post_no_memory(client);
      return;
   }
   wl_list_init(&s->link);
   wl_list_init(&s->pending_callbacks);
   wl_list_init(&s->current_callbacks);
   s->pending_buffer_destroy.notify = pending_buffer_gone;
   wl_list_init(&s->pending_buffer_destroy.link);
   wl_resource_set_implementation(s->resource, &surface_impl, s, surface_destroyed);
}

static void
region_op(struct wl_client *client, struct wl_resource *resource, int32_t x, int32_t y,
          int32_t w, int32_t h)
{
}

static const struct wl_region_interface region_impl = {
   .destroy = resource_destroy,
   .add = region_op,
   .subtract = region_op,
};

static void
compositor_create_region(struct wl_client *client, struct wl_resource *resource, uint32_t id)
{
   struct wl_resource *r = wl_resource_create(client, &wl_region_interface, 1, id);
   if (!r) {
      wl_client_post_no_memory(client);
      return;
   }
   wl_resource_set_implementation(r, &region_impl, NULL, NULL);
}

static const struct wl_compositor_interface compositor_impl = {
   .create_surface = compositor_create_surface,
   .create_region = compositor_create_region,
};

static void
compositor_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
   struct wl_resource *r = wl_resource_create(client, &wl_compositor_interface, (int)version, id);
   if (!r) {
      wl_client_post_no_memory(client);
      return;
   }
   wl_resource_set_implementation(r, &compositor_impl, data, NULL);
}

/* xdg_toplevel: every request but destroy is a wish a kiosk does not
 * grant. */
static void toplevel_set_parent(struct wl_client *c, struct wl_resource *r,
                                struct wl_resource *p) {}
static void toplevel_set_string(struct wl_client *c, struct wl_resource *r, const char *s) {}
static void toplevel_show_menu(struct wl_client *c, struct wl_resource *r, struct wl_resource *seat,
                               uint32_t serial, int32_t x, int32_t y) {}
static void toplevel_move(struct wl_client *c, struct wl_resource *r, struct wl_resource *seat,
                          uint32_t serial) {}
static void toplevel_resize(struct wl_client *c, struct wl_resource *r, struct wl_resource *seat,
                            uint32_t serial, uint32_t edges) {}
static void toplevel_set_size(struct wl_client *c, struct wl_resource *r, int32_t w, int32_t h) {}
static void toplevel_noop(struct wl_client *c, struct wl_resource *r) {}
static void toplevel_set_fullscreen(struct wl_client *c, struct wl_resource *r,
                                    struct wl_resource *output) {}

static const struct xdg_toplevel_interface toplevel_impl = {
   .destroy = resource_destroy,
   .set_parent = toplevel_set_parent,
   .set_title = toplevel_set_string,
   .set_app_id = toplevel_set_string,
   .show_window_menu = toplevel_show_menu,
   .move = toplevel_move,
   .resize = toplevel_resize,
   .set_max_size = toplevel_set_size,
   .set_min_size = toplevel_set_size,
   .set_maximized = toplevel_noop,
   .unset_maximized = toplevel_noop,
   .set_fullscreen = toplevel_set_fullscreen,
   .unset_fullscreen = toplevel_noop,
   .set_minimized = toplevel_noop,
};

static void
toplevel_destroyed(struct wl_resource *resource)
{
   struct kiosk_surface *s = wl_resource_get_user_data(resource);
   if (s)
      surface_unmap(s);
}

static void
xdg_surface_get_toplevel(struct wl_client *client, struct wl_resource *resource, uint32_t id)
{
   struct kiosk_surface *s = wl_resource_get_user_data(resource);
   if (!s || s->toplevel) {
      wl_resource_post_error(resource, XDG_WM_BASE_ERROR_ROLE,
                             "the surface is gone or already has a role");
      return;
   }
   struct wl_resource *r = wl_resource_create(client, &xdg_toplevel_interface,
                                              wl_resource_get_version(resource), id);
   if (!r) {
      wl_client_post_no_memory(client);
      return;
   }
   wl_resource_set_implementation(r, &toplevel_impl, s, toplevel_destroyed);
   s->toplevel = r;
   s->configured = false;
   wl_list_insert(s->kiosk->surfaces.prev, &s->link);
}

static void popup_grab(struct wl_client *c, struct wl_resource *r, struct wl_resource *seat,
                       uint32_t serial) {}
static void popup_reposition(struct wl_client *c, struct wl_resource *r, struct wl_resource *p,
                             uint32_t token) {}

static const struct xdg_popup_interface popup_impl = {
   .destroy = resource_destroy,
   .grab = popup_grab,
   .reposition = popup_reposition,
};

static void
xdg_surface_get_popup(struct wl_client *client, struct wl_resource *resource, uint32_t id,
                      struct wl_resource *parent, struct wl_resource *positioner)
{
   struct wl_resource *r = wl_resource_create(client, &xdg_popup_interface,
                                              wl_resource_get_version(resource), id);
   if (!r) {
      wl_client_post_no_memory(client);
      return;
   }
   wl_resource_set_implementation(r, &popup_impl, NULL, NULL);
   /* A kiosk shows no popups: dismissed before it is shown. */
   xdg_popup_send_popup_done(r);
}

static void xdg_surface_set_geometry(struct wl_client *c, struct wl_resource *r, int32_t x,
                                     int32_t y, int32_t w, int32_t h) {}
static void xdg_surface_ack(struct wl_client *c, struct wl_resource *r, uint32_t serial) {}

static const struct xdg_surface_interface xdg_surface_impl = {
   .destroy = resource_destroy,
   .get_toplevel = xdg_surface_get_toplevel,
   .get_popup = xdg_surface_get_popup,
   .set_window_geometry = xdg_surface_set_geometry,
   .ack_configure = xdg_surface_ack,
};

static void
xdg_surface_destroyed(struct wl_resource *resource)
{
   struct kiosk_surface *s = wl_resource_get_user_data(resource);
   if (s)
      s->xdg_surface = NULL;
}

static void
wm_get_xdg_surface(struct wl_client *client, struct wl_resource *resource, uint32_t id,
                   struct wl_resource *surface)
{
   struct kiosk_surface *s = wl_resource_get_user_data(surface);
   if (s->xdg_surface) {
      wl_resource_post_error(resource, XDG_WM_BASE_ERROR_ROLE, "surface has an xdg_surface");
      return;
   }
   struct wl_resource *r = wl_resource_create(client, &xdg_surface_interface,
                                              wl_resource_get_version(resource), id);
   if (!r) {
      wl_client_post_no_memory(client);
      return;
   }
   wl_resource_set_implementation(r, &xdg_surface_impl, s, xdg_surface_destroyed);
   s->xdg_surface = r;
}

static void pos_size(struct wl_client *c, struct wl_resource *r, int32_t w, int32_t h) {}
static void pos_rect(struct wl_client *c, struct wl_resource *r, int32_t x, int32_t y, int32_t w,
                     int32_t h) {}
static void pos_uint(struct wl_client *c, struct wl_resource *r, uint32_t v) {}
static void pos_noop(struct wl_client *c, struct wl_resource *r) {}
static void pos_parent_configure(struct wl_client *c, struct wl_resource *r, uint32_t serial) {}

static const struct xdg_positioner_interface positioner_impl = {
   .destroy = resource_destroy,
   .set_size = pos_size,
   .set_anchor_rect = pos_rect,
   .set_anchor = pos_uint,
   .set_gravity = pos_uint,
   .set_constraint_adjustment = pos_uint,
   .set_offset = pos_size,
   .set_reactive = pos_noop,
   .set_parent_size = pos_size,
   .set_parent_configure = pos_parent_configure,
};

static void
wm_create_positioner(struct wl_client *client, struct wl_resource *resource, uint32_t id)
{
   struct wl_resource *r = wl_resource_create(client, &xdg_positioner_interface,
                                              wl_resource_get_version(resource), id);
   if (!r) {
      wl_client_post_no_memory(client);
      return;
   }
   wl_resource_set_implementation(r, &positioner_impl, NULL, NULL);
}

static void
wm_pong(struct wl_client *client, struct wl_resource *resource, uint32_t serial)
{
}

static const struct xdg_wm_base_interface wm_impl = {
   .destroy = resource_destroy,
   .create_positioner = wm_create_positioner,
   .get_xdg_surface = wm_get_xdg_surface,
   .pong = wm_pong,
};

static void
wm_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
   struct wl_resource *r = wl_resource_create(client, &xdg_wm_base_interface, (int)version, id);
   if (!r) {
      wl_client_post_no_memory(client);
      return;
   }
   wl_resource_set_implementation(r, &wm_impl, data, NULL);
}

static void
output_release(struct wl_client *client, struct wl_resource *resource)
{
   wl_resource_destroy(resource);
}

static const struct wl_output_interface output_impl = {
   .release = output_release,
};

static void
output_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
   struct kiosk *k = data;
   struct wl_resource *r = wl_resource_create(client, &wl_output_interface, (int)version, id);
   if (!r) {
      wl_client_post_no_memory(client);
      return;
   }
   wl_resource_set_implementation(r, &output_impl, k, NULL);
   struct kiosk_output *o = &k->output;
   wl_output_send_geometry(r, 0, 0, 0, 0, WL_OUTPUT_SUBPIXEL_UNKNOWN, "fdid", "kiosk",
                           WL_OUTPUT_TRANSFORM_NORMAL);
   wl_output_send_mode(r, WL_OUTPUT_MODE_CURRENT | WL_OUTPUT_MODE_PREFERRED,
                       (int32_t)o->width, (int32_t)o->height,
                       (int32_t)(o->mode.vrefresh ? o->mode.vrefresh * 1000 : 60000));
   if (version >= WL_OUTPUT_SCALE_SINCE_VERSION)
      wl_output_send_scale(r, 1);
   if (version >= WL_OUTPUT_DONE_SINCE_VERSION)
      wl_output_send_done(r);
}

int
kiosk_shell_init(struct kiosk *k)
{
   wl_list_init(&k->surfaces);
   if (!wl_global_create(k->display, &wl_compositor_interface, KIOSK_COMPOSITOR_VERSION, k,
                         compositor_bind) ||
       !wl_global_create(k->display, &xdg_wm_base_interface, KIOSK_XDG_VERSION, k, wm_bind) ||
       !wl_global_create(k->display, &wl_output_interface, KIOSK_OUTPUT_VERSION, k,
                         output_bind))
      return -1;
   return 0;
}
