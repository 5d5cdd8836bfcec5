/* SPDX-License-Identifier: MIT */
/* A GLES 2 context on vgem through Mesa's GBM platform (kms_swrast), for
 * the GL consumer tests in the guest. */
#ifndef FDID_TEST_GL_CONTEXT_H
#define FDID_TEST_GL_CONTEXT_H

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>

struct gl_context {
   int card;                  /* Mesa's own description of card0 */
   struct gbm_device *gbm;
   EGLDisplay dpy;
   EGLContext ctx;
   PFNEGLCREATEIMAGEKHRPROC create_image;
   PFNEGLDESTROYIMAGEKHRPROC destroy_image;
   PFNGLEGLIMAGETARGETTEXTURE2DOESPROC image_target_texture;
};

/* Skips the subtest when no such context can be made here. On vgem, or on
 * the DRM device of the named driver ("virtio_gpu": the guests' KMS
 * device, where Mesa's GBM also runs kms_swrast). */
void gl_context_init(struct gl_context *gl);
void gl_context_init_on(struct gl_context *gl, const char *driver);
void gl_context_fini(struct gl_context *gl);

/* Draws `tex` over a w x h RGBA framebuffer and reads it back into
 * rgba (w * h * 4 bytes), row 0 = texture row 0. */
void gl_sample_texture(GLuint tex, int w, int h, unsigned char *rgba);

/* The same, with the program and target made once, for every frame. */
struct gl_sampler {
   GLuint prog, vs, fs, target, fbo;
   int w, h;
};
void gl_sampler_init(struct gl_sampler *s, int w, int h);
void gl_sampler_draw(struct gl_sampler *s, GLuint tex, unsigned char *rgba);
void gl_sampler_fini(struct gl_sampler *s);

#endif
