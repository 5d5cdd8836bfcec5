/* SPDX-License-Identifier: MIT */
/*
 * A dma-buf's count from its fdinfo text (util/dmabuf_count.h), on the
 * kernel's shape and on what a hostile name or a cut read makes of it. The
 * import caches order their idle entries by it, so a name must never
 * change it. Real dma-bufs are read in the guests (test_egl_attribs'
 * idle entries).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fdid_test.h"
#include "util/dmabuf_count.h"

static int
parse(const char *text, uint64_t *count)
{
   return fdid_dmabuf_count_parse(text, strlen(text), count);
}

/* What dma_buf_show_fdinfo() prints, as Linux 6.1 and 6.12 do. */
static const char kernel[] = "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1043\n"
                             "size:\t16384\ncount:\t3\nexp_name:\tvgem\nname:\t\n";

FDID_TEST(the_kernels_text)
{
   uint64_t n = 0;
   CHECK_EQ(parse(kernel, &n), 0);
   CHECK_EQ(n, 3);
}

FDID_TEST(a_name_forging_a_count_changes_nothing)
{
   uint64_t n = 0;
   CHECK_EQ(parse("pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t9\nsize:\t4096\ncount:\t2\n"
                  "exp_name:\tvgem\nname:\tx\ncount:\t1\n", &n), 0);
   CHECK_EQ(n, 2);
}

FDID_TEST(cut_short_or_no_count_is_an_error)
{
   uint64_t n = 7;
   size_t cut = (size_t)(strstr(kernel, "count:\t3") - kernel) + 8; /* inside the line */
   CHECK_EQ(fdid_dmabuf_count_parse(kernel, cut, &n), -EBADMSG);
   CHECK_EQ(parse("pos:\t0\nflags:\t02\n", &n), -EBADMSG);
   /* The count after exp_name is no kernel's: only a name could put it there. */
   CHECK_EQ(parse("pos:\t0\nexp_name:\tx\ncount:\t1\n", &n), -EBADMSG);
   CHECK_EQ(parse("count:\t\n", &n), -EBADMSG);
   CHECK_EQ(parse("count:\t-1\n", &n), -EBADMSG);
   CHECK_EQ(parse("count:\t1 \n", &n), -EBADMSG);
   CHECK_EQ(parse("count:\t99999999999999999999\n", &n), -EBADMSG);
   CHECK_EQ(n, 7);
}

/* A file that is no dma-buf has no count line; a closed fd no fdinfo. */
FDID_TEST(other_files_and_closed_fds)
{
   uint64_t n = 7;
   int p[2];
   CHECK_SYS(pipe(p));
   CHECK_EQ(fdid_dmabuf_file_count(p[0], &n), -EBADMSG);
   close(p[0]);
   CHECK_EQ(fdid_dmabuf_file_count(p[0], &n), -ENOENT);
   close(p[1]);
   CHECK_EQ(n, 7);
}

FDID_TEST_MAIN()
