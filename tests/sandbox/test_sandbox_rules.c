/* SPDX-License-Identifier: MIT */
/*
 * fdid's sandbox rules (sandbox.h) proven under seccomp filters that
 * refuse everything else.
 *
 * Each scenario runs in a child that installs a default-deny filter (any
 * other call ends the process: a trap whose handler names the call and
 * exits, as SECCOMP_RET_KILL_PROCESS would without the name): the
 * harness's own needs (memory, futex,
 * signal return, write, exit) plus fdid_sandbox_seccomp_add() for one set
 * of allowed methods and the operations asked. Then every operation runs
 * on fds whose identity the test knows (a pipe, a file opened twice and
 * dup'ed, an epoll set, a holder process that shares them): the process
 * must live and every answer must be right, and decided where the methods
 * can decide.
 *
 * Minimal: each rule in turn becomes a trap (SIGSYS; the handler makes
 * the call fail with EPERM and counts it), and every other call outside
 * the rules fails with EPERM. The operations must still never answer
 * wrong (a missing rule makes fdid fall back or fail), and the trap must
 * fire: fdid makes that call. A rule a kernel here does not
 * reach (F_GETFD where F_DUPFD_QUERY is absent, pidfd_open without
 * PIDFD_THREAD where PIDFD_THREAD works) is named, not counted.
 *
 * In the guests (vgem) the winsys and the consumers' import cache run
 * too. The printed libseccomp C (fdid sandbox -f c) is compiled by
 * check-sandbox-c and gives the same filter as the helper.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <fdid/identity.h>
#include <fdid/sandbox.h>
#include <fdid/sandbox_seccomp.h>

#include "fdid_test.h"
#include "util/macros.h"
#include "group.h"
#include "scan.h"
#include "sandbox_world.h"
#include "test_util.h"

enum { MAX_RULES = 64 };

/* What the child reports through shared memory. */
struct report {
   unsigned traps;          /* calls of the trapped rule */
   int refused;             /* the call a default-deny filter refused, or -1 */
   unsigned wrong;          /* wrong answers: never allowed */
   unsigned undecided;      /* questions answered by an error */
   char first_wrong[160];
};

static struct report *shared;

/* The default-deny filter's verdict, as SECCOMP_RET_KILL_PROCESS would
 * give it, but naming the call. */
static void
on_refused(int sig, siginfo_t *si, void *ctx)
{
   (void)sig;
   (void)ctx;
   shared->refused = si->si_syscall;
   _exit(3);
}

static void
on_sigsys(int sig, siginfo_t *si, void *ctx)
{
   (void)sig;
   (void)si;
#if defined(__x86_64__)
   ucontext_t *uc = ctx;
   uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#else
   (void)ctx;
#endif
   __atomic_fetch_add(&shared->traps, 1, __ATOMIC_RELAXED);
}

static void
allow_calls(scmp_filter_ctx ctx, const char *const *calls, size_t n)
{
   for (size_t i = 0; i < n; i++) {
      int nr = seccomp_syscall_resolve_name(calls[i]);
      if (nr != __NR_SCMP_ERROR)
         CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0), 0);
   }
}

/* The harness's own calls, allowed in every filter here. */
static void
allow_baseline(scmp_filter_ctx ctx)
{
   static const char *const calls[] = {
      "write", "exit_group", "exit", "brk", "mmap", "munmap", "mremap", "mprotect",
      "getrandom", "futex", "rt_sigreturn", "rt_sigprocmask", "clock_gettime", "gettid",
   };
   allow_calls(ctx, calls, FDID_ARRAY_SIZE(calls));
}

/* A process that forks under its filter: fork and wait are its own. */
static void
allow_fork(scmp_filter_ctx ctx)
{
   static const char *const calls[] = { "clone", "clone3", "set_robust_list", "wait4" };
   allow_calls(ctx, calls, FDID_ARRAY_SIZE(calls));
}

/* Adds one rule with action. */
static void
add_rule(scmp_filter_ctx ctx, const struct fdid_sandbox_rule *r, uint32_t action)
{
   struct scmp_arg_cmp args[3];
   for (unsigned a = 0; a < r->n_args; a++) {
      scmp_datum_t v = r->args[a].cmp == FDID_ARG_SELF ? (scmp_datum_t)getpid()
                                                       : (scmp_datum_t)r->args[a].value;
      args[a] = (struct scmp_arg_cmp){ r->args[a].index, SCMP_CMP_EQ, v, 0 };
   }
   CHECK_EQ(seccomp_rule_add_array(ctx, action, (int)r->nr, r->n_args, args), 0);
}

/* Kill on anything else; the rules allowed. With a rule `trapped`
 * (>= 0), that one traps and anything else fails with EPERM instead: the
 * fallback a missing rule leads to may make calls of its own (fstat when
 * no method could be probed), and those must not answer wrong either. */
static void
install(unsigned methods, unsigned ops, int trapped)
{
   scmp_filter_ctx ctx = seccomp_init(trapped < 0 ? SCMP_ACT_TRAP : SCMP_ACT_ERRNO(EPERM));
   CHECK(ctx != NULL);
   allow_baseline(ctx);
   if (trapped < 0) {
      CHECK_EQ(fdid_sandbox_seccomp_add(ctx, methods, ops, SCMP_ACT_ALLOW), 0);
      struct sigaction sa = { .sa_sigaction = on_refused, .sa_flags = SA_SIGINFO };
      CHECK_EQ(sigaction(SIGSYS, &sa, NULL), 0);
   } else {
      const struct fdid_sandbox_rule *rules[MAX_RULES];
      size_t n = fdid_sandbox_rules(methods, ops, rules, MAX_RULES);
      for (size_t i = 0; i < n; i++)
         add_rule(ctx, rules[i], (int)i == trapped ? SCMP_ACT_TRAP : SCMP_ACT_ALLOW);
      struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
      CHECK_EQ(sigaction(SIGSYS, &sa, NULL), 0);
   }
   CHECK_EQ(seccomp_load(ctx), 0);
   seccomp_release(ctx);
}

/* An answer against the truth: 0 only for the same description, 1-3 only
 * for different ones; an error is counted, and wrong where `decidable`. */
void
sandbox_expect(int answer, bool same, bool decidable, const char *what)
{
   bool wrong = (answer == 0 && !same) || (answer > 0 && same) || answer > 3;
   if (answer < 0) {
      shared->undecided++;
      wrong = decidable;
   }
   if (wrong && !shared->wrong++)
      snprintf(shared->first_wrong, sizeof(shared->first_wrong), "%s: %d", what, answer);
}

/*
 * The filter loaded by a child that then forks: the grandchild, under the
 * same filter and a pid of its own, runs the operations. Its status (an
 * exit, or 3 from on_refused) comes back through the child's.
 */
static int
forked_scenario(struct sandbox_world *w, unsigned methods, unsigned ops)
{
   memset(shared, 0, sizeof(*shared));
   shared->refused = -1;
   pid_t pid = CHECK_SYS(fork());
   if (pid == 0) {
      fdid_set_allowed_methods(methods);
      scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
      CHECK(ctx != NULL);
      allow_baseline(ctx);
      allow_fork(ctx);
      CHECK_EQ(fdid_sandbox_seccomp_add(ctx, methods, ops, SCMP_ACT_ALLOW), 0);
      struct sigaction sa = { .sa_sigaction = on_refused, .sa_flags = SA_SIGINFO };
      CHECK_EQ(sigaction(SIGSYS, &sa, NULL), 0);
      CHECK_EQ(seccomp_load(ctx), 0);
      seccomp_release(ctx);
      /* The parent asks first, as a process that forks workers would. */
      sandbox_world_run(w, methods, ops & FDID_OP_ALL, true);
      pid_t worker = fork();
      if (worker < 0)
         _exit(4);
      if (worker == 0) {
         sandbox_world_run(w, methods, ops & FDID_OP_ALL, true);
         _exit(0);
      }
      int status;
      if (waitpid(worker, &status, 0) != worker)
         _exit(5);
      _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 6);
   }
   int status;
   CHECK_SYS(waitpid(pid, &status, 0));
   CHECK(WIFEXITED(status));
   return WEXITSTATUS(status);
}

/* Runs the scenario in a child; returns its report. */
static struct report
scenario(struct sandbox_world *w, unsigned methods, unsigned ops, int trapped)
{
   memset(shared, 0, sizeof(*shared));
   shared->refused = -1;
   pid_t pid = CHECK_SYS(fork());
   if (pid == 0) {
      fdid_set_allowed_methods(methods);
      install(methods, ops, trapped);
      /* With every rule, what the methods can decide must be decided. */
      sandbox_world_run(w, methods, ops, trapped < 0);
      _exit(0);
   }
   int status;
   CHECK_SYS(waitpid(pid, &status, 0));
   if (shared->refused >= 0) {
      char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, shared->refused);
      fdid_test_fail(__FILE__, __LINE__, "methods %#x ops %#x: fdid called %s (%d), which no "
                     "rule allows", methods, ops, name ? name : "?", shared->refused);
   }
   if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      fdid_test_fail(__FILE__, __LINE__, "methods %#x ops %#x rule %d: %s %d", methods, ops,
                     trapped, WIFSIGNALED(status) ? "killed by signal" : "exit",
                     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
   return *shared;
}

/* Does the DRM fd's fdinfo print drm-driver (drm-usage-stats)? */
static bool
fdinfo_names_driver(int fd)
{
   char path[64], text[4096];
   snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
   FILE *f = fopen(path, "re");
   if (!f)
      return false;
   size_t n = fread(text, 1, sizeof(text) - 1, f);
   fclose(f);
   text[n] = 0;
   return strstr(text, "\ndrm-driver:") != NULL;
}

/* Rules this kernel (or machine) never makes fdid call, and why. Asked
 * of the kernel directly: the test process itself never calls fdid, so
 * each scenario's child starts unprobed. */
static const char *
unreachable(const struct fdid_sandbox_rule *r, const struct sandbox_world *w, unsigned methods)
{
   /* The rules that only some kernels lead to (only_with names them):
    * reached or not, as this kernel is; where reached, the trap must fire. */
   bool dupfd_query = fcntl(w->p0, 1027 /* F_DUPFD_QUERY */, w->p0) == 1;
   if (strcmp(r->syscall, "fcntl") == 0 && r->n_args && r->args[0].value == F_GETFD)
      return dupfd_query ? NULL
                         : "F_GETFD follows an F_DUPFD_QUERY answer, which this kernel has not";
   if (strcmp(r->syscall, "pidfd_open") == 0 && r->n_args && r->args[0].value == 0) {
      int fd = (int)syscall(SYS_pidfd_open, getpid(), O_EXCL /* PIDFD_THREAD */);
      if (fd < 0)
         return NULL;
      close(fd);
      return "pidfd_open without PIDFD_THREAD is for kernels before 6.9";
   }
   if (strcmp(r->syscall, "fstat") == 0 && strncmp(r->why, "without kcmp", 12) == 0)
      return (methods & FDID_METHOD_EPOLL) || !dupfd_query
                ? NULL
                : "fstat's last word is for kernels without F_DUPFD_QUERY";
   if (strcmp(r->syscall, "kcmp") == 0 && r->n_args && r->args[0].value == KCMP_FILES)
      return "asked of processes with several threads: the world's have one";
   if (strstr(r->why, "a thread's own file table"))
      return "a thread's own file table: the world's processes have none";
   if (strncmp(r->why, "fdid mem:", 9) == 0 && !w->drm)
      return "fdid mem pins a DRM client's file: there is no DRM client here";
   if (strstr(r->why, "fdinfo names none"))
      return fdinfo_names_driver(w->card)
                ? "the client's fdinfo names its driver (drm-usage-stats, Linux 6.5+)"
                : NULL;
   if (r->only_with)
      return "a library below fdid makes it only in some versions";
   if (strcmp(r->syscall, "statfs") == 0 && w->drm)
      return "the dma-buf file system is known from a dma-buf fd here";
   if (strcmp(r->syscall, "readlink") == 0 && !w->drm && access("/dev/dri", F_OK) != 0)
      return "the sysfs path of a DRM device: there is none here";
   return NULL;
}

/* The report page and the world for ops; the subtest skips where
 * filters, a sanitizer or a missing device leave nothing to prove. */
static void
world_begin(unsigned ops, struct sandbox_world *w)
{
   if (!seccomp_kill_process_works())
      SKIP("seccomp filters cannot be installed here (old kernel or valgrind)");
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
   SKIP("a sanitizer's runtime makes calls of its own");
#endif
   shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
                 0);
   CHECK(shared != MAP_FAILED);
   if (!sandbox_world_make(w, ops))
      SKIP("no DRM device for the winsys (runs in the guest)");
}

static void
prove(unsigned methods, unsigned ops)
{
   struct sandbox_world w;
   world_begin(ops, &w);

   struct report full = scenario(&w, methods, ops, -1);
   if (full.wrong)
      fdid_test_fail(__FILE__, __LINE__, "every rule, methods %#x: wrong answer %s", methods,
                     full.first_wrong);

   const struct fdid_sandbox_rule *rules[MAX_RULES];
   size_t n = fdid_sandbox_rules(methods, ops, rules, MAX_RULES);
   CHECK(n <= MAX_RULES);
   for (size_t i = 0; i < n; i++) {
      struct report r = scenario(&w, methods, ops, (int)i);
      if (r.wrong)
         fdid_test_fail(__FILE__, __LINE__, "without %s (rule %zu), methods %#x: wrong answer %s",
                        rules[i]->syscall, i, methods, r.first_wrong);
      const char *why = unreachable(rules[i], &w, methods);
      if (why) {
         printf("# %s, arg %s: not reached here: %s\n", rules[i]->syscall,
                rules[i]->n_args ? rules[i]->args[0].name : "-", why);
         continue;
      }
      const char *arg = rules[i]->n_args ? rules[i]->args[0].name : "";
      if (r.traps == 0)
         fdid_test_fail(__FILE__, __LINE__, "methods %#x ops %#x: rule %zu (%s %s) is never "
                        "called: not needed", methods, ops, i, rules[i]->syscall, arg);
   }
   sandbox_world_finish(&w);
   munmap(shared, sizeof(*shared));
}

#define HOST_OPS (FDID_OP_IDENTITY | FDID_OP_CROSS_PROCESS | FDID_OP_EPOLL_TARGET | \
                  FDID_OP_INSPECTOR)
#define DRM_OPS (FDID_OP_WINSYS | FDID_OP_CONSUMERS)

FDID_TEST(identity_dupfd_query) { prove(FDID_METHOD_DUPFD_QUERY, FDID_OP_IDENTITY); }
FDID_TEST(identity_kcmp) { prove(FDID_METHOD_KCMP, FDID_OP_IDENTITY); }
FDID_TEST(identity_epoll) { prove(FDID_METHOD_EPOLL, FDID_OP_IDENTITY); }
FDID_TEST(identity_no_method) { prove(0, FDID_OP_IDENTITY); }
FDID_TEST(every_host_operation_dupfd_query) { prove(FDID_METHOD_DUPFD_QUERY, HOST_OPS); }
FDID_TEST(every_host_operation_kcmp) { prove(FDID_METHOD_KCMP, HOST_OPS); }
FDID_TEST(every_host_operation_epoll) { prove(FDID_METHOD_EPOLL, HOST_OPS); }
FDID_TEST(every_host_operation_all_methods) { prove(FDID_METHOD_ALL, HOST_OPS); }
FDID_TEST(browser_renderer_dupfd_query_and_epoll)
{
   /* kcmp forbidden, as Chromium's and Firefox's renderers do. */
   prove(FDID_METHOD_DUPFD_QUERY | FDID_METHOD_EPOLL, FDID_OP_IDENTITY | FDID_OP_CROSS_PROCESS);
}
/* The rules hold in a child forked after the filter was loaded: no rule
 * names the loader's pid (kcmp's used to, and killed the child). */
static void
prove_across_fork(unsigned methods, unsigned ops, bool pinned)
{
   struct sandbox_world w;
   world_begin(ops, &w);
   int status = forked_scenario(&w, methods, ops | (pinned ? FDID_OP_PIN_SELF : 0));
   if (pinned) {
      /* Documented: the pinned kcmp rule refuses the child's own pid. */
      CHECK_EQ(status, 3);
      CHECK_EQ(shared->refused, SCMP_SYS(kcmp));
   } else {
      if (shared->refused >= 0)
         fdid_test_fail(__FILE__, __LINE__, "methods %#x: the forked child called %d, which "
                        "no rule allows", methods, shared->refused);
      CHECK_EQ(status, 0);
      if (shared->wrong)
         fdid_test_fail(__FILE__, __LINE__, "forked child: wrong answer %s", shared->first_wrong);
   }
   sandbox_world_finish(&w);
   munmap(shared, sizeof(*shared));
}

FDID_TEST(forked_child_kcmp) { prove_across_fork(FDID_METHOD_KCMP, HOST_OPS, false); }
FDID_TEST(forked_child_all_methods) { prove_across_fork(FDID_METHOD_ALL, HOST_OPS, false); }
FDID_TEST(forked_child_pinned_kcmp_is_refused)
{
   prove_across_fork(FDID_METHOD_KCMP, FDID_OP_IDENTITY, true);
}
FDID_TEST(forked_child_winsys_kcmp) { prove_across_fork(FDID_METHOD_KCMP, DRM_OPS, false); }

FDID_TEST(winsys_and_consumers_dupfd_query) { prove(FDID_METHOD_DUPFD_QUERY, DRM_OPS); }
FDID_TEST(winsys_and_consumers_kcmp) { prove(FDID_METHOD_KCMP, DRM_OPS); }
FDID_TEST(winsys_and_consumers_epoll) { prove(FDID_METHOD_EPOLL, DRM_OPS); }

FDID_TEST(kms_dupfd_query) { prove(FDID_METHOD_DUPFD_QUERY, FDID_OP_KMS); }
FDID_TEST(kms_kcmp) { prove(FDID_METHOD_KCMP, FDID_OP_KMS); }

#ifdef FDID_SANDBOX_WORLD_DRM
#include <xf86drm.h>

/* The DRM ioctl numbers rules.c spells out are libdrm's. */
struct closefb_abi {
   uint32_t fb_id, pad;
};

FDID_TEST(ioctl_numbers_are_the_kernels)
{
   static const struct {
      const char *name;
      unsigned long nr;
   } known[] = {
#define K(x) { #x, x }
      K(DRM_IOCTL_GEM_CLOSE), K(DRM_IOCTL_PRIME_HANDLE_TO_FD), K(DRM_IOCTL_PRIME_FD_TO_HANDLE),
      K(DRM_IOCTL_MODE_CREATE_DUMB), K(DRM_IOCTL_MODE_MAP_DUMB), K(DRM_IOCTL_SET_CLIENT_CAP),
      K(DRM_IOCTL_GET_CAP), K(DRM_IOCTL_VERSION),
      K(DRM_IOCTL_MODE_GETRESOURCES), K(DRM_IOCTL_MODE_GETPROPERTY),
      K(DRM_IOCTL_MODE_GETPROPBLOB), K(DRM_IOCTL_MODE_RMFB), K(DRM_IOCTL_MODE_GETPLANERESOURCES),
      K(DRM_IOCTL_MODE_GETPLANE), K(DRM_IOCTL_MODE_ADDFB2), K(DRM_IOCTL_MODE_OBJ_GETPROPERTIES),
#ifdef DRM_IOCTL_MODE_CLOSEFB
      K(DRM_IOCTL_MODE_CLOSEFB),
#else
      /* libdrm before 2.4.121: the kernel's (0xD0, struct drm_mode_closefb). */
      { "DRM_IOCTL_MODE_CLOSEFB", DRM_IOWR(0xD0, struct closefb_abi) },
#endif
#undef K
   };
   const struct fdid_sandbox_rule *rules[MAX_RULES];
   size_t n = fdid_sandbox_rules(FDID_METHOD_ALL, FDID_OP_ALL, rules, MAX_RULES);
   size_t checked = 0;
   for (size_t i = 0; i < n; i++) {
      if (strcmp(rules[i]->syscall, "ioctl") != 0)
         continue;
      bool found = false;
      for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
         if (strcmp(known[k].name, rules[i]->args[0].name) != 0)
            continue;
         found = true;
         if (known[k].nr != rules[i]->args[0].value)
            fdid_test_fail(__FILE__, __LINE__, "%s: %#lx here, %#llx in libdrm", known[k].name,
                           (unsigned long)rules[i]->args[0].value, (unsigned long long)known[k].nr);
      }
      CHECK(found);
      checked++;
   }
   CHECK_EQ(checked, sizeof(known) / sizeof(known[0]));
}
#endif

FDID_TEST_MAIN()
