/* SPDX-License-Identifier: MIT */
/*
 * fdid winsys: one process-wide table of DRM devices and of the buffers
 * imported into them, keyed by open file description, so that every GEM
 * handle has exactly one owner.
 *
 * Why: GEM handles live per DRM file description (struct drm_file). The
 * kernel gives the same handle for every import of one dma-buf on one
 * description and does not count them; when two owners each close it, the
 * second close frees a number the kernel may already have handed to
 * another buffer. Every consumer in a process (EGL, Vulkan, VA-API
 * adapters, the application) goes through this one table instead.
 *
 * Devices: fdid_device_acquire() on any fd of one open file description
 * (dup, fork, SCM_RIGHTS...) returns the same refcounted entry; another
 * open() of the same node is another description, hence another entry with
 * its own GEM namespace. The table keeps its own dup of the fd and never
 * takes or closes the caller's.
 *
 * Buffers: fdid_bo_import() of any fd of one dma-buf returns the same
 * refcounted object on one device entry. A re-import of a dma-buf already
 * in the table costs one system call and no ioctl; a first import adds one
 * PRIME ioctl. Buffers the device allocates (fdid_bo_create_dumb(), or a
 * driver's own allocation handed over with fdid_bo_adopt_handle()) enter
 * the same table, so importing our own export returns our own object.
 *
 * Threads: every function is thread-safe. A release racing a re-import of
 * the same dma-buf never hands out a closed handle. Not async-signal-safe.
 *
 * fork(): a child shares its parent's DRM descriptions, and with them the
 * GEM handles. Device entries (and their buffers) acquired before the fork
 * are the parent's: in the child they are never found by
 * fdid_device_acquire() and their release closes no GEM handle (only the
 * child's copy of the table's dup). Acquire devices in the child from its
 * own fds; a description used by two processes at once shares its GEM
 * namespace between them, which no table in one process can arbitrate.
 *
 * Errors are negative errnos, listed per function. No error path takes,
 * leaks or closes a caller's fd, and none closes a GEM handle twice.
 */
#ifndef FDID_WINSYS_H
#define FDID_WINSYS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fdid_device;
struct fdid_bo;

/* ---- Devices ---------------------------------------------------------- */

/*
 * The table's entry for fd's open file description, created on first use,
 * with one more reference for the caller. Never takes the caller's fd.
 *
 * Cost: one fstat(), then identity questions among this process's entries
 * of the same device node only: a binary search in kcmp's order (about
 * log2(n) + 1 questions of one system call each), or, where kcmp is not
 * allowed, one equality question per entry. A new entry adds a dup, the DRM
 * checks and a sysfs path lookup; libdrm's device description is read on
 * the first fdid_device_same_gpu() that needs it.
 *
 * Errors:
 *   -EINVAL   out is NULL.
 *   -EBADF    fd is negative or not open.
 *   -ENOTTY   fd is open but not a DRM device node (a pipe, a regular file,
 *             another character device).
 *   -EMFILE, -ENFILE
 *             no fd left for the table's dup.
 *   -ENOMEM   out of memory.
 *   -ENOTSUP  no identity method can tell whether fd shares a description
 *             with an entry of the same node (fdid_same_file_description()).
 *   -EOVERFLOW the entry holds the most references a count can (2^32 - 1):
 *             refused, never wrapped.
 *   -EPERM    the caller's pid cannot be read (a sandbox refuses getpid):
 *             an entry is its process's, and a fork's copy must be told
 *             from it.
 */
int fdid_device_acquire(int fd, struct fdid_device **out);

/* Another reference to an entry the caller already holds; returns dev, or
 * NULL when dev is NULL or already holds 2^32 - 1 references (refused,
 * never wrapped: the caller holds nothing more). */
struct fdid_device *fdid_device_ref(struct fdid_device *dev);

/*
 * Drops a reference. The last one removes the entry from the table, closes
 * every GEM handle it still owns and the table's dup. Buffers still held
 * afterwards stay valid memory but own nothing: fdid_bo_handle() gives 0,
 * fdid_bo_export() -ENODEV; fdid_bo_unref() frees them. NULL is a no-op.
 */
void fdid_device_unref(struct fdid_device *dev);

/*
 * Same GPU (hardware) behind both entries: libdrm's drmGetDevice2() and
 * drmDevicesEqual(), so the primary and render nodes of one GPU match.
 * Where libdrm cannot describe a device (vgem and other platform devices
 * without a device-tree name) the sysfs device directories behind the two
 * nodes are compared instead. Two descriptions of one node are the same GPU.
 */
bool fdid_device_same_gpu(const struct fdid_device *a, const struct fdid_device *b);

/*
 * The table's own fd of this description (close-on-exec), for driver
 * ioctls and mmap. Borrowed: valid until the last fdid_device_unref();
 * never close it. GEM handles made on it outside fdid belong to the caller
 * unless handed over with fdid_bo_adopt_handle().
 */
int fdid_device_fd(const struct fdid_device *dev);

/* DRM_NODE_PRIMARY or DRM_NODE_RENDER (libdrm's xf86drm.h values). */
int fdid_device_node_type(const struct fdid_device *dev);

/* ---- Buffers ---------------------------------------------------------- */

/*
 * The device's object for the dma-buf behind dmabuf_fd, with one more
 * reference for the caller. Every fd of one dma-buf, from any consumer,
 * gives the same object; a buffer this description exported itself gives
 * the original object. Never takes the caller's fd: closing it afterwards
 * leaves the object valid.
 *
 * Cost: a dma-buf already in the table, one system call and no ioctl:
 * fstat() for its inode, or, when this fd number gave this same object the
 * last two times, one identity question against a reference fd of the
 * dma-buf that the table keeps meanwhile (F_DUPFD_QUERY or kcmp, cheaper
 * than fstat; only when one of them is allowed and working; at most 16
 * such reference fds per device entry, closed with their objects). A new
 * dma-buf: that fstat() plus one PRIME_FD_TO_HANDLE ioctl.
 *
 * Errors:
 *   -EINVAL   dev or out is NULL.
 *   -EBADFD   dmabuf_fd is open but not a dma-buf (no PRIME ioctl is sent).
 *   -EBADF    dmabuf_fd is negative or not open.
 *   -ENODEV   the device entry has been released (only reachable through a
 *             buffer's bridge after the other side went away).
 *   -ENOMEM   out of memory (in the kernel or here).
 *   -EOVERFLOW the object holds 2^32 - 1 references: refused, never wrapped.
 *   others    the kernel's PRIME import errors as they come (-ENOSYS or
 *             -EOPNOTSUPP from a driver without PRIME import, ...).
 */
int fdid_bo_import(struct fdid_device *dev, int dmabuf_fd, struct fdid_bo **out);

/* The GEM handle on the device's description; 0 once the device is gone. */
uint32_t fdid_bo_handle(const struct fdid_bo *bo);

/* The device entry the buffer belongs to (borrowed, no reference). */
struct fdid_device *fdid_bo_device(const struct fdid_bo *bo);

/* Another reference to a buffer the caller already holds; returns bo, or
 * NULL when bo is NULL or already holds 2^32 - 1 references (refused,
 * never wrapped). */
struct fdid_bo *fdid_bo_ref(struct fdid_bo *bo);

/*
 * A new dma-buf fd for the buffer (close-on-exec, read-write), owned by the
 * caller. The object stays in the table; every export of one object gives
 * fds of the same dma-buf, and importing any of them on this device returns
 * this object.
 *
 * Errors:
 *   -EINVAL   bo or out_fd is NULL.
 *   -ENODEV   the buffer's device has been released.
 *   -EMFILE, -ENFILE  no fd left.
 *   -ENOMEM   out of memory.
 *   others    the kernel's PRIME export errors as they come.
 */
int fdid_bo_export(struct fdid_bo *bo, int *out_fd);

/*
 * Drops a reference. The last one removes the object from the table and
 * closes its GEM handle, exactly once, under the same lock that lookups
 * take, so a concurrent import of the same dma-buf either gets this object
 * before the close or a fresh handle after it. NULL is a no-op.
 */
void fdid_bo_unref(struct fdid_bo *bo);

/*
 * The allocation hook: hands a GEM handle that the caller just created on
 * fdid_device_fd(dev) (a driver's own create ioctl) over to the table. On
 * success the table owns the handle and closes it on the last release; on
 * any error the handle stays the caller's.
 *
 * Errors:
 *   -EINVAL   dev or out is NULL, or handle is 0.
 *   -EEXIST   the table already owns this handle (two owners would close
 *             it twice: use the table's object, fdid_bo_ref()).
 *   -ENODEV   the device entry has been released.
 *   -ENOMEM   out of memory.
 */
int fdid_bo_adopt_handle(struct fdid_device *dev, uint32_t handle, struct fdid_bo **out);

/*
 * A dumb buffer (DRM_IOCTL_MODE_CREATE_DUMB) owned by the table. pitch and
 * size (optional, may be NULL) receive the kernel's layout. Dumb buffers
 * need a primary node on most drivers (vgem refuses them on render nodes).
 *
 * Errors:
 *   -EINVAL   dev or out is NULL, a dimension is 0, or the kernel refuses
 *             the layout.
 *   -EACCES   the node does not allow dumb buffers (a render node).
 *   -ENOSYS, -EOPNOTSUPP  the driver has no dumb buffers.
 *   -EEXIST   the kernel gave a handle number the table already owns:
 *             someone sharing the description closed one of the table's
 *             handles behind its back (the table's object now owns the
 *             new buffer and closes it with its last release).
 *   -ENODEV   the device entry has been released.
 *   -ENOMEM   out of memory.
 */
int fdid_bo_create_dumb(struct fdid_device *dev, uint32_t width, uint32_t height,
                        uint32_t bpp, struct fdid_bo **out, uint32_t *pitch,
                        uint64_t *size);

/*
 * The offset to mmap() a dumb buffer at on fdid_device_fd()
 * (DRM_IOCTL_MODE_MAP_DUMB).
 *
 * Errors:
 *   -EINVAL   bo or offset is NULL, or the kernel refuses (not a dumb
 *             buffer on a driver that checks).
 *   -EACCES   the node does not allow it (a render node).
 *   -ENODEV   the buffer's device has been released.
 *   -ENOENT   the kernel no longer knows the handle.
 */
int fdid_bo_map_dumb_offset(const struct fdid_bo *bo, uint64_t *offset);

/*
 * The bridge: the same buffer as an object of another device entry (another
 * description of the same GPU, or another GPU that can import it), by
 * export from bo's device and import on `other`, with one reference for the
 * caller. The result is other's ordinary table object for that dma-buf, and
 * it is cached per (bo, other): the next call costs no system call. The
 * cache holds a reference that goes when bo's last reference goes or when
 * bo's device is released; when `other` is released first, its objects
 * lose their handles with it and the stale cache entry is dropped on the
 * next call. With other == bo's own device, returns bo with one more
 * reference.
 *
 * Errors: those of fdid_bo_export() and fdid_bo_import(); -EINVAL when an
 * argument is NULL.
 */
int fdid_bo_import_on(struct fdid_bo *bo, struct fdid_device *other, struct fdid_bo **out);

#ifdef __cplusplus
}
#endif

#endif /* FDID_WINSYS_H */
