/* SPDX-License-Identifier: MIT */
/* VA-API PRIME descriptors of vgem buffers for the consumer tests: NV12 of
 * W x H in both of VA's forms. */
#ifndef FDID_TEST_VA_DESCRIPTORS_H
#define FDID_TEST_VA_DESCRIPTORS_H

#include <va/va.h>
#include <va/va_drmcommon.h>

#include "drm_util.h"

#include "test_images.h"

/* NV12 on one buffer, composed form: one object, one layer, Y then CbCr.
 * The buffer holds at least H * 3 / 2 rows of its pitch. */
VADRMPRIMESurfaceDescriptor nv12_composed(const struct buf *b);

/* The same, separate form: an R8 layer on b and a GR88 layer on uv_fd (a
 * second object, which may be the same dma-buf again). */
VADRMPRIMESurfaceDescriptor nv12_separate(const struct buf *b, int uv_fd);

#endif
