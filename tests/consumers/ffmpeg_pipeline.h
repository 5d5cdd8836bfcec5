/* SPDX-License-Identifier: MIT */
/*
 * A real FFmpeg producer of DRM PRIME frames, for the interop test and its
 * benchmark: a scene process showing a ring of dumb buffers on virtio-gpu,
 * the next one with new contents at each frame (in step with the consumer,
 * so that each frame's pixels are known), and libavdevice's kmsgrab
 * capturing it, each frame an AVDRMFrameDescriptor with fresh dma-buf fds
 * of the buffer on screen.
 *
 * FFmpeg is the guest's own, loaded by soname (libavdevice 59 on Debian
 * 12, 61 on Debian 13), since one host build runs on both; only calls and
 * structure fields that are the same in FFmpeg 5.1 and 7.1 are used.
 */
#ifndef FDID_TEST_FFMPEG_PIPELINE_H
#define FDID_TEST_FFMPEG_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <libavutil/hwcontext_drm.h>

/* The ring's colours: buffer i shows 0x00RRGGBB with RR = scene_mark(i);
 * green and blue hold the frame number. */
#define SCENE_RING 3
static inline uint32_t
scene_color(unsigned buffer, unsigned frame)
{
   return (uint32_t)(0x40u * (buffer + 1)) << 16 | (frame & 0xffffu);
}

/* The KMS driver the scene, kmsgrab and the EGL consumer use:
 * FDID_INTEROP_DRIVER ("i915", "amdgpu"... on a GPU machine with no
 * compositor holding the display), else "virtio_gpu" (the guests). */
const char *interop_driver(void);

struct scene {
   pid_t pid;
   int to_scene, from_scene; /* pipes */
   int display;              /* the display lock */
   uint32_t width, height;
};

/* Starts the scene on the virtio-gpu card (skips the subtest where there
 * is none); returns once the first buffer is on screen. */
void scene_start(struct scene *s);
/* Shows the next buffer of the ring, with new contents; returns its
 * colour, on screen when this returns. */
uint32_t scene_next(struct scene *s);
/* Ends the scene (its buffers freed) and releases the display. */
void scene_end(struct scene *s);

struct ffmpeg_source {
   void *lib;
   void *fmt;    /* AVFormatContext */
   void *packet; /* AVPacket */
   bool holding;
   /* FFmpeg's calls, from the library loaded. */
   struct ffmpeg_calls *calls;
   char version[32];
};

/* Opens kmsgrab on the scene's card; skips the subtest where FFmpeg's
 * libavdevice cannot be loaded. */
void ffmpeg_source_open(struct ffmpeg_source *src);
/* The next frame's descriptor, valid until ffmpeg_source_release(), which
 * drops the frame (FFmpeg closes its fds). */
const AVDRMFrameDescriptor *ffmpeg_source_next(struct ffmpeg_source *src);
void ffmpeg_source_release(struct ffmpeg_source *src);
void ffmpeg_source_close(struct ffmpeg_source *src);

#endif
