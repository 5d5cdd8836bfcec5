/* SPDX-License-Identifier: MIT */
/* The DRM device behind an EGLDisplay, as a winsys entry. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fdid/egl_device.h"

#include <EGL/eglext.h>
#include "util/macros.h"

/* eglGetProcAddress from the libEGL already in the process: the caller has
 * an EGLDisplay, so it has one; libfdid must not load a second. */
typedef void (*egl_fn)(void);

static egl_fn
egl_proc(const char *name)
{
   __eglMustCastToProperFunctionPointerType (*get)(const char *);
   /* POSIX's way from dlsym()'s object pointer to a function pointer. */
   *(void **)&get = dlsym(RTLD_DEFAULT, "eglGetProcAddress");
   return get ? (egl_fn)get(name) : NULL;
}

FDID_PUBLIC int
fdid_egl_display_device(EGLDisplay dpy, struct fdid_device **out, bool *same_description)
{
   if (dpy == EGL_NO_DISPLAY || !out)
      return -EINVAL;
   PFNEGLQUERYDISPLAYATTRIBEXTPROC query_display =
      (PFNEGLQUERYDISPLAYATTRIBEXTPROC)egl_proc("eglQueryDisplayAttribEXT");
   PFNEGLQUERYDEVICEATTRIBEXTPROC query_attrib =
      (PFNEGLQUERYDEVICEATTRIBEXTPROC)egl_proc("eglQueryDeviceAttribEXT");
   PFNEGLQUERYDEVICESTRINGEXTPROC query_string =
      (PFNEGLQUERYDEVICESTRINGEXTPROC)egl_proc("eglQueryDeviceStringEXT");
   if (!query_display || !query_attrib || !query_string)
      return -ENOTSUP;

   EGLAttrib value = 0;
   if (!query_display(dpy, EGL_DEVICE_EXT, &value) || !value)
      return -ENOTSUP;
   EGLDeviceEXT device = (EGLDeviceEXT)value;

   /* The display's own fd: its description. EGL keeps owning it. */
   EGLAttrib fd = -1;
   if (query_attrib(device, EGL_DRM_MASTER_FD_EXT, &fd) && fd >= 0) {
      int r = fdid_device_acquire((int)fd, out);
      if (r == 0 && same_description)
         *same_description = true;
      return r;
   }

   const char *path = query_string(device, EGL_DRM_DEVICE_FILE_EXT);
   if (!path)
      return -ENOTSUP;
   int own = open(path, O_RDWR | O_CLOEXEC);
   if (own < 0)
      return -errno;
   int r = fdid_device_acquire(own, out);
   close(own); /* the table keeps its own dup */
   if (r == 0 && same_description)
      *same_description = false;
   return r;
}
