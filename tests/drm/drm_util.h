/* SPDX-License-Identifier: MIT */
/* vgem helpers for the guest tests: dumb buffers, PRIME, and asking the
 * kernel whether a GEM handle is alive. Failures fail the subtest. */
#ifndef FDID_TEST_DRM_UTIL_H
#define FDID_TEST_DRM_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* vgem's primary node (dumb buffers work there) and render node, found by
 * driver name; the subtest skips where there is no vgem. */
int open_card(void);
int open_render(void);
/* The guests' KMS device: virtio-gpu's primary node, by driver name; the
 * subtest skips where there is none. Not DRM master (drm_open_driver()
 * gives it back): for buffers. */
int open_kms(void);
/* The same, DRM master, for a test that sets modes: it holds the display
 * (display_lock()). */
int open_kms_master(void);
/* What the display shows, from the host (the guest runner's screendump,
 * asked through FDID_SCREEN_DIR): opened at the first pixel of a PPM (P6,
 * 8 bits), *w and *h its size. NULL where no runner takes screendumps
 * (not in the guest). */
FILE *screendump_open(unsigned *w, unsigned *h);

/* The one display is one test's at a time (a batch guest runs two tests
 * at once): an exclusive lock on /run/fdid-display.lock, held until
 * display_unlock(). */
int display_lock(void);
void display_unlock(int lock);

struct dumb {
   uint32_t handle, pitch;
   uint64_t size;
};

/* A width x height, 32 bpp dumb buffer on fd. */
struct dumb dumb_create(int fd, uint32_t width, uint32_t height);
/* A read-write mapping of a dumb buffer's handle (munmap it). */
uint32_t *gem_map(int fd, uint32_t handle, uint64_t size);
/* Map a handle (dumb or imported) and fill or check a pattern. */
void gem_fill(int fd, uint32_t handle, uint64_t size, uint32_t seed);
bool gem_check(int fd, uint32_t handle, uint64_t size, uint32_t seed);
/* A dma-buf fd for handle, read-write and close-on-exec. */
int prime_export(int fd, uint32_t handle);
uint32_t prime_import(int fd, int dmabuf);
/* The kernel's view: is handle open on fd's description? (GEM_CLOSE is not
 * used to ask, as it would close it.) */
bool gem_handle_alive(int fd, uint32_t handle);
void gem_close(int fd, uint32_t handle);
/* No GEM handle below `below` is open on fd's description. */
void check_no_handles(int fd, uint32_t below);
/* How many GEM handles below `below` are open on fd's description. */
unsigned count_handles(int fd, uint32_t below);

/* What a producer hands a consumer: a vgem dumb buffer (width x height at
 * bpp) on its own open of card0, and one PRIME export of it. */
struct buf {
   int card;
   uint32_t handle, pitch;
   uint64_t size;
   int fd; /* the dma-buf */
};
struct buf buf_create(uint32_t width, uint32_t height, uint32_t bpp);
/* Closes the export, the handle and the card. */
void buf_destroy(struct buf *b);

/* Is fd open? */
bool fd_is_open(int fd);
/* Are a and b fds of one dma-buf (one inode)? */
bool same_dmabuf(int a, int b);

#endif
