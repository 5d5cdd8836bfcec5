/* SPDX-License-Identifier: MIT */
/*
 * Programs others wrote, run as children by the guest tests and the
 * benchmarks: is one installed, and which process is it when a wrapper
 * (strace) started it. Header only, as drm_node.h: its users are tests
 * and benchmarks alike.
 */
#ifndef FDID_TEST_CHILD_PROCESS_H
#define FDID_TEST_CHILD_PROCESS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Is this program on PATH? */
static inline bool
have_program(const char *name)
{
   const char *path = getenv("PATH");
   char buf[4096];
   snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
   for (char *save, *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
      char full[4200];
      snprintf(full, sizeof(full), "%s/%s", dir, name);
      if (access(full, X_OK) == 0)
         return true;
   }
   return false;
}

static inline void
sleep_ms(unsigned ms)
{
   struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
   nanosleep(&ts, NULL);
}

/* The child of `wrapper` whose command name starts with comm, waited for
 * up to 10 s (the wrapper's own fork runs the wrapper's code first); -1
 * when none came. */
static inline int
wrapped_child(int wrapper, const char *comm)
{
   for (int i = 0; i < 200; i++) {
      char path[64], buf[64] = "";
      snprintf(path, sizeof(path), "/proc/%d/task/%d/children", wrapper, wrapper);
      FILE *f = fopen(path, "r");
      int pid = 0;
      bool found = f && fscanf(f, "%d", &pid) == 1;
      if (f)
         fclose(f);
      if (found) {
         snprintf(path, sizeof(path), "/proc/%d/comm", pid);
         FILE *c = fopen(path, "r");
         bool is = c && fgets(buf, sizeof(buf), c) && !strncmp(buf, comm, strlen(comm));
         if (c)
            fclose(c);
         if (is)
            return pid;
      }
      sleep_ms(50);
   }
   return -1;
}

#endif
