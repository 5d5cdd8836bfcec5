/* SPDX-License-Identifier: MIT */
/* `fdid same` and `fdid probe` as a user runs them: exit codes, output,
 * errors on stderr. The binary comes from FDID_CLI (set by meson). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdid_test.h"

extern char **environ;

struct run {
   int status;
   char out[4096];
   char err[4096];
};

static void
read_all(int fd, char *buf, size_t len)
{
   size_t n = 0;
   ssize_t r;
   while (n + 1 < len && (r = read(fd, buf + n, len - 1 - n)) > 0)
      n += (size_t)r;
   buf[n] = 0;
}

/* Run the CLI with up to 3 arguments. stdout and stderr are files, so the
 * child can never block on a full pipe. */
static struct run
run_cli(const char *a1, const char *a2, const char *a3)
{
   const char *cli = getenv("FDID_CLI");
   if (!cli)
      SKIP("FDID_CLI not set");
   char *argv[] = { (char *)cli, (char *)a1, (char *)a2, (char *)a3, NULL };
   FILE *out = tmpfile(), *err = tmpfile();
   CHECK(out && err);
   posix_spawn_file_actions_t fa;
   posix_spawn_file_actions_init(&fa);
   posix_spawn_file_actions_adddup2(&fa, fileno(out), 1);
   posix_spawn_file_actions_adddup2(&fa, fileno(err), 2);
   pid_t pid;
   CHECK_EQ(posix_spawn(&pid, cli, &fa, NULL, argv, environ), 0);
   posix_spawn_file_actions_destroy(&fa);

   struct run r;
   CHECK_SYS(waitpid(pid, &r.status, 0));
   CHECK(WIFEXITED(r.status));
   r.status = WEXITSTATUS(r.status);
   lseek(fileno(out), 0, SEEK_SET);
   lseek(fileno(err), 0, SEEK_SET);
   read_all(fileno(out), r.out, sizeof(r.out));
   read_all(fileno(err), r.err, sizeof(r.err));
   fclose(out);
   fclose(err);
   return r;
}

static void
pid_fd(char *buf, size_t len, pid_t pid, int fd)
{
   snprintf(buf, len, "%d:%d", (int)pid, fd);
}

FDID_TEST(same_and_different)
{
   /* Not CLOEXEC: the CLI is a separate process and asks about ours. */
   int a = CHECK_SYS(eventfd(0, 0));
   int d = CHECK_SYS(dup(a));
   int b = CHECK_SYS(eventfd(0, 0));
   char x[32], y[32], z[32];
   pid_fd(x, sizeof(x), getpid(), a);
   pid_fd(y, sizeof(y), getpid(), d);
   pid_fd(z, sizeof(z), getpid(), b);

   struct run r = run_cli("same", x, y);
   CHECK_EQ(r.status, 0);
   CHECK(strcmp(r.out, "same\n") == 0);

   r = run_cli("same", x, z);
   CHECK_EQ(r.status, 1);
   CHECK(strcmp(r.out, "different\n") == 0);
   close(a);
   close(b);
   close(d);
}

FDID_TEST(same_cannot_tell)
{
   char x[32], y[32];
   int a = CHECK_SYS(eventfd(0, 0));
   pid_fd(x, sizeof(x), getpid(), a);
   pid_fd(y, sizeof(y), getpid(), 4000); /* not open */
   struct run r = run_cli("same", x, y);
   CHECK_EQ(r.status, 2);
   CHECK(strstr(r.err, "Bad file descriptor") != NULL);
   CHECK(r.out[0] == 0);

   pid_t gone = CHECK_SYS(fork());
   if (gone == 0)
      _exit(0);
   CHECK_SYS(waitpid(gone, NULL, 0));
   pid_fd(y, sizeof(y), gone, 0);
   r = run_cli("same", x, y);
   CHECK_EQ(r.status, 2);
   CHECK(strstr(r.err, "No such process") != NULL);
   close(a);
}

FDID_TEST(same_bad_usage)
{
   static const char *const bad[][2] = {
      { "1", "1:1" }, { "1:", "1:1" }, { ":1", "1:1" }, { "1:x", "1:1" },
      { "-1:1", "1:1" }, { "1:1:1", "1:1" }, { "99999999999:1", "1:1" },
   };
   for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      struct run r = run_cli("same", bad[i][0], bad[i][1]);
      CHECK_EQ(r.status, 2);
      CHECK(strstr(r.err, "Usage") != NULL);
   }
   struct run r = run_cli("same", "1:1", NULL);
   CHECK_EQ(r.status, 2);
}

FDID_TEST(probe_lists_methods)
{
   struct run r = run_cli("probe", NULL, NULL);
   CHECK_EQ(r.status, 0);
   CHECK(strstr(r.out, "dupfd_query") && strstr(r.out, "kcmp") && strstr(r.out, "epoll"));
   CHECK(strstr(r.out, "default: ") != NULL);
   CHECK(strstr(r.out, "getppid") != NULL);
}

FDID_TEST(probe_honours_fdid_methods)
{
   setenv("FDID_METHODS", "epoll", 1);
   struct run r = run_cli("probe", NULL, NULL);
   CHECK_EQ(r.status, 0);
   CHECK(strstr(r.out, "default: epoll\n") != NULL);
   CHECK(strstr(r.out, "dupfd_query  no ") != NULL);
   CHECK(strstr(r.out, "kcmp         no ") != NULL);
}

FDID_TEST_MAIN()
