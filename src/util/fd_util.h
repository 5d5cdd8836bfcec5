/* SPDX-License-Identifier: MIT */
/* Small fd helpers shared by every layer. */
#ifndef FDID_UTIL_FD_UTIL_H
#define FDID_UTIL_FD_UTIL_H

/*
 * A close-on-exec dup of fd numbered 3 or above (never stdin, stdout or
 * stderr, which a caller may close and reopen), or a negative errno:
 * -EBADF, -EMFILE, -ENFILE. Used wherever fdid keeps its own reference to
 * a caller's file (a device, a cache key, a Vulkan import).
 */
int fdid_dup_cloexec(int fd);

#endif /* FDID_UTIL_FD_UTIL_H */
