/* SPDX-License-Identifier: MIT */
/*
 * The DRM device behind an EGLDisplay, as a winsys entry: so a process can
 * tell whether its GL context works on the same GPU as its VA-API or
 * Vulkan one (fdid_device_same_gpu()) and on the same DRM file description
 * (the same entry: the same GEM handle namespace).
 */
#ifndef FDID_EGL_DEVICE_H
#define FDID_EGL_DEVICE_H

#include <EGL/egl.h>
#include <stdbool.h>

#include <fdid/winsys.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The winsys entry of dpy's (initialized) DRM device, with one reference for the caller
 * (fdid_device_unref()). Through EGL_EXT_device_query and
 * EGL_EXT_device_drm: the display's own DRM fd (EGL_DRM_MASTER_FD_EXT) when
 * the implementation gives it, so the entry is the display's description
 * (*same_description true); else the device's node opened anew
 * (EGL_DRM_DEVICE_FILE_EXT), the same GPU on a description of fdid's own
 * (*same_description false). same_description may be NULL. EGL entry
 * points are looked up with eglGetProcAddress() from the libEGL the
 * process already has loaded; libfdid does not link it.
 *
 * Errors: -EINVAL (dpy EGL_NO_DISPLAY or out NULL), -ENOTSUP (no libEGL in
 * the process, or the display has no DRM device: EGL_EXT_device_query or
 * EGL_EXT_device_drm missing), -errno from open(), and
 * fdid_device_acquire()'s.
 */
int fdid_egl_display_device(EGLDisplay dpy, struct fdid_device **out, bool *same_description);

#ifdef __cplusplus
}
#endif

#endif /* FDID_EGL_DEVICE_H */
