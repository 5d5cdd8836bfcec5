/* SPDX-License-Identifier: MIT */
/*
 * fdid sandbox: the system calls fdid needs (sandbox.h), for the methods
 * allowed (FDID_METHODS, or -m) and the operations asked (-o), in the form
 * a sandbox takes: text, JSON, libseccomp C, a systemd SystemCallFilter=
 * line, or Chromium's BPF DSL. Each form says what it cannot express.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fdid/identity.h>
#include <fdid/sandbox.h>

#include "cli.h"
#include "escape.h"
#include "json.h"

enum { MAX_RULES = 64 };

struct rules {
   unsigned methods, ops;
   const struct fdid_sandbox_rule *v[MAX_RULES];
   size_t n;
};

/* "kcmp,epoll", "dupfd_query", "none", "all" -> mask, false on a name
 * that is none of them, an empty name or list (an unset variable in a
 * script must not mean "no method"), and "none" beside another name. */
static bool
parse_names(const char *s, const char *(*name_of)(unsigned), unsigned all, unsigned *out)
{
   unsigned mask = 0;
   bool none = false, other = false;
   if (!*s)
      return false;
   while (*s) {
      size_t len = strcspn(s, ",");
      if (len == 0)
         return false;
      bool is_none = len == 4 && strncmp(s, "none", 4) == 0;
      bool known = (len == 3 && strncmp(s, "all", 3) == 0) || is_none;
      none |= is_none;
      other |= !is_none;
      if (len == 3 && strncmp(s, "all", 3) == 0)
         mask |= all;
      for (unsigned bit = 1; bit & all; bit <<= 1) {
         const char *n = name_of(bit);
         if (n && strlen(n) == len && strncmp(s, n, len) == 0) {
            mask |= bit;
            known = true;
         }
      }
      if (!known)
         return false;
      s += len;
      if (*s == ',' && !*++s)
         return false; /* a list ending in a comma: a name left out */
   }
   if (none && other)
      return false;
   *out = mask;
   return true;
}

static void
list_names(FILE *f, unsigned mask, const char *(*name_of)(unsigned), bool json)
{
   bool first = true;
   for (unsigned bit = 1; bit && bit <= mask; bit <<= 1) {
      if (!(mask & bit))
         continue;
      fprintf(f, json ? "%s\"%s\"" : "%s%s", first ? "" : json ? ", " : ",", name_of(bit));
      first = false;
   }
   if (first && !json)
      fputs("none", f);
}

/* "<comment> fdid's system calls for methods M, operations O": the first
 * words of every form but JSON, in its own comment syntax. */
static void
print_title(const struct rules *r, const char *comment)
{
   printf("%s fdid's system calls for methods ", comment);
   list_names(stdout, r->methods, fdid_method_name, false);
   printf(", operations ");
   list_names(stdout, r->ops & FDID_OP_ALL, fdid_sandbox_op_name, false);
   if (r->ops & FDID_OP_PIN_SELF)
      printf(", kcmp pinned to the filter's pid");
}

/* Is rule i the first of its system call (the forms that group by call)? */
static bool
first_of_its_call(const struct rules *r, size_t i)
{
   for (size_t k = 0; k < i; k++) {
      if (strcmp(r->v[k]->syscall, r->v[i]->syscall) == 0)
         return false;
   }
   return true;
}

static void
print_arg_c(FILE *f, const struct fdid_sandbox_arg *a)
{
   if (a->cmp == FDID_ARG_SELF)
      fprintf(f, "SCMP_A%u(SCMP_CMP_EQ, (scmp_datum_t)self)", a->index);
   else
      fprintf(f, "SCMP_A%u(SCMP_CMP_EQ, %#" PRIx64 ") /* %s */", a->index, a->value, a->name);
}

static void
print_text(const struct rules *r)
{
   print_title(r, "#");
   printf("\n# (besides the process's own: memory, futex, signal return, write, exit)\n");
   for (size_t i = 0; i < r->n; i++) {
      const struct fdid_sandbox_rule *x = r->v[i];
      printf("%-14s", x->syscall);
      if (!x->n_args)
         printf(" any arguments");
      for (unsigned a = 0; a < x->n_args; a++) {
         const struct fdid_sandbox_arg *g = &x->args[a];
         if (g->cmp == FDID_ARG_SELF)
            printf("%s arg%u == getpid()", a ? "," : "", g->index);
         else
            printf("%s arg%u == %s (%#" PRIx64 ")", a ? "," : "", g->index, g->name, g->value);
      }
      printf("\n%14s  %s%s%s%s\n", "", x->why, x->only_with ? " (only with " : "",
             x->only_with ? x->only_with : "", x->only_with ? ")" : "");
   }
}

static void
print_json(const struct rules *r)
{
   printf("{\"methods\": [");
   list_names(stdout, r->methods, fdid_method_name, true);
   printf("], \"operations\": [");
   list_names(stdout, r->ops & FDID_OP_ALL, fdid_sandbox_op_name, true);
   printf("], \"pin_self\": %s, \"rules\": [", (r->ops & FDID_OP_PIN_SELF) ? "true" : "false");
   for (size_t i = 0; i < r->n; i++) {
      const struct fdid_sandbox_rule *x = r->v[i];
      printf("%s\n  {\"syscall\": \"%s\", \"nr\": %ld, \"args\": [", i ? "," : "", x->syscall,
             x->nr);
      for (unsigned a = 0; a < x->n_args; a++) {
         const struct fdid_sandbox_arg *g = &x->args[a];
         printf("%s{\"index\": %u, \"op\": \"eq\", \"value\": ", a ? ", " : "", g->index);
         if (g->cmp == FDID_ARG_SELF)
            printf("\"self\"");
         else
            printf("%" PRIu64, g->value);
         printf(", \"name\": \"%s\"}", g->name);
      }
      printf("], \"why\": ");
      json_write_string(stdout, x->why);
      printf(", \"only_with\": ");
      json_write_string_or_null(stdout, x->only_with);
      printf("}");
   }
   printf("\n]}\n");
}

static void
print_libseccomp(const struct rules *r)
{
   print_title(r, "/*");
   printf(" (fdid sandbox -f c).\n"
          " * Adds each with `action` to ctx. 0 or a negative errno.%s */\n",
          (r->ops & FDID_OP_PIN_SELF)
             ? "\n * Pinned (-p): call it in the process that loads the filter, whose pid\n"
               " * the kcmp rule names; a child forked after the filter is refused kcmp."
             : "");
   printf(
          "#include <seccomp.h>\n#include <unistd.h>\n\n"
          "static int\nfdid_sandbox_rules_add(scmp_filter_ctx ctx, uint32_t action)\n{\n"
          "   scmp_datum_t self = (scmp_datum_t)getpid();\n   int r;\n   (void)self;\n");
   for (size_t i = 0; i < r->n; i++) {
      const struct fdid_sandbox_rule *x = r->v[i];
      printf("   /* %s */\n   if ((r = seccomp_rule_add(ctx, action, SCMP_SYS(%s), %u", x->why,
             x->syscall, x->n_args);
      for (unsigned a = 0; a < x->n_args; a++) {
         printf(",\n                              ");
         print_arg_c(stdout, &x->args[a]);
      }
      printf(")) < 0)\n      return r;\n");
   }
   printf("   return 0;\n}\n");
}

static void
print_systemd(const struct rules *r)
{
   print_title(r, "#");
   printf(".\n# SystemCallFilter= names calls only: it cannot express the argument\n"
          "# constraints (fcntl's command, kcmp's pids and type, ioctl's request), so these\n"
          "# calls are allowed with any arguments. `fdid sandbox -f c` has them.\n"
          "SystemCallFilter=");
   for (size_t i = 0; i < r->n; i++) {
      if (first_of_its_call(r, i))
         printf("%s%s", i ? " " : "", r->v[i]->syscall);
   }
   printf("\n");
}

/* One syscall's rules as an If/ElseIf chain of Chromium's bpf_dsl; what
 * they do not allow is the caller's policy's to decide. */
static void
print_chromium_syscall(const struct rules *r, size_t first)
{
   const char *name = r->v[first]->syscall;
   printf("    case __NR_%s:", name);
   bool open = false;
   for (size_t i = first; i < r->n; i++) {
      const struct fdid_sandbox_rule *x = r->v[i];
      if (strcmp(x->syscall, name) != 0)
         continue;
      if (!x->n_args) {
         printf("  // %s\n      return Allow();\n", x->why);
         return;
      }
      printf("  // %s\n      ", x->why);
      printf("%s(AllOf(", open ? ".ElseIf" : "return If");
      for (unsigned a = 0; a < x->n_args; a++) {
         const struct fdid_sandbox_arg *g = &x->args[a];
         if (g->cmp == FDID_ARG_SELF)
            printf("%sArg<pid_t>(%u) == policy_pid", a ? ", " : "", g->index);
         else
            printf("%sArg<uint64_t>(%u) == %#" PRIx64 "u /* %s */", a ? ", " : "", g->index,
                   g->value, g->name);
      }
      printf("), Allow())\n");
      open = true;
   }
   printf("          .Else(otherwise);\n");
}

static void
print_chromium(const struct rules *r)
{
   print_title(r, "//");
   printf(".\n// A fragment for a sandbox::bpf_dsl::Policy: fdid's calls are allowed, and\n"
          "// everything else, other arguments of the same calls too, gets `otherwise`,\n"
          "// the policy's own verdict. Merge it in EvaluateSyscall(int sysno):\n"
          "//   return FdidAllow(sysno, BaselinePolicy::EvaluateSyscall(sysno));\n"
          "// so the calls the policy already allows (fcntl, epoll_ctl, madvise...) keep\n"
          "// their own rules. A call refused with an error makes fdid drop the method.\n");
   if (r->ops & FDID_OP_PIN_SELF)
      printf("// policy_pid is the sandboxed process's pid, taken when the policy is made\n"
             "// (as Chromium's own kcmp rule does): a child it forks is refused kcmp.\n");
   printf("ResultExpr FdidAllow(int sysno, ResultExpr otherwise%s) {\n  switch (sysno) {\n",
          (r->ops & FDID_OP_PIN_SELF) ? ", pid_t policy_pid" : "");
   for (size_t i = 0; i < r->n; i++) {
      if (first_of_its_call(r, i))
         print_chromium_syscall(r, i);
   }
   printf("    default:\n      return otherwise;\n  }\n}\n");
}

static const struct format {
   const char *name;
   void (*print)(const struct rules *r);
} formats[] = {
   { "text", print_text }, { "json", print_json }, { "c", print_libseccomp },
   { "systemd", print_systemd }, { "chromium", print_chromium },
};

static void
bad_value(const char *what, const char *arg, const char *choices)
{
   fprintf(stderr, "fdid: not a list of %ss: '", what);
   text_escape_write(stderr, arg, 0);
   fprintf(stderr, "' (names from: %s; 'none' only alone)\n", choices);
}

static void
usage(FILE *f)
{
   fprintf(f, "Usage: fdid sandbox [-m METHODS] [-o OPERATIONS] [-f FORMAT] [-p]\n\n"
              "The system calls fdid makes, as rules a sandbox can install.\n\nOptions:\n"
              "  -m, --methods LIST     dupfd_query,kcmp,epoll, all or none (default: the\n"
              "                         methods FDID_METHODS allows)\n"
              "  -o, --operations LIST  identity,cross_process,epoll_target,winsys,\n"
              "                         consumers,inspector,kms or all (default: identity)\n"
              "  -f, --format FORMAT    text (default), json, c (libseccomp), systemd,\n"
              "                         chromium (bpf_dsl)\n"
              "  -p, --pin-self         kcmp on the process's own fds for the pid that\n"
              "                         loads the filter only (a child it forks is refused)\n"
              "-m and -o add up when repeated; an empty list is an error.\n");
}

int
cmd_sandbox(int argc, char **argv)
{
   static const struct option longopts[] = {
      { "methods", required_argument, NULL, 'm' }, { "operations", required_argument, NULL, 'o' },
      { "format", required_argument, NULL, 'f' }, { "pin-self", no_argument, NULL, 'p' },
      { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
   };
   unsigned methods = 0, ops = 0, mask;
   bool methods_given = false, pin = false;
   const struct format *fmt = &formats[0];
   int c;
   optind = 1;
   while ((c = getopt_long(argc, argv, "m:o:f:ph", longopts, NULL)) != -1) {
      switch (c) {
      case 'm':
         if (!parse_names(optarg, fdid_method_name, FDID_METHOD_ALL, &mask)) {
            bad_value("method", optarg, "dupfd_query, kcmp, epoll, all, none");
            return CLI_EXIT_ERROR;
         }
         methods |= mask;
         methods_given = true;
         break;
      case 'o':
         if (!parse_names(optarg, fdid_sandbox_op_name, FDID_OP_ALL, &mask) || !mask) {
            bad_value("operation", optarg, "see fdid sandbox --help");
            return CLI_EXIT_ERROR;
         }
         ops |= mask;
         break;
      case 'p': pin = true; break;
      case 'f':
         fmt = NULL;
         for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
            if (strcmp(optarg, formats[i].name) == 0)
               fmt = &formats[i];
         }
         if (!fmt) {
            bad_value("format", optarg, "text, json, c, systemd, chromium");
            return CLI_EXIT_ERROR;
         }
         break;
      case 'h': usage(stdout); return CLI_EXIT_OK;
      default: usage(stderr); return CLI_EXIT_ERROR;
      }
   }
   if (optind != argc) {
      usage(stderr);
      return CLI_EXIT_ERROR;
   }
   struct rules r = {
      .methods = methods_given ? methods : fdid_allowed_methods(),
      .ops = (ops ? ops : FDID_OP_IDENTITY) | (pin ? FDID_OP_PIN_SELF : 0),
   };
   r.n = fdid_sandbox_rules(r.methods, r.ops, r.v, MAX_RULES);
   if (r.n > MAX_RULES) {
      fprintf(stderr, "fdid: %zu rules, more than this command holds\n", r.n);
      return CLI_EXIT_ERROR;
   }
   fmt->print(&r);
   return CLI_EXIT_OK;
}
