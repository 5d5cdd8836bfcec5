/* SPDX-License-Identifier: MIT */
/* The kernel's word on sockets (sockets.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proc_read.h"
#include "sockets.h"
#include "util/number.h"

/* The kernel's TCP states (include/net/tcp_states.h), which UNIX and UDP
 * sockets reuse for "connected" (1) and "unconnected" (7). */
static const char *
state_name(unsigned st, bool tcp)
{
   static const char *const tcp_states[] = {
      "?", "established", "syn-sent", "syn-recv", "fin-wait1", "fin-wait2", "time-wait",
      "close", "close-wait", "last-ack", "listen", "closing",
   };
   if (!tcp)
      return st == 1 ? "connected" : st == 10 ? "listen" : st == 7 ? "unconnected" : "?";
   return st < sizeof(tcp_states) / sizeof(tcp_states[0]) ? tcp_states[st] : "?";
}

static struct socket_info *
grow(struct socket_table *t)
{
   if ((t->n & (t->n - 1)) == 0) { /* 0, 1, 2, 4...: double */
      size_t cap = t->n ? 2 * t->n : 16;
      struct socket_info *v = realloc(t->v, cap * sizeof(*v));
      if (!v)
         return NULL;
      t->v = v;
   }
   struct socket_info *s = &t->v[t->n++];
   memset(s, 0, sizeof(*s));
   return s;
}

/* ---- UNIX: NETLINK_SOCK_DIAG ------------------------------------------------ */

/* A path attribute into a C string: an abstract name's leading NUL as '@'
 * and any NUL inside as '@' too, as the kernel writes them. */
static char *
unix_path(const char *p, size_t n)
{
   while (n && p[n - 1] == '\0' && n > 1 && p[0] != '\0')
      n--; /* a filesystem path's trailing NUL */
   char *out = malloc(n + 1);
   if (!out)
      return NULL;
   for (size_t i = 0; i < n; i++)
      out[i] = p[i] ? p[i] : '@';
   out[n] = 0;
   return out;
}

static const char *
unix_proto(unsigned type)
{
   switch (type) {
   case SOCK_STREAM: return "UNIX-STREAM";
   case SOCK_DGRAM: return "UNIX-DGRAM";
   case SOCK_SEQPACKET: return "UNIX-SEQPACKET";
   default: return "UNIX";
   }
}

/* One dump message; 1 at the dump's end, 0 more to come, -ENOMEM. */
static int
unix_message(struct socket_table *t, const struct nlmsghdr *h)
{
   if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
      return 1;
   if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
      return 0;
   const struct unix_diag_msg *m = NLMSG_DATA(h);
   struct socket_info *s = grow(t);
   if (!s)
      return -ENOMEM;
   s->ino = m->udiag_ino;
   s->proto = unix_proto(m->udiag_type);
   s->state = state_name(m->udiag_state, false);
   int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
   for (const struct rtattr *a = (const void *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
      if (a->rta_type == UNIX_DIAG_NAME && RTA_PAYLOAD(a) > 0 && !s->local) {
         if (!(s->local = unix_path(RTA_DATA(a), RTA_PAYLOAD(a))))
            return -ENOMEM;
      } else if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= sizeof(uint32_t)) {
         uint32_t peer;
         memcpy(&peer, RTA_DATA(a), sizeof(peer));
         s->peer = peer;
      }
   }
   return 0;
}

static int
read_unix(struct socket_table *t)
{
   int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
   if (fd < 0)
      return 0; /* not allowed here (a sandbox): left out */
   struct {
      struct nlmsghdr h;
      struct unix_diag_req r;
   } req = {
      .h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
             .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
      .r = { .sdiag_family = AF_UNIX, .udiag_states = ~0u,
             .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER },
   };
   int r = 0;
   if (send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req)) {
      close(fd);
      return 0;
   }
   static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
   for (bool done = false; !done && r == 0;) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0)
         break;
      int left = (int)n;
      for (const struct nlmsghdr *h = (const void *)buf; NLMSG_OK(h, left) && !done && r == 0;
           h = NLMSG_NEXT(h, left)) {
         int k = unix_message(t, h);
         if (k < 0)
            r = k;
         done = k == 1;
      }
      t->unix_read = done;
   }
   close(fd);
   return r;
}

/* ---- TCP and UDP: /proc/PID/net/{tcp,udp}[6] ------------------------------ */

/* Exactly n hex digits, either case (the kernel prints capitals). */
static bool
hex_digits(const char *s, size_t n, uint64_t *out)
{
   uint64_t v = 0;
   for (size_t i = 0; i < n; i++) {
      char c = s[i];
      unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                 : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
      if (d == 16)
         return false;
      v = v << 4 | d;
   }
   *out = v;
   return n > 0 && n <= 16;
}

/* "0100007F:0277" or its 32-hex-digit IPv6 form, as the kernel prints the
 * address words in host order: into "127.0.0.1:631" or "[::1]:631". */
static char *
inet_text(const char *s, size_t len, bool v6)
{
   size_t hex = v6 ? 32 : 8;
   if (len != hex + 5 || s[hex] != ':')
      return NULL;
   unsigned char addr[16];
   for (size_t w = 0; w < hex / 8; w++) {
      uint64_t v;
      if (!hex_digits(s + 8 * w, 8, &v))
         return NULL;
      uint32_t word = (uint32_t)v;
      memcpy(addr + 4 * w, &word, 4);
   }
   uint64_t port;
   if (!hex_digits(s + hex + 1, 4, &port))
      return NULL;
   char text[INET6_ADDRSTRLEN];
   if (!inet_ntop(v6 ? AF_INET6 : AF_INET, addr, text, sizeof(text)))
      return NULL;
   char *out = malloc(strlen(text) + 10);
   if (out)
      sprintf(out, v6 ? "[%s]:%u" : "%s:%u", text, (unsigned)port);
   return out;
}

/* The blank-separated fields of a line, up to max. */
static size_t
fields(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
   size_t n = 0, i = 0;
   while (i < len && n < max) {
      while (i < len && line[i] == ' ')
         i++;
      if (i == len)
         break;
      f[n] = line + i;
      while (i < len && line[i] != ' ')
         i++;
      fl[n] = (size_t)(line + i - f[n]);
      n++;
   }
   return n;
}

int
sockets_parse_inet(struct socket_table *t, const char *text, size_t len, bool tcp, bool v6)
{
   const char *end = text + len;
   const char *line = memchr(text, '\n', len); /* the header */
   while (line && line + 1 < end) {
      line++;
      const char *nl = memchr(line, '\n', (size_t)(end - line));
      if (!nl)
         break; /* a line without its end: cut short, not taken */
      const char *f[10];
      size_t fl[10];
      uint64_t st = 0, ino = 0;
      if (fields(line, (size_t)(nl - line), f, fl, 10) == 10 &&
          fl[3] == 2 && hex_digits(f[3], 2, &st) &&
          fdid_parse_digits(f[9], fl[9], 10, UINT64_MAX, &ino) == fl[9] && ino) {
         struct socket_info *s = grow(t);
         if (!s)
            return -ENOMEM;
         s->ino = ino;
         s->proto = tcp ? (v6 ? "TCPv6" : "TCP") : (v6 ? "UDPv6" : "UDP");
         s->state = state_name((unsigned)st, tcp);
         s->local = inet_text(f[1], fl[1], v6);
         s->remote = inet_text(f[2], fl[2], v6);
      }
      line = nl;
   }
   return 0;
}

static int
by_ino(const void *a, const void *b)
{
   uint64_t x = ((const struct socket_info *)a)->ino, y = ((const struct socket_info *)b)->ino;
   return x < y ? -1 : x > y;
}

void
sockets_sort(struct socket_table *t)
{
   if (t->n)
      qsort(t->v, t->n, sizeof(*t->v), by_ino);
}

int
sockets_read(struct socket_table *t, pid_t netns_of)
{
   memset(t, 0, sizeof(*t));
   int r = read_unix(t);
   static const struct {
      const char *file;
      bool tcp, v6;
   } inet[] = { { "tcp", true, false }, { "tcp6", true, true }, { "udp", false, false },
                { "udp6", false, true } };
   for (size_t i = 0; r == 0 && i < sizeof(inet) / sizeof(inet[0]); i++) {
      char path[64];
      snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)netns_of, inet[i].file);
      size_t n;
      char *text = proc_read_whole(path, &n);
      if (!text) {
         if (errno == ENOMEM)
            r = -ENOMEM;
         continue;
      }
      r = sockets_parse_inet(t, text, n, inet[i].tcp, inet[i].v6);
      free(text);
   }
   sockets_sort(t);
   return r;
}

void
sockets_finish(struct socket_table *t)
{
   for (size_t i = 0; i < t->n; i++) {
      free(t->v[i].local);
      free(t->v[i].remote);
   }
   free(t->v);
   memset(t, 0, sizeof(*t));
}

const struct socket_info *
sockets_find(const struct socket_table *t, uint64_t ino)
{
   struct socket_info key = { .ino = ino };
   return t->n ? bsearch(&key, t->v, t->n, sizeof(*t->v), by_ino) : NULL;
}
