/* SPDX-License-Identifier: MIT */
/* NS.TYPE and USER (fd_facts.h). */
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fd_facts.h"
#include "util/number.h"

static const char *const ns_types[] = {
   "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children",
   "user", "uts",
};

const char *
fd_facts_ns_type(struct fd_entry *e, char *buf, size_t len)
{
   if (e->type != FD_FILE)
      return NULL;
   const char *name = scan_name(e);
   const char *colon = name ? strchr(name, ':') : NULL;
   if (!colon || name[0] == '/' || colon[1] != '[')
      return NULL;
   size_t tl = (size_t)(colon - name), rest = strlen(colon + 2);
   uint64_t ino;
   size_t digits = fdid_parse_digits(colon + 2, rest, 10, UINT64_MAX, &ino);
   if (!digits || digits + 1 != rest || colon[2 + digits] != ']' || tl >= len)
      return NULL;
   for (size_t i = 0; i < sizeof(ns_types) / sizeof(ns_types[0]); i++) {
      if (strlen(ns_types[i]) == tl && memcmp(ns_types[i], name, tl) == 0) {
         memcpy(buf, name, tl);
         buf[tl] = 0;
         return buf;
      }
   }
   return NULL;
}

/* The last few users named: a listing asks for the same few uids once
 * per holder of every row, and each getpwuid_r() may read /etc/passwd
 * (or ask NSS further). One thread's: the USER column is filled by the
 * tables and -Q, which run on the command's thread (JSON has no USER). */
#define USER_CACHE 8
static struct {
   uid_t uid;
   bool used;
   char name[64];
} user_cache[USER_CACHE];
static unsigned user_cache_next;

const char *
fd_facts_user(uid_t uid, char *buf, size_t len)
{
   if (uid == (uid_t)-1)
      return "?";
   for (unsigned i = 0; i < USER_CACHE; i++) {
      if (user_cache[i].used && user_cache[i].uid == uid) {
         snprintf(buf, len, "%s", user_cache[i].name);
         return buf;
      }
   }
   struct passwd pw, *found = NULL;
   char store[1024];
   if (getpwuid_r(uid, &pw, store, sizeof(store), &found) == 0 && found && pw.pw_name)
      snprintf(buf, len, "%s", pw.pw_name);
   else
      snprintf(buf, len, "%u", (unsigned)uid);
   /* A name too long for a slot is asked for again next time. */
   if (strlen(buf) < sizeof(user_cache[0].name)) {
      unsigned slot = user_cache_next++ % USER_CACHE;
      user_cache[slot].uid = uid;
      user_cache[slot].used = true;
      snprintf(user_cache[slot].name, sizeof(user_cache[0].name), "%s", buf);
   }
   return buf;
}
