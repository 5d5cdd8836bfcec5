/* SPDX-License-Identifier: MIT */
/*
 * scan_read_fdinfo() takes an fd's fdinfo only while the fd number still
 * holds the file the scan saw: a process may close the fd and open another
 * file at its number between the scan's stat and the read, and POS, FLAGS
 * (and a DRM client's or dma-buf's details) must never be another file's.
 * The kernel prints the inode in fdinfo (5.14+): a text naming another
 * inode is not the entry's.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdid_test.h"
#include "scan.h"

static struct fd_entry
entry_of(struct process *p, int fd)
{
   struct stat st;
   CHECK_SYS(fstat(fd, &st));
   struct fd_entry e;
   memset(&e, 0, sizeof(e));
   e.proc = p;
   e.fd = fd;
   e.dev = st.st_dev;
   e.ino = st.st_ino;
   e.type = FD_FILE;
   return e;
}

FDID_TEST(the_files_own_fdinfo_is_taken)
{
   struct process p = { .pid = getpid(), .tid = getpid(), .fd_dir = -1, .info_dir = -1 };
   int fd = CHECK_SYS(open("/proc/self/status", O_RDONLY | O_CLOEXEC));
   char buf[7];
   CHECK_SYS(read(fd, buf, sizeof(buf)));
   struct fd_entry e = entry_of(&p, fd);
   CHECK(scan_read_fdinfo(&e));
   CHECK(e.has_info && e.info.has_pos && e.info.pos == 7);
   CHECK(e.info.has_ino && e.info.ino == (unsigned long long)e.ino);
   close(fd);
}

/* The number now holds another file: its fdinfo is refused, nothing of it
 * kept, and the entry can still be asked again. */
FDID_TEST(another_file_at_the_number_is_refused)
{
   struct process p = { .pid = getpid(), .tid = getpid(), .fd_dir = -1, .info_dir = -1 };
   int fd = CHECK_SYS(open("/proc/self/status", O_RDONLY | O_CLOEXEC));
   struct fd_entry e = entry_of(&p, fd);
   int other = CHECK_SYS(open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
   char buf[3];
   CHECK_SYS(read(other, buf, sizeof(buf)));
   CHECK_SYS(dup3(other, fd, O_CLOEXEC)); /* what the scanned process did */
   CHECK(!scan_read_fdinfo(&e));
   CHECK(!e.has_info && !e.info.has_pos && !e.info.has_flags);
   close(other);
   close(fd);
}

FDID_TEST_MAIN()
