/* SPDX-License-Identifier: MIT */
/*
 * The guests' KMS device: QEMU's virtio-gpu (2D) beside vgem, found by
 * driver name. It has what a KMS consumer needs (a connected connector, a
 * CRTC, a primary plane, atomic modesetting), its dumb buffers cross to vgem
 * by PRIME, and what it does with a vgem dma-buf is recorded: a clean answer
 * either way, never a crash or a leak.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "drm_node.h"
#include "drm_util.h"
#include "fdid_test.h"

static int
open_virtio_gpu(void)
{
   int fd = drm_open_driver("virtio_gpu", false);
   if (fd < 0)
      SKIP("no virtio_gpu node (run in the guest): %s", strerror(errno));
   return fd;
}

FDID_TEST(virtio_gpu_has_connector_crtc_and_planes)
{
   int fd = open_virtio_gpu();
   CHECK_EQ(drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1), 0);
   CHECK_EQ(drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1), 0);
   drmModeResPtr res = drmModeGetResources(fd);
   CHECK(res != NULL);
   CHECK(res->count_crtcs >= 1);
   int connected = 0;
   for (int i = 0; i < res->count_connectors; i++) {
      drmModeConnectorPtr c = drmModeGetConnector(fd, res->connectors[i]);
      CHECK(c != NULL);
      if (c->connection == DRM_MODE_CONNECTED && c->count_modes > 0)
         connected++;
      drmModeFreeConnector(c);
   }
   CHECK(connected >= 1);
   drmModePlaneResPtr planes = drmModeGetPlaneResources(fd);
   CHECK(planes != NULL && planes->count_planes >= 1);
   printf("# virtio_gpu: %d connectors (%d connected), %d CRTCs, %u planes\n",
          res->count_connectors, connected, res->count_crtcs, planes->count_planes);
   drmModeFreePlaneResources(planes);
   drmModeFreeResources(res);
   close(fd);
}

/* Scan-out buffers made on virtio-gpu reach vgem (and so any importer) by
 * PRIME, content and all: written through virtio-gpu's mapping, read
 * through the dma-buf's own. (vgem maps no imported buffer with MAP_DUMB:
 * EINVAL; the dma-buf's mmap is the way.) */
FDID_TEST(virtio_gpu_dumb_buffer_crosses_to_vgem)
{
   int gpu = open_virtio_gpu();
   int vgem = open_card();
   struct dumb d = dumb_create(gpu, 64, 64);
   gem_fill(gpu, d.handle, d.size, 0x600d);
   int dmabuf = prime_export(gpu, d.handle);
   uint32_t *p = mmap(NULL, d.size, PROT_READ, MAP_SHARED, dmabuf, 0);
   CHECK(p != MAP_FAILED);
   CHECK_EQ(p[0], 0x600du);
   CHECK_EQ(p[5], 0x600du ^ (uint32_t)(5 * 2654435761u));
   munmap(p, d.size);
   uint32_t h = prime_import(vgem, dmabuf);
   CHECK(h != 0 && gem_handle_alive(vgem, h));
   gem_close(vgem, h);
   gem_close(gpu, d.handle);
   close(dmabuf);
   check_no_handles(vgem, 8);
   close(vgem);
   close(gpu);
}

/* A vgem dma-buf offered to virtio-gpu: recorded, not assumed (the README
 * says what each kernel answered). Either a handle that reads the same
 * memory, or a refusal with a plain errno. */
FDID_TEST(vgem_dmabuf_offered_to_virtio_gpu)
{
   int gpu = open_virtio_gpu();
   int vgem = open_card();
   struct dumb d = dumb_create(vgem, 64, 64);
   gem_fill(vgem, d.handle, d.size, 0xbeef);
   int dmabuf = prime_export(vgem, d.handle);
   uint32_t h = 0;
   int r = drmPrimeFDToHandle(gpu, dmabuf, &h);
   if (r == 0) {
      printf("# virtio_gpu imports a vgem dma-buf\n");
      CHECK(h != 0);
      gem_close(gpu, h);
   } else {
      int err = errno;
      printf("# virtio_gpu refuses a vgem dma-buf: %s\n", strerror(err));
      CHECK(err == EINVAL || err == ENODEV || err == EOPNOTSUPP || err == ENOTSUP ||
            err == EPERM);
   }
   close(dmabuf);
   gem_close(vgem, d.handle);
   close(vgem);
   close(gpu);
}

FDID_TEST_MAIN()
