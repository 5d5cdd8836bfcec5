/* SPDX-License-Identifier: MIT */
/*
 * fdid kms: framebuffers from images, for compositors and video players
 * that put client or decoder buffers on screen, often every frame.
 *
 * One framebuffer cache per KMS device (a fdid_device from winsys.h, a
 * primary node). A buffer shown again, through any new fd of it (a client
 * sends a fresh fd with each frame), finds its framebuffer by the image's
 * identity (import_cache.h's key: format, size, modifier, each plane's
 * dma-buf by identity, offset and pitch): no PRIME ioctl and no AddFB. The
 * buffers' GEM handles come from the device's table (image_bos.h), so each
 * is closed exactly once, whoever else imports the same buffer on that
 * description.
 *
 * Framebuffers are refcounted. The last unref makes a framebuffer idle:
 * kept, up to a bound (FDID_KMS_IDLE_DEFAULT, fdid_kms_set_idle_limit()),
 * for the next acquire of its buffer, since a player or compositor that
 * holds only the frame on screen releases each buffer every frame and
 * shows it again a few frames later. Past the bound, or on
 * fdid_kms_trim(), the least recently released is removed, then its
 * buffers unref'd (their handles close with their last reference). A
 * framebuffer keeps no fd of its buffers (its GEM handles hold them), so
 * whether its producer freed them is not asked: least recently released
 * alone decides. An idle framebuffer pins its buffers: the bound is the
 * memory the caller agrees to keep; 0 removes a framebuffer with its last
 * unref.
 * Removal: DRM_IOCTL_MODE_CLOSEFB (Linux 6.8+) where the kernel has it,
 * which leaves a framebuffer that is on screen there until the next commit
 * replaces it; before 6.8, drmModeRmFB, which also turns off every plane
 * still showing it. Either way, release a framebuffer after the commit
 * that stops showing it, as KMS clients do.
 *
 * The same-description hazard: GEM handles live per open file description.
 * A GEM user fdid cannot see (Mesa's GBM or EGL) on the same description as
 * the device shares handles with the table, and its own close of a handle
 * would pull one out from under a framebuffer. fdid therefore never closes
 * a handle it did not create (the table adopts nothing it did not import or
 * make), and fdid_kms_create() refuses a description that the caller says
 * is shared with such a user (FDID_KMS_SHARED): open the device again (a
 * new description) for fdid's table. fdid_egl_display_device() tells
 * whether an EGLDisplay works on the description the caller holds.
 *
 * Thread-safe, as the import cache is: two threads showing one new buffer
 * at once may both add a framebuffer; the second is removed at once.
 */
#ifndef FDID_KMS_H
#define FDID_KMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fdid/image.h>
#include <fdid/winsys.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fdid_kms;
struct fdid_kms_fb;

/* fdid_kms_create() flags. Another GEM user (Mesa's GBM or EGL) works on
 * this description too: refused, see the hazard above. */
#define FDID_KMS_SHARED (1u << 0)

/*
 * A framebuffer cache for dev (a reference of dev is kept). It sets
 * DRM_CLIENT_CAP_UNIVERSAL_PLANES on dev's description (the caller's own,
 * shared with whoever holds it), to see every plane's formats: plane
 * lists the caller reads there afterwards include primary and cursor
 * planes. It asks DRM_CAP_ADDFB2_MODIFIERS once: without it, an image
 * naming FDID_MODIFIER_LINEAR is added without DRM_MODE_FB_MODIFIERS
 * (linear is what such a device shows), and other modifiers are refused.
 * It reads every plane's formats and modifiers once, for every new buffer
 * after (fdid_kms_refresh_planes() reads them again).
 * Errors: -EINVAL (an argument NULL), -ENOTSUP (dev is no KMS device: no
 * modesetting resources, as vgem), -EBUSY (FDID_KMS_SHARED), -ENOMEM,
 * -EOVERFLOW (dev holds 2^32 - 1 references).
 */
int fdid_kms_create(struct fdid_device *dev, unsigned flags, struct fdid_kms **out);

/* Removes every framebuffer still held or idle (as their last unref would
 * with an idle bound of 0) and drops the device reference. NULL: nothing happens. */
void fdid_kms_destroy(struct fdid_kms *kms);

/*
 * The framebuffer showing img (resolved), with a reference for the caller:
 * the cached one, or a new one (the image's buffers from the device's
 * table, then drmModeAddFB2WithModifiers, with DRM_MODE_FB_MODIFIERS when
 * img names a modifier and the device takes them). *created (may be NULL) says whether it was made.
 *
 * Errors (nothing is kept): -EINVAL (an argument NULL, img not resolved, or
 * the kernel refusing the layout: a size or pitch the buffer cannot hold),
 * -ENOTSUP (no plane of the device shows this format and modifier, from
 * the planes' IN_FORMATS or format lists, asked before AddFB2 since
 * drivers refuse differently), the buffers' import errors (fdid_bo_import(): a
 * dma-buf this device cannot import gets the kernel's errno, e.g. ENODEV),
 * -ENOMEM, -EMFILE, -EOVERFLOW (the framebuffer holds 2^32 - 1 references:
 * refused, never wrapped), -ESTALE (an object's fd holds another buffer
 * than the one img resolved: resolve it again).
 */
int fdid_kms_fb_acquire(struct fdid_kms *kms, const struct fdid_image *img,
                        struct fdid_kms_fb **out, bool *created);

/* The KMS framebuffer id, for a commit. 0 for NULL. */
uint32_t fdid_kms_fb_id(const struct fdid_kms_fb *fb);

/* Another reference to a framebuffer the caller holds; returns fb, or NULL
 * when fb is NULL or already holds 2^32 - 1 references (refused, never
 * wrapped: the caller holds nothing more). */
struct fdid_kms_fb *fdid_kms_fb_ref(struct fdid_kms_fb *fb);

/* One reference less; the last makes it idle (see above), or removes the
 * framebuffer and unrefs its buffers when the idle bound is 0. NULL:
 * nothing happens. Valid until fdid_kms_destroy() of its cache, which
 * removes every framebuffer. */
void fdid_kms_fb_unref(struct fdid_kms_fb *fb);

/* Framebuffers the cache has now, held and idle. */
size_t fdid_kms_fb_count(struct fdid_kms *kms);

/* The idle bound of a new cache: 8 framebuffers (a compositor's few
 * clients' swapchains, a player's ring of surfaces on a plane). */
#define FDID_KMS_IDLE_DEFAULT 8

/* Sets the bound of idle framebuffers kept, removing what passes it now.
 * 0 or -EINVAL (kms NULL). */
int fdid_kms_set_idle_limit(struct fdid_kms *kms, size_t limit);

/* Idle framebuffers: no caller holds them. */
size_t fdid_kms_idle_count(struct fdid_kms *kms);

/* Memory pressure: removes idle framebuffers until at most `keep` are left
 * (least recently released first); how many it removed. NULL: 0. */
size_t fdid_kms_trim(struct fdid_kms *kms, size_t keep);

/*
 * Can this plane show images of this format and modifier? From the plane's
 * IN_FORMATS blob where the kernel gives one, else its format list (then
 * only the linear or implicit modifier), read once when the cache was made
 * or last refreshed: no ioctl. 1 yes, 0 no, or a negative errno (-EINVAL:
 * kms NULL; -ENOENT: no such plane).
 */
int fdid_kms_plane_supports(struct fdid_kms *kms, uint32_t plane_id, uint32_t fourcc,
                            uint64_t modifier);

/*
 * Reads every plane's formats and modifiers again, for the checks above
 * and before each new framebuffer (after a hotplug that changed them).
 * fdid_kms_create() reads them once; a new buffer then costs no plane
 * ioctl. 0, -EINVAL, -ENOMEM, or the kernel's error for the plane list.
 */
int fdid_kms_refresh_planes(struct fdid_kms *kms);

#ifdef __cplusplus
}
#endif

#endif /* FDID_KMS_H */
