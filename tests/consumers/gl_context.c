/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <gbm.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdid_test.h"
#include "drm_node.h"
#include "gl_context.h"

static bool
has_extension(const char *list, const char *name)
{
   size_t n = strlen(name);
   for (const char *p = list; p && (p = strstr(p, name)); p += n) {
      if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
         return true;
   }
   return false;
}

void
gl_context_init(struct gl_context *gl)
{
   gl_context_init_on(gl, "vgem");
}

void
gl_context_init_on(struct gl_context *gl, const char *driver)
{
   memset(gl, 0, sizeof(*gl));
   /* Faster to start than llvmpipe under emulation; no cache to write. */
   setenv("GALLIUM_DRIVER", "softpipe", 0);
   setenv("MESA_SHADER_CACHE_DISABLE", "true", 0);
   gl->card = drm_open_driver(driver, false);
   if (gl->card < 0)
      SKIP("no %s node", driver);
   gl->gbm = gbm_create_device(gl->card);
   if (!gl->gbm)
      SKIP("GBM cannot open %s here (Mesa's kms_swrast missing?)", driver);
   gl->dpy = eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR, gl->gbm, NULL);
   EGLint major, minor;
   if (gl->dpy == EGL_NO_DISPLAY || !eglInitialize(gl->dpy, &major, &minor))
      SKIP("no EGL display on GBM");
   const char *ext = eglQueryString(gl->dpy, EGL_EXTENSIONS);
   if (!has_extension(ext, "EGL_EXT_image_dma_buf_import") ||
       !has_extension(ext, "EGL_KHR_surfaceless_context"))
      SKIP("EGL lacks EGL_EXT_image_dma_buf_import or surfaceless contexts");
   CHECK(eglBindAPI(EGL_OPENGL_ES_API));
   static const EGLint config_attribs[] = { EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT, EGL_NONE };
   EGLConfig config;
   EGLint n = 0;
   CHECK(eglChooseConfig(gl->dpy, config_attribs, &config, 1, &n) && n == 1);
   static const EGLint ctx_attribs[] = { EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE };
   gl->ctx = eglCreateContext(gl->dpy, config, EGL_NO_CONTEXT, ctx_attribs);
   CHECK(gl->ctx != EGL_NO_CONTEXT);
   CHECK(eglMakeCurrent(gl->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, gl->ctx));
   gl->create_image = (PFNEGLCREATEIMAGEKHRPROC)eglGetProcAddress("eglCreateImageKHR");
   gl->destroy_image = (PFNEGLDESTROYIMAGEKHRPROC)eglGetProcAddress("eglDestroyImageKHR");
   gl->image_target_texture =
      (PFNGLEGLIMAGETARGETTEXTURE2DOESPROC)eglGetProcAddress("glEGLImageTargetTexture2DOES");
   CHECK(gl->create_image && gl->destroy_image && gl->image_target_texture);
}

void
gl_context_fini(struct gl_context *gl)
{
   eglMakeCurrent(gl->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
   eglDestroyContext(gl->dpy, gl->ctx);
   eglTerminate(gl->dpy);
   eglReleaseThread();
   gbm_device_destroy(gl->gbm);
   close(gl->card);
}

static GLuint
shader(GLenum type, const char *src)
{
   GLuint s = glCreateShader(type);
   glShaderSource(s, 1, &src, NULL);
   glCompileShader(s);
   GLint ok = 0;
   glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
   CHECK(ok);
   return s;
}

void
gl_sampler_init(struct gl_sampler *s, int w, int h)
{
   static const char *vs = "attribute vec2 pos;\n"
                           "varying vec2 uv;\n"
                           "void main() { uv = pos * 0.5 + 0.5; gl_Position = vec4(pos, 0.0, 1.0); }\n";
   static const char *fs = "precision mediump float;\n"
                           "uniform sampler2D tex;\n"
                           "varying vec2 uv;\n"
                           "void main() { gl_FragColor = texture2D(tex, uv); }\n";
   s->w = w;
   s->h = h;
   s->prog = glCreateProgram();
   s->vs = shader(GL_VERTEX_SHADER, vs);
   s->fs = shader(GL_FRAGMENT_SHADER, fs);
   glAttachShader(s->prog, s->vs);
   glAttachShader(s->prog, s->fs);
   glBindAttribLocation(s->prog, 0, "pos");
   glLinkProgram(s->prog);
   GLint ok = 0;
   glGetProgramiv(s->prog, GL_LINK_STATUS, &ok);
   CHECK(ok);
   glGenTextures(1, &s->target);
   glBindTexture(GL_TEXTURE_2D, s->target);
   glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
   glGenFramebuffers(1, &s->fbo);
   glBindFramebuffer(GL_FRAMEBUFFER, s->fbo);
   glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, s->target, 0);
   CHECK_EQ(glCheckFramebufferStatus(GL_FRAMEBUFFER), GL_FRAMEBUFFER_COMPLETE);
}

void
gl_sampler_draw(struct gl_sampler *s, GLuint tex, unsigned char *rgba)
{
   glBindFramebuffer(GL_FRAMEBUFFER, s->fbo);
   glBindTexture(GL_TEXTURE_2D, tex);
   glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
   glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
   glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
   glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
   glViewport(0, 0, s->w, s->h);
   glUseProgram(s->prog);
   glUniform1i(glGetUniformLocation(s->prog, "tex"), 0);
   static const GLfloat quad[] = { -1, -1, 1, -1, -1, 1, 1, 1 };
   glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, quad);
   glEnableVertexAttribArray(0);
   glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
   glReadPixels(0, 0, s->w, s->h, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
   CHECK_EQ(glGetError(), GL_NO_ERROR);
}

void
gl_sampler_fini(struct gl_sampler *s)
{
   glBindFramebuffer(GL_FRAMEBUFFER, 0);
   glDeleteFramebuffers(1, &s->fbo);
   glDeleteTextures(1, &s->target);
   glDeleteProgram(s->prog);
   glDeleteShader(s->vs);
   glDeleteShader(s->fs);
}

void
gl_sample_texture(GLuint tex, int w, int h, unsigned char *rgba)
{
   struct gl_sampler s;
   gl_sampler_init(&s, w, h);
   gl_sampler_draw(&s, tex, rgba);
   gl_sampler_fini(&s);
}
