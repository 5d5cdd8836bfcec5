/* SPDX-License-Identifier: MIT */
/* Helpers for the winsys tests in the vgem guest (on top of drm_util.h).
 * Failures fail the subtest. */
#ifndef FDID_TEST_WINSYS_UTIL_H
#define FDID_TEST_WINSYS_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <fdid/winsys.h>

#include "drm_util.h"

enum { BO_W = 64, BO_H = 64 };

struct fdid_device *dev_acquire(int fd);

/* Two opens of card0: two descriptions, two GEM namespaces, and the
 * devices fdid makes of them. */
struct two_cards {
   int a_fd, b_fd;
   struct fdid_device *a, *b;
   /* Set by two_cards_with_buffer(): a dumb buffer made on a (NULL when
    * none, or released by the test), its size, and one export of it (-1
    * when none, or closed by the test). */
   struct fdid_bo *src;
   uint64_t size;
   int dmabuf;
};
struct two_cards two_cards_open(void);
/* The same with a buffer on a, filled with seed's pattern, exported once:
 * the start of most PRIME scenarios. */
struct two_cards two_cards_with_buffer(uint32_t seed);
/* Releases the buffer and closes its export if still there, unrefs both
 * devices; then the kernel must say that no GEM handle is left on either
 * description (check_no_gem_left); closes both. */
void two_cards_close(struct two_cards *t);

/* One open of card0 and its device, the same way. */
struct one_card {
   int fd;
   struct fdid_device *dev;
};
struct one_card one_card_open(void);
void one_card_close(struct one_card *c);
/* A BO_W x BO_H, 32 bpp dumb buffer made by the table, filled with seed's
 * pattern; *size receives its size. */
struct fdid_bo *bo_dumb(struct fdid_device *dev, uint32_t seed, uint64_t *size);
struct fdid_bo *bo_import(struct fdid_device *dev, int dmabuf);
int bo_export(struct fdid_bo *bo);
/* Through the table's fd (the device must be a primary node). */
void bo_fill(struct fdid_bo *bo, uint64_t size, uint32_t seed);
bool bo_check(struct fdid_bo *bo, uint64_t size, uint32_t seed);

/*
 * The kernel-side leak check: no GEM handle open on fd's description below
 * 64, and on a primary node the next new buffer gets handle 1, the lowest
 * (then it is closed again).
 */
void check_no_gem_left(int fd);

/* The kernel says this handle is closed: GEM_CLOSE on it fails, EINVAL. */
void check_handle_closed(int fd, uint32_t handle);

#endif
