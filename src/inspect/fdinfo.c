/* SPDX-License-Identifier: MIT */
/*
 * fdinfo is "key:\tvalue" lines written by the kernel; a process can make
 * us read it at any moment of its life, drivers add their own keys, and a
 * dma-buf's name is any bytes its holder chose (DMA_BUF_SET_NAME takes
 * newlines), printed last. So the parser trusts nothing: bounded copies,
 * strict numbers, the first line of each key only, nothing after a
 * dma-buf's name. Sizes are not read here at all: the inspector takes
 * them from fstat, which no process can forge.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drm_usage.h"
#include "fdinfo.h"
#include "util/number.h"

/* Blanks, then digits of `base` ending the text or a blank: no sign, no
 * prefix (util/number.h). */
static bool
parse_number(const char *s, size_t len, unsigned base, long long *out)
{
   while (len && (*s == ' ' || *s == '\t')) {
      s++;
      len--;
   }
   uint64_t v;
   size_t k = fdid_parse_digits(s, len, base, INT64_MAX, &v);
   if (k == 0 || (k < len && s[k] != ' '))
      return false;
   *out = (long long)v;
   return true;
}

static void
copy_value(char *dst, size_t dst_len, const char *s, size_t len)
{
   while (len && (*s == ' ' || *s == '\t')) {
      s++;
      len--;
   }
   /* A NUL would hide the rest from every later reader. */
   const char *nul = memchr(s, 0, len);
   if (nul)
      len = (size_t)(nul - s);
   if (len >= dst_len)
      len = dst_len - 1;
   memcpy(dst, s, len);
   dst[len] = 0;
}

/* Bits of the keys already taken: the first line of a key is the
 * kernel's, a later one can only have come from text a process set. */
enum {
   SEEN_POS = 1 << 0, SEEN_FLAGS = 1 << 1, SEEN_EXPORTER = 1 << 2, SEEN_INO = 1 << 3,
   SEEN_MNT_ID = 1 << 4, SEEN_PID = 1 << 5, SEEN_TTY_INDEX = 1 << 6, SEEN_IFF = 1 << 7,
   SEEN_EVENTFD_ID = 1 << 8,
};

_Static_assert(sizeof(((struct fdinfo_names *)0)->drm_driver) == DRM_USAGE_NAME,
               "the driver's name is copied whole");

/* The texts' room, made at the first one kept. */
static struct fdinfo_names *
names(struct fdinfo *out)
{
   if (!out->names)
      out->names = calloc(1, sizeof(*out->names));
   return out->names;
}

/* The DRM client's keys, from drm_usage.c's reader (the one reader of
 * drm- keys): its driver, and its client id as text. */
static void
take_drm_keys(const char *text, size_t len, struct fdinfo *out)
{
   struct drm_usage u;
   drm_usage_parse(text, len, &u);
   if (u.not_a_client || (!u.driver[0] && !u.has_client_id) || !names(out))
      return;
   memcpy(out->names->drm_driver, u.driver, sizeof(out->names->drm_driver));
   if (u.has_client_id)
      snprintf(out->names->drm_client_id, sizeof(out->names->drm_client_id), "%llu",
               (unsigned long long)u.client_id);
}

void
fdinfo_parse(const char *text, size_t len, struct fdinfo *out)
{
   const char *all = text;
   size_t all_len = len;
   memset(out, 0, sizeof(*out));
   unsigned seen = 0;
   const char *end = text + len;
   while (text < end) {
      const char *nl = memchr(text, '\n', (size_t)(end - text));
      const char *line_end = nl ? nl : end;
      const char *colon = memchr(text, ':', (size_t)(line_end - text));
      if (colon) {
         size_t klen = (size_t)(colon - text);
         const char *v = colon + 1;
         size_t vlen = (size_t)(line_end - v);
         long long n;
#define KEY(k, bit) (!(seen & (bit)) && klen == sizeof(k) - 1 && memcmp(text, k, klen) == 0 && \
                     (seen |= (bit)))
         if (klen == 4 && memcmp(text, "name", 4) == 0 && out->is_dmabuf) {
            /* A dma-buf's name is DMA_BUF_SET_NAME's bytes, newlines and
             * all, and the kernel prints it last: everything after it is
             * the name, never a field (a name "x\nsize:\t1" is not a
             * size). One newline ends what the kernel printed. */
            size_t rest = (size_t)(end - v);
            if (rest && v[rest - 1] == '\n')
               rest--;
            if (names(out)) {
               copy_value(out->names->buf_name, sizeof(out->names->buf_name), v, rest);
               out->has_buf_name = true;
            }
            break;
         }
         if (KEY("pos", SEEN_POS) && parse_number(v, vlen, 10, &n)) {
            out->pos = n;
            out->has_pos = true;
         } else if (KEY("flags", SEEN_FLAGS) && parse_number(v, vlen, 8, &n) && n >= 0) {
            out->flags = (unsigned)n;
            out->has_flags = true;
         } else if (KEY("ino", SEEN_INO) && parse_number(v, vlen, 10, &n) && n >= 0) {
            out->ino = (unsigned long long)n;
            out->has_ino = true;
         } else if (KEY("mnt_id", SEEN_MNT_ID) && parse_number(v, vlen, 10, &n) &&
                    n <= 0x7fffffff) {
            out->mnt_id = (int)n;
            out->has_mnt_id = true;
         } else if (KEY("tty-index", SEEN_TTY_INDEX) && parse_number(v, vlen, 10, &n) &&
                    n <= 0x7fffffff) {
            out->tty_index = (int)n;
            out->has_tty_index = true;
         } else if (KEY("eventfd-id", SEEN_EVENTFD_ID) && parse_number(v, vlen, 10, &n) &&
                    n >= 0 && n <= 0x7fffffff) {
            out->eventfd_id = (int)n;
            out->has_eventfd_id = true;
         } else if (KEY("iff", SEEN_IFF)) {
            if (names(out))
               copy_value(out->names->tun_iface, sizeof(out->names->tun_iface), v, vlen);
         } else if (KEY("Pid", SEEN_PID)) {
            /* A pidfd's: its pid, or -1 once the process is gone. */
            const char *t = v;
            size_t tl = vlen;
            while (tl && (*t == '\t' || *t == ' ')) {
               t++;
               tl--;
            }
            if (tl == 2 && memcmp(t, "-1", 2) == 0) {
               out->pidfd_pid = -1;
               out->has_pidfd_pid = true;
            } else if (parse_number(v, vlen, 10, &n) && n <= 0x7fffffff) {
               out->pidfd_pid = (int)n;
               out->has_pidfd_pid = true;
            }
         } else if (KEY("exp_name", SEEN_EXPORTER)) {
            out->is_dmabuf = true;
            if (names(out))
               copy_value(out->names->exp_name, sizeof(out->names->exp_name), v, vlen);
         }
#undef KEY
      }
      text = nl ? nl + 1 : end;
   }
   if (!out->is_dmabuf)
      take_drm_keys(all, all_len, out);
}

void
fdinfo_finish(struct fdinfo *i)
{
   free(i->names);
   memset(i, 0, sizeof(*i));
}

const char *
fdinfo_tun_iface(const struct fdinfo *i)
{
   return i->names ? i->names->tun_iface : "";
}

const char *
fdinfo_drm_driver(const struct fdinfo *i)
{
   return i->names ? i->names->drm_driver : "";
}

const char *
fdinfo_drm_client_id(const struct fdinfo *i)
{
   return i->names ? i->names->drm_client_id : "";
}

const char *
fdinfo_exp_name(const struct fdinfo *i)
{
   return i->names ? i->names->exp_name : "";
}

const char *
fdinfo_buf_name(const struct fdinfo *i)
{
   return i->names ? i->names->buf_name : "";
}

/* "tfd:        5 events:       19 data: ...  pos:0 ino:1c0a sdev:e": the
 * numbers after "tfd:", " ino:" and " sdev:" (the latter two in hex). */
static bool
parse_epoll_line(const char *v, size_t vlen, struct epoll_target *t)
{
   long long n;
   size_t num_len = 0;
   while (num_len < vlen && (v[num_len] == ' ' || (v[num_len] >= '0' && v[num_len] <= '9')))
      num_len++;
   if (!parse_number(v, num_len, 10, &n) || n < 0 || n > 0x7fffffff)
      return false;
   t->tfd = (int)n;

   const char *ino = memmem(v, vlen, " ino:", 5);
   const char *sdev = memmem(v, vlen, " sdev:", 6);
   if (!ino || !sdev || sdev < ino)
      return false;
   if (!parse_number(ino + 5, (size_t)(sdev - ino - 5), 16, &n) || n < 0)
      return false;
   t->ino = (unsigned long long)n;
   const char *line_end = v + vlen;
   if (!parse_number(sdev + 6, (size_t)(line_end - sdev - 6), 16, &n) || n < 0 ||
       n > 0xffffffffll)
      return false;
   t->sdev = (unsigned)n;
   return true;
}

/* By fd number, then in the kernel's order. */
static int
cmp_target_rank(const void *pa, const void *pb)
{
   const struct epoll_target *const *a = pa, *const *b = pb;
   if ((*a)->tfd != (*b)->tfd)
      return (*a)->tfd < (*b)->tfd ? -1 : 1;
   return *a < *b ? -1 : *a > *b;
}

/* Targets under one fd number are told apart by their rank among the
 * lines with that number: the kernel prints and looks them up in the same
 * (tree) order. By a sort: a set of n targets costs n log n, not n^2. */
static int
rank_targets(struct epoll_target *v, size_t n)
{
   struct epoll_target **order = malloc((n ? n : 1) * sizeof(*order));
   if (!order)
      return -ENOMEM;
   for (size_t i = 0; i < n; i++)
      order[i] = &v[i];
   qsort(order, n, sizeof(*order), cmp_target_rank);
   for (size_t i = 0; i < n; i++)
      order[i]->toff = i && order[i - 1]->tfd == order[i]->tfd ? order[i - 1]->toff + 1 : 0;
   free(order);
   return 0;
}

int
fdinfo_parse_epoll(const char *text, size_t len, struct epoll_target **out, size_t *n_out)
{
   *out = NULL;
   *n_out = 0;
   size_t cap = 0;
   const char *end = text + len;
   while (text < end) {
      const char *nl = memchr(text, '\n', (size_t)(end - text));
      const char *line_end = nl ? nl : end;
      size_t llen = (size_t)(line_end - text);
      struct epoll_target t;
      if (llen > 4 && memcmp(text, "tfd:", 4) == 0 && parse_epoll_line(text + 4, llen - 4, &t)) {
         if (*n_out == cap) {
            size_t c = cap ? cap * 2 : 8;
            struct epoll_target *grown = realloc(*out, c * sizeof(*grown));
            if (!grown) {
               free(*out);
               *out = NULL;
               *n_out = 0;
               return -ENOMEM;
            }
            *out = grown;
            cap = c;
         }
         (*out)[(*n_out)++] = t;
      }
      text = nl ? nl + 1 : end;
   }
   if (rank_targets(*out, *n_out) != 0) {
      free(*out);
      *out = NULL;
      *n_out = 0;
      return -ENOMEM;
   }
   return 0;
}
