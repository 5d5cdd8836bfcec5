/* SPDX-License-Identifier: MIT */
/*
 * DRM nodes found by driver, never by number: the guests load vgem and
 * virtio-gpu, and which one is card0 is the kernel's business. Header only:
 * its users link libdrm themselves (tests, inspect_holder, benchmarks).
 */
#ifndef FDID_TEST_DRM_NODE_H
#define FDID_TEST_DRM_NODE_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

/* Into buf, the path of the first primary (or render) node whose driver is
 * `driver` ("vgem", "virtio_gpu"); NULL when there is none. */
static inline const char *
drm_node_of(const char *driver, bool render, char *buf, size_t len)
{
   for (int i = 0; i < 16; i++) {
      snprintf(buf, len, render ? "/dev/dri/renderD%d" : "/dev/dri/card%d",
               render ? 128 + i : i);
      int fd = open(buf, O_RDWR | O_CLOEXEC);
      if (fd < 0)
         continue;
      /* DRM_IOCTL_VERSION into our own buffer: no allocation, so the
       * allocation-failure tests can open their device too. */
      char name[64] = { 0 };
      struct drm_version v = { .name_len = sizeof(name) - 1, .name = name };
      bool match = drmIoctl(fd, DRM_IOCTL_VERSION, &v) == 0 &&
                   v.name_len < sizeof(name) && strcmp(name, driver) == 0;
      close(fd);
      if (match)
         return buf;
   }
   return NULL;
}

/* An open of driver's node, or -1 (errno ENOENT when there is none). The
 * first opener of a primary node becomes DRM master: given back at once,
 * so that tests making buffers there (or holding it to be inspected) never
 * keep the display from the one test that shows things
 * (drm_take_master()). */
static inline int
drm_open_driver(const char *driver, bool render)
{
   char path[64];
   if (!drm_node_of(driver, render, path, sizeof(path))) {
      errno = ENOENT;
      return -1;
   }
   int fd = open(path, O_RDWR | O_CLOEXEC);
   if (fd >= 0 && !render)
      drmDropMaster(fd);
   return fd;
}

/* DRM master on fd's description, for a process that shows things (it
 * holds the display lock): root may take it once no other description
 * has it; another process's brief open (a node probe) is waited out, up
 * to 2 s. 0, or -1 with errno. */
static inline int
drm_take_master(int fd)
{
   for (int i = 0; drmSetMaster(fd) != 0; i++) {
      if (i == 100)
         return -1;
      usleep(20000);
   }
   return 0;
}

#endif
