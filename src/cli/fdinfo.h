/* SPDX-License-Identifier: MIT */
/* /proc/PID/fdinfo/N, the fields the inspector uses. */
#ifndef FDID_CLI_FDINFO_H
#define FDID_CLI_FDINFO_H

#include <stdbool.h>
#include <stddef.h>

struct fdinfo {
   bool has_pos, has_flags;
   long long pos;
   unsigned flags;          /* octal in the file; O_CLOEXEC is per fd */
   /* DRM (generic from Linux 6.5; absent on 6.1 vgem) */
   char drm_driver[32];
   char drm_client_id[24];
   char drm_pdev[32];
   /* dma-buf */
   bool is_dmabuf;          /* has exp_name: */
   char exp_name[32];
   char buf_name[32];
   long long size;          /* -1 when absent */
};

/* Parses fdinfo text (not NUL-terminated: len bytes). Unknown lines are
 * ignored, malformed values leave their field unset. Never fails. */
void fdinfo_parse(const char *text, size_t len, struct fdinfo *out);

#endif
