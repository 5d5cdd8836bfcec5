/* SPDX-License-Identifier: MIT */
/*
 * The kernel's ABI that some C library or kernel headers lack: fcntl and
 * pidfd constants newer than Debian 12's glibc, system call numbers, the
 * dma-buf file system's magic, and the DRM ioctls fdid makes, spelled out
 * from include/uapi (drm.h, drm_mode.h: type 'd', the number, the
 * argument's layout) so that the parts of fdid that need no libdrm need no
 * DRM headers either. One place for every layer: identity, the sandbox
 * table, the KMS consumer and the inspector. Each is defined only where
 * the system's headers have not (libdrm's, where included first, win);
 * tests/sandbox/test_sandbox_rules.c checks the DRM numbers against
 * libdrm's.
 */
#ifndef FDID_UTIL_LINUX_ABI_H
#define FDID_UTIL_LINUX_ABI_H

#include <fcntl.h>
#include <linux/ioctl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#ifndef F_LINUX_SPECIFIC_BASE
#define F_LINUX_SPECIFIC_BASE 1024
#endif
#ifndef F_DUPFD_QUERY
#define F_DUPFD_QUERY (F_LINUX_SPECIFIC_BASE + 3) /* Linux 6.10 */
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9 */
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18 /* Linux 4.14 */
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same on every architecture */
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef DMA_BUF_MAGIC
#define DMA_BUF_MAGIC 0x444d4142 /* "DMAB", include/uapi/linux/magic.h */
#endif
#define FDID_DRM_MAJOR 226 /* the DRM character devices' major */

/* The DRM ioctls' arguments, as the kernel lays them out. */
struct fdid_abi_gem_close { uint32_t handle, pad; };
struct fdid_abi_prime_handle { uint32_t handle, flags; int32_t fd; };
struct fdid_abi_create_dumb { uint32_t height, width, bpp, flags, handle, pitch; uint64_t size; };
struct fdid_abi_map_dumb { uint32_t handle, pad; uint64_t offset; };
struct fdid_abi_cap { uint64_t capability, value; };
struct fdid_abi_card_res { uint64_t ptrs[4]; uint32_t counts[4], min_width, max_width,
                           min_height, max_height; };
struct fdid_abi_plane_res { uint64_t plane_id_ptr; uint32_t count_planes; };
struct fdid_abi_plane { uint32_t ids[6]; uint64_t format_type_ptr; };
struct fdid_abi_obj_props { uint64_t props_ptr, values_ptr; uint32_t count, obj_id, obj_type; };
struct fdid_abi_property { uint64_t values_ptr, enum_blob_ptr; uint32_t prop_id, flags;
                           char name[32]; uint32_t count_values, count_enum_blobs; };
struct fdid_abi_blob { uint32_t blob_id, length; uint64_t data; };
struct fdid_abi_fb_cmd2 { uint32_t fb_id, width, height, pixel_format, flags, handles[4],
                          pitches[4], offsets[4]; uint64_t modifier[4]; };
struct fdid_abi_closefb { uint32_t fb_id, pad; };
struct fdid_abi_version {
   int major, minor, patchlevel;
   size_t name_len;
   char *name;
   size_t date_len;
   char *date;
   size_t desc_len;
   char *desc;
};

#ifndef DRM_IOCTL_VERSION
#define DRM_IOCTL_VERSION                _IOWR('d', 0x00, struct fdid_abi_version)
#endif
#ifndef DRM_IOCTL_GEM_CLOSE
#define DRM_IOCTL_GEM_CLOSE              _IOW('d', 0x09, struct fdid_abi_gem_close)
#endif
#ifndef DRM_IOCTL_GET_CAP
#define DRM_IOCTL_GET_CAP                _IOWR('d', 0x0c, struct fdid_abi_cap)
#endif
#ifndef DRM_IOCTL_SET_CLIENT_CAP
#define DRM_IOCTL_SET_CLIENT_CAP         _IOW('d', 0x0d, struct fdid_abi_cap)
#endif
#ifndef DRM_IOCTL_PRIME_HANDLE_TO_FD
#define DRM_IOCTL_PRIME_HANDLE_TO_FD     _IOWR('d', 0x2d, struct fdid_abi_prime_handle)
#endif
#ifndef DRM_IOCTL_PRIME_FD_TO_HANDLE
#define DRM_IOCTL_PRIME_FD_TO_HANDLE     _IOWR('d', 0x2e, struct fdid_abi_prime_handle)
#endif
#ifndef DRM_IOCTL_MODE_GETRESOURCES
#define DRM_IOCTL_MODE_GETRESOURCES      _IOWR('d', 0xa0, struct fdid_abi_card_res)
#endif
#ifndef DRM_IOCTL_MODE_GETPROPERTY
#define DRM_IOCTL_MODE_GETPROPERTY       _IOWR('d', 0xaa, struct fdid_abi_property)
#endif
#ifndef DRM_IOCTL_MODE_GETPROPBLOB
#define DRM_IOCTL_MODE_GETPROPBLOB       _IOWR('d', 0xac, struct fdid_abi_blob)
#endif
#ifndef DRM_IOCTL_MODE_RMFB
#define DRM_IOCTL_MODE_RMFB              _IOWR('d', 0xaf, unsigned int)
#endif
#ifndef DRM_IOCTL_MODE_CREATE_DUMB
#define DRM_IOCTL_MODE_CREATE_DUMB       _IOWR('d', 0xb2, struct fdid_abi_create_dumb)
#endif
#ifndef DRM_IOCTL_MODE_MAP_DUMB
#define DRM_IOCTL_MODE_MAP_DUMB          _IOWR('d', 0xb3, struct fdid_abi_map_dumb)
#endif
#ifndef DRM_IOCTL_MODE_GETPLANERESOURCES
#define DRM_IOCTL_MODE_GETPLANERESOURCES _IOWR('d', 0xb5, struct fdid_abi_plane_res)
#endif
#ifndef DRM_IOCTL_MODE_GETPLANE
#define DRM_IOCTL_MODE_GETPLANE          _IOWR('d', 0xb6, struct fdid_abi_plane)
#endif
#ifndef DRM_IOCTL_MODE_ADDFB2
#define DRM_IOCTL_MODE_ADDFB2            _IOWR('d', 0xb8, struct fdid_abi_fb_cmd2)
#endif
#ifndef DRM_IOCTL_MODE_OBJ_GETPROPERTIES
#define DRM_IOCTL_MODE_OBJ_GETPROPERTIES _IOWR('d', 0xb9, struct fdid_abi_obj_props)
#endif
#ifndef DRM_IOCTL_MODE_CLOSEFB
#define DRM_IOCTL_MODE_CLOSEFB           _IOWR('d', 0xd0, struct fdid_abi_closefb) /* 6.8 */
#endif

#endif /* FDID_UTIL_LINUX_ABI_H */
