/* SPDX-License-Identifier: MIT */
/* fdid ls's columns (ls_columns.h). */
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "fd_class.h"
#include "fd_facts.h"
#include "file_state.h"
#include "ls_columns.h"

struct ls_listing ls_listing;

static void
put(struct cell *c, const char *s)
{
   cell_put(c, s);
}

static struct fd_entry *
first(const struct description *d)
{
   return d->holders[0];
}

static void
fill_id(struct cell *c, const struct description *d, size_t id)
{
   fprintf(c->f, "%zu", id);
}

static void
fill_type(struct cell *c, const struct description *d, size_t id)
{
   put(c, fd_class_of(first(d)->type)->name);
}

static void
fill_ainode_class(struct cell *c, const struct description *d, size_t id)
{
   char buf[64];
   const char *k = fd_ainode_class(first(d), buf, sizeof(buf));
   if (k)
      put(c, k);
}

/* POS, FLAGS and MODE: the description's, from its first holder's
 * fdinfo (read for shown descriptions when one of them is asked). */
static void
fill_pos(struct cell *c, const struct description *d, size_t id)
{
   if (first(d)->has_info && first(d)->info.has_pos)
      fprintf(c->f, "%lld", first(d)->info.pos);
}

static void
fill_flags(struct cell *c, const struct description *d, size_t id)
{
   if (first(d)->has_info)
      file_state_write_flags(c->f, &first(d)->info);
}

static void
fill_mode(struct cell *c, const struct description *d, size_t id)
{
   const char *m = first(d)->has_info ? file_state_mode(&first(d)->info) : NULL;
   if (m)
      put(c, m);
}

static void
fill_nholders(struct cell *c, const struct description *d, size_t id)
{
   fprintf(c->f, "%zu", d->n_holders);
}

/* pid/comm/fd, pid(tid) for a thread's own file table: a comm may hold
 * ',' or '/', escaped so that it cannot read as another holder. */
static void
fill_holders(struct cell *c, const struct description *d, size_t id)
{
   for (size_t i = 0; i < d->n_holders && i < CELL_LIST_SHOWN; i++) {
      const struct fd_entry *e = d->holders[i];
      fprintf(c->f, "%s%d", i ? cell_list_separator(c) : "", (int)e->proc->pid);
      if (e->proc->tid != e->proc->pid)
         fprintf(c->f, "(%d)", (int)e->proc->tid);
      fputc('/', c->f);
      text_escape_write(c->f, e->proc->comm, c->flags | ESCAPE_SEPARATORS);
      fprintf(c->f, "/%d", e->fd);
   }
   if (d->n_holders > CELL_LIST_SHOWN) {
      fprintf(c->f, "%s+%zu", cell_list_separator(c), d->n_holders - CELL_LIST_SHOWN);
      put(c, " more");
   }
}


/* A pipe end's access: "r", "w", "rw" (a FIFO opened O_RDWR), "?" unread. */
static const char *
end_mode(const struct fd_entry *e)
{
   const char *m = e->has_info ? file_state_mode(&e->info) : NULL;
   if (!m)
      return "?";
   return m[0] == 'r' ? (m[1] == 'w' ? "rw" : "r") : m[1] == 'w' ? "w" : "-";
}


const struct socket_info *
ls_socket_of(const struct description *d)
{
   return first(d)->type == FD_SOCKET ? sockets_find(&ls_listing.sockets, first(d)->ino) : NULL;
}

/* The other ends of d: a pipe's other descriptions of its inode (d itself
 * among them, to skip), or a UNIX socket's peer's descriptions. */
static size_t
ends_of(const struct description *d, const struct description *const **ends)
{
   const struct socket_info *s = ls_socket_of(d);
   if (s)
      return s->peer ? endpoints_socket(&ls_listing.endpoints, s->peer, ends) : 0;
   return endpoints_of(&ls_listing.endpoints, d, ends);
}

/* Calls each() for every holder of d's other ends, with a pipe end's
 * access (NULL for a socket's peer). */
void
ls_each_end(const struct description *d,
         void (*each)(const struct fd_entry *x, const char *mode, void *arg), void *arg)
{
   const struct description *const *ends;
   size_t n = ends_of(d, &ends);
   bool pipe = first(d)->type == FD_PIPE;
   for (size_t k = 0; k < n; k++)
      for (size_t i = 0; ends[k] != d && i < ends[k]->n_holders; i++)
         each(ends[k]->holders[i], pipe ? end_mode(ends[k]->holders[0]) : NULL, arg);
}

struct ends_cell {
   struct cell *c;
   size_t shown, more;
};

static void
cell_end(const struct fd_entry *e, const char *mode, void *arg)
{
   struct ends_cell *w = arg;
   if (w->shown == CELL_LIST_SHOWN) {
      w->more++;
      return;
   }
   FILE *f = w->c->f;
   fprintf(f, "%s%d", w->shown++ ? cell_list_separator(w->c) : "", (int)e->proc->pid);
   if (e->proc->tid != e->proc->pid)
      fprintf(f, "(%d)", (int)e->proc->tid);
   fputc('/', f);
   text_escape_write(f, e->proc->comm, w->c->flags | ESCAPE_SEPARATORS);
   fprintf(f, "/%d", e->fd);
   if (mode)
      fprintf(f, ":%s", mode);
}

/* ENDPOINTS: the holders of the other ends, pid/command/fd, and a pipe
 * end's access, as HOLDERS writes them. */
static void
fill_endpoints(struct cell *c, const struct description *d, size_t id)
{
   struct ends_cell w = { c, 0, 0 };
   ls_each_end(d, cell_end, &w);
   if (w.more) {
      fprintf(c->f, "%s+%zu", cell_list_separator(c), w.more);
      put(c, " more");
   }
}

static void
fill_sock_proto(struct cell *c, const struct description *d, size_t id)
{
   const struct socket_info *s = ls_socket_of(d);
   if (s)
      put(c, s->proto);
}

static void
fill_sock_state(struct cell *c, const struct description *d, size_t id)
{
   const struct socket_info *s = ls_socket_of(d);
   if (s)
      put(c, s->state);
}

/* A UNIX socket's bound path (any bytes a process chose: escaped). */
static void
fill_unix_path(struct cell *c, const struct description *d, size_t id)
{
   const struct socket_info *s = ls_socket_of(d);
   if (s && s->local && strncmp(s->proto, "UNIX", 4) == 0)
      put(c, s->local);
}

static void
fill_inet_laddr(struct cell *c, const struct description *d, size_t id)
{
   const struct socket_info *s = ls_socket_of(d);
   if (s && s->local && strncmp(s->proto, "UNIX", 4) != 0)
      put(c, s->local);
}

static void
fill_inet_raddr(struct cell *c, const struct description *d, size_t id)
{
   const struct socket_info *s = ls_socket_of(d);
   if (s && s->remote)
      put(c, s->remote);
}

static void
fill_name(struct cell *c, const struct description *d, size_t id)
{
   put(c, scan_name(first(d)));
}

static void
fill_inode(struct cell *c, const struct description *d, size_t id)
{
   fprintf(c->f, "%ju", (uintmax_t)first(d)->ino);
}

/* st_size, from the scan's stat: for dma-bufs and regular files. */
bool
ls_has_size(const struct fd_entry *e)
{
   return fd_class_of(e->type)->dmabuf || e->type == FD_FILE;
}

static void
fill_size(struct cell *c, const struct description *d, size_t id)
{
   if (ls_has_size(first(d)))
      fprintf(c->f, "%lld", first(d)->size);
}

/* A regular file no name reaches any more (st_nlink 0): "1", else "0". */
static void
fill_deleted(struct cell *c, const struct description *d, size_t id)
{
   if (first(d)->type == FD_FILE)
      put(c, first(d)->unlinked ? "1" : "0");
}

/* The users of the processes holding it, each once. */
static void
fill_user(struct cell *c, const struct description *d, size_t id)
{
   for (size_t i = 0; i < d->n_holders; i++) {
      uid_t uid = d->holders[i]->proc->uid;
      bool again = false;
      for (size_t k = 0; k < i && !again; k++)
         again = d->holders[k]->proc->uid == uid;
      if (again)
         continue;
      char buf[64];
      fputs(i ? "," : "", c->f);
      text_escape_write(c->f, fd_facts_user(uid, buf, sizeof(buf)),
                        c->flags | ESCAPE_SEPARATORS);
   }
}

static void
fill_ns_type(struct cell *c, const struct description *d, size_t id)
{
   char buf[32];
   const char *t = fd_facts_ns_type(first(d), buf, sizeof(buf));
   if (t)
      put(c, t);
}

static void
fill_mnt_id(struct cell *c, const struct description *d, size_t id)
{
   if (first(d)->has_info && first(d)->info.has_mnt_id)
      fprintf(c->f, "%d", first(d)->info.mnt_id);
}

static void
fill_tty_index(struct cell *c, const struct description *d, size_t id)
{
   if (first(d)->has_info && first(d)->info.has_tty_index)
      fprintf(c->f, "%d", first(d)->info.tty_index);
}

static void
fill_tun_iface(struct cell *c, const struct description *d, size_t id)
{
   if (first(d)->has_info && fdinfo_tun_iface(&first(d)->info)[0])
      put(c, fdinfo_tun_iface(&first(d)->info));
}

static void
fill_pidfd_pid(struct cell *c, const struct description *d, size_t id)
{
   if (first(d)->has_info && first(d)->info.has_pidfd_pid)
      fprintf(c->f, "%d", first(d)->info.pidfd_pid);
}

static void
fill_exporter(struct cell *c, const struct description *d, size_t id)
{
   if (fd_class_of(first(d)->type)->dmabuf)
      put(c, fdinfo_exp_name(&first(d)->info));
}

static void
fill_info(struct cell *c, const struct description *d, size_t id)
{
   const struct fd_class *k = fd_class_of(first(d)->type);
   bool wrote = k->info && k->info(c, d);
   if (!d->verified) {
      put(c, wrote ? " " : "");
      put(c, "identity unknown (no permission)");
   }
}

/* "5:#12" per target: fd number as registered, watched description. */
static void
fill_targets(struct cell *c, const struct description *d, size_t id)
{
   const struct fd_entry *e = first(d);
   for (size_t t = 0; d->target_ids && t < e->n_targets; t++) {
      if (d->target_ids[t])
         fprintf(c->f, "%s%d:#%zu", t ? "," : "", e->targets[t].tfd, d->target_ids[t]);
      else
         fprintf(c->f, "%s%d:?", t ? "," : "", e->targets[t].tfd);
   }
}

const struct ls_column ls_columns[LS_N_COLUMNS] = {
   [LS_ID] = { "ID", "description number in this listing", 3, SCOLS_FL_RIGHT, fill_id },
   [LS_TYPE] = { "TYPE", "the file's type (see --type)", 6, 0, fill_type },
   [LS_NHOLDERS] = { "NHOLDERS", "number of fds", 3, SCOLS_FL_RIGHT, fill_nholders },
   [LS_HOLDERS] = { "HOLDERS", "pid/command/fd of each fd (the first 10, then +N more)",
              0.4, SCOLS_FL_WRAP, fill_holders },
   [LS_NAME] = { "NAME", "path or kind", 0.3, SCOLS_FL_TRUNC, fill_name },
   [LS_INODE] = { "INODE", "inode number", 6, SCOLS_FL_RIGHT, fill_inode },
   [LS_SIZE] = { "SIZE", "size in bytes of a dma-buf or a regular file",
              6, SCOLS_FL_RIGHT, fill_size },
   [LS_EXPORTER] = { "EXPORTER", "dma-buf exporter", 6, 0, fill_exporter },
   [LS_TARGETS] = { "TARGETS", "epoll: fd:#ID of each watched description (? not found)",
              0.2, 0, fill_targets },
   [LS_AINODECLASS] = { "AINODECLASS", "an anonymous inode's class (eventfd, pidfd, timerfd...)",
              6, 0, fill_ainode_class },
   [LS_POS] = { "POS", "file position, the description's (shared by its holders)",
              5, SCOLS_FL_RIGHT, fill_pos },
   [LS_FLAGS] = { "FLAGS", "open flags of the description (append, nonblock, direct...)",
              6, 0, fill_flags },
   [LS_MODE] = { "MODE", "access mode: r-, -w, rw; -- for O_PATH", 2, 0, fill_mode },
   [LS_ENDPOINTS] = { "ENDPOINTS",
              "pid/command/fd of the other ends: pipes' (:r|w), a UNIX socket's peer, a pty's",
              0.3, SCOLS_FL_WRAP, fill_endpoints },
   [LS_SOCK_PROTONAME] = { "SOCK.PROTONAME", "a socket's protocol (UNIX-STREAM, TCP, UDPv6...)",
              6, 0, fill_sock_proto },
   [LS_SOCK_STATE] = { "SOCK.STATE", "a socket's state (connected, listen, established...)",
              6, 0, fill_sock_state },
   [LS_UNIX_PATH] = { "UNIX.PATH", "a UNIX socket's bound path (@ for an abstract name)",
              0.2, 0, fill_unix_path },
   [LS_INET_LADDR] = { "INET.LADDR", "a TCP or UDP socket's local address:port",
              0.1, 0, fill_inet_laddr },
   [LS_INET_RADDR] = { "INET.RADDR", "a TCP or UDP socket's remote address:port",
              0.1, 0, fill_inet_raddr },
   [LS_DELETED] = { "DELETED", "a regular file no name reaches any more: 1", 1, 0, fill_deleted },
   [LS_USER] = { "USER", "the holding processes' users", 6, 0, fill_user },
   [LS_MNTID] = { "MNTID", "the mount the file is on (fdinfo mnt_id)",
              4, SCOLS_FL_RIGHT, fill_mnt_id },
   [LS_NS_TYPE] = { "NS.TYPE", "a namespace fd's type (net, mnt, pid, user...)",
              4, 0, fill_ns_type },
   [LS_PIDFD_PID] = { "PIDFD.PID", "a pidfd's process (-1 once it exited)",
              5, SCOLS_FL_RIGHT, fill_pidfd_pid },
   [LS_PTMX_TTY_INDEX] = { "PTMX.TTY-INDEX", "a /dev/ptmx fd's pty number (its /dev/pts/N)",
              3, SCOLS_FL_RIGHT, fill_tty_index },
   [LS_TUN_IFACE] = { "TUN.IFACE", "a tun or tap fd's network interface", 6, 0, fill_tun_iface },
   [LS_INFO] = { "INFO", "DRM driver and client, dma-buf size and exporter", 0.2, 0, fill_info },
};

const struct ls_column *
ls_find_column(const char *name, size_t len)
{
   for (size_t i = 0; i < LS_N_COLUMNS; i++) {
      if (strlen(ls_columns[i].name) == len && strncasecmp(ls_columns[i].name, name, len) == 0)
         return &ls_columns[i];
   }
   return NULL;
}

char *
ls_cell_text(const struct ls_column *col, const struct description *d, size_t id, bool raw)
{
   char *text = NULL;
   size_t len = 0;
   FILE *f = open_memstream(&text, &len);
   if (!f)
      return NULL;
   struct cell c = { f, raw ? ESCAPE_BLANKS : 0, !raw };
   col->fill(&c, d, id);
   if (fclose(f) != 0) {
      free(text);
      return NULL;
   }
   return text;
}

