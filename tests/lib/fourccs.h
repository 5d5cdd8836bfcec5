/* SPDX-License-Identifier: MIT */
/* The DRM fourccs the tests use, built as drm_fourcc.h builds them (four
 * characters, the first in the low byte), so no test needs libdrm's
 * header for them. */
#ifndef FDID_TEST_FOURCCS_H
#define FDID_TEST_FOURCCS_H

#include <stdint.h>

#define TEST_FOURCC(a, b, c, d) \
   ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

#define XR24 TEST_FOURCC('X', 'R', '2', '4')
#define NV12 TEST_FOURCC('N', 'V', '1', '2')
#define P010 TEST_FOURCC('P', '0', '1', '0')
#define YU12 TEST_FOURCC('Y', 'U', '1', '2')
#define YV12 TEST_FOURCC('Y', 'V', '1', '2')
#define R8 TEST_FOURCC('R', '8', ' ', ' ')
#define GR88 TEST_FOURCC('G', 'R', '8', '8')

#endif
