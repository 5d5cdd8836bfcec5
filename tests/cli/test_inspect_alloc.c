/* SPDX-License-Identifier: MIT */
/*
 * The inspector's scan and grouping with each allocation failing in turn:
 * every run either ends with the right groups or says -ENOMEM, and leaves
 * no allocation behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "alloc_fail.h"
#include "fdid_test.h"
#include "group.h"
#include "scan.h"

struct run {
   int pipe_r, pipe_dup, ep;
   struct scan scan;
   struct grouping groups;
   bool grouped;
};

static struct description *
description_of(struct grouping *g, int fd)
{
   for (size_t i = 0; i < g->n_descs; i++) {
      for (size_t h = 0; h < g->descs[i].n_holders; h++) {
         if (g->descs[i].holders[h]->fd == fd)
            return &g->descs[i];
      }
   }
   return NULL;
}

static int
scan_and_group(void *arg)
{
   struct run *r = arg;
   pid_t me = getpid();
   int err = scan_processes(&me, 1, &r->scan);
   if (err < 0)
      return err;
   err = group_descriptions(&r->scan, &r->groups);
   if (err < 0)
      return err;
   r->grouped = true;
   /* What `fdid ls` does next: fdinfo, names, epoll targets. Their
    * allocation failures degrade the listing (no targets, no name), they
    * do not fail it. */
   for (size_t i = 0; i < r->scan.n_fds; i++) {
      scan_read_fdinfo(&r->scan.fds[i]);
      scan_name(&r->scan.fds[i]);
   }
   err = group_link_epoll_targets(&r->groups, NULL, NULL);
   if (err < 0)
      return err;

   /* The groups are right whenever the run says so. */
   struct description *d = description_of(&r->groups, r->pipe_r);
   CHECK(d != NULL);
   CHECK(d->verified);
   CHECK_EQ(d->n_holders, 2);
   CHECK(description_of(&r->groups, r->pipe_dup) == d);
   return 0;
}

static void
cleanup(void *arg, int result)
{
   struct run *r = arg;
   if (r->grouped)
      grouping_finish(&r->groups);
   scan_finish(&r->scan);
   r->grouped = false;
}

FDID_TEST(each_allocation_fails_in_turn)
{
   int p[2];
   CHECK_SYS(pipe2(p, O_CLOEXEC));
   struct run r = { .pipe_r = p[0] };
   r.pipe_dup = CHECK_SYS(fcntl(p[0], F_DUPFD_CLOEXEC, 0));
   r.ep = CHECK_SYS(epoll_create1(EPOLL_CLOEXEC));
   int efd = CHECK_SYS(eventfd(0, EFD_CLOEXEC));
   struct epoll_event ev = { .events = EPOLLIN };
   CHECK_SYS(epoll_ctl(r.ep, EPOLL_CTL_ADD, efd, &ev));

   long sites = alloc_fail_each(scan_and_group, cleanup, &r);
   printf("# %ld allocations failed in turn\n", sites);
   CHECK(sites > 5);
   close(efd);
   close(r.ep);
   close(r.pipe_dup);
   close(p[0]);
   close(p[1]);
}

FDID_TEST_MAIN()
