/* SPDX-License-Identifier: MIT */
/* Which device a character device node belongs to, as sysfs says. */
#ifndef FDID_UTIL_SYSFS_DEVICE_H
#define FDID_UTIL_SYSFS_DEVICE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

/* /sys/dev/char/M:m/device, the node's device directory, as a link. */
static inline void
fdid_sysfs_device_link(dev_t rdev, char *out, size_t cap)
{
   snprintf(out, cap, "/sys/dev/char/%u:%u/device", major(rdev), minor(rdev));
}

/* That directory resolved, malloc'ed (NULL when sysfs has none): the
 * primary and render nodes of one GPU share it. */
static inline char *
fdid_sysfs_device_path(dev_t rdev)
{
   char link[64];
   fdid_sysfs_device_link(rdev, link, sizeof(link));
   return realpath(link, NULL);
}

#endif /* FDID_UTIL_SYSFS_DEVICE_H */
