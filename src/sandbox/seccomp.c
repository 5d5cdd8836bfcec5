/* SPDX-License-Identifier: MIT */
/* fdid's sandbox rules into a libseccomp filter (sandbox_seccomp.h). */
#include <errno.h>
#include <unistd.h>

#include <fdid/sandbox_seccomp.h>

#include "util/macros.h"

enum { MAX_RULES = 64 };

FDID_PUBLIC int
fdid_sandbox_seccomp_add(scmp_filter_ctx ctx, unsigned methods, unsigned ops, uint32_t action)
{
   const struct fdid_sandbox_rule *rules[MAX_RULES];
   size_t n = fdid_sandbox_rules(methods, ops, rules, MAX_RULES);
   if (n > MAX_RULES)
      return -E2BIG; /* the table outgrew this function: a bug, caught by the tests */
   scmp_datum_t self = (scmp_datum_t)getpid();
   for (size_t i = 0; i < n; i++) {
      const struct fdid_sandbox_rule *r = rules[i];
      if (r->nr < 0)
         return -ENOSYS;
      struct scmp_arg_cmp args[3];
      for (unsigned a = 0; a < r->n_args; a++) {
         scmp_datum_t v = r->args[a].cmp == FDID_ARG_SELF ? self : (scmp_datum_t)r->args[a].value;
         args[a] = (struct scmp_arg_cmp){ r->args[a].index, SCMP_CMP_EQ, v, 0 };
      }
      int err = seccomp_rule_add_array(ctx, action, (int)r->nr, r->n_args, args);
      if (err < 0)
         return err;
   }
   return 0;
}
