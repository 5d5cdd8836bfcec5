/* SPDX-License-Identifier: MIT */
/*
 * The re-import hint: callers that import the same dma-buf through the
 * same fd again and again (a video player re-importing its surfaces every
 * frame) pay one identity question instead of an fstat().
 *
 * A small table per device, indexed by fd number, remembers which object
 * each recent fd number resolved to. When one fd number gives the same
 * object twice in a row, the slot is armed: the object gets a reference fd
 * of its own dma-buf, made by PRIME export of its handle (so it is that
 * dma-buf by construction, whatever the caller does with its fds
 * meanwhile). An armed slot answers the next import through that number
 * with one identity question, fd against the reference: one F_DUPFD_QUERY
 * or kcmp, cheaper than fstat, and exact, since every fd of one dma-buf is one
 * open file description. Any other answer disarms the slot and the import
 * takes the fstat() path.
 *
 * Callers that pass a different dma-buf under a recycled fd number each
 * time (a compositor receiving buffers over a socket) never arm a slot and
 * pay nothing for it. The hints are used only when the identity question
 * is one system call (F_DUPFD_QUERY or kcmp allowed and working). At most
 * one reference fd per armed slot is held: FDID_HINT_SLOTS per device.
 *
 * Everything here runs under dev->lock.
 */
#include <errno.h>

#include "drm/winsys_private.h"
#include "util/identity_private.h"

static bool
hints_worth_it(void)
{
   return fdid_usable_methods() & (FDID_METHOD_DUPFD_QUERY | FDID_METHOD_KCMP);
}

static struct fdid_hint *
slot_of(struct fdid_device *dev, int fd)
{
   return &dev->hints[(unsigned)fd % FDID_HINT_SLOTS];
}

static uint32_t
slot_bit(struct fdid_device *dev, struct fdid_hint *slot)
{
   return 1u << (slot - dev->hints);
}

/* Drops the slot's reference fd use; the last armed slot closes it. */
static void
disarm(struct fdid_device *dev, struct fdid_hint *slot)
{
   if (!slot->armed)
      return;
   struct fdid_bo *bo = slot->bo;
   slot->armed = false;
   bo->armed_slots &= ~slot_bit(dev, slot);
   if (!bo->armed_slots && bo->ref_fd >= 0) {
      close(bo->ref_fd);
      bo->ref_fd = -1;
   }
}

static void
clear(struct fdid_device *dev, struct fdid_hint *slot)
{
   if (!slot->bo)
      return;
   disarm(dev, slot);
   slot->bo->hint_slots &= ~slot_bit(dev, slot);
   slot->bo = NULL;
   slot->fd = -1;
}

/*
 * Is fd the reference's description? The identity core's one-call methods
 * (fdid_same_fast: no exported-symbol call, no fallback chain). Anything
 * but a sure "same", including a method that just broke, sends the import
 * down the fstat path.
 */
static bool
same_description(int fd, int ref)
{
   return fdid_same_fast(fd, ref) == 0;
}

struct fdid_bo *
fdid_hint_lookup(struct fdid_device *dev, int fd)
{
   fdid_assert_locked(&dev->lock);
   struct fdid_hint *slot = slot_of(dev, fd);
   if (!slot->armed || slot->fd != fd)
      return NULL;
   if (likely(same_description(fd, slot->bo->ref_fd)))
      return slot->bo;
   disarm(dev, slot);
   return NULL;
}

void
fdid_hint_note(struct fdid_device *dev, int fd, struct fdid_bo *bo)
{
   fdid_assert_locked(&dev->lock);
   struct fdid_hint *slot = slot_of(dev, fd);
   if (slot->fd != fd || slot->bo != bo) {
      clear(dev, slot);
      slot->fd = fd;
      slot->bo = bo;
      bo->hint_slots |= slot_bit(dev, slot);
      return;
   }
   /* The second time in a row: arm it, when the question is one call. */
   if (slot->armed || !hints_worth_it())
      return;
   if (bo->ref_fd < 0 &&
       drmPrimeHandleToFD(dev->fd, bo->handle, DRM_CLOEXEC, &bo->ref_fd) != 0) {
      bo->ref_fd = -1;
      return;
   }
   slot->armed = true;
   bo->armed_slots |= slot_bit(dev, slot);
}

void
fdid_hint_forget(struct fdid_device *dev, struct fdid_bo *bo)
{
   fdid_assert_locked(&dev->lock);
   uint32_t slots = bo->hint_slots;
   while (slots) {
      int i = __builtin_ctz(slots);
      slots &= slots - 1;
      clear(dev, &dev->hints[i]);
   }
}
