/* SPDX-License-Identifier: MIT */
/* DRM fourcc codes as drm_fourcc.h builds them (four characters, the first
 * in the low byte), without needing libdrm's header. */
#ifndef FDID_CONSUMERS_FOURCC_H
#define FDID_CONSUMERS_FOURCC_H

#include <stdint.h>

#define FOURCC(a, b, c, d) \
   ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

#endif
