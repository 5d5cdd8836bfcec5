/* SPDX-License-Identifier: MIT */
/* Same and different descriptions within one process, with every method. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <fdid/identity.h>

#include "fdid_test.h"

FDID_TEST(dup_is_same)
{
   int a = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
   int b = CHECK_SYS(dup(a));
   CHECK_EQ(fdid_same_file_description(a, b), 0);
   close(a);
   close(b);
}

FDID_TEST_MAIN()
