/* SPDX-License-Identifier: MIT */
/* Position and open flags of a description (file_state.h). */
#include <fcntl.h>

#include "file_state.h"

const char *
file_state_mode(const struct fdinfo *i)
{
   if (!i->has_flags)
      return NULL;
   if (i->flags & O_PATH)
      return "--";
   switch (i->flags & O_ACCMODE) {
   case O_RDONLY: return "r-";
   case O_WRONLY: return "-w";
   default: return "rw";
   }
}

/* The kernel's octal bits, by name (asm-generic/fcntl.h, which x86 and
 * arm64 share); O_SYNC is O_DSYNC with __O_SYNC, O_TMPFILE O_DIRECTORY
 * with __O_TMPFILE. O_CREAT, O_EXCL, O_NOCTTY and O_TRUNC act at open
 * and are not kept. */
static const struct {
   unsigned bit;
   const char *name;
} flag_names[] = {
   { 02000, "append" },    { 04000, "nonblock" },     { 010000, "dsync" },
   { 020000, "async" },    { 040000, "direct" },      { 0100000, "largefile" },
   { 0200000, "directory" }, { 0400000, "nofollow" }, { 01000000, "noatime" },
   { 04000000, "sync" },   { 010000000, "path" },     { 020000000, "tmpfile" },
};

bool
file_state_write_flags(FILE *f, const struct fdinfo *i)
{
   if (!i->has_flags)
      return false;
   bool any = false;
   for (size_t k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++) {
      if (i->flags & flag_names[k].bit) {
         fprintf(f, "%s%s", any ? "," : "", flag_names[k].name);
         any = true;
      }
   }
   return true;
}
