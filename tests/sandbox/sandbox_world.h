/* SPDX-License-Identifier: MIT */
/*
 * The fds test_sandbox_rules asks about, and the operations it runs under
 * each filter. Made before any filter, in the test process: a pipe, a
 * file opened twice with one open dup'ed, an epoll set on the pipe, a
 * holder process that shares them all; for the winsys and consumers a
 * vgem device and a dma-buf (two fds on it).
 */
#ifndef FDID_TEST_SANDBOX_WORLD_H
#define FDID_TEST_SANDBOX_WORLD_H

#include <stdbool.h>
#include <sys/types.h>

struct sandbox_world {
   int p0, p1;           /* a pipe: two descriptions, one inode */
   int f1, f2, f3;       /* f2 = dup(f1); f3 another open of the file */
   int ep;               /* an epoll set watching p0 */
   int closed;           /* an fd number open nowhere */
   pid_t holder;         /* forked after all that: it shares each */
   int release;          /* closing it lets the holder exit */
   bool drm;             /* the rest is set */
   int card, buf, buf2;  /* vgem, a dma-buf, a dup of it */
   bool kms;             /* for FDID_OP_KMS: */
   int kms_card, kms_buf; /* virtio-gpu, a dumb buffer's dma-buf on it */
   unsigned kms_pitch;
};

/* false when ops need a DRM device (vgem; virtio-gpu for KMS) and there is
 * none. */
bool sandbox_world_make(struct sandbox_world *w, unsigned ops);
void sandbox_world_finish(struct sandbox_world *w);

/* Runs every operation of ops on the world, each answer through
 * sandbox_expect(); strict: what the allowed methods that work here can
 * decide must be. */
void sandbox_world_run(const struct sandbox_world *w, unsigned methods, unsigned ops,
                       bool strict);

/* Defined by the test: checks one answer against the truth. */
void sandbox_expect(int answer, bool same, bool decidable, const char *what);

#endif
